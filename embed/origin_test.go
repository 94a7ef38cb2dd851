package embed

import (
	"errors"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/oauth2"

	"github.com/fotoembed/fotoembed/fotoweb"
	"github.com/fotoembed/fotoembed/urlsig"
)

// normOrigin returns scheme://host of an absolute URL in lower case, or "".
func normOrigin(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return ""
	}
	return strings.ToLower(u.Scheme) + "://" + strings.ToLower(u.Host)
}

// FuzzOnOriginFast checks OnOrigin's fast path: whatever it accepts,
// the full check accepts too.
func FuzzOnOriginFast(f *testing.F) {
	f.Add("http://127.0.0.1:8081/fotoweb/cache/v2/a/b.jpg?access_token=x%2By", "http://127.0.0.1:8081")
	f.Add("https://acme.fotoware.cloud/x%zz", "https://acme.fotoware.cloud")
	f.Add("http://[fe80::1%25en0]:80/x", "http://[fe80::1%en0]:80")
	f.Add("http://a.example/\\evil", "http://a.example")
	f.Add("https://a.example:443/x#%41", "https://a.example:443")
	f.Fuzz(func(t *testing.T, loc, origin string) {
		origin = normOrigin(origin)
		if onOriginFast(loc, origin) && !onOriginFull(loc, origin) {
			t.Fatalf("onOriginFast(%q, %q) accepts what the full check refuses", loc, origin)
		}
	})
}

// TestDirectOffOrigin: a preview href leading off the FotoWeb origin (an
// absolute URL of another host, a protocol-relative one) never gets a
// token: direct HTML and redirects refuse it in the same check.
func TestDirectOffOrigin(t *testing.T) {
	e, err := New(Config{Signer: testSigner(t), Origin: "https://acme.fotoware.cloud", Tokens: oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "SECRET"})})
	if err != nil {
		t.Fatal(err)
	}
	for _, href := range []string{"https://evil.example/x.jpg", "http://acme.fotoware.cloud.evil.example/x.jpg", "https://user@acme.fotoware.cloud/x.jpg"} {
		in := &Info{Href: "/fotoweb/archives/5001-Photos/a.jpg.info", Width: 800, Height: 600, Text: Text{Alt: "a"},
			Previews: []Preview{{Size: 800, Width: 800, Height: 600, Href: href}}}
		h, err := e.RenderImg(in, Options{Delivery: DeliveryDirect})
		if !errors.Is(err, fotoweb.ErrOffOrigin) || strings.Contains(string(h), "SECRET") {
			t.Errorf("direct HTML for %s: %q, %v", href, h, err)
		}
		if tg, err := e.RedirectURL(in, urlsig.Options{}); !errors.Is(err, fotoweb.ErrOffOrigin) {
			t.Errorf("redirect to %s: %+v, %v", href, tg, err)
		}
	}
	on := &Info{Href: "/x.info", Width: 800, Height: 600, Text: Text{Alt: "a"},
		Previews: []Preview{{Size: 800, Width: 800, Height: 600, Href: "https://ACME.fotoware.cloud:443/fotoweb/cache/v2/a.jpg"}}}
	if _, err := e.RenderImg(on, Options{Delivery: DeliveryDirect}); err != nil {
		t.Errorf("an absolute href on the origin: %v", err)
	}
}
