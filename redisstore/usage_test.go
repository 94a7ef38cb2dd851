package redisstore

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fotoembed/fotoembed/internal/redistest"
	"github.com/fotoembed/fotoembed/internal/testutil"
	"github.com/fotoembed/fotoembed/usage"
	"github.com/fotoembed/fotoembed/usage/usagetest"
)

// TestUsageConformance: the Redis where-used record does what
// usage.Store promises; each subtest has a key prefix of its own.
func TestUsageConformance(t *testing.T) {
	r := redistest.Start(t)
	var n atomic.Int64
	usagetest.Run(t, func(t *testing.T, opts usage.Options) usage.Store {
		return newStore(t, r, Config{KeyPrefix: "use" + strconv.FormatInt(n.Add(1), 10) + ":"}).Usage(opts)
	})
}

// TestUsageStorage: one sorted set per asset scored in Unix seconds,
// never expiring, shared by replicas with the same prefix; a full record
// refuses new assets; with Redis down every call fails naming the asset.
func TestUsageStorage(t *testing.T) {
	r := redistest.Start(t)
	ctx := context.Background()
	clock := testutil.NewClock(time.Unix(1_780_000_000, 0))
	opts := usage.Options{MaxAssets: 2, Now: clock.Now, Logger: quiet}
	a := newStore(t, r, Config{KeyPrefix: "site1:"})
	b := newStore(t, r, Config{KeyPrefix: "site1:"})
	ua, ub := a.Usage(opts), b.Usage(opts)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(ua.Record(ctx, "/a.info", "https://site.example/p.html"))
	must(ub.Record(ctx, "/b.info", "/q"))
	score, err := a.rdb.ZScore(ctx, "site1:usage:/a.info", "https://site.example/p.html").Result()
	if err != nil || score != 1_780_000_000 {
		t.Errorf("score %v, %v; want the Unix time", score, err)
	}
	for _, key := range []string{"site1:usage:/a.info", "site1:usage-assets"} {
		if d := pttl(t, a, key); d != -1 {
			t.Errorf("%q: PTTL %v, want -1 (no expiry)", key, d)
		}
	}
	usagetest.Want(t, ub, "/a.info", []string{"https://site.example/p.html"}, []time.Time{clock.Now()})
	if err := ua.Record(ctx, "/c.info", "/r"); !errors.Is(err, usage.ErrFull) {
		t.Errorf("third asset: %v, want ErrFull", err)
	}
	must(ua.Record(ctx, "/a.info", "/known-asset"))
	must(ub.Forget(ctx, "/b.info"))
	must(ua.Record(ctx, "/c.info", "/r"))

	r.Kill()
	testutil.WaitFor(t, 10*time.Second, "Redis seen down", func() bool { return !a.health.up() })
	if err := ua.Record(ctx, "/down.info", "/p"); err == nil || !strings.Contains(err.Error(), "/down.info") {
		t.Errorf("Record with Redis down: %v", err)
	}
	if _, err := ua.Pages(ctx, "/down.info"); !errors.Is(err, ErrUnavailable) {
		t.Errorf("Pages with Redis down: %v", err)
	}
}
