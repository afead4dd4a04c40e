package e2e_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/cognite-tools/cdflogin/command/cmdutil"
	"github.com/cognite-tools/cdflogin/command/root"
	"github.com/cognite-tools/cdflogin/flows"
	"github.com/cognite-tools/cdflogin/internal/aadsts"
	"github.com/cognite-tools/cdflogin/internal/insight/diagnosis"
	"github.com/cognite-tools/cdflogin/profiles"
)

// TestTryLinesAreCommands: every "Try:" line an explanation gives, for
// every catalogue code and flow, is a command of the real command tree
// whose flags parse (so it would run), and names the profile with -p.
func TestTryLinesAreCommands(t *testing.T) {
	seen := 0
	for _, code := range aadsts.KnownCodes() {
		for _, flow := range []profiles.Flow{profiles.FlowBrowser, profiles.FlowDevice, profiles.FlowSecret, profiles.FlowCertificate} {
			p := profiles.Profile{Name: "dev-eu", Tenant: "t", ClientID: "c", Cluster: "westeurope-1", Flow: flow}
			x := diagnosis.Explain(diagnosis.Input{Err: &flows.EntraError{Op: "sign in", Err: &aadsts.Error{Codes: []int{code}}}, Profile: p})
			if x.Try == "" {
				continue
			}
			seen++
			args := strings.Fields(x.Try)
			if args[0] != "cdflogin" {
				t.Fatalf("AADSTS%d/%s: Try %q is not a cdflogin command", code, flow, x.Try)
			}
			var out bytes.Buffer
			cmd := root.NewCmd(&cmdutil.Factory{IO: &cmdutil.IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &out}})
			sub, rest, err := cmd.Find(args[1:])
			if err != nil || sub == cmd {
				t.Fatalf("AADSTS%d/%s: Try %q names no command: %v", code, flow, x.Try, err)
			}
			if err := sub.ParseFlags(rest); err != nil {
				t.Fatalf("AADSTS%d/%s: Try %q does not parse: %v", code, flow, x.Try, err)
			}
			if got, _ := sub.Flags().GetString("profile"); got != p.Name {
				t.Errorf("AADSTS%d/%s: Try %q selects profile %q, not %q", code, flow, x.Try, got, p.Name)
			}
			if len(sub.Flags().Args()) != 0 {
				t.Errorf("AADSTS%d/%s: Try %q leaves arguments %v", code, flow, x.Try, sub.Flags().Args())
			}
		}
	}
	if seen == 0 {
		t.Fatal("no explanation suggests another flow")
	}
}
