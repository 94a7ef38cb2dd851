package redisstore

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/fotoembed/fotoembed/exports"
	"github.com/fotoembed/fotoembed/exports/ledgertest"
	"github.com/fotoembed/fotoembed/internal/redistest"
)

// TestLedgerConformance: the Redis ledger does what exports.Ledger
// promises; each subtest has a key prefix of its own.
func TestLedgerConformance(t *testing.T) {
	r := redistest.Start(t)
	var n atomic.Int64
	ledgertest.Run(t, func(t *testing.T) exports.Ledger {
		return newStore(t, r, Config{KeyPrefix: "conf" + strconv.FormatInt(n.Add(1), 10) + ":"}).Ledger()
	})
}

// TestLedgerStorage: records live under the store's prefix, are shared
// by replicas, never expire, and are not visible under another prefix.
func TestLedgerStorage(t *testing.T) {
	r := redistest.Start(t)
	ctx := context.Background()
	a := newStore(t, r, Config{KeyPrefix: "site1:"})
	b := newStore(t, r, Config{KeyPrefix: "site1:"})
	other := newStore(t, r, Config{KeyPrefix: "site2:"})
	k := exports.Key{Asset: "/a.info", Width: 800}
	rec := ledgertest.Record("r")
	if err := a.Ledger().Put(ctx, k, rec); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		s      *Store
		wantOK bool
	}{
		{"same prefix", b, true},
		{"other prefix", other, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok, err := tt.s.Ledger().Get(ctx, k)
			if err != nil || ok != tt.wantOK {
				t.Fatalf("Get = %v, %v; want found=%v", ok, err, tt.wantOK)
			}
			if ok && got.URL != rec.URL {
				t.Errorf("URL %q, want %q", got.URL, rec.URL)
			}
		})
	}
	for _, key := range []string{"site1:export:" + k.String(), "site1:exports-of:/a.info"} {
		if d := pttl(t, a, key); d != -1 {
			t.Errorf("%q: PTTL %v, want -1 (no expiry)", key, d)
		}
	}
}

// TestLedgerErrors: a corrupt record and an unreachable Redis are
// errors naming the asset, never a miss.
func TestLedgerErrors(t *testing.T) {
	r := redistest.Start(t)
	ctx := context.Background()
	s := newStore(t, r, Config{KeyPrefix: "err:"})
	l := s.Ledger()
	bad := exports.Key{Asset: "/corrupt.info"}
	if err := s.rdb.Set(ctx, "err:export:"+bad.String(), "{not json", 0).Err(); err != nil {
		t.Fatal(err)
	}
	_, ok, err := l.Get(ctx, bad)
	if !errors.Is(err, exports.ErrCorrupt) || ok || !strings.Contains(err.Error(), "/corrupt.info") {
		t.Errorf("corrupt record: %v, %v; want ErrCorrupt naming the asset", ok, err)
	}

	r.Kill()
	k := exports.Key{Asset: "/down.info"}
	calls := []struct {
		name string
		call func() error
	}{
		{"Get", func() error { _, _, err := l.Get(ctx, k); return err }},
		{"Put", func() error { return l.Put(ctx, k, ledgertest.Record("d")) }},
		{"Lock", func() error { _, err := l.Lock(ctx, k); return err }},
		{"DeleteAsset", func() error { _, err := l.DeleteAsset(ctx, k.Asset); return err }},
	}
	for _, c := range calls {
		t.Run(c.name, func(t *testing.T) {
			err := c.call()
			if err == nil || !strings.Contains(err.Error(), "/down.info") {
				t.Errorf("with Redis down: %v; want an error naming the asset", err)
			}
		})
	}
}
