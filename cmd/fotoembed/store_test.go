package main

import (
	"context"
	"net/http"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/fotoembed/fotoembed/fotoweb/fotowebtest"
	"github.com/fotoembed/fotoembed/internal/redistest"
)

func TestStoreConfig(t *testing.T) {
	for _, bad := range []string{"redis://:s3cretpass@host:6379/x", "memcached://host", "redis"} {
		_, err := parseServe(with(validEnv(), "FOTOEMBED_STORE", bad))
		if err == nil || !strings.Contains(err.Error(), "--store") || !strings.Contains(err.Error(), "must be memory or a Redis URL") {
			t.Errorf("FOTOEMBED_STORE=%s: %v", bad, err)
		}
		if err != nil && strings.Contains(err.Error(), "s3cretpass") {
			t.Errorf("the Redis password leaked: %v", err)
		}
	}
	c, err := parseServe(with(validEnv(), "FOTOEMBED_STORE", "rediss://:pw@redis.internal:6380/2", "FOTOEMBED_STORE_NEAR_TTL", "2s"))
	if err != nil || c.Server.StoreNearTTL != 2*time.Second || c.Server.StoreTimeout != 200*time.Millisecond {
		t.Errorf("a Redis URL: %v %+v", err, c.Server)
	}
}

// TestServeSharedStore runs two `serve` replicas with FOTOEMBED_STORE on
// one real Redis: an image resolved by one is not fetched again by the
// other, and a webhook to one reaches both within a second.
func TestServeSharedStore(t *testing.T) {
	rs := redistest.Start(t)
	fake := fotowebtest.NewServer(fotowebtest.Options{})
	t.Cleanup(fake.Close)
	env := fakeEnv(fake, "FOTOEMBED_STORE", rs.URL,
		"FOTOEMBED_STORE_NEAR_TTL", "10m") // only invalidations can drop near copies
	a := start(t, env, "serve", "--addr", "127.0.0.1:0").waitReady().URL
	b := start(t, env, "serve", "--addr", "127.0.0.1:0").waitReady().URL

	path := landscapePath(t, a)
	for _, base := range []string{a, b} {
		resp, img := get(t, noRedirect, base+path)
		assertJPEG(t, resp, img)
	}
	fetches := func() int { return fake.Count(fotowebtest.LandscapeAsset) }
	if n := fetches(); n != 1 {
		t.Fatalf("two replicas made %d asset requests, want 1", n)
	}

	status, err := fake.EmitWebhook(context.Background(), b+"/hooks/fotoweb/"+testHookSecret, fotowebtest.AssetModified, fotowebtest.LandscapeAsset)
	if err != nil || status != http.StatusNoContent {
		t.Fatalf("webhook to replica b: %d %v", status, err)
	}
	deadline := time.Now().Add(time.Second)
	for fetches() != 2 { // replica a refetches once the invalidation reached it
		if time.Now().After(deadline) {
			t.Fatal("the webhook to replica b did not reach replica a within a second")
		}
		get(t, noRedirect, a+path)
	}
	get(t, noRedirect, b+path)
	if n := fetches(); n != 2 {
		t.Errorf("after the webhook: %d asset requests, want 2 (one refetch, shared)", n)
	}
	if _, body := get(t, noRedirect, a+"/readyz"); !strings.Contains(body, `"store":{"status":"ok"}`) {
		t.Errorf("/readyz lacks the store: %s", body)
	}
	if _, body := get(t, noRedirect, a+"/metrics"); !strings.Contains(body, "fotoembed_store_up 1") {
		t.Error("/metrics lacks fotoembed_store_up")
	}
}

// TestServeSharedUserToken: with --auth user and a Redis store, the login
// token file seeds Redis once and both replicas serve with the shared
// token.
func TestServeSharedUserToken(t *testing.T) {
	rs := redistest.Start(t)
	fake := fotowebtest.NewServer(fotowebtest.Options{})
	t.Cleanup(fake.Close)
	tokenFile := filepath.Join(t.TempDir(), "token.json")
	login := envOf(map[string]string{"FOTOEMBED_FOTOWEB_URL": fake.URL, "FOTOEMBED_CLIENT_ID": fotowebtest.WebClientID})
	lr := start(t, login, "login", "--token-file", tokenFile, "--timeout", "30s")
	if resp, body := get(t, http.DefaultClient, lr.waitReady().AuthorizeURL); resp.StatusCode != http.StatusOK {
		t.Fatalf("login callback: %d %s", resp.StatusCode, body)
	}
	if err := lr.wait(); err != nil {
		t.Fatalf("login: %v", err)
	}

	env := envOf(map[string]string{
		"FOTOEMBED_FOTOWEB_URL":  fake.URL,
		"FOTOEMBED_AUTH":         "user",
		"FOTOEMBED_CLIENT_ID":    fotowebtest.WebClientID,
		"FOTOEMBED_TOKEN_FILE":   tokenFile,
		"FOTOEMBED_SIGNING_KEYS": testSigningKey,
		"FOTOEMBED_API_KEYS":     testAPIKey,
		"FOTOEMBED_STORE":        rs.URL,
	})
	ra := start(t, env, "serve", "--addr", "127.0.0.1:0")
	a := ra.waitReady().URL
	rb := start(t, env, "serve", "--addr", "127.0.0.1:0")
	b := rb.waitReady().URL
	seeded := strings.Count(ra.stderr.String()+rb.stderr.String(), "login token copied to Redis")
	if seeded != 1 {
		t.Errorf("the login token was copied to Redis %d times, want once", seeded)
	}
	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:" + strconv.Itoa(rs.Port)})
	defer rdb.Close()
	if n, err := rdb.Exists(context.Background(), "fotoembed:token:user").Result(); err != nil || n != 1 {
		t.Errorf("no token in Redis: %d %v", n, err)
	}
	path := landscapePath(t, a)
	for _, base := range []string{a, b} {
		resp, _ := get(t, noRedirect, base+path)
		if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusFound || !strings.Contains(loc, "access_token=") {
			t.Errorf("%s: %d, Location %q; want a redirect with the user's token", base, resp.StatusCode, loc)
		}
	}
}

// landscapePath asks the replica at base for the landscape asset's
// snippet and returns the path of its image.
func landscapePath(t *testing.T, base string) string {
	t.Helper()
	resp, html := get(t, noRedirect, base+"/v1/embed?width=600&ref="+url.QueryEscape(fotowebtest.LandscapeAsset), "X-API-Key", testAPIKey)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("/v1/embed: %d %s", resp.StatusCode, html)
	}
	return strings.TrimPrefix(imgSrc(t, html), base)
}
