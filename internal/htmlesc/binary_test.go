package htmlesc

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// templateUsers may import text/template or html/template in the cdflogin
// binary: cobra does, on paths the linker drops unless a program sets a
// template of its own (checked below); the template packages import each
// other.
var templateUsers = map[string]bool{"github.com/spf13/cobra": true, "html/template": true, "text/template": true}

var setsCobraTemplate = regexp.MustCompile(`\.Set(Version|Help|Usage)Template\(`)

// The binary executes no template, so that the linker can drop unused
// exported methods (2.6 MB, docs/performance.md): no package of cdflogin's
// build but cobra imports a template package, and no cdflogin code gives
// cobra a template.
func TestNoTemplateInTheBinary(t *testing.T) {
	gomod, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		t.Fatalf("go env GOMOD: %v", err)
	}
	root := filepath.Dir(strings.TrimSpace(string(gomod)))
	cmd := exec.Command("go", "list", "-deps", "-json=ImportPath,Imports,Module,GoFiles,Dir", ".")
	cmd.Dir = root
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	dec := json.NewDecoder(bytes.NewReader(out))
	n := 0
	for {
		var p struct {
			ImportPath string
			Imports    []string
			GoFiles    []string
			Dir        string
			Module     *struct{ Main bool }
		}
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		n++
		for _, imp := range p.Imports {
			if (imp == "text/template" || imp == "html/template") && !templateUsers[p.ImportPath] {
				t.Errorf("%s imports %s: the binary would keep every exported method (use internal/htmlesc)", p.ImportPath, imp)
			}
		}
		if p.Module == nil || !p.Module.Main {
			continue
		}
		for _, f := range p.GoFiles {
			src, err := os.ReadFile(filepath.Join(p.Dir, f))
			if err != nil {
				t.Fatal(err)
			}
			if setsCobraTemplate.Match(src) {
				t.Errorf("%s/%s gives cobra a template: cobra would execute it with text/template", p.ImportPath, f)
			}
		}
	}
	if n < 50 {
		t.Fatalf("go list -deps found %d packages; expected cdflogin's whole build", n)
	}
}
