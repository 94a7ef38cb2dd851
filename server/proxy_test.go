package server

import (
	"bytes"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/fotoembed/fotoembed/fotoweb/fotowebtest"
	"github.com/fotoembed/fotoembed/urlsig"
)

// proxyEnv is the service in proxy delivery. Proxy mode needs no
// acknowledgement for a client-credentials token.
func proxyEnv(t *testing.T, fake fotowebtest.Options) *env {
	return newEnv(t, envOptions{fake: fake, configure: func(c *Config) {
		c.Delivery = DeliveryProxy
		c.AllowAdminTokenInURL = false
	}})
}

func TestProxyDelivery(t *testing.T) {
	e := proxyEnv(t, fotowebtest.Options{})
	path, pv := e.signedURL(fotowebtest.LandscapeAsset, 800)
	r := e.get(path)
	wantStatus(t, r, http.StatusOK)
	want := e.fakeBytes(pv.Href)
	if !bytes.Equal(r.body, want) || len(want) == 0 {
		t.Fatalf("proxied %d bytes, want the fake's %d bytes", len(r.body), len(want))
	}
	if ct := r.Header.Get("Content-Type"); ct != "image/jpeg" {
		t.Errorf("Content-Type %q, want image/jpeg", ct)
	}
	if cl := r.Header.Get("Content-Length"); cl != strconv.Itoa(len(want)) {
		t.Errorf("Content-Length %q, want %d", cl, len(want))
	}
	if cc := r.Header.Get("Cache-Control"); cc != "public, max-age=3600" {
		t.Errorf("Cache-Control %q", cc)
	}
	etag := r.Header.Get("ETag")
	if !strings.HasPrefix(etag, `"`) || len(etag) < 10 {
		t.Errorf("ETag %q is not a strong ETag", etag)
	}
	tok, err := e.tokens.Token()
	must(t, err)
	for k, vs := range r.Header {
		for _, v := range vs {
			if strings.Contains(v, tok.AccessToken) || strings.Contains(strings.ToLower(v), "access_token") {
				t.Errorf("header %s carries the token: %q", k, v)
			}
		}
	}

	t.Run("304 without upstream call", func(t *testing.T) {
		before := e.upstreamCount()
		r := e.get(path, "If-None-Match", `"other", `+etag)
		wantStatus(t, r, http.StatusNotModified)
		if len(r.body) != 0 || r.Header.Get("ETag") != etag {
			t.Errorf("304: body %d bytes, ETag %q", len(r.body), r.Header.Get("ETag"))
		}
		if n := e.upstreamCount() - before; n != 0 {
			t.Errorf("%d upstream requests for a 304", n)
		}
	})
	t.Run("HEAD", func(t *testing.T) {
		r := e.do(http.MethodHead, path, nil)
		wantStatus(t, r, http.StatusOK)
		if len(r.body) != 0 || r.Header.Get("Content-Length") != strconv.Itoa(len(want)) || r.Header.Get("ETag") != etag {
			t.Errorf("HEAD: body %d bytes, headers %v", len(r.body), r.Header)
		}
	})
}

func TestProxyRendition(t *testing.T) {
	e := proxyEnv(t, fotowebtest.Options{})
	r := e.get(e.sign(urlsig.Options{Rendition: "orig"}, fotowebtest.LandscapeAsset, ".jpg"))
	wantStatus(t, r, http.StatusOK)
	if len(r.body) == 0 || r.Header.Get("ETag") == "" {
		t.Errorf("rendition: %d bytes, ETag %q", len(r.body), r.Header.Get("ETag"))
	}
	if n := e.fake.CountPrefix("/fotoweb/services/renditions"); n != 1 {
		t.Errorf("%d rendition requests, want 1", n)
	}
	r = e.get(e.sign(urlsig.Options{Rendition: "nosuchprofile"}, fotowebtest.LandscapeAsset, ""))
	wantStatus(t, r, http.StatusNotFound)
}

// TestProxyPreviewToken: a FotoWeb that accepts only the asset's
// previewToken for previews is served through the fallback.
func TestProxyPreviewToken(t *testing.T) {
	e := proxyEnv(t, fotowebtest.Options{PreviewAuth: fotowebtest.PreviewAuthPreviewToken})
	path, _ := e.signedURL(fotowebtest.PortraitAsset, 400)
	r := e.get(path)
	wantStatus(t, r, http.StatusOK)
	if len(r.body) == 0 || r.Header.Get("Content-Type") != "image/jpeg" {
		t.Errorf("got %d bytes of %q", len(r.body), r.Header.Get("Content-Type"))
	}
}

func TestProxyUpstreamFailure(t *testing.T) {
	e := proxyEnv(t, fotowebtest.Options{})
	path, _ := e.signedURL(fotowebtest.LandscapeAsset, 800)
	e.fault("/fotoweb/cache/", fotowebtest.Fault{Status: http.StatusServiceUnavailable})
	r := e.get(path)
	wantStatus(t, r, http.StatusBadGateway)
	for _, h := range []string{"ETag", "Last-Modified"} {
		if r.Header.Get(h) != "" {
			t.Errorf("error response keeps %s %q", h, r.Header.Get(h))
		}
	}
	if cc := r.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("error Cache-Control %q, want no-store", cc)
	}
}

// TestProxyTimeout: FotoWeb answering too slowly is a 504.
func TestProxyTimeout(t *testing.T) {
	e := newEnv(t, envOptions{configure: func(c *Config) {
		c.Delivery = DeliveryProxy
		c.RequestTimeout = 300 * time.Millisecond
	}})
	path, _ := e.signedURL(fotowebtest.LandscapeAsset, 800)
	e.fault("/fotoweb/cache/", fotowebtest.Fault{Latency: 3 * time.Second})
	start := time.Now()
	r := e.get(path)
	wantStatus(t, r, http.StatusGatewayTimeout)
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("504 after %v, want about the 300ms request timeout", d)
	}
}
