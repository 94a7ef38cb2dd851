package embed

import (
	"context"
	"fmt"
	"runtime"
	"sync/atomic"
	"testing"
)

// benchStore returns a default store holding n entries under realistic
// hrefs, and the hrefs. The entry stays in use until the benchmark ends,
// so that a Get hands it out (see BenchmarkMemoryStoreGetUnpack for one
// no longer in use).
func benchStore(b *testing.B, n int) (*MemoryStore, []string) {
	b.Helper()
	s := NewMemoryStore(0)
	keys := make([]string, n)
	e := &Entry{Info: info(landscape())}
	for i := range keys {
		keys[i] = fmt.Sprintf("/fotoweb/archives/5001-Photos/Synthetic/synthetic-%05d.jpg.info", i)
		s.Set(context.Background(), keys[i], e, DefaultTTL)
	}
	b.Cleanup(func() { runtime.KeepAlive(e) })
	return s, keys
}

// BenchmarkMemoryStoreGet is a hit in a store of 10,000 entries.
func BenchmarkMemoryStoreGet(b *testing.B) {
	s, keys := benchStore(b, 10_000)
	benchGets(b, s, keys)
}

// benchGets gets the keys from s in turn, b.N times; every one must hit.
func benchGets(b *testing.B, s *MemoryStore, keys []string) {
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, ok := s.Get(context.Background(), keys[i%len(keys)]); !ok {
			b.Fatal("miss")
		}
		i++
	}
}

// BenchmarkMemoryStoreGetParallel is hits from every core at once.
func BenchmarkMemoryStoreGetParallel(b *testing.B) {
	s, keys := benchStore(b, 10_000)
	var seq atomic.Uint64
	b.ReportAllocs()
	b.ResetTimer() // the setup packs 10,000 entries
	b.RunParallel(func(pb *testing.PB) {
		i := int(seq.Add(7919))
		for pb.Next() {
			if _, ok := s.Get(context.Background(), keys[i%len(keys)]); !ok {
				b.Error("miss")
				return
			}
			i++
		}
	})
}

// BenchmarkMemoryStoreSetEvict is a store of a new entry into a full
// store (one eviction each).
func BenchmarkMemoryStoreSetEvict(b *testing.B) {
	s := NewBoundedMemoryStore(MemoryStoreConfig{MaxEntries: 10_000})
	e := &Entry{Info: info(landscape())}
	keys := make([]string, 50_000)
	for i := range keys {
		keys[i] = fmt.Sprintf("/fotoweb/archives/5001-Photos/Synthetic/synthetic-%05d.jpg.info", i)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		s.Set(context.Background(), keys[i%len(keys)], e, DefaultTTL)
		i++
	}
}

// BenchmarkMemoryStoreGetUnpack is a hit on an entry nothing uses any
// more (collected): it is unpacked anew.
func BenchmarkMemoryStoreGetUnpack(b *testing.B) {
	s, keys := benchStore(b, 10_000)
	unpackCheck = func(_, unpacked *Entry) *Entry { return unpacked }
	b.Cleanup(func() { unpackCheck = nil })
	benchGets(b, s, keys)
}

// BenchmarkPackInfo packs a typical asset (what Set adds per fetch).
func BenchmarkPackInfo(b *testing.B) {
	in := info(landscape())
	b.ReportAllocs()
	for b.Loop() {
		packInfo(in.Href, in)
	}
}

// BenchmarkUnpackInfo unpacks it.
func BenchmarkUnpackInfo(b *testing.B) {
	in := info(landscape())
	p := packInfo(in.Href, in)
	b.ReportAllocs()
	for b.Loop() {
		var got Info
		if err := unpackInfo(in.Href, p, &got); err != nil {
			b.Fatal(err)
		}
	}
}
