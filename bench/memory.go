package bench

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
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
	// rendered once as an <img> (its signed preview paths are memoised
	// in the Info handed out, which the store does not keep: see
	// embed.MemoryStore.Get).
	Live, Heap, RSS [3]uint64
	// JSONBytes is the average size of the FotoWeb asset representations
	// the entries were decoded from.
	JSONBytes int
	// Estimate is the store's own estimate of the bytes it holds
	// (embed.StoreStats.Bytes) at the same stages.
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

// ServiceMemoryConfig configures [MeasureServiceMemory].
type ServiceMemoryConfig struct {
	// Assets is the number of distinct assets resolved and rendered
	// (default 200,000).
	Assets int
	// Concurrency is the number of /v1/resolve requests in flight
	// (default 4).
	Concurrency int
	// Command returns the command that runs the service process: one
	// that calls [ServeMemoryChild] with fotowebURL, its standard input
	// and output. Nil runs the service in this process (for tests: its
	// figures then include the fake and the load).
	Command func(fotowebURL string) *exec.Cmd
	// Progress receives a line every 10% of the assets; nil is quiet.
	Progress io.Writer
}

// ProcessMemory is the service process's memory at one moment, read in
// this order: VmRSS and VmHWM as it runs, HeapInuse as it runs, then the
// live heap (HeapAlloc) after a forced collection, and what its cache
// holds.
type ProcessMemory struct {
	RSS, HWM  uint64 // resident size now and at its peak, bytes
	HeapInuse uint64 // heap spans in use, before the collection
	Live      uint64 // live heap after the collection
	Entries   int    // cached assets
	Estimate  int64  // the cache's estimate of its bytes
}

// ServiceMemoryReport is what [MeasureServiceMemory] found.
type ServiceMemoryReport struct {
	Assets      int
	Concurrency int
	// Start is the service's memory after start-up and the warm set, End
	// after every asset was resolved and rendered.
	Start, End ProcessMemory
	// Requests is the number of /v1/resolve requests; Duration how long
	// they took.
	Requests int
	Duration time.Duration
}

// PerAsset returns a figure of End (total) and of End - Start (growth)
// divided by the assets.
func (r *ServiceMemoryReport) PerAsset(f func(ProcessMemory) uint64) (total, growth float64) {
	n := float64(r.Assets)
	return float64(f(r.End)) / n, (float64(f(r.End)) - float64(f(r.Start))) / n
}

// MeasureServiceMemory measures the memory a running service holds per
// asset: it serves the fake FotoWeb with cfg.Assets synthetic images in
// this process, starts fotoembed (wired as `fotoembed serve` wires it,
// with a cache without limits, as `--cache-max-entries 0
// --cache-max-bytes 0` makes it, so that every asset stays) in a process
// of its own, and has it resolve and render every asset once through
// POST /v1/resolve (BatchSize items per request, as an <img> 800 pixels
// wide with signed URLs), reading the service's memory before and after.
func MeasureServiceMemory(ctx context.Context, cfg ServiceMemoryConfig) (*ServiceMemoryReport, error) {
	if cfg.Assets <= 0 {
		cfg.Assets = 200_000
	}
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = 4
	}
	fake, err := StartFake("", fotowebtest.Options{ExtraAssets: cfg.Assets})
	if err != nil {
		return nil, err
	}
	defer fake.Close()
	var refs []string
	for _, href := range fake.Assets() {
		if strings.Contains(href, "/Synthetic/synthetic-") {
			refs = append(refs, href)
		}
	}
	if len(refs) != cfg.Assets {
		return nil, fmt.Errorf("bench: the fake has %d synthetic assets, want %d", len(refs), cfg.Assets)
	}
	svc, err := startMemoryChild(ctx, cfg.Command, fake.URL)
	if err != nil {
		return nil, err
	}
	defer svc.close()
	r := &ServiceMemoryReport{Assets: cfg.Assets, Concurrency: cfg.Concurrency}
	warm := slices.DeleteFunc(slices.Clone(WarmAssets), func(href string) bool {
		return href == fotowebtest.NoCaptionAsset // no alt text: its HTML needs the caller's
	})
	if err := resolveAll(ctx, svc.url, warm, 1, nil); err != nil {
		return nil, fmt.Errorf("bench: the warm set: %w", err)
	}
	if r.Start, err = svc.measure(); err != nil {
		return nil, err
	}
	start := time.Now()
	if err := resolveAll(ctx, svc.url, refs, cfg.Concurrency, cfg.Progress); err != nil {
		return nil, err
	}
	r.Duration = time.Since(start)
	r.Requests = (len(refs) + BatchSize - 1) / BatchSize
	if r.End, err = svc.measure(); err != nil {
		return nil, err
	}
	if got, want := r.End.Entries, len(refs)+len(warm); got != want {
		return nil, fmt.Errorf("bench: the service caches %d assets, want %d", got, want)
	}
	return r, svc.close()
}

// resolveAll resolves and renders refs through POST /v1/resolve on the
// service at base, BatchSize items a request, conc requests at once,
// and fails on any failed item.
func resolveAll(ctx context.Context, base string, refs []string, conc int, progress io.Writer) error {
	type item struct {
		Ref   string `json:"ref"`
		Width int    `json:"width"`
	}
	batches := make(chan []string)
	errc := make(chan error, conc)
	var done atomic.Int64
	var wg sync.WaitGroup
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	for range conc {
		wg.Go(func() {
			for b := range batches {
				items := make([]item, len(b))
				for i, ref := range b {
					items[i] = item{Ref: ref, Width: 800}
				}
				body, _ := json.Marshal(map[string][]item{"items": items})
				if err := expect(ctx, base+"/v1/resolve", DefaultAPIKey, body, http.StatusOK, -1, ""); err != nil {
					errc <- err
					cancel()
					return
				}
				n := int(done.Add(int64(len(b))))
				if progress != nil && n*10/len(refs) != (n-len(b))*10/len(refs) {
					fmt.Fprintf(progress, "%d of %d assets resolved and rendered\n", n, len(refs))
				}
			}
		})
	}
feed:
	for i := 0; i < len(refs); i += BatchSize {
		select {
		case batches <- refs[i:min(i+BatchSize, len(refs))]:
		case <-ctx.Done():
			break feed
		}
	}
	close(batches)
	wg.Wait()
	select {
	case err := <-errc:
		return err
	default:
		return ctx.Err()
	}
}

// memoryChild is the service under measurement: a process of its own,
// or this one.
type memoryChild struct {
	url    string
	cmd    *exec.Cmd
	in     io.WriteCloser
	out    *bufio.Reader
	local  *Service // when in this process
	store  *embed.MemoryStore
	closed bool
}

// startMemoryChild starts the service against fotowebURL, in the
// process command makes (nil: in this one).
func startMemoryChild(ctx context.Context, command func(string) *exec.Cmd, fotowebURL string) (*memoryChild, error) {
	if command == nil {
		store := unboundedStore()
		s, err := startServiceWithStore(ctx, ServiceConfig{FotoWebURL: fotowebURL}, store)
		if err != nil {
			return nil, err
		}
		return &memoryChild{url: s.URL, local: s, store: store}, nil
	}
	cmd := command(fotowebURL)
	cmd.Stderr = os.Stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	c := &memoryChild{cmd: cmd, in: in, out: bufio.NewReader(out)}
	line, err := c.out.ReadString('\n')
	u, ok := strings.CutPrefix(strings.TrimSpace(line), "URL ")
	if err != nil || !ok {
		c.close()
		return nil, fmt.Errorf("bench: the service process did not start: %q %v", line, err)
	}
	c.url = u
	return c, nil
}

// measure reads the service's memory.
func (c *memoryChild) measure() (ProcessMemory, error) {
	if c.local != nil {
		return measureProcess(c.store), nil
	}
	var m ProcessMemory
	if _, err := io.WriteString(c.in, "measure\n"); err != nil {
		return m, err
	}
	line, err := c.out.ReadBytes('\n')
	if err != nil {
		return m, fmt.Errorf("bench: reading the service's memory: %w", err)
	}
	return m, json.Unmarshal(line, &m)
}

// close stops the service.
func (c *memoryChild) close() error {
	if c.closed {
		return nil
	}
	c.closed = true
	if c.local != nil {
		c.local.Close()
		return nil
	}
	c.in.Close() // the child stops at the end of its input
	return c.cmd.Wait()
}

// ServeMemoryChild is the service process of [MeasureServiceMemory]: it
// serves fotoembed against fotowebURL with a cache without limits,
// writes "URL <base URL>" to out, and answers every line "measure" read
// from in with a [ProcessMemory] as one line of JSON, until in ends.
func ServeMemoryChild(ctx context.Context, fotowebURL string, in io.Reader, out io.Writer) error {
	store := unboundedStore()
	s, err := startServiceWithStore(ctx, ServiceConfig{FotoWebURL: fotowebURL}, store)
	if err != nil {
		return err
	}
	defer s.Close()
	if _, err := fmt.Fprintf(out, "URL %s\n", s.URL); err != nil {
		return err
	}
	sc := bufio.NewScanner(in)
	for sc.Scan() {
		if sc.Text() != "measure" {
			return fmt.Errorf("bench: unknown command %q", sc.Text())
		}
		b, err := json.Marshal(measureProcess(store))
		if err != nil {
			return err
		}
		if _, err := fmt.Fprintf(out, "%s\n", b); err != nil {
			return err
		}
	}
	return sc.Err()
}

// unboundedStore is the cache of `fotoembed serve --cache-max-entries 0
// --cache-max-bytes 0`: nothing is evicted while measuring.
func unboundedStore() *embed.MemoryStore {
	return embed.NewBoundedMemoryStore(embed.MemoryStoreConfig{MaxEntries: -1, MaxBytes: -1})
}

// measureProcess reads this process's memory as ProcessMemory says.
func measureProcess(store *embed.MemoryStore) ProcessMemory {
	var m ProcessMemory
	m.RSS, _ = ReadRSS()
	m.HWM, _ = readStatus("VmHWM:")
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	m.HeapInuse = ms.HeapInuse
	runtime.GC()
	runtime.ReadMemStats(&ms)
	m.Live = ms.HeapAlloc
	st := store.StoreStats()
	m.Entries, m.Estimate = st.Entries, st.Bytes
	return m
}

// startServiceWithStore is [StartService] with the resolver's store
// given.
func startServiceWithStore(ctx context.Context, cfg ServiceConfig, store embed.Store) (*Service, error) {
	cfg.Store = store
	return StartService(ctx, cfg)
}
