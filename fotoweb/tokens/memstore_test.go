package tokens_test

import (
	"context"
	"errors"
	"testing"

	"golang.org/x/oauth2"

	"github.com/fotoembed/fotoembed/fotoweb/tokens"
)

// TestMemoryStore: empty until saved, copies in and out, and a lock that
// one holder has at a time.
func TestMemoryStore(t *testing.T) {
	ctx := context.Background()
	var zero tokens.MemoryStore
	if _, err := zero.Load(ctx); !errors.Is(err, tokens.ErrNoToken) {
		t.Errorf("empty store: %v, want ErrNoToken", err)
	}
	in := &oauth2.Token{AccessToken: "a1", RefreshToken: "r1"}
	m := tokens.NewMemoryStore(in)
	in.AccessToken = "changed"
	got, err := m.Load(ctx)
	if err != nil || got.AccessToken != "a1" {
		t.Fatalf("Load = %+v, %v", got, err)
	}
	got.AccessToken = "changed"
	if err := m.Save(ctx, &oauth2.Token{AccessToken: "a2"}); err != nil {
		t.Fatal(err)
	}
	if got, _ := m.Load(ctx); got.AccessToken != "a2" || got.RefreshToken != "" {
		t.Errorf("after Save: %+v", got)
	}

	unlock, err := m.Lock(ctx)
	if err != nil {
		t.Fatal(err)
	}
	done, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := m.Lock(done); !errors.Is(err, context.Canceled) {
		t.Errorf("second Lock while held: %v, want context.Canceled", err)
	}
	unlock()
	unlock2, err := m.Lock(ctx)
	if err != nil {
		t.Fatalf("Lock after unlock: %v", err)
	}
	unlock2()
}
