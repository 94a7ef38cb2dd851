package fotowebtest

import (
	"bytes"
	"encoding/json"
	"image"
	_ "image/jpeg"
	"net/http"
	"testing"

	"github.com/fotoembed/fotoembed/fotoweb"
)

func TestUnmeasured(t *testing.T) {
	s := NewUnmeasuredServer(Options{}, LandscapeAsset)
	t.Cleanup(s.Close)
	tok := s.ServiceToken()

	r := get(t, s, LandscapeAsset, tok, "")
	if r.status != http.StatusOK {
		t.Fatalf("GET: %d %s", r.status, truncate(r.body))
	}
	var a fotoweb.Asset
	if err := json.Unmarshal(r.body, &a); err != nil {
		t.Fatal(err)
	}
	if ia := a.Attributes.Image; ia == nil || ia.PixelWidth != 1 || ia.PixelHeight != 1 {
		t.Errorf("image attributes %+v, want 1x1", ia)
	}
	if a.SizeKnown() || a.PreviewSizesKnown() {
		t.Errorf("SizeKnown %v, PreviewSizesKnown %v: want both false", a.SizeKnown(), a.PreviewSizesKnown())
	}
	if len(a.Previews) != 12 || a.PreviewToken == "" {
		t.Fatalf("%d previews, previewToken %q", len(a.Previews), a.PreviewToken)
	}
	var p800 string
	for _, p := range a.Previews {
		if p.Width != p.Size || p.Height != p.Size {
			t.Errorf("preview %+v: want width = height = size", p)
		}
		if p.Size == 800 && !p.Square {
			p800 = p.Href
		}
	}
	for _, rd := range a.Renditions {
		if rd.Original && (rd.Width != 1 || rd.Height != 1) {
			t.Errorf("original rendition %+v, want 1x1", rd)
		}
	}
	// The file is the true picture: 800×533.
	img := get(t, s, p800, tok, "")
	cfg, _, err := image.DecodeConfig(bytes.NewReader(img.body))
	if err != nil || cfg.Width != 800 || cfg.Height != 533 {
		t.Errorf("800 preview file: %dx%d, %v; want 800x533", cfg.Width, cfg.Height, err)
	}

	// Lists carry the same; other assets are as they were.
	list := get(t, s, PhotosArchive+"?q=harbour", tok, "application/vnd.fotoware.assetlist+json")
	var page struct{ Data []fotoweb.Asset }
	if err := json.Unmarshal(list.body, &page); err != nil || len(page.Data) == 0 {
		t.Fatalf("search: %v, %s", err, truncate(list.body))
	}
	for _, x := range page.Data {
		if known := x.SizeKnown(); known != (x.Href != LandscapeAsset) {
			t.Errorf("%s in a search: SizeKnown %v", x.Href, known)
		}
	}
	other := assetDocOf(t, s, PortraitAsset, tok)
	if ia := other["attributes"].(map[string]any)["imageattributes"].(map[string]any); ia["pixelwidth"] == 1.0 {
		t.Errorf("another asset was changed: %v", ia)
	}
}
