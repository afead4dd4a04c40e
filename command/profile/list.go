package profile

import (
	"encoding/json"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/cognite-tools/cdflogin/internal/textsafe"
	"github.com/cognite-tools/cdflogin/profiles"
)

// TokenState says what the token cache holds for a profile.
type TokenState struct {
	// State is "valid", "expired", "none" or "unknown" (the cache could
	// not be read).
	State     string     `json:"state"`
	ExpiresOn *time.Time `json:"expires_on,omitempty"`
	Account   string     `json:"account,omitempty"`
	Error     string     `json:"error,omitempty"`
}

// String is the table form: "valid 52m", "expired", "none", "unknown".
func (t TokenState) String(now time.Time) string {
	if t.State == "valid" && t.ExpiresOn != nil {
		return "valid " + shortDuration(t.ExpiresOn.Sub(now))
	}
	return t.State
}

func shortDuration(d time.Duration) string {
	switch {
	case d < time.Minute:
		return "<1m"
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d.Minutes()))
	}
	return fmt.Sprintf("%dh%02dm", int(d.Hours()), int(d.Minutes())%60)
}

// tokenState reads the cache of p without any request.
func tokenState(tokens Tokens, tokErr error, p profiles.Profile, now time.Time) TokenState {
	if tokErr != nil {
		return TokenState{State: "unknown", Error: tokErr.Error()}
	}
	t, err := tokens.Cached(p)
	switch {
	case err != nil:
		return TokenState{State: "unknown", Error: err.Error()}
	case t == nil:
		return TokenState{State: "none"}
	}
	exp := t.ExpiresOn
	st := TokenState{State: "valid", ExpiresOn: &exp, Account: t.Account.Username}
	if !exp.After(now) {
		st.State = "expired"
	}
	return st
}

// ListItem is one profile of `profile list --json`.
type ListItem struct {
	profiles.Profile
	Token TokenState `json:"token"`
}

func newListCmd(opts *Options) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:     "list",
		Aliases: []string{"ls"},
		Short:   "List the profiles with their token state",
		Long: `List every profile: name, flow, tenant, cluster, project, whether it is the
default, and what the token cache holds (valid for how long, expired, none).
Nothing is sent over the network.`,
		Example: `  cdflogin profile list
  cdflogin profile list --json | jq -r '.[].name'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runList(opts, asJSON)
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the profiles and token states as JSON")
	return cmd
}

func runList(opts *Options, asJSON bool) error {
	store, err := opts.Store()
	if err != nil {
		return err
	}
	list, err := store.List()
	if err != nil {
		return err
	}
	now := opts.Now()
	var tokens Tokens
	var tokErr error
	if len(list) > 0 {
		tokens, tokErr = opts.Tokens()
	}
	items := make([]ListItem, len(list))
	for i, p := range list {
		items[i] = ListItem{Profile: p.Shown(), Token: tokenState(tokens, tokErr, p, now)}
	}
	if asJSON {
		enc := json.NewEncoder(opts.IO.Out)
		enc.SetIndent("", "  ")
		return enc.Encode(items)
	}
	if len(items) == 0 {
		fmt.Fprintf(opts.IO.ErrOut, "No profiles in %s yet. Add one:\n  cdflogin profile add dev --tenant <tenant> --client-id <client-id> --cluster <cluster> --project <project> --flow browser\nor import a Toolkit .env or SDK config:\n  cdflogin profile import .env\n", store.Path())
		return nil
	}
	tw := tabwriter.NewWriter(opts.IO.Out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tFLOW\tTENANT\tCLUSTER\tPROJECT\tDEFAULT\tTOKEN")
	for _, it := range items {
		def := ""
		if it.Default {
			def = "*"
		}
		cluster := it.Cluster
		if cluster == "" {
			cluster = strings.TrimPrefix(it.BaseURL(), "https://")
		}
		// Every value comes from profiles.yaml: shown safe.
		safe := func(s string) string { return textsafe.Line(s) }
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", safe(it.Name), safe(string(it.Flow)), safe(it.Tenant), safe(cluster), safe(it.Project), def, it.Token.String(now))
	}
	return tw.Flush()
}
