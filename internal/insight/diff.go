package insight

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/cognite-tools/cdflogin/internal/insight/claims"
)

// Kinds of Change, in the order DiffClaims lists them.
const (
	// ChangeAccount: the token is for another account (another oid, or
	// tenant, or subject): a warning, never an expected refresh.
	ChangeAccount = "account"
	// ChangeGroupsGained and ChangeGroupsLost: group object IDs in the
	// groups claim that came or went (CDF maps them to its groups).
	ChangeGroupsGained = "groups-gained"
	ChangeGroupsLost   = "groups-lost"
	// ChangeGroupsOverage: the groups claim was left out (too many
	// groups, "overage") or came back.
	ChangeGroupsOverage = "groups-overage"
	// ChangeRolesAdded and ChangeRolesRemoved: app roles (roles).
	ChangeRolesAdded   = "roles-added"
	ChangeRolesRemoved = "roles-removed"
	// ChangeScopesAdded and ChangeScopesRemoved: delegated scopes (scp).
	ChangeScopesAdded   = "scopes-added"
	ChangeScopesRemoved = "scopes-removed"
	// ChangeIssued, ChangeExpires and ChangeLifetime: iat, exp and their
	// distance moved (Shift).
	ChangeIssued   = "iat"
	ChangeExpires  = "exp"
	ChangeLifetime = "lifetime"
	// ChangeClaim: any other claim added, removed or given a new value.
	ChangeClaim = "claim"
)

// Change is one difference between two tokens' claims.
type Change struct {
	// Kind is one of the Change… constants.
	Kind string
	// Claim is the claim it is about: groups, roles, scp, iat, exp, the
	// claim that tells the account apart (oid, tid or sub), or another's.
	Claim string
	// Values are the group IDs, roles or scopes gained or lost, in the
	// order of the token that holds them.
	Values []string
	// Before and After are the old and new value as text (times in RFC
	// 3339, UTC; other values as in the token, lists and objects as
	// compact JSON); "" where the claim is absent.
	Before, After string
	// Shift is how far iat, exp or the lifetime moved.
	Shift time.Duration
}

// Warning reports whether the change is one a person should stop at: the
// token is another account's.
func (c Change) Warning() bool { return c.Kind == ChangeAccount }

// Who is the account a token is for, as a diff names it.
type Who struct {
	// Subject is the username, else the oid, else sub.
	Subject  string
	ObjectID string
	TenantID string
}

// ClaimsDiff is what changed from one token to the next.
type ClaimsDiff struct {
	Before, After Who
	Changes       []Change
}

// Changed reports whether anything at all changed.
func (d ClaimsDiff) Changed() bool { return len(d.Changes) > 0 }

// OtherAccount reports whether the second token is another account's.
func (d ClaimsDiff) OtherAccount() bool { return d.Has(ChangeAccount) }

// Has reports whether a change of kind is among the changes.
func (d ClaimsDiff) Has(kind string) bool {
	for _, c := range d.Changes {
		if c.Kind == kind {
			return true
		}
	}
	return false
}

// Of returns the changes of kind.
func (d ClaimsDiff) Of(kind string) []Change {
	var out []Change
	for _, c := range d.Changes {
		if c.Kind == kind {
			out = append(out, c)
		}
	}
	return out
}

// count is how many values the changes of kind carry.
func (d ClaimsDiff) count(kind string) int {
	n := 0
	for _, c := range d.Of(kind) {
		n += len(c.Values)
	}
	return n
}

// Summary says in one line what changed in the account and the access
// the token carries (groups, roles, scopes), e.g. "groups: 1 gained,
// 1 lost; scopes: 1 added", or "another account", or "groups, roles and
// scopes unchanged". Times are left to the changes themselves.
func (d ClaimsDiff) Summary() string {
	var parts []string
	if d.OtherAccount() {
		parts = append(parts, "another account")
	}
	pair := func(what string, up, down int, upWord, downWord string) {
		var p []string
		if up > 0 {
			p = append(p, fmt.Sprintf("%d %s", up, upWord))
		}
		if down > 0 {
			p = append(p, fmt.Sprintf("%d %s", down, downWord))
		}
		if len(p) > 0 {
			parts = append(parts, what+": "+strings.Join(p, ", "))
		}
	}
	pair("groups", d.count(ChangeGroupsGained), d.count(ChangeGroupsLost), "gained", "lost")
	if d.Has(ChangeGroupsOverage) {
		c := d.Of(ChangeGroupsOverage)[0]
		if c.After == "true" {
			parts = append(parts, "groups left out (overage)")
		} else {
			parts = append(parts, "groups back in the token")
		}
	}
	pair("roles", d.count(ChangeRolesAdded), d.count(ChangeRolesRemoved), "added", "removed")
	pair("scopes", d.count(ChangeScopesAdded), d.count(ChangeScopesRemoved), "added", "removed")
	if len(parts) == 0 {
		return "groups, roles and scopes unchanged"
	}
	return strings.Join(parts, "; ")
}

// noise are claims that differ in every token Entra issues (identifiers
// of the token itself, and nbf, which follows iat): a new value says
// nothing.
var noise = map[string]bool{
	"aio": true, "uti": true, "rh": true, "nbf": true, "c_hash": true, "at_hash": true, "nonce": true,
	// Reported by their own kinds.
	"iat": true, "exp": true, "groups": true, "roles": true, "scp": true,
	"hasgroups": true, "_claim_names": true, "_claim_sources": true,
}

// identity are the claims that name the account; with another account
// they all differ, and the account change says so once.
var identity = map[string]bool{
	"oid": true, "tid": true, "sub": true, "name": true, "preferred_username": true, "upn": true,
	"unique_name": true, "email": true, "given_name": true, "family_name": true, "login_hint": true, "sid": true,
}

// DiffClaims compares the claims of a token held before with those of
// the one that replaced it (each as Token.Claims gives them): the
// account, groups gained and lost, roles and scopes added and removed,
// the shifts of iat, exp and the lifetime, and every other claim that
// changed, except those that change with every token (aio, uti, rh, nbf…).
// It is a pure function: the command line's claims --diff and the
// interactive program's Changes both list what it returns.
func DiffClaims(before, after []claims.Claim) ClaimsDiff {
	b, a := newClaimSet(before), newClaimSet(after)
	d := ClaimsDiff{Before: b.who(), After: a.who()}

	if c, ok := accountChange(b, a); ok {
		d.Changes = append(d.Changes, c)
	}
	d.lists("groups", ChangeGroupsGained, ChangeGroupsLost, b, a)
	if bo, ao := b.overage(), a.overage(); bo != ao {
		d.Changes = append(d.Changes, Change{Kind: ChangeGroupsOverage, Claim: "groups", Before: fmt.Sprint(bo), After: fmt.Sprint(ao)})
	}
	d.lists("roles", ChangeRolesAdded, ChangeRolesRemoved, b, a)
	d.lists("scp", ChangeScopesAdded, ChangeScopesRemoved, b, a)

	bi, biOK := b.time("iat")
	ai, aiOK := a.time("iat")
	be, beOK := b.time("exp")
	ae, aeOK := a.time("exp")
	d.timeChange(ChangeIssued, "iat", bi, biOK, ai, aiOK)
	d.timeChange(ChangeExpires, "exp", be, beOK, ae, aeOK)
	if biOK && aiOK && beOK && aeOK {
		if bl, al := be.Sub(bi), ae.Sub(ai); bl != al {
			d.Changes = append(d.Changes, Change{Kind: ChangeLifetime, Claim: "exp", Before: bl.String(), After: al.String(), Shift: al - bl})
		}
	}

	other := d.OtherAccount()
	skip := func(name string) bool { return noise[name] || other && identity[name] }
	seen := map[string]bool{}
	for _, c := range before {
		if skip(c.Name) || seen[c.Name] {
			continue
		}
		seen[c.Name] = true
		if _, ok := a[c.Name]; !ok {
			d.Changes = append(d.Changes, Change{Kind: ChangeClaim, Claim: c.Name, Before: valueText(b[c.Name])})
		}
	}
	seen = map[string]bool{}
	for _, c := range after {
		if skip(c.Name) || seen[c.Name] {
			continue
		}
		seen[c.Name] = true
		av := valueText(a[c.Name])
		bv, ok := b[c.Name]
		switch {
		case !ok:
			d.Changes = append(d.Changes, Change{Kind: ChangeClaim, Claim: c.Name, After: av})
		case valueText(bv) != av:
			d.Changes = append(d.Changes, Change{Kind: ChangeClaim, Claim: c.Name, Before: valueText(bv), After: av})
		}
	}
	return d
}

// accountChange tells another account: another oid (both have one),
// else another tenant, else (without an oid on both) another subject.
func accountChange(b, a claimSet) (Change, bool) {
	bo, ao := b.str("oid"), a.str("oid")
	if bo != "" && ao != "" && bo != ao {
		return Change{Kind: ChangeAccount, Claim: "oid", Before: bo, After: ao}, true
	}
	if bt, at := b.str("tid"), a.str("tid"); bt != "" && at != "" && bt != at {
		return Change{Kind: ChangeAccount, Claim: "tid", Before: bt, After: at}, true
	}
	if bo == "" || ao == "" {
		if bs, as := b.str("sub"), a.str("sub"); bs != as {
			return Change{Kind: ChangeAccount, Claim: "sub", Before: bs, After: as}, true
		}
	}
	return Change{}, false
}

// lists adds what came into and went out of a list claim.
func (d *ClaimsDiff) lists(name, gained, lost string, b, a claimSet) {
	bl, al := b.list(name), a.list(name)
	if add := minus(al, bl); len(add) > 0 {
		d.Changes = append(d.Changes, Change{Kind: gained, Claim: name, Values: add})
	}
	if gone := minus(bl, al); len(gone) > 0 {
		d.Changes = append(d.Changes, Change{Kind: lost, Claim: name, Values: gone})
	}
}

func (d *ClaimsDiff) timeChange(kind, name string, b time.Time, bOK bool, a time.Time, aOK bool) {
	switch {
	case bOK && aOK && !b.Equal(a):
		d.Changes = append(d.Changes, Change{Kind: kind, Claim: name, Before: rfc3339(b), After: rfc3339(a), Shift: a.Sub(b)})
	case bOK && !aOK:
		d.Changes = append(d.Changes, Change{Kind: kind, Claim: name, Before: rfc3339(b)})
	case !bOK && aOK:
		d.Changes = append(d.Changes, Change{Kind: kind, Claim: name, After: rfc3339(a)})
	}
}

func rfc3339(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// minus is the strings of x that y lacks, once each, in x's order.
func minus(x, y []string) []string {
	in := make(map[string]bool, len(y))
	for _, s := range y {
		in[s] = true
	}
	var out []string
	for _, s := range x {
		if !in[s] {
			out = append(out, s)
			in[s] = true
		}
	}
	return out
}

// claimSet is one token's claims by name (a repeated name keeps its
// last value, as Decode reads it).
type claimSet map[string]any

func newClaimSet(cs []claims.Claim) claimSet {
	s := make(claimSet, len(cs))
	for _, c := range cs {
		s[c.Name] = c.Value
	}
	return s
}

func (s claimSet) str(name string) string {
	v, _ := s[name].(string)
	return v
}

func (s claimSet) list(name string) []string {
	v, ok := s[name]
	if !ok {
		return nil
	}
	return claims.StringList(v)
}

func (s claimSet) time(name string) (time.Time, bool) {
	v, ok := s[name]
	if !ok {
		return time.Time{}, false
	}
	return claims.NumericDate(v)
}

// overage: Entra left the groups out (hasgroups, or _claim_names naming
// groups), as Token.GroupsOverage tells it.
func (s claimSet) overage() bool {
	switch v := s["hasgroups"].(type) {
	case bool:
		if v {
			return true
		}
	case string:
		if strings.EqualFold(v, "true") {
			return true
		}
	}
	if m, ok := s["_claim_names"].(map[string]any); ok {
		if _, ok := m["groups"]; ok {
			return true
		}
	}
	return false
}

func (s claimSet) who() Who {
	w := Who{ObjectID: s.str("oid"), TenantID: s.str("tid")}
	for _, n := range []string{"preferred_username", "upn", "unique_name", "email", "oid", "sub"} {
		if v := s.str(n); v != "" {
			w.Subject = v
			break
		}
	}
	return w
}

// valueText is a claim value as text: a string as it is, anything else
// as compact JSON.
func valueText(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

// Mark is the change's mark, as the command line and the program show
// it: ! another account or groups left out, + gained or added, - lost or
// removed, ~ a claim's new value, i a time.
func (c Change) Mark() string {
	switch c.Kind {
	case ChangeAccount, ChangeGroupsOverage:
		return "!"
	case ChangeGroupsGained, ChangeRolesAdded, ChangeScopesAdded:
		return "+"
	case ChangeGroupsLost, ChangeRolesRemoved, ChangeScopesRemoved:
		return "-"
	case ChangeClaim:
		switch {
		case c.Before == "":
			return "+"
		case c.After == "":
			return "-"
		}
		return "~"
	}
	return "i"
}

// Label names the change for people: "groups gained", "scopes removed",
// "another account", "iat", "lifetime", or the claim's name.
func (c Change) Label() string {
	switch c.Kind {
	case ChangeAccount:
		return "another account"
	case ChangeGroupsGained:
		return "groups gained"
	case ChangeGroupsLost:
		return "groups lost"
	case ChangeGroupsOverage:
		if c.After == "true" {
			return "groups left out"
		}
		return "groups back"
	case ChangeRolesAdded:
		return "roles added"
	case ChangeRolesRemoved:
		return "roles removed"
	case ChangeScopesAdded:
		return "scopes added"
	case ChangeScopesRemoved:
		return "scopes removed"
	}
	if c.Kind == ChangeClaim {
		return c.Claim
	}
	return c.Kind
}

// Text is the change's value for people (its Values, for a list change,
// are given one by one): the account's claim with its old and new value,
// a time's old and new value in loc with the shift ("16:00:00 →
// 16:20:00 (+20 min)"), a claim's old and new value. The text comes from
// the tokens: make it safe before a terminal shows it.
func (c Change) Text(loc *time.Location) string {
	if loc == nil {
		loc = time.Local
	}
	arrow := func(b, a string) string {
		switch {
		case b == "":
			return "(none) → " + a
		case a == "":
			return b + " → (none)"
		}
		return b + " → " + a
	}
	switch c.Kind {
	case ChangeAccount:
		return c.Claim + " " + arrow(c.Before, c.After)
	case ChangeGroupsOverage:
		if c.After == "true" {
			return "the token no longer lists the groups: too many to carry (overage)"
		}
		return "the token lists the groups again"
	case ChangeIssued, ChangeExpires:
		b, bErr := time.Parse(time.RFC3339, c.Before)
		a, aErr := time.Parse(time.RFC3339, c.After)
		layout := "15:04:05"
		if bErr != nil || aErr != nil || b.In(loc).Format("20060102") != a.In(loc).Format("20060102") {
			layout = "2006-01-02 15:04:05"
		}
		show := func(t time.Time, err error) string {
			if err != nil {
				return ""
			}
			return t.In(loc).Format(layout)
		}
		s := arrow(show(b, bErr), show(a, aErr))
		if c.Shift != 0 {
			s += " (" + signed(c.Shift) + ")"
		}
		return s
	case ChangeLifetime:
		b, _ := time.ParseDuration(c.Before)
		a, _ := time.ParseDuration(c.After)
		return claims.Relative(b) + " → " + claims.Relative(a) + " (" + signed(c.Shift) + ")"
	}
	return arrow(c.Before, c.After)
}

// signed is a shift with its sign: "+20 min", "-1 h".
func signed(d time.Duration) string {
	if d < 0 {
		return "-" + claims.Relative(-d)
	}
	return "+" + claims.Relative(d)
}
