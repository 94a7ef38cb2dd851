package rewrite

import (
	"strings"
	"testing"
)

// TestPriorityWords: data-fotoweb-priority takes the module's boolean
// words in any case (empty is true), and an error names the value.
func TestPriorityWords(t *testing.T) {
	for _, tt := range []struct {
		val  string // the attribute's value; "-" for no value
		want string // "true", "false" or "error"
	}{
		{"-", "true"}, {"", "true"}, {"1", "true"}, {"true", "true"}, {"YES", "true"}, {" on ", "true"},
		{"0", "false"}, {"False", "false"}, {"no", "false"}, {"off", "false"},
		{"maybe", "error"}, {"t", "error"},
	} {
		attr := ` data-fotoweb-priority="` + tt.val + `"`
		if tt.val == "-" {
			attr = " data-fotoweb-priority"
		}
		sr, err := findPlaceholders([]byte(`<img data-fotoweb="/a.info"` + attr + `>`))
		if err != nil || len(sr.phs) != 1 {
			t.Fatalf("%s: %d placeholders, %v", attr, len(sr.phs), err)
		}
		ph := sr.phs[0]
		got := map[bool]string{true: "true", false: "false"}[ph.opts.priority]
		if ph.err != nil {
			got = "error"
			if !strings.Contains(ph.err.Error(), `"`+tt.val+`"`) {
				t.Errorf("%s: the error does not name the value: %v", attr, ph.err)
			}
		}
		if got != tt.want {
			t.Errorf("%s: priority %s (%v), want %s", attr, got, ph.err, tt.want)
		}
	}
}
