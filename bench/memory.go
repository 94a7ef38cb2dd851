package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/fotoembed/fotoembed/embed"
	"github.com/fotoembed/fotoembed/fotoweb"
	"github.com/fotoembed/fotoembed/fotoweb/fotowebtest"
	"github.com/fotoembed/fotoembed/urlsig"
)

// MemoryReport is what [MeasureMemory] found: the process's heap in use
// and resident size, after a GC, before and after filling the cache.
type MemoryReport struct {
	// Entries is the number of cached assets.
	Entries int
	// Live, Heap and RSS hold the process's live heap (HeapAlloc), heap
	// in use (HeapInuse, whole spans) and resident size, in bytes, at
	// three stages: empty cache, cache filled, and every entry also
	// rendered once as an <img> (which memoises its signed preview paths
	// in the entry).
	Live, Heap, RSS [3]uint64
	// JSONBytes is the average size of the FotoWeb asset representations
	// the entries were decoded from.
	JSONBytes int
	// Estimate is the store's own estimate of the bytes it holds
	// (embed.StoreStats.Bytes) at the same stages; it includes from the
	// start what rendering adds (the memoised signed paths).
	Estimate [3]uint64
}

// PerEntry returns live heap, heap in use and RSS bytes per entry for
// stage 1 (cached) or 2 (cached and rendered), relative to the empty
// cache.
func (m *MemoryReport) PerEntry(stage int) (live, heap, rss float64) {
	per := func(a [3]uint64) float64 { return (float64(a[stage]) - float64(a[0])) / float64(m.Entries) }
	return per(m.Live), per(m.Heap), per(m.RSS)
}

// MeasureMemory fills a resolver's in-process store (an
// embed.MemoryStore without limits, so that all n stay) with n realistic
// entries through Resolve, as the service does: each decoded anew from a
// FotoWeb asset representation (one of the
// fake's seed images, so every string is the entry's own) and turned into
// an embed.Info. It reads
// runtime.MemStats.HeapInuse and VmRSS after a GC before and after.
func MeasureMemory(ctx context.Context, n int) (*MemoryReport, error) {
	fake, err := StartFake("", fotowebtest.Options{})
	if err != nil {
		return nil, err
	}
	defer fake.Close()
	src, err := newCloneSource(fake)
	if err != nil {
		return nil, err
	}
	// A store without limits (the defaults would evict), so that every
	// entry is measured.
	store := embed.NewBoundedMemoryStore(embed.MemoryStoreConfig{MaxEntries: -1, MaxBytes: -1})
	res, err := embed.NewResolver(embed.ResolverConfig{Source: src, TTL: time.Hour, Store: store})
	if err != nil {
		return nil, err
	}
	signer, err := urlsig.New(urlsig.Config{Keys: [][]byte{DefaultSigningKey}})
	if err != nil {
		return nil, err
	}
	emb, err := embed.New(embed.Config{Resolver: res, Signer: signer, BaseURL: "https://img.example.com"})
	if err != nil {
		return nil, err
	}
	refs := make([]string, n) // made before the first measurement: not part of the entries
	for i := range refs {
		refs[i] = src.ref(i)
	}
	m := &MemoryReport{Entries: n, JSONBytes: src.avgJSON()}
	m.Live[0], m.Heap[0], m.RSS[0] = settledUsage()
	m.Estimate[0] = uint64(store.StoreStats().Bytes)
	for _, ref := range refs {
		if _, err := res.Resolve(ctx, ref); err != nil {
			return nil, err
		}
	}
	m.Live[1], m.Heap[1], m.RSS[1] = settledUsage()
	m.Estimate[1] = uint64(store.StoreStats().Bytes)
	for _, ref := range refs {
		in, err := res.Resolve(ctx, ref)
		if err != nil {
			return nil, err
		}
		if _, err := emb.RenderImg(in, embed.Options{Width: 800, Alt: "x"}); err != nil {
			return nil, err
		}
	}
	m.Live[2], m.Heap[2], m.RSS[2] = settledUsage()
	m.Estimate[2] = uint64(store.StoreStats().Bytes)
	if got := store.Len(); got != n {
		return nil, fmt.Errorf("bench: the store holds %d entries, want %d", got, n)
	}
	runtime.KeepAlive(refs)
	return m, nil
}

// settledUsage collects garbage, returns freed memory to the OS and reads
// live heap, heap in use and resident size.
func settledUsage() (live, heap, rss uint64) {
	runtime.GC()
	debug.FreeOSMemory()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	rss, _ = ReadRSS()
	return ms.HeapAlloc, ms.HeapInuse, rss
}

// cloneSource is an embed.AssetSource answering from the fake's seed
// images' JSON: the i-th entry's href is the (i mod 13)-th warm asset's
// with "-i" before ".info", and its representation is that asset's JSON
// decoded anew, so every string in it is the entry's own. References are
// parsed by a real fotoweb.Client.
type cloneSource struct {
	*fotoweb.Client
	tpl [][]byte // asset JSON, by warm asset
}

// newCloneSource fetches the templates from the fake.
func newCloneSource(fake *Fake) (*cloneSource, error) {
	cl, err := fotoweb.New(fotoweb.Config{BaseURL: fake.URL})
	if err != nil {
		return nil, err
	}
	s := &cloneSource{Client: cl}
	tok := fake.UserToken()
	for _, href := range WarmAssets {
		req, err := http.NewRequest(http.MethodGet, fake.URL+href, nil)
		if err != nil {
			return nil, err
		}
		req.Header.Set("Authorization", "Bearer "+tok)
		req.Header.Set("Accept", "application/vnd.fotoware.asset+json")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			return nil, err
		}
		b, err := io.ReadAll(res.Body)
		res.Body.Close()
		if err != nil || res.StatusCode != http.StatusOK {
			return nil, fmt.Errorf("bench: fetching %s: %d %v", href, res.StatusCode, err)
		}
		s.tpl = append(s.tpl, b)
	}
	return s, nil
}

// ref returns the href of the i-th entry.
func (s *cloneSource) ref(i int) string {
	return strings.TrimSuffix(WarmAssets[i%len(s.tpl)], ".info") + fmt.Sprintf("-%d.info", i)
}

// Asset implements embed.AssetSource: the JSON of ref's template, decoded.
func (s *cloneSource) Asset(_ context.Context, ref string) (*fotoweb.Asset, error) {
	rest := strings.TrimSuffix(ref, ".info")
	i, err := strconv.Atoi(rest[strings.LastIndexByte(rest, '-')+1:])
	if err != nil {
		return nil, fmt.Errorf("bench: %q is not a cloned asset", ref)
	}
	var a fotoweb.Asset
	if err := json.Unmarshal(s.tpl[i%len(s.tpl)], &a); err != nil {
		return nil, err
	}
	a.Href = ref
	return &a, nil
}

// avgJSON is the templates' average size in bytes.
func (s *cloneSource) avgJSON() int {
	t := 0
	for _, b := range s.tpl {
		t += len(b)
	}
	return t / len(s.tpl)
}
