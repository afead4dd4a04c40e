package cmdutil

import (
	"strings"

	"github.com/spf13/pflag"
)

// FlagSpec is how help and the reference name a flag and the value it
// takes: "-p, --profile PROFILE", "    --plain".
func FlagSpec(f *pflag.Flag) string {
	s := "    --" + f.Name
	if f.Shorthand != "" {
		s = "-" + f.Shorthand + ", --" + f.Name
	}
	if v := FlagPlaceholder(f); v != "" {
		s += " " + v
	}
	return s
}

// FlagPlaceholder names a flag's value: the word its usage marks with
// backquotes (pflag's convention), else one from its type or name; ""
// for a switch.
func FlagPlaceholder(f *pflag.Flag) string {
	name, _ := pflag.UnquoteUsage(f)
	switch {
	case strings.Contains(f.Usage, "`"):
		return name
	case f.Value.Type() == "bool":
		return ""
	case name == "int" || name == "uint":
		return "N"
	case name == "duration":
		return "DURATION"
	}
	return strings.ToUpper(strings.ReplaceAll(f.Name, "-", "_"))
}

// FlagUsage is a flag's usage as written (backquotes removed) with its
// default when it has one the text does not already give.
func FlagUsage(f *pflag.Flag) string {
	_, usage := pflag.UnquoteUsage(f)
	if d := f.DefValue; !ZeroFlagDefault(f) && !strings.Contains(usage, "default") {
		usage += " (default " + d + ")"
	}
	return usage
}

// ZeroFlagDefault reports whether f's default is its type's zero value,
// which help does not show.
func ZeroFlagDefault(f *pflag.Flag) bool {
	switch f.DefValue {
	case "", "false", "0", "0s", "[]":
		return true
	}
	return false
}
