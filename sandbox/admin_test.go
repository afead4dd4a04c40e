package sandbox_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/cognite-tools/cdflogin/sandbox"
)

func adminPost(t *testing.T, sb *sandbox.Sandbox, path, body string) answer {
	t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), http.MethodPost, sb.BaseURL()+"/_sandbox"+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := sb.HTTPClient().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	a := answer{status: resp.StatusCode}
	_ = json.NewDecoder(resp.Body).Decode(&a.body)
	return a
}

// TestAdminAPI drives the sandbox the way another process does.
func TestAdminAPI(t *testing.T) {
	sb := start(t, sandbox.Options{DeviceInterval: time.Second})
	c := sb.HTTPClient()

	var st sandbox.Settings
	a := request(t, c, http.MethodGet, sb.BaseURL()+"/_sandbox/settings", nil, nil)
	raw, _ := json.Marshal(a.body)
	if err := json.Unmarshal(raw, &st); err != nil || st.Authority != sb.AuthorityURL() || st.CDFURL != sb.CDFURL() || len(st.Apps) != 6 || len(st.Users) != 3 {
		t.Fatalf("settings: %v %+v", err, st)
	}
	if strings.Contains(a.raw, sandbox.SecretAppSecret) {
		t.Error("settings print the client secret")
	}

	t.Run("approve and decline", func(t *testing.T) {
		dc, uc := deviceStart(t, sb, sandbox.DeviceAppID, sb.CDFURL()+"/.default")
		pending := request(t, c, http.MethodGet, sb.BaseURL()+"/_sandbox/device/pending", nil, nil)
		if !strings.Contains(pending.raw, uc) {
			t.Errorf("pending: %s", pending.raw)
		}
		if r := adminPost(t, sb, "/device/approve", `{"user_code":"nope","username":"alice@sandbox.onmicrosoft.com"}`); r.status != 400 {
			t.Errorf("unknown code: %v", r.body)
		}
		if r := adminPost(t, sb, "/device/approve", `{"user_code":"`+uc+`","username":"`+sandbox.AliceUsername+`"}`); r.status != 200 {
			t.Fatalf("approve: %v", r.body)
		}
		if r := adminPost(t, sb, "/clock/advance", `{"by":"2s"}`); r.status != 200 {
			t.Fatalf("advance: %v", r.body)
		}
		if tok := postToken(t, sb, url.Values{"grant_type": {"device_code"}, "client_id": {sandbox.DeviceAppID}, "device_code": {dc}}); tok.status != 200 {
			t.Errorf("poll after admin approval: %s", tok.raw)
		}
		_, uc2 := deviceStart(t, sb, sandbox.DeviceAppID, sb.CDFURL()+"/.default")
		if r := adminPost(t, sb, "/device/decline", `{"user_code":"`+uc2+`"}`); r.status != 200 {
			t.Errorf("decline: %v", r.body)
		}
	})
	t.Run("faults", func(t *testing.T) {
		if r := adminPost(t, sb, "/faults", `{"server":"cdf","path":"/api/v1/token/inspect","status":429,"retry_after":3,"times":1}`); r.status != 200 {
			t.Fatalf("inject: %v", r.body)
		}
		if a := cdfGet(t, sb, "/api/v1/token/inspect", ""); a.status != 429 || a.header.Get("Retry-After") != "3" {
			t.Errorf("fault not applied: %d", a.status)
		}
		if r := adminPost(t, sb, "/faults", `{"path":"/x","kind":"bogus"}`); r.status != 400 {
			t.Errorf("bad kind accepted: %v", r.body)
		}
		if r := adminPost(t, sb, "/faults", `{"path":"/x","delay_text":"soon"}`); r.status != 400 {
			t.Errorf("bad delay accepted: %v", r.body)
		}
		if r := adminPost(t, sb, "/faults", `{"path":"/x","unknown_field":1}`); r.status != 400 {
			t.Errorf("unknown field accepted: %v", r.body)
		}
	})
	t.Run("expire refresh tokens", func(t *testing.T) {
		dc, uc := deviceStart(t, sb, sandbox.DeviceAppID, sb.CDFURL()+"/.default offline_access")
		_ = sb.ApproveDeviceCode(uc, sandbox.BobUsername)
		sb.Advance(2 * time.Second)
		tok := postToken(t, sb, url.Values{"grant_type": {"device_code"}, "client_id": {sandbox.DeviceAppID}, "device_code": {dc}})
		r := adminPost(t, sb, "/refresh-tokens/expire", `{"username":"`+sandbox.BobUsername+`"}`)
		if r.status != 200 || r.body["expired"].(float64) < 1 {
			t.Fatalf("expire: %v", r.body)
		}
		a := postToken(t, sb, url.Values{"grant_type": {"refresh_token"}, "client_id": {sandbox.DeviceAppID},
			"refresh_token": {tok.str("refresh_token")}, "scope": {sb.CDFURL() + "/.default offline_access"}})
		checkEntraError(t, a, 400, "invalid_grant", 700082)
	})
	t.Run("requests", func(t *testing.T) {
		var log struct {
			Counts   map[string]int    `json:"counts"`
			Requests []sandbox.Request `json:"requests"`
		}
		r := request(t, c, http.MethodGet, sb.BaseURL()+"/_sandbox/requests", nil, nil)
		if err := json.Unmarshal([]byte(r.raw), &log); err != nil {
			t.Fatal(err)
		}
		if log.Counts["devicecode"] != 3 || log.Counts["token:device_code"] != 2 || log.Counts["token:refresh_token"] != 1 || len(log.Requests) == 0 {
			t.Errorf("counts: %v", log.Counts)
		}
		if bytes.Contains([]byte(r.raw), []byte("refresh_token=")) || strings.Contains(r.raw, "device_code=") {
			t.Error("request log holds request bodies")
		}
		req, _ := http.NewRequestWithContext(context.Background(), http.MethodDelete, sb.BaseURL()+"/_sandbox/requests", nil)
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if n := sb.Count("devicecode"); n != 0 {
			t.Errorf("after reset: %d", n)
		}
	})
	t.Run("certificate download", func(t *testing.T) {
		r := request(t, c, http.MethodGet, sb.BaseURL()+"/_sandbox/certificate.pem", nil, nil)
		if r.status != 200 || !strings.Contains(r.raw, "BEGIN CERTIFICATE") || !strings.Contains(r.raw, "BEGIN PRIVATE KEY") {
			t.Errorf("certificate.pem: %d", r.status)
		}
	})
}

func TestDeviceLoginPageEscapes(t *testing.T) {
	sb := start(t, sandbox.Options{})
	r := request(t, sb.HTTPClient(), http.MethodGet, sb.DeviceLoginURL()+`?otc="><script>alert(1)</script>`, nil, nil)
	if r.status != 200 || strings.Contains(r.raw, "<script>alert") {
		t.Errorf("page does not escape its input: %s", r.raw)
	}
}
