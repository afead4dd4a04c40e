// Package cmdplain holds what the scripting commands (login --plain,
// token, env, logout) share: the flows they need, how they report errors
// with an exit code and the AADSTS explanation, and time formatting.
package cmdutil

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/cognite-tools/cdflogin/flows"
	"github.com/cognite-tools/cdflogin/internal/aadsts"
	"github.com/cognite-tools/cdflogin/profiles"
)

// Flows is the part of *flows.Service the scripting commands use; tests
// give a fake.
type Flows interface {
	Login(ctx context.Context, p profiles.Profile, flow profiles.Flow, events flows.Events) (*flows.Tokens, error)
	Silent(ctx context.Context, p profiles.Profile, opts flows.SilentOptions) (*flows.Tokens, error)
	Logout(p profiles.Profile) ([]string, error)
}

var _ Flows = (*flows.Service)(nil)

// FlowError turns an error of a flow into what the command returns: a sign-in
// that is needed exits with ExitLoginRequired and names the
// command to run; an Entra refusal carries its explanation (Details); a
// failure to reach Entra ID or CDF carries nethint's advice (the host,
// the cause, and what to check: ca_file and SSL_CERT_FILE for an
// untrusted certificate, HTTPS_PROXY, DNS, ...).
func FlowError(err error, p profiles.Profile, flow profiles.Flow) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, context.Canceled) {
		return err
	}
	var lr *flows.LoginRequiredError
	if errors.As(err, &lr) || errors.Is(err, flows.ErrLoginRequired) {
		var ae *aadsts.Error
		if errors.As(err, &ae) {
			return WithExitCode(ExitLoginRequired, &Explained{Err: err, Entra: ae, Context: flows.ExplainContext(p, flow)})
		}
		return WithExitCode(ExitLoginRequired, err)
	}
	var ae *aadsts.Error
	if errors.As(err, &ae) {
		return &Explained{Err: err, Entra: ae, Context: flows.ExplainContext(p, flow)}
	}
	if a, ok := networkAdvice(err, p); ok {
		return &Hinted{Err: err, Advice: a}
	}
	return err
}

// Explained is an error from Entra ID with the explanation of its AADSTS
// code printed under the error line.
type Explained struct {
	Err     error
	Entra   *aadsts.Error
	Context aadsts.Context
}

func (e *Explained) Error() string { return e.Err.Error() }

// Unwrap returns the error.
func (e *Explained) Unwrap() error { return e.Err }

// Details is the explanation: what the code means, its cause and the fix
// in the Entra admin center, or Entra's own words and IDs for unknown codes.
func (e *Explained) Details() string {
	x := aadsts.Explain(e.Entra, e.Context)
	if sum := e.Entra.Summary(); sum != "" && strings.Contains(e.Err.Error(), sum) {
		x.Entra = "" // Entra's own words are on the Error: line already: said once
	}
	return x.String()
}

// Until formats a token's expiry for people: local time with zone, and how
// far away it is.
func Until(t, now time.Time) string {
	left := t.Sub(now).Round(time.Second)
	stamp := t.Local().Format("2006-01-02 15:04:05 MST")
	switch {
	case left <= 0:
		return fmt.Sprintf("%s, expired %s ago", stamp, Duration(-left))
	default:
		return fmt.Sprintf("%s, in %s", stamp, Duration(left))
	}
}

// Duration formats a duration in whole units people read at a glance:
// "45s", "12m", "1h05m", "2d3h".
func Duration(d time.Duration) string {
	d = d.Round(time.Second)
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh%02dm", int(d.Hours()), int(d.Minutes())%60)
	default:
		return fmt.Sprintf("%dd%dh", int(d.Hours())/24, int(d.Hours())%24)
	}
}

// Who names whom a token belongs to: the user, or the app of an app flow.
func Who(t *flows.Tokens, p profiles.Profile) string {
	if t.Account.Username != "" {
		if t.Account.Name != "" && t.Account.Name != t.Account.Username {
			return fmt.Sprintf("%s <%s>", t.Account.Name, t.Account.Username)
		}
		return t.Account.Username
	}
	if !t.Flow.IsUser() && t.Flow != "" {
		return fmt.Sprintf("app %s", p.ClientID)
	}
	return "profile " + p.Name
}

// NoArgs is cobra.NoArgs as a usage error (exit code 2) that names the
// help command.
func NoArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return UsageError("%s takes no arguments, got %q (see: %s --help)", cmd.CommandPath(), args[0], cmd.CommandPath())
	}
	return nil
}
