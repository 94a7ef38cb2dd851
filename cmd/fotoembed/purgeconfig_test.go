package main

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/fotoembed/fotoembed/internal/testutil"
	"github.com/fotoembed/fotoembed/purge"
)

// Purge secrets of the tests; none may ever be printed.
const (
	testPurgeSecret = "purge-secret-ZORK-never-printed"
	testFastlyToken = "fastly-token-XYZZY-never-printed"
	testCFToken     = "cf-token-PLOVER-never-printed"
)

// parsePurge parses the purge flags alone with env and args, and
// validates them, as serve does.
func parsePurge(env map[string]string, args ...string) (*purgeConfig, error) {
	var c purgeConfig
	f := newFlagSet("serve", "", serveSummary, envLookup(envOf(env)))
	c.register(f)
	a := newApp(nil, io.Discard, io.Discard)
	return &c, a.parse(f, args, c.Validate)
}

func TestPurgeConfigDefaults(t *testing.T) {
	c, err := parsePurge(nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.Header != purge.DefaultWebhookHeader || c.VarnishMethod != "BAN" || c.FastlySoft || c.configured() {
		t.Errorf("defaults: %+v", c)
	}
	p, err := c.purger(slog.New(slog.DiscardHandler), nil)
	if p != nil || err != nil {
		t.Errorf("purger without configuration: %v %v", p, err)
	}
}

func TestPurgeConfigFlagsAndEnvironment(t *testing.T) {
	dir := t.TempDir()
	tokFile := filepath.Join(dir, "cf")
	os.WriteFile(tokFile, []byte(testCFToken+"\n"), 0o600)
	env := map[string]string{
		"FOTOEMBED_PURGE_URL":            "https://hooks.example.com/purge?k=1",
		"FOTOEMBED_PURGE_SECRET":         testPurgeSecret,
		"FOTOEMBED_PURGE_VARNISH":        "http://varnish-1:6081/, http://varnish-2:6081/",
		"FOTOEMBED_PURGE_FASTLY_SERVICE": "SU1Z0isxPaozGVKXdv0eY",
		"FOTOEMBED_PURGE_FASTLY_TOKEN":   testFastlyToken,
		"FOTOEMBED_PURGE_FASTLY_SOFT":    "1",
	}
	c, err := parsePurge(env, "--purge-header", "Authorization", "--purge-varnish-method=PURGE",
		"--purge-cloudflare-zone", "023e105f4ecef8ad9ca31a8372d0c353", "--purge-cloudflare-token-file", tokFile)
	if err != nil {
		t.Fatal(err)
	}
	want := purgeConfig{URL: "https://hooks.example.com/purge?k=1", Header: "Authorization", Secret: testPurgeSecret,
		Varnish: []string{"http://varnish-1:6081/", "http://varnish-2:6081/"}, VarnishMethod: "PURGE",
		FastlyService: "SU1Z0isxPaozGVKXdv0eY", FastlyToken: testFastlyToken, FastlySoft: true,
		CloudflareZone: "023e105f4ecef8ad9ca31a8372d0c353", CloudflareToken: testCFToken}
	if diff := cmp.Diff(want, *c); diff != "" {
		t.Errorf("config (-want +got):\n%s", diff)
	}
	logs := &testutil.SyncBuffer{}
	p, err := c.purger(slog.New(slog.NewTextHandler(logs, nil)), nil)
	if err != nil || p == nil {
		t.Fatalf("purger: %v %v", p, err)
	}
	p.Close()
	assertNoSecrets(t, logs.String(), testPurgeSecret, testFastlyToken, testCFToken)
}

func TestPurgeConfigReportsEveryProblem(t *testing.T) {
	env := map[string]string{
		"FOTOEMBED_PURGE_SECRET":           testPurgeSecret,
		"FOTOEMBED_PURGE_FASTLY_SERVICE":   "svc",
		"FOTOEMBED_PURGE_CLOUDFLARE_TOKEN": testCFToken,
		"FOTOEMBED_PURGE_VARNISH":          "varnish:6081,http://ok:6081/",
	}
	_, err := parsePurge(env, "--purge-varnish-method", "DELETE")
	if err == nil {
		t.Fatal("no error")
	}
	for _, w := range []string{
		"FOTOEMBED_PURGE_SECRET is set but --purge-url is not",
		`--purge-varnish: "varnish:6081" must be an absolute http(s) URL`,
		`--purge-varnish-method "DELETE": must be one of BAN, PURGE`,
		"--purge-fastly-service needs an API token: set FOTOEMBED_PURGE_FASTLY_TOKEN or use --purge-fastly-token-file",
		"FOTOEMBED_PURGE_CLOUDFLARE_TOKEN is set but --purge-cloudflare-zone is not",
	} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error lacks %q; got:\n%v", w, err)
		}
	}
	assertNoSecrets(t, err.Error(), testPurgeSecret, testCFToken)

	_, err = parsePurge(map[string]string{"FOTOEMBED_PURGE_URL": "ftp://user:pw@x/?secret=1", "FOTOEMBED_PURGE_HEADER": "Bad Header",
		"FOTOEMBED_PURGE_FASTLY_SOFT": "true", "FOTOEMBED_PURGE_CLOUDFLARE_ZONE": "a/b", "FOTOEMBED_PURGE_CLOUDFLARE_TOKEN": "two " + testCFToken})
	if err == nil {
		t.Fatal("no error")
	}
	for _, w := range []string{
		"--purge-url \"ftp://REDACTED@x/?…\" must be an absolute http(s) URL",
		`--purge-header "Bad Header" is not an HTTP header name`,
		"--purge-fastly-soft is set but --purge-fastly-service is not",
		`--purge-cloudflare-zone "a/b" is not an id`,
		"FOTOEMBED_PURGE_CLOUDFLARE_TOKEN (or --purge-cloudflare-token-file) must be one word",
	} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error lacks %q; got:\n%v", w, err)
		}
	}
	assertNoSecrets(t, err.Error(), testCFToken, "pw", "secret=1")
}

func TestPurgeSecretsAreNeverFlags(t *testing.T) {
	for _, name := range []string{"purge-secret", "purge-fastly-token", "purge-cloudflare-token"} {
		_, err := parsePurge(nil, "--"+name+"="+testPurgeSecret)
		var ue *usageError
		if !errors.As(err, &ue) || !strings.Contains(err.Error(), "secrets are not accepted as flags") {
			t.Errorf("--%s: %v", name, err)
		}
		assertNoSecrets(t, err.Error(), testPurgeSecret)
	}
}

// TestPurgerFromConfig: the purger built from the flags sends the
// documented request, and asks once before it does.
func TestPurgerFromConfig(t *testing.T) {
	var bans atomic.Int32
	var tag atomic.Value
	v := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == "BAN" {
			tag.Store(r.Header.Get("X-Purge-Tag"))
			bans.Add(1)
		}
	}))
	defer v.Close()
	c, err := parsePurge(map[string]string{"FOTOEMBED_PURGE_VARNISH": v.URL + "/"})
	if err != nil {
		t.Fatal(err)
	}
	var asked atomic.Int32
	once := func(_ context.Context, key string) bool { asked.Add(1); return true }
	p, err := c.purger(slog.New(slog.DiscardHandler), once)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	const asset = "/fotoweb/archives/5001-Photos/a.jpg.info"
	p.Purge(asset, "deleted")
	testutil.WaitFor(t, 20*time.Second, "the BAN", func() bool { return bans.Load() == 1 })
	if got := tag.Load(); got != purge.Tag(asset) || asked.Load() != 1 {
		t.Errorf("X-Purge-Tag %v, once asked %d times", got, asked.Load())
	}
	if purgeOnce(nil) != nil {
		t.Error("purgeOnce without a shared store is not nil")
	}
}
