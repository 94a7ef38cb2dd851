package redisstore

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/fotoembed/fotoembed/embed"
	"github.com/fotoembed/fotoembed/fotoweb"
	"github.com/fotoembed/fotoembed/fotoweb/fotowebtest"
	"github.com/fotoembed/fotoembed/fotoweb/tokens"
	"github.com/fotoembed/fotoembed/internal/redistest"
	"github.com/fotoembed/fotoembed/internal/testutil"
	"github.com/fotoembed/fotoembed/server"
	"github.com/fotoembed/fotoembed/urlsig"
)

const testHookSecret = "HOOKSECRET-redis-0123456789"

// service is one real fotoembed server replica with its own Store.
type service struct {
	store *Store
	ts    *httptest.Server
}

// newServices starts n server replicas behind httptest servers, each with
// its own Store on r, sharing the fake FotoWeb and the signing key.
func newServices(t *testing.T, r *redistest.Server, fake *fotowebtest.Server, n int) []*service {
	t.Helper()
	signer, err := urlsig.New(urlsig.Config{Keys: [][]byte{[]byte("fotoembed-redis-test-key-0001")}})
	if err != nil {
		t.Fatal(err)
	}
	var out []*service
	for range n {
		st := newStore(t, r, Config{})
		ts := tokens.Static(fake.ServiceToken())
		client, err := fotoweb.New(fotoweb.Config{BaseURL: fake.URL, Tokens: ts, MaxAttempts: 1})
		if err != nil {
			t.Fatal(err)
		}
		res, err := embed.NewResolver(embed.ResolverConfig{Source: client, Store: st})
		if err != nil {
			t.Fatal(err)
		}
		hs := httptest.NewUnstartedServer(nil)
		base := "http://" + hs.Listener.Addr().String()
		emb, err := embed.New(embed.Config{Resolver: res, Signer: signer, BaseURL: base, Origin: fake.URL, Tokens: ts})
		if err != nil {
			t.Fatal(err)
		}
		srv, err := server.New(server.Config{FotoWeb: client, Embedder: emb, Signer: signer, Tokens: ts,
			Origin: fake.URL, BaseURL: base, AllowAdminTokenInURL: true, HookSecret: testHookSecret, Logger: slog.New(slog.DiscardHandler)})
		if err != nil {
			t.Fatal(err)
		}
		hs.Config.Handler = srv.Handler()
		hs.Start()
		t.Cleanup(hs.Close)
		out = append(out, &service{store: st, ts: hs})
	}
	return out
}

var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// get GETs path on the service and returns the status and body.
func (s *service) get(t *testing.T, path string) (int, string) {
	t.Helper()
	res, err := noRedirect.Get(s.ts.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

// TestServersShareAndInvalidate: three real server replicas with their
// own Stores on one Redis share resolved entries, and a FotoWeb webhook
// POSTed to one invalidates the entry on all of them. /readyz reports the
// store, degraded (not failing) while Redis is down, and /metrics exports
// its counters.
func TestServersShareAndInvalidate(t *testing.T) {
	r := redistest.Start(t)
	fake := fotowebtest.NewServer(fotowebtest.Options{})
	t.Cleanup(fake.Close)
	svcs := newServices(t, r, fake, 3)
	href := fotowebtest.LandscapeAsset
	signer, _ := urlsig.New(urlsig.Config{Keys: [][]byte{[]byte("fotoembed-redis-test-key-0001")}})
	path, err := signer.SignPath(urlsig.Options{Width: 800}, href, ".jpg")
	if err != nil {
		t.Fatal(err)
	}
	getAll := func() {
		t.Helper()
		for i, s := range svcs {
			if code, body := s.get(t, path); code != http.StatusFound {
				t.Fatalf("replica %d: GET signed URL: %d %s", i, code, body)
			}
		}
	}
	getAll()
	if n := fake.Count(href); n != 1 {
		t.Fatalf("three replicas made %d upstream requests for one asset, want 1", n)
	}

	status, err := fake.EmitWebhook(context.Background(), svcs[1].ts.URL+"/hooks/fotoweb/"+testHookSecret, fotowebtest.AssetModified, href)
	if err != nil || status != http.StatusNoContent {
		t.Fatalf("webhook to replica 1: %d %v", status, err)
	}
	testutil.WaitFor(t, 10*time.Second, "every replica drops the entry", func() bool {
		for _, s := range svcs {
			if s.store.inNear(href) {
				return false
			}
		}
		return true
	})
	getAll()
	if n := fake.Count(href); n != 2 {
		t.Errorf("after the webhook: %d upstream requests in all, want 2 (one refetch, shared)", n)
	}

	ready := func(s *service) server.ReadyResult {
		t.Helper()
		code, body := s.get(t, "/readyz")
		var rr server.ReadyResult
		if err := json.Unmarshal([]byte(body), &rr); err != nil || code != http.StatusOK {
			t.Fatalf("/readyz: %d %s", code, body)
		}
		return rr
	}
	if rr := ready(svcs[0]); rr.Checks["store"].Status != "ok" {
		t.Errorf("/readyz with Redis up: %+v", rr)
	}
	if _, body := svcs[0].get(t, "/metrics"); !strings.Contains(body, "fotoembed_store_up 1") ||
		!strings.Contains(body, "fotoembed_store_shared_hits_total") {
		t.Errorf("/metrics lacks the store metrics")
	}

	r.Kill()
	if rr := ready(svcs[2]); rr.Status != "ok" || rr.Checks["store"].Status != "degraded" {
		t.Errorf("/readyz with Redis down: %+v, want ok with the store degraded", rr)
	}
	getAll() // still answered
	other, _ := signer.SignPath(urlsig.Options{Width: 400}, fotowebtest.PortraitAsset, ".jpg")
	for i, s := range svcs {
		if code, _ := s.get(t, other); code != http.StatusFound {
			t.Errorf("replica %d with Redis down: %d", i, code)
		}
	}
}
