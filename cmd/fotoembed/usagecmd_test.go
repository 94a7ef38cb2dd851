package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fotoembed/fotoembed/exports"
	"github.com/fotoembed/fotoembed/internal/redistest"
	"github.com/fotoembed/fotoembed/internal/testutil"
	"github.com/fotoembed/fotoembed/redisstore"
	"github.com/fotoembed/fotoembed/usage"
)

const usedAsset = "/fotoweb/archives/5001-Photos/Folder%2019/harbour.jpg.info"

// runUsage runs `fotoembed usage args...` with env and returns its
// outputs.
func runUsage(t *testing.T, env map[string]string, args ...string) (string, string, error) {
	t.Helper()
	var out, errb testutil.SyncBuffer
	err := run(t.Context(), append([]string{"usage"}, args...), envOf(env), &out, &errb)
	return out.String(), errb.String(), err
}

// recordedLedger writes a ledger file where two pages use usedAsset, the
// second seen later, and returns its path.
func recordedLedger(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "exports.db")
	l, err := exports.OpenFile(path, exports.FileOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	clock := testutil.NewClock(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
	s, err := usage.NewBolt(l.DB(), usage.Options{Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"https://site.example/a.html", "/blog/b.html"} {
		if err := s.Record(context.Background(), usedAsset, p); err != nil {
			t.Fatal(err)
		}
		clock.Advance(time.Minute)
	}
	return path
}

// TestUsageCommandFile: without --service the ledger file is read: one
// line per page, most recent first, or JSON; a pasted FotoWeb URL needs
// --fotoweb-url.
func TestUsageCommandFile(t *testing.T) {
	ledger := recordedLedger(t)
	env := map[string]string{"FOTOEMBED_EXPORT_LEDGER": ledger}
	out, _, err := runUsage(t, env, usedAsset)
	want := "2026-03-01T12:01:00Z  /blog/b.html\n2026-03-01T12:00:00Z  https://site.example/a.html\n"
	if err != nil || out != want {
		t.Errorf("out %q, %v; want %q", out, err, want)
	}

	out, _, err = runUsage(t, env, "--json", "--fotoweb-url", "https://acme.fotoware.cloud", "https://acme.fotoware.cloud"+usedAsset)
	var ans whereUsed
	if err != nil || json.Unmarshal([]byte(out), &ans) != nil || ans.Asset != usedAsset || len(ans.Pages) != 2 ||
		ans.Pages[0].Page != "/blog/b.html" || !ans.Pages[1].Seen.Equal(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)) {
		t.Errorf("--json: %s, %v", out, err)
	}

	out, errOut, err := runUsage(t, env, "/fotoweb/archives/5001-Photos/other.jpg.info")
	if err != nil || out != "" || !strings.Contains(errOut, "no page is recorded") {
		t.Errorf("unused asset: %q %q %v", out, errOut, err)
	}
	if _, _, err := runUsage(t, env, "https://acme.fotoware.cloud"+usedAsset); err == nil || !strings.Contains(err.Error(), "--fotoweb-url") {
		t.Errorf("FotoWeb URL without --fotoweb-url: %v", err)
	}
	if _, _, err := runUsage(t, map[string]string{"FOTOEMBED_EXPORT_LEDGER": ledger + ".missing"}, usedAsset); err == nil ||
		!strings.Contains(err.Error(), "no ledger file") {
		t.Errorf("missing file: %v", err)
	}
}

// TestUsageCommandFileInUse: while serve holds the file the command says
// to ask the service.
func TestUsageCommandFileInUse(t *testing.T) {
	ledger := recordedLedger(t)
	l, err := exports.OpenFile(ledger, exports.FileOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	_, _, err = runUsage(t, map[string]string{"FOTOEMBED_EXPORT_LEDGER": ledger}, usedAsset)
	if err == nil || !strings.Contains(err.Error(), "--service") {
		t.Errorf("file in use: %v", err)
	}
}

// TestUsageCommandService: with --service the command asks GET /v1/usage
// with the API key and prints the answer; the service's error message is
// shown.
func TestUsageCommandService(t *testing.T) {
	svc := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch {
		case r.URL.Path != "/v1/usage" || r.Header.Get("X-API-Key") != testAPIKey:
			w.WriteHeader(http.StatusUnauthorized)
			w.Write([]byte(`{"message":"invalid API key"}`))
		case r.URL.Query().Get("ref") != usedAsset:
			w.WriteHeader(http.StatusNotFound)
			w.Write([]byte(`{"message":"where-used is not recorded by this service: no usage store is configured"}`))
		default:
			w.Write([]byte(`{"asset":"` + usedAsset + `","pages":[{"page":"/p.html","seen":"2026-03-01T13:00:00+01:00"}]}`))
		}
	}))
	defer svc.Close()
	env := map[string]string{"FOTOEMBED_SERVICE_URL": svc.URL, "FOTOEMBED_API_KEY": testAPIKey}
	out, _, err := runUsage(t, env, usedAsset)
	if err != nil || out != "2026-03-01T12:00:00Z  /p.html\n" {
		t.Errorf("out %q, %v", out, err)
	}
	_, _, err = runUsage(t, env, "/fotoweb/archives/5001-Photos/x.info")
	if err == nil || !strings.Contains(err.Error(), "404 where-used is not recorded") {
		t.Errorf("service error: %v", err)
	}
	_, _, err = runUsage(t, map[string]string{"FOTOEMBED_SERVICE_URL": svc.URL}, usedAsset)
	if err == nil || !strings.Contains(err.Error(), "FOTOEMBED_API_KEY") {
		t.Errorf("no API key: %v", err)
	}
	assertNoSecrets(t, out)
}

// TestUsageCommandRedis: --store reads the record replicas share in
// Redis.
func TestUsageCommandRedis(t *testing.T) {
	r := redistest.Start(t)
	rs, err := redisstore.New(t.Context(), redisstore.Config{URL: r.URL, Timeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer rs.Close()
	if err := rs.Usage(usage.Options{}).Record(t.Context(), usedAsset, "https://site.example/r.html"); err != nil {
		t.Fatal(err)
	}
	out, _, err := runUsage(t, map[string]string{"FOTOEMBED_STORE": r.URL}, usedAsset)
	if err != nil || !strings.HasSuffix(out, "  https://site.example/r.html\n") {
		t.Errorf("out %q, %v", out, err)
	}
}

func TestUsageCommandArgs(t *testing.T) {
	for _, args := range [][]string{{}, {"/a.info", "/b.info"}} {
		if _, _, err := runUsage(t, nil, args...); err == nil {
			t.Errorf("%q: no error", args)
		}
	}
	out, _, err := runUsage(t, nil, "-h")
	if err != nil || !strings.Contains(out, "Usage: fotoembed usage [flags] REF") {
		t.Errorf("-h: %q %v", out, err)
	}
}
