package sandbox

import (
	"encoding/json"
	"errors"
	"net/http"
	"time"
)

// Settings describe a running sandbox for other processes: where it is,
// which apps and users it has. It holds no secrets (the secret app's
// secret is the published constant SecretAppSecret).
type Settings struct {
	Authority string `json:"authority"`
	// AuthorityHost is the Entra-like host without a tenant: where a
	// tenant is found by domain (<host>/<domain>/v2.0/.well-known/…).
	AuthorityHost     string `json:"authority_host"`
	Issuer            string `json:"issuer"`
	TenantID          string `json:"tenant_id"`
	TenantDomain      string `json:"tenant_domain"`
	CDFURL            string `json:"cdf_url"`
	Scope             string `json:"scope"`
	Project           string `json:"project,omitempty"`
	RestrictedProject string `json:"restricted_project,omitempty"`
	DeviceLoginURL    string `json:"device_login_url"`
	AdminURL          string `json:"admin_url"`
	CAFile            string `json:"ca_file,omitempty"`
	DeviceInterval    string `json:"device_interval"`
	// IssParameter: authorization responses carry iss (RFC 9207); see
	// Options.IssParameter.
	IssParameter bool          `json:"iss_parameter,omitempty"`
	Apps         []AppSettings `json:"apps"`
	Users        []UserInfo    `json:"users"`
	// IdPs are the Cognito user pool and the OIDC provider (idp.go).
	IdPs []IdPSettings `json:"idps,omitempty"`
}

// AppSettings is an app registration as Settings shows it.
type AppSettings struct {
	Key                   string   `json:"key"`
	Name                  string   `json:"name"`
	ClientID              string   `json:"client_id"`
	PublicClientFlows     bool     `json:"public_client_flows"`
	RedirectURIs          []string `json:"redirect_uris,omitempty"`
	WebRedirectURIs       []string `json:"web_redirect_uris,omitempty"`
	HasSecret             bool     `json:"has_secret,omitempty"`
	CertificateThumbprint string   `json:"certificate_thumbprint,omitempty"`
	Consented             bool     `json:"consented"`
}

// UserInfo is a user as Settings shows it.
type UserInfo struct {
	Username string `json:"username"`
	Name     string `json:"name"`
	ObjectID string `json:"object_id"`
	Groups   int    `json:"groups"`
}

// Settings returns the description of the running sandbox.
func (s *Sandbox) Settings() Settings {
	st := Settings{
		Authority:      s.AuthorityURL(),
		AuthorityHost:  s.entraURL,
		Issuer:         s.issuerV2(),
		TenantID:       s.world.TenantID,
		TenantDomain:   s.world.TenantDomain,
		CDFURL:         s.cdfURL,
		Scope:          s.cdfURL + "/.default",
		DeviceLoginURL: s.DeviceLoginURL(),
		AdminURL:       s.entraURL + "/_sandbox",
		DeviceInterval: s.opts.DeviceInterval.String(),
		IssParameter:   s.opts.IssParameter,
	}
	if len(s.world.Projects) > 0 {
		st.Project = s.world.Projects[0].Name
	}
	if len(s.world.Projects) > 1 {
		st.RestrictedProject = s.world.Projects[1].Name
	}
	for _, a := range s.world.Apps {
		as := AppSettings{Key: a.Key, Name: a.Name, ClientID: a.ClientID, PublicClientFlows: a.PublicClientFlows,
			RedirectURIs: a.PublicRedirectURIs, WebRedirectURIs: a.WebRedirectURIs, HasSecret: len(a.Secrets) > 0, Consented: a.Consented}
		if len(a.Certificates) > 0 {
			as.CertificateThumbprint = a.Certificates[0].ThumbprintSHA1()
		}
		st.Apps = append(st.Apps, as)
	}
	for _, u := range s.world.Users {
		st.Users = append(st.Users, UserInfo{Username: u.Username, Name: u.Name, ObjectID: u.ObjectID, Groups: len(s.groupsOf(u))})
	}
	st.IdPs = s.idpSettings()
	return st
}

// adminRoutes is the HTTP admin API for other processes (testscript,
// bench, a person with curl):
//
//	GET    /_sandbox/settings                 Settings JSON
//	GET    /_sandbox/requests                 {"counts":{…},"requests":[…]}
//	DELETE /_sandbox/requests                 clear the log
//	POST   /_sandbox/device/approve           {"user_code":"…","username":"…"}
//	POST   /_sandbox/device/decline           {"user_code":"…"}
//	GET    /_sandbox/device/pending           {"user_codes":[…]}
//	POST   /_sandbox/faults                   a Fault
//	DELETE /_sandbox/faults                   clear faults
//	POST   /_sandbox/refresh-tokens/expire    {"username":"…"} (empty: everyone; Entra, Cognito and OIDC)
//	POST   /_sandbox/consent/revoke           {"app":"browser"} (key or client ID)
//	POST   /_sandbox/clock/advance            {"by":"1h30m"}
//	GET    /_sandbox/users/{user}/groups      {"ok":true,"username":"…","groups":[{"id":"…","name":"…"}]}
//	POST   /_sandbox/users/{user}/groups      {"add":["Marketing"],"remove":["…"]} (object IDs or names;
//	                                          the user by username, object ID or "alice"); answers as GET
//	GET    /_sandbox/certificate.pem          certificate app's cert + key (PEM)
//	GET    /_sandbox/certificate.pfx          the same as PKCS#12 (password CertificatePFXPassword)
func (s *Sandbox) adminRoutes(m *http.ServeMux) {
	s.groupRoutes(m)
	m.HandleFunc("GET /_sandbox/settings", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, s.Settings())
	})
	m.HandleFunc("GET /_sandbox/requests", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, map[string]any{"counts": s.Counts(), "requests": s.Requests()})
	})
	m.HandleFunc("DELETE /_sandbox/requests", func(w http.ResponseWriter, _ *http.Request) {
		s.ResetRequests()
		writeJSON(w, http.StatusOK, map[string]any{"ok": true})
	})
	m.HandleFunc("POST /_sandbox/device/approve", func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			UserCode string `json:"user_code"`
			Username string `json:"username"`
		}
		if !readJSON(w, r, &body) {
			return
		}
		adminResult(w, s.ApproveDeviceCode(body.UserCode, body.Username))
	})
	m.HandleFunc("POST /_sandbox/device/decline", func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			UserCode string `json:"user_code"`
		}
		if !readJSON(w, r, &body) {
			return
		}
		adminResult(w, s.DeclineDeviceCode(body.UserCode))
	})
	m.HandleFunc("GET /_sandbox/device/pending", func(w http.ResponseWriter, _ *http.Request) {
		codes := s.PendingUserCodes()
		if codes == nil {
			codes = []string{}
		}
		writeJSON(w, http.StatusOK, map[string]any{"user_codes": codes})
	})
	m.HandleFunc("POST /_sandbox/faults", func(w http.ResponseWriter, r *http.Request) {
		var f Fault
		if !readJSON(w, r, &f) {
			return
		}
		adminResult(w, s.InjectFault(f))
	})
	m.HandleFunc("DELETE /_sandbox/faults", func(w http.ResponseWriter, _ *http.Request) {
		s.ClearFaults()
		adminResult(w, nil)
	})
	m.HandleFunc("POST /_sandbox/refresh-tokens/expire", func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			Username string `json:"username"`
		}
		if r.ContentLength != 0 && !readJSON(w, r, &body) {
			return
		}
		n := s.ExpireRefreshTokens(body.Username) + s.ExpireIdPRefreshTokens(body.Username)
		writeJSON(w, http.StatusOK, map[string]any{"ok": true, "expired": n})
	})
	m.HandleFunc("POST /_sandbox/consent/revoke", func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			App string `json:"app"`
		}
		if !readJSON(w, r, &body) {
			return
		}
		adminResult(w, s.RevokeConsent(body.App))
	})
	m.HandleFunc("POST /_sandbox/clock/advance", func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			By string `json:"by"`
		}
		if !readJSON(w, r, &body) {
			return
		}
		d, err := time.ParseDuration(body.By)
		if err != nil || d < 0 {
			adminResult(w, errors.New(`"by" must be a positive duration such as "90m"`))
			return
		}
		s.Advance(d)
		writeJSON(w, http.StatusOK, map[string]any{"ok": true, "now": s.Now().UTC()})
	})
	m.HandleFunc("GET /_sandbox/certificate.pem", func(w http.ResponseWriter, _ *http.Request) {
		c, ok := s.certificate()
		if !ok {
			writeJSON(w, http.StatusNotFound, map[string]any{"error": "no certificate app"})
			return
		}
		w.Header().Set("Content-Type", "application/x-pem-file")
		_, _ = w.Write(c.PEM())
	})
	m.HandleFunc("GET /_sandbox/certificate.pfx", func(w http.ResponseWriter, _ *http.Request) {
		c, ok := s.certificate()
		if !ok {
			writeJSON(w, http.StatusNotFound, map[string]any{"error": "no certificate app"})
			return
		}
		w.Header().Set("Content-Type", "application/x-pkcs12")
		_, _ = w.Write(c.PFX)
	})
}

func (s *Sandbox) certificate() (Certificate, bool) {
	for _, a := range s.world.Apps {
		if len(a.Certificates) > 0 {
			return a.Certificates[0], true
		}
	}
	return Certificate{}, false
}

func readJSON(w http.ResponseWriter, r *http.Request, v any) bool {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<16))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]any{"ok": false, "error": "bad JSON body: " + err.Error()})
		return false
	}
	return true
}

func adminResult(w http.ResponseWriter, err error) {
	if err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]any{"ok": false, "error": err.Error()})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"ok": true})
}
