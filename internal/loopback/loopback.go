// Package loopback receives the browser's redirect of the auth code + PKCE
// sign-in on http://localhost:PORT. Unlike MSAL's own listener it binds the
// loopback addresses only, checks the Host header and the state, ignores
// stray requests (favicon, wrong path) without ending the sign-in, accepts
// exactly one answer (query GET or form_post POST), keeps Entra's error code,
// refuses an answer from another issuer when the authorization server says
// it names itself (RFC 9207), serves a clear page, and times out or is
// cancelled through the context.
package loopback

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/cognite-tools/cdflogin/internal/aadsts"
)

// DefaultTimeout is how long Wait waits for the browser when
// Config.Timeout is zero.
const DefaultTimeout = 5 * time.Minute

// maxForm bounds the body of a form_post answer.
const maxForm = 64 << 10

// Config configures Listen.
type Config struct {
	// Port is the TCP port on the loopback addresses; 0 picks a free one
	// (for tests: Entra must have the redirect URI registered).
	Port int
	// State is the OAuth state sent in the authorize request; answers with
	// another state are refused. Required.
	State string
	// Issuer is the authorization server's issuer identifier when its
	// metadata advertises authorization_response_iss_parameter_supported
	// (RFC 9207): every answer must then carry exactly this iss, or it is
	// refused. Empty when the server does not name itself (Entra). It can
	// also be set after Listen, with RequireIssuer.
	Issuer string
	// Timeout bounds the wait for the browser, counted from Listen
	// (DefaultTimeout when zero).
	Timeout time.Duration
	// Now is the clock used for Deadline (time.Now when nil).
	Now func() time.Time
	// FindProcess names the process holding a port ("firefox (pid 123)"),
	// or "" when unknown. nil means the Linux /proc lookup; use
	// NoProcessLookup to turn it off.
	FindProcess func(port int) string
	// Listen opens a listening socket (net.Listen when nil); tests inject
	// failures through it.
	Listen func(network, address string) (net.Listener, error)
	// Explain fills in the fix the error page shows (the profile's client
	// ID, tenant and cluster); its RedirectURI is the listener's when empty.
	Explain aadsts.Context
}

// NoProcessLookup is a Config.FindProcess that never finds anything.
func NoProcessLookup(int) string { return "" }

// Result is a successful answer of the browser.
type Result struct {
	// Code is the authorization code, to redeem with the same redirect URI.
	Code string
}

// Listener is a running loopback redirect listener.
type Listener struct {
	port     int
	deadline time.Time
	servers  []*http.Server
	lns      []net.Listener
	h        *handler

	mu        sync.Mutex // guards timer and stopCtx while Listen sets them
	timer     *time.Timer
	stopCtx   func() bool
	closeOnce sync.Once
	closeErr  error
}

// Listen binds 127.0.0.1:PORT and, where IPv6 is available, [::1]:PORT,
// and starts serving. The listener ends when ctx ends, on timeout, or on
// Close; always Close it.
func Listen(ctx context.Context, cfg Config) (*Listener, error) {
	if cfg.State == "" {
		return nil, errors.New("loopback: a non-empty state is required")
	}
	if cfg.Port < 0 || cfg.Port > 65535 {
		return nil, fmt.Errorf("loopback: port %d is out of range 1-65535", cfg.Port)
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.FindProcess == nil {
		cfg.FindProcess = ProcFinder{}.Find
	}
	listen := cfg.Listen
	if listen == nil {
		listen = net.Listen
	}

	lns, port, err := bindLoopback(cfg, listen)
	if err != nil {
		return nil, err
	}

	l := &Listener{
		port:     port,
		deadline: cfg.Now().Add(cfg.Timeout),
		h:        newHandler(port, cfg.State),
		lns:      lns,
	}
	l.h.issuer = cfg.Issuer
	l.h.explain = cfg.Explain
	if l.h.explain.RedirectURI == "" {
		l.h.explain.RedirectURI = l.RedirectURI()
	}
	for _, ln := range lns {
		srv := &http.Server{
			Handler:           l.h,
			ReadHeaderTimeout: 10 * time.Second,
			ReadTimeout:       30 * time.Second,
			WriteTimeout:      30 * time.Second,
			IdleTimeout:       30 * time.Second,
			MaxHeaderBytes:    32 << 10,
			// The standard logger writes to stderr, which would tear a
			// full-screen UI: connection errors are of no interest here.
			ErrorLog: log.New(io.Discard, "", 0),
		}
		l.servers = append(l.servers, srv)
		go func(srv *http.Server, ln net.Listener) { _ = srv.Serve(ln) }(srv, ln)
	}
	// On timeout or cancellation the outcome is settled first, the port
	// released next, and only then is Wait woken: a caller that retries
	// right away finds the port free.
	l.mu.Lock()
	defer l.mu.Unlock()
	l.timer = time.AfterFunc(cfg.Timeout, func() {
		l.h.settle(Result{}, &TimeoutError{Timeout: cfg.Timeout, Addr: l.Addr()})
		_ = l.Close()
	})
	l.stopCtx = context.AfterFunc(ctx, func() {
		l.h.settle(Result{}, fmt.Errorf("waiting for the browser's redirect on %s: %w", l.Addr(), context.Cause(ctx)))
		_ = l.Close()
	})
	return l, nil
}

// bindLoopback binds 127.0.0.1:PORT and, where IPv6 is available,
// [::1]:PORT. With port 0 it retries a few times when the port the system
// picked for IPv4 is taken on IPv6.
func bindLoopback(cfg Config, listen func(network, address string) (net.Listener, error)) ([]net.Listener, int, error) {
	attempts := 1
	if cfg.Port == 0 {
		attempts = 5
	}
	var lastErr error
	for range attempts {
		ln4, err := listen("tcp4", net.JoinHostPort("127.0.0.1", strconv.Itoa(cfg.Port)))
		if err != nil {
			return nil, 0, listenError(cfg, cfg.Port, "127.0.0.1", err)
		}
		port := ln4.Addr().(*net.TCPAddr).Port
		ln6, err := listen("tcp6", net.JoinHostPort("::1", strconv.Itoa(port)))
		switch {
		case err == nil:
			return []net.Listener{ln4, ln6}, port, nil
		case errors.Is(err, syscall.EADDRINUSE):
			// Someone else answers on [::1]:PORT: a browser resolving
			// localhost to ::1 would reach them, not us.
			_ = ln4.Close()
			lastErr = listenError(cfg, port, "::1", err)
		default:
			// No IPv6 loopback on this machine: 127.0.0.1 alone is fine.
			return []net.Listener{ln4}, port, nil
		}
	}
	return nil, 0, lastErr
}

// listenError turns a bind failure into a PortInUseError when the port is
// taken.
func listenError(cfg Config, port int, host string, err error) error {
	if errors.Is(err, syscall.EADDRINUSE) {
		return &PortInUseError{Port: port, Process: cfg.FindProcess(port), Err: err}
	}
	return fmt.Errorf("loopback: listening on %s: %w", net.JoinHostPort(host, strconv.Itoa(port)), err)
}

// RedirectURI is "http://localhost:PORT": what the app registration must
// list under Mobile and desktop applications, and what must be sent on
// both the authorize request and the code redemption.
func (l *Listener) RedirectURI() string { return "http://" + l.Addr() }

// Addr is "localhost:PORT".
func (l *Listener) Addr() string { return "localhost:" + strconv.Itoa(l.port) }

// Port is the bound port.
func (l *Listener) Port() int { return l.port }

// RequireIssuer makes the listener refuse answers whose iss is not issuer
// (RFC 9207 §2.4), as Config.Issuer does; for when the issuer is known only
// after Listen (the redirect URI is needed to learn it). Call it before the
// browser is sent to the authorization server.
func (l *Listener) RequireIssuer(issuer string) {
	l.h.mu.Lock()
	l.h.issuer = issuer
	l.h.mu.Unlock()
}

// Deadline is when Wait gives up.
func (l *Listener) Deadline() time.Time { return l.deadline }

// Wait blocks until the browser's answer, the timeout, the end of the
// context given to Listen, or the end of ctx. An error answer is returned
// as an *aadsts.Error with Source "redirect"; a timeout as *TimeoutError.
// After a timeout or cancellation the port is released; after an answer
// the listener keeps serving "already done" pages until Close.
func (l *Listener) Wait(ctx context.Context) (Result, error) {
	select {
	case <-l.h.done:
		return l.h.result, l.h.err
	case <-ctx.Done():
		// A result that arrived at the same time wins.
		select {
		case <-l.h.done:
			return l.h.result, l.h.err
		default:
		}
		l.h.settle(Result{}, fmt.Errorf("waiting for the browser's redirect on %s: %w", l.Addr(), context.Cause(ctx)))
		_ = l.Close()
		<-l.h.done
		return l.h.result, l.h.err
	}
}

// Close stops serving and releases the port. Pages being written are
// finished first (for at most a second). It is safe to call more than once.
func (l *Listener) Close() error {
	l.closeOnce.Do(func() {
		l.mu.Lock()
		timer, stopCtx := l.timer, l.stopCtx
		l.mu.Unlock()
		if timer != nil {
			timer.Stop()
		}
		if stopCtx != nil {
			stopCtx()
		}
		l.h.settle(Result{}, ErrClosed)
		defer l.h.release()
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		var errs []error
		for _, srv := range l.servers {
			if err := srv.Shutdown(ctx); err != nil {
				_ = srv.Close()
				if !errors.Is(err, context.DeadlineExceeded) {
					errs = append(errs, err)
				}
			}
		}
		// Serve may not have started yet, in which case Shutdown does not
		// know the socket: close it here so the port is free on return.
		for _, ln := range l.lns {
			if err := ln.Close(); err != nil && !errors.Is(err, net.ErrClosed) {
				errs = append(errs, err)
			}
		}
		l.closeErr = errors.Join(errs...)
	})
	return l.closeErr
}

// ErrClosed is returned by Wait when the listener was closed before any
// answer.
var ErrClosed = errors.New("loopback: listener closed before the browser answered")

// TimeoutError is returned by Wait when the browser did not answer in
// time.
type TimeoutError struct {
	Timeout time.Duration
	Addr    string
}

func (e *TimeoutError) Error() string {
	return fmt.Sprintf("no answer from the browser on %s within %s: open the sign-in URL again, or use --flow device", e.Addr, e.Timeout)
}

// pageOnlyCodes are Entra errors shown on the sign-in page only: Entra
// never redirects them to the listener, so the wait ends in a timeout.
var pageOnlyCodes = []int{50011, 500113, 700016, 50020, 50105, 53003, 530003}

// Details lists the errors Entra shows only in the browser (see
// cmdutil.Detailer), so that a person who saw one knows what it means.
func (e *TimeoutError) Details() string { return e.DetailsFor("") }

// DetailsFor is Details for a sign-in of profile: the commands it names
// carry -p profile.
func (e *TimeoutError) DetailsFor(profile string) string {
	p := ""
	if profile != "" {
		p = " -p " + profile
	}
	var b strings.Builder
	b.WriteString("Entra shows some errors only on the sign-in page and never sends them back. If the page showed one of these:\n")
	for _, n := range pageOnlyCodes {
		x := aadsts.Explain(&aadsts.Error{Codes: []int{n}}, aadsts.Context{RedirectURI: "http://" + e.Addr, Flow: aadsts.FlowBrowser, Profile: profile})
		fmt.Fprintf(&b, "  AADSTS%-7d %s\n", n, x.Title)
	}
	fmt.Fprintf(&b, "run cdflogin doctor%s to check the app registration (it asks Entra before any sign-in); otherwise open the sign-in URL again, or sign in with cdflogin login%s --flow device.", p, p)
	return b.String()
}

// Is makes errors.Is(err, context.DeadlineExceeded) true.
func (e *TimeoutError) Is(target error) bool { return target == context.DeadlineExceeded }

// IssuerError is returned by Wait when the answer, with the right state,
// names another issuer than the authorization server the sign-in was
// started with, or none although that server says it names itself (RFC
// 9207). Such an answer may come from another server (the OAuth mix-up
// attack); its code is never redeemed.
type IssuerError struct {
	Want string // the issuer of the authority
	Got  string // the answer's iss; "" when it had none
	// Many is true when the answer had iss more than once.
	Many bool
}

func (e *IssuerError) Error() string {
	what := fmt.Sprintf("names the issuer %q", e.Got)
	switch {
	case e.Many:
		what = "names more than one issuer"
	case e.Got == "":
		what = "names no issuer (iss), though the authority says its answers do"
	}
	return fmt.Sprintf("the browser's answer %s, not %q, the issuer of the authority this sign-in was started with: "+
		"refused and nothing redeemed, as it may come from another server (OAuth mix-up, RFC 9207)", what, e.Want)
}

// Details says what to do (see cmdutil.Detailer).
func (e *IssuerError) Details() string {
	return "Sign in again, in a browser tab opened by this cdflogin run only. If it happens again, something between the browser " +
		"and the sign-in page (a proxy, a browser extension, a link opened from elsewhere) is sending answers of another server; " +
		"check that the profile's authority is the one your organisation uses."
}

// PortInUseError says that the redirect port is taken.
type PortInUseError struct {
	Port    int
	Process string // "name (pid N)", or "" when unknown
	Err     error
}

func (e *PortInUseError) Error() string {
	who, stop := "another program", "stop it"
	if e.Process != "" {
		who, stop = e.Process, "stop "+e.Process
	}
	return fmt.Sprintf("port %d on localhost is in use by %s, so the browser sign-in cannot receive its redirect there: "+
		"%s; or pick another port with --redirect-port N (cdflogin profile edit) and register http://localhost:N "+
		"(or http://localhost, which covers every port) under Authentication › Mobile and desktop applications; or use --flow device",
		e.Port, who, stop)
}

// Unwrap returns the bind error (errors.Is(err, syscall.EADDRINUSE)).
func (e *PortInUseError) Unwrap() error { return e.Err }

// handler answers the browser.
type handler struct {
	port    int
	state   string
	hosts   map[string]bool
	explain aadsts.Context // fills in the error page's fix
	// issuer, when set, must be the answer's iss (RFC 9207); guarded by mu.
	issuer string

	mu          sync.Mutex
	done        chan struct{}
	releaseOnce sync.Once
	closed      bool
	result      Result
	err         error
	// answered is true once a valid answer (code or error) came in.
	answered bool
}

func newHandler(port int, state string) *handler {
	p := strconv.Itoa(port)
	return &handler{
		port:  port,
		state: state,
		hosts: map[string]bool{
			"localhost:" + p: true,
			"127.0.0.1:" + p: true,
			"[::1]:" + p:     true,
		},
		done: make(chan struct{}),
	}
}

// settle records the outcome once; later calls are ignored. It reports
// whether this call decided the outcome. Wait sees it after release.
func (h *handler) settle(r Result, err error) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return false
	}
	h.closed = true
	h.result, h.err = r, err
	return true
}

// release wakes Wait.
func (h *handler) release() { h.releaseOnce.Do(func() { close(h.done) }) }

// finish settles and releases at once.
func (h *handler) finish(r Result, err error) {
	h.settle(r, err)
	h.release()
}

// callbackKind classifies a request to the listener.
type callbackKind int

const (
	kindBadHost   callbackKind = iota // Host header is not ours: 421
	kindNotFound                      // wrong path: 404
	kindBadMethod                     // not GET/POST: 405
	kindBadForm                       // unreadable form body: 400
	kindEmpty                         // "/" without code or error: 400, keep waiting
	kindBadState                      // state missing or wrong: 400, keep waiting
	kindBadIssuer                     // the right state, but iss missing or another issuer's (RFC 9207)
	kindCode                          // a code with the right state
	kindError                         // an error with the right state
)

// callback is a classified request.
type callback struct {
	kind   callbackKind
	code   string
	entra  *aadsts.Error
	issuer *IssuerError
}

// classify decides what a request is, without side effects.
func (h *handler) classify(r *http.Request) callback {
	if !h.hosts[strings.ToLower(r.Host)] {
		return callback{kind: kindBadHost}
	}
	if r.URL.Path != "/" && r.URL.Path != "" {
		return callback{kind: kindNotFound}
	}
	var params url.Values
	switch r.Method {
	case http.MethodGet:
		params = r.URL.Query()
	case http.MethodPost:
		ct := r.Header.Get("Content-Type")
		if i := strings.IndexByte(ct, ';'); i >= 0 {
			ct = ct[:i]
		}
		if !strings.EqualFold(strings.TrimSpace(ct), "application/x-www-form-urlencoded") {
			return callback{kind: kindBadForm}
		}
		r.Body = http.MaxBytesReader(nil, r.Body, maxForm)
		if err := r.ParseForm(); err != nil {
			return callback{kind: kindBadForm}
		}
		params = r.PostForm
	default:
		return callback{kind: kindBadMethod}
	}
	return h.classifyParams(params)
}

// classifyParams looks at the answer's parameters.
func (h *handler) classifyParams(params url.Values) callback {
	code, errValue := params.Get("code"), params.Get("error")
	if code == "" && errValue == "" {
		return callback{kind: kindEmpty}
	}
	state := params.Get("state")
	if len(params["state"]) != 1 || subtle.ConstantTimeCompare([]byte(state), []byte(h.state)) != 1 {
		return callback{kind: kindBadState}
	}
	h.mu.Lock()
	want := h.issuer
	h.mu.Unlock()
	if want != "" {
		// RFC 9207 §2.4: compared as strings, no normalisation; an
		// answer without iss is refused too. Error answers as well as
		// codes, as an error text can be another server's.
		if got := params["iss"]; len(got) != 1 || got[0] != want {
			e := &IssuerError{Want: want, Many: len(got) > 1}
			if len(got) == 1 {
				e.Got = got[0]
			}
			return callback{kind: kindBadIssuer, issuer: e}
		}
	}
	if errValue != "" {
		return callback{kind: kindError, entra: aadsts.FromRedirect(params)}
	}
	if len(params["code"]) != 1 || len(code) > 8<<10 {
		return callback{kind: kindBadState}
	}
	return callback{kind: kindCode, code: code}
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	cb := h.classify(r)
	hdr := w.Header()
	hdr.Set("Cache-Control", "no-store")
	hdr.Set("Pragma", "no-cache")
	hdr.Set("Referrer-Policy", "no-referrer")
	hdr.Set("X-Content-Type-Options", "nosniff")
	hdr.Set("X-Frame-Options", "DENY")
	hdr.Set("Content-Security-Policy", pageCSP)
	switch cb.kind {
	case kindBadHost:
		writePage(w, http.StatusMisdirectedRequest, pageWrongHost(h.port))
		return
	case kindNotFound:
		writePage(w, http.StatusNotFound, pageNotFound())
		return
	case kindBadMethod:
		hdr.Set("Allow", "GET, POST")
		writePage(w, http.StatusMethodNotAllowed, pageNotFound())
		return
	case kindBadForm, kindEmpty:
		writePage(w, http.StatusBadRequest, pageWaiting())
		return
	case kindBadState:
		if h.isAnswered() {
			writePage(w, http.StatusOK, pageAlreadyDone())
			return
		}
		writePage(w, http.StatusBadRequest, pageBadState())
		return
	}

	var res Result
	var err error
	switch cb.kind {
	case kindError:
		err = cb.entra
	case kindBadIssuer:
		err = cb.issuer
	default:
		res = Result{Code: cb.code}
	}
	h.mu.Lock()
	first := !h.answered && !h.closed
	if first {
		h.answered = true
	}
	h.mu.Unlock()
	if !first {
		writePage(w, http.StatusOK, pageAlreadyDone())
		return
	}
	// Write the page before waking Wait, so that a caller who closes the
	// listener right away does not cut the page short.
	switch cb.kind {
	case kindError:
		writePage(w, http.StatusOK, pageFailure(cb.entra, h.explain))
	case kindBadIssuer:
		writePage(w, http.StatusBadRequest, pageWrongIssuer())
	default:
		writePage(w, http.StatusOK, pageSuccess())
	}
	if f, ok := w.(http.Flusher); ok {
		f.Flush()
	}
	h.finish(res, err)
}

func (h *handler) isAnswered() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.answered
}
