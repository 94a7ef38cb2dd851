// Package ledgertest checks that an [exports.Ledger] does what the
// interface promises. Each implementation's tests call [Run].
package ledgertest

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/fotoembed/fotoembed/exports"
)

// Run runs the conformance tests. open returns a new, empty ledger for
// each subtest and arranges its own cleanup.
func Run(t *testing.T, open func(t *testing.T) exports.Ledger) {
	tests := []struct {
		name string
		fn   func(t *testing.T, l exports.Ledger)
	}{
		{"GetPut", testGetPut},
		{"DeleteAsset", testDeleteAsset},
		{"Lock", testLock},
		{"Concurrent", testConcurrent},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.fn(t, open(t)) })
	}
}

// Record returns a full record whose URL names n.
func Record(n string) exports.Record {
	now := time.Date(2026, 3, 1, 12, 0, 0, 123456789, time.UTC)
	return exports.Record{
		URL: "https://fw.example/fotoweb/embed/2026/03/" + n + ".jpg", HighCompression: n + "_hc.jpg",
		DoubleResolution: n + "_2x.jpg", Width: 800, Height: 533, Publication: "https://site.example/",
		Created: now, Checked: now.Add(time.Hour), Remade: 2,
	}
}

var (
	assetA = "/fotoweb/archives/5001-Photos/a.jpg.info"
	assetB = assetA + "x" // assetA is a prefix of it
)

func testGetPut(t *testing.T, l exports.Ledger) {
	ctx := context.Background()
	keys := []exports.Key{
		{Asset: assetA}, {Asset: assetA, Width: 800}, {Asset: assetA, Width: 800, Preset: "/p/1"}, {Asset: assetB, Width: 800},
	}
	for i, k := range keys {
		if _, ok, err := l.Get(ctx, k); ok || err != nil {
			t.Fatalf("Get(%q) of an empty ledger: %v, %v", k, ok, err)
		}
		if err := l.Put(ctx, k, Record(string(rune('a'+i)))); err != nil {
			t.Fatalf("Put(%q): %v", k, err)
		}
	}
	replaced := Record("new")
	replaced.Remade = 3
	if err := l.Put(ctx, keys[0], replaced); err != nil {
		t.Fatal(err)
	}
	for i, k := range keys {
		want := Record(string(rune('a' + i)))
		if i == 0 {
			want = replaced
		}
		got, ok, err := l.Get(ctx, k)
		if !ok || err != nil {
			t.Fatalf("Get(%q): %v, %v", k, ok, err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("Get(%q) (-want +got):\n%s", k, diff)
		}
	}
}

func testDeleteAsset(t *testing.T, l exports.Ledger) {
	ctx := context.Background()
	for _, k := range []exports.Key{{Asset: assetA}, {Asset: assetA, Width: 400}, {Asset: assetA, Preset: "/p"}, {Asset: assetB}} {
		if err := l.Put(ctx, k, Record("x")); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []struct {
		asset string
		want  int
	}{{assetA, 3}, {assetA, 0}, {"/never.info", 0}, {assetB, 1}} {
		n, err := l.DeleteAsset(ctx, c.asset)
		if n != c.want || err != nil {
			t.Errorf("DeleteAsset(%s) = %d, %v; want %d", c.asset, n, err, c.want)
		}
		if _, ok, _ := l.Get(ctx, exports.Key{Asset: c.asset}); ok {
			t.Errorf("%s still recorded after DeleteAsset", c.asset)
		}
	}
	k := exports.Key{Asset: assetA, Width: 400}
	if err := l.Put(ctx, k, Record("again")); err != nil {
		t.Fatal(err)
	}
	if n, err := l.DeleteAsset(ctx, assetA); n != 1 || err != nil {
		t.Errorf("DeleteAsset after a new Put = %d, %v; want 1", n, err)
	}
}

func testLock(t *testing.T, l exports.Ledger) {
	ctx := context.Background()
	k, other := exports.Key{Asset: assetA}, exports.Key{Asset: assetA, Width: 1}
	unlock, err := l.Lock(ctx, k)
	if err != nil {
		t.Fatal(err)
	}
	short, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
	defer cancel()
	if u, err := l.Lock(short, k); err == nil {
		u()
		t.Fatal("a held lock was taken again")
	}
	u2, err := l.Lock(ctx, other)
	if err != nil {
		t.Fatalf("another key's lock: %v", err)
	}
	u2()
	got := make(chan error, 1)
	go func() {
		u, err := l.Lock(ctx, k)
		if err == nil {
			u()
		}
		got <- err
	}()
	unlock()
	unlock() // a second call does nothing
	if err := <-got; err != nil {
		t.Errorf("waiter after unlock: %v", err)
	}
}

func testConcurrent(t *testing.T, l exports.Ledger) {
	ctx := context.Background()
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			k := exports.Key{Asset: assetA, Width: i % 2}
			for range 20 {
				unlock, err := l.Lock(ctx, k)
				if err != nil {
					t.Error(err)
					return
				}
				if err := l.Put(ctx, k, Record("c")); err != nil {
					t.Error(err)
				}
				if _, _, err := l.Get(ctx, k); err != nil {
					t.Error(err)
				}
				unlock()
			}
		})
	}
	wg.Wait()
	if n, err := l.DeleteAsset(ctx, assetA); n != 2 || err != nil {
		t.Errorf("DeleteAsset = %d, %v; want 2", n, err)
	}
}
