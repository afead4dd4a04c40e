package profiles

import (
	"fmt"
	"testing"
)

// FuzzParseDocument: any bytes either fail with a positioned *FileError or
// give profiles that survive an encode and a re-parse unchanged, and an
// add on top of them still parses.
func FuzzParseDocument(f *testing.F) {
	f.Add([]byte(handEdited))
	f.Fuzz(func(t *testing.T, data []byte) {
		doc, err := parseDocument("profiles.yaml", data)
		if err != nil {
			fe, ok := err.(*FileError)
			if !ok {
				t.Fatalf("error is %T, not *FileError: %v", err, err)
			}
			if fe.Path != "profiles.yaml" || fe.Msg == "" {
				t.Fatalf("bad FileError %+v", fe)
			}
			return
		}
		out, err := doc.encode()
		if err != nil {
			t.Fatalf("encode: %v", err)
		}
		again, err := parseDocument("profiles.yaml", out)
		if err != nil {
			t.Fatalf("re-parse of our own output failed: %v\n%q\n->\n%q", err, data, out)
		}
		if a, b := fmt.Sprintf("%+v", profilesOf(doc)), fmt.Sprintf("%+v", profilesOf(again)); a != b {
			t.Fatalf("profiles changed by encode:\n%s\n%s", a, b)
		}
		if doc.find("fuzz-added") >= 0 {
			return
		}
		doc.ensureList()
		p := goodProfile("fuzz-added")
		doc.list.Content = append(doc.list.Content, newKey(p.Name), encodeProfile(p))
		out, err = doc.encode()
		if err != nil {
			t.Fatalf("encode after add: %v", err)
		}
		after, err := parseDocument("profiles.yaml", out)
		if err != nil {
			t.Fatalf("parse after add failed: %v\n%q", err, out)
		}
		if len(after.entries) != len(doc.entries)+1 {
			t.Fatalf("add lost profiles: %d -> %d\n%q", len(doc.entries), len(after.entries), out)
		}
	})
}

func profilesOf(d *document) []Profile {
	out := make([]Profile, len(d.entries))
	for i, e := range d.entries {
		out[i] = e.profile
	}
	return out
}

// checkImported holds for every successful import: a clear secret never
// lands in the profile, and the profile exports.
func checkImported(t *testing.T, imp *Imported) {
	t.Helper()
	p := imp.Profile
	if imp.ClearSecret != "" {
		for _, v := range []string{p.ClientSecret, p.CertificatePassword} {
			if v != "" && v == imp.ClearSecret {
				t.Fatalf("the clear secret landed in the profile: %+v", p)
			}
		}
	}
	if p.ClientSecret != "" && ValidateSecretRef(p.ClientSecret) != nil {
		t.Fatalf("client_secret is not a reference: %q", p.ClientSecret)
	}
	if ValidateName(p.Name) != nil {
		t.Fatalf("import named the profile %q", p.Name)
	}
}

func FuzzImportDotenv(f *testing.F) {
	f.Add([]byte(toolkitGenerated))
	f.Add([]byte("CDF_CLUSTER=api\nCDF_PROJECT=p\nPROVIDER=other\nLOGIN_FLOW=client_credentials\nIDP_CLIENT_ID=a\nIDP_CLIENT_SECRET=${S}\n" +
		"IDP_TOKEN_URL=https://acme.auth.eu-west-1.amazoncognito.com/oauth2/token\nIDP_DISCOVERY_URL=https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_A\n" +
		"IDP_AUDIENCE=https://x\nIDP_SCOPES=a,b\nCDFLOGIN_PROVIDER=cognito\nCDFLOGIN_GROUPS_CLAIM=cognito:groups\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		imp, err := ImportDotenv(data, ImportOptions{Getenv: func(string) string { return "" }})
		if err != nil {
			if _, ok := err.(*ImportError); !ok {
				t.Fatalf("error is %T: %v", err, err)
			}
			return
		}
		checkImported(t, imp)
	})
}

func FuzzImportSDKYAML(f *testing.F) {
	f.Add([]byte(sdkQuickstart))
	f.Add([]byte("client:\n  project: p\n  base_url: https://api.cognitedata.com\n  credentials:\n    client_credentials:\n      token_url: https://a.auth0.com/oauth/token\n" +
		"      client_id: x\n      client_secret: ${S}\n      audience: https://api\ncdflogin:\n  profile: a\n  provider: oidc\n  issuer: https://a.auth0.com\n  groups_claim: g\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		imp, err := ImportSDKYAML(data, ImportOptions{Getenv: func(k string) string { return "x" + k }})
		if err != nil {
			if _, ok := err.(*ImportError); !ok {
				t.Fatalf("error is %T: %v", err, err)
			}
			return
		}
		checkImported(t, imp)
	})
}
