package tokens_test

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/fotoembed/fotoembed/fotoweb/fotowebtest"
	"github.com/fotoembed/fotoembed/fotoweb/tokens"
	"github.com/fotoembed/fotoembed/internal/testutil"
)

// TestConcurrentExpiry: 100 goroutines asking for a token as it expires
// cause exactly one token request, and all get the same new token.
func TestConcurrentExpiry(t *testing.T) {
	for _, kind := range []string{"client_credentials", "refresh_token"} {
		t.Run(kind, func(t *testing.T) {
			clk := testutil.NewClockNow()
			srv, opts, _ := newFake(t, clk, fotowebtest.Options{})
			var src *tokens.Source
			if kind == "client_credentials" {
				src, _ = tokens.ClientCredentials(serviceConfig(srv), opts)
			} else {
				src, _ = tokens.RefreshSource(webConfig(srv), tokens.NewMemoryStore(login(t, webConfig(srv), opts)), opts)
			}
			first, err := src.Token()
			if err != nil {
				t.Fatal(err)
			}
			before := srv.TokenRequests(kind)
			clk.Advance(8*time.Hour + time.Second)

			var wg sync.WaitGroup
			start := make(chan struct{})
			got := make([]*oauth2.Token, 100)
			for i := range got {
				wg.Go(func() {
					<-start
					tok, err := src.Token()
					if err != nil {
						t.Error(err)
					}
					got[i] = tok
				})
			}
			close(start)
			wg.Wait()
			if n := srv.TokenRequests(kind) - before; n != 1 {
				t.Fatalf("%d token requests for 100 callers, want 1", n)
			}
			for _, tok := range got {
				if tok == nil || tok.AccessToken == first.AccessToken || tok.AccessToken != got[0].AccessToken {
					t.Fatal("callers did not all get the one new token")
				}
			}
		})
	}
}

// TestInvalidate: a token FotoWeb rejects (here: revoked) is dropped by
// Invalidate and the next Token fetches a working one; invalidating a
// token that was already replaced fetches nothing.
func TestInvalidate(t *testing.T) {
	clk := testutil.NewClockNow()
	srv, opts, _ := newFake(t, clk, fotowebtest.Options{})
	src, _ := tokens.ClientCredentials(serviceConfig(srv), opts)
	t1, _ := src.Token()
	srv.RevokeTokens()
	if st := apiStatus(t, srv, t1); st != http.StatusUnauthorized {
		t.Fatalf("revoked token: %d", st)
	}
	src.Invalidate(t1)
	t2, err := src.Token()
	if err != nil || t2.AccessToken == t1.AccessToken || srv.TokenRequests("client_credentials") != 2 {
		t.Fatalf("after Invalidate: %v, new token %v, %d requests", err, t2 != nil && t2.AccessToken != t1.AccessToken, srv.TokenRequests(""))
	}
	if st := apiStatus(t, srv, t2); st != http.StatusOK {
		t.Errorf("new token: %d", st)
	}
	// Many callers report the same stale 401.
	for range 5 {
		src.Invalidate(t1)
	}
	src.Invalidate(nil)
	if t3, _ := src.Token(); t3.AccessToken != t2.AccessToken || srv.TokenRequests("client_credentials") != 2 {
		t.Errorf("invalidating a replaced token caused a fetch: %d requests", srv.TokenRequests("client_credentials"))
	}
}

// TestInvalidateRefreshSource: invalidating a user token refreshes it.
func TestInvalidateRefreshSource(t *testing.T) {
	clk := testutil.NewClockNow()
	srv, opts, _ := newFake(t, clk, fotowebtest.Options{})
	store := tokens.NewMemoryStore(login(t, webConfig(srv), opts))
	src, _ := tokens.RefreshSource(webConfig(srv), store, opts)
	t1, _ := src.Token()
	srv.RevokeTokens()
	src.Invalidate(t1)
	t2, err := src.Token()
	if err != nil || t2.AccessToken == t1.AccessToken || srv.TokenRequests("refresh_token") != 1 || apiStatus(t, srv, t2) != http.StatusOK {
		t.Fatalf("after Invalidate: %v (%d refreshes)", err, srv.TokenRequests("refresh_token"))
	}
}

func TestStatic(t *testing.T) {
	src := tokens.Static("fixed")
	src.Invalidate(&oauth2.Token{AccessToken: "fixed"})
	tok, err := src.Token()
	if err != nil || tok.AccessToken != "fixed" || !tok.Expiry.IsZero() || src.Kind() != tokens.KindStatic || src.Kind().String() != "static" {
		t.Errorf("Static: %+v, %v, %v", tok, err, src.Kind())
	}
	if _, err := tokens.Static("").Token(); err == nil {
		t.Error("empty static token handed out")
	}
	if s := src.String(); s != "tokens.Source(static)" {
		t.Errorf("String() = %q", s)
	}
}

// TestTokenContext: a caller whose context ends stops waiting; the fetch
// goes on and serves the next caller without a second request.
func TestTokenContext(t *testing.T) {
	srv, opts, _ := newFake(t, testutil.NewClockNow(), fotowebtest.Options{})
	srv.SetFault("/fotoweb/oauth2/token", fotowebtest.Fault{Latency: 300 * time.Millisecond, Times: 1})
	src, _ := tokens.ClientCredentials(serviceConfig(srv), opts)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, err := src.TokenContext(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("TokenContext with a short deadline: %v", err)
	}
	if _, err := src.Token(); err != nil || srv.TokenRequests("") != 1 {
		t.Fatalf("after the abandoned wait: %v, %d requests", err, srv.TokenRequests(""))
	}
}

// TestInvalidClientStatus401: the other RFC 6749 status for
// invalid_client is handled alike.
func TestInvalidClientStatus401(t *testing.T) {
	srv, opts, _ := newFake(t, testutil.NewClockNow(), fotowebtest.Options{InvalidClientStatus: http.StatusUnauthorized})
	cfg := serviceConfig(srv)
	cfg.ClientSecret = "wrong-secret-value"
	src, _ := tokens.ClientCredentials(cfg, opts)
	_, err := src.Token()
	var te *tokens.Error
	if !errors.As(err, &te) || te.Code != "invalid_client" || te.Status != http.StatusUnauthorized {
		t.Fatalf("err = %v", err)
	}
	assertNoLeak(t, err, cfg.ClientSecret)
}
