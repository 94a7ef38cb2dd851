package server

import (
	"bytes"
	"image/jpeg"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/fotoembed/fotoembed/fotoweb"
	"github.com/fotoembed/fotoembed/fotoweb/fotowebtest"
	"github.com/fotoembed/fotoembed/internal/testutil"
	"github.com/fotoembed/fotoembed/urlsig"
)

// proxyHangGuard bounds the proxy tests' requests and FotoWeb attempts.
// It only guards against hangs: the fake generates the files it serves,
// which under the race detector on a loaded machine can take longer than
// the production timeouts (a 3000 px rendition takes seconds).
const proxyHangGuard = 2 * time.Minute

// proxyEnv is the service in proxy delivery. Proxy mode needs no
// acknowledgement for a client-credentials token.
func proxyEnv(t *testing.T, fake fotowebtest.Options) *env {
	return newEnv(t, envOptions{fake: fake,
		fotoweb: func(c *fotoweb.Config) { c.Timeout = proxyHangGuard },
		configure: func(c *Config) {
			c.Delivery = DeliveryProxy
			c.AllowAdminTokenInURL = false
			c.RequestTimeout = proxyHangGuard
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

// TestProxyRendition: a rendition is fetched through the Rendition
// Request API, with one request for it. The original of a small asset
// keeps the fake's generation short; the timeouts do not depend on it.
func TestProxyRendition(t *testing.T) {
	e := proxyEnv(t, fotowebtest.Options{})
	r := e.get(e.sign(urlsig.Options{Rendition: "orig"}, fotowebtest.SmallAsset, ".jpg"))
	wantStatus(t, r, http.StatusOK)
	if len(r.body) == 0 || r.Header.Get("ETag") == "" {
		t.Errorf("rendition: %d bytes, ETag %q", len(r.body), r.Header.Get("ETag"))
	}
	if c, err := jpeg.DecodeConfig(bytes.NewReader(r.body)); err != nil || c.Width != 640 || c.Height != 480 {
		t.Errorf("rendition: %dx%d (%v), want the 640x480 original", c.Width, c.Height, err)
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

// TestProxyTimeout: FotoWeb not answering within the request timeout is
// a 504, given while FotoWeb still holds the request, which the service
// then abandons (the fake sees its client go away).
func TestProxyTimeout(t *testing.T) {
	e := newEnv(t, envOptions{configure: func(c *Config) {
		c.Delivery = DeliveryProxy
		c.RequestTimeout = 300 * time.Millisecond
	}})
	path, _ := e.signedURL(fotowebtest.LandscapeAsset, 800)
	hold := make(chan struct{})
	t.Cleanup(func() { close(hold) }) // before the fake's Close, which waits for its handlers
	e.fault("/fotoweb/cache/", fotowebtest.Fault{Hang: hold})
	r := e.get(path)
	wantStatus(t, r, http.StatusGatewayTimeout)
	if n := e.fake.CountPrefix("/fotoweb/cache/"); n != 1 {
		t.Errorf("%d preview requests, want 1", n)
	}
	testutil.WaitFor(t, time.Minute, "the service to abandon its request to FotoWeb", func() bool { return e.fake.InFlight() == 0 })
}
