package redisstore

import (
	"context"
	"io"
	"log/slog"
	"os"
	"testing"
	"time"

	"github.com/fotoembed/fotoembed/embed"
	"github.com/fotoembed/fotoembed/fotoweb"
	"github.com/fotoembed/fotoembed/fotoweb/fotowebtest"
	"github.com/fotoembed/fotoembed/fotoweb/tokens"
	"github.com/fotoembed/fotoembed/internal/redistest"
	"github.com/fotoembed/fotoembed/internal/testutil"
)

func TestMain(m *testing.M) {
	// go-redis logs every failed dial; the outage tests cause many.
	SetClientLogger(slog.New(slog.NewTextHandler(os.Stderr, nil)), time.Minute)
	os.Exit(m.Run())
}

// quiet is a logger that discards.
var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// newStore returns a Store on r with test-friendly intervals, closed at
// cleanup. cfg may tune it (URL and Logger are filled in when empty).
func newStore(t testing.TB, r *redistest.Server, cfg Config) *Store {
	t.Helper()
	if cfg.URL == "" {
		cfg.URL = r.URL
	}
	if cfg.Logger == nil {
		cfg.Logger = quiet
	}
	if cfg.HealthInterval == 0 {
		cfg.HealthInterval = 100 * time.Millisecond
	}
	if cfg.Timeout == 0 {
		// The race detector on a loaded 2-core machine can stretch a
		// loopback round trip past the 200ms production default; tests
		// of the timeout itself set their own.
		cfg.Timeout = 2 * time.Second
	}
	s, err := New(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	testutil.WaitFor(t, 5*time.Second, "subscribed", func() bool { return s.health.subscribed.Load() })
	return s
}

// replica is one fotoembed replica: its own FotoWeb client, Store (with
// its own near cache) and resolver.
type replica struct {
	store *Store
	res   *embed.Resolver
}

// cluster is n replicas sharing one Redis and one fake FotoWeb.
type cluster struct {
	redis    *redistest.Server
	fake     *fotowebtest.Server
	replicas []*replica
}

// newCluster starts Redis and a fake FotoWeb and wires n replicas.
func newCluster(t testing.TB, n int, cfg Config) *cluster {
	t.Helper()
	r := redistest.Start(t)
	fake := fotowebtest.NewServer(fotowebtest.Options{})
	t.Cleanup(fake.Close)
	c := &cluster{redis: r, fake: fake}
	for range n {
		c.replicas = append(c.replicas, c.newReplica(t, cfg))
	}
	return c
}

func (c *cluster) newReplica(t testing.TB, cfg Config) *replica {
	t.Helper()
	client, err := fotoweb.New(fotoweb.Config{BaseURL: c.fake.URL, Tokens: tokens.Static(c.fake.ServiceToken()), MaxAttempts: 1})
	if err != nil {
		t.Fatal(err)
	}
	st := newStore(t, c.redis, cfg)
	res, err := embed.NewResolver(embed.ResolverConfig{Source: client, Store: st})
	if err != nil {
		t.Fatal(err)
	}
	return &replica{store: st, res: res}
}

// resolve resolves href on replica i and fails the test on error.
func (c *cluster) resolve(t testing.TB, i int, href string) *embed.Info {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	in, err := c.replicas[i].res.Resolve(ctx, href)
	if err != nil {
		t.Fatalf("replica %d: Resolve(%s): %v", i, href, err)
	}
	return in
}

// fetches is how many times FotoWeb was asked for href.
func (c *cluster) fetches(href string) int { return c.fake.Count(href) }

// inNear reports whether the store's near cache holds key.
func (s *Store) inNear(key string) bool {
	_, ok := s.near.Get(context.Background(), key)
	return ok
}
