package cdf_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/cognite-tools/cdflogin/internal/insight/cdf"
)

const (
	token  = "eyJ.secret-bearer-value.sig"
	groupA = "0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e"
	groupB = "6e5d4c3b-2a19-4f8e-9d7c-6b5a4f3e2d1c"
	groupC = "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee"
)

const inspectBody = `{"subject":"alice-oid","projects":[{"projectUrlName":"acme-prod","groups":[11,12]},{"projectUrlName":"acme-dev","groups":[21]}],
"capabilities":[{"groupsAcl":{"actions":["LIST","READ"],"scope":{"all":{}}},"projectScope":{"projects":["acme-prod"]}},
{"projectsAcl":{"actions":["LIST"],"scope":{"all":{}}},"projectScope":{"allProjects":{}}},
{"timeSeriesAcl":{"actions":["READ"],"scope":{"datasetScope":{"ids":[1, 2]}}},"projectScope":{"projects":["acme-dev"]}}]}`

var allGroupsBody = `{"items":[
{"id":11,"name":"prod-readers","sourceId":"` + groupA + `","capabilities":[{"timeSeriesAcl":{"actions":["READ"],"scope":{"all":{}}}}]},
{"id":12,"name":"prod-admins","sourceId":"` + strings.ToUpper(groupA) + `"},
{"id":13,"name":"prod-writers","sourceId":"` + groupC + `"},
{"id":14,"name":"everyone","members":"allUserAccounts"}]}`

const ownGroupsBody = `{"items":[{"id":11,"name":"prod-readers","sourceId":"` + groupA + `"}]}`

// fakeCDF answers like CDF. allowAll decides ?all=true.
func fakeCDF(t *testing.T, allowAll bool) *httptest.Server {
	t.Helper()
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Request-Id", "req-"+r.URL.Path[len(r.URL.Path)-4:])
		if r.Header.Get("Authorization") != "Bearer "+token {
			w.WriteHeader(401)
			_, _ = fmt.Fprint(w, `{"error":{"code":401,"message":"Unauthorized"}}`)
			return
		}
		switch r.URL.Path {
		case "/api/v1/token/inspect":
			_, _ = fmt.Fprint(w, inspectBody)
		case "/api/v1/projects/acme-prod/groups":
			if r.URL.Query().Get("all") == "true" {
				if !allowAll {
					w.WriteHeader(403)
					_, _ = fmt.Fprint(w, `{"error":{"code":403,"message":"Resource not found. This may also be due to insufficient access rights."}}`)
					return
				}
				_, _ = fmt.Fprint(w, allGroupsBody)
				return
			}
			_, _ = fmt.Fprint(w, ownGroupsBody)
		case "/api/v1/projects/acme-prod":
			_, _ = fmt.Fprint(w, `{"name":"Acme","urlName":"acme-prod","oidcConfiguration":{"issuer":"https://sts.windows.net/t/","audience":"https://x","accessClaims":[{"claimName":"groups"}],"isGroupCallbackEnabled":true}}`)
		case "/api/v1/projects/html/groups":
			w.WriteHeader(502)
			_, _ = fmt.Fprint(w, "<html>\n<body>Bad   gateway</body></html>")
		case "/api/v1/projects/broken/groups":
			_, _ = fmt.Fprint(w, `{"items":`)
		default:
			w.WriteHeader(403)
			_, _ = fmt.Fprint(w, `{"error":{"code":403,"message":"Forbidden"}}`)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestInspectToken(t *testing.T) {
	srv := fakeCDF(t, true)
	c := cdf.New(srv.URL+"/", srv.Client(), token)
	insp, err := c.InspectToken(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if insp.Subject != "alice-oid" || len(insp.Projects) != 2 || insp.Projects[0].Groups[1] != 12 {
		t.Errorf("inspection = %+v", insp)
	}
	caps := insp.CapabilitiesIn("acme-prod")
	var got []string
	for _, c := range caps {
		got = append(got, c.String())
	}
	want := "groupsAcl: LIST, READ (all) | projectsAcl: LIST (all)"
	if strings.Join(got, " | ") != want {
		t.Errorf("capabilities in acme-prod = %q, want %q", strings.Join(got, " | "), want)
	}
	dev := insp.CapabilitiesIn("acme-dev")
	if len(dev) != 2 || dev[1].String() != `timeSeriesAcl: READ (datasetScope {"ids":[1,2]})` {
		t.Errorf("acme-dev = %v", dev)
	}
}

func TestErrors(t *testing.T) {
	srv := fakeCDF(t, true)
	ctx := context.Background()
	tests := []struct {
		name    string
		call    func() error
		status  int
		say     []string
		details string
	}{
		{"401", func() error { _, err := cdf.New(srv.URL, srv.Client(), "wrong").InspectToken(ctx); return err },
			401, []string{"CDF GET /api/v1/token/inspect: 401 Unauthorized", "(request ID req-pect)"}, "cdflogin claims"},
		{"403 project", func() error { _, err := cdf.New(srv.URL, srv.Client(), token).Groups(ctx, "other", false); return err },
			403, []string{"403 Forbidden", "/api/v1/projects/other/groups"}, `no access to project "other"`},
		{"html body", func() error { _, err := cdf.New(srv.URL, srv.Client(), token).Groups(ctx, "html", false); return err },
			502, []string{"CDF GET /api/v1/projects/html/groups: CDF answered 502 Bad Gateway with an HTML page (a proxy or load balancer?) (request ID req-oups)"}, "proxy"},
		{"unreachable", func() error {
			_, err := cdf.New("https://127.0.0.1:1", srv.Client(), token).InspectToken(ctx)
			return err
		},
			0, []string{"CDF GET /api/v1/token/inspect: dial tcp 127.0.0.1:1: connect: connection refused"}, "Cannot reach CDF at 127.0.0.1:1: connection refused"},
		{"bad url", func() error { _, err := cdf.New("://nope", srv.Client(), token).InspectToken(ctx); return err },
			0, []string{"bad CDF URL"}, "Check the profile's cluster and cdf_url."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			var ce *cdf.Error
			if !errors.As(err, &ce) {
				t.Fatalf("err = %v, want *cdf.Error", err)
			}
			if ce.Status != tt.status {
				t.Errorf("status = %d, want %d", ce.Status, tt.status)
			}
			for _, s := range tt.say {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("%q does not say %q", err, s)
				}
			}
			if !strings.Contains(ce.Details(), tt.details) {
				t.Errorf("details %q do not say %q", ce.Details(), tt.details)
			}
			if strings.Contains(err.Error()+ce.Details(), "secret-bearer-value") {
				t.Error("the token leaked into the error")
			}
		})
	}
	if _, err := cdf.New(srv.URL, srv.Client(), token).Groups(ctx, "html", false); err == nil || strings.Contains(err.Error(), "<") {
		t.Errorf("the HTML page is in the message: %v", err)
	}
	if _, err := cdf.New(srv.URL, srv.Client(), token).Groups(ctx, "broken", false); err == nil || !strings.Contains(err.Error(), "groups answer") {
		t.Errorf("broken body: %v", err)
	}
}

func TestGroupsFallback(t *testing.T) {
	ctx := context.Background()
	for _, allowAll := range []bool{true, false} {
		srv := fakeCDF(t, allowAll)
		gl, err := cdf.New(srv.URL, srv.Client(), token).Groups(ctx, "acme-prod", true)
		if err != nil {
			t.Fatal(err)
		}
		if gl.All != allowAll {
			t.Errorf("allowAll=%v: All = %v", allowAll, gl.All)
		}
		wantN := 4
		if !allowAll {
			wantN = 1
			if !cdf.IsStatus(gl.AllError, 403) {
				t.Errorf("AllError = %v", gl.AllError)
			}
		}
		if len(gl.Items) != wantN {
			t.Errorf("allowAll=%v: %d groups", allowAll, len(gl.Items))
		}
	}
}

func names(gs []cdf.Group) string {
	var out []string
	for _, g := range gs {
		out = append(out, g.Name)
	}
	return strings.Join(out, ",")
}

func TestMapGroups(t *testing.T) {
	groups, err := cdf.DecodeGroups([]byte(allGroupsBody))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name                                  string
		token                                 []string
		matched, unmatchedToken, unmatchedCDF string
	}{
		{"one group maps two", []string{groupA}, groupA + "=prod-readers,prod-admins", "", "prod-writers"},
		{"case and duplicates", []string{strings.ToUpper(groupA), groupA, groupB}, strings.ToUpper(groupA) + "=prod-readers,prod-admins", groupB, "prod-writers"},
		{"none", nil, "", "", "prod-readers,prod-admins,prod-writers"},
		{"all", []string{groupC, groupA}, groupC + "=prod-writers;" + groupA + "=prod-readers,prod-admins", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := cdf.MapGroups("acme-prod", tt.token, groups, true)
			var matched []string
			for _, mg := range m.Matched {
				matched = append(matched, mg.EntraGroupID+"="+names(mg.CDFGroups))
			}
			if got := strings.Join(matched, ";"); got != tt.matched {
				t.Errorf("matched = %q, want %q", got, tt.matched)
			}
			if got := strings.Join(m.UnmatchedToken, ","); got != tt.unmatchedToken {
				t.Errorf("unmatched token = %q, want %q", got, tt.unmatchedToken)
			}
			if got := names(m.UnmatchedCDF); got != tt.unmatchedCDF {
				t.Errorf("unmatched CDF = %q, want %q", got, tt.unmatchedCDF)
			}
			wantCount := strings.Count(tt.matched, ",") + strings.Count(tt.matched, "=")
			if tt.matched == "" {
				wantCount = 0
			}
			if m.MappedCount != wantCount || m.TooMany() {
				t.Errorf("MappedCount = %d, want %d", m.MappedCount, wantCount)
			}
			if names(m.WithoutSourceID) != "everyone" || !m.Complete {
				t.Errorf("without source: %q complete %v", names(m.WithoutSourceID), m.Complete)
			}
		})
	}
}

func TestTooManyMappedGroups(t *testing.T) {
	var groups []cdf.Group
	var token []string
	for i := range cdf.MaxGroupsPerPrincipal + 1 {
		src := fmt.Sprintf("00000000-0000-4000-8000-%012d", i)
		groups = append(groups, cdf.Group{ID: int64(i + 1), Name: fmt.Sprint("g", i), SourceID: src})
		token = append(token, src)
	}
	if m := cdf.MapGroups("p", token, groups, true); !m.TooMany() || m.MappedCount != cdf.MaxGroupsPerPrincipal+1 {
		t.Errorf("21 mapped groups: %d, TooMany %v", m.MappedCount, m.TooMany())
	}
	if m := cdf.MapGroups("p", token[:cdf.MaxGroupsPerPrincipal], groups, true); m.TooMany() {
		t.Errorf("20 mapped groups reported as too many")
	}
}

func TestProjectAccessAndCloseMatches(t *testing.T) {
	insp, err := cdf.DecodeInspection([]byte(inspectBody))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		project string
		has     bool
		mean    string
	}{
		{"acme-prod", true, ""},
		{"acme-prd", false, "acme-prod,acme-dev"},
		{"acme-prodd", false, "acme-prod"},
		{"acme-de", false, "acme-dev"},
		{"acme", false, ""},
		{"zzz", false, ""},
		{"", false, ""},
	}
	for _, tt := range tests {
		a := cdf.ProjectAccess(insp, tt.project)
		if a.HasAccess != tt.has || strings.Join(a.DidYouMean, ",") != tt.mean || strings.Join(a.Reachable, ",") != "acme-dev,acme-prod" {
			t.Errorf("%q: %+v", tt.project, a)
		}
	}
	if got := cdf.CloseMatches("Acme-Prod", []string{"acme-prod", "acme-prod2", "other"}, 1); strings.Join(got, ",") != "acme-prod" {
		t.Errorf("CloseMatches = %v", got)
	}
}

func TestInspectReport(t *testing.T) {
	ctx := context.Background()
	for _, allowAll := range []bool{true, false} {
		srv := fakeCDF(t, allowAll)
		r, err := cdf.Inspect(ctx, cdf.New(srv.URL, srv.Client(), token), "acme-prod", []string{groupA, groupB})
		if err != nil {
			t.Fatal(err)
		}
		if !r.Access.HasAccess || r.Mapping == nil || len(r.Mapping.Matched) != 1 || r.Mapping.Complete != allowAll {
			t.Errorf("allowAll=%v: %+v", allowAll, r)
		}
		if len(r.Warnings) > 0 {
			t.Errorf("allowAll=%v: warnings %v", allowAll, r.Warnings)
		}
		if r.Project == nil || !r.Project.OIDCConfiguration.IsGroupCallbackEnabled {
			t.Errorf("project = %+v", r.Project)
		}
		b, err := json.Marshal(r)
		if err != nil || strings.Contains(string(b), token) {
			t.Errorf("json: %v", err)
		}
	}
	srv := fakeCDF(t, true)
	r, err := cdf.Inspect(ctx, cdf.New(srv.URL, srv.Client(), token), "acme-prodd", nil)
	if err != nil {
		t.Fatal(err)
	}
	if r.Access.HasAccess || r.Mapping != nil || strings.Join(r.Access.DidYouMean, ",") != "acme-prod" {
		t.Errorf("no access: %+v", r)
	}
	if _, err := cdf.Inspect(ctx, cdf.New(srv.URL, srv.Client(), "bad"), "acme-prod", nil); !cdf.IsStatus(err, 401) {
		t.Errorf("401: %v", err)
	}
}

func TestCapabilityJSON(t *testing.T) {
	tests := []struct {
		in, err string
	}{
		{`{"groupsAcl":{"actions":["LIST"],"scope":{"all":{}}}}`, ""},
		{`{"acl":"groupsAcl","actions":["LIST"],"scope":{"all":{}}}`, ""},
		{`{"projectScope":{"allProjects":{}}}`, "without an ACL"},
		{`[]`, "capability"},
		{`{"groupsAcl":[]}`, "groupsAcl"},
		{`{"groupsAcl":{},"projectScope":[]}`, "projectScope"},
	}
	for _, tt := range tests {
		var c cdf.Capability
		err := json.Unmarshal([]byte(tt.in), &c)
		if tt.err == "" {
			if err != nil || c.ACL != "groupsAcl" || c.ScopeText() != "all" {
				t.Errorf("%s: %+v %v", tt.in, c, err)
			}
			// Our output form reads back the same.
			b, _ := json.Marshal(c)
			var back cdf.Capability
			if err := json.Unmarshal(b, &back); err != nil || back.String() != c.String() {
				t.Errorf("round trip %s: %v %v", b, back, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tt.err) {
			t.Errorf("%s: err = %v, want %q", tt.in, err, tt.err)
		}
	}
}

func TestDecodeError(t *testing.T) {
	tests := []struct{ in, msg, id string }{
		{`{"error":{"code":401,"message":"Unauthorized"}}`, "Unauthorized", ""},
		{`{"error":{"code":403,"message":"no","requestId":"r1"}}`, "no", "r1"},
		{`{"error":{"code":403,"message":"no"},"requestId":"r2"}`, "no", "r2"},
		{`<html>`, "", ""},
		{`{"message":"x"}`, "", ""},
	}
	for _, tt := range tests {
		msg, id := cdf.DecodeError([]byte(tt.in))
		if msg != tt.msg || id != tt.id {
			t.Errorf("%s: %q %q", tt.in, msg, id)
		}
	}
}

// TestNonJSONErrorBodies: an error answer that is not CDF's JSON is named
// by kind (never quoted) when it is markup, and quoted on one short line
// when it is plain text; the request ID is kept either way.
func TestNonJSONErrorBodies(t *testing.T) {
	const page = "<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1><p>proxy-secret-internal-host.corp</p></body></html>"
	tests := []struct {
		name        string
		status      int
		contentType string
		body        string
		want        string // the error line after "CDF GET /api/v1/token/inspect: "
		details     string
	}{
		{"html by content type", 502, "text/html; charset=utf-8", "Bad gateway, sorry", "CDF answered 502 Bad Gateway with an HTML page (a proxy or load balancer?) (request ID r-1)", "proxy"},
		{"html by first byte", 502, "", page, "CDF answered 502 Bad Gateway with an HTML page (a proxy or load balancer?) (request ID r-1)", "proxy"},
		{"html with BOM and blanks", 503, "application/octet-stream", "\ufeff \r\n<html><body>down</body></html>", "CDF answered 503 Service Unavailable with an HTML page (a proxy or load balancer?) (request ID r-1)", "HTTPS_PROXY"},
		{"html sent as json", 504, "application/json", page, "CDF answered 504 Gateway Timeout with an HTML page (a proxy or load balancer?) (request ID r-1)", "proxy"},
		{"xhtml", 403, "application/xhtml+xml", page, "CDF answered 403 Forbidden with an HTML page (a proxy or load balancer?) (request ID r-1)", "proxy"},
		{"xml", 502, "", "<?xml version=\"1.0\"?><Error><Code>BadGateway</Code></Error>", "CDF answered 502 Bad Gateway with an XML document (a proxy or load balancer?) (request ID r-1)", "proxy"},
		{"plain text", 504, "text/plain", "upstream request\ttimeout\x1b[31m", "504 Gateway Timeout: upstream request timeout\ufffd[31m (request ID r-1)", ""},
		{"empty html", 502, "text/html", " \n", "502 Bad Gateway (request ID r-1)", ""},
		{"empty no type", 502, "", "", "502 Bad Gateway (request ID r-1)", ""},
		{"cdf json", 500, "application/json", `{"error":{"code":500,"message":"Internal error"}}`, "500 Internal Server Error: Internal error (request ID r-1)", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("X-Request-Id", "r-1")
				w.Header()["Content-Type"] = []string{tt.contentType}
				w.WriteHeader(tt.status)
				_, _ = fmt.Fprint(w, tt.body)
			}))
			defer srv.Close()
			_, err := cdf.New(srv.URL, srv.Client(), token).InspectToken(context.Background())
			var ce *cdf.Error
			if !errors.As(err, &ce) || ce.Status != tt.status {
				t.Fatalf("err = %v, want a *cdf.Error with status %d", err, tt.status)
			}
			if got := strings.TrimPrefix(err.Error(), "CDF GET /api/v1/token/inspect: "); got != tt.want {
				t.Errorf("error = %q\nwant    %q", got, tt.want)
			}
			if !strings.Contains(ce.Details(), tt.details) {
				t.Errorf("details %q do not say %q", ce.Details(), tt.details)
			}
			if tt.details == "proxy" || tt.details == "HTTPS_PROXY" {
				for _, leak := range []string{"<", "proxy-secret-internal-host", "Bad gateway, sorry", "down"} {
					if strings.Contains(err.Error()+ce.Details(), leak) {
						t.Errorf("the body leaked (%q): %v / %s", leak, err, ce.Details())
					}
				}
			}
		})
	}
}

// TestUnreachable: a request that fails on the way (an untrusted
// certificate, as behind a TLS-inspecting proxy; an answer cut short)
// comes with nethint's advice naming CDF's host, and the error line does
// not repeat the request's URL. A cancelled request is not a failure to
// reach CDF.
func TestUnreachable(t *testing.T) {
	tlsSrv := httptest.NewTLSServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	defer tlsSrv.Close()
	cut := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "100")
		w.Header().Set("X-Request-Id", "req-cut")
		_, _ = w.Write([]byte(`{"subject":`))
	}))
	defer cut.Close()
	host := func(u string) string { return u[strings.Index(u, "//")+2:] }
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name        string
		url         string
		ctx         context.Context
		unreachable bool
		details     []string
	}{
		{"untrusted certificate", tlsSrv.URL, context.Background(), true,
			[]string{"Cannot reach CDF at " + host(tlsSrv.URL) + ": untrusted certificate", "ca_file", "SSL_CERT_FILE", "TLS-inspecting", "HTTPS_PROXY"}},
		{"answer cut short", cut.URL, context.Background(), true,
			[]string{"Cannot reach CDF at " + host(cut.URL) + ": connection cut", "HTTPS_PROXY"}},
		{"cancelled", cut.URL, cancelled, false, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hc := &http.Client{}
			defer hc.CloseIdleConnections()
			_, err := cdf.New(tt.url, hc, token).InspectToken(tt.ctx)
			var ce *cdf.Error
			if !errors.As(err, &ce) || ce.Status != 0 {
				t.Fatalf("err = %v, want a transport *cdf.Error", err)
			}
			if ce.Unreachable() != tt.unreachable {
				t.Errorf("Unreachable() = %v, want %v", ce.Unreachable(), tt.unreachable)
			}
			if strings.Contains(err.Error(), `"http`) {
				t.Errorf("the error line repeats the request: %v", err)
			}
			if tt.details == nil && ce.Details() != "" {
				t.Errorf("details for a cancelled request: %q", ce.Details())
			}
			for _, want := range tt.details {
				if !strings.Contains(ce.Details(), want) {
					t.Errorf("details %q do not say %q", ce.Details(), want)
				}
			}
			if strings.Contains(err.Error()+ce.Details(), "secret-bearer-value") {
				t.Error("the token leaked into the error")
			}
		})
	}
}

// TestMergeCapabilities: capabilities several groups grant once, with
// the union of their actions; scopes named as people read them.
func TestMergeCapabilities(t *testing.T) {
	var cs []cdf.Capability
	for _, raw := range []string{
		`{"projectsAcl":{"actions":["LIST"],"scope":{"all":{}}}}`,
		`{"groupsAcl":{"actions":["LIST"],"scope":{"currentuserscope":{}}}}`,
		`{"projectsAcl":{"actions":["READ","LIST"],"scope":{"all":{}}}}`,
		`{"timeSeriesAcl":{"actions":["READ"],"scope":{"datasetScope":{"ids":[7]}}}}`,
		`{"timeSeriesAcl":{"actions":["WRITE"],"scope":{"datasetScope":{"ids":[8]}}}}`,
	} {
		var c cdf.Capability
		if err := json.Unmarshal([]byte(raw), &c); err != nil {
			t.Fatal(err)
		}
		cs = append(cs, c)
	}
	var got []string
	for _, c := range cdf.MergeCapabilities(cs) {
		got = append(got, c.String())
	}
	want := []string{"projectsAcl: LIST, READ (all)", "groupsAcl: LIST (current user)",
		`timeSeriesAcl: READ (datasetScope {"ids":[7]})`, `timeSeriesAcl: WRITE (datasetScope {"ids":[8]})`}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("merged:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if cs[0].Actions[0] != "LIST" || len(cs[0].Actions) != 1 {
		t.Error("merging changed its input")
	}
}

// TestDecodeRefusesDeepNesting: CDF answers nesting far deeper than any
// real one are refused with a clear error, before they are decoded.
func TestDecodeRefusesDeepNesting(t *testing.T) {
	deep := []byte(`{"subject":"x","projects":[],"capabilities":` + strings.Repeat("[", 5000) + strings.Repeat("]", 5000) + `}`)
	if _, err := cdf.DecodeInspection(deep); err == nil || !strings.Contains(err.Error(), "CDF's token/inspect answer nests 5001 levels deep") {
		t.Errorf("token/inspect: %v", err)
	}
	if _, err := cdf.DecodeGroups([]byte(`{"items":[{"metadata":` + strings.Repeat("[", 100) + strings.Repeat("]", 100) + `}]}`)); err == nil || !strings.Contains(err.Error(), "nests") {
		t.Errorf("groups: %v", err)
	}
	if _, err := cdf.DecodeProject([]byte(`{"name":"acme","oidcConfiguration":{"audience":"api://acme"}}`)); err != nil {
		t.Errorf("an ordinary project answer: %v", err)
	}
}
