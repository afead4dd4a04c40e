package profile

import (
	"strings"
	"testing"
)

// In a terminal, profile add asks for what its flags left out, checking
// each answer as profiles.yaml would (a wrong one is asked again), with
// huh's accessible prompts: line after line, not one escape sequence.
func TestAddAsksForWhatIsMissing(t *testing.T) {
	h := newHarness(t)
	h.tty = true
	h.env["TERM"] = "dumb" // accessible prompts: lines on stdin
	answers := strings.Join([]string{
		"2",                        // flow: device
		"not a tenant",             // rejected, asked again
		tenant,                     // tenant
		client,                     // client ID
		"https://acme.example.com", // the CDF URL (cdf_url, no cluster)
		"acme-dev",                 // project
	}, "\n") + "\n"
	r := h.run(answers, "add", "dev")
	if r.err != nil {
		t.Fatalf("add: %v\n%s", r.err, r.errOut)
	}
	f := h.file()
	for _, want := range []string{"tenant: " + tenant, "client_id: " + client, "cdf_url: https://acme.example.com", "project: acme-dev", "flow: device"} {
		if !strings.Contains(f, want) {
			t.Errorf("profiles.yaml lacks %q:\n%s", want, f)
		}
	}
	if strings.Contains(f, "cluster: westeurope") || strings.Contains(f, "cluster: h") {
		t.Errorf("a cluster was stored beside cdf_url:\n%s", f)
	}
	if !strings.Contains(r.errOut, "is neither a GUID nor a domain") {
		t.Errorf("the wrong tenant was not refused with its reason:\n%s", r.errOut)
	}
	if i := strings.IndexByte(r.errOut, 0x1b); i >= 0 {
		t.Errorf("an escape sequence in accessible prompts: %q", r.errOut[max(i-20, 0):])
	}
	if r.out != "" {
		t.Errorf("prompts on stdout: %q", r.out)
	}
}

// Not a terminal: nothing is asked, every problem is said at once (exit 2).
func TestAddInAScriptAsksNothing(t *testing.T) {
	h := newHarness(t)
	r := h.run(tenant+"\n", "add", "dev")
	if r.err == nil || !strings.Contains(r.err.Error(), "--tenant") || !strings.Contains(r.err.Error(), "--project") {
		t.Fatalf("add without flags in a script: %v", r.err)
	}
	if strings.Contains(r.errOut, "needs a few more settings") {
		t.Error("asked with stdin not a terminal")
	}
}

// cluster and cdf_url name the same thing: add refuses both, edit keeps
// one (giving the other clears the first, and says so).
func TestClusterAndCDFURLAreExclusive(t *testing.T) {
	h := newHarness(t)
	r := h.run("", addArgs("x", "--flow", "device", "--cdf-url", "https://acme.example.com")...)
	if r.err == nil || !strings.Contains(r.err.Error(), "--cluster and --cdf-url") {
		t.Fatalf("add with both: %v", r.err)
	}
	if r := h.run("", addArgs("dev", "--flow", "device")...); r.err != nil {
		t.Fatal(r.err)
	}
	r = h.run("", "edit", "dev", "--cdf-url", "https://acme.example.com")
	if r.err != nil {
		t.Fatal(r.err)
	}
	if f := h.file(); strings.Contains(f, "cluster:") || !strings.Contains(f, "cdf_url: https://acme.example.com") {
		t.Errorf("after --cdf-url:\n%s", f)
	}
	if !strings.Contains(r.errOut, "cleared cluster westeurope-1") {
		t.Errorf("the cleared cluster is not said: %q", r.errOut)
	}
	r = h.run("", "edit", "dev", "--cluster", "westeurope-2")
	if r.err != nil {
		t.Fatal(r.err)
	}
	if f := h.file(); strings.Contains(f, "cdf_url:") || !strings.Contains(f, "cluster: westeurope-2") {
		t.Errorf("after --cluster:\n%s", f)
	}
	// A file written before the rule, with both: an edit of anything else
	// drops the cluster, which was never used.
	h.write("profiles:\n  old:\n    tenant: " + tenant + "\n    client_id: " + client + "\n    cluster: westeurope-1\n    cdf_url: https://acme.example.com\n    project: p\n    flow: device\n")
	if r := h.run("", "edit", "old", "--project", "q"); r.err != nil || !strings.Contains(r.errOut, "cleared cluster westeurope-1, which the profile did not use") {
		t.Fatalf("edit of a profile with both: %v %q", r.err, r.errOut)
	}
	// An import with both: refused, naming both.
	h.files["both.env"] = []byte("LOGIN_FLOW=device_code\nCDF_CLUSTER=westeurope-1\nCDF_URL=https://acme.example.com\nCDF_PROJECT=p\nIDP_CLIENT_ID=" + client + "\nIDP_TENANT_ID=" + tenant + "\n")
	r = h.run("", "import", "both.env", "--name", "both")
	if r.err == nil || !strings.Contains(r.err.Error(), "cluster") || !strings.Contains(r.err.Error(), "cdf_url") || !strings.Contains(r.err.Error(), "nothing was imported") {
		t.Fatalf("import with both: %v", r.err)
	}
}
