package server

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/fotoembed/fotoembed/fotoweb/fotowebtest"
	"github.com/fotoembed/fotoembed/internal/testutil"
	"github.com/fotoembed/fotoembed/usage"
)

// buildHook is a static site's build hook under httptest: it keeps the
// body of every POST.
type buildHook struct {
	srv    *httptest.Server
	mu     sync.Mutex
	bodies []usage.HookBody
}

func newBuildHook(t *testing.T) *buildHook {
	h := &buildHook{}
	h.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var b usage.HookBody
		if err := json.NewDecoder(r.Body).Decode(&b); err != nil {
			t.Errorf("build hook body: %v", err)
		}
		h.mu.Lock()
		h.bodies = append(h.bodies, b)
		h.mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(h.srv.Close)
	return h
}

func (h *buildHook) posts() []usage.HookBody {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.bodies)
}

// usageOf answers GET /v1/usage?ref=ref and returns the pages, sorted.
func (e *env) usageOf(t *testing.T, ref string) (string, []string) {
	t.Helper()
	r := e.api(http.MethodGet, "/v1/usage?ref="+url.QueryEscape(ref), nil)
	wantStatus(t, r, http.StatusOK)
	var ans struct {
		Asset string      `json:"asset"`
		Pages []usage.Use `json:"pages"`
	}
	decode(t, r, &ans)
	var pages []string
	for _, u := range ans.Pages {
		if u.Seen.IsZero() {
			t.Errorf("page %s has no seen time", u.Page)
		}
		pages = append(pages, u.Page)
	}
	slices.Sort(pages)
	return ans.Asset, pages
}

// TestWhereUsed is the whole flow: /v1/resolve items and /v1/embed name
// their pages, GET /v1/usage lists them per asset, and when FotoWeb
// deletes an asset the build hook is asked to rebuild exactly the pages
// that use it.
func TestWhereUsed(t *testing.T) {
	hook := newBuildHook(t)
	store := usage.NewMemory()
	rb, err := usage.NewRebuilder(usage.RebuilderConfig{URL: hook.srv.URL + "/hook", Debounce: time.Millisecond})
	must(t, err)
	t.Cleanup(func() { rb.Close() })
	e := newEnv(t, envOptions{configure: func(c *Config) { c.Usage, c.Rebuilder = store, rb }})

	r := e.api(http.MethodPost, "/v1/resolve", map[string]any{"items": []map[string]any{
		{"ref": fotowebtest.LandscapeAsset, "width": 600, "page": "https://site.example/a.html"},
		{"ref": e.fake.URL + fotowebtest.LandscapeAsset, "page": "/blog/b.html"}, // another spelling of it
		{"ref": fotowebtest.PortraitAsset, "page": "/blog/c.html"},
		{"ref": fotowebtest.SquareAsset}, // no page: nothing recorded
		{"ref": fotowebtest.SquareAsset, "page": "not a page"},
	}})
	wantStatus(t, r, http.StatusOK)
	var res struct{ Results []itemResult }
	decode(t, r, &res)
	for i, it := range res.Results[:4] {
		if it.Error != "" {
			t.Fatalf("item %d: %s", i, it.Error)
		}
	}
	if msg := res.Results[4].Error; !strings.HasPrefix(msg, "page must be") {
		t.Errorf("item with a bad page: error %q", msg)
	}
	wantStatus(t, e.api(http.MethodGet, "/v1/embed?ref="+url.QueryEscape(fotowebtest.LandscapeAsset)+"&page=%2Fd.html", nil), http.StatusOK)
	bad := e.api(http.MethodGet, "/v1/embed?ref="+url.QueryEscape(fotowebtest.LandscapeAsset)+"&page=javascript:alert(1)", nil)
	wantStatus(t, bad, http.StatusBadRequest)
	if !strings.Contains(string(bad.body), "page must be") {
		t.Errorf("bad page: %s", bad.body)
	}

	landscape := []string{"/blog/b.html", "/d.html", "https://site.example/a.html"}
	asset, pages := e.usageOf(t, e.fake.URL+fotowebtest.LandscapeAsset)
	if asset != fotowebtest.LandscapeAsset || !slices.Equal(pages, landscape) {
		t.Errorf("usage of the landscape: %s %q, want %q", asset, pages, landscape)
	}
	if _, pages := e.usageOf(t, fotowebtest.PortraitAsset); !slices.Equal(pages, []string{"/blog/c.html"}) {
		t.Errorf("usage of the portrait: %q", pages)
	}
	if _, pages := e.usageOf(t, fotowebtest.SquareAsset); len(pages) != 0 {
		t.Errorf("usage of the square, never given a page: %q", pages)
	}

	e.fake.DeleteAsset(fotowebtest.LandscapeAsset)
	status, err := e.fake.EmitWebhook(context.Background(), e.ts.URL+hookPrefix+testHookSecret, fotowebtest.AssetDeleted, fotowebtest.LandscapeAsset)
	must(t, err)
	if status != http.StatusNoContent {
		t.Fatalf("webhook: status %d", status)
	}
	testutil.WaitFor(t, 10*time.Second, "the build hook called", func() bool { return len(hook.posts()) == 1 })
	got := hook.posts()[0]
	slices.Sort(got.Pages)
	want := usage.HookBody{Asset: fotowebtest.LandscapeAsset, Reason: "deleted", Pages: landscape}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("build hook body (-want +got):\n%s", diff)
	}
	// The hook sees the POST before the rebuilder counts its answer.
	testutil.WaitFor(t, 10*time.Second, "the rebuild counted", func() bool { return rb.Stats().Sent == 1 })
	if st := rb.Stats(); st.Sent != 1 || st.Failed != 0 {
		t.Errorf("rebuilder stats %+v", st)
	}
}

// TestUsageErrors: bad and missing refs, no API key, no usage store.
func TestUsageErrors(t *testing.T) {
	e := newEnv(t, envOptions{configure: func(c *Config) { c.Usage = usage.NewMemory() }})
	wantStatus(t, e.api(http.MethodGet, "/v1/usage", nil), http.StatusBadRequest)
	wantStatus(t, e.api(http.MethodGet, "/v1/usage?ref=https://evil.example/fotoweb/archives/5001-Photos/a.jpg.info", nil), http.StatusBadRequest)
	wantStatus(t, e.get("/v1/usage?ref="+url.QueryEscape(fotowebtest.LandscapeAsset)), http.StatusUnauthorized)

	none := newEnv(t, envOptions{})
	r := none.api(http.MethodGet, "/v1/usage?ref="+url.QueryEscape(fotowebtest.LandscapeAsset), nil)
	wantStatus(t, r, http.StatusNotFound)
	if !strings.Contains(string(r.body), "no usage store is configured") {
		t.Errorf("without a usage store: %s", r.body)
	}
}

// failingUsage is a usage store that cannot record.
type failingUsage struct{ usage.Store }

func (failingUsage) Record(context.Context, string, string) error {
	return errors.New("usage: disk full")
}

// TestUsageRecordFailure: a page that cannot be recorded is logged and
// the request still answers.
func TestUsageRecordFailure(t *testing.T) {
	usageLog.mu.Lock()
	usageLog.last, usageLog.n = time.Time{}, 0 // the limit is process-wide
	usageLog.mu.Unlock()
	e := newEnv(t, envOptions{configure: func(c *Config) { c.Usage = failingUsage{usage.NewMemory()} }})
	for range 3 {
		r := e.api(http.MethodGet, "/v1/embed?ref="+url.QueryEscape(fotowebtest.LandscapeAsset)+"&page=/p.html", nil)
		wantStatus(t, r, http.StatusOK)
	}
	if n := strings.Count(e.logs.String(), "usage: disk full"); n != 1 {
		t.Errorf("%d log lines for 3 failures within a minute, want 1:\n%s", n, e.logs.String())
	}
}
