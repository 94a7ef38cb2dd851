package fotoweb

import (
	"context"
	"errors"
	"io"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/fotoembed/fotoembed/fotoweb/fotowebtest"
)

func TestDescriptorCachedAndArchives(t *testing.T) {
	e := newEnv(t, fotowebtest.Options{}, Config{})
	ctx := context.Background()
	for range 3 {
		d, err := e.c.Descriptor(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if d.Archives == "" || d.SearchURL == "" || d.Services.RenditionRequest == "" {
			t.Fatalf("descriptor lacks links: %+v", d)
		}
	}
	if n := e.fake.CountPrefix("/fotoweb/me"); n != 1 {
		t.Errorf("descriptor requests = %d, want 1 (cached)", n)
	}
	archives, err := e.c.Archives(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var hrefs []string
	for _, a := range archives {
		hrefs = append(hrefs, a.Href)
		if !strings.HasSuffix(a.SearchURL, "{?q}") {
			t.Errorf("archive %s searchURL %q", a.Href, a.SearchURL)
		}
	}
	if !slices.Equal(hrefs, e.fake.Archives()) {
		t.Errorf("archives = %q, want %q", hrefs, e.fake.Archives())
	}
}

func TestGuestDescriptor(t *testing.T) {
	fake := fotowebtest.NewServer(fotowebtest.Options{})
	t.Cleanup(fake.Close)
	c, err := New(Config{BaseURL: fake.URL})
	if err != nil {
		t.Fatal(err)
	}
	d, err := c.Descriptor(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if d.SearchURL == "" || fake.Count("/fotoweb/") != 1 {
		t.Errorf("public descriptor %+v, requests %d", d, fake.Count("/fotoweb/"))
	}
}

func TestAssetAndRefs(t *testing.T) {
	e := newEnv(t, fotowebtest.Options{}, Config{})
	ctx := context.Background()
	for _, href := range e.fake.Assets() {
		if got, err := e.c.ParseRef(href); err != nil || got != href {
			t.Errorf("ParseRef(%q) = %q, %v: the fake's hrefs must already be canonical", href, got, err)
		}
	}
	for _, ref := range []string{
		landscape,
		e.fake.URL + landscape + "?access_token=stale#x",
		"/fotoweb/archives/5001-Photos/Folder 19/harbour.jpg.info",
	} {
		a, err := e.c.Asset(ctx, ref)
		if err != nil {
			t.Fatalf("Asset(%q): %v", ref, err)
		}
		if a.Href != landscape || a.Width() != 5472 || a.Height() != 3648 {
			t.Errorf("Asset(%q) = %s %dx%d", ref, a.Href, a.Width(), a.Height())
		}
		if a.Metadata.Text(5) != "Harbour at dawn" || !slices.Equal(a.Metadata.Values(25), []string{"harbour", "boats"}) {
			t.Errorf("metadata %v", a.Metadata)
		}
		if len(a.Previews) == 0 || len(a.Renditions) == 0 || (a.PreviewToken != "") != testFlavour.HasPreviewToken() {
			t.Errorf("previews %d renditions %d previewToken %q", len(a.Previews), len(a.Renditions), a.PreviewToken)
		}
	}
	a, err := e.c.Asset(ctx, fotowebtest.PortraitAsset) // resolution sent as 300.0
	if err != nil || a.Attributes.Image == nil || a.Attributes.Image.Resolution != 300 || a.Height() != 4500 {
		t.Fatalf("portrait: %+v %v", a, err)
	}
	a, err = e.c.Asset(ctx, fotowebtest.NorwegianAsset)
	if err != nil || !strings.Contains(a.Filename, "blåbær") {
		t.Fatalf("norwegian: %v %v", a, err)
	}
	if a, err = e.c.Asset(ctx, fotowebtest.RotatedAsset); err != nil || a.Width() != 3000 || a.Height() != 4000 {
		t.Fatalf("rotated: %v %v", a, err)
	}
	if _, err = e.c.Asset(ctx, "/fotoweb/archives/5001-Photos/no-such.jpg.info"); !errors.Is(err, ErrNotFound) {
		t.Errorf("missing asset: %v", err)
	}
	if _, err = e.c.Asset(ctx, "https://evil.example"+landscape); !errors.Is(err, ErrBadRef) || !errors.Is(err, ErrOffOrigin) {
		t.Errorf("other origin: %v", err)
	}
}

func TestTokenPlacement(t *testing.T) {
	for _, inQuery := range []bool{false, true} {
		e := newEnv(t, fotowebtest.Options{}, Config{TokenInQuery: inQuery})
		if _, err := e.c.Asset(context.Background(), landscape); err != nil {
			t.Fatal(err)
		}
		tok := e.tokens.allIssued()[0]
		for _, r := range e.wire.all() {
			if inQuery && (r.queryToken != tok || r.auth != "") {
				t.Errorf("TokenInQuery: %s %s query token %q auth %q", r.method, r.path, r.queryToken, r.auth)
			}
			if !inQuery && (r.queryToken != "" || r.auth != "Bearer "+tok) {
				t.Errorf("header: %s %s query token %q auth %q", r.method, r.path, r.queryToken, r.auth)
			}
		}
	}
}

func TestConcurrentUse(t *testing.T) {
	e := newEnv(t, fotowebtest.Options{RenditionPending: 1}, Config{})
	ctx := context.Background()
	a, err := e.c.Asset(ctx, landscape)
	if err != nil {
		t.Fatal(err)
	}
	search := archiveSearchURL(t, e.c, fotowebtest.PhotosArchive)
	assets := e.fake.Assets()
	var wg sync.WaitGroup
	errs := make(chan error, 100)
	for i := range 100 {
		wg.Go(func() {
			var err error
			switch i % 6 {
			case 0:
				_, err = e.c.Asset(ctx, assets[i%len(assets)])
			case 1:
				_, err = e.c.Search(ctx, search, "harbour", 0)
			case 2:
				var b *Body
				if b, err = e.c.Open(ctx, a.Previews[i%len(a.Previews)].Href, a.PreviewToken, nil); err == nil {
					_, err = io.Copy(io.Discard, b)
					b.Close()
				}
			case 3:
				_, err = e.c.Descriptor(ctx)
			case 4:
				_, err = e.c.SearchAll(ctx, "fjord", 10)
			case 5:
				var b *Body
				if b, err = e.c.Rendition(ctx, a.Renditions[0].Href); err == nil {
					_, err = io.Copy(io.Discard, b)
					b.Close()
				}
			}
			if err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if n := e.tokens.fetches.Load(); n != 1 {
		t.Errorf("token fetches = %d, want 1", n)
	}
}
