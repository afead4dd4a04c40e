package httplog

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestTransportTracesRedactedAndPassesBodiesOn(t *testing.T) {
	const (
		clientSecret = "client-secret-value-1"
		refresh      = "refresh-token-value-2"
		access       = "eyJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJjZGYifQ.access-signature-3"
	)
	var gotForm url.Values
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil {
			t.Errorf("parse form: %v", err)
		}
		gotForm = r.PostForm
		w.Header().Set("Content-Type", "application/json")
		http.SetCookie(w, &http.Cookie{Name: "fpc", Value: "cookie-value-4"})
		_, _ = io.WriteString(w, `{"token_type":"Bearer","access_token":"`+access+`","refresh_token":"`+refresh+`","expires_in":3599}`)
	}))
	defer srv.Close()

	var trace bytes.Buffer
	clock := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	tr := New(nil, &trace)
	tr.Now = func() time.Time { clock = clock.Add(25 * time.Millisecond); return clock }
	client := &http.Client{Transport: tr}
	form := url.Values{"grant_type": {"refresh_token"}, "client_secret": {clientSecret}, "refresh_token": {refresh}}
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/tenant/oauth2/v2.0/token?code=query-code-5", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Authorization", "Bearer "+access)
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()

	if gotForm.Get("client_secret") != clientSecret || gotForm.Get("refresh_token") != refresh {
		t.Errorf("server got a changed form: %v", gotForm)
	}
	if !strings.Contains(string(body), access) {
		t.Errorf("client got a changed body: %s", body)
	}
	out := trace.String()
	for _, s := range []string{clientSecret, refresh, access, "access-signature-3", "cookie-value-4", "query-code-5"} {
		if strings.Contains(out, s) {
			t.Errorf("trace contains %q:\n%s", s, out)
		}
	}
	for _, want := range []string{"> POST " + srv.URL + "/tenant/oauth2/v2.0/token", "< 200 OK (25ms) POST", "grant_type=refresh_token", `"token_type":"Bearer"`, "Authorization: Bearer REDACTED("} {
		if !strings.Contains(out, want) {
			t.Errorf("trace lacks %q:\n%s", want, out)
		}
	}
}

func TestTransportTracesErrors(t *testing.T) {
	var trace bytes.Buffer
	client := Wrap(&http.Client{Timeout: time.Second}, &trace)
	srv := httptest.NewServer(http.NotFoundHandler())
	addr := srv.URL
	srv.Close() // connection refused from now on
	_, err := client.Get(addr + "/x?refresh_token=rt-in-query-6")
	if err == nil {
		t.Fatal("want an error from a closed server")
	}
	out := trace.String()
	if !strings.Contains(out, "error after") || strings.Contains(out, "rt-in-query-6") {
		t.Errorf("trace:\n%s", out)
	}
}

func TestWrapKeepsClientSettings(t *testing.T) {
	base := &http.Client{Timeout: 7 * time.Second}
	c := Wrap(base, io.Discard)
	if c == base || c.Timeout != 7*time.Second {
		t.Errorf("Wrap must copy the client and keep its timeout")
	}
	if _, ok := c.Transport.(*Transport); !ok || base.Transport != nil {
		t.Errorf("Wrap must set the copy's transport only")
	}
	if Wrap(nil, io.Discard).Transport == nil {
		t.Error("Wrap(nil) must trace the default transport")
	}
}

func TestUnwrapRewrap(t *testing.T) {
	var trace bytes.Buffer
	inner := &http.Transport{}
	tr := New(inner, &trace)
	if tr.Unwrap() != inner {
		t.Fatal("Unwrap must return the wrapped transport")
	}
	if New(nil, nil).Unwrap() != http.DefaultTransport {
		t.Fatal("Unwrap of a nil base must be the default transport")
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()
	again := tr.Rewrap(inner.Clone())
	if _, err := (&http.Client{Transport: again}).Get(srv.URL + "/rewrapped"); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(trace.String(), "/rewrapped") {
		t.Errorf("Rewrap must trace to the same output:\n%s", trace.String())
	}
}
