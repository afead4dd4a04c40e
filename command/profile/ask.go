package profile

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"charm.land/huh/v2"
	"github.com/charmbracelet/colorprofile"

	"github.com/cognite-tools/cdflogin/command/cmdutil"
	"github.com/cognite-tools/cdflogin/profiles"
	"github.com/cognite-tools/cdflogin/ui"
)

// asking is how `profile add` asks for what its flags left out: in a
// terminal only (stdin a TTY), with huh, in huh's accessible mode (plain
// prompts, one a line, no cursor movement) for --accessible or TERM=dumb.
type asking struct {
	in         io.Reader
	out        io.Writer
	accessible bool
	getenv     func(string) string
}

// missing lists the settings p lacks that a sign-in needs, by field.
func missing(p profiles.Profile, haveSecret bool) []string {
	var out []string
	if p.Flow == "" {
		out = append(out, "flow")
	}
	if p.IsEntra() && p.Tenant == "" {
		out = append(out, "tenant")
	}
	if !p.IsEntra() && p.Issuer == "" && p.TokenURL == "" {
		out = append(out, "issuer")
	}
	if p.ClientID == "" {
		out = append(out, "client_id")
	}
	if p.Cluster == "" && p.CDFURL == "" {
		out = append(out, "cdf")
	}
	if p.Project == "" {
		out = append(out, "project")
	}
	switch {
	case p.Flow == profiles.FlowSecret && !haveSecret:
		out = append(out, "client_secret")
	case p.Flow == profiles.FlowCertificate && p.Certificate == "":
		out = append(out, "certificate")
	}
	return out
}

// ask asks for the missing settings of p, each checked as profiles.yaml
// would check it, and for the secret or certificate its flow needs when
// no flag gave one. A typed secret is returned to go to the keyring.
func (a asking) ask(ctx context.Context, p *profiles.Profile, haveSecret bool) (secret string, err error) {
	out := a.out // the terminal itself: huh's program sizes and draws on it
	if h, ok := out.(*cmdutil.HoldableWriter); ok {
		out = h.W
	}
	if a.accessible {
		// Plain prompts: not even colour or bold.
		out = &colorprofile.Writer{Forward: a.out, Profile: colorprofile.NoTTY}
	}
	fmt.Fprintf(out, "Profile %q needs a few more settings. Press ctrl+c to stop: nothing is written until all are given.\n\n", p.Name)
	run := func(fields ...huh.Field) error {
		if len(fields) == 0 {
			return nil
		}
		f := huh.NewForm(huh.NewGroup(fields...)).WithInput(a.in).WithOutput(out).WithAccessible(a.accessible).WithShowHelp(!a.accessible)
		if err := f.RunWithContext(ctx); err != nil {
			if errors.Is(err, huh.ErrUserAborted) {
				return errors.New("stopped: no profile was added")
			}
			return err
		}
		return nil
	}
	title := func(field, t string) string {
		if a.accessible {
			// Accessible prompts show no description: the title says it.
			return t + " (" + ui.FieldHelp(field) + ")"
		}
		return t
	}
	check := func(v func(string) error) func(string) error {
		return func(s string) error { return v(strings.TrimSpace(s)) }
	}

	if p.Flow == "" {
		flow := profiles.FlowDevice
		var opts []huh.Option[profiles.Flow]
		for _, f := range profiles.Flows {
			opts = append(opts, huh.NewOption(string(f), f))
		}
		if err := run(huh.NewSelect[profiles.Flow]().Title(title("flow", "Sign-in flow")).Description(ui.FieldHelp("flow")).Options(opts...).Value(&flow)); err != nil {
			return "", err
		}
		p.Flow = flow
	}
	var fields []huh.Field
	input := func(field, t string, value *string, v func(string) error) {
		fields = append(fields, huh.NewInput().Title(title(field, t)).Description(ui.FieldHelp(field)).Value(value).Validate(check(v)))
	}
	var cdf string
	if p.IsEntra() && p.Tenant == "" {
		input("tenant", "Tenant", &p.Tenant, profiles.ValidateTenant)
	}
	if !p.IsEntra() && p.Issuer == "" && p.TokenURL == "" {
		input("issuer", "Issuer", &p.Issuer, profiles.ValidateIssuer)
	}
	if p.ClientID == "" && p.IsEntra() {
		input("client_id", "Application (client) ID", &p.ClientID, profiles.ValidateClientID)
	} else if p.ClientID == "" {
		input("client_id", "App client ID", &p.ClientID, profiles.ValidateProviderClientID)
	}
	if p.Cluster == "" && p.CDFURL == "" {
		input("cdf", "CDF cluster or URL", &cdf, func(s string) error {
			if strings.Contains(s, "://") {
				return profiles.ValidateCDFURL(s)
			}
			return profiles.ValidateCluster(s)
		})
	}
	if p.Project == "" {
		input("project", "CDF project", &p.Project, profiles.ValidateProject)
	}
	switch {
	case p.Flow == profiles.FlowSecret && !haveSecret:
		fields = append(fields, huh.NewInput().Title(title("client_secret", "Client secret")).Description(ui.FieldHelp("client_secret")+" A pasted value is kept in the OS keyring, never in profiles.yaml.").
			EchoMode(huh.EchoModePassword).Value(&secret).Validate(func(s string) error {
			if strings.TrimSpace(s) == "" {
				return errors.New("the secret flow needs a client secret, or env:VAR naming the variable that holds it")
			}
			return nil
		}))
	case p.Flow == profiles.FlowCertificate && p.Certificate == "":
		input("certificate", "Certificate file", &p.Certificate, profiles.ValidateCertificate)
	}
	if err := run(fields...); err != nil {
		return "", err
	}
	if cdf = strings.TrimSpace(cdf); strings.Contains(cdf, "://") {
		p.CDFURL = strings.TrimRight(cdf, "/")
	} else if cdf != "" {
		p.Cluster = cdf
	}
	p.Tenant, p.ClientID, p.Project = strings.TrimSpace(p.Tenant), strings.TrimSpace(p.ClientID), strings.TrimSpace(p.Project)
	p.Certificate = strings.TrimSpace(p.Certificate)
	secret = strings.TrimSpace(secret)
	if ref, ok := profiles.EnvRefVar(secret); ok {
		p.ClientSecret = profiles.EnvRefPrefix + ref
		secret = ""
	}
	return secret, nil
}
