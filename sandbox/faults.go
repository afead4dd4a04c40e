package sandbox

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"
)

// FaultKind is what a fault does to the answer.
type FaultKind string

// Fault kinds. The zero kind answers Status with Body (or an Entra/CDF
// shaped error when Body is empty); with Status 0 it only delays.
const (
	FaultStatus    FaultKind = ""          // Status (+ Retry-After) with Body
	FaultMalformed FaultKind = "malformed" // Status (default 200) with truncated JSON
	FaultHTML      FaultKind = "html"      // Status (default 502) with an HTML page, as a proxy would
	FaultReset     FaultKind = "reset"     // TCP reset, no answer
	FaultClose     FaultKind = "close"     // connection closed without an answer
)

// Fault is an injected failure for requests whose URL path ends with Path
// (e.g. "/oauth2/v2.0/token", "/devicecode", "/api/v1/token/inspect").
type Fault struct {
	Server     string        `json:"server,omitempty"` // "entra", "cdf", "idp" (Cognito and OIDC) or "" for all
	Path       string        `json:"path"`
	Kind       FaultKind     `json:"kind,omitempty"`
	Status     int           `json:"status,omitempty"`
	RetryAfter int           `json:"retry_after,omitempty"` // seconds, sent as Retry-After
	Delay      time.Duration `json:"delay,omitempty"`       // before answering (JSON: nanoseconds)
	DelayText  string        `json:"delay_text,omitempty"`  // JSON alternative to Delay, e.g. "1.5s"
	Body       string        `json:"body,omitempty"`
	Times      int           `json:"times,omitempty"` // how many requests; 0 = until ClearFaults
}

type faultRule struct {
	Fault
	left int // remaining; -1 = unlimited
}

// InjectFault adds a fault; the first matching fault with uses left wins.
func (s *Sandbox) InjectFault(f Fault) error {
	if f.Path == "" {
		return fmt.Errorf("sandbox: fault needs a path")
	}
	if f.DelayText != "" {
		d, err := time.ParseDuration(f.DelayText)
		if err != nil {
			return fmt.Errorf("sandbox: fault delay: %w", err)
		}
		f.Delay = d
	}
	switch f.Kind {
	case FaultStatus, FaultMalformed, FaultHTML, FaultReset, FaultClose:
	default:
		return fmt.Errorf("sandbox: unknown fault kind %q (status, malformed, html, reset, close)", f.Kind)
	}
	left := f.Times
	if left <= 0 {
		left = -1
	}
	s.mu.Lock()
	s.faults = append(s.faults, &faultRule{Fault: f, left: left})
	s.mu.Unlock()
	return nil
}

// ClearFaults removes every fault.
func (s *Sandbox) ClearFaults() {
	s.mu.Lock()
	s.faults = nil
	s.mu.Unlock()
}

func (s *Sandbox) takeFault(server, path string) (Fault, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, f := range s.faults {
		if f.left == 0 || (f.Server != "" && f.Server != server) || !strings.HasSuffix(path, f.Path) {
			continue
		}
		if f.left > 0 {
			f.left--
		}
		return f.Fault, true
	}
	return Fault{}, false
}

// applyFault answers r according to f; it returns false when the request
// should go on to the real handler (delay-only faults).
func (s *Sandbox) applyFault(w http.ResponseWriter, r *http.Request, server string, f Fault) bool {
	if f.Delay > 0 {
		t := time.NewTimer(f.Delay)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			// The caller gave up. Returning would let net/http send an
			// empty 200 on a connection the client may still read (its
			// TLS close_notify can arrive first), which no real server
			// sends: abort the response and close the connection.
			panic(http.ErrAbortHandler)
		}
	}
	if f.RetryAfter > 0 {
		w.Header().Set("Retry-After", fmt.Sprint(f.RetryAfter))
	}
	switch f.Kind {
	case FaultReset, FaultClose:
		hj, ok := w.(http.Hijacker)
		if !ok {
			panic(http.ErrAbortHandler)
		}
		conn, _, err := hj.Hijack()
		if err != nil {
			panic(http.ErrAbortHandler)
		}
		if f.Kind == FaultReset {
			if tc, ok := underlyingTCP(conn); ok {
				_ = tc.SetLinger(0)
			}
		}
		_ = conn.Close()
		return true
	case FaultMalformed:
		status := f.Status
		if status == 0 {
			status = http.StatusOK
		}
		body := f.Body
		if body == "" {
			body = `{"token_type":"Bearer","expires_in":3599,"access_token":"eyJ0eXAiOiJKV1Qi`
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
		return true
	case FaultHTML:
		status := f.Status
		if status == 0 {
			status = http.StatusBadGateway
		}
		body := f.Body
		if body == "" {
			body = "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>corporate-proxy</center></body></html>\n"
		}
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
		return true
	}
	if f.Status == 0 {
		return false
	}
	if f.Body != "" {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(f.Status)
		_, _ = w.Write([]byte(f.Body))
		return true
	}
	if server == "cdf" {
		writeCDFError(w, f.Status, http.StatusText(f.Status))
		return true
	}
	code := "temporarily_unavailable"
	if f.Status < 500 {
		code = "invalid_request"
	}
	e := eErr(code, 90033, "A transient error has occurred. Please try again.")
	e.status = f.Status
	s.writeEntraError(w, r, e)
	return true
}

func underlyingTCP(c net.Conn) (*net.TCPConn, bool) {
	type netConner interface{ NetConn() net.Conn }
	for {
		if tc, ok := c.(*net.TCPConn); ok {
			return tc, true
		}
		nc, ok := c.(netConner)
		if !ok {
			return nil, false
		}
		c = nc.NetConn()
	}
}

// Request is one logged request. It holds no secrets: path only, no query
// or body.
type Request struct {
	Time     time.Time `json:"time"`
	Server   string    `json:"server"` // "entra" or "cdf"
	Method   string    `json:"method"`
	Path     string    `json:"path"`
	Endpoint string    `json:"endpoint"`        // see Count
	Grant    string    `json:"grant,omitempty"` // token endpoint grant_type
	Status   int       `json:"status"`
	Fault    bool      `json:"fault,omitempty"`
}

// endpointName classifies a path: discovery, keys, authorize, login,
// consent, token, devicecode, devicelogin, admin, cdf.inspect, cdf.groups,
// cdf.project, other.
func endpointName(server, path string) string {
	if server == "cdf" {
		switch {
		case path == "/api/v1/token/inspect":
			return "cdf.inspect"
		case strings.HasPrefix(path, "/api/v1/projects/") && strings.HasSuffix(path, "/groups"):
			return "cdf.groups"
		case strings.HasPrefix(path, "/api/v1/projects/"):
			return "cdf.project"
		}
		return "cdf.other"
	}
	if server == "idp" {
		return idpEndpointName(path)
	}
	switch {
	case strings.HasPrefix(path, "/_sandbox/"):
		return "admin"
	case strings.HasSuffix(path, "/.well-known/openid-configuration"):
		return "discovery"
	case strings.HasSuffix(path, "/keys"):
		return "keys"
	case strings.HasSuffix(path, "/oauth2/v2.0/authorize"):
		return "authorize"
	case strings.HasSuffix(path, "/login"):
		return "login"
	case strings.HasSuffix(path, "/consent"):
		return "consent"
	case strings.HasSuffix(path, "/oauth2/v2.0/token"):
		return "token"
	case strings.HasSuffix(path, "/oauth2/v2.0/devicecode"):
		return "devicecode"
	case strings.HasPrefix(path, "/devicelogin"):
		return "devicelogin"
	}
	return "other"
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}

// Hijack lets connection faults through the recorder.
func (r *statusRecorder) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	hj, ok := r.ResponseWriter.(http.Hijacker)
	if !ok {
		return nil, nil, errors.New("sandbox: connection cannot be hijacked")
	}
	return hj.Hijack()
}

// middleware logs every request, counts it and applies faults.
func (s *Sandbox) middleware(server string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ep := endpointName(server, r.URL.Path)
		var grant string
		if isTokenEndpoint(ep) && r.Method == http.MethodPost {
			r.Body = http.MaxBytesReader(w, r.Body, 1<<20)
			if err := r.ParseForm(); err == nil {
				grant = r.PostForm.Get("grant_type")
				if grant == grantDeviceURN {
					grant = grantDeviceMSAL
				}
			}
		}
		rec := &statusRecorder{ResponseWriter: w}
		if server == "cdf" {
			rec.Header().Set("X-Request-Id", newGUID())
		}
		fault := false
		if ep != "admin" {
			if f, ok := s.takeFault(server, r.URL.Path); ok {
				fault = s.applyFault(rec, r, server, f)
			}
		}
		if !fault {
			next.ServeHTTP(rec, r)
		}
		status := rec.status
		if status == 0 && fault {
			status = -1 // connection dropped
		}
		req := Request{Time: s.Now(), Server: server, Method: r.Method, Path: r.URL.Path, Endpoint: ep, Grant: grant, Status: status, Fault: fault}
		s.mu.Lock()
		s.requests = append(s.requests, req)
		if len(s.requests) > maxRequestLog {
			s.requests = append([]Request(nil), s.requests[len(s.requests)-maxRequestLog/2:]...)
		}
		s.mu.Unlock()
		s.logf("sandbox %s %s %s %s -> %d", server, r.Method, r.URL.Path, grant, status)
	})
}

// maxRequestLog bounds the request log of a long-running sandbox.
const maxRequestLog = 20000

// Requests returns the request log (oldest first).
func (s *Sandbox) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// Count returns how many requests reached endpoint (see Request.Endpoint),
// or "token:<grant_type>" for one grant (device polls count as
// "token:device_code").
func (s *Sandbox) Count(endpoint string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	ep, grant, byGrant := strings.Cut(endpoint, ":")
	n := 0
	for _, r := range s.requests {
		if r.Endpoint == ep && (!byGrant || r.Grant == grant) {
			n++
		}
	}
	return n
}

// Counts returns the number of requests per endpoint and per
// "token:<grant>".
func (s *Sandbox) Counts() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]int{}
	for _, r := range s.requests {
		out[r.Endpoint]++
		if r.Grant != "" {
			out[r.Endpoint+":"+r.Grant]++
		}
	}
	return out
}

// ResetRequests clears the request log.
func (s *Sandbox) ResetRequests() {
	s.mu.Lock()
	s.requests = nil
	s.mu.Unlock()
}
