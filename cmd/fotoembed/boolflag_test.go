package main

import (
	"strconv"
	"strings"
	"testing"
)

// TestBoolFlagWords: boolean flags and their environment variables take
// the module's boolean words in any case; anything else is refused with
// the value named.
func TestBoolFlagWords(t *testing.T) {
	for _, tt := range []struct {
		env, flag string // FOTOEMBED_X's value ("-" for unset) and the flag ("" for none)
		want      string // "true", "false" or the error's text
	}{
		{"-", "", "false"},
		{"-", "--x", "true"},
		{"on", "", "true"},
		{" YES ", "", "true"},
		{"1", "", "true"},
		{"Off", "", "false"},
		{"no", "", "false"},
		{"true", "--x=off", "false"},
		{"off", "--x=On", "true"},
		{"t", "", `FOTOEMBED_X="t" (default for --x): must be true or false (one of 1, true, yes, on / 0, false, no, off)`},
		{"-", "--x=maybe", `--x "maybe": must be true or false`},
	} {
		env := map[string]string{}
		if tt.env != "-" {
			env["FOTOEMBED_X"] = tt.env
		}
		var x bool
		f := newFlagSet("test", "", "", envLookup(envOf(env)))
		f.Bool(&x, "x", "FOTOEMBED_X", false, "a flag")
		var args []string
		if tt.flag != "" {
			args = []string{tt.flag}
		}
		got := ""
		if err := f.Parse(args); err != nil {
			got = err.Error()
		} else {
			got = strconv.FormatBool(x)
		}
		if tt.want == "true" || tt.want == "false" {
			if got != tt.want {
				t.Errorf("FOTOEMBED_X=%q %s: got %q, want %s", tt.env, tt.flag, got, tt.want)
			}
		} else if !strings.Contains(got, tt.want) {
			t.Errorf("FOTOEMBED_X=%q %s: got %q, want %q", tt.env, tt.flag, got, tt.want)
		}
	}
}
