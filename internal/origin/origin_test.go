package origin

import (
	"net/url"
	"strings"
	"testing"
)

func TestOfAndParse(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://acme.fotoware.cloud", "https://acme.fotoware.cloud"},
		{"https://acme.fotoware.cloud/fotoweb/archives/x.info?q=1#f", "https://acme.fotoware.cloud"},
		{"HTTPS://ACME.Fotoware.Cloud/", "https://acme.fotoware.cloud"},
		{"https://acme.fotoware.cloud:443/x", "https://acme.fotoware.cloud"},
		{"http://acme.fotoware.cloud:80", "http://acme.fotoware.cloud"},
		{"https://acme.fotoware.cloud:80", "https://acme.fotoware.cloud:80"},
		{"http://acme.fotoware.cloud:443", "http://acme.fotoware.cloud:443"},
		{"http://127.0.0.1:8080/x", "http://127.0.0.1:8080"},
		{"http://[::1]:8080/x", "http://[::1]:8080"},
		{"https://[FE80::1]:443/", "https://[fe80::1]"},
		{"http://[::1]", "http://[::1]"},
		// Of ignores user info; Parse refuses it.
		{"https://user:pw@acme.fotoware.cloud/x", ""},
		{"https://acme.fotoware.cloud@evil.example/", ""},
		// Not absolute http(s) URLs.
		{"", ""},
		{"/fotoweb/archives/x.info", ""},
		{"//acme.fotoware.cloud/x", ""},
		{"acme.fotoware.cloud", ""},
		{"ftp://acme.fotoware.cloud", ""},
		{"javascript:alert(1)", ""},
		{"https://", ""},
		{"https://acme.fotoware.cloud:x", ""},
	}
	for _, tt := range tests {
		if got := Parse(tt.in); got != tt.want {
			t.Errorf("Parse(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	u, _ := url.Parse("https://User:pw@ACME.example:443/p")
	if got := Of(u); got != "https://acme.example" {
		t.Errorf("Of(%v) = %q", u, got)
	}
}

func TestOn(t *testing.T) {
	tests := []struct {
		loc, origin string
		want        bool
	}{
		{"https://acme.fotoware.cloud/fotoweb/cache/v2/x.jpg?access_token=t", "https://acme.fotoware.cloud", true},
		{"https://ACME.fotoware.cloud:443/fotoweb/cache/x.jpg", "https://acme.fotoware.cloud", true},
		{"https://acme.fotoware.cloud/x.jpg", "https://ACME.fotoware.cloud:443/", true},
		{"http://127.0.0.1:8081/x%2By", "http://127.0.0.1:8081", true},
		{"http://[::1]:8081/x", "http://[::1]:8081", true},
		{"http://[::1]/x", "http://[::1]:80", true},
		{"https://acme.fotoware.cloud/fotoweb/x", "https://acme.fotoware.cloud/fotoweb", true},
		{"http://acme.fotoware.cloud/x.jpg", "https://acme.fotoware.cloud", false},
		{"https://acme.fotoware.cloud:8443/x.jpg", "https://acme.fotoware.cloud", false},
		{"https://acme.fotoware.cloud.evil.com/x.jpg", "https://acme.fotoware.cloud", false},
		{"https://acme.fotoware.cloud@evil.com/x.jpg", "https://acme.fotoware.cloud", false},
		{"https://evil.com@acme.fotoware.cloud/x.jpg", "https://acme.fotoware.cloud", false},
		{"https://acme.fotoware.cloud\\@evil.com/", "https://acme.fotoware.cloud", false},
		{"https://acme.fotoware.cloud/x\r\nSet-Cookie: a=b", "https://acme.fotoware.cloud", false},
		{"https://acme.fotoware.cloud/x y", "https://acme.fotoware.cloud", false},
		{"https://acme.fotoware.cloud/x%zz", "https://acme.fotoware.cloud", false},
		{"//evil.com/x.jpg", "https://acme.fotoware.cloud", false},
		{"/fotoweb/cache/x.jpg", "https://acme.fotoware.cloud", false},
		{"javascript:alert(1)", "https://acme.fotoware.cloud", false},
		{"ftp://acme.fotoware.cloud/x", "ftp://acme.fotoware.cloud", false},
		{"https://a@acme.fotoware.cloud/x", "https://a@acme.fotoware.cloud", false},
		{"https://acme.fotoware.cloud:x/y", "https://acme.fotoware.cloud:x", false},
		{"https://acme.fotoware.cloud/x", "", false},
	}
	for _, tt := range tests {
		if got := On(tt.loc, tt.origin); got != tt.want {
			t.Errorf("On(%q, %q) = %v, want %v", tt.loc, tt.origin, got, tt.want)
		}
	}
}

func TestBase(t *testing.T) {
	tests := []struct{ in, want, err string }{
		{"https://img.example.com", "https://img.example.com", ""},
		{"https://img.example.com/", "https://img.example.com", ""},
		{"https://img.example.com/images//", "https://img.example.com/images", ""},
		{"http://[::1]:8080/", "http://[::1]:8080", ""},
		{"", "", "not an absolute http(s) URL"},
		{"/images", "", "not an absolute http(s) URL"},
		{"ftp://img.example.com", "", "not an absolute http(s) URL"},
		{"https://user:secret-pw@img.example.com", "", "must not have user info"},
		{"https://img.example.com/?access_token=secret-tok", "", "must not have user info, query"},
		{"https://img.example.com/?", "", "must not have user info, query"},
		{"https://img.example.com/#x", "", "must not have user info, query or fragment"},
	}
	for _, tt := range tests {
		got, u, err := Base(tt.in)
		switch {
		case tt.err == "" && (err != nil || got != tt.want || u == nil):
			t.Errorf("Base(%q) = %q, %v, %v; want %q", tt.in, got, u, err, tt.want)
		case tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)):
			t.Errorf("Base(%q) error %v, want one containing %q", tt.in, err, tt.err)
		case err != nil && strings.Contains(err.Error(), "secret-"):
			t.Errorf("Base(%q) error echoes a secret: %v", tt.in, err)
		}
	}
}

// FuzzOnFast checks On's fast path: whatever it accepts, the full check
// accepts too, whatever the origin.
func FuzzOnFast(f *testing.F) {
	f.Add("http://127.0.0.1:8081/fotoweb/cache/v2/a/b.jpg?access_token=x%2By", "http://127.0.0.1:8081")
	f.Add("https://acme.fotoware.cloud/x%zz", "https://acme.fotoware.cloud")
	f.Add("http://[fe80::1%25en0]:80/x", "http://[fe80::1%en0]:80")
	f.Add("http://a.example/\\evil", "http://a.example")
	f.Add("https://a.example:443/x#%41", "https://a.example:443")
	f.Add("https://a.example:x/y", "https://a.example:x")
	f.Fuzz(func(t *testing.T, loc, origin string) {
		if onFast(loc, origin) && !onFull(loc, origin) {
			t.Fatalf("onFast(%q, %q) accepts what the full check refuses", loc, origin)
		}
	})
}

// FuzzCleanPath checks the cheap check the Embedder makes of a preview
// href: a clean path on a plain origin, with an escaped query after it,
// is on that origin by the full check.
func FuzzCleanPath(f *testing.F) {
	f.Add("https://acme.fotoware.cloud", "/fotoweb/cache/v2/a.jpg", "access_token=x+y/z")
	f.Add("http://127.0.0.1:8081", "//evil.example/x", "")
	f.Add("https://a.example", "/x%2", "t")
	f.Add("https://a.example", "/\\evil", "t")
	f.Add("HTTPS://A.example", "/x?y=1#f", "t")
	f.Fuzz(func(t *testing.T, origin, path, token string) {
		if !Plain(origin) || !CleanPath(path) {
			return
		}
		loc := origin + path + "?access_token=" + url.QueryEscape(token)
		if !onFull(loc, origin) {
			t.Fatalf("%q on plain origin %q: the full check refuses it", loc, origin)
		}
	})
}

// TestCleanPath: what a preview href must be for the cheap check.
func TestCleanPath(t *testing.T) {
	for p, want := range map[string]bool{
		"/fotoweb/cache/v2/a.jpg": true, "/a%20b": true, "//x.example/y": true, "/": true,
		"": false, "x/y": false, "https://evil.example/": false, "/a b": false, "/a\tb": false,
		"/a\\b": false, "/a%2": false, "/a%zz": false, "/a\x7f": false, "/a\x00": false,
	} {
		if got := CleanPath(p); got != want {
			t.Errorf("CleanPath(%q) = %v, want %v", p, got, want)
		}
	}
}
