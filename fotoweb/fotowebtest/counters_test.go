package fotowebtest

import (
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/fotoembed/fotoembed/internal/testutil"
)

// TestCountDistinctPrefix: a path requested twice counts twice in
// CountPrefix and once in CountDistinctPrefix; escaped and decoded
// prefixes agree; ResetCounters zeroes both.
func TestCountDistinctPrefix(t *testing.T) {
	s := newServer(t, Options{})
	tok := s.ServiceToken()
	for _, href := range []string{LandscapeAsset, LandscapeAsset, PortraitAsset} {
		if r := get(t, s, href, tok, ""); r.status != http.StatusOK {
			t.Fatalf("GET %s: %d", href, r.status)
		}
	}
	const archive = "/fotoweb/archives/5001-Photos/"
	if n, d := s.CountPrefix(archive), s.CountDistinctPrefix(archive); n != 3 || d != 2 {
		t.Errorf("%d requests to %d paths, want 3 to 2", n, d)
	}
	if d := s.CountDistinctPrefix(LandscapeAsset); d != 1 {
		t.Errorf("%d distinct paths for one (escaped) href, want 1", d)
	}
	s.ResetCounters()
	if d := s.CountDistinctPrefix("/"); d != 0 {
		t.Errorf("%d distinct paths after ResetCounters", d)
	}
}

// TestInFlight: a request held by a fault is in flight until answered.
func TestInFlight(t *testing.T) {
	s := newServer(t, Options{})
	tok := s.ServiceToken()
	if n := s.InFlight(); n != 0 {
		t.Fatalf("%d requests in flight on an idle fake", n)
	}
	hold := make(chan struct{})
	var once sync.Once
	release := func() { once.Do(func() { close(hold) }) }
	t.Cleanup(release) // before the server's Close, which waits for handlers
	s.SetFault(LandscapeAsset, Fault{Hang: hold})
	done := make(chan int, 1)
	go func() { done <- getBench(s.URL+LandscapeAsset, tok) }()
	testutil.WaitFor(t, time.Minute, "the request to be held", func() bool { return s.InFlight() == 1 })
	release()
	if st := <-done; st != http.StatusOK {
		t.Fatalf("released request: %d", st)
	}
	testutil.WaitFor(t, time.Minute, "the fake to be idle", func() bool { return s.InFlight() == 0 })
}
