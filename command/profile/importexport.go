package profile

import (
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/cognite-tools/cdflogin/command/cmdutil"
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
	cmd.Flags().StringVar(&certificate, "certificate", "", "certificate file for a client_certificate config (the SDK config holds PEM text, not a path)")
	cmd.Flags().BoolVar(&isDefault, "default", false, "make the new profile the default")
	cmd.Flags().StringVar(&authority, "authority", "", "confirm the file's authority URL when it is not a Microsoft Entra sign-in host (or replace it)")
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
	if len(data) > maxImportSize {
		return fmt.Errorf("read %s: more than %d bytes, more than a .env or SDK config can be: is it the right file?", file, maxImportSize)
	}
	imp, err := profiles.Import(data, format, profiles.ImportOptions{Name: name, Getenv: opts.Getenv})
	if err != nil {
		var ie *profiles.ImportError
		if errors.As(err, &ie) {
			return fmt.Errorf("%s: %w; nothing was imported", file, err)
		}
		return err
	}
	p := imp.Profile
	if certificate != "" {
		p.Certificate = certificate
	}
	// An authority that is not Microsoft's is used only when the person
	// names it: a file from elsewhere must not send secrets to a
	// look-alike host by itself.
	if authority != "" {
		if err := profiles.ValidateAuthority(authority); err != nil {
			return cmdutil.UsageError("--authority: %v", err)
		}
		if p.Authority != "" && !sameHost(p.Authority, authority) {
			fmt.Fprintf(opts.IO.ErrOut, "Note: --authority replaces the file's authority %s\n", textsafe.Line(profiles.ShownURL(p.Authority)))
		}
		p.Authority = authority
	} else if p.Authority != "" && !p.KnownAuthorityHost() {
		return fmt.Errorf("%s: %s; nothing was imported: if you trust it, import again with --authority %s", file, textsafe.Line(p.AuthorityWarning()), textsafe.Line(profiles.ShownURL(p.Authority)))
	}
	if defaultSet {
		p.Default = isDefault
	}
	for _, n := range imp.Notes {
		fmt.Fprintf(opts.IO.ErrOut, "Note: %s\n", textsafe.Line(n))
	}
	store, err := opts.Store()
	if err != nil {
		return err
	}
	if _, err := store.Get(p.Name); err == nil {
		return fmt.Errorf("%w: %q is already in %s: import under another name with --name NAME", profiles.ErrExists, p.Name, store.Path())
	} else if !errors.Is(err, profiles.ErrNotFound) {
		return err
	}
	// Check everything before a secret goes anywhere.
	check := p
	if imp.ClearSecret != "" {
		check.ClientSecret = profiles.RefKeyring
	}
	if err := profiles.Validate(check); err != nil {
		var ve *profiles.ValidationError
		if errors.As(err, &ve) && ve.Field("certificate") != nil && p.Flow == profiles.FlowCertificate {
			return cmdutil.UsageError("%v; give the certificate file with --certificate PATH; nothing was imported", err)
		}
		return fmt.Errorf("%s: the imported settings are not valid: %w; nothing was imported", file, err)
	}
	stored := false
	if imp.ClearSecret != "" {
		k := opts.Keyring
		if k == nil {
			k = secrets.Unavailable{Reason: "none configured"}
		}
		err := k.Set(secrets.Service, secrets.Item(p.Name, secrets.FieldClientSecret), imp.ClearSecret)
		if err == nil {
			p.ClientSecret = profiles.RefKeyring
			stored = true
		} else {
			p.ClientSecret = profiles.EnvRefPrefix + imp.SecretEnv
			fmt.Fprintf(opts.IO.ErrOut, "Warning: %s holds the client secret in clear text, and the OS keyring cannot be used (%v).\n", file, err)
			fmt.Fprintf(opts.IO.ErrOut, "Warning: the secret was NOT copied anywhere; profile %q reads it from the environment variable %s — set it before signing in.\n", p.Name, imp.SecretEnv)
		}
	}
	if err := store.Add(p); err != nil {
		if stored {
			_ = opts.Keyring.Delete(secrets.Service, secrets.Item(p.Name, secrets.FieldClientSecret))
		}
		return err
	}
	fmt.Fprintf(opts.IO.ErrOut, "Imported %s (%s) as profile %q into %s.\n", file, imp.Format, p.Name, store.Path())
	warnAuthority(opts, p)
	if stored {
		fmt.Fprintf(opts.IO.ErrOut, "The client secret from %s is now in the OS keyring (service %q, item %q); consider removing it from %s.\n", file, secrets.Service, secrets.Item(p.Name, secrets.FieldClientSecret), file)
	}
	fmt.Fprintf(opts.IO.ErrOut, "Sign in with: cdflogin login -p %s\n", p.Name)
	return nil
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
