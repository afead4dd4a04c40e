package sandbox_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cognite-tools/cdflogin/sandbox"
)

// userToken signs username in with the device app and returns the token
// answer.
func userToken(t *testing.T, sb *sandbox.Sandbox, clock *fakeClock, username, scope string) answer {
	t.Helper()
	dc, uc := deviceStart(t, sb, sandbox.DeviceAppID, scope)
	if err := sb.ApproveDeviceCode(uc, username); err != nil {
		t.Fatal(err)
	}
	clock.Add(6 * time.Second)
	a := postToken(t, sb, url.Values{"grant_type": {"device_code"}, "client_id": {sandbox.DeviceAppID}, "device_code": {dc}})
	if a.status != 200 {
		t.Fatalf("device token: %s", a.raw)
	}
	return a
}

func newClock() *fakeClock { return &fakeClock{t: time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)} }

func TestTokenShapes(t *testing.T) {
	clock := newClock()
	sb := start(t, sandbox.Options{Now: clock.Now})
	scope := func(res string) string { return res + "/.default openid profile offline_access" }

	t.Run("v2 user token", func(t *testing.T) {
		c := claimsOf(t, userToken(t, sb, clock, sandbox.AliceUsername, scope(sb.CDFURL())).str("access_token"))
		for _, k := range []string{"aud", "iss", "tid", "oid", "sub", "azp", "azpacr", "scp", "groups", "name",
			"preferred_username", "iat", "nbf", "exp", "ver", "uti", "rh", "aio"} {
			if c[k] == nil {
				t.Errorf("lacks %s", k)
			}
		}
		if c["exp"].(float64)-c["iat"].(float64) != 3600 {
			t.Errorf("lifetime %v", c["exp"].(float64)-c["iat"].(float64))
		}
	})
	t.Run("overage user", func(t *testing.T) {
		c := claimsOf(t, userToken(t, sb, clock, sandbox.OverageUsername, scope(sb.CDFURL())).str("access_token"))
		names, _ := c["_claim_names"].(map[string]any)
		sources, _ := c["_claim_sources"].(map[string]any)
		if c["groups"] != nil || c["hasgroups"] != true || names["groups"] != "src1" || sources["src1"] == nil {
			t.Errorf("overage claims: groups=%v hasgroups=%v names=%v sources=%v", c["groups"], c["hasgroups"], names, sources)
		}
	})
	t.Run("named scopes", func(t *testing.T) {
		a := userToken(t, sb, clock, sandbox.BobUsername, sb.CDFURL()+"/user_impersonation openid offline_access")
		if c := claimsOf(t, a.str("access_token")); c["scp"] != "user_impersonation" {
			t.Errorf("scp = %v", c["scp"])
		}
		if a.str("scope") != sb.CDFURL()+"/user_impersonation openid offline_access" {
			t.Errorf("scope = %q", a.str("scope"))
		}
	})
	t.Run("no offline_access, no refresh token", func(t *testing.T) {
		a := userToken(t, sb, clock, sandbox.BobUsername, sb.CDFURL()+"/.default")
		if a.str("refresh_token") != "" || a.str("id_token") != "" {
			t.Errorf("got refresh or ID token without asking: %v", a.body)
		}
	})
	t.Run("another cluster", func(t *testing.T) {
		a := userToken(t, sb, clock, sandbox.AliceUsername, scope("https://westeurope-1.cognitedata.com"))
		at := a.str("access_token")
		if c := claimsOf(t, at); c["aud"] != "https://westeurope-1.cognitedata.com" {
			t.Errorf("aud = %v", c["aud"])
		}
		if r := cdfGet(t, sb, "/api/v1/token/inspect", at); r.status != 401 {
			t.Errorf("sandbox CDF accepted another cluster's token: %d", r.status)
		}
	})

	t.Run("v1 tokens", func(t *testing.T) {
		w := sandbox.DefaultWorld()
		w.CDFTokenVersion = 1
		clock1 := newClock()
		sb1 := start(t, sandbox.Options{Now: clock1.Now, World: &w})
		a := userToken(t, sb1, clock1, sandbox.AliceUsername, scope(sb1.CDFURL()))
		c := claimsOf(t, a.str("access_token"))
		if c["iss"] != "https://sts.windows.net/"+sandbox.TenantID+"/" || c["ver"] != "1.0" || c["upn"] != sandbox.AliceUsername ||
			c["unique_name"] != sandbox.AliceUsername || c["appid"] != sandbox.DeviceAppID || c["appidacr"] != "0" || c["azp"] != nil {
			t.Errorf("v1 claims: %v", c)
		}
		if r := cdfGet(t, sb1, "/api/v1/token/inspect", a.str("access_token")); r.status != 200 {
			t.Errorf("CDF rejects v1 token: %s", r.raw)
		}
		// The ID token of the v2 endpoint stays v2.
		if id := claimsOf(t, a.str("id_token")); id["ver"] != "2.0" {
			t.Errorf("id token ver %v", id["ver"])
		}
	})
}

func TestCDF(t *testing.T) {
	clock := newClock()
	sb := start(t, sandbox.Options{Now: clock.Now})
	scope := sb.CDFURL() + "/.default openid profile offline_access"
	alice := userToken(t, sb, clock, sandbox.AliceUsername, scope).str("access_token")
	bob := userToken(t, sb, clock, sandbox.BobUsername, scope).str("access_token")
	app := secretToken(t, sb)

	t.Run("401 in CDF's format", func(t *testing.T) {
		tampered := alice[:len(alice)-4] + "AAAA"
		for name, tok := range map[string]string{"no token": "", "garbage": "x.y.z", "bad signature": tampered} {
			a := cdfGet(t, sb, "/api/v1/token/inspect", tok)
			e, _ := a.body["error"].(map[string]any)
			if a.status != 401 || e["code"] != float64(401) || e["message"] == "" || a.header.Get("X-Request-Id") == "" {
				t.Errorf("%s: %d %s", name, a.status, a.raw)
			}
		}
	})
	t.Run("inspect maps groups by sourceId", func(t *testing.T) {
		a := cdfGet(t, sb, "/api/v1/token/inspect", alice)
		projects := a.body["projects"].([]any)
		if len(projects) != 1 {
			t.Fatalf("projects %v", projects)
		}
		p := projects[0].(map[string]any)
		ids := p["groups"].([]any)
		if p["projectUrlName"] != sandbox.ProjectName || !slices.Equal(ids, []any{float64(1001), float64(1002)}) {
			t.Errorf("alice's project: %v", p)
		}
		if b := cdfGet(t, sb, "/api/v1/token/inspect", bob); b.status != 200 || len(b.body["projects"].([]any)) != 0 || len(b.body["capabilities"].([]any)) != 0 {
			t.Errorf("bob: %s", b.raw)
		}
	})
	t.Run("groups", func(t *testing.T) {
		all := cdfGet(t, sb, "/api/v1/projects/"+sandbox.ProjectName+"/groups?all=true", alice)
		items, _ := all.body["items"].([]any)
		if all.status != 200 || len(items) != 4 {
			t.Fatalf("all groups as alice: %s", all.raw)
		}
		var unmatched bool
		for _, it := range items {
			g := it.(map[string]any)
			if g["sourceId"] == sandbox.GroupRetired {
				unmatched = true
			}
			for _, k := range []string{"id", "name", "capabilities", "metadata"} {
				if g[k] == nil {
					t.Errorf("group lacks %s: %v", k, g)
				}
			}
		}
		if !unmatched {
			t.Error("no group with a sourceId nobody has")
		}
		if a := cdfGet(t, sb, "/api/v1/projects/"+sandbox.ProjectName+"/groups?all=true", app); a.status != 403 {
			t.Errorf("all=true without groupsAcl:LIST all: %d", a.status)
		}
		mine := cdfGet(t, sb, "/api/v1/projects/"+sandbox.ProjectName+"/groups", app)
		if items, _ := mine.body["items"].([]any); mine.status != 200 || len(items) != 1 {
			t.Errorf("own groups of the app: %s", mine.raw)
		}
	})
	t.Run("project", func(t *testing.T) {
		a := cdfGet(t, sb, "/api/v1/projects/"+sandbox.ProjectName, alice)
		oidc, _ := a.body["oidcConfiguration"].(map[string]any)
		if a.status != 200 || a.str("urlName") != sandbox.ProjectName || oidc["audience"] != sb.CDFURL() || oidc["issuer"] != sb.Issuer() {
			t.Errorf("project: %s", a.raw)
		}
		for name, path := range map[string]string{
			"restricted":  "/api/v1/projects/" + sandbox.RestrictedProjectName,
			"nonexistent": "/api/v1/projects/nope",
			"bob":         "/api/v1/projects/" + sandbox.ProjectName,
		} {
			tok := alice
			if name == "bob" {
				tok = bob
			}
			if r := cdfGet(t, sb, path, tok); r.status != 403 {
				t.Errorf("%s: %d %s", name, r.status, r.raw)
			}
		}
	})
	t.Run("expired token", func(t *testing.T) {
		clock.Add(2 * time.Hour)
		if a := cdfGet(t, sb, "/api/v1/token/inspect", alice); a.status != 401 {
			t.Errorf("expired token accepted: %d", a.status)
		}
	})
}

func TestFaults(t *testing.T) {
	sb := start(t, sandbox.Options{})
	c := sb.HTTPClient()
	tokenPath := "/oauth2/v2.0/token"
	ccForm := url.Values{"grant_type": {"client_credentials"}, "client_id": {sandbox.SecretAppID},
		"client_secret": {sandbox.SecretAppSecret}, "scope": {sb.CDFURL() + "/.default"}}

	t.Run("status with Retry-After, once", func(t *testing.T) {
		if err := sb.InjectFault(sandbox.Fault{Path: tokenPath, Status: 503, RetryAfter: 7, Times: 1}); err != nil {
			t.Fatal(err)
		}
		a := postToken(t, sb, ccForm)
		if a.status != 503 || a.header.Get("Retry-After") != "7" || a.str("error") == "" {
			t.Errorf("fault: %d %v %s", a.status, a.header, a.raw)
		}
		if a := postToken(t, sb, ccForm); a.status != 200 {
			t.Errorf("after the fault: %d", a.status)
		}
	})
	t.Run("malformed and HTML", func(t *testing.T) {
		_ = sb.InjectFault(sandbox.Fault{Path: tokenPath, Kind: sandbox.FaultMalformed, Times: 1})
		_ = sb.InjectFault(sandbox.Fault{Path: tokenPath, Kind: sandbox.FaultHTML, Times: 1})
		r1 := requestRaw(t, c, sb.AuthorityURL()+tokenPath, ccForm)
		if r1.status != 200 || !strings.HasPrefix(r1.raw, "{") || strings.HasSuffix(strings.TrimSpace(r1.raw), "}") {
			t.Errorf("malformed: %d %q", r1.status, r1.raw)
		}
		r2 := requestRaw(t, c, sb.AuthorityURL()+tokenPath, ccForm)
		if r2.status != 502 || !strings.Contains(r2.raw, "<html>") {
			t.Errorf("html: %d %q", r2.status, r2.raw)
		}
	})
	t.Run("connection reset and close", func(t *testing.T) {
		for _, kind := range []sandbox.FaultKind{sandbox.FaultReset, sandbox.FaultClose} {
			_ = sb.InjectFault(sandbox.Fault{Server: "cdf", Path: "/api/v1/token/inspect", Kind: kind, Times: 1})
			req, _ := http.NewRequestWithContext(context.Background(), http.MethodGet, sb.CDFURL()+"/api/v1/token/inspect", nil)
			resp, err := c.Do(req)
			if err == nil {
				resp.Body.Close()
				t.Errorf("%s: got %s, want a connection error", kind, resp.Status)
			}
		}
	})
	t.Run("delay only passes through", func(t *testing.T) {
		_ = sb.InjectFault(sandbox.Fault{Path: tokenPath, Delay: 10 * time.Millisecond, Times: 1})
		if a := postToken(t, sb, ccForm); a.status != 200 {
			t.Errorf("delayed: %d", a.status)
		}
	})
	t.Run("bad fault", func(t *testing.T) {
		if err := sb.InjectFault(sandbox.Fault{Path: tokenPath, Kind: "explode"}); err == nil {
			t.Error("unknown kind accepted")
		}
	})
	t.Run("until cleared", func(t *testing.T) {
		_ = sb.InjectFault(sandbox.Fault{Server: "cdf", Path: "/inspect", Status: 500})
		for range 2 {
			if a := cdfGet(t, sb, "/api/v1/token/inspect", ""); a.status != 500 {
				t.Errorf("got %d", a.status)
			}
		}
		sb.ClearFaults()
		if a := cdfGet(t, sb, "/api/v1/token/inspect", ""); a.status != 401 {
			t.Errorf("after clear: %d", a.status)
		}
	})
	reqs := sb.Requests()
	faulted := 0
	for _, r := range reqs {
		if r.Fault {
			faulted++
		}
	}
	if faulted < 7 {
		t.Errorf("request log shows %d faults", faulted)
	}
}

func requestRaw(t *testing.T, c *http.Client, target string, form url.Values) answer {
	t.Helper()
	resp, err := c.PostForm(target, form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b strings.Builder
	_, _ = io.Copy(&b, resp.Body)
	return answer{status: resp.StatusCode, header: resp.Header, raw: b.String()}
}
