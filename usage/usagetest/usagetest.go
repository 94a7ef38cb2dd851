// Package usagetest checks that a [usage.Store] does what the interface
// promises. Each implementation's tests call [Run].
package usagetest

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/fotoembed/fotoembed/internal/testutil"
	"github.com/fotoembed/fotoembed/usage"
)

// Open returns a new, empty store bounded by opts (whose Now is a fake
// clock reading whole seconds) and arranges its own cleanup.
type Open func(t *testing.T, opts usage.Options) usage.Store

// Run runs the conformance tests.
func Run(t *testing.T, open Open) {
	tests := []struct {
		name string
		fn   func(t *testing.T, open Open)
	}{
		{"RecordPages", testRecordPages},
		{"MinInterval", testMinInterval},
		{"MaxPages", testMaxPages},
		{"Forget", testForget},
		{"BadInput", testBadInput},
		{"Concurrent", testConcurrent},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.fn(t, open) })
	}
}

// Assets of the tests: AssetA is a prefix of AssetB.
const (
	AssetA = "/fotoweb/archives/5001-Photos/a.jpg.info"
	AssetB = AssetA + "x"
)

// start is the fake clock's first reading: whole seconds, as a Redis
// store keeps them.
var start = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// newClock returns a fake clock and options reading it.
func newClock(opts usage.Options) (*testutil.Clock, usage.Options) {
	c := testutil.NewClock(start)
	opts.Now = c.Now
	return c, opts
}

// record records pages in order, one second apart.
func record(t *testing.T, s usage.Store, c *testutil.Clock, asset string, pages ...string) {
	t.Helper()
	for _, p := range pages {
		c.Advance(time.Second)
		if err := s.Record(context.Background(), asset, p); err != nil {
			t.Fatalf("Record(%s, %s): %v", asset, p, err)
		}
	}
}

// Want fails unless s lists exactly want (pages, most recent first) with
// the seen times at (same length) for asset.
func Want(t *testing.T, s usage.Store, asset string, want []string, at []time.Time) {
	t.Helper()
	got, err := s.Pages(context.Background(), asset)
	if err != nil {
		t.Fatalf("Pages(%s): %v", asset, err)
	}
	var pages []string
	for i, u := range got {
		pages = append(pages, u.Page)
		if at != nil && i < len(at) && !u.Seen.Equal(at[i]) {
			t.Errorf("Pages(%s)[%d] %s seen %v, want %v", asset, i, u.Page, u.Seen, at[i])
		}
	}
	if diff := cmp.Diff(want, pages); diff != "" {
		t.Errorf("Pages(%s) (-want +got):\n%s", asset, diff)
	}
}

func sec(n int) time.Time { return start.Add(time.Duration(n) * time.Second) }

func testRecordPages(t *testing.T, open Open) {
	c, opts := newClock(usage.Options{MinInterval: -1})
	s := open(t, opts)
	Want(t, s, AssetA, nil, nil)
	record(t, s, c, AssetA, "https://site.example/a.html", "/b/", "https://site.example/c?x=1")
	record(t, s, c, AssetB, "/only-b")
	Want(t, s, AssetA, []string{"https://site.example/c?x=1", "/b/", "https://site.example/a.html"}, []time.Time{sec(3), sec(2), sec(1)})
	record(t, s, c, AssetA, "https://site.example/a.html") // seen again: first
	Want(t, s, AssetA, []string{"https://site.example/a.html", "https://site.example/c?x=1", "/b/"}, []time.Time{sec(5), sec(3), sec(2)})
	Want(t, s, AssetB, []string{"/only-b"}, []time.Time{sec(4)})
}

func testMinInterval(t *testing.T, open Open) {
	c, opts := newClock(usage.Options{MinInterval: time.Hour})
	s := open(t, opts)
	record(t, s, c, AssetA, "/p", "/q")
	c.Advance(30 * time.Minute)
	record(t, s, c, AssetA, "/p") // too soon: unchanged
	Want(t, s, AssetA, []string{"/q", "/p"}, []time.Time{sec(2), sec(1)})
	c.Advance(time.Hour)
	record(t, s, c, AssetA, "/p")
	Want(t, s, AssetA, []string{"/p", "/q"}, []time.Time{sec(2).Add(90*time.Minute + 2*time.Second), sec(2)})
}

func testMaxPages(t *testing.T, open Open) {
	c, opts := newClock(usage.Options{MinInterval: -1, MaxPagesPerAsset: 3})
	s := open(t, opts)
	record(t, s, c, AssetA, "/1", "/2", "/3", "/4")
	Want(t, s, AssetA, []string{"/4", "/3", "/2"}, nil)
	record(t, s, c, AssetA, "/2", "/5") // /2 seen again, so /3 is the oldest
	Want(t, s, AssetA, []string{"/5", "/2", "/4"}, nil)
	record(t, s, c, AssetB, "/1")
	Want(t, s, AssetB, []string{"/1"}, nil)
}

func testForget(t *testing.T, open Open) {
	c, opts := newClock(usage.Options{MinInterval: -1})
	s := open(t, opts)
	record(t, s, c, AssetA, "/1", "/2")
	record(t, s, c, AssetB, "/3")
	if err := s.Forget(context.Background(), AssetA); err != nil {
		t.Fatal(err)
	}
	if err := s.Forget(context.Background(), AssetA+"-never"); err != nil {
		t.Fatalf("Forget of an unknown asset: %v", err)
	}
	Want(t, s, AssetA, nil, nil)
	Want(t, s, AssetB, []string{"/3"}, nil)
	record(t, s, c, AssetA, "/2")
	Want(t, s, AssetA, []string{"/2"}, nil)
}

func testBadInput(t *testing.T, open Open) {
	_, opts := newClock(usage.Options{})
	s := open(t, opts)
	ctx := context.Background()
	for _, tt := range []struct{ asset, page string }{
		{"", "/p"}, {AssetA, ""}, {AssetA, "relative.html"}, {AssetA, "//host/p"}, {AssetA, "ftp://h/p"},
		{AssetA, "/a b"}, {AssetA, "/" + string(make([]byte, usage.MaxPageLen))},
	} {
		if err := s.Record(ctx, tt.asset, tt.page); err == nil {
			t.Errorf("Record(%q, %.40q): no error", tt.asset, tt.page)
		}
	}
	Want(t, s, AssetA, nil, nil)
}

func testConcurrent(t *testing.T, open Open) {
	_, opts := newClock(usage.Options{})
	s := open(t, opts)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 10 {
				if err := s.Record(context.Background(), AssetA, fmt.Sprintf("/g%d/p%d", g, i%5)); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	got, err := s.Pages(context.Background(), AssetA)
	if err != nil || len(got) != 40 {
		t.Errorf("after concurrent records: %d pages, %v; want 40", len(got), err)
	}
}
