package server

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/fotoembed/fotoembed/fotoweb/fotowebtest"
	"github.com/fotoembed/fotoembed/internal/redistest"
	"github.com/fotoembed/fotoembed/internal/testutil"
	"github.com/fotoembed/fotoembed/purge"
	"github.com/fotoembed/fotoembed/redisstore"
)

// purgeHook is a stand-in purge webhook on 127.0.0.1 recording bodies.
type purgeHook struct {
	*httptest.Server
	mu     sync.Mutex
	bodies []map[string]any
}

func newPurgeHook(t *testing.T) *purgeHook {
	h := &purgeHook{}
	h.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		var m map[string]any
		json.Unmarshal(b, &m)
		h.mu.Lock()
		h.bodies = append(h.bodies, m)
		h.mu.Unlock()
	}))
	t.Cleanup(h.Close)
	return h
}

func (h *purgeHook) received() []map[string]any {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]map[string]any(nil), h.bodies...)
}

// TestPurgeOnceAcrossReplicas: two replicas sharing one Redis store are
// both told of the same change (each its own webhook); one purge is
// sent. The next change is purged again, once.
func TestPurgeOnceAcrossReplicas(t *testing.T) {
	r := redistest.Start(t)
	store, err := redisstore.New(context.Background(), redisstore.Config{URL: r.URL, Timeout: 2 * time.Second,
		Logger: slog.New(slog.DiscardHandler)})
	must(t, err)
	t.Cleanup(func() { store.Close() })
	once := func(ctx context.Context, key string) bool { return store.Once(ctx, key, purge.OnceTTL) }
	hook := newPurgeHook(t)
	// One clock for both replicas' time buckets, so that no bucket edge
	// falls between the two webhooks.
	clock := testutil.NewClock(time.Date(2026, 5, 1, 12, 0, 1, 0, time.UTC))

	var envs []*env
	var purgers []*purge.Purger
	for range 2 {
		p, err := purge.New(purge.Config{Webhook: &purge.WebhookConfig{URL: hook.URL}, Once: once, Now: clock.Now,
			Logger: slog.New(slog.DiscardHandler)})
		must(t, err)
		t.Cleanup(func() { p.Close() })
		e := newEnv(t, envOptions{configure: func(c *Config) { c.Purger = p }})
		envs, purgers = append(envs, e), append(purgers, p)
	}
	handled := func() uint64 {
		var n uint64
		for _, p := range purgers {
			n += p.Count("webhook", "ok") + p.Count("webhook", "skipped") + p.Count("webhook", "failed")
		}
		return n
	}
	change := func() {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		for _, e := range envs {
			e.fake.SetMetadata(fotowebtest.LandscapeAsset, 5, "New title")
			status, err := e.fake.EmitWebhook(ctx, e.ts.URL+hookPrefix+testHookSecret, fotowebtest.AssetModified, fotowebtest.LandscapeAsset)
			if err != nil || status != http.StatusNoContent {
				t.Fatalf("webhook: %d %v", status, err)
			}
		}
	}

	change()
	testutil.WaitFor(t, 30*time.Second, "both replicas to handle the change", func() bool { return handled() == 2 })
	got := hook.received()
	if len(got) != 1 {
		t.Fatalf("%d purges sent for one change, want 1: %v", len(got), got)
	}
	tag := purge.Tag(envs[0].info(fotowebtest.LandscapeAsset).Href)
	if got[0]["asset_tag"] != tag || got[0]["reason"] != "modified" {
		t.Errorf("purge %v, want asset_tag %s, reason modified", got[0], tag)
	}
	if ok, skipped := purgers[0].Count("webhook", "ok")+purgers[1].Count("webhook", "ok"),
		purgers[0].Count("webhook", "skipped")+purgers[1].Count("webhook", "skipped"); ok != 1 || skipped != 1 {
		t.Errorf("ok %d skipped %d, want 1 and 1", ok, skipped)
	}

	change() // a second change in the same time bucket
	testutil.WaitFor(t, 30*time.Second, "both replicas to handle the second change", func() bool { return handled() == 4 })
	if n := len(hook.received()); n != 2 {
		t.Errorf("%d purges after two changes, want 2", n)
	}
}
