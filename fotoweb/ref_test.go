package fotoweb

import (
	"errors"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"
)

func mustURL(t testing.TB, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestParseAssetRef(t *testing.T) {
	origin := mustURL(t, "https://acme.fotoware.cloud")
	const want = "/fotoweb/archives/5000-All-files/Folder%2019/harbour.jpg.info"
	ok := []struct{ in, want string }{
		{want, want},
		{"/fotoweb/archives/5000-All-files/Folder 19/harbour.jpg.info", want},
		{"/fotoweb/archives/5000-All-files/Folder%2019/harbour%2Ejpg.info", want},
		{"/fotoweb/archives/5000-All-files/Folder%2019/harbour.jpg.info?access_token=eyJabc", want},
		{"/fotoweb/archives/5000-All-files/Folder%2019/harbour.jpg.info#frag", want},
		{"  " + want + "\t", want},
		{"https://acme.fotoware.cloud" + want, want},
		{"https://ACME.fotoware.cloud:443" + want, want},
		{"HTTPS://acme.fotoware.cloud" + want + "?x=1#y", want},
		{"/fotoweb/archives/5000/a b/Nadelgehölz.jpg.info", "/fotoweb/archives/5000/a%20b/Nadelgeh%C3%B6lz.jpg.info"},
		{"/fotoweb/archives/5000/a%c3%b6.jpg.info", "/fotoweb/archives/5000/a%C3%B6.jpg.info"},
		{"/fotoweb/archives/5000/(1)&'+,;=@.jpg.info", "/fotoweb/archives/5000/%281%29%26%27%2B%2C%3B%3D%40.jpg.info"},
		{"/fotoweb/archives/5000/x~y_z-1.info", "/fotoweb/archives/5000/x~y_z-1.info"},
	}
	for _, tc := range ok {
		got, err := ParseAssetRef(origin, tc.in)
		if err != nil || got != tc.want {
			t.Errorf("ParseAssetRef(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
	bad := []struct{ in, why string }{
		{"", "empty"},
		{"   ", "empty"},
		{"harbour.jpg.info", "neither"},
		{"/fotoweb/archives/5000/harbour.jpg", "does not end"},
		{"/fotoweb/archives/5000/harbour.jpg.info/", "empty path segment"},
		{"/fotoweb/archives/5000/.info", "does not end"},
		{"/fotoweb/archives/harbour.jpg.info", "no archive"},
		{"/fotoweb/albums/5000/harbour.jpg.info", "does not start"},
		{"/Fotoweb/archives/5000/harbour.jpg.info", "does not start"},
		{"/fotoweb/archives/5000/../../me/x.info", "dot segment"},
		{"/fotoweb/archives/5000/%2e%2e/x.info", "dot segment"},
		{"/fotoweb/archives/5000/./x.info", "dot segment"},
		{"/fotoweb/archives/5000//x.info", "empty path segment"},
		{"/fotoweb/archives/5000/a%2Fb/x.info", "encoded slash"},
		{"/fotoweb/archives/5000/a%5Cb/x.info", "encoded slash"},
		{`/fotoweb/archives/5000/a\b/x.info`, "backslash"},
		{"/fotoweb/archives/5000/a%zz/x.info", "percent-encoding"},
		{"/fotoweb/archives/5000/100%/x.info", "percent-encoding"},
		{"/fotoweb/archives/5000/a%00/x.info", "control"},
		{"/fotoweb/archives/5000/a\x00/x.info", "control"},
		{"/fotoweb/archives/5000/a\n/x.info", "control"},
		{"/fotoweb/archives/5000/%ff.info", "UTF-8"},
		{"/fotoweb/archives/5000/\xff.info", "UTF-8"},
		{"//evil.example/fotoweb/archives/5000/x.info", "scheme-relative"},
		{"https://evil.example/fotoweb/archives/5000/x.info", "not on"},
		{"http://acme.fotoware.cloud/fotoweb/archives/5000/x.info", "not on"},
		{"https://acme.fotoware.cloud:8443/fotoweb/archives/5000/x.info", "not on"},
		{"https://user:pw@acme.fotoware.cloud/fotoweb/archives/5000/x.info", "user info"},
		{"https://acme.fotoware.cloud@evil.example/fotoweb/archives/5000/x.info", "user info"},
		{"javascript:alert(1)", "neither"},
		{"ftp://acme.fotoware.cloud/fotoweb/archives/5000/x.info", "scheme"},
		{"https://acme.fotoware.cloud", "empty path segment"},
		{"/fotoweb/archives/5000/" + strings.Repeat("a", 3000) + ".info", "longer than"},
		{strings.Repeat("/", maxRefInput+1), "longer than"},
	}
	for _, tc := range bad {
		got, err := ParseAssetRef(origin, tc.in)
		if err == nil {
			t.Errorf("ParseAssetRef(%q) = %q, want error", tc.in, got)
			continue
		}
		if !errors.Is(err, ErrBadRef) {
			t.Errorf("ParseAssetRef(%q): %v does not wrap ErrBadRef", tc.in, err)
		}
		if !strings.Contains(err.Error(), tc.why) || !strings.HasPrefix(err.Error(), "fotoweb: ") {
			t.Errorf("ParseAssetRef(%q) error %q does not say %q", tc.in, err, tc.why)
		}
		if len(err.Error()) > 400 {
			t.Errorf("ParseAssetRef(%q) error too long: %d bytes", tc.in, len(err.Error()))
		}
	}
}

func TestParseAssetRefOffOrigin(t *testing.T) {
	_, err := ParseAssetRef(mustURL(t, "https://acme.fotoware.cloud"), "https://evil.example/fotoweb/archives/5000/x.info")
	if !errors.Is(err, ErrOffOrigin) || !errors.Is(err, ErrBadRef) {
		t.Fatalf("err = %v, want ErrOffOrigin and ErrBadRef", err)
	}
	if _, err := ParseAssetRef(nil, "https://acme.fotoware.cloud/fotoweb/archives/5000/x.info"); !errors.Is(err, ErrOffOrigin) {
		t.Fatalf("nil origin: err = %v, want ErrOffOrigin", err)
	}
	// Default ports: http://h:80 == http://h.
	got, err := ParseAssetRef(mustURL(t, "http://127.0.0.1"), "http://127.0.0.1:80/fotoweb/archives/5000/x.info")
	if err != nil || got != "/fotoweb/archives/5000/x.info" {
		t.Fatalf("default port: %q, %v", got, err)
	}
	got, err = ParseAssetRef(mustURL(t, "http://[::1]:8080"), "http://[::1]:8080/fotoweb/archives/5000/x.info")
	if err != nil || got != "/fotoweb/archives/5000/x.info" {
		t.Fatalf("IPv6: %q, %v", got, err)
	}
}

func TestParseAssetRefRedactsToken(t *testing.T) {
	const tok = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJlc2lnbmF0dXJl"
	_, err := ParseAssetRef(mustURL(t, "https://a.example"), "https://b.example/x?access_token="+tok)
	if err == nil || strings.Contains(err.Error(), tok) || strings.Contains(err.Error(), "c2lnbmF0dXJl") {
		t.Fatalf("error leaks the token: %v", err)
	}
}

func FuzzParseAssetRef(f *testing.F) {
	origin, _ := url.Parse("https://acme.fotoware.cloud:8443")
	for _, s := range []string{
		"/fotoweb/archives/5000-All-files/Folder%2019/harbour.jpg.info",
		"/fotoweb/archives/5000-All-files/Folder 19/harbour.jpg.info",
		"https://acme.fotoware.cloud:8443/fotoweb/archives/5000/a%2Fb.info?q#f",
		"/fotoweb/archives/5000/%2e%2e/x.info",
		"/fotoweb/archives/5000/Nadelgehölz.jpg.info",
		"//x/fotoweb/archives/1/2.info",
		"/fotoweb/archives/5000/a%ZZ.info",
		"HTTPS://ACME.fotoware.cloud:8443/fotoweb/archives/1/%7e.info",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, ref string) {
		out, err := ParseAssetRef(origin, ref)
		if err != nil {
			if !errors.Is(err, ErrBadRef) {
				t.Fatalf("error does not wrap ErrBadRef: %v", err)
			}
			if out != "" {
				t.Fatalf("output %q with error", out)
			}
			return
		}
		if !strings.HasPrefix(out, assetPrefix) || !strings.HasSuffix(out, assetSuffix) {
			t.Fatalf("output %q lacks prefix or suffix", out)
		}
		if strings.ContainsAny(out, "?#\\ ") || strings.Contains(out, "//") || len(out) > maxRefPath || !utf8.ValidString(out) {
			t.Fatalf("output %q is not canonical", out)
		}
		for _, seg := range strings.Split(out, "/")[1:] {
			if seg == "" || seg == "." || seg == ".." {
				t.Fatalf("output %q has segment %q", out, seg)
			}
		}
		again, err := ParseAssetRef(origin, out)
		if err != nil || again != out {
			t.Fatalf("not idempotent: %q -> %q, %v", out, again, err)
		}
		abs, err := ParseAssetRef(origin, "https://acme.fotoware.cloud:8443"+out)
		if err != nil || abs != out {
			t.Fatalf("absolute form differs: %q -> %q, %v", out, abs, err)
		}
		if u, err := url.Parse(out); err != nil || u.RawQuery != "" || u.EscapedPath() != out {
			t.Fatalf("output %q does not parse as the same path: %v", out, err)
		}
	})
}
