// Package secrets keeps client secrets and certificate passwords out of
// profiles.yaml: it stores them in the OS keyring (with a timeout, so a
// locked or missing Secret Service cannot hang cdflogin) and resolves a
// profile's secret references (env:VAR or keyring) to values.
package secrets

import (
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/zalando/go-keyring"
)

// Service is the keyring service name of every cdflogin item.
const Service = "cdflogin"

// DefaultTimeout bounds one keyring call of the system keyring.
const DefaultTimeout = 5 * time.Second

// ErrNotFound means the keyring is usable but holds no such item.
var ErrNotFound = errors.New("not in the keyring")

// ErrUnavailable means no usable OS keyring: none installed, locked, no
// session bus, or it did not answer in time.
var ErrUnavailable = errors.New("no usable OS keyring")

// Keyring stores secrets by service and user (the item name). Get and
// Delete return ErrNotFound for a missing item; every method returns an
// error matching ErrUnavailable when the keyring cannot be used.
type Keyring interface {
	Get(service, user string) (string, error)
	Set(service, user, secret string) error
	Delete(service, user string) error
}

// Item is the keyring user name of a profile's secret field, e.g.
// "dev/client_secret".
func Item(profile, field string) string { return profile + "/" + field }

// System returns the OS keyring (Keychain, Windows Credential Manager,
// Secret Service) with every call bounded by timeout.
func System(timeout time.Duration) Keyring {
	return WithTimeout(osKeyring{}, timeout)
}

// EnvKeyring is the variable that turns the OS keyring off
// (CDFLOGIN_KEYRING=off), e.g. on CI machines and in tests, so that
// nothing is stored in, or read from, the user's keyring.
const EnvKeyring = "CDFLOGIN_KEYRING"

// FromEnv returns the system keyring, or an Unavailable one when
// CDFLOGIN_KEYRING is "off".
func FromEnv(getenv func(string) string) Keyring {
	switch v := getenv(EnvKeyring); v {
	case "off", "0", "false", "no":
		return Unavailable{Reason: EnvKeyring + "=" + v + " turns it off"}
	}
	return System(DefaultTimeout)
}

// osKeyring is zalando/go-keyring with its errors mapped.
type osKeyring struct{}

func mapErr(op string, err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, keyring.ErrNotFound):
		return ErrNotFound
	case errors.Is(err, keyring.ErrUnsupportedPlatform):
		return fmt.Errorf("%w: this platform has no keyring support", ErrUnavailable)
	}
	return fmt.Errorf("%w: keyring %s: %v", ErrUnavailable, op, err)
}

// Get reads an item.
func (osKeyring) Get(service, user string) (string, error) {
	s, err := keyring.Get(service, user)
	return s, mapErr("read", err)
}

// Set writes an item.
func (osKeyring) Set(service, user, secret string) error {
	return mapErr("write", keyring.Set(service, user, secret))
}

// Delete removes an item.
func (osKeyring) Delete(service, user string) error {
	return mapErr("delete", keyring.Delete(service, user))
}

// WithTimeout bounds every call of k by d: a call that has not answered
// in time returns ErrUnavailable (its goroutine is left to finish on its
// own; keyring calls cannot be cancelled).
func WithTimeout(k Keyring, d time.Duration) Keyring {
	if d <= 0 {
		d = DefaultTimeout
	}
	return timeoutKeyring{k: k, d: d}
}

type timeoutKeyring struct {
	k Keyring
	d time.Duration
}

type result struct {
	s   string
	err error
}

func (t timeoutKeyring) run(op string, fn func() (string, error)) (string, error) {
	ch := make(chan result, 1)
	go func() {
		s, err := fn()
		ch <- result{s, err}
	}()
	timer := time.NewTimer(t.d)
	defer timer.Stop()
	select {
	case r := <-ch:
		return r.s, r.err
	case <-timer.C:
		return "", fmt.Errorf("%w: the keyring did not answer the %s within %s (is it locked, or is no Secret Service running?)", ErrUnavailable, op, t.d)
	}
}

// Get reads an item within the timeout.
func (t timeoutKeyring) Get(service, user string) (string, error) {
	return t.run("read", func() (string, error) { return t.k.Get(service, user) })
}

// Set writes an item within the timeout.
func (t timeoutKeyring) Set(service, user, secret string) error {
	_, err := t.run("write", func() (string, error) { return "", t.k.Set(service, user, secret) })
	return err
}

// Delete removes an item within the timeout.
func (t timeoutKeyring) Delete(service, user string) error {
	_, err := t.run("delete", func() (string, error) { return "", t.k.Delete(service, user) })
	return err
}

// Memory is a Keyring in memory, for tests and the sandbox demo.
type Memory struct {
	mu    sync.Mutex
	items map[string]string
}

// NewMemory returns an empty in-memory keyring.
func NewMemory() *Memory { return &Memory{items: map[string]string{}} }

// Get returns the item or ErrNotFound.
func (m *Memory) Get(service, user string) (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	s, ok := m.items[service+"\x00"+user]
	if !ok {
		return "", ErrNotFound
	}
	return s, nil
}

// Set stores the item.
func (m *Memory) Set(service, user, secret string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.items[service+"\x00"+user] = secret
	return nil
}

// Delete removes the item or returns ErrNotFound.
func (m *Memory) Delete(service, user string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	k := service + "\x00" + user
	if _, ok := m.items[k]; !ok {
		return ErrNotFound
	}
	delete(m.items, k)
	return nil
}

// Len is the number of items held.
func (m *Memory) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.items)
}

// Unavailable is a Keyring that cannot be used, as on a headless machine
// without a Secret Service. Reason is added to its errors.
type Unavailable struct{ Reason string }

func (u Unavailable) err() error {
	if u.Reason == "" {
		return ErrUnavailable
	}
	return fmt.Errorf("%w: %s", ErrUnavailable, u.Reason)
}

// Get fails with ErrUnavailable.
func (u Unavailable) Get(string, string) (string, error) { return "", u.err() }

// Set fails with ErrUnavailable.
func (u Unavailable) Set(string, string, string) error { return u.err() }

// Delete fails with ErrUnavailable.
func (u Unavailable) Delete(string, string) error { return u.err() }
