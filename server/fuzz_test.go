package server

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/fotoembed/fotoembed/embed"
	"github.com/fotoembed/fotoembed/fotoweb/fotowebtest"
	"github.com/fotoembed/fotoembed/urlsig"
)

// FuzzSignedPathRedirect checks that no input makes the service redirect
// anywhere but the FotoWeb origin: neither an arbitrary path, nor a
// correctly signed path for an arbitrary asset reference (as if the
// signing key had signed anything at all).
func FuzzSignedPathRedirect(f *testing.F) {
	f.Add("/i/abc/w600/xyz.jpg", fotowebtest.LandscapeAsset)
	f.Add("//evil.example/", "https://evil.example/fotoweb/archives/5001-Photos/a.jpg.info")
	f.Add("/i/%2F%2Fevil.example/_/x", "//evil.example/fotoweb/archives/5001-Photos/a.jpg.info")
	f.Add("/i/../../evil", "/fotoweb/archives/5001-Photos/../../x.info")
	f.Add("/i/\\evil.example/_/x", "http://127.0.0.1:1/fotoweb/archives/5001-Photos/a.jpg.info")
	f.Add("/p/x", "/fotoweb/archives/5001-Photos/Folder%2019/harbour.jpg.info?access_token=x#y")
	e := newEnv(f, envOptions{})
	f.Fuzz(func(ft *testing.T, path, href string) {
		if !strings.HasPrefix(path, "/") {
			path = "/" + path
		}
		checkNoOpenRedirect(ft, e, path)
		if p, err := e.signer.SignPath(urlsig.Options{Width: 600}, href, ""); err == nil {
			checkNoOpenRedirect(ft, e, p)
		}
	})
}

// checkNoOpenRedirect serves path and fails on a 3xx whose Location is
// not on the FotoWeb origin.
func checkNoOpenRedirect(t *testing.T, e *env, path string) {
	req, err := http.NewRequest(http.MethodGet, "http://fotoembed.test"+path, nil)
	if err != nil {
		return
	}
	rec := httptest.NewRecorder()
	e.srv.Handler().ServeHTTP(rec, req)
	if rec.Code >= 300 && rec.Code < 400 {
		if loc := rec.Header().Get("Location"); !embed.OnOrigin(loc, e.fake.URL) {
			t.Fatalf("path %q: %d to %q, not on the FotoWeb origin %s", path, rec.Code, loc, e.fake.URL)
		}
	}
}
