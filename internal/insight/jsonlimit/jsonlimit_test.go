package jsonlimit

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestDepth(t *testing.T) {
	tests := []struct {
		in   string
		want int
	}{
		{`1`, 0},
		{`"[[["`, 0},
		{`{}`, 1},
		{`{"a":[1,{"b":[]}]}`, 4},
		{`["\"[[[", ["\\"], [[]]]`, 3},
		{strings.Repeat("[", 10000) + strings.Repeat("]", 10000), 10000},
		{`]]]][`, 1},
	}
	for _, tt := range tests {
		if got := Depth([]byte(tt.in)); got != tt.want {
			t.Errorf("Depth(%.40q) = %d, want %d", tt.in, got, tt.want)
		}
	}
}

func TestCheck(t *testing.T) {
	deep := []byte(strings.Repeat("[", 65) + strings.Repeat("]", 65))
	err := Check("the token's payload", deep, 64, 0)
	if err == nil || err.Error() != "the token's payload nests 65 levels deep, more than the 64 any real one does" {
		t.Errorf("deep: %v", err)
	}
	if err := Check("x", []byte(`[[]]`), 64, 3); err == nil || !strings.Contains(err.Error(), "4 bytes, more than the 3") {
		t.Errorf("large: %v", err)
	}
	if err := Check("x", []byte(`{"a":[{"b":1}]}`), 64, 100); err != nil {
		t.Errorf("ordinary: %v", err)
	}
}

// FuzzDepth: Depth never panics, and agrees with encoding/json on valid
// JSON: what Depth accepts within Go's own limit, the decoder accepts.
func FuzzDepth(f *testing.F) {
	for _, s := range []string{`{"a":[1,2]}`, `"\\\""`, `[[[`, `{"x":"]"}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		d := Depth(data)
		if d < 0 || d > len(data) {
			t.Fatalf("depth %d for %d bytes", d, len(data))
		}
		var v any
		if json.Unmarshal(data, &v) == nil && d > 10000 {
			t.Fatalf("json accepted depth %d", d)
		}
	})
}
