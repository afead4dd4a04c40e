package flows

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/AzureAD/microsoft-authentication-library-for-go/apps/public"

	"github.com/cognite-tools/cdflogin/internal/aadsts"
	"github.com/cognite-tools/cdflogin/internal/loopback"
	"github.com/cognite-tools/cdflogin/internal/tokencache"
	"github.com/cognite-tools/cdflogin/profiles"
)

// errNoOpener is reported in BrowserFailed when no opener is configured.
var errNoOpener = errors.New("no browser opener configured")

// loginBrowser runs auth code + PKCE with cdflogin's own loopback listener:
// MSAL builds the authorize URL and redeems the code; the listener, the
// state and the PKCE verifier are cdflogin's.
func (s *Service) loginBrowser(ctx context.Context, p profiles.Profile, acc *tokencache.Accessor, events Events) (*Tokens, error) {
	op := fmt.Sprintf("browser sign-in for profile %q", p.Name)
	client, answers, err := s.publicClient(p, acc)
	if err != nil {
		return nil, err
	}
	verifier, challenge, err := pkcePair()
	if err != nil {
		return nil, err
	}
	state, err := randomString(24)
	if err != nil {
		return nil, err
	}
	timeout := s.deps.RedirectTimeout
	if timeout <= 0 {
		timeout = DefaultRedirectTimeout
	}
	l, err := loopback.Listen(ctx, loopback.Config{Port: p.Port(), State: state, Timeout: timeout, Now: s.deps.Now,
		Explain: ExplainContext(p, profiles.FlowBrowser)})
	if err != nil {
		return nil, err // *loopback.PortInUseError names the port, the process and the ways out
	}
	defer func() { _ = l.Close() }()
	redirectURI := l.RedirectURI()

	var urlOpts []public.AuthCodeURLOption
	if p.LoginHint != "" {
		urlOpts = append(urlOpts, public.WithLoginHint(p.LoginHint))
	}
	authURL, err := client.AuthCodeURL(ctx, p.ClientID, redirectURI, withOIDCScopes(p.ScopeList()), urlOpts...)
	if err != nil {
		return nil, classify(op+": build the sign-in URL", err, answers)
	}
	authURL, err = addPKCE(authURL, state, challenge)
	if err != nil {
		return nil, err
	}
	// The mix-up defence (RFC 9207): an authority that names itself in its
	// answers must name itself in this one. Entra does not, so with Entra
	// nothing changes.
	issuer, err := s.issuerToRequire(ctx, p, answers)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	if issuer != "" {
		l.RequireIssuer(issuer)
	}

	emit(events, BrowserOpening{URL: authURL})
	openErr := errNoOpener
	if s.deps.OpenBrowser != nil {
		openErr = s.deps.OpenBrowser(authURL)
	}
	if openErr != nil {
		emit(events, BrowserFailed{URL: authURL, Err: openErr})
	}
	emit(events, WaitingForRedirect{Addr: l.Addr(), Deadline: l.Deadline()})

	res, err := l.Wait(ctx)
	if err != nil {
		var ae *aadsts.Error
		if errors.As(err, &ae) {
			var kind error
			if ae.Code == "access_denied" {
				kind = ErrDeclined
			}
			return nil, &EntraError{Op: op, Err: ae, Kind: kind}
		}
		return nil, fmt.Errorf("%s: %w", op, err)
	}

	emit(events, Redeeming{})
	ar, err := client.AcquireTokenByAuthCode(ctx, res.Code, redirectURI, p.ScopeList(), public.WithChallenge(verifier))
	if err != nil {
		return nil, classify(op+": redeem the authorization code", err, answers)
	}
	return tokensFromResult(p, profiles.FlowBrowser, ar), nil
}

// issuerToRequire is the issuer the browser's answer must name (RFC 9207
// §2.4), or "" when the authority's OpenID configuration does not say its
// answers name one. It is read from the configuration MSAL fetched while
// building the sign-in URL; only if MSAL did not fetch it here is it
// fetched again.
func (s *Service) issuerToRequire(ctx context.Context, p profiles.Profile, answers *answerLog) (string, error) {
	md, ok := answers.issuerMetadata()
	if !ok {
		hc, err := HTTPClient(s.deps.HTTPClient, p)
		if err != nil {
			return "", err
		}
		if md, err = fetchIssuerMetadata(ctx, hc, p.AuthorityURL()); err != nil {
			return "", err
		}
	}
	if !md.IssParameter {
		return "", nil
	}
	if md.Issuer == "" {
		return "", fmt.Errorf("the authority %s says its answers name their issuer (RFC 9207) but its OpenID configuration names none", p.AuthorityURL())
	}
	return md.Issuer, nil
}

// fetchIssuerMetadata reads the issuer and its RFC 9207 flag from the
// authority's v2.0 OpenID configuration.
func fetchIssuerMetadata(ctx context.Context, hc *http.Client, authority string) (issuerMetadata, error) {
	u := strings.TrimRight(authority, "/") + "/v2.0/.well-known/openid-configuration"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return issuerMetadata{}, fmt.Errorf("read the OpenID configuration: %w", err)
	}
	resp, err := hc.Do(req)
	if err != nil {
		return issuerMetadata{}, &NetworkError{Op: "read the authority's OpenID configuration", Err: err}
	}
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode != http.StatusOK {
		return issuerMetadata{}, fmt.Errorf("read the OpenID configuration at %s: HTTP %d", u, resp.StatusCode)
	}
	var md issuerMetadata
	if err := json.NewDecoder(io.LimitReader(resp.Body, maxDiscovery)).Decode(&md); err != nil {
		return issuerMetadata{}, fmt.Errorf("read the OpenID configuration at %s: %w", u, err)
	}
	return md, nil
}

// withOIDCScopes adds openid, offline_access (for a refresh token) and
// profile, which MSAL adds to token requests but not to AuthCodeURL.
func withOIDCScopes(scopes []string) []string {
	out := append([]string(nil), scopes...)
	for _, s := range []string{"openid", "offline_access", "profile"} {
		found := false
		for _, have := range scopes {
			if strings.EqualFold(have, s) {
				found = true
				break
			}
		}
		if !found {
			out = append(out, s)
		}
	}
	return out
}

// pkcePair returns a PKCE verifier (RFC 7636: 43 characters from 32
// random bytes) and its S256 challenge.
func pkcePair() (verifier, challenge string, err error) {
	verifier, err = randomString(32)
	if err != nil {
		return "", "", err
	}
	sum := sha256.Sum256([]byte(verifier))
	return verifier, base64.RawURLEncoding.EncodeToString(sum[:]), nil
}

// randomString is n random bytes, base64url without padding.
func randomString(n int) (string, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("random: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// addPKCE adds state, code_challenge and code_challenge_method=S256 to the
// authorize URL MSAL built (its AuthCodeURL has no PKCE option).
func addPKCE(authURL, state, challenge string) (string, error) {
	u, err := url.Parse(authURL)
	if err != nil {
		return "", fmt.Errorf("sign-in URL: %w", err)
	}
	q := u.Query()
	q.Set("state", state)
	q.Set("code_challenge", challenge)
	q.Set("code_challenge_method", "S256")
	u.RawQuery = q.Encode()
	return u.String(), nil
}
