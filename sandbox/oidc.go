package sandbox

import (
	"net/http"
	"time"
)

// oidcRoutes serves the generic OpenID provider below /oidc.
func (s *Sandbox) oidcRoutes(m *http.ServeMux) {}

// idpDevice is an outstanding device authorization of the OIDC provider.
type idpDevice struct{ expires time.Time }
