// Package demo is `cdflogin demo`: the interactive program on the built-in
// sandbox tenant and CDF, with a profile for every flow and keys that sign
// in as the sandbox user, so that everything can be tried with no account.
package demo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/cognite-tools/cdflogin/command/cmdutil"
	"github.com/cognite-tools/cdflogin/command/tui"
	"github.com/cognite-tools/cdflogin/flows"
	"github.com/cognite-tools/cdflogin/internal/secrets"
	"github.com/cognite-tools/cdflogin/profiles"
	"github.com/cognite-tools/cdflogin/sandbox"
	"github.com/cognite-tools/cdflogin/ui"
)

// Options are the inputs of one demo run.
type Options struct {
	Accessible     bool
	TokenLifetime  time.Duration
	DeviceInterval time.Duration
	// Run runs the program (ui.Run; tests replace it).
	Run func(ctx context.Context, cfg ui.Config) error
}

// DefaultOptions are the demo's options when no flag is given.
func DefaultOptions() *Options {
	return &Options{Run: ui.Run, TokenLifetime: 10 * time.Minute, DeviceInterval: time.Second}
}

// NewCmd returns the demo command.
func NewCmd(f *cmdutil.Factory) *cobra.Command {
	opts := &Options{Run: ui.Run}
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "The interactive program on the built-in sandbox (no account needed)",
		Long: `Start the built-in sandbox (a fake Microsoft Entra ID tenant, Amazon Cognito user
pool, OpenID provider and CDF on 127.0.0.1) and open the interactive program on a temporary set of profiles, one per flow:

  sandbox-device            device code; press a to approve as the sandbox user
  sandbox-browser           browser sign-in; press a to sign in as the sandbox user
  sandbox-secret            client secret (the sandbox's published test secret)
  sandbox-certificate       client certificate (generated for this run)
  sandbox-cognito-browser   Amazon Cognito's hosted UI (auth code + PKCE)
  sandbox-cognito-secret    a Cognito app client with a secret
  sandbox-oidc-device       a generic OpenID provider's device code
  sandbox-oidc-certificate  its private_key_jwt client
  sandbox-nopublic          an app with "Allow public client flows" off, to see
                            how an AADSTS error is explained

On the token page of a user profile, m has the sandbox's admin move the
sandbox user between the groups "CDF readers" and "Marketing" (through the
sandbox admin API, as an admin would in the Entra admin center): the token
held keeps its groups, the next refresh (r) shows what changed, and w lists
every change of the run.

Nothing is written outside a temporary folder, which is removed on exit.`,
		Example: `  cdflogin demo
  cdflogin demo --token-lifetime 2m   # watch refreshes happen`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return Run(cmd.Context(), f, opts)
		},
	}
	cmd.Flags().BoolVar(&opts.Accessible, "accessible", false, "plain text without colour or animation (screen readers)")
	cmd.Flags().DurationVar(&opts.TokenLifetime, "token-lifetime", 10*time.Minute, "lifetime of the sandbox's access tokens (short ones show refreshes)")
	cmd.Flags().DurationVar(&opts.DeviceInterval, "device-interval", time.Second, "device code polling interval of the sandbox")
	return cmd
}

// Run starts the sandbox, writes the demo profiles into a temporary
// folder, runs the program and removes the folder.
func Run(ctx context.Context, f *cmdutil.Factory, opts *Options) error {
	if opts.TokenLifetime < time.Minute {
		return cmdutil.UsageError("--token-lifetime must be at least 1m")
	}
	if opts.DeviceInterval <= 0 {
		return cmdutil.UsageError("--device-interval must be positive")
	}
	if !f.IO.Interactive() {
		return cmdutil.UsageError("cdflogin demo is interactive and needs a terminal; for scripts run cdflogin sandbox")
	}
	now := f.Now
	if now == nil {
		now = time.Now
	}
	port, err := freePort()
	if err != nil {
		return err
	}
	world := World(port)
	sb, err := sandbox.Start(sandbox.Options{Now: now, AccessTokenLifetime: opts.TokenLifetime, DeviceInterval: opts.DeviceInterval, World: &world})
	if err != nil {
		return fmt.Errorf("start the sandbox: %w", err)
	}
	defer func() { _ = sb.Close() }()

	dir, err := os.MkdirTemp("", "cdflogin-demo-")
	if err != nil {
		return fmt.Errorf("make the demo folder: %w", err)
	}
	defer func() { _ = os.RemoveAll(dir) }()

	env, err := Setup(sb, dir)
	if err != nil {
		return err
	}
	cfg := Config(f, sb, env, dir, opts.Accessible)
	run := opts.Run
	if run == nil {
		run = ui.Run
	}
	// While the program owns the screen, stderr is kept back and written
	// out once it has ended.
	release := f.IO.HoldErr()
	defer release()
	return run(ctx, cfg)
}

// Config is the demo's composition root: the program's configuration
// (built by tui.NewConfig, as for the real program) on the sandbox sb and
// the demo profiles in env. Secrets typed into the demo's profile form
// are kept in memory for the run, never in the OS keyring.
func Config(f *cmdutil.Factory, sb *sandbox.Sandbox, env *Env, dir string, accessible bool) ui.Config {
	now := f.Now
	if now == nil {
		now = time.Now
	}
	keyring := secrets.NewMemory()
	resolver := secrets.Resolver{Keyring: keyring, Getenv: f.Env}
	warnings := tui.Warnings(f)
	svc := flows.New(flows.Deps{
		HTTPClient: sb.HTTPClient(),
		Now:        now,
		// The demo opens no real browser (it would not trust the sandbox's
		// CA); the browser screen says so and offers the demo key.
		OpenBrowser: func(string) error {
			return errors.New("the demo opens no browser; press a to sign in as the sandbox user")
		},
		// The demo profiles' secrets come from the sandbox; a profile made
		// in the demo resolves its own as a real one would.
		Secret: func(p profiles.Profile, field string) (string, error) {
			if env.Owns(p.Name) {
				return env.Secret(p, field)
			}
			return resolver.Secret(p, field)
		},
		CacheDir: filepath.Join(dir, "cache"),
		Logf:     f.Logf,
		Warnf:    cmdutil.Warnf(f),
	})
	return tui.NewConfig(tui.Deps{
		IO:             f.IO,
		Getenv:         f.Env,
		Now:            now,
		Store:          env.Store,
		Flows:          svc,
		HTTPClient:     sb.HTTPClient(),
		Keyring:        keyring,
		CanOpenBrowser: func() (bool, string) { return true, "" },
		Clipboard:      tui.Clipboard(tui.SystemClipboardEnv(f.Env)),
		Warnings:       warnings,
		Demo:           Hooks(sb),
		Accessible:     accessible,
	})
}

// World is the sandbox's default world whose Cognito and OIDC public app
// clients also take the callback http://localhost:PORT, so that the demo's
// browser profiles need no fixed port (the default world's Cognito client
// lists http://localhost:53000 only, as Cognito compares callbacks exactly).
func World(port int) sandbox.World {
	w := sandbox.DefaultWorld()
	clients := append([]sandbox.IdPClient(nil), w.IdPClients...)
	for i := range clients {
		if len(clients[i].CallbackURLs) > 0 {
			clients[i].CallbackURLs = append(append([]string(nil), clients[i].CallbackURLs...), fmt.Sprintf("http://localhost:%d", port))
		}
	}
	w.IdPClients = clients
	return w
}

// callbackPort is the port of the last callback URL of the sandbox's
// Cognito public app client (World's, in the demo), 53000 otherwise.
func callbackPort(w sandbox.World) int {
	c, ok := w.IdPClient(sandbox.CognitoPublicClientID)
	if !ok || len(c.CallbackURLs) == 0 {
		return profiles.DefaultRedirectPort
	}
	u, err := url.Parse(c.CallbackURLs[len(c.CallbackURLs)-1])
	if err != nil {
		return profiles.DefaultRedirectPort
	}
	n, err := strconv.Atoi(u.Port())
	if err != nil {
		return profiles.DefaultRedirectPort
	}
	return n
}

// Env is the demo's profile store and secret resolver.
type Env struct {
	Store  *profiles.Store
	Secret func(p profiles.Profile, field string) (string, error)
	// names are the demo profiles Setup wrote.
	names map[string]bool
}

// Owns reports whether Setup wrote the profile named name (its secrets
// are the sandbox's).
func (e *Env) Owns(name string) bool { return e.names[name] }

// Setup writes the demo profiles for sb into dir (a private folder): one
// per flow plus one whose app has public client flows off.
func Setup(sb *sandbox.Sandbox, dir string) (*Env, error) {
	if err := cmdutil.EnsureDir(dir); err != nil {
		return nil, err
	}
	w := sb.World()
	app, ok := w.App(sandbox.AppCertificate)
	if !ok || len(app.Certificates) == 0 {
		return nil, errors.New("the sandbox world has no certificate app")
	}
	certFile := filepath.Join(dir, "sandbox-certificate.pem")
	if err := os.WriteFile(certFile, app.Certificates[0].PEM(), 0o600); err != nil {
		return nil, fmt.Errorf("write the demo certificate: %w", err)
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	base := profiles.Profile{
		Tenant: w.TenantID, Project: sandbox.ProjectName,
		Authority: sb.AuthorityURL(), CDFURL: sb.CDFURL(),
	}
	mk := func(name, clientID string, flow profiles.Flow, change func(*profiles.Profile)) profiles.Profile {
		p := base
		p.Name, p.ClientID, p.Flow = name, clientID, flow
		if change != nil {
			change(&p)
		}
		return p
	}
	list := []profiles.Profile{
		mk("sandbox-device", sandbox.DeviceAppID, profiles.FlowDevice, nil),
		mk("sandbox-browser", sandbox.BrowserAppID, profiles.FlowBrowser, func(p *profiles.Profile) {
			p.RedirectPort = port
			p.LoginHint = sandbox.AliceUsername
		}),
		mk("sandbox-secret", sandbox.SecretAppID, profiles.FlowSecret, func(p *profiles.Profile) {
			p.ClientSecret = "env:CDFLOGIN_SANDBOX_SECRET"
		}),
		mk("sandbox-certificate", sandbox.CertificateAppID, profiles.FlowCertificate, func(p *profiles.Profile) {
			p.Certificate = certFile
		}),
	}
	// Amazon Cognito and a generic OpenID provider, next to the tenant.
	cognito := profiles.Profile{Provider: profiles.ProviderCognito, Issuer: sb.CognitoIssuer(), CDFURL: sb.CDFURL(), Project: sandbox.CognitoProjectName}
	oidc := profiles.Profile{Provider: profiles.ProviderOIDC, Issuer: sb.OIDCIssuer(), CDFURL: sb.CDFURL(), Project: sandbox.OIDCProjectName,
		Audience: sandbox.OIDCAudience, GroupsClaimName: sandbox.OIDCGroupsClaim}
	with := func(p profiles.Profile, name, clientID string, flow profiles.Flow, change func(*profiles.Profile)) profiles.Profile {
		p.Name, p.ClientID, p.Flow = name, clientID, flow
		if change != nil {
			change(&p)
		}
		return p
	}
	list = append(list,
		with(cognito, "sandbox-cognito-browser", sandbox.CognitoPublicClientID, profiles.FlowBrowser, func(p *profiles.Profile) {
			p.RedirectPort = callbackPort(w)
		}),
		with(cognito, "sandbox-cognito-secret", sandbox.CognitoSecretClientID, profiles.FlowSecret, func(p *profiles.Profile) {
			p.ClientSecret = "env:CDFLOGIN_SANDBOX_COGNITO_SECRET"
		}),
		with(oidc, "sandbox-oidc-device", sandbox.OIDCPublicClientID, profiles.FlowDevice, nil),
		with(oidc, "sandbox-oidc-certificate", sandbox.OIDCCertificateClientID, profiles.FlowCertificate, func(p *profiles.Profile) {
			p.Certificate = certFile
		}),
		// Last, as the tour of the program ends on its error.
		mk("sandbox-nopublic", sandbox.NoPublicAppID, profiles.FlowDevice, nil),
	)
	store := profiles.NewStore(filepath.Join(dir, "profiles.yaml"))
	for _, p := range list {
		if err := store.Add(p); err != nil {
			return nil, fmt.Errorf("write demo profile %s: %w", p.Name, err)
		}
	}
	names := map[string]bool{}
	for _, p := range list {
		names[p.Name] = true
	}
	return &Env{Store: store, names: names, Secret: func(p profiles.Profile, field string) (string, error) {
		if field == "client_secret" {
			switch p.ClientID {
			case sandbox.CognitoSecretClientID:
				return sandbox.CognitoClientSecret, nil
			case sandbox.OIDCSecretClientID:
				return sandbox.OIDCClientSecret, nil
			}
			return sandbox.SecretAppSecret, nil
		}
		return "", nil // the demo certificate's key is not encrypted
	}}, nil
}

// Hooks are the demo keys: approve a device code and complete a browser
// sign-in as the sandbox user.
func Hooks(sb *sandbox.Sandbox) *ui.DemoHooks {
	return &ui.DemoHooks{
		User: sandbox.AliceUsername,
		ApproveDeviceCode: func(_ context.Context, userCode string) error {
			return sb.ApproveDeviceCode(userCode, sandbox.AliceUsername)
		},
		CompleteBrowser: func(ctx context.Context, authURL string) error {
			status, err := sandbox.SignInAs(ctx, sb.HTTPClient(), authURL, sandbox.AliceUsername)
			if err != nil {
				return err
			}
			if status >= http.StatusBadRequest {
				return fmt.Errorf("the redirect listener answered HTTP %d", status)
			}
			return nil
		},
		ChangeGroups: func(ctx context.Context) (string, error) { return moveGroups(ctx, sb) },
	}
}

// moveGroups moves the sandbox user between "CDF readers" and
// "Marketing" through the sandbox's admin API, as an admin would in the
// Entra admin center: the token held keeps its groups, the next refresh
// carries the new ones.
func moveGroups(ctx context.Context, sb *sandbox.Sandbox) (string, error) {
	groups, err := sb.UserGroups(sandbox.AliceUsername)
	if err != nil {
		return "", err
	}
	add, remove := "Marketing", "CDF readers"
	if slices.Contains(groups, sandbox.GroupMarketing) {
		add, remove = remove, add
	}
	path := "/_sandbox/users/" + url.PathEscape(sandbox.AliceUsername) + "/groups"
	body := fmt.Sprintf(`{"add":[%q],"remove":[%q]}`, add, remove)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, sb.BaseURL()+path, strings.NewReader(body))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := sb.HTTPClient().Do(req)
	if err != nil {
		return "", fmt.Errorf("the sandbox admin API: %w", err)
	}
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		return "", fmt.Errorf("the sandbox admin API answered HTTP %d: %s", resp.StatusCode, strings.TrimSpace(string(b)))
	}
	return fmt.Sprintf("Sandbox admin (POST %s): %s joined %s and left %s. The token held keeps its groups; the next refresh carries the new ones (r refreshes now).",
		path, sandbox.AliceUsername, add, remove), nil
}

// freePort finds a free loopback port for the browser profile, so that the
// demo does not need 53000.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "localhost:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port for the browser profile: %w", err)
	}
	defer func() { _ = l.Close() }()
	return l.Addr().(*net.TCPAddr).Port, nil
}
