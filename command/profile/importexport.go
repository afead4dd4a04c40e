package profile

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/cognite-tools/cdflogin/command/cmdutil"
	"github.com/cognite-tools/cdflogin/flows"
	"github.com/cognite-tools/cdflogin/internal/secrets"
	"github.com/cognite-tools/cdflogin/internal/textsafe"
	"github.com/cognite-tools/cdflogin/profiles"
)

func newImportCmd(opts *Options) *cobra.Command {
	var format, name, certificate, authority string
	var isDefault bool
	cmd := &cobra.Command{
		Use:   "import FILE",
		Short: "Create a profile from a Cognite Toolkit .env or a Cognite SDK YAML config",
		Long: `Create a profile from a Cognite Toolkit .env file (CDF_CLUSTER, CDF_PROJECT,
LOGIN_FLOW, IDP_CLIENT_ID, IDP_TENANT_ID or IDP_TOKEN_URL, …) or a Cognite
Python SDK YAML config (client: project, base_url, credentials: …). The format
is detected; FILE "-" reads stdin.

${VAR} references of secrets are kept as env:VAR. A secret found in clear text
goes to the OS keyring; when no keyring is usable the profile refers to
IDP_CLIENT_SECRET instead, with a warning. Secrets are never copied into
profiles.yaml. Settings that cannot be mapped (another identity provider, a
ready-made token) stop the import with the reason.`,
		Example: `  cdflogin profile import .env
  cdflogin profile import cognite-sdk-config.yaml --name prod --default
  cdflogin profile import sdk-cert.yaml --certificate ~/keys/app.pem`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return cmdutil.UsageError("%s needs the file to import, e.g. cdflogin profile import .env (see: %s --help)", cmd.CommandPath(), cmd.CommandPath())
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			switch format {
			case "", profiles.FormatDotenv, profiles.FormatSDKYAML:
			default:
				return cmdutil.UsageError("--format %q: use dotenv or sdk-yaml (or leave it out to detect)", format)
			}
			if name != "" {
				if err := profiles.ValidateName(name); err != nil {
					return cmdutil.UsageError("--name: %v", err)
				}
			}
			return runImport(opts, args[0], format, name, certificate, authority, isDefault, cmd.Flags().Changed("default"))
		},
	}
	cmd.Flags().StringVar(&format, "format", "", "file format: dotenv or sdk-yaml (default: detect)")
	cmd.Flags().StringVar(&name, "name", "", "profile name (default: the CDF project)")
	cmd.Flags().StringVar(&certificate, "certificate", "", "certificate `FILE` for a client_certificate config (the SDK config holds PEM text, not a path)")
	cmd.Flags().BoolVar(&isDefault, "default", false, "make the new profile the default")
	cmd.Flags().StringVar(&authority, "authority", "", "confirm the file's authority `URL` when it is not a Microsoft Entra sign-in host (or replace it)")
	return cmd
}

// maxImportSize bounds an import file (or stdin): a .env or SDK config is
// a few KB.
const maxImportSize = 4 << 20

func runImport(opts *Options, file, format, name, certificate, authority string, isDefault, defaultSet bool) error {
	var data []byte
	var err error
	if file == "-" {
		data, err = io.ReadAll(io.LimitReader(opts.IO.In, maxImportSize+1))
	} else {
		data, err = opts.ReadFile(file)
	}
	if err != nil {
		return fmt.Errorf("read %s: %w", file, err)
	}
	store, err := opts.Store()
	if err != nil {
		return err
	}
	in := ImportInput{Data: data, Source: file, Format: format, Name: name, Certificate: certificate, Authority: authority,
		Store: store, Keyring: opts.Keyring, Getenv: opts.Getenv}
	if defaultSet {
		in.Default = &isDefault
	}
	res, err := Import(in)
	if res != nil {
		for _, n := range res.Notes {
			fmt.Fprintf(opts.IO.ErrOut, "Note: %s\n", textsafe.Line(n))
		}
		for _, w := range res.Warnings {
			fmt.Fprintf(opts.IO.ErrOut, "Warning: %s\n", w)
		}
	}
	if err != nil {
		return err
	}
	p := res.Profile
	fmt.Fprintf(opts.IO.ErrOut, "Imported %s (%s) as profile %q into %s.\n", file, res.Format, p.Name, store.Path())
	warnAuthority(opts, p)
	if res.SecretStored {
		fmt.Fprintf(opts.IO.ErrOut, "The client secret from %s is now in the OS keyring (service %q, item %q); consider removing it from %s.\n", file, secrets.Service, secrets.Item(p.Name, secrets.FieldClientSecret), file)
	}
	fmt.Fprintf(opts.IO.ErrOut, "Sign in with: cdflogin login -p %s\n", p.Name)
	return nil
}

// ImportInput is one import: the file's content and where the profile
// goes.
type ImportInput struct {
	Data   []byte
	Source string // the file's name, for messages
	// Format is dotenv or sdk-yaml ("": detect); Name the profile's
	// ("": the CDF project); Certificate a certificate file for a
	// client_certificate config; Authority confirms (or replaces) an
	// authority that is not a Microsoft Entra sign-in host; Default, when
	// set, marks the profile.
	Format, Name, Certificate, Authority string
	Default                              *bool
	Store                                *profiles.Store
	// Keyring takes a secret found in clear text (nil: none is usable).
	Keyring secrets.Keyring
	Getenv  func(string) string
}

// ImportResult is what an import did.
type ImportResult struct {
	Profile profiles.Profile
	Format  string
	// Notes are what the import left out or assumed; Warnings what the
	// person must act on (a clear-text secret that could not be kept).
	Notes, Warnings []string
	// SecretStored is true when a clear-text secret went to the keyring.
	SecretStored bool
}

// ReadImportFile reads an import file, at most as much as one can be.
func ReadImportFile(path string) ([]byte, error) { return readImportFile(path) }

// Import creates a profile from a Toolkit .env or an SDK YAML config. It
// checks everything before a secret goes anywhere and adds nothing when
// something is wrong. The command and the interactive program both use
// it; it prints nothing (the result says what to tell).
func Import(in ImportInput) (*ImportResult, error) {
	if len(in.Data) > maxImportSize {
		return nil, fmt.Errorf("read %s: more than %d bytes, more than a .env or SDK config can be: is it the right file?", in.Source, maxImportSize)
	}
	imp, err := profiles.Import(in.Data, in.Format, profiles.ImportOptions{Name: in.Name, Getenv: in.Getenv})
	if err != nil {
		var ie *profiles.ImportError
		if errors.As(err, &ie) {
			return nil, fmt.Errorf("%s: %w; nothing was imported", in.Source, err)
		}
		return nil, err
	}
	res := &ImportResult{Format: imp.Format, Notes: imp.Notes}
	p := imp.Profile
	if in.Certificate != "" {
		p.Certificate = in.Certificate
	}
	// An authority that is not Microsoft's is used only when the person
	// names it: a file from elsewhere must not send secrets to a
	// look-alike host by itself.
	if in.Authority != "" {
		if err := profiles.ValidateAuthority(in.Authority); err != nil {
			return res, cmdutil.UsageError("--authority: %v", err)
		}
		if p.Authority != "" && !sameHost(p.Authority, in.Authority) {
			res.Notes = append(res.Notes, "--authority replaces the file's authority "+textsafe.Line(profiles.ShownURL(p.Authority)))
		}
		p.Authority = in.Authority
	} else if p.Authority != "" && !p.KnownAuthorityHost() {
		return res, fmt.Errorf("%s: %s; nothing was imported: if you trust it, import again with --authority %s", in.Source, textsafe.Line(p.AuthorityWarning()), textsafe.Line(profiles.ShownURL(p.Authority)))
	}
	if in.Default != nil {
		p.Default = *in.Default
	}
	if _, err := in.Store.Get(p.Name); err == nil {
		return res, fmt.Errorf("%w: %q is already in %s: import under another name with --name NAME", profiles.ErrExists, p.Name, in.Store.Path())
	} else if !errors.Is(err, profiles.ErrNotFound) {
		return res, err
	}
	// Check everything before a secret goes anywhere.
	check := p
	if imp.ClearSecret != "" {
		check.ClientSecret = profiles.RefKeyring
	}
	if err := profiles.ValidateNew(check); err != nil {
		var ve *profiles.ValidationError
		if errors.As(err, &ve) && ve.Field("certificate") != nil && p.Flow == profiles.FlowCertificate {
			return res, cmdutil.UsageError("%v; give the certificate file with --certificate PATH; nothing was imported", err)
		}
		return res, fmt.Errorf("%s: the imported settings are not valid: %w; nothing was imported", in.Source, err)
	}
	if imp.ClearSecret != "" {
		k := in.Keyring
		if k == nil {
			k = secrets.Unavailable{Reason: "none configured"}
		}
		err := k.Set(secrets.Service, secrets.Item(p.Name, secrets.FieldClientSecret), imp.ClearSecret)
		if err == nil {
			p.ClientSecret = profiles.RefKeyring
			res.SecretStored = true
		} else {
			p.ClientSecret = profiles.EnvRefPrefix + imp.SecretEnv
			res.Warnings = append(res.Warnings,
				fmt.Sprintf("%s holds the client secret in clear text, and the OS keyring cannot be used (%v).", in.Source, err),
				fmt.Sprintf("the secret was NOT copied anywhere; profile %q reads it from the environment variable %s — set it before signing in.", p.Name, imp.SecretEnv))
		}
	}
	if err := in.Store.Add(p); err != nil {
		if res.SecretStored {
			_ = in.Keyring.Delete(secrets.Service, secrets.Item(p.Name, secrets.FieldClientSecret))
		}
		return res, err
	}
	res.Profile = p
	return res, nil
}

func newExportCmd(opts *Options) *cobra.Command {
	var format, output string
	cmd := &cobra.Command{
		Use:   "export NAME",
		Short: "Write a profile as a Toolkit .env, a Cognite SDK YAML config or a Python snippet",
		Long: `Write a profile for other tools: a Cognite Toolkit .env (dotenv), a Cognite
Python SDK YAML config (sdk-yaml) or a ready Python snippet with
OAuthInteractive, OAuthDeviceCode, OAuthClientCredentials or
OAuthClientCertificate and a ClientConfig (python). Secrets are written as
references (${VAR}, os.environ[…] or keyring.get_password(…)), never as values.
dotenv and sdk-yaml import back into the same profile.`,
		Example: `  cdflogin profile export dev --format dotenv > .env
  cdflogin profile export ci --format python -o client.py`,
		Args:              exactName("export"),
		ValidArgsFunction: completeNames(opts),
		RunE: func(cmd *cobra.Command, args []string) error {
			if format == "" {
				return cmdutil.UsageError("--format is required: %s (see: %s --help)", strings.Join(profiles.ExportFormats, ", "), cmd.CommandPath())
			}
			if !contains(profiles.ExportFormats, format) {
				return cmdutil.UsageError("--format %q: use %s", format, strings.Join(profiles.ExportFormats, ", "))
			}
			store, err := opts.Store()
			if err != nil {
				return err
			}
			p, err := store.Get(args[0])
			if err != nil {
				return err
			}
			fillTokenURL(cmd.Context(), opts, &p)
			data, err := profiles.Export(p, format)
			if err != nil {
				return err
			}
			if output == "" || output == "-" {
				_, err = opts.IO.Out.Write(data)
				return err
			}
			if err := opts.WriteFile(output, data); err != nil {
				return fmt.Errorf("write %s: %w", output, err)
			}
			fmt.Fprintf(opts.IO.ErrOut, "Wrote profile %q as %s to %s.\n", p.Name, format, output)
			return nil
		},
	}
	cmd.Flags().StringVar(&format, "format", "", "dotenv, sdk-yaml or python (required)")
	cmd.Flags().StringVarP(&output, "output", "o", "", "write to this file instead of stdout")
	return cmd
}

// sameHost reports whether two URLs name the same host (punycode form).
func sameHost(a, b string) bool {
	ua, erra := url.Parse(a)
	ub, errb := url.Parse(b)
	if erra != nil || errb != nil {
		return false
	}
	ha, _ := profiles.ASCIIHost(ua.Hostname())
	hb, _ := profiles.ASCIIHost(ub.Hostname())
	return ha == hb
}

// warnAuthority warns about a profile whose authority is not a Microsoft
// Entra sign-in host (issue 16: look-alike authorities).
func warnAuthority(opts *Options, p profiles.Profile) {
	if w := p.AuthorityWarning(); w != "" {
		fmt.Fprintf(opts.IO.ErrOut, "Warning: %s\n", textsafe.Line(w))
	}
}

// readImportFile reads an import file, at most maxImportSize bytes (and
// one more, to tell a larger one): /dev/zero or a huge file must not be
// read without end.
func readImportFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, maxImportSize+1))
}

// fillTokenURL gives a Cognito or OIDC profile without a token_url the
// token endpoint its issuer's discovery names, for the export only (the
// Toolkit and the SDK take a token URL, not an issuer); when discovery
// cannot be read the export says what to set.
func fillTokenURL(ctx context.Context, opts *Options, p *profiles.Profile) {
	if p.IsEntra() || p.TokenURL != "" || p.Issuer == "" || p.Flow != profiles.FlowSecret || opts.Tokens == nil {
		return
	}
	t, err := opts.Tokens()
	if err != nil {
		return
	}
	d, ok := t.(interface {
		Discover(ctx context.Context, p profiles.Profile) (*flows.Discovery, error)
	})
	if !ok {
		return
	}
	if ctx == nil {
		ctx = context.Background()
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if disc, err := d.Discover(ctx, *p); err == nil && disc.TokenEndpoint != "" {
		p.TokenURL = disc.TokenEndpoint
		fmt.Fprintf(opts.IO.ErrOut, "The token URL is the token_endpoint of %s: %s\n", p.DiscoveryURL(), textsafe.Line(disc.TokenEndpoint))
	}
}
