package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fotoembed/fotoembed/fotoweb/fotowebtest"
	"github.com/fotoembed/fotoembed/internal/testutil"
)

// hookLog is a static host's build hook: it keeps every body POSTed.
type hookLog struct {
	mu     sync.Mutex
	bodies []map[string]any
}

func (h *hookLog) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var b map[string]any
	json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&b)
	h.mu.Lock()
	h.bodies = append(h.bodies, b)
	h.mu.Unlock()
	w.WriteHeader(http.StatusNoContent)
}

// pages returns the pages of every POST so far, sorted.
func (h *hookLog) pages() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []string
	for _, b := range h.bodies {
		ps, _ := b["pages"].([]any)
		for _, p := range ps {
			out = append(out, p.(string))
		}
	}
	slices.Sort(out)
	return out
}

// TestWhereUsedRebuild: a site is rewritten through the service, which
// records the pages; `fotoembed usage` lists them; the asset is deleted
// in FotoWeb and its webhook arrives: the build hook receives exactly
// the pages that use it.
func TestWhereUsedRebuild(t *testing.T) {
	fake := fotowebtest.NewServer(fotowebtest.Options{})
	t.Cleanup(fake.Close)
	hook := &hookLog{}
	hs := httptest.NewServer(hook)
	t.Cleanup(hs.Close)
	dir := t.TempDir()
	srv := start(t, fakeEnv(fake, "FOTOEMBED_EXPORT_LEDGER", filepath.Join(dir, "exports.db"),
		"FOTOEMBED_REBUILD_URL", hs.URL+"/build", "FOTOEMBED_REBUILD_DEBOUNCE", "10ms"), "serve", "--addr", "127.0.0.1:0")
	base := srv.waitReady().URL

	site := filepath.Join(dir, "site")
	pages := map[string]string{
		"index.html":      `<img src="fotoweb:` + fotowebtest.LandscapeAsset + `" alt="Boats" width="600">`,
		"news/a.html":     `<p><img data-fotoweb="` + fotowebtest.LandscapeAsset + `" alt="" width="300"></p>`,
		"about/team.html": `<img src="fotoweb:` + fotowebtest.PortraitAsset + `" alt="Lighthouse" width="300">`,
	}
	for name, body := range pages {
		p := filepath.Join(site, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("<!DOCTYPE html><title>t</title>"+body+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	env := envOf(map[string]string{"FOTOEMBED_SERVICE_URL": base, "FOTOEMBED_API_KEY": testAPIKey, "FOTOEMBED_FOTOWEB_URL": fake.URL})
	var out, errb testutil.SyncBuffer
	if err := run(t.Context(), []string{"rewrite", "--site-url", "https://www.example.org/", site}, env, &out, &errb); err != nil {
		t.Fatalf("rewrite: %v\n%s", err, errb.String())
	}
	want := []string{"https://www.example.org/index.html", "https://www.example.org/news/a.html"}
	listed, _, err := runUsage(t, map[string]string{"FOTOEMBED_SERVICE_URL": base, "FOTOEMBED_API_KEY": testAPIKey}, "--json", fotowebtest.LandscapeAsset)
	if err != nil {
		t.Fatalf("usage: %v", err)
	}
	for _, w := range want {
		if !strings.Contains(listed, w) {
			t.Errorf("fotoembed usage does not list %s:\n%s", w, listed)
		}
	}
	if strings.Contains(listed, "team") {
		t.Errorf("fotoembed usage lists a page of another asset:\n%s", listed)
	}

	fake.DeleteAsset(fotowebtest.LandscapeAsset)
	status, err := fake.EmitWebhook(context.Background(), base+"/hooks/fotoweb/"+testHookSecret, fotowebtest.AssetDeleted, fotowebtest.LandscapeAsset)
	if err != nil || status != http.StatusNoContent {
		t.Fatalf("webhook: %d %v", status, err)
	}
	testutil.WaitFor(t, 10*time.Second, "the build hook", func() bool { return len(hook.pages()) > 0 })
	if got := hook.pages(); !slices.Equal(got, want) {
		t.Errorf("build hook got pages %q, want %q", got, want)
	}
}
