package fsfault

import (
	"errors"
	"testing"
)

func TestPlace(t *testing.T) {
	tests := []struct {
		mount, dir, want string
	}{
		{"/home", "/home/ada/.cdflogin", "/home"},
		{"", "/home/ada/.cdflogin", "the disk that holds /home/ada/.cdflogin"},
	}
	for _, tt := range tests {
		if got := Place(tt.mount, tt.dir); got != tt.want {
			t.Errorf("Place(%q, %q) = %q, want %q", tt.mount, tt.dir, got, tt.want)
		}
	}
}

func TestNotAFileSystemFault(t *testing.T) {
	for _, err := range []error{errors.New("boom"), errors.ErrUnsupported} {
		if NoSpace(err) || Quota(err) || ReadOnly(err) || NotWritable(err) {
			t.Errorf("%v taken for a full or read-only disk", err)
		}
		if got := ErrnoText(err); got != err.Error() {
			t.Errorf("ErrnoText(%v) = %q, want the error's own words", err, got)
		}
		if got := FreeSpaceFix("/home", err); got != "free space on /home" {
			t.Errorf("FreeSpaceFix = %q", got)
		}
	}
}
