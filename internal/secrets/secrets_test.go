package secrets

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/cognite-tools/cdflogin/profiles"
)

// blocking is a keyring that never answers until released.
type blocking struct{ release chan struct{} }

func (b blocking) Get(string, string) (string, error) { <-b.release; return "late", nil }
func (b blocking) Set(string, string, string) error   { <-b.release; return nil }
func (b blocking) Delete(string, string) error        { <-b.release; return nil }

func TestWithTimeoutDoesNotHang(t *testing.T) {
	b := blocking{release: make(chan struct{})}
	defer close(b.release)
	k := WithTimeout(b, 10*time.Millisecond)
	if _, err := k.Get(Service, "x"); !errors.Is(err, ErrUnavailable) || !strings.Contains(err.Error(), "did not answer") {
		t.Errorf("Get = %v, want ErrUnavailable after the timeout", err)
	}
	if err := k.Set(Service, "x", "s"); !errors.Is(err, ErrUnavailable) {
		t.Errorf("Set = %v, want ErrUnavailable", err)
	}
	if err := k.Delete(Service, "x"); !errors.Is(err, ErrUnavailable) {
		t.Errorf("Delete = %v, want ErrUnavailable", err)
	}
}

func TestWithTimeoutPassesThrough(t *testing.T) {
	m := NewMemory()
	k := WithTimeout(m, time.Minute)
	if err := k.Set(Service, "a", "v"); err != nil {
		t.Fatal(err)
	}
	if s, err := k.Get(Service, "a"); err != nil || s != "v" {
		t.Errorf("Get = %q, %v", s, err)
	}
	if _, err := k.Get(Service, "b"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Get(missing) = %v", err)
	}
	if err := k.Delete(Service, "a"); err != nil || m.Len() != 0 {
		t.Errorf("Delete = %v, len %d", err, m.Len())
	}
}

func TestResolver(t *testing.T) {
	const secret = "s3cr3t~value"
	env := map[string]string{"IDP_CLIENT_SECRET": secret}
	mem := NewMemory()
	if err := mem.Set(Service, Item("kr", FieldClientSecret), secret); err != nil {
		t.Fatal(err)
	}
	base := profiles.Profile{Name: "dev"}
	cases := []struct {
		name    string
		p       profiles.Profile
		field   string
		keyring Keyring
		want    string
		errHas  string
	}{
		{"env", profiles.Profile{Name: "dev", ClientSecret: "env:IDP_CLIENT_SECRET"}, FieldClientSecret, mem, secret, ""},
		{"env unset", profiles.Profile{Name: "dev", ClientSecret: "env:NOPE"}, FieldClientSecret, mem, "", "NOPE, which is not set"},
		{"keyring", profiles.Profile{Name: "kr", ClientSecret: "keyring"}, FieldClientSecret, mem, secret, ""},
		{"keyring missing item", profiles.Profile{Name: "dev", ClientSecret: "keyring"}, FieldClientSecret, mem, "", `no item "dev/client_secret"`},
		{"keyring unusable", profiles.Profile{Name: "kr", ClientSecret: "keyring"}, FieldClientSecret, Unavailable{Reason: "no D-Bus"}, "", "--secret-env VAR"},
		{"no keyring", profiles.Profile{Name: "kr", ClientSecret: "keyring"}, FieldClientSecret, nil, "", "environment variable"},
		{"empty secret ref", base, FieldClientSecret, mem, "", "has no client_secret"},
		{"empty cert password", base, FieldCertificatePassword, mem, "", ""},
		{"cert password env", profiles.Profile{Name: "dev", CertificatePassword: "env:IDP_CLIENT_SECRET"}, FieldCertificatePassword, mem, secret, ""},
		{"clear text ref", profiles.Profile{Name: "dev", ClientSecret: secret}, FieldClientSecret, mem, "", "never the secret"},
		{"bad field", base, "tenant", mem, "", "not a secret field"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := Resolver{Keyring: tc.keyring, Getenv: func(k string) string { return env[k] }}
			got, err := r.Secret(tc.p, tc.field)
			if tc.errHas != "" {
				if err == nil || !strings.Contains(err.Error(), tc.errHas) {
					t.Fatalf("Secret = %v, want error with %q", err, tc.errHas)
				}
				if strings.Contains(err.Error(), secret) {
					t.Fatalf("error leaks the secret: %v", err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("Secret = %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}

func TestForget(t *testing.T) {
	mem := NewMemory()
	_ = mem.Set(Service, Item("dev", FieldClientSecret), "a")
	_ = mem.Set(Service, Item("dev", FieldCertificatePassword), "b")
	_ = mem.Set(Service, Item("other", FieldClientSecret), "c")
	p := profiles.Profile{Name: "dev", ClientSecret: "keyring", CertificatePassword: "keyring"}
	removed, err := Forget(mem, p)
	if err != nil || len(removed) != 2 || mem.Len() != 1 {
		t.Fatalf("Forget = %v, %v; %d left", removed, err, mem.Len())
	}
	if removed, err := Forget(mem, p); err != nil || len(removed) != 0 {
		t.Errorf("second Forget = %v, %v", removed, err)
	}
	if _, err := Forget(Unavailable{}, p); !errors.Is(err, ErrUnavailable) {
		t.Errorf("Forget on unusable keyring = %v", err)
	}
	if removed, err := Forget(Unavailable{}, profiles.Profile{Name: "x", ClientSecret: "env:X"}); err != nil || removed != nil {
		t.Errorf("Forget of env refs touched the keyring: %v %v", removed, err)
	}
}

func TestFromEnv(t *testing.T) {
	k := FromEnv(func(string) string { return "off" })
	if err := k.Set(Service, "x", "y"); !errors.Is(err, ErrUnavailable) || !strings.Contains(err.Error(), "CDFLOGIN_KEYRING=off") {
		t.Errorf("Set with CDFLOGIN_KEYRING=off = %v", err)
	}
	if _, ok := FromEnv(func(string) string { return "" }).(timeoutKeyring); !ok {
		t.Error("the default is not the system keyring with a timeout")
	}
}
