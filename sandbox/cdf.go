package sandbox

import (
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strings"

	"github.com/golang-jwt/jwt/v5"
)

func (s *Sandbox) cdfMux() *http.ServeMux {
	m := http.NewServeMux()
	m.HandleFunc("GET /api/v1/token/inspect", s.handleInspect)
	m.HandleFunc("GET /api/v1/projects/{project}/groups", s.handleGroups)
	m.HandleFunc("GET /api/v1/projects/{project}", s.handleProject)
	m.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if _, ok := s.bearer(w, r); !ok {
			return
		}
		writeCDFError(w, http.StatusNotFound, "Not found: "+r.URL.Path)
	})
	return m
}

// writeCDFError writes CDF's error shape.
func writeCDFError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]any{"error": map[string]any{"code": status, "message": msg}})
}

// identity is a verified CDF caller.
type identity struct {
	subject string
	groups  []string
	idp     string // "" the Entra tenant, IdPCognito or IdPOIDC (idpcdf.go)
}

// bearer checks the Authorization header like CDF: RS256 signature by the
// tenant key, aud = the CDF URL, exp/nbf, issuer of the tenant. It writes
// the 401 itself.
func (s *Sandbox) bearer(w http.ResponseWriter, r *http.Request) (identity, bool) {
	h := r.Header.Get("Authorization")
	raw, ok := strings.CutPrefix(h, "Bearer ")
	if !ok || strings.TrimSpace(raw) == "" {
		writeCDFError(w, http.StatusUnauthorized, "Unauthorized")
		return identity{}, false
	}
	if id, ours, ok := s.idpBearer(strings.TrimSpace(raw)); ours {
		if !ok {
			writeCDFError(w, http.StatusUnauthorized, "Unauthorized")
		}
		return id, ok
	}
	claims := jwt.MapClaims{}
	_, err := jwt.NewParser(
		jwt.WithValidMethods([]string{"RS256"}),
		jwt.WithTimeFunc(s.Now),
		jwt.WithExpirationRequired(),
	).ParseWithClaims(strings.TrimSpace(raw), claims, func(t *jwt.Token) (any, error) {
		if kid, _ := t.Header["kid"].(string); kid != s.signer.kid {
			return nil, errors.New("unknown kid")
		}
		return &s.signer.key.PublicKey, nil
	})
	if err != nil {
		writeCDFError(w, http.StatusUnauthorized, "Unauthorized")
		return identity{}, false
	}
	aud, _ := claims.GetAudience()
	iss, _ := claims.GetIssuer()
	if !slices.ContainsFunc(aud, func(a string) bool { return strings.EqualFold(strings.TrimRight(a, "/"), s.cdfURL) }) ||
		(iss != s.issuerV2() && iss != s.issuerV1()) {
		writeCDFError(w, http.StatusUnauthorized, "Unauthorized")
		return identity{}, false
	}
	id := identity{}
	id.subject, _ = claims.GetSubject()
	if gs, ok := claims["groups"].([]any); ok {
		for _, g := range gs {
			if str, ok := g.(string); ok {
				id.groups = append(id.groups, str)
			}
		}
	}
	return id, true
}

// memberGroups are the CDF groups of project whose sourceId is one of the
// caller's groups.
func memberGroups(p Project, id identity) []CDFGroup {
	var out []CDFGroup
	if !p.trusts(id) {
		return nil
	}
	for _, g := range p.Groups {
		if g.SourceID != "" && slices.Contains(id.groups, g.SourceID) {
			out = append(out, g)
		}
	}
	return out
}

// handleInspect is GET /api/v1/token/inspect.
func (s *Sandbox) handleInspect(w http.ResponseWriter, r *http.Request) {
	id, ok := s.bearer(w, r)
	if !ok {
		return
	}
	projects := []any{}
	capabilities := []any{}
	for _, p := range s.world.Projects {
		groups := memberGroups(p, id)
		if len(groups) == 0 {
			continue
		}
		ids := make([]int64, 0, len(groups))
		for _, g := range groups {
			ids = append(ids, g.ID)
			for _, c := range g.Capabilities {
				capabilities = append(capabilities, inspectCapability{c, p.Name})
			}
		}
		projects = append(projects, map[string]any{"projectUrlName": p.Name, "groups": ids})
	}
	writeJSON(w, http.StatusOK, map[string]any{"subject": id.subject, "projects": projects, "capabilities": capabilities})
}

// inspectCapability is a capability with its projectScope.
type inspectCapability struct {
	c       Capability
	project string
}

func (ic inspectCapability) MarshalJSON() ([]byte, error) {
	scope := ic.c.Scope
	if scope == nil {
		scope = map[string]any{"all": map[string]any{}}
	}
	return json.Marshal(map[string]any{
		ic.c.ACL:       map[string]any{"actions": ic.c.Actions, "scope": scope},
		"projectScope": map[string]any{"projects": []string{ic.project}},
	})
}

// projectAccess finds the project and the caller's groups in it; it
// writes 403 when the caller has none (as CDF does for unknown projects).
func (s *Sandbox) projectAccess(w http.ResponseWriter, r *http.Request) (Project, identity, []CDFGroup, bool) {
	id, ok := s.bearer(w, r)
	if !ok {
		return Project{}, id, nil, false
	}
	p, ok := s.world.project(r.PathValue("project"))
	var groups []CDFGroup
	if ok {
		groups = memberGroups(p, id)
	}
	if len(groups) == 0 {
		writeCDFError(w, http.StatusForbidden, "Resource not found. This may also be due to insufficient access rights.")
		return Project{}, id, nil, false
	}
	return p, id, groups, true
}

// handleGroups is GET /api/v1/projects/{project}/groups?all=.
func (s *Sandbox) handleGroups(w http.ResponseWriter, r *http.Request) {
	p, _, mine, ok := s.projectAccess(w, r)
	if !ok {
		return
	}
	list := mine
	if r.URL.Query().Get("all") == "true" {
		allowed := false
		for _, g := range mine {
			for _, c := range g.Capabilities {
				if c.ACL == "groupsAcl" && slices.Contains(c.Actions, "LIST") && c.allScope() {
					allowed = true
				}
			}
		}
		if !allowed {
			writeCDFError(w, http.StatusForbidden, "Forbidden: listing all groups needs groupsAcl:LIST with scope all")
			return
		}
		list = p.Groups
	}
	items := make([]any, 0, len(list))
	for _, g := range list {
		md := g.Metadata
		if md == nil {
			md = map[string]string{}
		}
		caps := g.Capabilities
		if caps == nil {
			caps = []Capability{}
		}
		item := map[string]any{"id": g.ID, "name": g.Name, "capabilities": caps, "metadata": md, "isDeleted": false}
		if g.SourceID != "" {
			item["sourceId"] = g.SourceID
		}
		items = append(items, item)
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": items})
}

// handleProject is GET /api/v1/projects/{project}.
func (s *Sandbox) handleProject(w http.ResponseWriter, r *http.Request) {
	p, _, _, ok := s.projectAccess(w, r)
	if !ok {
		return
	}
	if p.IdP != "" {
		writeJSON(w, http.StatusOK, map[string]any{"name": p.Name, "urlName": p.Name,
			"userProfilesConfiguration": map[string]any{"enabled": false}, "oidcConfiguration": s.idpOIDCConfiguration(p)})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"name":                      p.Name,
		"urlName":                   p.Name,
		"userProfilesConfiguration": map[string]any{"enabled": false},
		"oidcConfiguration": map[string]any{
			"jwksUrl":                s.AuthorityURL() + "/discovery/v2.0/keys",
			"tokenUrl":               s.tokenEndpoint(s.world.TenantID),
			"issuer":                 s.issuerV2(),
			"audience":               s.cdfURL,
			"skewMs":                 0,
			"accessClaims":           []any{map[string]any{"claimName": "groups"}},
			"scopeClaims":            []any{map[string]any{"claimName": "scp"}},
			"logClaims":              []any{map[string]any{"claimName": "azp"}, map[string]any{"claimName": "appid"}},
			"isGroupCallbackEnabled": false,
			"identityProviderScope":  "",
		},
	})
}
