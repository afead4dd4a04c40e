package main

import "strings"

// Mutation is one planted bug: edits to the code, and the test selections
// that must catch it. A selection is the narrowest that covers the
// behaviour (its package and a -run pattern), so the whole list runs in
// minutes.
type Mutation struct {
	Name  string // short, unique; -run matches it
	What  string // the bug, in words
	Edits []Edit
	Tests []Selection // tried in order; one failing test kills the bug
}

// Edit replaces Old, which must be in File exactly once, by New. File is
// relative to the module root, with slashes.
type Edit struct {
	File, Old, New string
}

// Selection is one `go test` run: a package pattern, the -run pattern and
// any further flags (-race for the lock).
type Selection struct {
	Pkg   string
	Run   string
	Flags []string
}

func (s Selection) args() []string {
	args := append([]string{}, s.Flags...)
	if s.Run != "" {
		args = append(args, "-run", s.Run)
	}
	return append(args, s.Pkg)
}

// String is the selection as `go test` arguments, quoted for a shell.
func (s Selection) String() string {
	args := s.args()
	for i, a := range args {
		if strings.ContainsAny(a, "|^$*?()[] ") {
			args[i] = "'" + a + "'"
		}
	}
	return strings.Join(args, " ")
}

func sel(pkg, run string, flags ...string) Selection {
	return Selection{Pkg: pkg, Run: run, Flags: flags}
}

func edit(file, old, new string) Edit { return Edit{File: file, Old: old, New: new} }

// Mutations is the fixed list the check plants, security-relevant
// behaviours first. Keep each Old text short and unique; when the code
// changes, the check says which mutation no longer fits.
func Mutations() []Mutation {
	return []Mutation{
		// The loopback redirect listener.
		{
			Name:  "loopback-state",
			What:  "the redirect listener takes an answer whatever its state",
			Edits: []Edit{edit("internal/loopback/loopback.go", `if len(params["state"]) != 1 || subtle.ConstantTimeCompare([]byte(state), []byte(h.state)) != 1 {`, `if len(params["state"]) != 1 && subtle.ConstantTimeCompare([]byte(state), []byte(h.state)) != 1 {`)},
			Tests: []Selection{sel("./internal/loopback", "TestStrayRequestsDoNotEndTheFlow")},
		},
		{
			Name:  "loopback-host",
			What:  "the redirect listener does not check the Host header (DNS rebinding)",
			Edits: []Edit{edit("internal/loopback/loopback.go", `if !h.hosts[strings.ToLower(r.Host)] {`, `if false && !h.hosts[strings.ToLower(r.Host)] {`)},
			Tests: []Selection{sel("./internal/loopback", "TestStrayRequestsDoNotEndTheFlow")},
		},
		{
			Name:  "loopback-bind-any",
			What:  "the redirect listener binds every address (0.0.0.0), not 127.0.0.1",
			Edits: []Edit{edit("internal/loopback/loopback.go", `listen("tcp4", net.JoinHostPort("127.0.0.1", strconv.Itoa(cfg.Port)))`, `listen("tcp4", net.JoinHostPort("0.0.0.0", strconv.Itoa(cfg.Port)))`)},
			Tests: []Selection{sel("./internal/loopback", "TestNotReachableOnAnAddressOfItsOwn"), sel("./internal/loopback", "TestNotReachableOnNonLoopbackAddress")},
		},
		{
			Name:  "loopback-bind-any-v6",
			What:  "the redirect listener binds every IPv6 address (::), not ::1",
			Edits: []Edit{edit("internal/loopback/loopback.go", `listen("tcp6", net.JoinHostPort("::1", strconv.Itoa(port)))`, `listen("tcp6", net.JoinHostPort("::", strconv.Itoa(port)))`)},
			Tests: []Selection{sel("./internal/loopback", "TestNotReachableOnAnAddressOfItsOwn"), sel("./internal/loopback", "TestNotReachableOnNonLoopbackAddress")},
		},
		// PKCE, as the sandbox checks it like Entra (the client's is MSAL's).
		{
			Name:  "sandbox-pkce",
			What:  "the sandbox redeems a code whatever code_verifier comes with it",
			Edits: []Edit{edit("sandbox/token.go", `subtle.ConstantTimeCompare([]byte(want), []byte(ac.challenge)) != 1`, `subtle.ConstantTimeCompare([]byte(want), []byte(want)) != 1`)},
			Tests: []Selection{sel("./sandbox", "TestAuthCodeErrors|TestAuthCodePKCEAndRefresh")},
		},
		// Files that hold tokens and profiles.
		{
			Name:  "cache-file-mode",
			What:  "the token cache is written 0644",
			Edits: []Edit{edit("internal/tokencache/file.go", `if err := tmp.Chmod(0o600); err != nil {`, `if err := tmp.Chmod(0o644); err != nil {`)},
			Tests: []Selection{sel("./internal/tokencache", "TestSaveLoadModes|TestAccessorModes"), sel("./flows", "TestSecretLoginSilentCachedLogout"), sel("./e2e", "TestSecurityFileModes")},
		},
		{
			Name:  "profiles-file-mode",
			What:  "profiles.yaml is written 0644",
			Edits: []Edit{edit("profiles/store.go", `if err := tmp.Chmod(0o600); err != nil {`, `if err := tmp.Chmod(0o644); err != nil {`)},
			Tests: []Selection{sel("./profiles", "TestStoreAddGetListModes"), sel("./e2e", "TestSecurityFileModes")},
		},
		{
			Name: "profiles-broken-file-guard",
			What: "a profiles.yaml that does not parse is replaced by the edit",
			Edits: []Edit{edit("profiles/store.go", "doc, err := s.load()\n\tif err != nil {\n\t\treturn err\n\t}\n\tif err := edit(doc)",
				"doc, err := s.load()\n\tif err != nil {\n\t\tdoc = &document{path: s.path, indent: 2}\n\t}\n\tif err := edit(doc)")},
			Tests: []Selection{sel("./profiles", "TestStoreBrokenFileNeverWritten")},
		},
		{
			Name:  "cache-broken-file-guard",
			What:  "a token cache that does not parse is deleted instead of moved aside",
			Edits: []Edit{edit("internal/tokencache/file.go", `if rerr := os.Rename(f.path, aside); rerr != nil {`, `if rerr := os.Remove(f.path); rerr != nil {`)},
			Tests: []Selection{sel("./internal/tokencache", "TestLoadCorrupted")},
		},
		{
			Name:  "private-dir-mode",
			What:  "the folders for tokens and profiles are made 0755",
			Edits: []Edit{edit("internal/privatefs/privatefs.go", `if err := os.MkdirAll(dir, 0o700); err != nil {`, `if err := os.MkdirAll(dir, 0o755); err != nil {`)},
			Tests: []Selection{sel("./internal/privatefs", "TestEnsureDir")},
		},
		{
			Name: "blocked-file-as-folder",
			What: "a read-only lock file is reported as a read-only folder (seen only by a user root is not: the test reruns unprivileged)",
			Edits: []Edit{edit("internal/fsfault/fsfault.go", `if info, serr := os.Lstat(pe.Path); serr == nil && !info.IsDir() {`,
				`if info, serr := os.Lstat(pe.Path); serr == nil && info.IsDir() {`)},
			Tests: []Selection{sel("./internal/tokencache", "TestCheckWritablePermissions")},
		},
		// Text from outside reaching the terminal.
		{
			Name:  "textsafe-escape",
			What:  "ESC and the C0 controls after it reach the terminal (escape sequences in Entra's or CDF's text)",
			Edits: []Edit{edit("internal/textsafe/textsafe.go", `case r < 0x20 || r == 0x7f || unsafeRune(r):`, `case r < 0x1b || r == 0x7f || unsafeRune(r):`)},
			Tests: []Selection{sel("./internal/textsafe", "TestLine|TestBlock")},
		},
		{
			Name:  "textsafe-bidi",
			What:  "bidirectional overrides (Trojan Source) reach the terminal",
			Edits: []Edit{edit("internal/textsafe/textsafe.go", `case r >= 0x202a && r <= 0x202e:`, `case r >= 0x202a && r <= 0x202d:`)},
			Tests: []Selection{sel("./internal/textsafe", "TestLine|TestBlock")},
		},
		// Redaction of traces (--verbose, --debug-log).
		{
			Name:  "redact-refresh-token",
			What:  "refresh_token is traced in clear",
			Edits: []Edit{edit("internal/httplog/redact.go", `"refresh_token":    true,`, `"refresh_token":    false,`)},
			Tests: []Selection{sel("./internal/httplog", "TestRedact")},
		},
		{
			Name:  "redact-client-secret",
			What:  "client_secret is traced in clear",
			Edits: []Edit{edit("internal/httplog/redact.go", `"client_secret":    true,`, `"client_secret":    false,`)},
			Tests: []Selection{sel("./internal/httplog", "TestRedact")},
		},
		{
			Name:  "redact-code-verifier",
			What:  "the PKCE code_verifier is traced in clear",
			Edits: []Edit{edit("internal/httplog/redact.go", `"code_verifier":    true,`, `"code_verifier":    false,`)},
			Tests: []Selection{sel("./internal/httplog", "TestRedact")},
		},
		{
			Name:  "redact-jwt-in-text",
			What:  "a token in free text (an error message, a non-JSON body) is traced in clear",
			Edits: []Edit{edit("internal/httplog/redact.go", "`eyJ[A-Za-z0-9_-]{4,}\\.[A-Za-z0-9_-]*\\.[A-Za-z0-9_.-]*`", "`eyJ[A-Za-z0-9_-]{4,}\\.[A-Za-z0-9_-]*\\.[A-Za-z0-9_.-]*x`")},
			Tests: []Selection{sel("./internal/httplog", "TestRedact")},
		},
		{
			Name:  "redact-authorization",
			What:  "an opaque (non-JWT) Authorization header is traced in clear",
			Edits: []Edit{edit("internal/httplog/redact.go", `"Authorization":       true,`, `"Authorization":       false,`)},
			Tests: []Selection{sel("./internal/httplog", "TestRedactOpaqueCredentialHeaders")},
		},
		{
			Name:  "redact-proxy-authorization",
			What:  "Proxy-Authorization is traced in clear",
			Edits: []Edit{edit("internal/httplog/redact.go", `"Proxy-Authorization": true,`, `"Proxy-Authorization": false,`)},
			Tests: []Selection{sel("./internal/httplog", "TestRedactOpaqueCredentialHeaders")},
		},
		{
			Name:  "redact-ms-refresh-token",
			What:  "the X-Ms-Refresh-Token header is traced in clear",
			Edits: []Edit{edit("internal/httplog/redact.go", `"X-Ms-Refresh-Token":  true,`, `"X-Ms-Refresh-Token":  false,`)},
			Tests: []Selection{sel("./internal/httplog", "TestRedactOpaqueCredentialHeaders")},
		},
		// What the token is checked against.
		{
			Name:  "audience-prefix",
			What:  "an aud that merely starts with the CDF URL (…cognitedata.com.evil) is taken as the CDF URL",
			Edits: []Edit{edit("internal/insight/claims/check.go", `if normalizeURL(a) == want && want != "" {`, `if strings.HasPrefix(normalizeURL(a), want) && want != "" {`)},
			Tests: []Selection{sel("./internal/insight/claims", "TestCheck")},
		},
		{
			Name: "audience-of-prefix",
			What: "an aud that merely starts with the audience CDF accepts is taken as it",
			Edits: []Edit{edit("internal/insight/claims/check.go", `(norm != "" && normalizeURL(a) == norm)`,
				`(norm != "" && strings.HasPrefix(normalizeURL(a), norm))`)},
			Tests: []Selection{sel("./internal/insight/claims", "TestCheck")},
		},
		{
			Name:  "tenant-any",
			What:  "a token of any tenant is taken as the profile's",
			Edits: []Edit{edit("internal/insight/claims/check.go", `case strings.EqualFold(tid, tenant):`, `case tid != "":`)},
			Tests: []Selection{sel("./internal/insight/claims", "TestCheck")},
		},
		// Exit codes scripts rely on (docs/scripting.md).
		{
			Name:  "exit-login-required",
			What:  "a sign-in that is needed exits 1, not 4",
			Edits: []Edit{edit("command/cmdutil/flowerror.go", `return WithExitCode(ExitLoginRequired, out)`, `return WithExitCode(ExitError, out)`)},
			Tests: []Selection{sel("./command/cmdutil", "TestFlowError")},
		},
		{
			Name:  "exit-code-value",
			What:  "ExitLoginRequired is 3",
			Edits: []Edit{edit("command/cmdutil/errors.go", `ExitLoginRequired = 4 `, `ExitLoginRequired = 3 `)},
			Tests: []Selection{sel("./internal/docscheck", "TestExitCodeTable")},
		},
		{
			Name:  "exit-too-short",
			What:  "a token that cannot stay valid for --min-valid exits 1, not 5",
			Edits: []Edit{edit("command/cmdutil/silent.go", `return WithExitCode(ExitTooShort, fmt.Errorf(`, `return WithExitCode(ExitError, fmt.Errorf(`)},
			Tests: []Selection{sel("./command/token", "TestToken$")},
		},
		{
			Name:  "exit-no-access",
			What:  "inspect exits 1, not 6, when the token has no access to the project",
			Edits: []Edit{edit("command/inspect/inspect.go", `return cmdutil.WithExitCode(cmdutil.ExitNoAccess, errors.New(`, `return cmdutil.WithExitCode(cmdutil.ExitError, errors.New(`)},
			Tests: []Selection{sel("./command/inspect", "TestInspectGolden")},
		},
		// The cache lock concurrent processes share.
		{
			Name: "silent-without-lock",
			What: "Silent reads and refreshes the cache without its lock",
			Edits: []Edit{edit("flows/service.go", "\tunlock, err = file.Lock(ctx)\n",
				"\tunlock, err = func() {}, error(nil)\n")},
			Tests: []Selection{sel("./flows", "TestSilentWaitsForTheCacheLock")},
		},
		// The other examples.
		{
			Name:  "default-min-valid",
			What:  "a cached token is used until one minute before it expires, not five",
			Edits: []Edit{edit("flows/service.go", `const DefaultMinValid = 5 * time.Minute`, `const DefaultMinValid = 1 * time.Minute`)},
			Tests: []Selection{sel("./command/token", "TestToken$")},
		},
		{
			Name:  "token-clock-minute",
			What:  "the token screen's clock ticks once a minute, not once a second",
			Edits: []Edit{edit("ui/app.go", `m.clock = newTicker(1, time.Second, after)`, `m.clock = newTicker(1, time.Minute, after)`)},
			Tests: []Selection{sel("./ui", "TestIdleTokenScreenRedrawsOncePerSecond")},
		},
		{
			Name:  "error-page-no-cause",
			What:  "the error page leaves out why the sign-in failed",
			Edits: []Edit{edit("ui/errorview.go", `if m.ex.Cause != "" {`, `if false && m.ex.Cause != "" {`)},
			Tests: []Selection{sel("./ui", "TestErrorScreenExplainsAADSTS")},
		},
		{
			Name:  "error-page-no-fix",
			What:  "the error page leaves out the fix",
			Edits: []Edit{edit("ui/errorview.go", `if m.ex.Fix != "" {`, `if false && m.ex.Fix != "" {`)},
			Tests: []Selection{sel("./ui", "TestErrorScreenExplainsAADSTS")},
		},
		{
			Name:  "error-page-fix-cut",
			What:  "the error page cuts the fix at the window's edge instead of wrapping it",
			Edits: []Edit{edit("ui/errorview.go", `add(m.st.Good.Render("Fix: "), 5, m.ex.Fix, nil)`, `add(m.st.Good.Render("Fix: "), 5, trunc(m.ex.Fix, w-6), nil)`)},
			Tests: []Selection{sel("./ui", "TestNothingCutAtAnyWidth")},
		},
		{
			Name: "golden-fix-cut",
			What: "a golden screen is accepted with the fix cut at the edge",
			Edits: []Edit{edit("ui/testdata/TestGoldenScreens/80x24/error-7000218.golden",
				" Fix: Microsoft Entra admin center › App registrations › (app\n      4a2c1d3e-5b6f-4789-8a9b-0c1d2e3f4a5b) › Authentication › Advanced\n",
				" Fix: Microsoft Entra admin center › App registrations › (app 4a2c1d3e-5b6f-478…\n")},
			Tests: []Selection{sel("./ui", "TestGoldensHaveNoCuts")},
		},
		{
			Name: "golden-url-cut",
			What: "a golden screen is accepted with a URL cut at the edge",
			Edits: []Edit{edit("ui/testdata/TestGoldenScreens/80x24/token.golden",
				" ✓ v2.0 token from\n   https://login.microsoftonline.com/8f0c6f5e-3a2b-4c1d-9e8f-0a1b2c3d4e5f/v2.0\n",
				" ✓ v2.0 token from https://login.microsoftonline.com/8f0c6f5e-3a2b-4c1d-9e8f-0a…\n")},
			Tests: []Selection{sel("./ui", "TestGoldensHaveNoCuts")},
		},
		{
			Name:  "logout-error-lost",
			What:  "logout reports a failed removal without saying what failed",
			Edits: []Edit{edit("command/logout/logout.go", `errs = append(errs, err)`, `errs = append(errs, errors.New("logout failed"))`)},
			Tests: []Selection{sel("./command/logout", "TestLogout$")},
		},
	}
}
