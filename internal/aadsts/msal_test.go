package aadsts

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/AzureAD/microsoft-authentication-library-for-go/apps/confidential"
	"github.com/AzureAD/microsoft-authentication-library-for-go/apps/public"
)

// fakeEntra is a minimal Entra tenant over TLS that answers every token
// request with tokenErr, so that the errors come out of real MSAL code
// paths.
func fakeEntra(t *testing.T, tokenStatus int, tokenErr string) (authority string, client *http.Client) {
	t.Helper()
	const tenant = "00000000-0000-0000-0000-00000000abcd"
	var srv *httptest.Server
	mux := http.NewServeMux()
	mux.HandleFunc("/"+tenant+"/v2.0/.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		base := srv.URL + "/" + tenant
		_ = json.NewEncoder(w).Encode(map[string]any{
			"issuer":                        base + "/v2.0",
			"authorization_endpoint":        base + "/oauth2/v2.0/authorize",
			"token_endpoint":                base + "/oauth2/v2.0/token",
			"device_authorization_endpoint": base + "/oauth2/v2.0/devicecode",
		})
	})
	mux.HandleFunc("/"+tenant+"/oauth2/v2.0/devicecode", func(w http.ResponseWriter, r *http.Request) {
		_ = json.NewEncoder(w).Encode(map[string]any{
			"user_code": "ABCD-EFGH", "device_code": "dc", "verification_uri": "https://microsoft.com/devicelogin",
			"expires_in": 900, "interval": 1, "message": "enter ABCD-EFGH",
		})
	})
	mux.HandleFunc("/"+tenant+"/oauth2/v2.0/token", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(tokenStatus)
		_, _ = w.Write([]byte(tokenErr))
	})
	srv = httptest.NewTLSServer(mux)
	t.Cleanup(srv.Close)
	return srv.URL + "/" + tenant, srv.Client()
}

func TestParseRealMSALErrors(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second) // safety net
	defer cancel()

	t.Run("device code poll (body already read by MSAL)", func(t *testing.T) {
		auth, hc := fakeEntra(t, 400, bodyDeclined)
		app, err := public.New("11111111-2222-3333-4444-555555555555", public.WithAuthority(auth), public.WithHTTPClient(hc), public.WithInstanceDiscovery(false))
		if err != nil {
			t.Fatal(err)
		}
		dc, err := app.AcquireTokenByDeviceCode(ctx, []string{"https://westeurope-1.cognitedata.com/.default"})
		if err != nil {
			t.Fatalf("device code: %v", err)
		}
		_, err = dc.AuthenticationResult(ctx)
		e, ok := Parse(err)
		if !ok {
			t.Fatalf("Parse(%v) failed", err)
		}
		if e.Code != "authorization_declined" || e.HTTPStatus != 400 || e.AADSTS() != 70000 {
			t.Fatalf("parsed %+v", e)
		}
		if x := Explain(e, Context{Flow: FlowDevice}); x.Title != "Sign-in declined" {
			t.Fatalf("explained as %q", x.Title)
		}
	})

	t.Run("client credentials", func(t *testing.T) {
		auth, hc := fakeEntra(t, 401, body7000218)
		cred, err := confidential.NewCredFromSecret("s3cr3t-value-never-shown")
		if err != nil {
			t.Fatal(err)
		}
		app, err := confidential.New(auth, "11111111-2222-3333-4444-555555555555", cred, confidential.WithHTTPClient(hc), confidential.WithInstanceDiscovery(false))
		if err != nil {
			t.Fatal(err)
		}
		_, err = app.AcquireTokenByCredential(ctx, []string{"https://westeurope-1.cognitedata.com/.default"})
		e, ok := Parse(err)
		if !ok || e.Code != "invalid_client" || e.AADSTS() != 7000218 || e.HTTPStatus != 401 || e.Source != SourceToken {
			t.Fatalf("Parse(%v) = %+v, %v", err, e, ok)
		}
		if e.CorrelationID != "9f8e7d6c-aaaa-bbbb-cccc-ddddeeeeffff" {
			t.Errorf("CorrelationID = %q", e.CorrelationID)
		}
		xerr := Wrap(err, Context{})
		if strings.Contains(xerr.Error(), "s3cr3t") || strings.Contains(xerr.(*ExplainedError).Details(), "s3cr3t") {
			t.Fatal("secret in the message")
		}
	})

	t.Run("code redemption", func(t *testing.T) {
		auth, hc := fakeEntra(t, 400, body700082)
		app, err := public.New("11111111-2222-3333-4444-555555555555", public.WithAuthority(auth), public.WithHTTPClient(hc), public.WithInstanceDiscovery(false))
		if err != nil {
			t.Fatal(err)
		}
		_, err = app.AcquireTokenByAuthCode(ctx, "code", "http://localhost:53000", []string{"https://westeurope-1.cognitedata.com/.default"}, public.WithChallenge("verifier"))
		e, ok := Parse(err)
		if !ok || e.Code != "invalid_grant" || e.AADSTS() != 700082 || e.Suberror != "bad_token" || !NeedsInteraction(e) {
			t.Fatalf("Parse(%v) = %+v, %v", err, e, ok)
		}
	})
}
