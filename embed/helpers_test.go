package embed

import (
	"fmt"
	"testing"

	"golang.org/x/oauth2"

	"github.com/fotoembed/fotoembed/fotoweb"
	"github.com/fotoembed/fotoembed/urlsig"
)

// testKey is the fixed signing key of the tests and examples.
var testKey = []byte("fotoembed-test-signing-key-0001")

// testSigner returns a signer with testKey.
func testSigner(t testing.TB) *urlsig.Signer {
	t.Helper()
	s, err := urlsig.New(urlsig.Config{Keys: [][]byte{testKey}})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// testEmbedder returns an Embedder without resolver, signing with testKey,
// with a static token for direct delivery.
func testEmbedder(t testing.TB) *Embedder {
	t.Helper()
	e, err := New(Config{
		Signer:  testSigner(t),
		BaseURL: "https://img.example.com",
		Origin:  "https://acme.fotoware.cloud",
		Tokens:  oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "tok+en/with=chars"}),
	})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// previewSizes are FotoWeb's usual preview sizes.
var (
	previewSizes = []int{200, 300, 400, 600, 800, 1200, 1600, 2400}
	squareSizes  = []int{100, 200, 200, 400}
)

// previews emulates FotoWeb's preview list for an original w×h: long
// edges capped at the original's (so small originals repeat their size),
// squares capped at the short edge.
func previews(name string, w, h int) []fotoweb.Preview {
	var ps []fotoweb.Preview
	long, short := max(w, h), min(w, h)
	for _, s := range previewSizes {
		l := min(s, long)
		pw, ph := l, (l*h+w/2)/w
		if h > w {
			pw, ph = (l*w+h/2)/h, l
		}
		ps = append(ps, fotoweb.Preview{Size: s, Width: pw, Height: ph,
			Href: fmt.Sprintf("/fotoweb/cache/v2/%s.m%d.jpg", name, s)})
	}
	for k, s := range squareSizes {
		l := min(s, short)
		ps = append(ps, fotoweb.Preview{Size: s, Width: l, Height: l, Square: true,
			Href: fmt.Sprintf("/fotoweb/cache/v2/%s.q%d-%d.jpg", name, s, k)})
	}
	return ps
}

// meta builds metadata from field id/value pairs.
func meta(kv ...any) fotoweb.Metadata {
	m := fotoweb.Metadata{}
	for i := 0; i < len(kv); i += 2 {
		var vals []string
		switch v := kv[i+1].(type) {
		case string:
			vals = []string{v}
		case []string:
			vals = v
		}
		m[fmt.Sprint(kv[i])] = fotoweb.Value{Values: vals, List: len(vals) > 1}
	}
	return m
}

// asset builds an image asset like the reference's example.
func asset(file string, w, h, rotation int, md fotoweb.Metadata) *fotoweb.Asset {
	pw, ph := w, h
	if rotation == 90 || rotation == 270 {
		pw, ph = h, w
	}
	return &fotoweb.Asset{
		Href:     "/fotoweb/archives/5000-All-files/Folder%2019/" + file + ".info",
		Filename: file,
		Doctype:  "image",
		Modified: "2023-06-19T12:47:59Z",
		Attributes: fotoweb.Attributes{Image: &fotoweb.ImageAttributes{
			PixelWidth: pw, PixelHeight: ph, Rotation: rotation}},
		Metadata:     md,
		Previews:     previews(file, w, h),
		PreviewToken: "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.secret-preview-token",
		Renditions: []fotoweb.Rendition{{
			Href:    "/fotoweb/archives/5000-All-files/Folder%2019/" + file + ".info/__renditions/ORIGINAL",
			Default: true, Original: true, Width: w, Height: h, DisplayName: "Original File",
		}},
	}
}

// harbourMeta is the reference example's metadata.
var harbourMeta = meta(5, "Harbour at dawn", 25, []string{"harbour", "boats"},
	80, []string{"Kari Nordmann"}, 110, "Acme Photo", 116, "© Acme 2023",
	120, "Fishing boats in the harbour at dawn")

// Test assets: a landscape original (the reference example), a portrait
// one stored rotated, a square, a panorama, a tiny original smaller than
// the large previews.
func landscape() *fotoweb.Asset { return asset("harbour.jpg", 5472, 3648, 0, harbourMeta) }
func portrait() *fotoweb.Asset {
	return asset("lighthouse.jpg", 3648, 5472, 90, meta(120, "A lighthouse on the rocks", 80, "Ola Nordmann"))
}
func square() *fotoweb.Asset {
	return asset("moss.jpg", 3000, 3000, 0, meta(120, "Reindeer moss", 116, "Siri Æsøy"))
}
func panorama() *fotoweb.Asset {
	return asset("lofoten.jpg", 8000, 2000, 0, meta(120, "Lofoten panorama"))
}
func tiny() *fotoweb.Asset {
	return asset("cabin.jpg", 1000, 667, 0, meta(120, "An old cabin", 110, "Acme Photo"))
}

// unmeasured is the recorded shape of an image FotoWeb could not measure
// (enonic/assetList.json): pixel size 1×1, an original rendition of 1×1,
// and previews that each claim width = height = size. Its true shape is
// landscape, as its preview files would show.
func unmeasured() *fotoweb.Asset {
	a := asset("schloss.jpg.webp", 3000, 2000, 0, meta(5, "Schloss Wilhelmsburg", 120, "The castle in Schmalkalden", 80, []string{"Author", "Author2"}, 110, "Credit"))
	a.Attributes.Image.PixelWidth, a.Attributes.Image.PixelHeight = 1, 1
	a.Renditions[0].Width, a.Renditions[0].Height = 1, 1
	for i := range a.Previews {
		p := &a.Previews[i]
		p.Width, p.Height = p.Size, p.Size
	}
	return a
}

// info builds the Info of a test asset with default fields.
func info(a *fotoweb.Asset) *Info { return NewInfo("", a, Fields{}) }
