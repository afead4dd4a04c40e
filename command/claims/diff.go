package claims

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/cognite-tools/cdflogin/internal/insight"
	tokenclaims "github.com/cognite-tools/cdflogin/internal/insight/claims"
	"github.com/cognite-tools/cdflogin/internal/textsafe"
)

// DiffOutput is the --diff --json document of claims.
type DiffOutput struct {
	Profile string `json:"profile"`
	Kind    string `json:"kind"` // "access" or "id"
	// Changed is false when the new token carries what the cached one
	// did (times and the token's own identifiers aside, nothing at all).
	Changed      bool        `json:"changed"`
	OtherAccount bool        `json:"other_account"`
	Summary      string      `json:"summary"`
	Cached       DiffToken   `json:"cached"`
	Refreshed    DiffToken   `json:"refreshed"`
	Changes      []DiffEntry `json:"changes"`
}

// DiffToken names one of the two tokens compared.
type DiffToken struct {
	Subject   string `json:"subject,omitempty"`
	ObjectID  string `json:"oid,omitempty"`
	TenantID  string `json:"tid,omitempty"`
	IssuedAt  string `json:"issued_at,omitempty"`  // RFC 3339
	ExpiresAt string `json:"expires_at,omitempty"` // RFC 3339
}

// DiffEntry is one change in the --diff --json document.
type DiffEntry struct {
	Kind   string   `json:"kind"`  // insight.Change… ("groups-gained", "account", "exp", …)
	Label  string   `json:"label"` // as the text shows it: "groups gained", "another account"
	Claim  string   `json:"claim"`
	Values []string `json:"values,omitempty"`
	Before string   `json:"before,omitempty"`
	After  string   `json:"after,omitempty"`
	// ShiftSeconds is how far iat, exp or the lifetime moved.
	ShiftSeconds int64 `json:"shift_seconds,omitempty"`
	Warning      bool  `json:"warning,omitempty"`
}

// RunDiff compares the profile's cached token with a new one and prints
// what changed.
func RunDiff(ctx context.Context, opts *Options) error {
	p, err := opts.Profile(opts.ProfileName)
	if err != nil {
		return err
	}
	d := insight.Deps{Flows: opts.Flows, HTTPClient: opts.HTTPClient, Now: opts.Now, UserAgent: opts.UserAgent}
	rep, err := insight.ClaimsChanges(ctx, d, insight.ChangesInput{Profile: p, IDToken: opts.IDToken})
	if err != nil {
		return tokenError(err, p)
	}
	if opts.JSON {
		return WriteDiffJSON(opts.IO.Out, rep)
	}
	return WriteDiffText(opts.IO.Out, rep, opts.location())
}

func diffToken(t *tokenclaims.Token, w insight.Who) DiffToken {
	out := DiffToken{Subject: w.Subject, ObjectID: w.ObjectID, TenantID: w.TenantID}
	if t == nil {
		return out
	}
	if v, ok := t.Time("iat"); ok {
		out.IssuedAt = v.UTC().Format(time.RFC3339)
	}
	if v, ok := t.Expiry(); ok {
		out.ExpiresAt = v.UTC().Format(time.RFC3339)
	}
	return out
}

// WriteDiffJSON writes the --diff --json document.
func WriteDiffJSON(w io.Writer, rep *insight.ChangesReport) error {
	out := DiffOutput{
		Profile:      rep.Profile,
		Kind:         rep.Kind,
		Changed:      rep.Diff.Changed(),
		OtherAccount: rep.Diff.OtherAccount(),
		Summary:      rep.Diff.Summary(),
		Cached:       diffToken(rep.Cached, rep.Diff.Before),
		Refreshed:    diffToken(rep.Refreshed, rep.Diff.After),
		Changes:      []DiffEntry{},
	}
	for _, c := range rep.Diff.Changes {
		out.Changes = append(out.Changes, DiffEntry{
			Kind: c.Kind, Label: c.Label(), Claim: c.Claim, Values: c.Values,
			Before: c.Before, After: c.After, ShiftSeconds: int64(c.Shift / time.Second), Warning: c.Warning(),
		})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(out); err != nil {
		return fmt.Errorf("write JSON: %w", err)
	}
	return nil
}

// WriteDiffText writes what changed for people: a line naming the two
// tokens, the summary, a warning for another account, then one line per
// change (a list change one value a line). Everything that comes from
// the tokens passes through textsafe.
func WriteDiffText(w io.Writer, rep *insight.ChangesReport, loc *time.Location) error {
	ew := &errWriter{w: w}
	what := "access token"
	if rep.Kind == insight.KindID {
		what = "ID token"
	}
	issued := func(t *tokenclaims.Token) string {
		if t == nil {
			return ""
		}
		if v, ok := t.Time("iat"); ok {
			return " (issued " + v.In(loc).Format("2006-01-02 15:04:05") + ")"
		}
		return ""
	}
	ew.printf("Profile %s — the cached %s%s compared with a new one%s\n",
		textsafe.Line(rep.Profile), what, issued(rep.Cached), issued(rep.Refreshed))
	d := rep.Diff
	if d.OtherAccount() {
		ew.printf("Warning: the new token is another account's: %s → %s. Sign out (cdflogin logout -p %s) if that is not who should use this profile.\n",
			textsafe.Line(d.Before.Subject), textsafe.Line(d.After.Subject), textsafe.Line(rep.Profile))
	} else if d.After.Subject != "" {
		ew.printf("Account: %s\n", textsafe.Line(d.After.Subject))
	}
	ew.printf("%s\n", textsafe.Line(d.Summary()))
	if !d.Changed() {
		ew.printf("\nNothing changed.\n")
		return ew.err
	}
	ew.printf("\n")
	width := 0
	for _, c := range d.Changes {
		width = max(width, len(textsafe.Line(c.Label())))
	}
	width = min(width, 24)
	pad := strings.Repeat(" ", 4+width+2)
	for _, c := range d.Changes {
		label := textsafe.Line(c.Label())
		if len(c.Values) == 0 {
			ew.printf("  %s %-*s  %s\n", c.Mark(), width, label, textsafe.Line(c.Text(loc)))
			continue
		}
		for i, v := range c.Values {
			if i == 0 {
				ew.printf("  %s %-*s  %s\n", c.Mark(), width, label, textsafe.Line(v))
			} else {
				ew.printf("%s%s\n", pad, textsafe.Line(v))
			}
		}
	}
	return ew.err
}
