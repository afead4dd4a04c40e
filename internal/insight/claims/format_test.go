package claims_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/cognite-tools/cdflogin/internal/insight/claims"
)

func TestRelative(t *testing.T) {
	tests := []struct {
		d    time.Duration
		want string
	}{
		{0, "0 s"},
		{42 * time.Second, "42 s"},
		{53 * time.Minute, "53 min"},
		{-53 * time.Minute, "53 min"},
		{2 * time.Hour, "2 h"},
		{2*time.Hour + 5*time.Minute, "2 h 5 min"},
		{72 * time.Hour, "3 days"},
		{76 * time.Hour, "3 days 4 h"},
	}
	for _, tt := range tests {
		if got := claims.Relative(tt.d); got != tt.want {
			t.Errorf("Relative(%v) = %q, want %q", tt.d, got, tt.want)
		}
	}
	if got := claims.RelativeTo(now.Add(53*time.Minute), now); got != "in 53 min" {
		t.Errorf("future: %q", got)
	}
	if got := claims.RelativeTo(now.Add(-2*time.Hour), now); got != "2 h ago" {
		t.Errorf("past: %q", got)
	}
	if got := claims.RelativeTo(now.Add(300*time.Millisecond), now); got != "now" {
		t.Errorf("now: %q", got)
	}
}

func TestFormatValue(t *testing.T) {
	oslo, err := time.LoadLocation("Europe/Oslo")
	if err != nil {
		oslo = time.FixedZone("CET", 3600)
	}
	exp := json.Number("1795884780") // 2026-11-28 16:53:00 UTC
	tests := []struct {
		name  string
		value any
		want  string
	}{
		{"exp", exp, "2026-11-28 17:53:00 CET (in 53 min)"},
		{"iat", json.Number("1795881600"), "2026-11-28 17:00:00 CET (now)"},
		{"exp", "garbage", "garbage"},
		{"scp", "IDENTITY user_impersonation", "IDENTITY user_impersonation"},
		{"groups", []any{"a", "b"}, "a, b"},
		{"groups", []any{}, "(none)"},
		{"amr", []any{"pwd", "mfa"}, "pwd, mfa"},
		{"_claim_names", map[string]any{"groups": "src1"}, `{"groups":"src1"}`},
		{"mixed", []any{"a", map[string]any{"b": json.Number("1")}}, `["a",{"b":1}]`},
		{"azpacr", "0", "0 (public client)"},
		{"appidacr", "2", "2 (certificate)"},
		{"appidacr", "9", "9"},
		{"pwd_exp", json.Number("3600"), "3600 (in 1 h)"},
		{"hasgroups", true, "true"},
		{"x", false, "false"},
		{"x", nil, "null"},
		{"x", json.Number("1.5"), "1.5"},
	}
	for _, tt := range tests {
		if got := claims.FormatValue(tt.name, tt.value, now, oslo); got != tt.want {
			t.Errorf("FormatValue(%s, %v) = %q, want %q", tt.name, tt.value, got, tt.want)
		}
	}
}
