package tui

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/cognite-tools/cdflogin/internal/insight"
	"github.com/cognite-tools/cdflogin/internal/insight/cdf"
	"github.com/cognite-tools/cdflogin/internal/secrets"
	"github.com/cognite-tools/cdflogin/profiles"
	"github.com/cognite-tools/cdflogin/ui"
)

func TestAccessFromReport(t *testing.T) {
	r := &cdf.Report{
		Subject:  "sub-1",
		Projects: []cdf.ProjectGroup{{ProjectURLName: "zeta"}, {ProjectURLName: "acme"}},
		Access:   cdf.Access{Project: "acme", HasAccess: true},
		Capabilities: []cdf.Capability{
			{ACL: "projectsAcl", Actions: []string{"LIST", "READ"}, Scope: json.RawMessage(`{"all": {}}`)},
			{ACL: "groupsAcl", Actions: []string{"LIST"}, Scope: json.RawMessage(`{"currentuserscope":{}}`)},
			{ACL: "projectsAcl", Actions: []string{"READ", "UPDATE"}, Scope: json.RawMessage(`{"all":{}}`)},
			{ACL: "assetsAcl", Actions: []string{"READ"}, Scope: json.RawMessage(`{"datasetScope":{"ids":[1]}}`)},
		},
		Mapping: &cdf.GroupMapping{
			Matched:        []cdf.MatchedGroup{{EntraGroupID: "g1", CDFGroups: []cdf.Group{{Name: "admins", SourceID: "g1"}}}},
			UnmatchedCDF:   []cdf.Group{{Name: "old", SourceID: "g9"}},
			UnmatchedToken: []string{"g5"},
			Complete:       false,
		},
		Warnings: []string{"could not read the project: 500"},
		Project:  &cdf.Project{URLName: "acme", OIDCConfiguration: &cdf.OIDCConfiguration{Audience: "https://acme.example/api"}},
	}
	a := accessFromResult(&insight.InspectResult{Report: r, GroupsOverage: true})
	want := &ui.Access{
		Subject:  "sub-1",
		Projects: []string{"acme", "zeta"},
		Capabilities: []string{
			"projectsAcl: LIST, READ, UPDATE (all)",
			"groupsAcl: LIST (current user)",
			`assetsAcl: READ (datasetScope {"ids":[1]})`,
		},
		Groups: []ui.GroupAccess{{Name: "admins", SourceID: "g1", Matched: true}, {Name: "old", SourceID: "g9"}},
		Notes: []string{
			"The token has no groups claim because of a groups overage (over 200 groups); CDF can only map them with its group callback on.",
			"1 group(s) of the token map to no CDF group: g5",
			"Only the token's own CDF groups could be listed (no groupsAcl LIST with scope all).",
			"could not read the project: 500",
		},
		Audience: "https://acme.example/api",
	}
	if !reflect.DeepEqual(a, want) {
		t.Fatalf("got  %+v\nwant %+v", a, want)
	}

	r = &cdf.Report{Access: cdf.Access{Project: "acme-dve", DidYouMean: []string{"acme-dev"}}}
	if a := accessFromResult(&insight.InspectResult{Report: r}); len(a.Notes) != 1 || !strings.Contains(a.Notes[0], `no access to project "acme-dve". Did you mean acme-dev?`) {
		t.Fatalf("no-access notes %q", a.Notes)
	}
}

func TestKeyringSaver(t *testing.T) {
	if KeyringSaver(nil) != nil {
		t.Fatal("a saver without a keyring")
	}
	k := secrets.NewMemory()
	save := KeyringSaver(k)
	ref, err := save("robot", "client_secret", "v@lue")
	if err != nil || ref != profiles.RefKeyring {
		t.Fatalf("save: %q %v", ref, err)
	}
	if got, err := k.Get(secrets.Service, secrets.Item("robot", "client_secret")); err != nil || got != "v@lue" {
		t.Fatalf("keyring holds %q %v", got, err)
	}
	if _, err := save("robot", "client_secret", ""); err == nil {
		t.Fatal("saved an empty secret")
	}
	broken := KeyringSaver(secrets.Unavailable{Reason: "no Secret Service"})
	_, err = broken("robot", "client_secret", "v@lue")
	if err == nil || !strings.Contains(err.Error(), "env:VAR") || strings.Contains(err.Error(), "v@lue") {
		t.Fatalf("unavailable keyring: %v", err)
	}
	if !errors.Is(err, secrets.ErrUnavailable) {
		t.Errorf("the cause is lost: %v", err)
	}
}
