package insight

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/cognite-tools/cdflogin/flows"
	"github.com/cognite-tools/cdflogin/internal/insight/cdf"
	"github.com/cognite-tools/cdflogin/internal/insight/claims"
	"github.com/cognite-tools/cdflogin/profiles"
)

// Token kinds of a ClaimsReport.
const (
	KindAccess = "access"
	KindID     = "id"
)

// ClaimsInput is what Claims looks at.
type ClaimsInput struct {
	// Profile is the profile whose token is shown, or against whose
	// expectations Token is judged; nil for a token on its own.
	Profile *profiles.Profile
	// Token is the token to show (e.g. read from standard input) when
	// TokenGiven; otherwise the profile's is got from its cache or a
	// silent refresh.
	Token      string
	TokenGiven bool
	// IDToken shows the profile's ID token instead of its access token.
	IDToken bool
	// NoVerify makes no request besides getting the token: the signature
	// is not checked against the issuer's keys, and the project's
	// audience is not asked of CDF.
	NoVerify bool
}

// ClaimsReport is a decoded token with its findings.
type ClaimsReport struct {
	Profile  string // the profile's name; "" for a token on its own
	Kind     string // KindAccess or KindID
	Token    *claims.Token
	Findings []claims.Finding
}

// ErrNoIDToken means an app profile's ID token was asked for: only user
// sign-ins get one.
var ErrNoIDToken = errors.New("only user sign-ins (browser, device) get an ID token")

// Claims decodes the token (the given one, or the profile's got without a
// prompt), runs the checks a profile expects (ExpectFor, with the project's
// own audience when CDF tells it) and verifies the signature against the
// issuer's published keys. A failure to get the profile's token comes back
// as the flows return it, for the caller to explain (diagnosis); a token
// that does not decode gives a *claims.DecodeError.
func Claims(ctx context.Context, d Deps, in ClaimsInput) (*ClaimsReport, error) {
	rep := &ClaimsReport{Kind: KindAccess}
	raw, fresh := in.Token, false
	if in.IDToken {
		rep.Kind = KindID
	}
	if in.Profile != nil {
		rep.Profile = in.Profile.Name
	}
	if !in.TokenGiven {
		if in.Profile == nil {
			return nil, errors.New("no token and no profile to get one from")
		}
		p := *in.Profile
		svc, err := d.Flows()
		if err != nil {
			return nil, err
		}
		t, err := svc.Silent(ctx, p, flows.SilentOptions{})
		if err != nil {
			return nil, err
		}
		raw, fresh = t.AccessToken, !t.FromCache
		if in.IDToken {
			raw = t.IDToken
			if raw == "" {
				return nil, fmt.Errorf("profile %q has no ID token: %w", p.Name, ErrNoIDToken)
			}
		}
	}
	tok, err := claims.Decode(raw)
	if err != nil {
		if !in.TokenGiven {
			return nil, fmt.Errorf("profile %q's %s token: %w", rep.Profile, rep.Kind, err)
		}
		return nil, err
	}
	rep.Token = tok
	exp := claims.Expect{Now: d.now(), Fresh: fresh}
	if in.Profile != nil {
		p := *in.Profile
		exp = ExpectFor(p, exp.Now, fresh)
		if !in.IDToken && !in.NoVerify {
			exp = WithProjectAudience(exp, p, projectAudience(ctx, d, p, raw))
		}
	}
	exp.IDToken = in.IDToken
	rep.Findings = claims.Check(tok, exp)
	if !in.NoVerify {
		rep.Findings = append(rep.Findings, verify(ctx, d, in.Profile, tok))
	}
	return rep, nil
}

// projectAudience is the audience CDF has configured for p's project, as
// its project answer says (it needs projects:read); "" when it cannot be
// had, and the scopes then decide.
func projectAudience(ctx context.Context, d Deps, p profiles.Profile, token string) string {
	if p.Project == "" {
		return ""
	}
	hc, err := d.HTTPClient(p)
	if err != nil {
		return ""
	}
	c := cdf.New(p.BaseURL(), hc, token)
	c.UserAgent = d.UserAgent
	proj, err := c.Project(ctx, p.Project)
	if err != nil || proj.OIDCConfiguration == nil {
		return ""
	}
	return proj.OIDCConfiguration.Audience
}

// microsoftIssuerHosts are the hosts whose keys may be fetched for a
// token without a profile (never a host the token names freely: that
// would make cdflogin fetch any URL a token says).
var microsoftIssuerHosts = map[string]string{
	"sts.windows.net":           "https://login.microsoftonline.com",
	"login.microsoftonline.com": "https://login.microsoftonline.com",
	"login.microsoftonline.us":  "https://login.microsoftonline.us",
	"login.chinacloudapi.cn":    "https://login.chinacloudapi.cn",
}

// verify checks tok's signature against the keys of the profile's
// authority, or, without a profile, of the Microsoft login host the
// token's issuer names.
func verify(ctx context.Context, d Deps, p *profiles.Profile, tok *claims.Token) claims.Finding {
	var authority string
	var prof profiles.Profile
	if p != nil {
		prof = *p
		authority = p.AuthorityURL()
	} else {
		u, err := url.Parse(tok.Issuer())
		base, ok := "", false
		if err == nil {
			base, ok = microsoftIssuerHosts[strings.ToLower(u.Hostname())]
		}
		tid := tok.TenantID()
		if !ok || !claims.IsGUID(tid) {
			return claims.Finding{Severity: claims.SeverityInfo, ID: claims.IDSignature,
				Message: "signature not checked: the issuer is not a Microsoft login host and no profile names the authority",
				Fix:     "Add -p NAME to check it against that profile's authority"}
		}
		authority = base + "/" + tid
	}
	hc, err := d.HTTPClient(prof)
	if err != nil {
		return claims.Finding{Severity: claims.SeverityWarn, ID: claims.IDSignature, Message: "signature not checked: " + err.Error(), Fix: "Fix the profile's ca_file"}
	}
	if p != nil && !p.IsEntra() {
		return verifyProvider(ctx, hc, *p, tok)
	}
	return claims.VerifySignature(ctx, hc, authority, tok)
}

// verifyProvider checks a Cognito or OIDC token's signature against the
// keys its issuer's discovery document names.
func verifyProvider(ctx context.Context, hc *http.Client, p profiles.Profile, tok *claims.Token) claims.Finding {
	d, err := flows.DiscoverWith(ctx, hc, p)
	if err != nil {
		return claims.Finding{Severity: claims.SeverityWarn, ID: claims.IDSignature, Message: "signature not checked: " + firstLine(err.Error()),
			Fix: "Check the profile's issuer: " + p.DiscoveryURL() + " must answer"}
	}
	return claims.VerifySignatureWith(ctx, hc, &claims.OIDCConfig{Issuer: d.Issuer, JWKSURI: d.JWKSURI}, p.IssuerURL(), tok)
}
