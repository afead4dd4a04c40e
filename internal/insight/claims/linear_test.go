package claims_test

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/cognite-tools/cdflogin/internal/insight/claims"
)

// nested is v wrapped in d arrays.
func nested(d int) any {
	var v any = "x"
	for range d {
		v = []any{v}
	}
	return v
}

// allocatedBy is how many bytes f allocates.
func allocatedBy(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// TestFormatLinearInDepth (issue 16): formatting a claim costs in
// proportion to its size however deeply it nests. Depth 10 000, five times
// depth 2 000, must cost about five times the memory, not twenty-five
// (formatting each level's children and then throwing them away made a
// 21 KB token take 13 s); measured in bytes allocated, not in time.
func TestFormatLinearInDepth(t *testing.T) {
	now := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	small, big := nested(2000), nested(10000)
	var out string
	a := allocatedBy(func() { out = claims.FormatValue("deep", small, now, time.UTC) })
	b := allocatedBy(func() { out = claims.FormatValue("deep", big, now, time.UTC) })
	if want := strings.Repeat("[", 10000) + `"x"` + strings.Repeat("]", 10000); out != want {
		t.Fatalf("depth 10000 formats as %.40q…", out)
	}
	if b > 12*a {
		t.Errorf("depth 10000 allocates %d bytes, %d× depth 2000's %d: formatting is not linear in the value's size", b, b/max(a, 1), a)
	}
}

// TestDecodeRefusesDeepNesting: a token nesting far deeper than any real
// one is refused at once with a clear reason, before anything formats it.
func TestDecodeRefusesDeepNesting(t *testing.T) {
	pay, err := json.Marshal(map[string]any{"sub": "x", "deep": nested(10000)})
	if err != nil {
		t.Fatal(err)
	}
	raw := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none"}`)) + "." + base64.RawURLEncoding.EncodeToString(pay) + ".c2ln"
	_, err = claims.Decode(raw)
	var de *claims.DecodeError
	if !errors.As(err, &de) || !strings.Contains(err.Error(), "its payload nests 10001 levels deep, more than the 32 any real one does") {
		t.Fatalf("Decode: %v", err)
	}
	ok, err := json.Marshal(map[string]any{"sub": "x", "deep": nested(30)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := claims.Decode(base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none"}`)) + "." + base64.RawURLEncoding.EncodeToString(ok) + ".c2ln"); err != nil {
		t.Errorf("a token within the limit: %v", err)
	}
}
