// Command oidcref is the reference client of bench/sidebyside: the least
// a Go program does to print an OIDC client-credential token the way
// kubelogin's get-token does (the same libraries' work, none of its
// framework), so that a measurement on a machine without kubelogin still
// has a floor to compare with.
//
// Warm: the token in its cache file is still valid for 5 minutes; it is
// printed and nothing is sent. Cold: OpenID discovery at the issuer, then
// the client-credentials grant at the token endpoint (client_secret_basic,
// like kubelogin), the token written to the cache file (0600) and printed
// as an ExecCredential. Only the CA file given is trusted, as kubelogin's
// --certificate-authority does.
//
//	oidcref -issuer URL -client-id ID -scope S -ca FILE -cache FILE   # secret in $OIDCREF_SECRET
package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"os"
	"strings"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

func main() {
	issuer := flag.String("issuer", "", "OIDC issuer URL")
	clientID := flag.String("client-id", "", "client ID")
	scope := flag.String("scope", "", "scope to ask for besides openid")
	caFile := flag.String("ca", "", "CA certificate file (PEM), the only one trusted")
	cache := flag.String("cache", "", "token cache file")
	flag.Parse()
	if err := run(*issuer, *clientID, os.Getenv("OIDCREF_SECRET"), *scope, *caFile, *cache); err != nil {
		fmt.Fprintln(os.Stderr, "oidcref:", err)
		os.Exit(1)
	}
}

func run(issuer, clientID, secret, scope, caFile, cache string) error {
	if tok, err := os.ReadFile(cache); err == nil {
		if exp, err := expiry(string(tok)); err == nil && time.Until(exp) > 5*time.Minute {
			return printCredential(string(tok), exp)
		}
	}
	pem, err := os.ReadFile(caFile)
	if err != nil {
		return err
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return errors.New("no certificate in the CA file")
	}
	hc := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}}
	resp, err := hc.Get(strings.TrimSuffix(issuer, "/") + "/.well-known/openid-configuration")
	if err != nil {
		return err
	}
	var doc struct {
		Issuer        string `json:"issuer"`
		TokenEndpoint string `json:"token_endpoint"`
	}
	err = json.NewDecoder(resp.Body).Decode(&doc)
	resp.Body.Close()
	if err != nil {
		return fmt.Errorf("discovery: %w", err)
	}
	if doc.Issuer != issuer {
		return fmt.Errorf("discovery names issuer %q, want %q", doc.Issuer, issuer)
	}
	cc := clientcredentials.Config{ClientID: clientID, ClientSecret: secret, TokenURL: doc.TokenEndpoint,
		Scopes: []string{"openid", scope}, AuthStyle: oauth2.AuthStyleInHeader}
	tok, err := cc.Token(context.WithValue(context.Background(), oauth2.HTTPClient, hc))
	if err != nil {
		return err
	}
	if err := os.WriteFile(cache, []byte(tok.AccessToken), 0o600); err != nil {
		return err
	}
	exp, err := expiry(tok.AccessToken)
	if err != nil {
		return err
	}
	return printCredential(tok.AccessToken, exp)
}

// expiry is the exp claim of a JWT (not verified: it is our own cache).
func expiry(jwt string) (time.Time, error) {
	parts := strings.Split(strings.TrimSpace(jwt), ".")
	if len(parts) != 3 {
		return time.Time{}, errors.New("not a JWT")
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return time.Time{}, err
	}
	var claims struct {
		Exp int64 `json:"exp"`
	}
	if err := json.Unmarshal(payload, &claims); err != nil {
		return time.Time{}, err
	}
	return time.Unix(claims.Exp, 0), nil
}

func printCredential(token string, exp time.Time) error {
	out := map[string]any{
		"kind":       "ExecCredential",
		"apiVersion": "client.authentication.k8s.io/v1",
		"spec":       map[string]any{"interactive": false},
		"status":     map[string]any{"token": token, "expirationTimestamp": exp.UTC().Format(time.RFC3339)},
	}
	return json.NewEncoder(os.Stdout).Encode(out)
}
