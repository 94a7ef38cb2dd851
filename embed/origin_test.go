package embed

import (
	"context"
	"errors"
	"strings"
	"testing"

	"golang.org/x/oauth2"

	"github.com/fotoembed/fotoembed/fotoweb"
	"github.com/fotoembed/fotoembed/urlsig"
)

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
		h, err := e.RenderImg(in, Options{Links: LinkDirect})
		if !errors.Is(err, fotoweb.ErrOffOrigin) || strings.Contains(string(h), "SECRET") {
			t.Errorf("direct HTML for %s: %q, %v", href, h, err)
		}
		if tg, err := e.RedirectURL(context.Background(), in, urlsig.Options{}); !errors.Is(err, fotoweb.ErrOffOrigin) {
			t.Errorf("redirect to %s: %+v, %v", href, tg, err)
		}
	}
	on := &Info{Href: "/x.info", Width: 800, Height: 600, Text: Text{Alt: "a"},
		Previews: []Preview{{Size: 800, Width: 800, Height: 600, Href: "https://ACME.fotoware.cloud:443/fotoweb/cache/v2/a.jpg"}}}
	if _, err := e.RenderImg(on, Options{Links: LinkDirect}); err != nil {
		t.Errorf("an absolute href on the origin: %v", err)
	}
}

// TestTargetOnOrigin: a redirect target the Embedder made vouches for
// its own origin, and only for it; any other origin, and any Target not
// made by RedirectURL, gets the full check.
func TestTargetOnOrigin(t *testing.T) {
	const fw = "https://acme.fotoware.cloud"
	e, err := New(Config{Signer: testSigner(t), Origin: fw, Tokens: oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "a b/c+d"})})
	if err != nil {
		t.Fatal(err)
	}
	for _, href := range []string{"/fotoweb/cache/v2/a.jpg", "https://ACME.fotoware.cloud:443/fotoweb/cache/v2/a.jpg"} {
		in := &Info{Href: "/x.info", Width: 800, Height: 600, Text: Text{Alt: "a"},
			Previews: []Preview{{Size: 800, Width: 800, Height: 600, Href: href}}}
		tg, err := e.RedirectURL(context.Background(), in, urlsig.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if !tg.OnOrigin(fw) || !OnOrigin(tg.URL, fw) {
			t.Errorf("%s: target %q not on %s", href, tg.URL, fw)
		}
		if tg.OnOrigin("https://evil.example") {
			t.Errorf("%s: target %q vouches for another origin", href, tg.URL)
		}
	}
	if (Target{URL: "https://evil.example/x.jpg"}).OnOrigin(fw) {
		t.Error("a Target not made by RedirectURL passes unchecked")
	}
}
