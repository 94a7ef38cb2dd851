package purge

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/fotoembed/fotoembed/internal/testutil"
)

// Recognisable secrets: no log line may hold them.
const (
	testFastlyToken = "FASTLY-TOKEN-never-logged-0123"
	testCFToken     = "CF-TOKEN-never-logged-4567"
	testHookSecret  = "HOOK-SECRET-never-logged-89ab"
)

// testAsset is an asset href; testTag its tag.
const testAsset = "/fotoweb/archives/5001-Photos/Folder%2019/harbour.jpg.info"

var testTag = Tag(testAsset)

// recorded is one request a stand-in received.
type recorded struct {
	Method, Path string
	Header       http.Header
	Body         string
}

// standIn is a local stand-in for a purge endpoint on 127.0.0.1. answer
// writes the n-th answer (1-based); nil answers 200 with body ok.
type standIn struct {
	*httptest.Server
	answer func(n int, w http.ResponseWriter)

	mu   sync.Mutex
	reqs []recorded
}

func newStandIn(t *testing.T, ok string, answer func(n int, w http.ResponseWriter)) *standIn {
	t.Helper()
	s := &standIn{answer: answer}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		s.mu.Lock()
		s.reqs = append(s.reqs, recorded{r.Method, r.URL.EscapedPath(), r.Header.Clone(), string(b)})
		n := len(s.reqs)
		s.mu.Unlock()
		if s.answer != nil {
			s.answer(n, w)
			return
		}
		io.WriteString(w, ok)
	}))
	t.Cleanup(s.Close)
	return s
}

// requests returns what was received so far.
func (s *standIn) requests() []recorded {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]recorded(nil), s.reqs...)
}

func (s *standIn) count() int { return len(s.requests()) }

// newTestPurger builds a purger with fast retries and a captured log,
// closed at cleanup.
func newTestPurger(t *testing.T, cfg Config) (*Purger, *testutil.SyncBuffer) {
	t.Helper()
	logs := &testutil.SyncBuffer{}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(logs, nil))
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = 10 * time.Second
	}
	if cfg.BackoffBase == 0 {
		cfg.BackoffBase, cfg.BackoffMax = time.Millisecond, 10*time.Millisecond
	}
	if cfg.MaxAttempts == 0 {
		cfg.MaxAttempts = 3
	}
	p, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p, logs
}

// waitCount waits until the purger counted n outcomes for backend.
func waitCount(t *testing.T, p *Purger, backend, outcome string, n uint64) {
	t.Helper()
	testutil.WaitFor(t, 20*time.Second, backend+" "+outcome+" count", func() bool { return p.Count(backend, outcome) >= n })
	if got := p.Count(backend, outcome); got != n {
		t.Fatalf("%s %s: %d, want %d", backend, outcome, got, n)
	}
}
