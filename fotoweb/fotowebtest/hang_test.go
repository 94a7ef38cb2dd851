package fotowebtest

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/fotoembed/fotoembed/internal/testutil"
)

// TestFaultHang: a request under a Hang fault is held until the channel
// is closed, then answered (normally, or with the fault's Status); other
// paths answer meanwhile.
func TestFaultHang(t *testing.T) {
	s := newServer(t, Options{})
	tok := s.ServiceToken()
	release := make(chan struct{})
	var once sync.Once
	unhang := func() { once.Do(func() { close(release) }) }
	t.Cleanup(unhang) // before the server's Close, which waits for handlers
	s.SetFault(LandscapeAsset, Fault{Hang: release})
	s.SetFault(SquareAsset, Fault{Hang: release, Status: http.StatusServiceUnavailable})

	results := make(chan int, 2) // statuses; 0 for a client error
	for _, p := range []string{LandscapeAsset, SquareAsset} {
		go func() { results <- getBench(s.URL+p, tok) }() // no t.Fatal off the test goroutine
	}
	testutil.WaitFor(t, 10*time.Second, "both requests to reach the fake", func() bool {
		return s.Count(LandscapeAsset) == 1 && s.Count(SquareAsset) == 1
	})
	if r := get(t, s, "/fotoweb/me", tok, ""); r.status != http.StatusOK {
		t.Fatalf("another path while hanging: %d", r.status)
	}
	select {
	case st := <-results:
		t.Fatalf("a hanging request was answered (%d) before release", st)
	default:
	}
	unhang()
	got := map[int]int{}
	for range 2 {
		got[<-results]++
	}
	if got[http.StatusOK] != 1 || got[http.StatusServiceUnavailable] != 1 {
		t.Errorf("after release: statuses %v, want one 200 and one 503", got)
	}
}

// TestFaultHangClientGone: a hanging request ends when its client goes
// away, so that the server can close without releasing the fault.
func TestFaultHangClientGone(t *testing.T) {
	s := NewServer(Options{})
	never := make(chan struct{})
	s.SetFault("/fotoweb/", Fault{Hang: never})
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.URL+"/fotoweb/", nil)
	done := make(chan error, 1)
	go func() {
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
		}
		done <- err
	}()
	testutil.WaitFor(t, 10*time.Second, "the request to reach the fake", func() bool { return s.Count("/fotoweb/") == 1 })
	cancel()
	if err := <-done; err == nil {
		t.Error("a hanging request was answered")
	}
	closed := make(chan struct{})
	go func() { s.Close(); close(closed) }()
	select {
	case <-closed:
	case <-time.After(30 * time.Second): // a liveness bound, not a timing assertion
		t.Fatal("Close blocked: the hanging handler did not end with its client")
	}
}
