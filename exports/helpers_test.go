package exports_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/fotoembed/fotoembed/embed"
	"github.com/fotoembed/fotoembed/exports"
	"github.com/fotoembed/fotoembed/fotoweb"
	"github.com/fotoembed/fotoembed/fotoweb/fotowebtest"
	"github.com/fotoembed/fotoembed/fotoweb/tokens"
	"github.com/fotoembed/fotoembed/internal/testutil"
)

// quiet is a logger that discards.
var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// fakeFotoWeb is the fake FotoWeb behind a handler that counts EXPORT
// and HEAD requests and can answer chosen paths with a status of its own
// (a revoked export's URL: 404).
type fakeFotoWeb struct {
	*fotowebtest.Fake
	URL string

	mu      sync.Mutex
	exports int
	heads   int
	status  map[string]int // by request path
}

func (f *fakeFotoWeb) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	switch r.Method {
	case "EXPORT":
		f.exports++
	case http.MethodHead:
		f.heads++
	}
	code := f.status[r.URL.Path]
	f.mu.Unlock()
	if code != 0 {
		http.Error(w, http.StatusText(code), code)
		return
	}
	f.Fake.ServeHTTP(w, r)
}

// answer makes requests for rawURL's path get code (0: the fake's answer).
func (f *fakeFotoWeb) answer(t testing.TB, rawURL string, code int) {
	t.Helper()
	u, err := url.Parse(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.status[u.Path] = code
}

// counts returns the EXPORT and HEAD requests seen.
func (f *fakeFotoWeb) counts() (exports, heads int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.exports, f.heads
}

// env is a fake FotoWeb, a client of it and a settable clock.
type env struct {
	fw     *fakeFotoWeb
	client *fotoweb.Client
	clock  *testutil.Clock
}

func newEnv(t testing.TB) *env {
	t.Helper()
	clock := testutil.NewClock(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
	fw := &fakeFotoWeb{Fake: fotowebtest.New(fotowebtest.Options{Now: clock.Now}), status: map[string]int{}}
	srv := httptest.NewServer(fw)
	t.Cleanup(srv.Close)
	fw.URL = srv.URL
	fw.SetBaseURL(srv.URL)
	client, err := fotoweb.New(fotoweb.Config{BaseURL: srv.URL, Tokens: tokens.Static(fw.ServiceToken()), MaxAttempts: 1})
	if err != nil {
		t.Fatal(err)
	}
	return &env{fw: fw, client: client, clock: clock}
}

// exporter returns an Exporter on e's FotoWeb with l and cfg (Client,
// Ledger, Now and Logger filled in when zero).
func (e *env) exporter(t testing.TB, l exports.Ledger, cfg exports.Config) *exports.Exporter {
	t.Helper()
	cfg.Ledger = l
	if cfg.Client == nil {
		cfg.Client = e.client
	}
	if cfg.Now == nil {
		cfg.Now = e.clock.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = quiet
	}
	x, err := exports.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return x
}

// openFile opens a ledger file, closed at cleanup.
func openFile(t testing.TB, path string) *exports.FileLedger {
	t.Helper()
	l, err := exports.OpenFile(path, exports.FileOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

// ledgers are the in-process ledgers the exporter tests run on.
var ledgers = []struct {
	name string
	open func(t testing.TB) exports.Ledger
}{
	{"memory", func(t testing.TB) exports.Ledger { return exports.NewMemory() }},
	{"file", func(t testing.TB) exports.Ledger { return openFile(t, filepath.Join(t.TempDir(), "ledger.db")) }},
}

// export calls x.Export and fails t on error.
func export(t testing.TB, x *exports.Exporter, asset string, width int) embed.Exported {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	got, err := x.Export(ctx, embed.ExportRequest{Asset: asset, Width: width})
	if err != nil {
		t.Fatalf("Export(%s, %d): %v", asset, width, err)
	}
	return got
}

// hammer runs n callers per request, all released at once, and returns
// each request's answers. Errors fail t.
func hammer(t testing.TB, xs []*exports.Exporter, reqs []embed.ExportRequest, n int) [][]embed.Exported {
	t.Helper()
	got := make([][]embed.Exported, len(reqs))
	for i := range got {
		got[i] = make([]embed.Exported, n*len(xs))
	}
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i, req := range reqs {
		for j := range n * len(xs) {
			x := xs[j%len(xs)]
			wg.Go(func() {
				<-start
				ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
				defer cancel()
				e, err := x.Export(ctx, req)
				if err != nil {
					t.Errorf("Export(%s, %d): %v", req.Asset, req.Width, err)
				}
				got[i][j] = e
			})
		}
	}
	close(start)
	wg.Wait()
	return got
}

// sameAnswers fails t unless every answer to one request is the same
// non-empty export.
func sameAnswers(t testing.TB, reqs []embed.ExportRequest, got [][]embed.Exported) {
	t.Helper()
	for i, answers := range got {
		for _, a := range answers {
			if a.URL == "" || a != answers[0] {
				t.Errorf("%s at %d: answers differ: %+v and %+v", reqs[i].Asset, reqs[i].Width, a, answers[0])
				break
			}
		}
	}
}
