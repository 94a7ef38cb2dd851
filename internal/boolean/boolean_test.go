package boolean

import (
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	tests := []struct {
		in         string
		want, attr string // "true", "false" or "error"
	}{
		{"1", "true", "true"},
		{"true", "true", "true"},
		{"TRUE", "true", "true"},
		{" Yes ", "true", "true"},
		{"on", "true", "true"},
		{"0", "false", "false"},
		{"False", "false", "false"},
		{"no", "false", "false"},
		{"\tOFF\n", "false", "false"},
		{"", "error", "true"},
		{"  ", "error", "true"},
		{"t", "error", "error"},
		{"f", "error", "error"},
		{"2", "error", "error"},
		{"yes please", "error", "error"},
		{"enabled", "error", "error"},
	}
	show := func(b bool, err error) string {
		if err != nil {
			return "error"
		}
		if b {
			return "true"
		}
		return "false"
	}
	for _, tt := range tests {
		b, err := Parse(tt.in)
		if got := show(b, err); got != tt.want {
			t.Errorf("Parse(%q) = %s (%v), want %s", tt.in, got, err, tt.want)
		}
		if err != nil && !strings.Contains(err.Error(), `"`+tt.in+`"`) {
			t.Errorf("Parse(%q) error does not name the value: %v", tt.in, err)
		}
		if got := show(ParseAttr(tt.in)); got != tt.attr {
			t.Errorf("ParseAttr(%q) = %s, want %s", tt.in, got, tt.attr)
		}
	}
}
