package embed

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/fotoembed/fotoembed/urlsig"
)

func TestFotoWebURL(t *testing.T) {
	e := testEmbedder(t)
	tests := []struct{ href, want string }{
		{"/fotoweb/cache/v2/a.jpg", "https://acme.fotoware.cloud/fotoweb/cache/v2/a.jpg?access_token=a%2Bb%26c%3Dd"},
		{"/fotoweb/cache/v2/a.jpg?sig=x&v=1", "https://acme.fotoware.cloud/fotoweb/cache/v2/a.jpg?sig=x&v=1&access_token=a%2Bb%26c%3Dd"},
		{"/p?", "https://acme.fotoware.cloud/p?access_token=a%2Bb%26c%3Dd"},
		{"/p#frag", "https://acme.fotoware.cloud/p?access_token=a%2Bb%26c%3Dd#frag"},
		{"https://cdn.example.com/p.jpg?x=1", "https://cdn.example.com/p.jpg?x=1&access_token=a%2Bb%26c%3Dd"},
	}
	for _, tt := range tests {
		got := e.FotoWebURL(Preview{Href: tt.href}, "a+b&c=d")
		if got != tt.want {
			t.Errorf("%s: got %s, want %s", tt.href, got, tt.want)
		}
		u, err := url.Parse(got)
		if err != nil || u.Query().Get("access_token") != "a+b&c=d" {
			t.Errorf("%s: access_token does not decode back: %v %v", got, u, err)
		}
	}
}

func TestRedirectURL(t *testing.T) {
	exp := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	e, err := New(Config{Signer: testSigner(t), Origin: "https://acme.fotoware.cloud/",
		Tokens: oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "T1", Expiry: exp})})
	if err != nil {
		t.Fatal(err)
	}
	in := info(portrait())
	for _, i := range in.Candidates(nil, false, 0) {
		p := in.Previews[i]
		path, err := e.SignedURL(in, i, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		parsed, err := testSigner(t).Verify(path, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if parsed.Asset != in.Href || parsed.Ext != ".jpg" {
			t.Errorf("parsed %+v", parsed)
		}
		tg, err := e.RedirectURL(context.Background(), in, parsed.Options)
		if err != nil {
			t.Fatal(err)
		}
		if want := "https://acme.fotoware.cloud" + p.Href + "?access_token=T1"; tg.URL != want || !tg.Expires.Equal(exp) || tg.Token != URLTokenAccess {
			t.Errorf("got %+v, want %s %v", tg, want, exp)
		}
	}
	if _, err := e.RedirectURL(context.Background(), in, urlsig.Options{Rendition: "orig"}); !errors.Is(err, ErrRenditionOption) {
		t.Errorf("rendition: %v", err)
	}
}

func TestTokenErrors(t *testing.T) {
	e, err := New(Config{Signer: testSigner(t)})
	if err != nil {
		t.Fatal(err)
	}
	in := info(landscape())
	if _, err := e.RedirectURL(context.Background(), in, urlsig.Options{}); !errors.Is(err, ErrToken) {
		t.Errorf("no token source: %v", err)
	}
	if _, err := e.RenderImg(in, Options{Links: LinkDirect}); !errors.Is(err, ErrToken) {
		t.Errorf("direct without token source: %v", err)
	}
	failing := oauth2.TokenSource(failingSource{})
	e, _ = New(Config{Signer: testSigner(t), Origin: "https://a.example", Tokens: failing})
	if _, err := e.RedirectURL(context.Background(), in, urlsig.Options{}); !errors.Is(err, ErrToken) {
		t.Errorf("failing token source: %v", err)
	}
}

type failingSource struct{}

func (failingSource) Token() (*oauth2.Token, error) { return nil, errors.New("token endpoint down") }

func TestNewConfigErrors(t *testing.T) {
	_, err := New(Config{BaseURL: "ftp://x?y", Origin: "relative", Links: LinkDirect})
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{"BaseURL", "Origin", "direct delivery needs"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
	if _, err := New(Config{}); err == nil {
		t.Error("signed delivery without a signer accepted")
	}
}

func TestExpiresInRoundsUp(t *testing.T) {
	now := time.Date(2030, 1, 1, 10, 0, 30, 0, time.UTC)
	e, _ := New(Config{Signer: testSigner(t), Now: func() time.Time { return now }})
	in := info(landscape())
	u, err := e.SrcURL(in, Options{Width: 300, ExpiresIn: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	p, err := testSigner(t).Verify(u, now)
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2030, 1, 1, 11, 1, 0, 0, time.UTC); !p.Options.Expires.Equal(want) {
		t.Errorf("expires %v, want %v", p.Options.Expires, want)
	}
	if _, err := testSigner(t).Verify(u, now.Add(2*time.Hour)); !errors.Is(err, urlsig.ErrExpired) {
		t.Errorf("verify after expiry: %v", err)
	}
}
