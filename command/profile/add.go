package profile

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/cognite-tools/cdflogin/command/cmdutil"
	"github.com/cognite-tools/cdflogin/internal/secrets"
	"github.com/cognite-tools/cdflogin/profiles"
)

// fieldFlags are the per-field flags of add and edit.
type fieldFlags struct {
	tenant, clientID, cluster, project, flow string
	authority, cdfURL, scopes, loginHint     string
	redirectPort                             int
	secretEnv                                string
	secretStdin                              bool
	certificate, certPassEnv, caFile         string
	certPassStdin                            bool
	isDefault                                bool
	// provider, issuer, audience, tokenURL, groupsClaim: Cognito and OIDC.
	provider, issuer, audience, tokenURL, groupsClaim string
}

func (ff *fieldFlags) bind(fs *pflag.FlagSet) {
	fs.StringVar(&ff.tenant, "tenant", "", "Directory (tenant) `ID` or verified domain, e.g. contoso.onmicrosoft.com")
	fs.StringVar(&ff.clientID, "client-id", "", "Application (client) `ID` of the app registration")
	fs.StringVar(&ff.cluster, "cluster", "", "CDF cluster, e.g. westeurope-1 (for https://westeurope-1.cognitedata.com); or give --cdf-url")
	fs.StringVar(&ff.project, "project", "", "CDF project (URL name)")
	fs.StringVar(&ff.flow, "flow", "", "sign-in flow: browser, device, secret or certificate")
	fs.StringVar(&ff.authority, "authority", "", "authority `URL` (default https://login.microsoftonline.com/<tenant>)")
	fs.StringVar(&ff.cdfURL, "cdf-url", "", "CDF base `URL`, when it is not https://<cluster>.cognitedata.com (instead of --cluster)")
	fs.StringVar(&ff.scopes, "scopes", "", "scopes, comma-separated `LIST` (default <cdf-url>/.default)")
	fs.IntVar(&ff.redirectPort, "redirect-port", 0, "loopback `PORT` of the browser flow (default 53000)")
	fs.StringVar(&ff.loginHint, "login-hint", "", "the `USER` to pre-fill at sign-in")
	fs.StringVar(&ff.secretEnv, "secret-env", "", "read the client secret from the environment variable `VAR` (stores env:VAR)")
	fs.BoolVar(&ff.secretStdin, "secret-stdin", false, "read the client secret from stdin and keep it in the OS keyring")
	fs.StringVar(&ff.certificate, "certificate", "", "certificate file `PATH`: PEM with the private key, or PFX/P12")
	fs.StringVar(&ff.certPassEnv, "certificate-password-env", "", "read the certificate's password from the environment variable `VAR`")
	fs.BoolVar(&ff.certPassStdin, "certificate-password-stdin", false, "read the certificate's password from stdin and keep it in the OS keyring")
	fs.StringVar(&ff.caFile, "ca-file", "", "extra trusted CA bundle `PATH` (PEM), e.g. for a TLS-inspecting proxy")
	fs.BoolVar(&ff.isDefault, "default", false, "make this the default profile")
	fs.StringVar(&ff.provider, "provider", "", "identity provider: entra (default), cognito (Amazon Cognito) or oidc (any other OpenID provider)")
	fs.StringVar(&ff.issuer, "issuer", "", "OpenID issuer `URL` of a cognito or oidc profile, e.g. https://cognito-idp.eu-west-1.amazonaws.com/<pool-id>")
	fs.StringVar(&ff.audience, "audience", "", "audience parameter sent to an oidc provider (Auth0 style), and the aud its tokens must carry")
	fs.StringVar(&ff.tokenURL, "token-url", "", "token endpoint `URL`, overriding the one discovery names")
	fs.StringVar(&ff.groupsClaim, "groups-claim", "", "`CLAIM` that carries the token's groups (default groups; cognito:groups for cognito)")
}

// check rejects flag combinations that cannot work.
func (ff *fieldFlags) check(fs *pflag.FlagSet) error {
	if fs.Changed("secret-env") && ff.secretStdin {
		return cmdutil.UsageError("use either --secret-env VAR or --secret-stdin, not both")
	}
	if fs.Changed("certificate-password-env") && ff.certPassStdin {
		return cmdutil.UsageError("use either --certificate-password-env VAR or --certificate-password-stdin, not both")
	}
	if ff.secretStdin && ff.certPassStdin {
		return cmdutil.UsageError("stdin can carry one secret: use --certificate-password-env VAR for the certificate password")
	}
	for flag, v := range map[string]string{"secret-env": ff.secretEnv, "certificate-password-env": ff.certPassEnv} {
		if fs.Changed(flag) {
			if err := profiles.ValidateEnvVar(v); err != nil {
				return cmdutil.UsageError("--%s: %v", flag, err)
			}
		}
	}
	if fs.Changed("flow") {
		if _, err := profiles.ParseFlow(ff.flow); err != nil {
			return cmdutil.UsageError("--flow: %v", err)
		}
	}
	if fs.Changed("provider") {
		if _, err := profiles.ParseProvider(ff.provider); err != nil {
			return cmdutil.UsageError("--provider: %v", err)
		}
	}
	if fs.Changed("cluster") && fs.Changed("cdf-url") && ff.cluster != "" && ff.cdfURL != "" {
		return cmdutil.UsageError("--cluster and --cdf-url name the same thing, where CDF is: give --cluster for https://<cluster>.cognitedata.com, or --cdf-url for any other URL, not both")
	}
	return nil
}

// settleLocation keeps a profile's CDF named one way when an edit gives
// the other (--cluster on a profile with cdf_url, or --cdf-url on one
// with a cluster): the old one is cleared, and the note says so. A
// profile written before the rule, with both, loses its cluster, which
// it never used (cdf_url wins).
func (ff *fieldFlags) settleLocation(fs *pflag.FlagSet, p *profiles.Profile) string {
	switch {
	case !fs.Changed("cluster") && !fs.Changed("cdf-url") && p.Cluster != "" && p.CDFURL != "":
		old := p.Cluster
		p.Cluster = ""
		return fmt.Sprintf("cleared cluster %s, which the profile did not use: cdf_url %s says where CDF is", old, p.CDFURL)
	case fs.Changed("cluster") && !fs.Changed("cdf-url") && p.Cluster != "" && p.CDFURL != "":
		old := p.CDFURL
		p.CDFURL = ""
		return fmt.Sprintf("cleared cdf_url %s: the profile now names its CDF by the cluster %s", old, p.Cluster)
	case fs.Changed("cdf-url") && !fs.Changed("cluster") && p.Cluster != "" && p.CDFURL != "":
		old := p.Cluster
		p.Cluster = ""
		return fmt.Sprintf("cleared cluster %s: the profile now names its CDF by cdf_url %s", old, p.CDFURL)
	}
	return ""
}

// apply sets the fields whose flags were given (all of them for add).
func (ff *fieldFlags) apply(fs *pflag.FlagSet, p *profiles.Profile) {
	set := func(flag string, dst *string, v string) {
		if fs.Changed(flag) {
			*dst = strings.TrimSpace(v)
		}
	}
	set("tenant", &p.Tenant, ff.tenant)
	set("client-id", &p.ClientID, ff.clientID)
	set("cluster", &p.Cluster, ff.cluster)
	set("project", &p.Project, ff.project)
	if fs.Changed("flow") {
		p.Flow, _ = profiles.ParseFlow(ff.flow)
	}
	set("authority", &p.Authority, ff.authority)
	set("cdf-url", &p.CDFURL, ff.cdfURL)
	if fs.Changed("scopes") {
		p.Scopes = profiles.ParseScopes(ff.scopes)
	}
	if fs.Changed("redirect-port") {
		p.RedirectPort = ff.redirectPort
	}
	set("login-hint", &p.LoginHint, ff.loginHint)
	if fs.Changed("secret-env") {
		p.ClientSecret = profiles.EnvRefPrefix + ff.secretEnv
	}
	if ff.secretStdin {
		p.ClientSecret = profiles.RefKeyring
	}
	set("certificate", &p.Certificate, ff.certificate)
	if fs.Changed("certificate-password-env") {
		p.CertificatePassword = profiles.EnvRefPrefix + ff.certPassEnv
	}
	if ff.certPassStdin {
		p.CertificatePassword = profiles.RefKeyring
	}
	set("ca-file", &p.CAFile, ff.caFile)
	if fs.Changed("default") {
		p.Default = ff.isDefault
	}
	if fs.Changed("provider") {
		prov, _ := profiles.ParseProvider(ff.provider)
		p.Provider = prov
		if prov == profiles.ProviderEntra {
			p.Provider = ""
		}
	}
	set("issuer", &p.Issuer, ff.issuer)
	set("audience", &p.Audience, ff.audience)
	set("token-url", &p.TokenURL, ff.tokenURL)
	set("groups-claim", &p.GroupsClaimName, ff.groupsClaim)
}

// stdinSecret is the secret that goes to the keyring, if any.
type stdinSecret struct{ field, value, envFlag string }

func (ff *fieldFlags) readStdinSecret(opts *Options) (*stdinSecret, error) {
	switch {
	case ff.secretStdin:
		v, err := readSecret(opts.IO, "client secret")
		if err != nil {
			return nil, err
		}
		return &stdinSecret{field: secrets.FieldClientSecret, value: v, envFlag: "--secret-env"}, nil
	case ff.certPassStdin:
		v, err := readSecret(opts.IO, "certificate password")
		if err != nil {
			return nil, err
		}
		return &stdinSecret{field: secrets.FieldCertificatePassword, value: v, envFlag: "--certificate-password-env"}, nil
	}
	return nil, nil
}

func newAddCmd(opts *Options) *cobra.Command {
	ff := &fieldFlags{}
	lf := &lookupFlags{}
	cmd := &cobra.Command{
		Use:   "add NAME",
		Short: "Add a profile",
		Long: `Add a profile to profiles.yaml. Every setting is checked first, with a
message that says what to fix.

No tenant ID at hand? --email alice@contoso.com (or --domain contoso.com)
finds it: the domain's OpenID discovery document at
<authority-host>/<domain>/v2.0/.well-known/openid-configuration names the
tenant in its issuer. The tenant found is shown and, in a terminal,
confirmed (--yes skips the question); --authority gives another host (a
national cloud). The e-mail address also becomes the login hint.

Secrets are never written to the file: --secret-stdin keeps the client secret
in the OS keyring (Keychain, Windows Credential Manager, Secret Service);
--secret-env VAR makes the profile read it from the environment variable VAR.
When no keyring is usable, --secret-stdin fails and says so.`,
		Example: `  cdflogin profile add dev --tenant contoso.onmicrosoft.com \
    --client-id 1b2c3d4e-5f60-4a1b-8c9d-0e1f2a3b4c5d \
    --cluster westeurope-1 --project acme-dev --flow browser --default
  printenv IDP_CLIENT_SECRET | cdflogin profile add ci --tenant … --client-id … \
    --cluster westeurope-1 --project acme-prod --flow secret --secret-stdin
  cdflogin profile add ci --flow secret --secret-env IDP_CLIENT_SECRET …
  cdflogin profile add dev --email alice@contoso.com --client-id … \
    --cluster westeurope-1 --project acme-dev --flow browser`,
		Args: exactName("add"),
		RunE: func(cmd *cobra.Command, args []string) error {
			fs := cmd.Flags()
			if err := ff.check(fs); err != nil {
				return err
			}
			p := profiles.Profile{Name: args[0]}
			ff.apply(fs, &p)
			accessible, _ := fs.GetBool("accessible")
			if err := lf.resolve(cmd.Context(), opts, fs, &p, accessible); err != nil {
				return err
			}
			return runAdd(cmd.Context(), opts, ff, p, accessible)
		},
	}
	ff.bind(cmd.Flags())
	lf.bind(cmd.Flags())
	cmd.Flags().Bool("accessible", false, "ask for missing settings with plain prompts, one a line (screen readers); also TERM=dumb")
	return cmd
}

func runAdd(ctx context.Context, opts *Options, ff *fieldFlags, p profiles.Profile, accessible bool) error {
	if ctx == nil {
		ctx = context.Background()
	}
	haveSecret := p.ClientSecret != "" || ff.secretStdin
	// Asked on the terminal: stdin and stderr (where the questions go).
	ask := profiles.ValidateName(p.Name) == nil && len(missing(p, haveSecret)) > 0 && opts.IO.InTTY && opts.IO.ErrTTY
	if !ask {
		if err := profiles.ValidateNew(p); err != nil {
			return validationUsage(err)
		}
	}
	store, err := opts.Store()
	if err != nil {
		return err
	}
	// The file must parse and the name be free before anything is asked,
	// and before a secret goes anywhere.
	if _, err := store.Get(p.Name); err == nil {
		return fmt.Errorf("%w: %q is already in %s: change it with cdflogin profile edit %s", profiles.ErrExists, p.Name, store.Path(), p.Name)
	} else if !errors.Is(err, profiles.ErrNotFound) {
		return err
	}
	var typed string
	if ask {
		// In a terminal, ask for what the flags left out (never when stdin
		// is a pipe: scripts get every problem at once, above).
		a := asking{in: opts.IO.In, out: opts.IO.ErrOut, getenv: opts.Getenv,
			accessible: accessible || opts.Getenv("TERM") == "dumb"}
		if typed, err = a.ask(ctx, &p, haveSecret); err != nil {
			return err
		}
		if typed != "" {
			p.ClientSecret = profiles.RefKeyring
		}
		if err := profiles.ValidateNew(p); err != nil {
			return validationUsage(err)
		}
	}
	sec, err := ff.readStdinSecret(opts)
	if err != nil {
		return err
	}
	if typed != "" {
		sec = &stdinSecret{field: secrets.FieldClientSecret, value: typed, envFlag: "--secret-env"}
	}
	if sec != nil {
		if err := keyringStore(opts, p.Name, sec.field, sec.value, sec.envFlag); err != nil {
			return err
		}
	}
	if err := store.Add(p); err != nil {
		if sec != nil {
			_ = opts.Keyring.Delete(secrets.Service, secrets.Item(p.Name, sec.field))
		}
		return err
	}
	fmt.Fprintf(opts.IO.ErrOut, "Added profile %q to %s.\n", p.Name, store.Path())
	warnAuthority(opts, p)
	if sec != nil {
		fmt.Fprintf(opts.IO.ErrOut, "The %s is in the OS keyring (service %q, item %q).\n", sec.field, secrets.Service, secrets.Item(p.Name, sec.field))
	}
	if p.Flow == profiles.FlowBrowser && !p.IsEntra() {
		fmt.Fprintf(opts.IO.ErrOut, "The app client must list %s as an allowed callback URL.\n", p.RedirectURI())
	} else if p.Flow == profiles.FlowBrowser {
		fmt.Fprintf(opts.IO.ErrOut, "The app registration must list %s as a redirect URI under \"Mobile and desktop applications\".\n", p.RedirectURI())
	}
	fmt.Fprintf(opts.IO.ErrOut, "Sign in with: cdflogin login -p %s\n", p.Name)
	return nil
}

// validationUsage makes an invalid profile from flags a usage error
// (exit 2) with every problem on its own line.
func validationUsage(err error) error {
	var ve *profiles.ValidationError
	if !errors.As(err, &ve) {
		return err
	}
	lines := make([]string, len(ve.Problems))
	for i, p := range ve.Problems {
		lines[i] = "  " + flagName(p.Field) + ": " + p.Msg
	}
	return cmdutil.WithExitCode(cmdutil.ExitUsage, fmt.Errorf("profile %q is not valid:\n%s", ve.Profile, strings.Join(lines, "\n")))
}

// flagName is the flag that sets a profile field.
func flagName(field string) string {
	switch field {
	case "name":
		return "NAME"
	case "client_secret":
		return "--secret-env/--secret-stdin"
	case "certificate_password":
		return "--certificate-password-env/--certificate-password-stdin"
	}
	return "--" + strings.ReplaceAll(field, "_", "-")
}
