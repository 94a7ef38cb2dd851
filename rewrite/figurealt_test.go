package rewrite_test

import (
	"html"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/fotoembed/fotoembed/exports"
	"github.com/fotoembed/fotoembed/fotoweb/fotowebtest"
	"github.com/fotoembed/fotoembed/rewrite"
)

// figureAltPage holds figure placeholders of assets whose alt and caption
// fields are one field (the default, 120): the small asset with a title of
// its own, the portrait with its title cleared, the panorama with a title
// that repeats its caption. A plain <img> of the small asset at the same
// width keeps the description as its alt text.
const figureAltPage = `<p><img data-fotoweb="` + fotowebtest.SmallAsset + `" data-fotoweb-figure width="320"></p>
<img data-fotoweb="` + fotowebtest.PortraitAsset + `" data-fotoweb-figure="tall" width="300">
<img data-fotoweb="` + fotowebtest.PanoramaAsset + `" data-fotoweb-figure width="600">
<img src="fotoweb:` + fotowebtest.SmallAsset + `" width="320">
`

// figureRE matches a rewritten figure: the <img>'s alt and the caption
// before the credit.
var figureRE = regexp.MustCompile(`<figure[^>]*><img [^>]*\balt="([^"]*)"[^>]*><figcaption>(.*?) <small class="credit">`)

// plainAltRE matches the alt of an <img> outside a figure (at line start).
var plainAltRE = regexp.MustCompile(`(?m)^<img [^>]*\balt="([^"]*)"`)

// TestFigureAltNotCaption rewrites figure placeholders without an alt
// through every source and link mode that makes the alt text: a figure's
// <img> never has its caption as alt text (its figcaption is read right
// after it), but the title, or alt="" when the title is missing or
// repeats the caption too, as embed's figures do. The plain <img> of the
// same asset and width, a request of its own, keeps the description.
func TestFigureAltNotCaption(t *testing.T) {
	t.Parallel()
	const (
		smallCaption    = "An old 640×480 camera phone picture of a cabin"
		portraitCaption = "The southernmost lighthouse in Norway, seen from the rocks"
		panoCaption     = "Reinebringen and the fishing village of Reine, panorama"
	)
	sources := []struct {
		name string
		mode rewrite.Mode
		src  func(t *testing.T, fake *fotowebtest.Server) rewrite.Source
	}{
		{"direct signed", rewrite.ModeSigned, func(t *testing.T, f *fotowebtest.Server) rewrite.Source { return newDirect(t, f) }},
		{"direct export", rewrite.ModeExport, func(t *testing.T, f *fotowebtest.Server) rewrite.Source {
			return newExportDirect(t, f, exports.NewMemory())
		}},
		{"service signed", rewrite.ModeSigned, func(t *testing.T, f *fotowebtest.Server) rewrite.Source {
			s, err := rewrite.NewService(rewrite.ServiceConfig{URL: newService(t, f, testBase), APIKey: testAPIKey,
				FotoWebURL: f.URL, Timeout: hangGuard})
			must(t, err)
			return s
		}},
		{"service export", rewrite.ModeExport, func(t *testing.T, f *fotowebtest.Server) rewrite.Source {
			s, err := rewrite.NewService(rewrite.ServiceConfig{URL: newExportService(t, f), APIKey: testAPIKey,
				FotoWebURL: f.URL, Timeout: hangGuard})
			must(t, err)
			return s
		}},
	}
	for _, sc := range sources {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			fake := newFigureAltFake(t)
			root := t.TempDir()
			page := filepath.Join(root, "index.html")
			must(t, os.WriteFile(page, []byte(figureAltPage), 0o644))
			rep, err := run(t, root, sc.src(t, fake), sc.mode, func(c *rewrite.Config) {
				c.NoCache = true
				c.SiteURL = testSite
			})
			if err != nil {
				t.Fatalf("Run: %v\n%s", err, failureText(rep))
			}
			out, err := os.ReadFile(page)
			must(t, err)
			figs := figureRE.FindAllStringSubmatch(string(out), -1)
			if len(figs) != 3 {
				t.Fatalf("%d figures with a caption, want 3:\n%s", len(figs), out)
			}
			want := [][2]string{ // alt, caption
				{"Small snapshot", smallCaption},
				{"", portraitCaption},
				{"", panoCaption},
			}
			for i, f := range figs {
				alt, caption := html.UnescapeString(f[1]), html.UnescapeString(f[2])
				if caption != want[i][1] {
					t.Errorf("figure %d: caption %q, want %q", i, caption, want[i][1])
				}
				if strings.EqualFold(strings.TrimSuffix(alt, "."), strings.TrimSuffix(caption, ".")) {
					t.Errorf("figure %d: alt repeats the caption %q", i, caption)
				}
				if alt != want[i][0] {
					t.Errorf("figure %d: alt %q, want %q", i, alt, want[i][0])
				}
			}
			plain := plainAltRE.FindAllStringSubmatch(string(out), -1)
			if len(plain) != 1 || html.UnescapeString(plain[0][1]) != smallCaption {
				t.Errorf("plain <img> alt texts %q, want one: %q", plain, smallCaption)
			}
		})
	}
}

// newFigureAltFake returns a fake FotoWeb where two assets test a
// figure's alt text: the portrait has no title (its figure's caption
// names it), the panorama's title repeats its caption but for case,
// spacing and the final full stop.
func newFigureAltFake(t *testing.T) *fotowebtest.Server {
	t.Helper()
	fake := newFake(t, fotowebtest.Options{})
	fake.SetMetadata(fotowebtest.PortraitAsset, 5)
	fake.SetMetadata(fotowebtest.PanoramaAsset, 5, "reinebringen and the fishing  village of Reine, panorama.")
	return fake
}
