package embed

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/fotoembed/fotoembed/fotoweb/fotowebtest"
	"github.com/fotoembed/fotoembed/internal/testutil"
	"github.com/fotoembed/fotoembed/urlsig"
)

// getImage GETs u and fails unless FotoWeb answers 200 image/jpeg.
func getImage(t *testing.T, u string) {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); resp.StatusCode != http.StatusOK || !strings.HasPrefix(ct, "image/jpeg") {
		t.Fatalf("GET preview: %d %s", resp.StatusCode, ct)
	}
}

// tokenOf returns the access_token parameter of u.
func tokenOf(t *testing.T, u string) string {
	t.Helper()
	p, err := url.Parse(u)
	if err != nil {
		t.Fatal(err)
	}
	return p.Query().Get("access_token")
}

// TestRedirectCarriesCurrentToken checks that the redirect URL carries the
// token current at that moment, also after FotoWeb rotated tokens.
func TestRedirectCarriesCurrentToken(t *testing.T) {
	v := newEnv(t, ResolverConfig{})
	ctx := context.Background()
	signed, err := v.emb.URL(ctx, landscapeRef, Options{Width: 600})
	if err != nil {
		t.Fatal(err)
	}
	parsed, err := testSigner(t).Verify(strings.TrimPrefix(signed, "https://img.example.com"), v.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	if parsed.Options != (urlsig.Options{Width: 600}) {
		t.Fatalf("signed options %+v", parsed.Options)
	}

	t1, err := v.emb.Redirect(ctx, parsed, false)
	if err != nil {
		t.Fatal(err)
	}
	u1, exp1 := t1.URL, t1.Expires
	old := tokenOf(t, u1)
	if old == "" || exp1.IsZero() {
		t.Fatalf("redirect %s, expiry %v", u1, exp1)
	}
	getImage(t, u1)

	// FotoWeb revokes every token. The client meets a 401 on its next
	// call, invalidates the token and fetches a new one.
	v.fake.RevokeTokens()
	if _, err := v.res.Resolve(ctx, fotowebtest.PortraitAsset); err != nil {
		t.Fatal(err)
	}
	t2, err := v.emb.Redirect(ctx, parsed, false)
	if err != nil {
		t.Fatal(err)
	}
	u2 := t2.URL
	cur, err := v.tokens.Token()
	if err != nil {
		t.Fatal(err)
	}
	if got := tokenOf(t, u2); got == old || got != cur.AccessToken {
		t.Fatalf("redirect token is not the current one (old %v, current %v)", got == old, got == cur.AccessToken)
	}
	getImage(t, u2)

	// The cached Info was made before the rotation and still serves: no
	// URL with a token was stored in it.
	if v.fake.Count(landscapeRef) != 1 {
		t.Errorf("asset fetched %d times", v.fake.Count(landscapeRef))
	}
}

// TestDirectDeliveryUsesLiveToken renders direct HTML before and after a
// token rotation and fetches the src each time.
func TestDirectDeliveryUsesLiveToken(t *testing.T) {
	v := newEnv(t, ResolverConfig{})
	ctx := context.Background()
	src := func() string {
		h, err := v.emb.Img(ctx, landscapeRef, Options{Width: 300, Links: LinkDirect})
		if err != nil {
			t.Fatal(err)
		}
		s, _ := attrOf(assertOneImg(t, string(h)), "src")
		return s
	}
	s1 := src()
	if !strings.HasPrefix(s1, v.fake.URL+"/fotoweb/") {
		t.Fatalf("src %s is not on FotoWeb", s1)
	}
	getImage(t, s1)
	v.fake.RevokeTokens()
	if _, err := v.res.Resolve(ctx, fotowebtest.SquareAsset); err != nil { // client renews its token
		t.Fatal(err)
	}
	s2 := src()
	if tokenOf(t, s2) == tokenOf(t, s1) {
		t.Fatal("direct src still carries the revoked token")
	}
	getImage(t, s2)
}

// TestRedirectTokenWaitEndsWithRequest: a redirect whose request ends
// while the token source is fetching a token returns at once with the
// context's error (an ErrToken), and asks the token endpoint nothing more.
func TestRedirectTokenWaitEndsWithRequest(t *testing.T) {
	const tokenPath = "/fotoweb/oauth2/token"
	v := newEnv(t, ResolverConfig{})
	in, err := v.res.Resolve(context.Background(), landscapeRef)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := v.tokens.Token()
	if err != nil {
		t.Fatal(err)
	}
	hang := make(chan struct{})
	t.Cleanup(func() { close(hang) }) // before the fake closes
	v.fake.SetFault(tokenPath, fotowebtest.Fault{Hang: hang})
	v.tokens.Invalidate(tok) // the next token call fetches one
	before := v.fake.Count(tokenPath)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := v.emb.RedirectURL(ctx, in, urlsig.Options{Width: 400})
		done <- err
	}()
	testutil.WaitFor(t, 10*time.Second, "the token request to reach FotoWeb", func() bool { return v.fake.Count(tokenPath) == before+1 })
	cancel()
	select {
	case err = <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("RedirectURL still waits for the token after its context ended")
	}
	if !errors.Is(err, ErrToken) || !errors.Is(err, context.Canceled) {
		t.Errorf("RedirectURL: %v, want ErrToken and context.Canceled", err)
	}
	if n := v.fake.Count(tokenPath) - before; n != 1 {
		t.Errorf("%d token requests, want 1", n)
	}
}
