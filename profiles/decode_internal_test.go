package profiles

import (
	"reflect"
	"slices"
	"testing"
)

// Every key of Keys is decoded, merged and encoded: a text field of
// textFields, or one of the three with a shape of their own; and each
// text field is a distinct field of Profile that round-trips.
func TestKeysAndTextFields(t *testing.T) {
	own := []string{"scopes", "redirect_port", "default"}
	for _, k := range Keys {
		if _, ok := textFields[k]; ok == slices.Contains(own, k) {
			t.Errorf("key %q: in textFields %v, with a shape of its own %v", k, ok, slices.Contains(own, k))
		}
	}
	if len(textFields)+len(own) != len(Keys) {
		t.Errorf("textFields has %d keys, Keys %d text ones", len(textFields), len(Keys)-len(own))
	}
	var p Profile
	for k, field := range textFields {
		*field(&p) = "value of " + k
	}
	seen := map[string]string{}
	for k, field := range textFields {
		if v := *field(&p); v != "value of "+k {
			t.Errorf("key %q shares its field with %q", k, v)
		}
		seen[k] = *field(&p)
	}
	// Through the encoder and the decoder.
	nodes := fieldNodes(p)
	var back Profile
	for _, k := range Keys {
		if n := nodes[k]; n != nil {
			copyField(&back, p, k)
		}
	}
	if !reflect.DeepEqual(back, p) {
		t.Errorf("copyField of every set key: %+v, want %+v", back, p)
	}
	for k, v := range seen {
		if n := nodes[k]; n == nil || n.Value != v {
			t.Errorf("fieldNodes[%q] = %v, want %q", k, n, v)
		}
	}
}
