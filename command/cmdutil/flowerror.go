package cmdutil

// What the scripting commands (login --plain, token, env, logout) share:
// the flows they need, how they report errors with an exit code and their
// explanation, and time formatting.

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/cognite-tools/cdflogin/flows"
	"github.com/cognite-tools/cdflogin/internal/insight/diagnosis"
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

// FlowError turns an error of a flow, of CDF or of the browser wait into
// what the command returns, explained by the one diagnosis seam
// (diagnosis.Explain) for the profile and flow: a sign-in that is needed
// exits with ExitLoginRequired and names the command to run; an Entra
// refusal carries its explanation (Details); a failure to reach Entra ID
// or CDF carries nethint's advice (the host, the cause, and what to check:
// ca_file and SSL_CERT_FILE for an untrusted certificate, HTTPS_PROXY,
// DNS, ...); CDF's answers and the browser wait carry theirs.
func FlowError(err error, p profiles.Profile, flow profiles.Flow) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, context.Canceled) {
		return err
	}
	x := diagnosis.Explain(diagnosis.Input{Err: err, Profile: p, Flow: flow})
	out := err
	switch x.Kind {
	case diagnosis.None:
	case diagnosis.Network:
		out = &Hinted{Err: err, Advice: *x.Advice}
	default:
		out = &Explained{Err: err, Explanation: x}
	}
	var lr *flows.LoginRequiredError
	if errors.As(err, &lr) || errors.Is(err, flows.ErrLoginRequired) {
		return WithExitCode(ExitLoginRequired, out)
	}
	return out
}

// Explained is an error with its explanation (an Entra refusal, CDF's
// answer, the browser wait) printed under the error line.
type Explained struct {
	Err         error
	Explanation diagnosis.Explanation
}

func (e *Explained) Error() string { return e.Err.Error() }

// Unwrap returns the error.
func (e *Explained) Unwrap() error { return e.Err }

// Details is the explanation: what the code means, its cause and the fix
// in the Entra admin center, or Entra's own words and IDs for unknown
// codes; CDF's and the browser's advice for theirs.
func (e *Explained) Details() string { return e.Explanation.String() }

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
