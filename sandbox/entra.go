package sandbox

import (
	"net/http"
	"strings"
)

func (s *Sandbox) entraMux() *http.ServeMux {
	m := http.NewServeMux()
	m.HandleFunc("GET /{$}", s.handleHome)
	m.HandleFunc("GET /{tenant}/v2.0/.well-known/openid-configuration", s.handleDiscovery)
	m.HandleFunc("GET /{tenant}/.well-known/openid-configuration", s.handleDiscovery)
	m.HandleFunc("GET /{tenant}/discovery/v2.0/keys", s.handleKeys)
	m.HandleFunc("GET /{tenant}/discovery/keys", s.handleKeys)
	m.HandleFunc("GET /{tenant}/oauth2/v2.0/authorize", s.handleAuthorize)
	m.HandleFunc("POST /{tenant}/oauth2/v2.0/authorize", s.handleAuthorize)
	m.HandleFunc("POST /{tenant}/login", s.handleLogin)
	m.HandleFunc("POST /{tenant}/consent", s.handleConsent)
	m.HandleFunc("POST /{tenant}/oauth2/v2.0/token", s.handleToken)
	m.HandleFunc("POST /{tenant}/oauth2/v2.0/devicecode", s.handleDeviceCode)
	m.HandleFunc("GET /devicelogin", s.handleDeviceLoginPage)
	m.HandleFunc("POST /devicelogin", s.handleDeviceLoginCode)
	m.HandleFunc("POST /devicelogin/confirm", s.handleDeviceLoginConfirm)
	m.HandleFunc("GET /error", s.handleErrorPage)
	m.HandleFunc("GET /favicon.ico", handleFavicon)
	s.adminRoutes(m)
	return m
}

// handleDiscovery serves the OIDC metadata (v2 layout; v1 at the v1 path).
func (s *Sandbox) handleDiscovery(w http.ResponseWriter, r *http.Request) {
	tenant := r.PathValue("tenant")
	if !s.tenantOK(tenant) {
		s.writeEntraError(w, r, errTenantNotFound(tenant))
		return
	}
	// As Entra: a tenant asked for by domain (or ID) answers with its
	// tenant ID in the issuer and every endpoint, so that a domain's
	// document tells its tenant; common and organizations keep their
	// name in the endpoints and a template in the issuer.
	tid := s.world.TenantID
	base := s.entraURL + "/" + tid
	if strings.EqualFold(tenant, "common") || strings.EqualFold(tenant, "organizations") {
		tid = "{tenantid}"
		base = s.entraURL + "/" + tenant
	}
	v2 := strings.Contains(r.URL.Path, "/v2.0/")
	doc := map[string]any{
		"token_endpoint_auth_methods_supported": []string{"client_secret_post", "private_key_jwt", "client_secret_basic"},
		"response_modes_supported":              []string{"query", "fragment", "form_post"},
		"subject_types_supported":               []string{"pairwise"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"response_types_supported":              []string{"code", "id_token", "code id_token", "id_token token"},
		"scopes_supported":                      []string{"openid", "profile", "email", "offline_access"},
		"request_uri_parameter_supported":       false,
		"userinfo_endpoint":                     "https://graph.microsoft.com/oidc/userinfo",
		"http_logout_supported":                 true,
		"frontchannel_logout_supported":         true,
		"claims_supported": []string{"sub", "iss", "cloud_instance_name", "cloud_instance_host_name", "cloud_graph_host_name",
			"msgraph_host", "aud", "exp", "iat", "auth_time", "acr", "nonce", "preferred_username", "name", "tid", "ver",
			"at_hash", "c_hash", "email"},
		"kerberos_endpoint":             base + "/kerberos",
		"tenant_region_scope":           "EU",
		"cloud_instance_name":           "microsoftonline.com",
		"cloud_graph_host_name":         "graph.windows.net",
		"msgraph_host":                  "graph.microsoft.com",
		"rbac_url":                      "https://pas.windows.net",
		"device_authorization_endpoint": base + "/oauth2/v2.0/devicecode",
	}
	if s.opts.IssParameter && tid != "{tenantid}" {
		// RFC 9207 §3: the server says it sends iss; a templated issuer
		// (common, organizations) cannot be compared, so it is not said.
		doc["authorization_response_iss_parameter_supported"] = true
	}
	if v2 {
		doc["token_endpoint"] = base + "/oauth2/v2.0/token"
		doc["jwks_uri"] = base + "/discovery/v2.0/keys"
		doc["issuer"] = s.entraURL + "/" + tid + "/v2.0"
		doc["authorization_endpoint"] = base + "/oauth2/v2.0/authorize"
		doc["end_session_endpoint"] = base + "/oauth2/v2.0/logout"
	} else {
		doc["token_endpoint"] = base + "/oauth2/token"
		doc["jwks_uri"] = base + "/discovery/keys"
		doc["issuer"] = "https://sts.windows.net/" + tid + "/"
		doc["authorization_endpoint"] = base + "/oauth2/authorize"
		doc["end_session_endpoint"] = base + "/oauth2/logout"
	}
	writeJSON(w, http.StatusOK, doc)
}

// handleKeys serves the JWKS.
func (s *Sandbox) handleKeys(w http.ResponseWriter, r *http.Request) {
	tenant := r.PathValue("tenant")
	if !s.tenantOK(tenant) {
		s.writeEntraError(w, r, errTenantNotFound(tenant))
		return
	}
	issuer := s.issuerV2()
	if !strings.Contains(r.URL.Path, "/v2.0/") {
		issuer = s.issuerV1()
	}
	writeJSON(w, http.StatusOK, map[string]any{"keys": []any{s.signer.jwk(issuer)}})
}
