package secrets

import (
	"errors"
	"fmt"

	"github.com/cognite-tools/cdflogin/profiles"
)

// Secret fields of a profile.
const (
	FieldClientSecret        = "client_secret"
	FieldCertificatePassword = "certificate_password"
)

// Resolver turns a profile's secret references into values.
type Resolver struct {
	// Keyring holds the "keyring" references; nil means none is usable.
	Keyring Keyring
	// Getenv reads "env:VAR" references.
	Getenv func(string) string
}

// Ref returns the reference held by the named secret field of p.
func Ref(p profiles.Profile, field string) (string, error) {
	switch field {
	case FieldClientSecret:
		return p.ClientSecret, nil
	case FieldCertificatePassword:
		return p.CertificatePassword, nil
	}
	return "", fmt.Errorf("%q is not a secret field of a profile", field)
}

// Secret resolves the reference of p's field ("client_secret" or
// "certificate_password"). It matches flows.Deps.Secret. An empty
// certificate_password reference resolves to "" (an unencrypted key);
// an empty client_secret is an error. Errors never contain the secret.
func (r Resolver) Secret(p profiles.Profile, field string) (string, error) {
	ref, err := Ref(p, field)
	if err != nil {
		return "", err
	}
	switch {
	case ref == "":
		if field == FieldCertificatePassword {
			return "", nil
		}
		return "", fmt.Errorf("profile %q has no %s: add one with cdflogin profile edit %s --secret-env VAR or --secret-stdin", p.Name, field, p.Name)
	case ref == profiles.RefKeyring:
		if r.Keyring == nil {
			return "", fmt.Errorf("profile %q keeps its %s in the OS keyring, but %w here: put it in an environment variable and point the profile at it: cdflogin profile edit %s %s VAR", p.Name, field, ErrUnavailable, p.Name, envFlag(field))
		}
		s, err := r.Keyring.Get(Service, Item(p.Name, field))
		switch {
		case errors.Is(err, ErrNotFound):
			return "", fmt.Errorf("profile %q keeps its %s in the OS keyring, but the keyring has no item %q for service %q: store it with cdflogin profile edit %s %s", p.Name, field, Item(p.Name, field), Service, p.Name, stdinFlag(field))
		case err != nil:
			return "", fmt.Errorf("profile %q keeps its %s in the OS keyring, which cannot be read (%w): unlock it, or use an environment variable: cdflogin profile edit %s %s VAR", p.Name, field, err, p.Name, envFlag(field))
		case s == "":
			return "", fmt.Errorf("the keyring item %q of profile %q is empty: store the %s again with cdflogin profile edit %s %s", Item(p.Name, field), p.Name, field, p.Name, stdinFlag(field))
		}
		return s, nil
	}
	v, ok := profiles.EnvRefVar(ref)
	if !ok {
		return "", fmt.Errorf("profile %q: %s: %v", p.Name, field, profiles.ValidateSecretRef(ref))
	}
	var val string
	if r.Getenv != nil {
		val = r.Getenv(v)
	}
	if val == "" {
		return "", fmt.Errorf("profile %q reads its %s from the environment variable %s, which is not set: set it (e.g. export %s=…) or store the secret in the keyring with cdflogin profile edit %s %s", p.Name, field, v, v, p.Name, stdinFlag(field))
	}
	return val, nil
}

func envFlag(field string) string {
	if field == FieldCertificatePassword {
		return "--certificate-password-env"
	}
	return "--secret-env"
}

func stdinFlag(field string) string {
	if field == FieldCertificatePassword {
		return "--certificate-password-stdin"
	}
	return "--secret-stdin"
}

// Forget deletes every keyring item of the profile (client secret and
// certificate password) that its references point at. Missing items are
// not an error; it reports the items removed.
func Forget(k Keyring, p profiles.Profile) ([]string, error) {
	var removed []string
	var errs []error
	for _, f := range []string{FieldClientSecret, FieldCertificatePassword} {
		ref, _ := Ref(p, f)
		if ref != profiles.RefKeyring {
			continue
		}
		if k == nil {
			errs = append(errs, fmt.Errorf("cannot remove the keyring item %q: %w", Item(p.Name, f), ErrUnavailable))
			continue
		}
		err := k.Delete(Service, Item(p.Name, f))
		switch {
		case err == nil:
			removed = append(removed, Item(p.Name, f))
		case errors.Is(err, ErrNotFound):
		default:
			errs = append(errs, fmt.Errorf("remove the keyring item %q: %w", Item(p.Name, f), err))
		}
	}
	return removed, errors.Join(errs...)
}
