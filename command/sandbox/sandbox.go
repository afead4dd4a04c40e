// Package sandbox is `cdflogin sandbox`: the fake Entra tenant and CDF
// in the foreground, for other processes (tests, scripts, a browser).
package sandbox

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/cognite-tools/cdflogin/command/cmdutil"
	fake "github.com/cognite-tools/cdflogin/sandbox"
)

// Options are the inputs of one run.
type Options struct {
	IO             *cmdutil.IOStreams
	Addr           string
	CDFAddr        string
	WriteCA        string
	WriteCert      string
	WriteSettings  string
	DeviceInterval time.Duration
	TokenLifetime  time.Duration
	IssParameter   bool
	// Ready, when set, is called with the settings once serving (tests).
	Ready func(fake.Settings)
}

// NewCmd returns the sandbox command.
func NewCmd(f *cmdutil.Factory) *cobra.Command {
	opts := &Options{IO: f.IO}
	cmd := &cobra.Command{
		Use:   "sandbox",
		Short: "Run the sandbox tenant and CDF in the foreground",
		Long: `Run the built-in sandbox: a fake Microsoft Entra ID tenant and a fake Cognite Data
Fusion API on 127.0.0.1, over HTTPS with a CA generated at start, with an Amazon
Cognito-shaped user pool and a generic OpenID provider beside the tenant. Its
settings (authority, CDF URL, app client IDs, users, the other issuers and their
clients, admin API) are printed as JSON on stdout; it runs until interrupted.

Other programs trust it through the CA file: --write-ca ca.pem, then
SSL_CERT_FILE=ca.pem (Linux) or a profile's ca_file. The secret app's client
secret is the published test value ` + fake.SecretAppSecret + `; the Cognito and OIDC
robots' are ` + fake.CognitoClientSecret + ` and ` + fake.OIDCClientSecret + `.`,
		Example: `  cdflogin sandbox --write-ca /tmp/sandbox-ca.pem
  cdflogin sandbox --write-ca ca.pem --write-settings sandbox.json &
  cdflogin sandbox --addr 127.0.0.1:8443 --device-interval 1s`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return Run(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.Addr, "addr", "127.0.0.1:0", "listen on `ADDR` (host:port) for the Entra side; port 0 picks a free one")
	cmd.Flags().StringVar(&opts.CDFAddr, "cdf-addr", "127.0.0.1:0", "listen on `ADDR` (host:port) for the CDF side")
	cmd.Flags().StringVar(&opts.WriteCA, "write-ca", "", "write the sandbox CA certificate (PEM) to this `FILE`")
	cmd.Flags().StringVar(&opts.WriteCert, "write-cert", "", "write the certificate app's certificate and key (PEM, mode 0600) to this `FILE`")
	cmd.Flags().StringVar(&opts.WriteSettings, "write-settings", "", "also write the settings JSON to this `FILE` once serving (for scripts that run the sandbox in the background)")
	cmd.Flags().DurationVar(&opts.DeviceInterval, "device-interval", 5*time.Second, "device code polling interval handed out (Entra: 5s)")
	cmd.Flags().DurationVar(&opts.TokenLifetime, "token-lifetime", time.Hour, "lifetime of access tokens (short ones show refreshes)")
	cmd.Flags().BoolVar(&opts.IssParameter, "iss-parameter", false, "send iss with every answer to the redirect URI and advertise it (RFC 9207; Entra does not)")
	return cmd
}

// Run starts the sandbox, prints its settings and serves until ctx ends.
func Run(ctx context.Context, opts *Options) error {
	if opts.DeviceInterval <= 0 {
		return cmdutil.UsageError("--device-interval must be positive")
	}
	if opts.TokenLifetime < 0 {
		return cmdutil.UsageError("--token-lifetime must be positive")
	}
	sb, err := fake.Start(fake.Options{Addr: opts.Addr, CDFAddr: opts.CDFAddr,
		DeviceInterval: opts.DeviceInterval, AccessTokenLifetime: opts.TokenLifetime, IssParameter: opts.IssParameter})
	if err != nil {
		return fmt.Errorf("start the sandbox: %w", err)
	}
	defer func() { _ = sb.Close() }()

	settings := sb.Settings()
	if opts.WriteCA != "" {
		abs, err := filepath.Abs(opts.WriteCA)
		if err != nil {
			return fmt.Errorf("--write-ca: %w", err)
		}
		if err := writeFile(abs, sb.CAPEM(), 0o644); err != nil {
			return fmt.Errorf("--write-ca: %w", err)
		}
		settings.CAFile = abs
	}
	if opts.WriteCert != "" {
		cert, ok := certificate(sb.World())
		if !ok {
			return fmt.Errorf("--write-cert: the sandbox has no certificate app")
		}
		if err := writeFile(opts.WriteCert, cert.PEM(), 0o600); err != nil {
			return fmt.Errorf("--write-cert: %w", err)
		}
	}
	doc, err := json.MarshalIndent(settings, "", "  ")
	if err != nil {
		return fmt.Errorf("print settings: %w", err)
	}
	doc = append(doc, '\n')
	if opts.WriteSettings != "" {
		// Written last and atomically: its presence means "ready".
		if err := writeFile(opts.WriteSettings, doc, 0o644); err != nil {
			return fmt.Errorf("--write-settings: %w", err)
		}
	}
	if _, err := opts.IO.Out.Write(doc); err != nil {
		return fmt.Errorf("print settings: %w", err)
	}
	fmt.Fprintf(opts.IO.ErrOut, "Sandbox running: authority %s, CDF %s. Device code page: %s\n",
		settings.Authority, settings.CDFURL, settings.DeviceLoginURL)
	for _, p := range settings.IdPs {
		fmt.Fprintf(opts.IO.ErrOut, "  %s issuer %s (project %s)\n", p.Provider, p.Issuer, p.Project)
	}
	fmt.Fprintln(opts.IO.ErrOut, "Press Ctrl+C to stop.")
	if opts.Ready != nil {
		opts.Ready(settings)
	}
	<-ctx.Done()
	return nil
}

func certificate(w fake.World) (fake.Certificate, bool) {
	for _, a := range w.Apps {
		if len(a.Certificates) > 0 {
			return a.Certificates[0], true
		}
	}
	return fake.Certificate{}, false
}

// writeFile writes data through a temporary file and a rename, with mode.
func writeFile(path string, data []byte, mode os.FileMode) error {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer func() { _ = os.Remove(tmp.Name()) }()
	if err := tmp.Chmod(mode); err != nil {
		_ = tmp.Close()
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		_ = tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
