package profile

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"charm.land/huh/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/spf13/pflag"

	"github.com/cognite-tools/cdflogin/command/cmdutil"
	"github.com/cognite-tools/cdflogin/internal/insight"
	"github.com/cognite-tools/cdflogin/internal/textsafe"
	"github.com/cognite-tools/cdflogin/profiles"
)

// lookupFlags are add's flags that find the tenant from an e-mail
// address or a domain, so that nobody has to know the tenant ID.
type lookupFlags struct {
	email, domain string
	yes           bool
}

func (lf *lookupFlags) bind(fs *pflag.FlagSet) {
	fs.StringVar(&lf.email, "email", "", "find the tenant from a user's e-mail `ADDRESS` (its domain's OpenID discovery document names the tenant ID); also the login hint")
	fs.StringVar(&lf.domain, "domain", "", "find the tenant from a `DOMAIN` its users sign in with, e.g. contoso.com (instead of --tenant)")
	fs.BoolVar(&lf.yes, "yes", false, "use the tenant --email or --domain finds without asking")
}

// resolve finds the tenant of --email or --domain on the authority's
// host (--authority, else login.microsoftonline.com), shows it, asks to
// confirm it in a terminal (not with --yes, nor when stdin or stderr is
// not a terminal), and sets the profile's tenant (and authority, when
// one was given) to the tenant ID.
func (lf *lookupFlags) resolve(ctx context.Context, opts *Options, fs *pflag.FlagSet, p *profiles.Profile, accessible bool) error {
	given := lf.email
	flag := "--email"
	switch {
	case fs.Changed("email") && fs.Changed("domain"):
		return cmdutil.UsageError("give --email or --domain, not both: both find the tenant")
	case fs.Changed("domain"):
		given, flag = lf.domain, "--domain"
	case !fs.Changed("email"):
		if lf.yes {
			return cmdutil.UsageError("--yes confirms the tenant --email or --domain finds; give one of them")
		}
		return nil
	}
	if fs.Changed("tenant") {
		return cmdutil.UsageError("%s finds the tenant: give it or --tenant, not both", flag)
	}
	if flag == "--email" && !strings.Contains(given, "@") {
		return cmdutil.UsageError("--email %q is not an e-mail address: give alice@contoso.com, or the domain with --domain", textsafe.Line(given))
	}
	domain, err := insight.DomainOf(given)
	if err != nil {
		return cmdutil.UsageError("%s: %v", flag, err)
	}
	host, err := insight.AuthorityHostOf(p.Authority)
	if err != nil {
		return cmdutil.UsageError("--authority: %v", err)
	}
	if opts.HTTPClient == nil {
		return errors.New("cannot look up the tenant: no HTTP client")
	}
	client, err := opts.HTTPClient(*p)
	if err != nil {
		return err
	}
	if client == nil {
		client = http.DefaultClient
	}
	fmt.Fprintf(opts.IO.ErrOut, "Looking up the Entra tenant of %s at %s …\n", domain, host)
	found, err := insight.FindTenant(ctx, client, host, domain)
	if err != nil {
		var nf *insight.DomainNotFoundError
		if errors.As(err, &nf) {
			return nf // its message says what to do; exit code 1
		}
		return cmdutil.FlowError(err, *p, p.Flow)
	}
	fmt.Fprintf(opts.IO.ErrOut, "The domain %s belongs to the Entra tenant %s (issuer %s", domain, found.TenantID, found.Issuer)
	if found.Region != "" {
		fmt.Fprintf(opts.IO.ErrOut, ", region %s", found.Region)
	}
	fmt.Fprintln(opts.IO.ErrOut, ").")
	if !lf.yes && opts.IO.InTTY && opts.IO.ErrTTY {
		ok, err := confirmTenant(ctx, opts, found, accessible || opts.Getenv("TERM") == "dumb")
		if err != nil {
			return err
		}
		if !ok {
			return errors.New("stopped: no profile was added; give the tenant ID with --tenant if this is not your tenant")
		}
	}
	p.Tenant = found.TenantID
	if p.Authority != "" {
		p.Authority = found.Authority()
	}
	if flag == "--email" && !fs.Changed("login-hint") {
		p.LoginHint = strings.TrimSpace(given)
	}
	return nil
}

// confirmTenant asks, on the terminal, whether to use the tenant found.
func confirmTenant(ctx context.Context, opts *Options, found *insight.TenantOfDomain, accessible bool) (bool, error) {
	out := opts.IO.ErrOut
	if h, ok := out.(*cmdutil.HoldableWriter); ok {
		out = h.W
	}
	if accessible {
		out = &colorprofile.Writer{Forward: opts.IO.ErrOut, Profile: colorprofile.NoTTY}
	}
	use := true
	q := huh.NewConfirm().Title(fmt.Sprintf("Use the tenant %s for %s?", found.TenantID, found.Domain)).
		Description("Its sign-ins go to " + found.Authority() + ".").Affirmative("Yes").Negative("No").Value(&use)
	f := huh.NewForm(huh.NewGroup(q)).WithInput(opts.IO.In).WithOutput(out).WithAccessible(accessible).WithShowHelp(!accessible)
	if err := f.RunWithContext(ctx); err != nil {
		if errors.Is(err, huh.ErrUserAborted) {
			return false, nil
		}
		return false, err
	}
	return use, nil
}
