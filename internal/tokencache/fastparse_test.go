package tokencache

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// TestParseFastTakesMSALCaches: caches as MSAL writes them go the fast way
// and read the same as with encoding/json; anything else goes to
// encoding/json.
func TestParseFastTakesMSALCaches(t *testing.T) {
	tests := []struct {
		name   string
		in     string
		wantOK bool
	}{
		{"MSAL sample", sample, true},
		{"empty object", ` { } `, true},
		{"empty sections", `{"AccessToken":{},"RefreshToken":{},"IdToken":{},"Account":{},"AppMetadata":{}}`, true},
		{"repeated entry key: last wins", `{"AccessToken":{"k":{"secret":"a"},"j":{"secret":"b"},"k":{"secret":"c"}}}`, true},
		{"repeated section: last wins", `{"RefreshToken":{"k":{"secret":"a"}},"RefreshToken":{"j":{"client_id":"c"}}}`, true},
		{"repeated field: last wins", `{"Account":{"k":{"username":"a","username":"b"}}}`, true},
		{"unknown fields and sections", `{"Other":{"x":{"y":"z"}},"AccessToken":{"k":{"credential_type":"AccessToken","extended_expires_on":"1"}}}`, true},
		{"garbage expiry", `{"AccessToken":{"k":{"secret":"s","expires_on":"soon"}}}`, true},
		{"non-ASCII text", `{"Account":{"k":{"name":"Åsa Ødegård"}}}`, true},
		{"numeric expiry", `{"AccessToken":{"k":{"secret":"s","expires_on":1700000000}}}`, false},
		{"other fields of any kind", `{"AccessToken":{"k":{"secret":"s","x":[1,-2.5e+3,true,false,null,{"y":"\u00e9\n"}],"Z":0}},"AppMetadata":{"a":{"n":1}}}`, true},
		{"bad escape in another field", `{"AccessToken":{"k":{"secret":"s","x":"\x"}}}`, false},
		{"bad number in another field", `{"AccessToken":{"k":{"secret":"s","x":01}}}`, false},
		{"escape", `{"Account":{"k":{"name":"a\"b"}}}`, false},
		{"field matched without regard to case", `{"Account":{"k":{"UserName":"a"}}}`, false},
		{"section key in other case", `{"accesstoken":{"k":{"secret":"s"}}}`, true},
		{"null section", `{"AccessToken":null}`, false},
		{"entry not an object", `{"AccessToken":{"k":5}}`, false},
		{"invalid UTF-8", "{\"Account\":{\"k\":{\"name\":\"\xff\"}}}", false},
		{"control character", "{\"Account\":{\"k\":{\"name\":\"a\tb\"}}}", false},
		{"trailing garbage", `{}x`, false},
		{"truncated", `{"AccessToken":{"k":{"secret":"s"`, false},
		{"trailing comma", `{"AccessToken":{},}`, false},
		{"not an object", `[]`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fast, ok := parseFast([]byte(tt.in))
			if ok != tt.wantOK {
				t.Fatalf("parseFast ok = %v, want %v", ok, tt.wantOK)
			}
			if !ok {
				return
			}
			slow, err := parseJSON([]byte(tt.in))
			if err != nil {
				t.Fatalf("encoding/json rejects what parseFast read: %v", err)
			}
			if !reflect.DeepEqual(fast, slow) {
				t.Fatalf("parseFast = %+v\nencoding/json = %+v", fast, slow)
			}
		})
	}
}

// TestParseFastSample checks the fast reading of the sample field by field,
// so that a fault shared with encoding/json's reading would show too.
func TestParseFastSample(t *testing.T) {
	c, ok := parseFast([]byte(sample))
	if !ok {
		t.Fatal("parseFast refused the sample")
	}
	if len(c.AccessTokens) != 2 || len(c.RefreshTokens) != 1 || len(c.IDTokens) != 1 || len(c.Accounts) != 1 {
		t.Fatalf("counts: %d ATs, %d RTs, %d IDs, %d accounts", len(c.AccessTokens), len(c.RefreshTokens), len(c.IDTokens), len(c.Accounts))
	}
	// Key order: "-127…" (the app token) sorts before "uid.utid-…".
	app, user := c.AccessTokens[0], c.AccessTokens[1]
	if app.ClientID != "app" || app.Secret != "app-at" || app.HomeAccountID != "" || app.ExpiresOn.T.Unix() != 1700007200 {
		t.Errorf("app token = %+v", app)
	}
	if user.ClientID != "client" || user.Secret != "user-at" || user.HomeAccountID != "uid.utid" || user.TokenType != "Bearer" ||
		user.CachedAt.T.Unix() != 1700000000 || !strings.HasSuffix(user.Target, "/.default") {
		t.Errorf("user token = %+v", user)
	}
	if rt := c.RefreshTokens[0]; !rt.HasSecret || rt.ClientID != "client" {
		t.Errorf("refresh token = %+v", rt)
	}
	if id := c.IDTokens[0]; id.Secret != "IDTOKEN" || id.Realm != "tenant" {
		t.Errorf("ID token = %+v", id)
	}
	if a := c.Accounts[0]; a.Username != "ada@example.com" || a.LocalAccountID != "uid" {
		t.Errorf("account = %+v", a)
	}
}

// FuzzParseFast holds the fast reading to encoding/json's: whatever
// parseFast reads, encoding/json reads the same.
func FuzzParseFast(f *testing.F) {
	f.Add([]byte(sample))
	f.Add([]byte(`{"AccessToken":{"k":{"secret":"s","expires_on":"1700000000","Secret":"x"}}}`))
	f.Add([]byte(`{"RefreshToken":{"k":{"secret":"","family_id":"1","HasSecret":"x"}},"X":"y"}`))
	f.Add([]byte(`{"Account":{"b":{"name":"1"},"a":{"name":"2"},"b":{"name":"3"}}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		if isPlainObject(data) {
			var m map[string]json.RawMessage
			if err := json.Unmarshal(data, &m); err != nil {
				t.Fatalf("isPlainObject accepted what encoding/json rejects: %v", err)
			}
		}
		fast, ok := parseFast(data)
		if !ok {
			return
		}
		slow, err := parseJSON(data)
		if err != nil {
			t.Fatalf("encoding/json rejects what parseFast read: %v", err)
		}
		if !reflect.DeepEqual(fast, slow) {
			t.Fatalf("parseFast = %+v\nencoding/json = %+v", fast, slow)
		}
	})
}

func TestDecodeIDClaimsFast(t *testing.T) {
	tests := []struct {
		name    string
		payload string
		wantOK  bool
	}{
		{"Entra ID token", `{"aud":"c","iss":"https://login.microsoftonline.com/t/v2.0","iat":1700000000,"nbf":1700000000,"exp":1700003600,` +
			`"name":"Åsa Ødegård","oid":"o","preferred_username":"asa@example.com","rh":"0.A","sid":"s","sub":"x","tid":"t","uti":"u","ver":"2.0","amr":["pwd","mfa"]}`, true},
		{"escaped name", `{"name":"A\u00e9"}`, false},
		{"claim in other case", `{"Name":"a"}`, false},
		{"non-string claim", `{"oid":5}`, false},
		{"null", `null`, false},
		{"not JSON", `{"name":"a"`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fast, ok := decodeIDClaimsFast([]byte(tt.payload))
			if ok != tt.wantOK {
				t.Fatalf("ok = %v, want %v", ok, tt.wantOK)
			}
			var slow IDClaims
			if err := json.Unmarshal([]byte(tt.payload), &slow); ok && (err != nil || fast != slow) {
				t.Fatalf("fast %+v, encoding/json %+v (%v)", fast, slow, err)
			}
		})
	}
	c, _ := decodeIDClaimsFast([]byte(tests[0].payload))
	if c != (IDClaims{Name: "Åsa Ødegård", PreferredUsername: "asa@example.com", ObjectID: "o", TenantID: "t"}) {
		t.Errorf("claims = %+v", c)
	}
}

// FuzzDecodeIDClaimsFast holds the one-pass reading of an ID token payload
// to encoding/json's.
func FuzzDecodeIDClaimsFast(f *testing.F) {
	f.Add([]byte(`{"name":"Ada","oid":"o","tid":"t","exp":1700003600,"amr":["pwd"],"x":{"y":[null,true]}}`))
	f.Add([]byte(`{"upn":"a@b","preferred_username":"a","NAME":"x","n\u0061me":"y"}`))
	f.Fuzz(func(t *testing.T, payload []byte) {
		fast, ok := decodeIDClaimsFast(payload)
		if !ok {
			return
		}
		var slow IDClaims
		if err := json.Unmarshal(payload, &slow); err != nil {
			t.Fatalf("encoding/json rejects what decodeIDClaimsFast read: %v", err)
		}
		if fast != slow {
			t.Fatalf("fast %+v, encoding/json %+v", fast, slow)
		}
	})
}
