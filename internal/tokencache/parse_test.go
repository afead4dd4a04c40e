package tokencache

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/AzureAD/microsoft-authentication-library-for-go/apps/cache"
)

func cacheReplaceHints() cache.ReplaceHints { return cache.ReplaceHints{} }
func cacheExportHints() cache.ExportHints   { return cache.ExportHints{} }

// sample is a cache as MSAL Go writes it, with one user sign-in and one
// app token.
const sample = `{
 "AccessToken": {
  "uid.utid-127.0.0.1:8443-accesstoken-client-tenant-https://x.cognitedata.com/user_impersonation https://x.cognitedata.com/.default": {
   "home_account_id": "uid.utid", "environment": "127.0.0.1:8443", "realm": "tenant",
   "credential_type": "AccessToken", "client_id": "client", "secret": "user-at",
   "target": "https://x.cognitedata.com/user_impersonation https://x.cognitedata.com/.default",
   "cached_at": "1700000000", "expires_on": "1700003600", "extended_expires_on": "1700003600", "token_type": "Bearer"
  },
  "-127.0.0.1:8443-accesstoken-app-tenant-https://x.cognitedata.com/.default": {
   "environment": "127.0.0.1:8443", "realm": "tenant", "credential_type": "AccessToken",
   "client_id": "app", "secret": "app-at", "target": "https://x.cognitedata.com/.default",
   "cached_at": "1700000000", "expires_on": "1700007200"
  }
 },
 "RefreshToken": {
  "uid.utid-127.0.0.1:8443-refreshtoken-client--": {
   "home_account_id": "uid.utid", "environment": "127.0.0.1:8443", "credential_type": "RefreshToken",
   "client_id": "client", "secret": "rt"
  }
 },
 "IdToken": {
  "uid.utid-127.0.0.1:8443-idtoken-client-tenant-": {
   "home_account_id": "uid.utid", "environment": "127.0.0.1:8443", "realm": "tenant",
   "credential_type": "IdToken", "client_id": "client", "secret": "IDTOKEN"
  }
 },
 "Account": {
  "uid.utid-127.0.0.1:8443-tenant": {
   "home_account_id": "uid.utid", "environment": "127.0.0.1:8443", "realm": "tenant",
   "local_account_id": "uid", "authority_type": "MSSTS", "username": "ada@example.com"
  }
 },
 "AppMetadata": {}
}`

func TestFind(t *testing.T) {
	c, err := Parse([]byte(sample))
	if err != nil {
		t.Fatal(err)
	}
	base := Query{ClientID: "client", Environment: "127.0.0.1:8443", Realm: "tenant", Scopes: []string{"https://x.cognitedata.com/.default"}}
	tests := []struct {
		name      string
		q         func(q Query) Query
		wantAT    string
		wantUser  string
		wantRT    bool
		wantEmpty bool
	}{
		{"user", func(q Query) Query { return q }, "user-at", "ada@example.com", true, false},
		{"user, case-insensitive client", func(q Query) Query { q.ClientID = "CLIENT"; return q }, "user-at", "ada@example.com", true, false},
		{"user, oidc scopes ignored", func(q Query) Query { q.Scopes = append(q.Scopes, "openid", "offline_access"); return q }, "user-at", "ada@example.com", true, false},
		{"user, named scope", func(q Query) Query { q.Scopes = []string{"https://x.cognitedata.com/user_impersonation"}; return q }, "user-at", "ada@example.com", true, false},
		{"other scope: account without AT", func(q Query) Query { q.Scopes = []string{"https://y.cognitedata.com/.default"}; return q }, "", "ada@example.com", true, false},
		{"other port", func(q Query) Query { q.Environment = "127.0.0.1:9999"; return q }, "", "", false, true},
		{"other tenant", func(q Query) Query { q.Realm = "other"; return q }, "", "ada@example.com", true, false},
		{"organizations matches any realm", func(q Query) Query { q.Realm = "organizations"; return q }, "user-at", "ada@example.com", true, false},
		{"app", func(q Query) Query { q.ClientID = "app"; q.App = true; return q }, "app-at", "", false, false},
		{"app flow does not see user tokens", func(q Query) Query { q.App = true; return q }, "", "", false, true},
		{"unknown client", func(q Query) Query { q.ClientID = "nobody"; return q }, "", "", false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := c.Find(tt.q(base))
			gotAT := ""
			if e.AccessToken != nil {
				gotAT = e.AccessToken.Secret
			}
			gotUser := ""
			if e.Account != nil {
				gotUser = e.Account.Username
			}
			if gotAT != tt.wantAT || gotUser != tt.wantUser || e.HasRefreshToken != tt.wantRT || e.Empty() != tt.wantEmpty {
				t.Fatalf("Find = at %q user %q rt %v empty %v", gotAT, gotUser, e.HasRefreshToken, e.Empty())
			}
		})
	}
	e := c.Find(base)
	if !e.AccessToken.ExpiresOn.T.Equal(time.Unix(1700003600, 0)) || e.IDToken != "IDTOKEN" {
		t.Errorf("entry = %+v", e)
	}
}

func TestParseTolerance(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		wantErr bool
		wantATs int
	}{
		{"empty", ``, false, 0},
		{"empty object", `{}`, false, 0},
		{"not an object", `[]`, true, 0},
		{"section not a map", `{"AccessToken": 5}`, false, 0},
		{"entry not an object", `{"AccessToken": {"k": 5, "j": {"secret": "s"}}}`, false, 1},
		{"numeric expiry", `{"AccessToken": {"k": {"secret": "s", "expires_on": 1700000000}}}`, false, 1},
		{"garbage expiry", `{"AccessToken": {"k": {"secret": "s", "expires_on": "soon"}}}`, false, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Parse([]byte(tt.in))
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v", err)
			}
			if err == nil && len(c.AccessTokens) != tt.wantATs {
				t.Fatalf("ATs = %d", len(c.AccessTokens))
			}
		})
	}
}

func TestScopesMatch(t *testing.T) {
	tests := []struct {
		req    []string
		target string
		want   bool
	}{
		{[]string{"https://x/.default"}, "https://x/.default", true},
		{[]string{"https://x/.default"}, "https://x/user_impersonation", true},
		{[]string{"https://x/.default"}, "https://xy/user_impersonation", false},
		{[]string{"https://x/.default"}, "https://x/", false},
		{[]string{"https://x/a", "https://x/b"}, "https://x/A https://x/b", true},
		{[]string{"https://x/a", "https://x/b"}, "https://x/a", false},
		{[]string{"openid"}, "", true},
		{nil, "anything", true},
	}
	for _, tt := range tests {
		if got := ScopesMatch(tt.req, tt.target); got != tt.want {
			t.Errorf("ScopesMatch(%v, %q) = %v", tt.req, tt.target, got)
		}
	}
}

func TestDecodeIDToken(t *testing.T) {
	payload, _ := json.Marshal(map[string]string{"name": "Ada", "preferred_username": "ada@example.com", "oid": "o", "tid": "t"})
	good := "eyJhbGciOiJub25lIn0." + base64.RawURLEncoding.EncodeToString(payload) + ".sig"
	c, err := DecodeIDToken(good)
	if err != nil || c.Name != "Ada" || c.PreferredUsername != "ada@example.com" || c.ObjectID != "o" || c.TenantID != "t" {
		t.Fatalf("DecodeIDToken = %+v, %v", c, err)
	}
	for _, bad := range []string{"", "a.b", "a.!!!.c", "a." + base64.RawURLEncoding.EncodeToString([]byte("[1]")) + ".c"} {
		if _, err := DecodeIDToken(bad); err == nil {
			t.Errorf("DecodeIDToken(%q) succeeded", bad)
		}
	}
}

// FuzzParse checks that no cache file content makes Parse or Find panic,
// and that Parse accepts every JSON object.
func FuzzParse(f *testing.F) {
	f.Add([]byte(sample))
	f.Add([]byte(`{}`))
	f.Add([]byte(`{"AccessToken":{"k":{"expires_on":"x"}}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Parse(data)
		if err != nil {
			var m map[string]json.RawMessage
			if json.Unmarshal(data, &m) == nil && len(data) > 0 {
				t.Fatalf("Parse rejected a JSON object: %v", err)
			}
			return
		}
		for _, app := range []bool{false, true} {
			e := c.Find(Query{ClientID: "client", Environment: "127.0.0.1:8443", Realm: "tenant", Scopes: []string{"https://x.cognitedata.com/.default"}, App: app})
			if e.AccessToken != nil && (e.AccessToken.Secret == "" || (e.AccessToken.HomeAccountID == "") != app) {
				t.Fatalf("Find returned a token that does not match the query: %+v", e.AccessToken)
			}
		}
	})
}

// FuzzLoad checks that any file content either loads as a JSON object or
// is moved aside, never an error or a panic.
func FuzzLoad(f *testing.F) {
	f.Add([]byte(sample))
	f.Add([]byte(`{"AccessToken": {`))
	f.Fuzz(func(t *testing.T, data []byte) {
		dir := t.TempDir()
		file, _ := Open(dir, "p", Options{})
		if err := os.WriteFile(file.Path(), data, 0o600); err != nil {
			t.Fatal(err)
		}
		got, err := file.Load()
		if err != nil {
			t.Fatalf("Load: %v", err)
		}
		aside, _ := filepath.Glob(file.Path() + ".corrupt-*")
		if got == nil && len(data) > 0 && len(aside) != 1 {
			t.Fatalf("content dropped without being moved aside")
		}
		a := NewAccessor(file, DropAccessTokens, false)
		if err := a.Replace(context.Background(), &memCache{}, cache.ReplaceHints{}); err != nil {
			t.Fatalf("Replace: %v", err)
		}
	})
}

func TestPutAccessToken(t *testing.T) {
	exp := time.Unix(1800000000, 0)
	at := AccessToken{HomeAccountID: "uid.utid", Environment: "127.0.0.1:8443", Realm: "tenant", ClientID: "client",
		Secret: "short-at", Target: "https://x.cognitedata.com/user_impersonation https://x.cognitedata.com/.default", ExpiresOn: Unix{T: exp}, CachedAt: Unix{T: exp.Add(-time.Minute)}}
	for _, base := range []string{"", "{}", sample} {
		out, err := PutAccessToken([]byte(base), at)
		if err != nil {
			t.Fatalf("PutAccessToken(%.20q): %v", base, err)
		}
		c, err := Parse(out)
		if err != nil {
			t.Fatal(err)
		}
		q := Query{ClientID: "client", Environment: "127.0.0.1:8443", Realm: "tenant", Scopes: []string{"https://x.cognitedata.com/.default"}}
		e := c.Find(q)
		if e.AccessToken == nil || e.AccessToken.Secret != "short-at" || !e.AccessToken.ExpiresOn.T.Equal(exp) {
			t.Fatalf("after Put into %.20q: %+v", base, e.AccessToken)
		}
		// Other sections survive; the same key is replaced, not duplicated.
		if base == sample {
			if len(c.RefreshTokens) != 1 || len(c.Accounts) != 1 || len(c.AccessTokens) != 2 {
				t.Fatalf("sections after Put: %d RTs, %d accounts, %d ATs", len(c.RefreshTokens), len(c.Accounts), len(c.AccessTokens))
			}
		}
	}
	if _, err := PutAccessToken([]byte("[]"), at); err == nil {
		t.Fatal("PutAccessToken into a non-object succeeded")
	}
}

// FuzzDecodeIDToken checks that no ID token text makes the decoder panic
// and that a decoded token had three parts.
func FuzzDecodeIDToken(f *testing.F) {
	f.Add("eyJhbGciOiJub25lIn0.eyJuYW1lIjoiQWRhIn0.sig")
	f.Add("a.b.c")
	f.Add("..")
	f.Fuzz(func(t *testing.T, raw string) {
		if _, err := DecodeIDToken(raw); err == nil && strings.Count(raw, ".") != 2 {
			t.Fatalf("decoded a token without three parts: %q", raw)
		}
	})
}

// FuzzRefreshTokenOf: any cache file, however hostile, gives a refresh
// token or none, never a panic; a cache NewSet wrote gives its own back.
func FuzzRefreshTokenOf(f *testing.F) {
	good, err := NewSet(Set{Environment: "idp:1", ClientID: "c", HomeAccountID: "h", AccessToken: "a", RefreshToken: "r"})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good, "h", "idp:1", "c")
	f.Add([]byte(`{"RefreshToken":{"k":{"home_account_id":"h","environment":"e","client_id":"c","secret":7}}}`), "h", "e", "c")
	f.Add([]byte(`{"RefreshToken":[]}`), "h", "e", "c")
	f.Fuzz(func(t *testing.T, data []byte, home, env, client string) {
		rt, err := RefreshTokenOf(data, home, env, client)
		if err != nil && rt != "" {
			t.Fatalf("a token with an error: %q, %v", rt, err)
		}
		if home == "" && rt != "" {
			t.Fatalf("a token for no account: %q", rt)
		}
	})
}
