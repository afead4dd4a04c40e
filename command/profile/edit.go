package profile

import (
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/cognite-tools/cdflogin/command/cmdutil"
	"github.com/cognite-tools/cdflogin/internal/secrets"
	"github.com/cognite-tools/cdflogin/profiles"
)

// unsettable are the optional fields --unset clears.
var unsettable = []string{"authority", "cdf_url", "scopes", "redirect_port", "login_hint", "client_secret", "certificate", "certificate_password", "ca_file"}

func unsetField(p *profiles.Profile, field string) {
	switch field {
	case "authority":
		p.Authority = ""
	case "cdf_url":
		p.CDFURL = ""
	case "scopes":
		p.Scopes = nil
	case "redirect_port":
		p.RedirectPort = 0
	case "login_hint":
		p.LoginHint = ""
	case "client_secret":
		p.ClientSecret = ""
	case "certificate":
		p.Certificate = ""
	case "certificate_password":
		p.CertificatePassword = ""
	case "ca_file":
		p.CAFile = ""
	}
}

func newEditCmd(opts *Options) *cobra.Command {
	ff := &fieldFlags{}
	var rename string
	var unset []string
	cmd := &cobra.Command{
		Use:   "edit NAME",
		Short: "Change settings of a profile",
		Long: `Change the given settings of a profile in place; everything else in
profiles.yaml (other settings, comments, order) stays as it is. The result is
checked before it is written. --unset clears an optional setting so that its
default applies again; --name renames the profile (its keyring secrets move
along).`,
		Example: `  cdflogin profile edit dev --cluster az-eastus-1
  cdflogin profile edit dev --default
  printenv NEW_SECRET | cdflogin profile edit ci --secret-stdin
  cdflogin profile edit dev --unset scopes --unset authority
  cdflogin profile edit dev --name development`,
		Args:              exactName("edit"),
		ValidArgsFunction: completeNames(opts),
		RunE: func(cmd *cobra.Command, args []string) error {
			fs := cmd.Flags()
			if err := ff.check(fs); err != nil {
				return err
			}
			for i, u := range unset {
				u = strings.ReplaceAll(strings.TrimSpace(u), "-", "_")
				if !contains(unsettable, u) {
					msg := fmt.Sprintf("--unset %s: not an optional setting (these can be unset: %s)", unset[i], strings.Join(unsettable, ", "))
					if s := profiles.Nearest(u, unsettable); s != "" {
						msg += fmt.Sprintf("; did you mean %s?", s)
					}
					return cmdutil.UsageError("%s", msg)
				}
				unset[i] = u
			}
			if fs.NFlag() == 0 {
				return cmdutil.UsageError("nothing to change: give the settings to change, e.g. cdflogin profile edit %s --cluster westeurope-1 (see: %s --help)", args[0], cmd.CommandPath())
			}
			if fs.Changed("name") {
				if err := profiles.ValidateName(rename); err != nil {
					return cmdutil.UsageError("--name: %v", err)
				}
			}
			return runEdit(opts, ff, cmd, args[0], rename, unset)
		},
	}
	ff.bind(cmd.Flags())
	cmd.Flags().StringVar(&rename, "name", "", "rename the profile")
	cmd.Flags().StringSliceVar(&unset, "unset", nil, "clear an optional setting (repeatable): "+strings.Join(unsettable, ", "))
	return cmd
}

func runEdit(opts *Options, ff *fieldFlags, cmd *cobra.Command, name, rename string, unset []string) error {
	store, err := opts.Store()
	if err != nil {
		return err
	}
	old, err := store.Get(name)
	if err != nil {
		return err
	}
	fs := cmd.Flags()
	change := func(p *profiles.Profile) error {
		for _, u := range unset {
			unsetField(p, u)
		}
		ff.apply(fs, p)
		if fs.Changed("name") {
			p.Name = rename
		}
		return nil
	}
	// Dry run first so that a secret is only stored for a valid edit.
	preview := old
	_ = change(&preview)
	if err := profiles.Validate(preview); err != nil {
		return validationUsage(err)
	}
	sec, err := ff.readStdinSecret(opts)
	if err != nil {
		return err
	}
	if sec != nil {
		if err := keyringStore(opts, preview.Name, sec.field, sec.value, sec.envFlag); err != nil {
			return err
		}
	}
	// Keyring secrets that move with a rename.
	var moved []string
	if preview.Name != old.Name && opts.Keyring != nil {
		for _, f := range []string{secrets.FieldClientSecret, secrets.FieldCertificatePassword} {
			ref, _ := secrets.Ref(preview, f)
			if ref != profiles.RefKeyring || (sec != nil && sec.field == f) {
				continue
			}
			v, err := opts.Keyring.Get(secrets.Service, secrets.Item(old.Name, f))
			if err != nil {
				if errors.Is(err, secrets.ErrNotFound) {
					continue
				}
				return fmt.Errorf("cannot move the %s of %q in the OS keyring to the new name: %w (nothing was changed)", f, old.Name, err)
			}
			if err := opts.Keyring.Set(secrets.Service, secrets.Item(preview.Name, f), v); err != nil {
				return fmt.Errorf("cannot move the %s of %q in the OS keyring to the new name: %w (nothing was changed)", f, old.Name, err)
			}
			moved = append(moved, f)
		}
	}
	if err := store.Update(name, change); err != nil {
		if sec != nil {
			_ = opts.Keyring.Delete(secrets.Service, secrets.Item(preview.Name, sec.field))
		}
		for _, f := range moved {
			_ = opts.Keyring.Delete(secrets.Service, secrets.Item(preview.Name, f))
		}
		var ve *profiles.ValidationError
		if errors.As(err, &ve) {
			return validationUsage(err)
		}
		return err
	}
	// Old keyring items that nothing refers to any more.
	if opts.Keyring != nil {
		for _, f := range []string{secrets.FieldClientSecret, secrets.FieldCertificatePassword} {
			oldRef, _ := secrets.Ref(old, f)
			newRef, _ := secrets.Ref(preview, f)
			if oldRef == profiles.RefKeyring && (newRef != profiles.RefKeyring || preview.Name != old.Name) {
				if err := opts.Keyring.Delete(secrets.Service, secrets.Item(old.Name, f)); err != nil && !errors.Is(err, secrets.ErrNotFound) {
					fmt.Fprintf(opts.IO.ErrOut, "Warning: could not remove the old %s of %q from the OS keyring: %v\n", f, old.Name, err)
				}
			}
		}
	}
	if preview.Name != old.Name {
		fmt.Fprintf(opts.IO.ErrOut, "Renamed profile %q to %q. Its cached tokens stay under the old name: sign in again with cdflogin login -p %s\n", old.Name, preview.Name, preview.Name)
	} else {
		fmt.Fprintf(opts.IO.ErrOut, "Updated profile %q.\n", preview.Name)
		if preview.Authority != old.Authority {
			warnAuthority(opts, preview)
		}
	}
	if sec != nil {
		fmt.Fprintf(opts.IO.ErrOut, "The %s is in the OS keyring (service %q, item %q).\n", sec.field, secrets.Service, secrets.Item(preview.Name, sec.field))
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
