package profiles

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
)

const (
	tenantA = "72f988bf-86f1-41af-91ab-2d7cd011db47"
	clientA = "1b2c3d4e-5f60-4a1b-8c9d-0e1f2a3b4c5d"
)

func goodProfile(name string) Profile {
	return Profile{Name: name, Tenant: tenantA, ClientID: clientA, Cluster: "westeurope-1", Project: "acme-dev", Flow: FlowBrowser}
}

func newTestStore(t *testing.T, content string) *Store {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "cfg")
	path := filepath.Join(dir, "profiles.yaml")
	if content != "" {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return NewStore(path)
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// requireMode fails the test unless path has the permission bits want
// (where files have Unix modes). Call it before the store reads the file.
func requireMode(t *testing.T, path string, want os.FileMode) {
	t.Helper()
	if runtime.GOOS == "windows" {
		return
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := fi.Mode().Perm(); got != want {
		t.Fatalf("%s has mode %04o, want %04o", filepath.Base(path), got, want)
	}
}

func TestStoreAddGetListModes(t *testing.T) {
	s := newTestStore(t, "")
	if ps, err := s.List(); err != nil || len(ps) != 0 {
		t.Fatalf("List on missing file = %v, %v; want empty", ps, err)
	}
	p := goodProfile("dev")
	p.Scopes = []string{"https://westeurope-1.cognitedata.com/.default", "offline_access"}
	p.RedirectPort = 53001
	p.Project = "123" // looks like a number: must stay a string
	if err := s.Add(p); err != nil {
		t.Fatal(err)
	}
	// The modes as Add wrote them, seen before anything reads the file
	// again: a read tightens a too-open profiles.yaml to 0600.
	requireMode(t, s.Path(), 0o600)
	requireMode(t, filepath.Dir(s.Path()), 0o700)
	q := goodProfile("prod")
	q.Flow, q.ClientSecret = FlowSecret, "env:IDP_CLIENT_SECRET"
	if err := s.Add(q); err != nil {
		t.Fatal(err)
	}
	requireMode(t, s.Path(), 0o600) // the rewrite is a new file, 0600 again
	got, err := s.Get("dev")
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(got) != fmt.Sprint(p) {
		t.Errorf("Get = %+v\nwant  %+v", got, p)
	}
	ps, err := s.List()
	if err != nil || len(ps) != 2 || ps[0].Name != "dev" || ps[1].Name != "prod" || ps[1].ClientSecret != "env:IDP_CLIENT_SECRET" {
		t.Fatalf("List = %+v, %v", ps, err)
	}
	if err := s.Add(goodProfile("dev")); !errors.Is(err, ErrExists) {
		t.Errorf("second Add(dev) = %v, want ErrExists", err)
	}
	entries, _ := os.ReadDir(filepath.Dir(s.Path()))
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".tmp") {
			t.Errorf("temp file left behind: %s", e.Name())
		}
	}
}

func TestStoreAddRejectsInvalid(t *testing.T) {
	s := newTestStore(t, "")
	p := goodProfile("dev")
	p.ClientID = "not-a-guid"
	var ve *ValidationError
	if err := s.Add(p); !errors.As(err, &ve) || ve.Field("client_id") == nil {
		t.Fatalf("Add(invalid) = %v, want ValidationError on client_id", err)
	}
	if _, err := os.Stat(s.Path()); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("an invalid add created the file: %v", err)
	}
}

const handEdited = `# cdflogin profiles — edited by hand
profiles:
    # the development project
    dev:
        tenant: 72f988bf-86f1-41af-91ab-2d7cd011db47 # Contoso
        client_id: 1b2c3d4e-5f60-4a1b-8c9d-0e1f2a3b4c5d
        project: acme-dev
        cluster: westeurope-1   # where acme lives
        flow: browser
    # production: careful
    prod:
        tenant: contoso.onmicrosoft.com
        client_id: 1b2c3d4e-5f60-4a1b-8c9d-0e1f2a3b4c5d
        cluster: westeurope-1
        project: acme-prod
        flow: device
        default: true
# end of file
`

func TestStoreUpdateKeepsCommentsAndOrder(t *testing.T) {
	s := newTestStore(t, handEdited)
	if err := s.Update("dev", func(p *Profile) error {
		p.Cluster = "az-eastus-1"
		p.LoginHint = "ada@contoso.com"
		p.Default = true
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	out := readFile(t, s.Path())
	for _, want := range []string{
		"# cdflogin profiles — edited by hand\n",
		"    # the development project\n",
		"tenant: 72f988bf-86f1-41af-91ab-2d7cd011db47 # Contoso\n",
		"        project: acme-dev\n        cluster: az-eastus-1 # where acme lives\n        flow: browser\n        login_hint: ada@contoso.com\n        default: true\n",
		"    # production: careful\n",
		"# end of file",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("after Update the file lacks %q:\n%s", want, out)
		}
	}
	prod, err := s.Get("prod")
	if err != nil || prod.Default {
		t.Errorf("prod after dev became default: %+v, %v (want default cleared)", prod, err)
	}
	if strings.Count(out, "default: true") != 1 {
		t.Errorf("want exactly one default:\n%s", out)
	}
}

func TestStoreRemoveAndRename(t *testing.T) {
	s := newTestStore(t, handEdited)
	if err := s.Update("dev", func(p *Profile) error { p.Name = "development"; return nil }); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get("development"); err != nil {
		t.Fatal(err)
	}
	if err := s.Remove("prod"); err != nil {
		t.Fatal(err)
	}
	out := readFile(t, s.Path())
	if strings.Contains(out, "acme-prod") || strings.Contains(out, "careful") {
		t.Errorf("prod (and its comment) should be gone:\n%s", out)
	}
	var nf *NotFoundError
	if err := s.Remove("prod"); !errors.As(err, &nf) {
		t.Errorf("Remove(prod) again = %v, want NotFoundError", err)
	}
	if err := s.Update("developmnt", func(*Profile) error { return nil }); !errors.As(err, &nf) || nf.Suggest != "development" {
		t.Errorf("Update(typo) = %v, want a suggestion of development", err)
	}
}

func TestStoreCRLFAndBOM(t *testing.T) {
	content := "\xEF\xBB\xBF" + strings.ReplaceAll(handEdited, "\n", "\r\n")
	s := newTestStore(t, content)
	ps, err := s.List()
	if err != nil || len(ps) != 2 {
		t.Fatalf("List = %v, %v", ps, err)
	}
	if err := s.Add(goodProfile("test")); err != nil {
		t.Fatal(err)
	}
	out := readFile(t, s.Path())
	if strings.Count(out, "\n") != strings.Count(out, "\r\n") {
		t.Errorf("line endings mixed after edit of a CRLF file:\n%q", out)
	}
	if ps, err := s.List(); err != nil || len(ps) != 3 {
		t.Fatalf("List after add = %v, %v", ps, err)
	}
}

func TestStoreCommentOnlyAndEmptyFiles(t *testing.T) {
	for name, content := range map[string]string{
		"comment only":   "# my profiles\n",
		"empty profiles": "# mine\nprofiles:\n",
		"empty":          "\n",
	} {
		t.Run(name, func(t *testing.T) {
			s := newTestStore(t, content)
			if err := s.Add(goodProfile("dev")); err != nil {
				t.Fatal(err)
			}
			out := readFile(t, s.Path())
			if strings.HasPrefix(content, "#") && !strings.Contains(out, strings.SplitN(content, "\n", 2)[0]) {
				t.Errorf("comment lost:\n%s", out)
			}
			if ps, err := s.List(); err != nil || len(ps) != 1 {
				t.Errorf("List = %v, %v", ps, err)
			}
		})
	}
}

func TestStoreBrokenFileNeverWritten(t *testing.T) {
	cases := []struct {
		name, content string
		line, col     int
		msg           string
	}{
		{"syntax", "profiles:\n  dev:\n    tenant: [x\n    flow: browser\n", 0, 0, "not valid YAML"},
		{"tab", "profiles:\n\tdev:\n", 2, 0, "not valid YAML"},
		{"unknown key", "profiles:\n  dev:\n    tenant: x\n    clientId: y\n", 4, 5, `did you mean "client_id"`},
		{"unknown top", "profile:\n  dev: {}\n", 1, 1, `did you mean "profiles"`},
		{"wrong type", "profiles:\n  dev:\n    scopes: {a: b}\n", 3, 13, "scopes must be a list"},
		{"bad port", "profiles:\n  dev:\n    redirect_port: abc\n", 3, 20, "not a number"},
		{"dup profile", "profiles:\n  dev: {}\n  dev: {}\n", 3, 3, "defined twice"},
		{"list at top", "- a\n- b\n", 1, 1, "must be a mapping"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := newTestStore(t, tc.content)
			ops := map[string]func() error{
				"List":   func() error { _, err := s.List(); return err },
				"Get":    func() error { _, err := s.Get("dev"); return err },
				"Select": func() error { _, err := s.Select("", ""); return err },
				"Add":    func() error { return s.Add(goodProfile("new")) },
				"Update": func() error { return s.Update("dev", func(p *Profile) error { return nil }) },
				"Remove": func() error { return s.Remove("dev") },
			}
			for op, run := range ops {
				err := run()
				var fe *FileError
				if !errors.As(err, &fe) || !errors.Is(err, ErrBadFile) {
					t.Fatalf("%s = %v, want a FileError", op, err)
				}
				if !strings.Contains(fe.Msg, tc.msg) || fe.Path != s.Path() {
					t.Errorf("%s error %q lacks %q", op, err, tc.msg)
				}
				if tc.line != 0 && (fe.Line != tc.line || (tc.col != 0 && fe.Column != tc.col)) {
					t.Errorf("%s error at %d:%d, want %d:%d (%v)", op, fe.Line, fe.Column, tc.line, tc.col, err)
				}
				if fe.Line == 0 || fe.Column == 0 {
					t.Errorf("%s error has no line:column: %v", op, err)
				}
				if got := readFile(t, s.Path()); got != tc.content {
					t.Fatalf("%s changed the broken file:\n%q\nwant\n%q", op, got, tc.content)
				}
			}
		})
	}
}

func TestStoreSelect(t *testing.T) {
	two := "profiles:\n  dev:\n    tenant: " + tenantA + "\n    client_id: " + clientA + "\n    cluster: api\n    project: p\n    flow: browser\n  prod:\n    tenant: " + tenantA + "\n    client_id: " + clientA + "\n    cluster: api\n    project: q\n    flow: device\n"
	withDefault := two + "    default: true\n"
	one := "profiles:\n  only:\n    tenant: " + tenantA + "\n    client_id: " + clientA + "\n    cluster: api\n    project: p\n    flow: browser\n"
	bad := "profiles:\n  dev:\n    tenant: " + tenantA + "\n    client_id: nope\n    cluster: api\n    project: p\n    flow: browser\n"
	cases := []struct {
		name, content, flag, env string
		want                     string
		wantErr                  error
		errHas                   string
	}{
		{name: "flag wins", content: withDefault, flag: "dev", env: "prod", want: "dev"},
		{name: "env next", content: withDefault, env: "dev", want: "dev"},
		{name: "default", content: withDefault, want: "prod"},
		{name: "only one", content: one, want: "only"},
		{name: "none", content: "", wantErr: ErrNoProfiles, errHas: "profile add"},
		{name: "ambiguous", content: two, wantErr: ErrAmbiguous, errHas: "dev, prod"},
		{name: "flag missing", content: two, flag: "prd", wantErr: ErrNotFound, errHas: `did you mean "prod"`},
		{name: "env missing", content: two, env: "stage", wantErr: ErrNotFound, errHas: "CDFLOGIN_PROFILE"},
		{name: "invalid stored", content: bad, wantErr: ErrBadFile, errHas: ":4:16: profile \"dev\": client_id"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := newTestStore(t, tc.content)
			p, err := s.Select(tc.flag, tc.env)
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) || !strings.Contains(err.Error(), tc.errHas) {
					t.Fatalf("Select = %v, want %v containing %q", err, tc.wantErr, tc.errHas)
				}
				return
			}
			if err != nil || p.Name != tc.want {
				t.Fatalf("Select = %q, %v; want %q", p.Name, err, tc.want)
			}
		})
	}
}

func TestStoreConcurrentAdds(t *testing.T) {
	s := newTestStore(t, "")
	const n = 12
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Each writer its own Store value, as separate processes would.
			errs <- NewStore(s.Path()).Add(goodProfile(fmt.Sprintf("p%02d", i)))
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	names, err := s.Names()
	if err != nil || len(names) != n {
		t.Fatalf("after %d concurrent adds: %v, %v", n, names, err)
	}
}

func TestSyntaxErrorLines(t *testing.T) {
	cases := []struct {
		in        string
		line, col int
	}{
		{"profiles:\n  dev:\n    tenant: t\n    client_id: [1b2c\n    cluster: w\n", 4, 5}, // parser error (0-based in yaml.v3)
		{"profiles:\n  dev:\n    tenant: t\n   bad: x\n", 2, 3},                            // parser error: where the block starts
		{"profiles:\n  dev:\n    tenant: \"open\n", 3, 5},                                  // scanner error
		{"profiles:\n  dev:\n    tenant: x: y\n", 3, 5},                                    // scanner error
		{"- a\nb: c\n", 2, 1},            // parser error
		{"profiles:\n\tdev: {}\n", 2, 2}, // tab
		{"profiles: {\n", 2, 1},          // end of file
	}
	for _, tc := range cases {
		_, err := parseDocument("p.yaml", []byte(tc.in))
		var fe *FileError
		if !errors.As(err, &fe) || fe.Line != tc.line || fe.Column != tc.col {
			t.Errorf("%q: %v (want line %d col %d)", tc.in, err, tc.line, tc.col)
		}
	}
}

func TestStoreKeepsSymlink(t *testing.T) {
	dir := t.TempDir()
	real := filepath.Join(dir, "dotfiles", "cdflogin.yaml")
	if err := os.MkdirAll(filepath.Dir(real), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(real, []byte(handEdited), 0o600); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "cfg", "profiles.yaml")
	if err := os.MkdirAll(filepath.Dir(link), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(real, link); err != nil {
		t.Skipf("no symlinks here: %v", err)
	}
	s := NewStore(link)
	if err := s.Add(goodProfile("new")); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Fatalf("the symlink was replaced: %v %v", fi.Mode(), err)
	}
	if !strings.Contains(readFile(t, real), "new:") {
		t.Errorf("the link target was not updated:\n%s", readFile(t, real))
	}
}

func TestStoreMergeKeys(t *testing.T) {
	content := "x-contoso: &contoso\n  tenant: " + tenantA + "\n  client_id: " + clientA + "\n  cluster: westeurope-1\n  flow: browser\n" +
		"profiles:\n  dev:\n    <<: *contoso\n    project: acme-dev\n  prod:\n    project: acme-prod\n    <<: *contoso\n    flow: device\n"
	s := newTestStore(t, content)
	dev, err := s.Get("dev")
	if err != nil {
		t.Fatal(err)
	}
	want := goodProfile("dev")
	if fmt.Sprint(dev) != fmt.Sprint(want) {
		t.Errorf("dev = %+v\nwant %+v", dev, want)
	}
	prod, err := s.Get("prod")
	if err != nil || prod.Flow != FlowDevice || prod.Tenant != tenantA {
		t.Errorf("prod = %+v, %v", prod, err)
	}
	// An edit of an inherited setting overrides it in that profile only.
	if err := s.Update("dev", func(p *Profile) error { p.Cluster = "api"; return nil }); err != nil {
		t.Fatal(err)
	}
	out := readFile(t, s.Path())
	if !strings.Contains(out, "x-contoso: &contoso") || !strings.Contains(out, "<<: *contoso") {
		t.Errorf("anchors lost:\n%s", out)
	}
	dev, _ = s.Get("dev")
	prod, _ = s.Get("prod")
	if dev.Cluster != "api" || prod.Cluster != "westeurope-1" {
		t.Errorf("after edit: dev %q prod %q\n%s", dev.Cluster, prod.Cluster, out)
	}
	if err := s.Update("prod", func(p *Profile) error { p.ClientID = ""; return nil }); err == nil {
		t.Error("clearing a required setting succeeded")
	}
	if err := s.Update("prod", func(p *Profile) error { p.Flow = FlowBrowser; p.LoginHint = "x@y.z"; return nil }); err != nil {
		t.Errorf("override: %v", err)
	}
	s2 := newTestStore(t, "x-d: &d\n  login_hint: ada@contoso.com\nprofiles:\n  dev:\n    <<: *d\n    tenant: "+tenantA+"\n    client_id: "+clientA+"\n    cluster: api\n    project: p\n    flow: browser\n")
	before2 := readFile(t, s2.Path())
	if err := s2.Update("dev", func(p *Profile) error { p.LoginHint = ""; return nil }); err == nil || !strings.Contains(err.Error(), "merge key") {
		t.Errorf("unset of an inherited setting = %v", err)
	}
	if readFile(t, s2.Path()) != before2 {
		t.Error("a refused update changed the file")
	}
	bad := newTestStore(t, "profiles:\n  dev:\n    <<: {tenant: x}\n")
	if _, err := bad.List(); err == nil || !strings.Contains(err.Error(), "<< must name a mapping with an alias") {
		t.Errorf("inline merge: %v", err)
	}
}

func TestStoreIndentOfFlowProfiles(t *testing.T) {
	s := newTestStore(t, "profiles:\n   dev:   {tenant: "+tenantA+", client_id: "+clientA+", cluster: api, project: p, flow: browser}\n")
	if err := s.Add(goodProfile("new")); err != nil {
		t.Fatal(err)
	}
	out := readFile(t, s.Path())
	if !strings.Contains(out, "\n   dev: {") || !strings.Contains(out, "\n   new:\n      tenant: ") {
		t.Errorf("indentation not kept (3):\n%s", out)
	}
}
