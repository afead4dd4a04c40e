package e2e_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/cognite-tools/cdflogin/sandbox"
)

// openidClientVersion is the openid-client release the test installs.
const openidClientVersion = "6.9.1"

// openidClientDir installs openid-client with npm into the user's cache
// (once) and returns the folder, or skips: Node.js and npm are not
// cdflogin's dependencies, and a machine without them or without the npm
// registry skips rather than fails, so CI never depends on the registry.
func openidClientDir(t *testing.T) string {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("the openid-client test runs on Unix")
	}
	for _, tool := range []string{"node", "npm"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not installed: skipping the openid-client test", tool)
		}
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		t.Skipf("no cache folder for openid-client: %v", err)
	}
	dir := filepath.Join(cache, "cdflogin-e2e", "openid-client-"+openidClientVersion)
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "openid-client", "package.json")); err != nil {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			t.Skipf("cannot make %s: %v", dir, err)
		}
		cmd := exec.Command("npm", "install", "--no-audit", "--no-fund", "--silent", "--prefix", dir, "openid-client@"+openidClientVersion)
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Skipf("npm install openid-client@%s failed (offline?): %v\n%s", openidClientVersion, err, b)
		}
	}
	return dir
}

// TestSandboxWithOpenIDClient: panva's openid-client (Node.js) discovers
// both issuers, gets Cognito and OIDC machine tokens (client_secret_basic
// and _post as each discovery says), signs in with the OIDC device flow
// while the test approves the code, and refreshes; CDF takes every access
// token for the right project.
func TestSandboxWithOpenIDClient(t *testing.T) {
	dir := openidClientDir(t)
	sb, err := sandbox.Start(sandbox.Options{DeviceInterval: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sb.Close() })
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, sb.CAPEM(), 0o600); err != nil {
		t.Fatal(err)
	}
	script, err := os.ReadFile(filepath.Join("testdata", "openid-client.mjs"))
	if err != nil {
		t.Fatal(err)
	}
	// ESM resolves openid-client from the script's folder.
	scriptPath := filepath.Join(dir, "sandbox-test.mjs")
	if err := os.WriteFile(scriptPath, script, 0o600); err != nil {
		t.Fatal(err)
	}
	settings, _ := json.Marshal(map[string]string{
		"cognito_issuer": sb.CognitoIssuer(), "cognito_client_id": sandbox.CognitoSecretClientID, "cognito_secret": sandbox.CognitoClientSecret,
		"cognito_scope": sandbox.CognitoResourceServer + "/IDENTITY",
		"oidc_issuer":   sb.OIDCIssuer(), "oidc_client_id": sandbox.OIDCSecretClientID, "oidc_secret": sandbox.OIDCClientSecret,
		"oidc_public_id": sandbox.OIDCPublicClientID, "audience": sandbox.OIDCAudience,
	})
	cmd := exec.CommandContext(t.Context(), "node", scriptPath)
	cmd.Env = append(os.Environ(), "NODE_EXTRA_CA_CERTS="+ca, "SANDBOX="+string(settings))
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer // read only after Wait
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var steps []string
	tokens := map[string]string{}
	lines := bufio.NewScanner(stdout)
	lines.Buffer(make([]byte, 1<<20), 1<<20)
	for lines.Scan() {
		var step struct {
			Step           string  `json:"step"`
			AccessToken    string  `json:"access_token"`
			DeviceEndpoint *string `json:"device_endpoint"`
			UserCode       string  `json:"user_code"`
			Rotated        bool    `json:"rotated"`
		}
		if err := json.Unmarshal(lines.Bytes(), &step); err != nil {
			t.Fatalf("node printed %q: %v", lines.Text(), err) // the test's context stops node
		}
		steps = append(steps, step.Step)
		tokens[step.Step] = step.AccessToken
		switch step.Step {
		case "cognito_cc":
			if step.DeviceEndpoint != nil {
				t.Errorf("openid-client found a Cognito device endpoint: %s", *step.DeviceEndpoint)
			}
		case "device":
			if err := sb.ApproveDeviceCode(step.UserCode, sandbox.AliceUsername); err != nil {
				t.Fatalf("approve %s: %v", step.UserCode, err)
			}
		case "refreshed":
			if !step.Rotated {
				t.Error("the OIDC provider did not rotate the refresh token")
			}
		}
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("node: %v (steps %v)\n%s", err, steps, stderr.String())
	}
	if want := []string{"cognito_cc", "oidc_cc", "device", "device_token", "refreshed"}; !slices.Equal(steps, want) {
		t.Fatalf("steps %v, want %v\n%s", steps, want, stderr.String())
	}
	for step, project := range map[string]string{"cognito_cc": sandbox.CognitoProjectName, "oidc_cc": sandbox.OIDCProjectName,
		"device_token": sandbox.OIDCProjectName, "refreshed": sandbox.OIDCProjectName} {
		status, in, body := inspectToken(t, sb, tokens[step])
		if status != http.StatusOK || !slices.Equal(in.projectNames(), []string{project}) {
			t.Errorf("%s: token/inspect %d %s", step, status, body)
		}
	}
}
