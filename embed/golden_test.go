package embed

import (
	"bytes"
	"flag"
	"html/template"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/fotoembed/fotoembed/fotoweb"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// goldenCase is one rendering checked against testdata/golden/NAME.html.
type goldenCase struct {
	name   string
	a      *fotoweb.Asset
	o      Options
	figure bool
}

func goldenCases() []goldenCase {
	return []goldenCase{
		{name: "landscape", a: landscape(), o: Options{Width: 600}},
		{name: "landscape-nowidth", a: landscape()},
		{name: "portrait", a: portrait(), o: Options{Width: 400}},
		{name: "square", a: square(), o: Options{Width: 300}},
		{name: "square-crop", a: landscape(), o: Options{Width: 200, Square: true, Alt: "Harbour, cropped"}},
		{name: "panorama", a: panorama(), o: Options{Width: 1000, Sizes: "100vw"}},
		{name: "tiny", a: tiny(), o: Options{Width: 800}},
		{name: "figure", a: landscape(), o: Options{Width: 600, FigureClass: "wide"}, figure: true},
		{name: "figure-copyright", a: square(), o: Options{Width: 300}, figure: true},
		{name: "priority", a: landscape(), o: Options{Width: 1200, Priority: true, Class: "hero"}},
		{name: "decorative", a: landscape(), o: Options{Width: 300, Decorative: true}},
		{name: "attributes", a: landscape(), o: Options{Width: 400, PixelRatios: []float64{1, 1.5, 3},
			Class: `photo "framed"`, ID: "harbour-1", Style: "border: 1px solid <red>",
			Data: []Attr{{"data-asset", "harbour & boats"}, {"data-index", "1"}}}},
		{name: "expiring", a: landscape(), o: Options{Width: 300,
			ExpiresAt: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)}},
		{name: "direct", a: landscape(), o: Options{Width: 300, Links: LinkDirect}},
		// FotoWeb could not measure the original (recorded 1×1 marker):
		// nominal sizes in the srcset, no height (nor width without a CSS
		// width) claimed.
		{name: "unknown-size", a: unmeasured(), o: Options{Width: 600}},
		{name: "unknown-size-nowidth", a: unmeasured()},
		{name: "unknown-size-figure", a: unmeasured(), o: Options{Width: 400, PixelRatios: []float64{1, 1.5, 2}}, figure: true},
		{name: "unknown-size-square", a: unmeasured(), o: Options{Width: 200, Square: true}},
	}
}

// render renders one golden case.
func (c goldenCase) render(t *testing.T) string {
	t.Helper()
	e := testEmbedder(t)
	in := info(c.a)
	var (
		h   template.HTML
		err error
	)
	if c.figure {
		h, err = e.RenderFigure(in, c.o)
	} else {
		h, err = e.RenderImg(in, c.o)
	}
	if err != nil {
		t.Fatal(err)
	}
	return string(h)
}

func TestGolden(t *testing.T) {
	for _, c := range goldenCases() {
		t.Run(c.name, func(t *testing.T) {
			got := []byte(c.render(t) + "\n")
			path := filepath.Join("testdata", "golden", c.name+".html")
			if *update {
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test ./embed -run TestGolden -update)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s differs from the golden file:\ngot:  %s\nwant: %s", c.name, got, want)
			}
		})
	}
}
