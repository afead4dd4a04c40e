package inspect

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/exp/golden"

	"github.com/cognite-tools/cdflogin/command/cmdutil"
	"github.com/cognite-tools/cdflogin/command/internal/cmdtest"
	"github.com/cognite-tools/cdflogin/flows"
	"github.com/cognite-tools/cdflogin/internal/insight"
	"github.com/cognite-tools/cdflogin/internal/insight/cdf"
	"github.com/cognite-tools/cdflogin/internal/insight/claims/claimstest"
	"github.com/cognite-tools/cdflogin/profiles"
)

var now = time.Date(2026, 11, 28, 16, 0, 0, 0, time.UTC)

const groupRetired = "9f1c0a11-0000-4000-9000-000000000a05"

// fakeCDF is a CDF with project acme (groups mapped from GroupA, and a
// retired one) that accepts the bearer accepted.
func fakeCDF(accepted string, allowAll bool) *http.Client {
	mux := http.NewServeMux()
	auth := func(h http.HandlerFunc) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("X-Request-Id", "req-7f3a")
			if r.Header.Get("Authorization") != "Bearer "+accepted {
				w.WriteHeader(401)
				_, _ = fmt.Fprint(w, `{"error":{"code":401,"message":"Unauthorized"}}`)
				return
			}
			h(w, r)
		}
	}
	mux.HandleFunc("/api/v1/token/inspect", auth(func(w http.ResponseWriter, r *http.Request) {
		_, _ = fmt.Fprint(w, `{"subject":"`+claimstest.UserOID+`","projects":[{"projectUrlName":"acme","groups":[101]},{"projectUrlName":"acme-dev","groups":[201]}],
"capabilities":[{"groupsAcl":{"actions":["LIST"],"scope":{"currentuserscope":{}}},"projectScope":{"projects":["acme"]}},
{"timeSeriesAcl":{"actions":["READ","WRITE"],"scope":{"datasetScope":{"ids":[7]}}},"projectScope":{"projects":["acme"]}},
{"projectsAcl":{"actions":["LIST"],"scope":{"all":{}}},"projectScope":{"allProjects":{}}},
{"projectsAcl":{"actions":["LIST","READ"],"scope":{"all":{}}},"projectScope":{"allProjects":{}}}]}`)
	}))
	mux.HandleFunc("/api/v1/projects/acme/groups", auth(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("all") == "true" && !allowAll {
			w.WriteHeader(403)
			_, _ = fmt.Fprint(w, `{"error":{"code":403,"message":"Forbidden"}}`)
			return
		}
		items := `{"id":101,"name":"acme-readers","sourceId":"` + claimstest.GroupA + `","capabilities":[{"timeSeriesAcl":{"actions":["READ","WRITE"],"scope":{"datasetScope":{"ids":[7]}}}}]}`
		if r.URL.Query().Get("all") == "true" {
			items += `,{"id":102,"name":"acme-retired","sourceId":"` + groupRetired + `","capabilities":[]}`
		}
		_, _ = fmt.Fprint(w, `{"items":[`+items+`]}`)
	}))
	mux.HandleFunc("/api/v1/projects/acme", auth(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(403)
		_, _ = fmt.Fprint(w, `{"error":{"code":403,"message":"Forbidden"}}`)
	}))
	return &http.Client{Transport: cmdtest.HandlerTransport{Handler: mux}}
}

func profile(project string) profiles.Profile {
	return profiles.Profile{Name: "dev", Tenant: claimstest.TenantID, ClientID: claimstest.ClientID,
		Cluster: "westeurope-1", Project: project, Flow: profiles.FlowDevice}
}

type env struct {
	opts *Options
	out  *bytes.Buffer
}

func newEnv(p profiles.Profile, svc insight.Silenter, hc *http.Client) env {
	out := &bytes.Buffer{}
	return env{&Options{
		IO:         &cmdutil.IOStreams{In: strings.NewReader(""), Out: out, ErrOut: &bytes.Buffer{}},
		Profile:    func(string) (profiles.Profile, error) { return p, nil },
		Flows:      func() (insight.Silenter, error) { return svc, nil },
		HTTPClient: func(profiles.Profile) (*http.Client, error) { return hc, nil },
	}, out}
}

func run(e env, args ...string) error {
	cmd := newCmd(e.opts, Run)
	cmd.SetArgs(append([]string{}, args...))
	cmd.SilenceUsage, cmd.SilenceErrors = true, true
	return cmd.ExecuteContext(context.Background())
}

func userToken(kv ...any) string {
	return claimstest.Unsigned(claimstest.With(claimstest.V2User(now), kv...))
}

func TestInspectGolden(t *testing.T) {
	tok := userToken() // groups A (mapped) and B (unmatched)
	tests := []struct {
		name     string
		project  string
		allowAll bool
		args     []string
		tok      string
		exit     int
	}{
		{"matched_and_unmatched", "acme", true, nil, tok, 0},
		{"own_groups_only", "acme", false, nil, tok, 0},
		{"no_access", "acme-prd", true, nil, tok, cmdutil.ExitNoAccess},
		{"no_access_json", "acme-prd", true, []string{"--json"}, tok, cmdutil.ExitNoAccess},
		{"no_project", "", true, nil, tok, 0},
		{"overage", "acme", true, nil, userToken("groups", nil, "hasgroups", true), 0},
		{"json", "acme", true, []string{"--json"}, tok, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(profile(tt.project), &cmdtest.FakeFlows{SilentTokens: &flows.Tokens{AccessToken: tt.tok}}, fakeCDF(tt.tok, tt.allowAll))
			err := run(e, tt.args...)
			if got := cmdutil.ExitCode(err); got != tt.exit {
				t.Fatalf("exit %d (%v), want %d", got, err, tt.exit)
			}
			if tt.exit == cmdutil.ExitNoAccess && !strings.Contains(err.Error(), "no access to project acme-prd (did you mean acme-dev?)") {
				t.Errorf("the error line does not say which project: %v", err)
			}
			if strings.Contains(e.out.String(), tt.tok[:30]) {
				t.Error("the raw token is in the output")
			}
			golden.RequireEqual(t, e.out.Bytes())
		})
	}
}

func TestInspectErrors(t *testing.T) {
	tok := userToken()
	lr := &flows.LoginRequiredError{Profile: "dev", Reason: "no cached sign-in"}
	tests := []struct {
		name    string
		svc     insight.Silenter
		hc      *http.Client
		code    int
		say     string
		details string
	}{
		{"401", &cmdtest.FakeFlows{SilentTokens: &flows.Tokens{AccessToken: tok}}, fakeCDF("other", true), cmdutil.ExitError, "401 Unauthorized (request ID req-7f3a)", "cdflogin claims"},
		{"login required", &cmdtest.FakeFlows{SilentErr: lr}, fakeCDF(tok, true), cmdutil.ExitLoginRequired, "cdflogin login -p dev", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(profile("acme"), tt.svc, tt.hc)
			err := run(e)
			if cmdutil.ExitCode(err) != tt.code || !strings.Contains(err.Error(), tt.say) {
				t.Fatalf("err = %v (exit %d)", err, cmdutil.ExitCode(err))
			}
			var d cmdutil.Detailer
			if tt.details != "" && (!errors.As(err, &d) || !strings.Contains(d.Details(), tt.details)) {
				t.Errorf("details of %v lack %q", err, tt.details)
			}
			var ce *cdf.Error
			if tt.code == cmdutil.ExitError && !errors.As(err, &ce) {
				t.Errorf("not a *cdf.Error: %T", err)
			}
		})
	}
}

// TestInspectPlainOutputIsSafe (issue 16): what CDF says (subject, group
// names, source IDs, capability names, warnings) reaches the terminal only
// through textsafe.
func TestInspectPlainOutputIsSafe(t *testing.T) {
	const hostile = "x\x1b]52;c;cGF5bG9hZA==\x07\x1b[2J\r✓ acme: access\u009b31m\u202egnp"
	q := func(s string) string { b, _ := json.Marshal(s); return string(b) }
	tok := userToken("groups", []any{claimstest.GroupA, hostile})
	mux := http.NewServeMux()
	mux.HandleFunc("/api/v1/token/inspect", func(w http.ResponseWriter, r *http.Request) {
		_, _ = fmt.Fprint(w, `{"subject":`+q(hostile)+`,"projects":[{"projectUrlName":"acme","groups":[101]},{"projectUrlName":`+q(hostile)+`,"groups":[1]}],
"capabilities":[{`+q("evil"+hostile+"Acl")+`:{"actions":[`+q(hostile)+`],"scope":{"all":{}}},"projectScope":{"projects":["acme"]}}]}`)
	})
	mux.HandleFunc("/api/v1/projects/acme/groups", func(w http.ResponseWriter, r *http.Request) {
		_, _ = fmt.Fprint(w, `{"items":[{"id":101,"name":`+q(hostile)+`,"sourceId":"`+claimstest.GroupA+`"},{"id":102,"name":"n","sourceId":`+q(hostile+"2")+`}]}`)
	})
	mux.HandleFunc("/api/v1/projects/acme", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(500)
		_, _ = fmt.Fprint(w, `{"error":{"code":500,"message":`+q(hostile)+`}}`)
	})
	e := newEnv(profile("acme"), &cmdtest.FakeFlows{SilentTokens: &flows.Tokens{AccessToken: tok}}, &http.Client{Transport: cmdtest.HandlerTransport{Handler: mux}})
	if err := run(e); err != nil {
		t.Fatal(err)
	}
	out := e.out.String()
	for _, bad := range []string{"\x1b", "\x07", "\r", "\u009b", "\u202e"} {
		if strings.Contains(out, bad) {
			t.Errorf("plain output carries %q:\n%q", bad, out)
		}
	}
	if !strings.Contains(out, "\ufffd]52;c;cGF5bG9hZA==") {
		t.Errorf("the planted values are not shown, made harmless:\n%s", out)
	}
}
