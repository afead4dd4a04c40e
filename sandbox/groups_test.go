package sandbox_test

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/cognite-tools/cdflogin/sandbox"
)

// groupsIn is the groups claim of a token as strings.
func groupsIn(t *testing.T, jwt string) []string {
	t.Helper()
	list, _ := claimsOf(t, jwt)["groups"].([]any)
	out := make([]string, 0, len(list))
	for _, g := range list {
		out = append(out, g.(string))
	}
	return out
}

// TestUserGroupsChangeAtRefresh: an admin changes alice's groups over the
// admin API (as one would in the Entra admin center); the token she holds
// keeps its groups, the next refresh carries the new ones, and CDF maps
// what the new token says. The client is plain net/http.
func TestUserGroupsChangeAtRefresh(t *testing.T) {
	sb := start(t, sandbox.Options{})
	lb := newLoopback(t)
	verifier := "verifier-" + strings.Repeat("g", 40)
	scope := sb.CDFURL() + "/.default openid profile offline_access"
	if status, err := sb.SignInAs(context.Background(), authorizeURL(sb, sandbox.BrowserAppID, lb.url, scope, pkce(verifier), "query"), sandbox.AliceUsername); err != nil || status != 200 {
		t.Fatalf("SignInAs: %d %v", status, err)
	}
	got, _ := lb.values()
	first := postToken(t, sb, url.Values{"grant_type": {"authorization_code"}, "client_id": {sandbox.BrowserAppID},
		"code": {got.Get("code")}, "redirect_uri": {lb.url}, "code_verifier": {verifier}, "scope": {scope}})
	if first.status != 200 {
		t.Fatalf("redeem: %d %s", first.status, first.raw)
	}
	if g := groupsIn(t, first.str("access_token")); !slices.Equal(g, []string{sandbox.GroupCDFAdmins, sandbox.GroupCDFReaders}) {
		t.Fatalf("alice's groups at sign-in: %v", g)
	}

	c := sb.HTTPClient()
	// The user by the name before the @, groups by name and by ID.
	a := adminPost(t, sb, "/users/alice/groups", `{"add":["Marketing"],"remove":["`+sandbox.GroupCDFReaders+`"]}`)
	if a.status != 200 || a.body["username"] != sandbox.AliceUsername {
		t.Fatalf("change groups: %d %v", a.status, a.body)
	}
	listed := request(t, c, http.MethodGet, sb.BaseURL()+"/_sandbox/users/"+sandbox.AliceUsername+"/groups", nil, nil)
	if listed.status != 200 || !strings.Contains(listed.raw, `"name":"Marketing"`) || strings.Contains(listed.raw, sandbox.GroupCDFReaders) {
		t.Fatalf("groups now: %d %s", listed.status, listed.raw)
	}
	// The token already issued is what it was.
	if g := groupsIn(t, first.str("access_token")); len(g) != 2 {
		t.Fatalf("the held token changed: %v", g)
	}
	r := postToken(t, sb, url.Values{"grant_type": {"refresh_token"}, "client_id": {sandbox.BrowserAppID},
		"refresh_token": {first.str("refresh_token")}, "scope": {scope}})
	if r.status != 200 {
		t.Fatalf("refresh: %d %s", r.status, r.raw)
	}
	if g := groupsIn(t, r.str("access_token")); !slices.Equal(g, []string{sandbox.GroupCDFAdmins, sandbox.GroupMarketing}) {
		t.Fatalf("groups after the refresh: %v", g)
	}
	// CDF reads the new token's groups: admins still maps, readers no more.
	ins := cdfGet(t, sb, "/api/v1/token/inspect", r.str("access_token"))
	if ins.status != 200 || !strings.Contains(ins.raw, "1001") || strings.Contains(ins.raw, "1002") {
		t.Errorf("inspect after the change: %d %s", ins.status, ins.raw)
	}

	// Losing every mapped group: the next token reaches no project.
	if a := adminPost(t, sb, "/users/"+sandbox.AliceUsername+"/groups", `{"remove":["CDF admins","Marketing"]}`); a.status != 200 {
		t.Fatalf("remove all: %d %v", a.status, a.body)
	}
	r2 := postToken(t, sb, url.Values{"grant_type": {"refresh_token"}, "client_id": {sandbox.BrowserAppID},
		"refresh_token": {r.str("refresh_token")}, "scope": {scope}})
	if _, has := claimsOf(t, r2.str("access_token"))["groups"]; has {
		t.Errorf("a user in no group gets a groups claim: %s", r2.str("access_token"))
	}
	if ins := cdfGet(t, sb, "/api/v1/token/inspect", r2.str("access_token")); len(ins.body["projects"].([]any)) != 0 {
		t.Errorf("inspect with no groups: %s", ins.raw)
	}
}

func TestUserGroupsAdminErrors(t *testing.T) {
	sb := start(t, sandbox.Options{})
	for _, tc := range []struct {
		path, body string
		status     int
		says       string
	}{
		{"/users/nobody/groups", `{"add":["Marketing"]}`, 404, `no user \"nobody\"`},
		{"/users/alice/groups", `{"add":["Sales"]}`, 400, "Marketing"},
		{"/users/alice/groups", `{}`, 400, `give \"add\"`},
		{"/users/alice/groups", `{"add":"Marketing"}`, 400, "bad JSON"},
		{"/users/alice/groups", `{"put":["Marketing"]}`, 400, "unknown field"},
	} {
		a := adminPost(t, sb, tc.path, tc.body)
		if a.status != tc.status || a.body["ok"] != false || !strings.Contains(a.body["error"].(string), strings.ReplaceAll(tc.says, `\"`, `"`)) {
			t.Errorf("POST %s %s: %d %v", tc.path, tc.body, a.status, a.body)
		}
	}
	// Nothing changed.
	if g, err := sb.UserGroups("alice"); err != nil || len(g) != 2 {
		t.Errorf("alice's groups: %v %v", g, err)
	}
	if _, err := sb.ChangeUserGroups("alice", []string{"nope"}, nil); err == nil {
		t.Error("an unknown group was accepted")
	}
}
