package cdf

import (
	"context"
	"net/http"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/cognite-tools/cdflogin/internal/textdist"
)

// MatchedGroup is one Entra group of the token and the CDF groups whose
// source ID is that group.
type MatchedGroup struct {
	EntraGroupID string  `json:"entraGroupId"`
	CDFGroups    []Group `json:"cdfGroups"`
}

// GroupMapping relates a token's Entra groups to a project's CDF groups.
type GroupMapping struct {
	Project string `json:"project"`
	// Matched: token groups that some CDF group maps.
	Matched []MatchedGroup `json:"matched"`
	// UnmatchedToken: token groups no CDF group maps (they grant nothing).
	UnmatchedToken []string `json:"unmatchedTokenGroups"`
	// UnmatchedCDF: CDF groups with a source ID the token does not carry.
	UnmatchedCDF []Group `json:"unmatchedCdfGroups"`
	// WithoutSourceID: CDF groups with no source ID (e.g. all-user-accounts
	// groups); they are not mapped from token groups.
	WithoutSourceID []Group `json:"withoutSourceId,omitempty"`
	// Complete is false when only the token's own groups were listed, so
	// UnmatchedCDF may miss groups.
	Complete bool `json:"complete"`
	// MappedCount is the number of distinct CDF groups the token maps to;
	// above MaxGroupsPerPrincipal CDF may refuse the sign-in.
	MappedCount int `json:"mappedCdfGroupCount"`
}

// MaxGroupsPerPrincipal is CDF's documented limit of groups per principal
// (CDF IAM limits: "Groups per principal: 20").
const MaxGroupsPerPrincipal = 20

// TooMany reports whether the token maps to more CDF groups than CDF
// supports per principal.
func (m GroupMapping) TooMany() bool { return m.MappedCount > MaxGroupsPerPrincipal }

// MapGroups maps tokenGroups (Entra group object IDs) to cdfGroups by
// source ID (case-insensitive, as GUIDs are). complete says whether
// cdfGroups is every group of the project.
func MapGroups(project string, tokenGroups []string, cdfGroups []Group, complete bool) GroupMapping {
	m := GroupMapping{Project: project, Complete: complete, Matched: []MatchedGroup{}, UnmatchedToken: []string{}, UnmatchedCDF: []Group{}}
	bySource := map[string][]Group{}
	for _, g := range cdfGroups {
		if strings.TrimSpace(g.SourceID) == "" {
			m.WithoutSourceID = append(m.WithoutSourceID, g)
			continue
		}
		k := strings.ToLower(strings.TrimSpace(g.SourceID))
		bySource[k] = append(bySource[k], g)
	}
	inToken := map[string]bool{}
	for _, tg := range tokenGroups {
		k := strings.ToLower(strings.TrimSpace(tg))
		if inToken[k] {
			continue
		}
		inToken[k] = true
		if gs := bySource[k]; len(gs) > 0 {
			m.Matched = append(m.Matched, MatchedGroup{EntraGroupID: tg, CDFGroups: gs})
		} else {
			m.UnmatchedToken = append(m.UnmatchedToken, tg)
		}
	}
	for _, g := range cdfGroups {
		k := strings.ToLower(strings.TrimSpace(g.SourceID))
		if k != "" && !inToken[k] {
			m.UnmatchedCDF = append(m.UnmatchedCDF, g)
		}
	}
	ids := map[int64]bool{}
	for _, mg := range m.Matched {
		for _, g := range mg.CDFGroups {
			ids[g.ID] = true
		}
	}
	m.MappedCount = len(ids)
	return m
}

// Access says whether a token reaches a project, and where else it could go.
type Access struct {
	Project   string `json:"project"`
	HasAccess bool   `json:"hasAccess"`
	// GroupIDs are the CDF groups that give the access (from token/inspect).
	GroupIDs []int64 `json:"groupIds,omitempty"`
	// Reachable are the projects the token reaches, sorted.
	Reachable []string `json:"reachable"`
	// DidYouMean are reachable projects whose names are close to Project.
	DidYouMean []string `json:"didYouMean,omitempty"`
}

// ProjectAccess reads the token inspection for project.
func ProjectAccess(insp *TokenInspection, project string) Access {
	a := Access{Project: project, Reachable: []string{}}
	for _, p := range insp.Projects {
		a.Reachable = append(a.Reachable, p.ProjectURLName)
		if p.ProjectURLName == project {
			a.HasAccess = true
			a.GroupIDs = p.Groups
		}
	}
	sort.Strings(a.Reachable)
	if !a.HasAccess {
		a.DidYouMean = CloseMatches(project, a.Reachable, 3)
	}
	return a
}

// CapabilitiesIn returns the inspection's capabilities that apply in
// project.
func (t *TokenInspection) CapabilitiesIn(project string) []Capability {
	var out []Capability
	for _, c := range t.Capabilities {
		if c.ProjectScope.Includes(project) {
			out = append(out, c)
		}
	}
	return out
}

// CloseMatches returns up to n candidates similar to word (similarity ≥
// 0.6, best first), as Python's difflib.get_close_matches does for the
// Cognite SDK's "did you mean".
func CloseMatches(word string, candidates []string, n int) []string {
	type scored struct {
		s string
		r float64
	}
	var ss []scored
	for _, c := range candidates {
		if r := similarity(strings.ToLower(word), strings.ToLower(c)); r >= 0.6 {
			ss = append(ss, scored{c, r})
		}
	}
	sort.SliceStable(ss, func(i, j int) bool { return ss[i].r > ss[j].r })
	var out []string
	for i := 0; i < len(ss) && i < n; i++ {
		out = append(out, ss[i].s)
	}
	return out
}

// similarity is 1 - editDistance/maxLen, in [0,1].
func similarity(a, b string) float64 {
	la, lb := utf8.RuneCountInString(a), utf8.RuneCountInString(b)
	if la == 0 && lb == 0 {
		return 1
	}
	return 1 - float64(textdist.Levenshtein(a, b))/float64(max(la, lb))
}

// Report is everything inspect shows: the token inspection, access to
// the profile's project, its capabilities there and the group mapping.
type Report struct {
	BaseURL      string           `json:"cdfUrl"`
	Subject      string           `json:"subject"`
	Projects     []ProjectGroup   `json:"projects"`
	Access       Access           `json:"access"`
	Capabilities []Capability     `json:"capabilities"`
	Mapping      *GroupMapping    `json:"groupMapping,omitempty"`
	Project      *Project         `json:"projectInfo,omitempty"`
	Warnings     []string         `json:"warnings,omitempty"`
	Inspection   *TokenInspection `json:"-"`
}

// Inspect runs token/inspect, then (with access to project) the project's
// groups (all when allowed) and maps tokenGroups onto them. A failure of
// token/inspect is an error; later failures become Warnings.
func Inspect(ctx context.Context, c *Client, project string, tokenGroups []string) (*Report, error) {
	insp, err := c.InspectToken(ctx)
	if err != nil {
		return nil, err
	}
	r := &Report{BaseURL: c.BaseURL(), Subject: insp.Subject, Projects: insp.Projects, Inspection: insp}
	if r.Projects == nil {
		r.Projects = []ProjectGroup{}
	}
	r.Access = ProjectAccess(insp, project)
	r.Capabilities = insp.CapabilitiesIn(project)
	if r.Capabilities == nil {
		r.Capabilities = []Capability{}
	}
	if project == "" || !r.Access.HasAccess {
		return r, nil
	}
	gl, err := c.Groups(ctx, project, true)
	if err != nil {
		r.Warnings = append(r.Warnings, "could not list the project's groups: "+err.Error())
	} else {
		// Without groupsAcl LIST scope all only the token's own groups are
		// listed; Mapping.Complete says so.
		m := MapGroups(project, tokenGroups, gl.Items, gl.All)
		r.Mapping = &m
	}
	p, err := c.Project(ctx, project)
	switch {
	case err == nil:
		r.Project = p
	case IsStatus(err, http.StatusForbidden):
		// Reading the project needs projects:read; not having it is normal.
	default:
		r.Warnings = append(r.Warnings, "could not read the project: "+err.Error())
	}
	return r, nil
}
