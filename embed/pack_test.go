package embed

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"time"
	"unsafe"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// TestMain: with FOTOEMBED_TEST_UNPACK set, every store Get of an asset
// also unpacks it anew and checks that the unpacked entry equals the one
// in use, and hands out the unpacked one when none is, so that every
// resolver and renderer test also runs on unpacked entries:
//
//	FOTOEMBED_TEST_UNPACK=1 go test ./embed/
func TestMain(m *testing.M) {
	if os.Getenv("FOTOEMBED_TEST_UNPACK") != "" {
		unpackCheck = checkUnpacked
	}
	os.Exit(m.Run())
}

// checkUnpacked panics when unpacked differs from held (unless held is
// nil), and returns held, or unpacked when held is nil.
func checkUnpacked(held, unpacked *Entry) *Entry {
	if held == nil {
		return unpacked
	}
	if d := entryDiff(held, unpacked); d != "" {
		panic(fmt.Sprintf("unpacked entry differs (-held +unpacked):\n%s", d))
	}
	return held
}

// entryDiff compares two entries' exported fields (times by Equal and
// zone).
func entryDiff(a, b *Entry) string {
	return cmp.Diff(a, b, cmpopts.IgnoreUnexported(Info{}), cmp.Comparer(sameTime))
}

// sameTime reports whether a and b are the same instant in zones of the
// same name and offset.
func sameTime(a, b time.Time) bool {
	an, ao := a.Zone()
	bn, bo := b.Zone()
	return a.Equal(b) && an == bn && ao == bo
}

// packCases are Infos of every shape the store meets, by name.
func packCases(t testing.TB) map[string]*Info {
	t.Helper()
	cases := map[string]*Info{
		"landscape":  info(landscape()),
		"portrait":   info(portrait()),
		"square":     info(square()),
		"panorama":   info(panorama()),
		"tiny":       info(tiny()),
		"unmeasured": info(unmeasured()),
		"empty":      {},
		"key only":   {Href: "/k.info"},
	}
	in := info(landscape())
	in.PreviewToken = "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.eyJleHAiOjE3NzIzNjY0MDB9.c2lnbmF0dXJl"
	in.PreviewTokenExpires = time.Now().Add(time.Hour) // monotonic: dropped, as through JSON
	in.Rights = Rights{Expires: time.Date(2030, 1, 2, 3, 4, 5, 6, time.FixedZone("CET", 3600)), Withdrawn: true, Value: "Consent withdrawn"}
	in.Modified = time.Date(2023, 6, 19, 12, 47, 59, 434841000, time.FixedZone("", -7*3600))
	cases["token and rights"] = in
	in = info(portrait())
	in.Modified = time.Date(2023, 6, 19, 12, 47, 59, 1, time.Local)
	in.Previews, in.Renditions = []Preview{}, []Rendition{} // empty, not nil
	cases["empty slices"] = in
	in = info(square())
	in.Width, in.Height = -1, 1<<40
	in.Previews[0].Width, in.Previews[0].Height, in.Previews[0].Size = 0, -5, 1<<33
	in.Text = Text{Title: strings.Repeat("ab", 3000), Alt: string([]byte{0, 1, 2, 255, 254, 0x80}),
		Caption: "Ærlig talt: øyeblikket 🎉 <script>&amp;", Byline: "x", Credit: strings.Repeat("x", 70)}
	in.Renditions = append(in.Renditions, Rendition{Href: in.Href + "/__renditions/abc", Width: 1, Height: 1})
	cases["odd values"] = in
	return cases
}

// TestPackRoundTrip: every Info unpacks equal to what was packed, under
// its own href as the key and under another key.
func TestPackRoundTrip(t *testing.T) {
	v := newEnv(t, ResolverConfig{})
	cases := packCases(t)
	for _, ref := range v.fake.Assets() {
		in, err := v.res.Resolve(t.Context(), ref)
		if err == nil {
			cases[ref] = in
		}
	}
	for name, in := range cases {
		for _, key := range []string{in.Href, "/other/key.info", ""} {
			p := packInfo(key, in)
			var got Info
			if err := unpackInfo(key, p, &got); err != nil {
				t.Fatalf("%s under %q: %v", name, key, err)
			}
			if d := cmp.Diff(in, &got, cmpopts.IgnoreUnexported(Info{}), cmp.Comparer(sameTime)); d != "" {
				t.Errorf("%s under %q (-packed +unpacked):\n%s", name, key, d)
			}
			if key == in.Href && len(key) > 0 && unsafe.StringData(got.Href) != unsafe.StringData(key) {
				t.Errorf("%s: Href is a copy of the key", name)
			}
		}
	}
}

// TestPackEveryField: an Info with every exported field set (found by
// reflection, so that a field added to Info and forgotten by packInfo
// fails here) round-trips.
func TestPackEveryField(t *testing.T) {
	var in Info
	n := 0
	var fill func(v reflect.Value)
	fill = func(v reflect.Value) {
		n++
		switch v.Kind() {
		case reflect.String:
			v.SetString(fmt.Sprintf("value %d", n))
		case reflect.Int:
			v.SetInt(int64(100 + n))
		case reflect.Bool:
			v.SetBool(true)
		case reflect.Slice:
			v.Set(reflect.MakeSlice(v.Type(), 2, 2))
			for i := range 2 {
				fill(v.Index(i))
			}
		case reflect.Struct:
			if v.Type() == reflect.TypeFor[time.Time]() {
				v.Set(reflect.ValueOf(time.Date(2020+n, 1, 2, 3, 4, 5, n, time.UTC)))
				return
			}
			for i := range v.NumField() {
				if v.Type().Field(i).IsExported() {
					fill(v.Field(i))
				}
			}
		default:
			t.Fatalf("packInfo does not know the kind %v of a field of Info", v.Kind())
		}
	}
	fill(reflect.ValueOf(&in).Elem())
	var got Info
	if err := unpackInfo("/key", packInfo("/key", &in), &got); err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(&in, &got, cmpopts.IgnoreUnexported(Info{}), cmp.Comparer(sameTime)); d != "" {
		t.Errorf("(-packed +unpacked):\n%s", d)
	}
}

// TestPackedSize: the packed form of a typical asset (twelve previews,
// full metadata) stays a fraction of its Go values; the store's estimate
// counts it.
func TestPackedSize(t *testing.T) {
	v := newEnv(t, ResolverConfig{})
	in, err := v.res.Resolve(t.Context(), landscapeRef)
	if err != nil {
		t.Fatal(err)
	}
	raw := 0
	var arr [48]*string
	for _, s := range infoStrings(arr[:0], in, true) {
		raw += len(*s)
	}
	p := packInfo(in.Href, in)
	if len(p) > 700 || len(p) > raw/2 {
		t.Errorf("packed %d bytes (strings alone %d); want at most 700 and half", len(p), raw)
	}
	if got := entrySize(in.Href, &Entry{Info: in}); got > 1100 {
		t.Errorf("estimate %d bytes per entry, want at most 1100", got)
	}
}

// TestUnpackCorrupt: whatever a packed Info holds, unpacking it fails
// or succeeds, never panics; every cut of a valid one fails.
func TestUnpackCorrupt(t *testing.T) {
	in := info(landscape())
	p := packInfo(in.Href, in)
	for i := range len(p) {
		var got Info
		if unpackInfo(in.Href, p[:i], &got) == nil {
			t.Fatalf("a packed Info cut at %d of %d unpacked", i, len(p))
		}
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 2000 {
		b := []byte(p)
		for range 1 + r.IntN(4) {
			b[r.IntN(len(b))] = byte(r.Uint32())
		}
		var got Info
		_ = unpackInfo(in.Href, string(b), &got)
	}
}

// FuzzUnpack: no input makes unpacking panic.
func FuzzUnpack(f *testing.F) {
	for _, in := range packCases(f) {
		f.Add(in.Href, packInfo(in.Href, in))
	}
	f.Fuzz(func(t *testing.T, key, p string) {
		var in Info
		_ = unpackInfo(key, p, &in)
	})
}

// FuzzLZ: whatever the dictionary and the input, they decode to the
// input.
func FuzzLZ(f *testing.F) {
	f.Add("/fotoweb/archives/5001-Photos/a.jpg.info", "/fotoweb/cache/v2/a/b/a.jpg.AAAA.x.jpg/fotoweb/cache/v2/c/d/a.jpg.AAAB.y.jpg")
	f.Add("", strings.Repeat("abc", 100))
	f.Add("dict", "")
	f.Fuzz(func(t *testing.T, dict, src string) {
		win := []byte(dict + src)
		enc := lzAppend(nil, win, len(dict))
		buf := make([]byte, len(win))
		copy(buf, dict)
		if err := lzDecode(buf, len(dict), string(enc)); err != nil || string(buf[len(dict):]) != src {
			t.Fatalf("%q over %q: %v, decoded %q", src, dict, err, buf[len(dict):])
		}
	})
}

// TestMemoryStoreUnpacks: the store hands out the entry it was given
// while it is in use, one unpacked anew once it was collected (equal to
// it, rendering alike), and that one while it is in use.
func TestMemoryStoreUnpacks(t *testing.T) {
	if unpackCheck != nil {
		t.Skip("FOTOEMBED_TEST_UNPACK is set")
	}
	const key = "/fotoweb/archives/5000-All-files/Folder%2019/harbour.jpg.info"
	now := time.Now()
	fresh := func() *Entry {
		return &Entry{Info: info(landscape()), Fetched: now, FreshUntil: now.Add(time.Minute), StaleUntil: now.Add(time.Hour), Stale: true}
	}
	s := NewMemoryStore(0)
	e := fresh()
	s.Set(context.Background(), key, e, 0)
	if got, _ := s.Get(context.Background(), key); got != e {
		t.Fatal("the entry in use was not handed out")
	}
	emb := testEmbedder(t)
	want, err := emb.RenderImg(e.Info, Options{Width: 600})
	if err != nil {
		t.Fatal(err)
	}
	e = nil
	sh := s.shard(key)
	for i := 0; ; i++ {
		runtime.GC()
		sh.mu.Lock()
		dead := sh.m[key].w.Value() == nil
		sh.mu.Unlock()
		if dead {
			break
		}
		if i == 20 {
			t.Fatal("the entry handed out was never collected")
		}
	}
	got, ok := s.Get(context.Background(), key)
	if !ok || got == nil {
		t.Fatal("no entry after collection")
	}
	if d := entryDiff(fresh(), got); d != "" {
		t.Errorf("unpacked entry differs (-stored +unpacked):\n%s", d)
	}
	if again, _ := s.Get(context.Background(), key); again != got {
		t.Error("the unpacked entry in use was not handed out again")
	}
	if html, err := emb.RenderImg(got.Info, Options{Width: 600}); err != nil || html != want {
		t.Errorf("unpacked renders %q, %v; want %q", html, err, want)
	}
}
