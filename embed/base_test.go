package embed

import (
	"strings"
	"testing"
)

// TestNormBase: a base URL is an absolute http(s) URL or a root-relative
// path; a bare name or a scheme-relative URL is neither, and errors do
// not echo credentials.
func TestNormBase(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"/", ""},
		{"/img/", "/img"},
		{"https://img.example.com/", "https://img.example.com"},
		{"https://img.example.com/sub//", "https://img.example.com/sub"},
		{"img.example.com", "error"},
		{"relative/path", "error"},
		{"//img.example.com", "error"},
		{"/img?x=1", "error"},
		{"/img#x", "error"},
		{"ftp://img.example.com", "error"},
		{"https://user:hunter2@img.example.com", "error"},
		{"https://img.example.com/?access_token=hunter2", "error"},
	}
	for _, tt := range tests {
		got, err := normBase(tt.in)
		if err != nil {
			got = "error"
			if !strings.Contains(err.Error(), "absolute http(s) URL") && !strings.Contains(err.Error(), "user info, query") {
				t.Errorf("normBase(%q) error %q does not say what is wanted", tt.in, err)
			}
			if strings.Contains(err.Error(), "hunter2") {
				t.Errorf("normBase(%q) error echoes a secret: %v", tt.in, err)
			}
		}
		if got != tt.want {
			t.Errorf("normBase(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
