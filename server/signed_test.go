package server

import (
	"bytes"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/fotoembed/fotoembed/embed"
	"github.com/fotoembed/fotoembed/fotoweb"
	"github.com/fotoembed/fotoembed/fotoweb/fotowebtest"
	"github.com/fotoembed/fotoembed/urlsig"
)

func TestRedirectDelivery(t *testing.T) {
	e := newEnv(t, envOptions{})
	path, pv := e.signedURL(fotowebtest.LandscapeAsset, 600)
	r := e.get(path)
	wantStatus(t, r, http.StatusFound)
	loc := r.Header.Get("Location")
	if !embed.OnOrigin(loc, e.fake.URL) {
		t.Fatalf("Location %q is not on the FotoWeb origin %s", loc, e.fake.URL)
	}
	u, err := url.Parse(loc)
	must(t, err)
	if u.Query().Get("access_token") == "" {
		t.Errorf("Location %q carries no access_token", loc)
	}
	if cc := r.Header.Get("Cache-Control"); cc != "private, max-age=300" {
		t.Errorf("Cache-Control = %q, want private, max-age=300 (the 5m cap of an 8h token)", cc)
	}

	// Following the redirect gives the bytes the fake serves for that preview.
	res, err := http.Get(e.ts.URL + path)
	must(t, err)
	got, err := io.ReadAll(res.Body)
	res.Body.Close()
	must(t, err)
	if want := e.fakeBytes(pv.Href); !bytes.Equal(got, want) || len(got) == 0 {
		t.Errorf("followed redirect: %d bytes, want the fake's %d bytes", len(got), len(want))
	}

	head := e.do(http.MethodHead, path, nil)
	wantStatus(t, head, http.StatusFound)
}

func TestRedirectCacheControl(t *testing.T) {
	e := newEnv(t, envOptions{})
	now := e.clock.Now()
	access := func(exp time.Time) embed.Target { return embed.Target{Token: embed.URLTokenAccess, Expires: exp} }
	preview := func(exp time.Time) embed.Target { return embed.Target{Token: embed.URLTokenPreview, Expires: exp} }
	tests := []struct {
		name   string
		tg     embed.Target
		urlExp time.Time
		want   string
	}{
		{"unknown expiry", access(time.Time{}), time.Time{}, "private, no-store"},
		{"long-lived token: the configured cap", access(now.Add(8 * time.Hour)), time.Time{}, "private, max-age=300"},
		{"token expiring soon, minus margin", access(now.Add(3 * time.Minute)), time.Time{}, "private, max-age=120"},
		{"token within the margin", access(now.Add(30 * time.Second)), time.Time{}, "private, no-store"},
		{"signed URL expiring first", access(now.Add(8 * time.Hour)), now.Add(90 * time.Second), "private, max-age=90"},
		{"previewToken expiring: its exp minus margin", preview(now.Add(4 * time.Minute)), time.Time{}, "private, max-age=180"},
		{"previewToken of unknown expiry", preview(time.Time{}), time.Time{}, "private, no-store"},
		{"no token: the configured maximum", embed.Target{Token: embed.URLTokenNone}, time.Time{}, "private, max-age=300"},
		{"no token, signed URL expiring first", embed.Target{Token: embed.URLTokenNone}, now.Add(42 * time.Second), "private, max-age=42"},
		{"export URL: public", embed.Target{Token: embed.URLTokenNone, Export: true}, time.Time{}, "public, max-age=300"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := e.srv.redirectCacheControl(tt.tg, tt.urlExp); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// TestSignedErrors covers each error status of the signed route; a path
// that does not verify makes no upstream call.
func TestSignedErrors(t *testing.T) {
	e := newEnv(t, envOptions{fotoweb: func(c *fotoweb.Config) { c.Timeout = 300 * time.Millisecond; c.MaxAttempts = 1 }})
	good, _ := e.signedURL(fotowebtest.LandscapeAsset, 600)
	past := e.clock.Now().Add(-time.Hour)
	missing := "/fotoweb/archives/5001-Photos/Folder%2019/no-such-file.jpg.info"
	tests := []struct {
		name     string
		path     string
		status   int
		upstream bool // may call FotoWeb
	}{
		{"tampered signature", tamper(good), http.StatusForbidden, false},
		{"signature of another path", swapOptions(good, "w1200"), http.StatusForbidden, false},
		{"too few segments", "/i/abc/def", http.StatusBadRequest, false},
		{"too many segments", good + "/x", http.StatusBadRequest, false},
		{"percent-encoded spelling", strings.Replace(good, "/i/", "/i/%41", 1), http.StatusForbidden, false},
		{"expired", e.sign(urlsig.Options{Width: 600, Expires: past}, fotowebtest.LandscapeAsset, ".jpg"), http.StatusGone, false},
		{"rendition in redirect mode", e.sign(urlsig.Options{Rendition: "orig"}, fotowebtest.LandscapeAsset, ""), http.StatusBadRequest, false},
		{"signed junk asset", e.sign(urlsig.Options{}, "/not/an/asset", ""), http.StatusBadRequest, false},
		{"unknown asset", e.sign(urlsig.Options{Width: 600}, missing, ".jpg"), http.StatusNotFound, true},
		{"document without image", e.sign(urlsig.Options{}, fotowebtest.DocumentAsset, ""), http.StatusNotFound, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := e.upstreamCount()
			r := e.get(tt.path)
			wantStatus(t, r, tt.status)
			if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
				t.Errorf("Content-Type %q, want text/plain", ct)
			}
			if !tt.upstream && e.upstreamCount() != before {
				t.Errorf("%d upstream requests for a path that does not verify", e.upstreamCount()-before)
			}
		})
	}

	t.Run("FotoWeb failing", func(t *testing.T) {
		e.fault(fotowebtest.PortraitAsset, fotowebtest.Fault{Status: http.StatusInternalServerError})
		r := e.get(e.sign(urlsig.Options{Width: 400}, fotowebtest.PortraitAsset, ".jpg"))
		wantStatus(t, r, http.StatusBadGateway)
		if strings.Contains(string(r.body), "fotoweb") || strings.Contains(string(r.body), "500") {
			t.Errorf("502 body leaks internal detail: %q", r.body)
		}
	})
	t.Run("FotoWeb timeout", func(t *testing.T) {
		e.fault(fotowebtest.SquareAsset, fotowebtest.Fault{Latency: 2 * time.Second})
		r := e.get(e.sign(urlsig.Options{Width: 400}, fotowebtest.SquareAsset, ".jpg"))
		wantStatus(t, r, http.StatusGatewayTimeout)
	})
}

// tamper changes one character of a signed path's signature.
func tamper(path string) string {
	parts := strings.Split(path, "/")
	sig := []byte(parts[2])
	if sig[0] == 'A' {
		sig[0] = 'B'
	} else {
		sig[0] = 'A'
	}
	parts[2] = string(sig)
	return strings.Join(parts, "/")
}

// swapOptions replaces the options segment, keeping the signature.
func swapOptions(path, opts string) string {
	parts := strings.Split(path, "/")
	parts[3] = opts
	return strings.Join(parts, "/")
}

func TestOnOrigin(t *testing.T) {
	const origin = "https://acme.fotoware.cloud"
	tests := []struct {
		loc  string
		want bool
	}{
		{"https://acme.fotoware.cloud/fotoweb/cache/v2/x.jpg?access_token=t", true},
		{"https://ACME.fotoware.cloud:443/fotoweb/cache/x.jpg", true},
		{"http://acme.fotoware.cloud/x.jpg", false},
		{"https://acme.fotoware.cloud.evil.com/x.jpg", false},
		{"https://acme.fotoware.cloud@evil.com/x.jpg", false},
		{"https://evil.com@acme.fotoware.cloud/x.jpg", false},
		{"//evil.com/x.jpg", false},
		{"/fotoweb/cache/x.jpg", false},
		{"https://acme.fotoware.cloud\\@evil.com/", false},
		{"https://acme.fotoware.cloud/x\r\nSet-Cookie: a=b", false},
		{"javascript:alert(1)", false},
		{"https://acme.fotoware.cloud:8443/x.jpg", false},
	}
	for _, tt := range tests {
		if got := embed.OnOrigin(tt.loc, origin); got != tt.want {
			t.Errorf("OnOrigin(%q) = %v, want %v", tt.loc, got, tt.want)
		}
	}
}
