package fotoweb

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/fotoembed/fotoembed/fotoweb/fotowebtest"
	"github.com/fotoembed/fotoembed/fotoweb/tokens"
	"github.com/fotoembed/fotoembed/internal/testutil"
)

// tokenPath is the fake's token endpoint.
const tokenPath = "/fotoweb/oauth2/token"

// TestTokenWaitEndsWithRequest: a request whose context ends while the
// token source is fetching a token returns the context's error at once
// (not counted as FotoWeb unavailable) and sends nothing more to FotoWeb:
// no asset request, no other token request.
func TestTokenWaitEndsWithRequest(t *testing.T) {
	fake := fotowebtest.NewServer(fotowebtest.Options{})
	t.Cleanup(fake.Close)
	hang := make(chan struct{})
	t.Cleanup(func() { close(hang) }) // before the fake closes
	fake.SetFault(tokenPath, fotowebtest.Fault{Hang: hang})
	ts, err := tokens.ClientCredentials(tokens.ClientCredentialsConfig{
		BaseURL: fake.URL, ClientID: fotowebtest.ServiceClientID, ClientSecret: fotowebtest.ServiceClientSecret,
	}, tokens.Options{})
	if err != nil {
		t.Fatal(err)
	}
	c, err := New(Config{BaseURL: fake.URL, Tokens: ts, MaxAttempts: 3})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := c.Asset(ctx, fotowebtest.LandscapeAsset)
		done <- err
	}()
	testutil.WaitFor(t, 10*time.Second, "the token request to reach FotoWeb", func() bool { return fake.Count(tokenPath) == 1 })
	cancel()
	select {
	case err = <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("Asset still waits for the token after its context ended")
	}
	if !errors.Is(err, context.Canceled) || errors.Is(err, ErrUnavailable) {
		t.Errorf("Asset: %v, want the context's error, not ErrUnavailable", err)
	}
	if n := fake.Count(fotowebtest.LandscapeAsset); n != 0 {
		t.Errorf("%d asset requests after the context ended, want 0", n)
	}
	if n := fake.Count(tokenPath); n != 1 {
		t.Errorf("%d token requests, want 1", n)
	}
}

// countingTokens is an oauth2.TokenSource without TokenContext that
// counts its calls.
type countingTokens struct{ calls atomic.Int32 }

func (s *countingTokens) Token() (*oauth2.Token, error) {
	s.calls.Add(1)
	return &oauth2.Token{AccessToken: "t"}, nil
}

// TestTokenContextPlainSource: a source without TokenContext is asked
// with Token, and not at all once the context has ended.
func TestTokenContextPlainSource(t *testing.T) {
	ts := &countingTokens{}
	if tok, err := TokenContext(context.Background(), ts); err != nil || tok.AccessToken != "t" {
		t.Fatalf("TokenContext: %v, %v", tok, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := TokenContext(ctx, ts); !errors.Is(err, context.Canceled) {
		t.Errorf("TokenContext with an ended context: %v, want context.Canceled", err)
	}
	if n := ts.calls.Load(); n != 1 {
		t.Errorf("Token called %d times, want 1", n)
	}
}
