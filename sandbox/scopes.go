package sandbox

import (
	"slices"
	"strings"
)

// graphResource is what Entra mints a token for when only OIDC scopes are
// asked for.
const graphResource = "https://graph.microsoft.com"

// cdfDelegatedScopes are the delegated permissions the Cognite API exposes.
var cdfDelegatedScopes = []string{"user_impersonation", "IDENTITY"}

// scopeRequest is a parsed "scope" parameter.
type scopeRequest struct {
	raw          string
	resource     string // resource URI (no trailing slash); "" when only OIDC scopes
	names        []string
	defaultScope bool // <resource>/.default
	openid       bool
	profile      bool
	email        bool
	offline      bool
	version      int // token version of the resource
}

// resourceVersion finds a resource URI; ok is false when the tenant has no
// such resource principal.
func (s *Sandbox) resourceVersion(uri string) (version int, ok bool) {
	if strings.EqualFold(uri, s.cdfURL) {
		return s.world.CDFTokenVersion, true
	}
	for _, c := range s.world.Clusters {
		if strings.EqualFold(strings.TrimRight(c.URI, "/"), uri) {
			if c.TokenVersion == 0 {
				return 2, true
			}
			return c.TokenVersion, true
		}
	}
	return 0, false
}

// oidcScope reports whether s is one of the OpenID Connect scopes Entra
// handles itself.
func oidcScope(s string) bool {
	switch strings.ToLower(s) {
	case "openid", "profile", "email", "offline_access":
		return true
	}
	return false
}

// parseScope parses a scope parameter the way Entra's v2 endpoint does.
func (s *Sandbox) parseScope(raw string) (scopeRequest, *entraError) {
	req := scopeRequest{raw: raw}
	fields := strings.Fields(raw)
	if len(fields) == 0 {
		return req, errInvalidScope(raw)
	}
	for _, f := range fields {
		switch strings.ToLower(f) {
		case "openid":
			req.openid = true
			continue
		case "profile":
			req.profile = true
			continue
		case "email":
			req.email = true
			continue
		case "offline_access":
			req.offline = true
			continue
		}
		i := strings.LastIndex(f, "/")
		if i <= 0 || !strings.HasPrefix(strings.ToLower(f), "https://") || i < len("https://") {
			return req, errInvalidScope(raw)
		}
		res, name := strings.TrimRight(f[:i], "/"), f[i+1:]
		if name == "" {
			return req, errInvalidScope(raw)
		}
		if req.resource != "" && !strings.EqualFold(req.resource, res) {
			return req, errIncompatibleScopes(raw)
		}
		req.resource = res
		if name == ".default" {
			req.defaultScope = true
		} else {
			req.names = append(req.names, name)
		}
	}
	if req.defaultScope && len(req.names) > 0 {
		return req, errIncompatibleScopes(raw)
	}
	if req.resource == "" {
		req.version = 2
		return req, nil
	}
	v, ok := s.resourceVersion(req.resource)
	if !ok {
		return req, errResourceNotFound(req.resource, s.world.TenantID)
	}
	req.version = v
	for _, n := range req.names {
		if !slices.ContainsFunc(cdfDelegatedScopes, func(c string) bool { return strings.EqualFold(c, n) }) {
			return req, errInvalidScope(raw)
		}
	}
	return req, nil
}

// audience is the resource the access token is for.
func (r scopeRequest) audience() string {
	if r.resource == "" {
		return graphResource
	}
	return r.resource
}

// delegated is the scp claim: the named scopes, or every consented one for
// .default.
func (r scopeRequest) delegated() []string {
	if r.resource == "" {
		return []string{"openid", "profile", "email", "User.Read"}
	}
	if r.defaultScope {
		return cdfDelegatedScopes
	}
	return r.names
}

// granted is the "scope" of the token response: the resource scopes as
// asked for (fully qualified), so that MSAL finds the token in its cache
// again, plus the OIDC scopes.
func (r scopeRequest) granted() string {
	var out []string
	if r.resource == "" {
		out = append(out, "User.Read")
	} else if r.defaultScope {
		out = append(out, r.resource+"/.default")
	} else {
		for _, n := range r.names {
			out = append(out, r.resource+"/"+n)
		}
	}
	if r.openid {
		out = append(out, "openid")
	}
	if r.profile {
		out = append(out, "profile")
	}
	if r.email {
		out = append(out, "email")
	}
	if r.offline {
		out = append(out, "offline_access")
	}
	return strings.Join(out, " ")
}
