// Package cdf is a small client for the Cognite Data Fusion API calls that
// tell what a token may do: token inspection, the project's groups and the
// project itself; and the mapping of a token's Entra groups to CDF groups
// by source ID.
package cdf

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/cognite-tools/cdflogin/internal/insight/jsonlimit"
)

// TokenInspection is the answer of GET /api/v1/token/inspect.
type TokenInspection struct {
	Subject      string         `json:"subject"`
	Projects     []ProjectGroup `json:"projects"`
	Capabilities []Capability   `json:"capabilities"`
}

// ProjectGroup is a project the token reaches and the IDs of the CDF
// groups that give it access there.
type ProjectGroup struct {
	ProjectURLName string  `json:"projectUrlName"`
	Groups         []int64 `json:"groups"`
}

// Capability is one ACL grant: {"<name>Acl": {"actions": [...], "scope":
// {...}}, "projectScope": {...}} on the wire.
type Capability struct {
	ACL     string          `json:"acl"`
	Actions []string        `json:"actions"`
	Scope   json.RawMessage `json:"scope,omitempty"`
	// ProjectScope is where the grant applies (token/inspect only).
	ProjectScope *ProjectScope `json:"projectScope,omitempty"`
}

// ProjectScope is the projects a capability applies in.
type ProjectScope struct {
	AllProjects bool     `json:"allProjects,omitempty"`
	Projects    []string `json:"projects,omitempty"`
}

// Includes reports whether the scope covers project.
func (p *ProjectScope) Includes(project string) bool {
	if p == nil {
		return true // group capabilities carry no projectScope: their own project
	}
	if p.AllProjects {
		return true
	}
	for _, q := range p.Projects {
		if q == project {
			return true
		}
	}
	return false
}

// ScopeText renders the ACL scope compactly, as the interactive program
// shows it: "all", "current user", "datasetScope {"ids":[1,2]}", …
func (c Capability) ScopeText() string {
	if len(c.Scope) == 0 {
		return ""
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(c.Scope, &m); err != nil || len(m) == 0 {
		return string(c.Scope)
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		v := bytes.TrimSpace(m[k])
		if string(v) == "{}" {
			parts = append(parts, scopeNames[k])
			if scopeNames[k] == "" {
				parts[len(parts)-1] = k
			}
			continue
		}
		var buf bytes.Buffer
		if json.Compact(&buf, v) == nil {
			v = buf.Bytes()
		}
		parts = append(parts, k+" "+string(v))
	}
	return strings.Join(parts, ", ")
}

// scopeNames are the names people read for CDF's scopes without
// parameters.
var scopeNames = map[string]string{"all": "all", "currentuserscope": "current user"}

// String renders "groupsAcl: LIST, READ (all)".
func (c Capability) String() string {
	s := c.ACL + ": " + strings.Join(c.Actions, ", ")
	if sc := c.ScopeText(); sc != "" {
		s += " (" + sc + ")"
	}
	return s
}

// MergeCapabilities joins capabilities of the same ACL and scope (several
// groups often grant the same one) into one with the union of their
// actions, in first-seen order.
func MergeCapabilities(cs []Capability) []Capability {
	type key struct{ acl, scope string }
	var out []Capability
	at := map[key]int{}
	for _, c := range cs {
		k := key{c.ACL, c.ScopeText()}
		i, ok := at[k]
		if !ok {
			at[k] = len(out)
			c.Actions = append([]string(nil), c.Actions...)
			out = append(out, c)
			continue
		}
		for _, a := range c.Actions {
			if !slices.Contains(out[i].Actions, a) {
				out[i].Actions = append(out[i].Actions, a)
			}
		}
	}
	return out
}

type wireACL struct {
	Actions []string        `json:"actions"`
	Scope   json.RawMessage `json:"scope"`
}

type wireProjectScope struct {
	AllProjects *json.RawMessage `json:"allProjects"`
	Projects    []string         `json:"projects"`
}

// UnmarshalJSON reads the wire form of a capability.
func (c *Capability) UnmarshalJSON(data []byte) error {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(data, &m); err != nil {
		return fmt.Errorf("capability: %w", err)
	}
	*c = Capability{}
	// Our own (output) form, so decoded output round-trips.
	if _, ok := m["acl"]; ok {
		type plain Capability
		var p plain
		if err := json.Unmarshal(data, &p); err != nil {
			return fmt.Errorf("capability: %w", err)
		}
		*c = Capability(p)
		return nil
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v := m[k]
		if k == "projectScope" {
			var ps wireProjectScope
			if err := json.Unmarshal(v, &ps); err != nil {
				return fmt.Errorf("capability projectScope: %w", err)
			}
			c.ProjectScope = &ProjectScope{AllProjects: ps.AllProjects != nil, Projects: ps.Projects}
			continue
		}
		if c.ACL != "" {
			continue // one ACL per capability; ignore unknown extras
		}
		var a wireACL
		if err := json.Unmarshal(v, &a); err != nil {
			return fmt.Errorf("capability %s: %w", k, err)
		}
		c.ACL, c.Actions, c.Scope = k, a.Actions, a.Scope
	}
	if c.ACL == "" {
		return errors.New("capability without an ACL")
	}
	return nil
}

// Group is a CDF group.
type Group struct {
	ID           int64             `json:"id"`
	Name         string            `json:"name"`
	SourceID     string            `json:"sourceId,omitempty"`
	Capabilities []Capability      `json:"capabilities,omitempty"`
	Metadata     map[string]string `json:"metadata,omitempty"`
	// Members is "allUserAccounts" or a list, for groups that grant access
	// without a source ID; empty otherwise.
	Members json.RawMessage `json:"members,omitempty"`
}

// Project is the answer of GET /api/v1/projects/{project}.
type Project struct {
	Name              string             `json:"name"`
	URLName           string             `json:"urlName"`
	DefaultGroupID    int64              `json:"defaultGroupId,omitempty"`
	OIDCConfiguration *OIDCConfiguration `json:"oidcConfiguration,omitempty"`
}

// OIDCConfiguration is the identity provider a CDF project trusts.
type OIDCConfiguration struct {
	JWKSURL                string  `json:"jwksUrl,omitempty"`
	TokenURL               string  `json:"tokenUrl,omitempty"`
	Issuer                 string  `json:"issuer,omitempty"`
	Audience               string  `json:"audience,omitempty"`
	SkewMs                 int64   `json:"skewMs,omitempty"`
	AccessClaims           []Claim `json:"accessClaims,omitempty"`
	ScopeClaims            []Claim `json:"scopeClaims,omitempty"`
	LogClaims              []Claim `json:"logClaims,omitempty"`
	IsGroupCallbackEnabled bool    `json:"isGroupCallbackEnabled,omitempty"`
	IdentityProviderScope  string  `json:"identityProviderScope,omitempty"`
}

// Claim names a token claim in CDF's OIDC configuration.
type Claim struct {
	ClaimName string `json:"claimName"`
}

const maxBody = 8 << 20

// maxNesting bounds how deeply an answer of CDF may nest: its real ones
// nest under ten levels (a capability's scope inside a group inside a
// list); anything far deeper is refused before it is decoded.
const maxNesting = 64

// DecodeInspection reads a token/inspect answer.
func DecodeInspection(data []byte) (*TokenInspection, error) {
	if err := jsonlimit.Check("CDF's token/inspect answer", data, maxNesting, maxBody); err != nil {
		return nil, err
	}
	var t TokenInspection
	if err := json.Unmarshal(data, &t); err != nil {
		return nil, fmt.Errorf("token/inspect answer: %w", err)
	}
	return &t, nil
}

// DecodeGroups reads a groups list answer ({"items": [...]}).
func DecodeGroups(data []byte) ([]Group, error) {
	if err := jsonlimit.Check("CDF's groups answer", data, maxNesting, maxBody); err != nil {
		return nil, err
	}
	var l struct {
		Items *[]Group `json:"items"`
	}
	if err := json.Unmarshal(data, &l); err != nil {
		return nil, fmt.Errorf("groups answer: %w", err)
	}
	if l.Items == nil {
		return nil, errors.New("groups answer: no items")
	}
	return *l.Items, nil
}

// DecodeProject reads a project answer.
func DecodeProject(data []byte) (*Project, error) {
	if err := jsonlimit.Check("CDF's project answer", data, maxNesting, maxBody); err != nil {
		return nil, err
	}
	var p Project
	if err := json.Unmarshal(data, &p); err != nil {
		return nil, fmt.Errorf("project answer: %w", err)
	}
	return &p, nil
}
