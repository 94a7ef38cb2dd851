package rewrite_test

import (
	"strings"
	"testing"

	"github.com/fotoembed/fotoembed/rewrite"
)

// TestParseMode: the mode names, in any case, parse back to their Mode
// and String gives the name back; an unknown one is an error naming the
// value and the choices.
func TestParseMode(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want rewrite.Mode
	}{
		{"signed", rewrite.ModeSigned}, {"", rewrite.ModeSigned}, {"download", rewrite.ModeDownload},
		{" Export ", rewrite.ModeExport},
	} {
		m, err := rewrite.ParseMode(tt.in)
		if err != nil || m != tt.want {
			t.Errorf("ParseMode(%q) = %v, %v; want %v", tt.in, m, err, tt.want)
		}
		if name := strings.ToLower(strings.TrimSpace(tt.in)); name != "" && m.String() != name {
			t.Errorf("%v.String() = %q, want %q", m, m.String(), name)
		}
	}
	_, err := rewrite.ParseMode("teleport")
	if err == nil || !strings.Contains(err.Error(), `rewrite: unknown mode "teleport" (want signed, download or export)`) {
		t.Errorf("ParseMode(teleport): %v", err)
	}
	if s := rewrite.Mode(7).String(); s != "signed" {
		t.Errorf("Mode(7).String() = %q", s)
	}
}
