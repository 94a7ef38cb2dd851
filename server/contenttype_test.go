package server

import (
	"net/http"
	"strings"
	"testing"

	"github.com/fotoembed/fotoembed/fotoweb"
	"github.com/fotoembed/fotoembed/fotoweb/fotowebtest"
)

func TestServedType(t *testing.T) {
	tests := []struct {
		in   string
		want string // "" for a download
	}{
		{"image/jpeg", "image/jpeg"},
		{"IMAGE/PNG; charset=binary", "image/png"},
		{"video/mp4", "video/mp4"},
		{"image/png, text/html", ""},
		{"image/svg+xml", ""},
		{"text/html", ""},
		{"image/jpeg;", "image/jpeg"},
		{"image/jpeg; x=\"unterminated", ""},
		{"", ""},
		{"application/pdf", ""},
		{"image/", ""},
	}
	for _, tt := range tests {
		got, ok := servedType(tt.in)
		if got != tt.want || ok != (tt.want != "") {
			t.Errorf("servedType(%q) = %q, %v; want %q", tt.in, got, ok, tt.want)
		}
	}
}

// retype rewrites the Content-Type of FotoWeb's preview answers.
type retype struct {
	ct   string
	base http.RoundTripper
}

func (r retype) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := r.base.RoundTrip(req)
	if err == nil && strings.HasPrefix(req.URL.Path, "/fotoweb/cache/") {
		resp.Header.Set("Content-Type", r.ct)
	}
	return resp, err
}

// TestProxyContentType: proxied bytes carry the media type fotoembed
// parsed and allowed, never FotoWeb's header as it came; anything else
// is a download that the browser neither sniffs nor renders.
func TestProxyContentType(t *testing.T) {
	for _, tt := range []struct{ upstream, want, disposition string }{
		{"image/jpeg; q=1", "image/jpeg", ""},
		{"image/png, text/html", "application/octet-stream", "attachment"},
		{"text/html; charset=utf-8", "application/octet-stream", "attachment"},
	} {
		t.Run(tt.upstream, func(t *testing.T) {
			e := newEnv(t, envOptions{
				fotoweb: func(c *fotoweb.Config) {
					c.HTTPClient = &http.Client{Transport: retype{ct: tt.upstream, base: c.HTTPClient.Transport}}
				},
				configure: func(c *Config) { c.Delivery = DeliveryProxy },
			})
			path, _ := e.signedURL(fotowebtest.LandscapeAsset, 400)
			r := e.get(path)
			wantStatus(t, r, http.StatusOK)
			h := r.Header
			if h.Get("Content-Type") != tt.want || h.Get("Content-Disposition") != tt.disposition || h.Get("X-Content-Type-Options") != "nosniff" {
				t.Errorf("upstream %q: Content-Type %q, Content-Disposition %q, nosniff %q", tt.upstream,
					h.Get("Content-Type"), h.Get("Content-Disposition"), h.Get("X-Content-Type-Options"))
			}
		})
	}
}
