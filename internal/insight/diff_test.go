package insight

import (
	"encoding/base64"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/cognite-tools/cdflogin/internal/insight/claims"
	"github.com/cognite-tools/cdflogin/internal/insight/claims/claimstest"
)

// claimsOf decodes payload as a token's claims, as the program holds them.
func claimsOf(t testing.TB, payload map[string]any) []claims.Claim {
	t.Helper()
	tok, err := claims.Decode(claimstest.Unsigned(payload))
	if err != nil {
		t.Fatal(err)
	}
	return tok.Claims()
}

const (
	gAdmins  = "9f1c0a11-0000-4000-9000-000000000a01"
	gReaders = "9f1c0a11-0000-4000-9000-000000000a02"
	gMarket  = "9f1c0a11-0000-4000-9000-000000000a03"
)

// user is a v2 user token issued at iat, living an hour, in groups.
func user(iat time.Time, groups ...string) map[string]any {
	p := claimstest.V2User(iat)
	p["groups"] = append([]string(nil), groups...)
	p["aio"] = "aio-" + iat.Format("150405")
	p["uti"] = "uti-" + iat.Format("150405")
	return p
}

func TestDiffClaims(t *testing.T) {
	t1 := now.Add(20 * time.Minute)
	with := func(p map[string]any, kv ...any) map[string]any { return claimstest.With(p, kv...) }
	without := func(p map[string]any, names ...string) map[string]any {
		for _, n := range names {
			delete(p, n)
		}
		return p
	}
	cases := []struct {
		name          string
		before, after map[string]any
		want          []Change
		summary       string
	}{
		{
			name:    "the same token",
			before:  user(now, gAdmins, gReaders),
			after:   user(now, gAdmins, gReaders),
			summary: "groups, roles and scopes unchanged",
		},
		{
			name:   "a refresh: only the times move, the token's own ids are noise",
			before: user(now, gAdmins, gReaders),
			after:  user(t1, gAdmins, gReaders),
			want: []Change{
				{Kind: ChangeIssued, Claim: "iat", Before: "2026-11-28T16:00:00Z", After: "2026-11-28T16:20:00Z", Shift: 20 * time.Minute},
				{Kind: ChangeExpires, Claim: "exp", Before: "2026-11-28T17:00:00Z", After: "2026-11-28T17:20:00Z", Shift: 20 * time.Minute},
			},
			summary: "groups, roles and scopes unchanged",
		},
		{
			name:   "groups gained and lost",
			before: user(now, gAdmins, gReaders),
			after:  user(now, gAdmins, gMarket),
			want: []Change{
				{Kind: ChangeGroupsGained, Claim: "groups", Values: []string{gMarket}},
				{Kind: ChangeGroupsLost, Claim: "groups", Values: []string{gReaders}},
			},
			summary: "groups: 1 gained, 1 lost",
		},
		{
			name:   "every group gone, the claim too",
			before: user(now, gAdmins, gReaders),
			after:  without(user(now), "groups"),
			want: []Change{
				{Kind: ChangeGroupsLost, Claim: "groups", Values: []string{gAdmins, gReaders}},
			},
			summary: "groups: 2 lost",
		},
		{
			name:   "a group listed twice counts once",
			before: user(now, gAdmins),
			after:  user(now, gAdmins, gMarket, gMarket),
			want:   []Change{{Kind: ChangeGroupsGained, Claim: "groups", Values: []string{gMarket}}},
		},
		{
			name:   "overage: the groups left out",
			before: user(now, gAdmins),
			after: with(without(user(now), "groups"), "_claim_names", map[string]any{"groups": "src1"},
				"_claim_sources", map[string]any{"src1": map[string]any{"endpoint": "https://graph.windows.net/x"}}),
			want: []Change{
				{Kind: ChangeGroupsLost, Claim: "groups", Values: []string{gAdmins}},
				{Kind: ChangeGroupsOverage, Claim: "groups", Before: "false", After: "true"},
			},
			summary: "groups: 1 lost; groups left out (overage)",
		},
		{
			name:   "scopes added and removed (scp is space-separated)",
			before: with(user(now), "scp", "user_impersonation"),
			after:  with(user(now), "scp", "IDENTITY user_impersonation"),
			want:   []Change{{Kind: ChangeScopesAdded, Claim: "scp", Values: []string{"IDENTITY"}}},
			// With the group lists equal (both empty).
			summary: "scopes: 1 added",
		},
		{
			name:    "roles of an app token",
			before:  with(claimstest.V1App(now), "roles", []string{"Reader"}),
			after:   with(claimstest.V1App(now), "roles", []string{"Writer", "Admin"}),
			want:    []Change{{Kind: ChangeRolesAdded, Claim: "roles", Values: []string{"Writer", "Admin"}}, {Kind: ChangeRolesRemoved, Claim: "roles", Values: []string{"Reader"}}},
			summary: "roles: 2 added, 1 removed",
		},
		{
			name:   "another account: a warning, and its name claims are not listed again",
			before: user(now, gAdmins),
			after: with(user(now, gMarket), "oid", "b0b00000-0000-4000-8000-000000000b0b", "name", "Bob Berg",
				"preferred_username", "bob@contoso.example", "sub", "other-sub"),
			want: []Change{
				{Kind: ChangeAccount, Claim: "oid", Before: claimstest.UserOID, After: "b0b00000-0000-4000-8000-000000000b0b"},
				{Kind: ChangeGroupsGained, Claim: "groups", Values: []string{gMarket}},
				{Kind: ChangeGroupsLost, Claim: "groups", Values: []string{gAdmins}},
			},
			summary: "another account; groups: 1 gained, 1 lost",
		},
		{
			name:    "another tenant with the same oid",
			before:  user(now),
			after:   with(user(now), "tid", "00000000-1111-4222-8333-444444444444"),
			want:    []Change{{Kind: ChangeAccount, Claim: "tid", Before: claimstest.TenantID, After: "00000000-1111-4222-8333-444444444444"}},
			summary: "another account",
		},
		{
			name:    "without oids, the subject tells",
			before:  without(with(user(now), "sub", "a"), "oid"),
			after:   without(with(user(now), "sub", "b"), "oid"),
			want:    []Change{{Kind: ChangeAccount, Claim: "sub", Before: "a", After: "b"}},
			summary: "another account",
		},
		{
			name:   "a longer lifetime",
			before: user(now),
			after:  with(user(now), "exp", now.Add(90*time.Minute).Unix()),
			want: []Change{
				{Kind: ChangeExpires, Claim: "exp", Before: "2026-11-28T17:00:00Z", After: "2026-11-28T17:30:00Z", Shift: 30 * time.Minute},
				{Kind: ChangeLifetime, Claim: "exp", Before: "1h0m0s", After: "1h30m0s", Shift: 30 * time.Minute},
			},
		},
		{
			name:   "other claims added, removed and changed; the same name is no change",
			before: with(user(now), "amr", []string{"pwd"}, "ipaddr", "203.0.113.7", "wids", []string{"r1"}),
			after:  with(user(now), "amr", []string{"pwd", "mfa"}, "ipaddr", "203.0.113.7", "acrs", []string{"c1"}),
			want: []Change{
				{Kind: ChangeClaim, Claim: "wids", Before: `["r1"]`},
				// In the token's order (claimstest writes the keys sorted).
				{Kind: ChangeClaim, Claim: "acrs", After: `["c1"]`},
				{Kind: ChangeClaim, Claim: "amr", Before: `["pwd"]`, After: `["pwd","mfa"]`},
			},
		},
		{
			name:   "iat gone",
			before: user(now),
			after:  without(user(now), "iat"),
			want:   []Change{{Kind: ChangeIssued, Claim: "iat", Before: "2026-11-28T16:00:00Z"}},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d := DiffClaims(claimsOf(t, tc.before), claimsOf(t, tc.after))
			if !reflect.DeepEqual(d.Changes, tc.want) {
				t.Errorf("changes:\n got %#v\nwant %#v", d.Changes, tc.want)
			}
			if tc.summary != "" && d.Summary() != tc.summary {
				t.Errorf("summary %q, want %q", d.Summary(), tc.summary)
			}
			if d.Changed() != (len(tc.want) > 0) {
				t.Errorf("Changed() = %v with %d changes", d.Changed(), len(tc.want))
			}
		})
	}
}

func TestDiffClaimsWho(t *testing.T) {
	d := DiffClaims(claimsOf(t, user(now)), claimsOf(t, claimstest.V1App(now)))
	if d.Before.Subject != claimstest.UserEmail || d.Before.ObjectID != claimstest.UserOID || d.Before.TenantID != claimstest.TenantID {
		t.Errorf("before: %+v", d.Before)
	}
	if d.After.Subject == "" || d.After.Subject == d.Before.Subject {
		t.Errorf("after: %+v", d.After)
	}
	if !d.OtherAccount() || !d.Of(ChangeAccount)[0].Warning() {
		t.Errorf("a user token then an app token is not another account: %+v", d.Changes)
	}
}

// FuzzDiffClaims: any two payloads (as JSON objects inside tokens) give a
// diff without a panic, a diff of a token with itself is empty, and the
// values said gained are in the second token and not the first.
func FuzzDiffClaims(f *testing.F) {
	f.Add(`{"groups":["a","b"],"iat":1,"exp":2,"oid":"x"}`, `{"groups":["b","c"],"iat":3,"exp":9,"oid":"y"}`)
	f.Add(`{"scp":"a b","roles":"r","hasgroups":true}`, `{"scp":["a",1,null],"roles":{"x":1},"_claim_names":{"groups":1}}`)
	f.Add(`{"iat":"12","exp":1e30,"sub":""}`, `{"iat":-5,"exp":"x","sub":null,"a":{"b":[[]]}}`)
	f.Add(`{"groups":"a a a"}`, `{}`)
	enc := base64.RawURLEncoding
	decode := func(t *testing.T, payload string) []claims.Claim {
		tok, err := claims.Decode("eyJhbGciOiJub25lIn0." + enc.EncodeToString([]byte(payload)) + ".c2ln")
		if err != nil {
			return nil
		}
		return tok.Claims()
	}
	f.Fuzz(func(t *testing.T, p1, p2 string) {
		before, after := decode(t, p1), decode(t, p2)
		if same := DiffClaims(before, before); same.Changed() {
			t.Fatalf("a token differs from itself: %+v", same.Changes)
		}
		d := DiffClaims(before, after)
		_ = d.Summary()
		b, a := newClaimSet(before), newClaimSet(after)
		for _, c := range d.Changes {
			var have, lack claimSet
			switch c.Kind {
			case ChangeGroupsGained, ChangeRolesAdded, ChangeScopesAdded:
				have, lack = a, b
			case ChangeGroupsLost, ChangeRolesRemoved, ChangeScopesRemoved:
				have, lack = b, a
			default:
				continue
			}
			if len(c.Values) == 0 {
				t.Fatalf("%s without values", c.Kind)
			}
			for _, v := range c.Values {
				if !strings.Contains(strings.Join(have.list(c.Claim), "\x00")+"\x00", v+"\x00") {
					t.Fatalf("%s %q is not in the token that should hold it", c.Kind, v)
				}
				for _, w := range lack.list(c.Claim) {
					if w == v {
						t.Fatalf("%s %q is in both tokens", c.Kind, v)
					}
				}
			}
		}
	})
}
