package browser

import (
	"strings"
	"testing"
)

// FuzzBrowserEnv checks that any BROWSER value either is refused or gives
// commands with a name, and that the URL always reaches the command as
// one whole argument.
func FuzzBrowserEnv(f *testing.F) {
	for _, s := range []string{"firefox", "firefox --new-tab %s", "w3m:chromium --app=%s", `'my browser' "a b" %%s`, `x\ y`, `"unterminated`, " : "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, env string) {
		cmds, err := browserEnv(env, "linux", authURL)
		if err != nil {
			return
		}
		if len(cmds) == 0 {
			t.Fatal("no commands and no error")
		}
		for _, c := range cmds {
			whole := false
			for _, a := range c.args {
				if strings.Contains(a, authURL) {
					whole = true
				}
			}
			if !whole {
				t.Fatalf("BROWSER=%q: URL not passed whole in %q", env, c.args)
			}
		}
	})
}
