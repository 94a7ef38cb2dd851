package fotowebtest

import (
	"bytes"
	"net/http/httptest"
	"sync"
	"testing"
)

// privateImages gives f a cache of its own, so that a test counts its
// generations alone; it must be called before f serves.
func privateImages(f *Fake) *imageCache {
	f.images = newImageCache(imageBudget)
	return f.images
}

// TestImagesSharedPerProcess: every fake uses the process's cache.
func TestImagesSharedPerProcess(t *testing.T) {
	a, b := New(Options{}), New(Options{Flavour: FlavourOnPrem80})
	if a.images != sharedImages || b.images != sharedImages {
		t.Error("a fake has an image cache of its own")
	}
}

// TestPreviewGeneratedOnce: the same preview asked for again, from the
// same fake or another one sharing the cache, is generated once; a fresh
// cache generates the same bytes (the data is deterministic).
func TestPreviewGeneratedOnce(t *testing.T) {
	f1, f2 := New(Options{}), New(Options{})
	c := privateImages(f1)
	f2.images = c
	s1, s2 := serve(t, f1), serve(t, f2)
	tok := s1.ServiceToken()
	href := previewsOf(t, assetDocOf(t, s1, LandscapeAsset, tok))[0]["href"].(string)
	_, r1 := fetchJPEG(t, s1, href, tok)
	_, r2 := fetchJPEG(t, s1, href, tok)
	_, r3 := fetchJPEG(t, s2, href, s2.ServiceToken())
	if n := c.generated.Load(); n != 1 {
		t.Errorf("%d generations for one preview asked for three times, want 1", n)
	}
	if !bytes.Equal(r1.body, r2.body) || !bytes.Equal(r1.body, r3.body) || r1.header.Get("ETag") != r3.header.Get("ETag") {
		t.Error("the cached answers differ")
	}
	f3 := New(Options{})
	c3 := privateImages(f3)
	s3 := serve(t, f3)
	if _, r4 := fetchJPEG(t, s3, href, s3.ServiceToken()); !bytes.Equal(r1.body, r4.body) || c3.generated.Load() != 1 {
		t.Error("a fresh cache generated other bytes")
	}
}

// TestRenditionGeneratedOnce: two rendition requests for the same file
// generate it once.
func TestRenditionGeneratedOnce(t *testing.T) {
	f := New(Options{RenditionPending: -1})
	c := privateImages(f)
	s := serve(t, f)
	tok := s.ServiceToken()
	var bodies [][]byte
	for range 2 {
		href := requestRendition(t, s, tok, SmallAsset+"/__renditions/ORIGINAL").json(t)["href"].(string)
		r := get(t, s, href, tok, "")
		if r.status != 200 || len(r.body) == 0 {
			t.Fatalf("rendition: %d, %d bytes", r.status, len(r.body))
		}
		bodies = append(bodies, r.body)
	}
	if n := c.generated.Load(); n != 1 || !bytes.Equal(bodies[0], bodies[1]) {
		t.Errorf("%d generations for one rendition asked for twice, want 1 (same bytes: %v)", n, bytes.Equal(bodies[0], bodies[1]))
	}
}

// TestImageCacheConcurrentFirst: gets arriving while the first is still
// generating wait for it instead of generating again.
func TestImageCacheConcurrentFirst(t *testing.T) {
	c := newImageCache(1 << 20)
	const n = 8
	started, release := make(chan struct{}), make(chan struct{})
	arrived := make(chan struct{}, n) // a get that joined, or that generated again
	c.onJoin = func() { arrived <- struct{}{} }
	var gens int
	var mu sync.Mutex
	gen := func() []byte {
		mu.Lock()
		gens++
		first := gens == 1
		mu.Unlock()
		if first {
			close(started)
			<-release
		} else {
			arrived <- struct{}{}
		}
		return []byte("picture")
	}
	key := imageKey{path: "a.jpg", w: 10, h: 10, format: "jpg", quality: 80}
	got := make(chan *imgEntry, n)
	go func() { got <- c.get(key, gen) }()
	<-started
	for range n - 1 {
		go func() { got <- c.get(key, gen) }()
	}
	for range n - 1 {
		<-arrived
	}
	close(release)
	for range n {
		if e := <-got; string(e.data) != "picture" || e.etag == "" {
			t.Errorf("a get returned %q (ETag %q)", e.data, e.etag)
		}
	}
	if gens != 1 || c.generated.Load() != 1 {
		t.Errorf("%d generations (counter %d) for %d concurrent first gets, want 1", gens, c.generated.Load(), n)
	}
}

// TestImageCacheBounded: beyond its limit the cache drops the least
// recently used files, which are generated again when asked for.
func TestImageCacheBounded(t *testing.T) {
	c := newImageCache(250)
	gens := map[string]int{}
	get := func(name string) {
		c.get(imageKey{path: name}, func() []byte {
			gens[name]++
			return make([]byte, 100)
		})
	}
	get("a")
	get("b")
	get("a") // a is now more recent than b
	get("c") // 300 bytes: b goes
	if c.size > c.limit || len(c.m) != 2 || c.lru.Len() != 2 {
		t.Fatalf("%d bytes in %d entries (%d listed), limit %d", c.size, len(c.m), c.lru.Len(), c.limit)
	}
	get("a")
	get("c")
	if gens["a"] != 1 || gens["c"] != 1 {
		t.Errorf("generations %v: a kept file was generated again", gens)
	}
	get("b")
	if gens["b"] != 2 || c.generated.Load() != 4 {
		t.Errorf("generations %v (counter %d): the dropped file was not generated again", gens, c.generated.Load())
	}
	huge := newImageCache(10)
	huge.get(imageKey{path: "big"}, func() []byte { return make([]byte, 100) })
	if len(huge.m) != 1 {
		t.Error("a file larger than the limit is not kept as the newest")
	}
}

// TestImageCacheGeneratorPanics: a generation that panics leaves no
// entry behind; the next get generates again.
func TestImageCacheGeneratorPanics(t *testing.T) {
	c := newImageCache(1 << 20)
	key := imageKey{path: "p"}
	func() {
		defer func() { recover() }()
		c.get(key, func() []byte { panic("broken") })
	}()
	if len(c.m) != 0 || c.lru.Len() != 0 || c.size != 0 {
		t.Fatalf("a failed generation left %d entries", len(c.m))
	}
	if e := c.get(key, func() []byte { return []byte("ok") }); string(e.data) != "ok" {
		t.Errorf("after a failed generation: %q", e.data)
	}
}

// serve starts f on a loopback port, closed at cleanup.
func serve(t *testing.T, f *Fake) *Server {
	t.Helper()
	ts := httptest.NewServer(f)
	f.SetBaseURL(ts.URL)
	t.Cleanup(ts.Close)
	return &Server{Fake: f, Server: ts}
}
