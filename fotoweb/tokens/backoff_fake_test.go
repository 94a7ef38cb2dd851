package tokens_test

import (
	"testing"
	"time"

	"github.com/fotoembed/fotoembed/fotoweb/fotowebtest"
	"github.com/fotoembed/fotoembed/fotoweb/tokens"
	"github.com/fotoembed/fotoembed/internal/testutil"
)

// TestTokenEndpointDownBackoff: while the token endpoint is down and the
// cached token is due but still valid, callers get the cached token and
// the endpoint gets one request per second, not one per call; an
// invalidated token is fetched again at once.
func TestTokenEndpointDownBackoff(t *testing.T) {
	clk := testutil.NewClockNow()
	srv, opts, _ := newFake(t, clk, fotowebtest.Options{})
	src, _ := tokens.ClientCredentials(serviceConfig(srv), opts)
	tok, err := src.Token()
	if err != nil {
		t.Fatal(err)
	}
	srv.SetTokenEndpointDown(true)
	clk.Advance(8*time.Hour - 30*time.Second)
	before := srv.TokenRequests("")
	for range 50 {
		if got, err := src.Token(); err != nil || got.AccessToken != tok.AccessToken {
			t.Fatalf("endpoint down, token due: %v", err)
		}
	}
	if n := srv.TokenRequests("") - before; n != 1 {
		t.Errorf("%d token requests for 50 calls within a second; want 1", n)
	}
	clk.Advance(1100 * time.Millisecond)
	if _, err := src.Token(); err != nil {
		t.Fatal(err)
	}
	if n := srv.TokenRequests("") - before; n != 2 {
		t.Errorf("%d token requests after the back-off; want 2", n)
	}
	srv.SetTokenEndpointDown(false)
	src.Invalidate(tok)
	if got, err := src.Token(); err != nil || got.AccessToken == tok.AccessToken {
		t.Errorf("after Invalidate: %v (same token: %v)", err, got != nil && got.AccessToken == tok.AccessToken)
	}
}
