package rewrite_test

import (
	"encoding/json"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/fotoembed/fotoembed/fotoweb/fotowebtest"
	"github.com/fotoembed/fotoembed/rewrite"
)

// auditFigurePage holds figure placeholders without alt of assets whose
// alt and caption fields are one field (the default, 120): the small
// asset with a title of its own (line 2), the portrait with its title
// cleared (3), the panorama with a title that repeats its caption (8) and
// the asset with neither text (7); plain placeholders of the small asset
// and the portrait (4, 5); a figure with the author's alt (6); and a
// <picture> whose <source> shares its figure placeholder's alt text (9).
func auditFigurePage(t *testing.T) string {
	return "<!doctype html>\n" +
		`<p><img data-fotoweb="` + fotowebtest.SmallAsset + `" data-fotoweb-figure width="320"></p>` + "\n" +
		`<img src="fotoweb:` + fotowebtest.PortraitAsset + `" data-fotoweb-figure="tall">` + "\n" +
		`<img src="fotoweb:` + fotowebtest.SmallAsset + `" width="320">` + "\n" +
		`<img src="fotoweb:` + fotowebtest.PortraitAsset + `">` + "\n" +
		`<img src="fotoweb:` + fotowebtest.LandscapeAsset + `" data-fotoweb-figure alt="Boats at dawn">` + "\n" +
		`<img src="fotoweb:` + fotowebtest.NoCaptionAsset + `" data-fotoweb-figure>` + "\n" +
		`<img src="fotoweb:` + fotowebtest.PanoramaAsset + `" data-fotoweb-figure>` + "\n" +
		`<picture><source srcset="` + signedURL(testSigner(t), fotowebtest.PortraitAsset, 800, ".webp") + `" type="image/webp">` +
		`<img data-fotoweb="` + fotowebtest.PortraitAsset + `" data-fotoweb-figure></picture>` + "\n"
}

// TestAuditFigureAlt: the audit reports the alt text a figure's <img> is
// rendered with (embed.Text.FigureAlt), not the description its caption
// shows: the title, or "" when the caption names the image, which is then
// not an image without alt text (CaptionAlt). A figure whose asset has no
// alt text at all still lacks one; a plain placeholder of the same asset
// keeps the description, and the author's alt wins; directly and through
// the service.
func TestAuditFigureAlt(t *testing.T) {
	t.Parallel()
	const (
		smallCaption    = "An old 640×480 camera phone picture of a cabin"
		portraitCaption = "The southernmost lighthouse in Norway, seen from the rocks"
	)
	sources := []struct {
		name string
		src  func(t *testing.T, fake *fotowebtest.Server) rewrite.Source
	}{
		{"direct", func(t *testing.T, fake *fotowebtest.Server) rewrite.Source {
			d, err := rewrite.NewDirect(rewrite.DirectConfig{Client: newClient(t, fake), Fields: auditFields, Now: auditClock})
			must(t, err)
			return d
		}},
		{"service", func(t *testing.T, fake *fotowebtest.Server) rewrite.Source {
			s, err := rewrite.NewService(rewrite.ServiceConfig{URL: rightsService(t, fake), APIKey: testAPIKey,
				FotoWebURL: fake.URL, Timeout: hangGuard})
			must(t, err)
			return s
		}},
	}
	for _, sc := range sources {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			fake := newFigureAltFake(t)
			root := writeAuditSite(t, map[string]string{"index.html": auditFigurePage(t)})
			rep, err := rewrite.Audit(t.Context(), rewrite.AuditConfig{Root: root, Source: sc.src(t, fake), Now: auditClock})
			if !errors.Is(err, rewrite.ErrAuditProblems) {
				t.Fatalf("err %v, want ErrAuditProblems", err)
			}
			page := filepath.Join(root, "index.html")
			want := []string{page + ":7: " + fotowebtest.NoCaptionAsset +
				`: no alt text in FotoWeb (alt and title fields are empty): write alt="..." on the tag, or alt="" for a decorative image`}
			if diff := cmp.Diff(want, rep.Lines()); diff != "" {
				t.Errorf("lines (-want +got):\n%s", diff)
			}
			if len(rep.Images) != 9 || rep.Assets != 5 || rep.Problems != 1 || rep.NoAlt != 1 || rep.Warnings != 0 {
				t.Errorf("report %+v", *rep)
			}
			if s := rep.Summary(); !strings.Contains(s, ", 1 without alt text") {
				t.Errorf("summary %q", s)
			}
			type alt struct {
				Line       int
				Kind, Alt  string
				CaptionAlt bool
			}
			var got []alt
			for _, im := range rep.Images {
				got = append(got, alt{im.Line, im.Kind, im.Alt, im.CaptionAlt})
			}
			ph, signed := rewrite.KindPlaceholder, rewrite.KindSigned
			wantAlts := []alt{
				{2, ph, "Small snapshot", false}, // the title: the description is the caption
				{3, ph, "", true},                // no title: the caption names it
				{4, ph, smallCaption, false},     // not a figure: the description
				{5, ph, portraitCaption, false},
				{6, ph, "Boats at dawn", false}, // the author's
				{7, ph, "", false},              // no text at all: missing
				{8, ph, "", true},               // the title repeats the caption
				{9, signed, "", true},           // the <source> of a figure's <img>
				{9, ph, "", true},
			}
			if diff := cmp.Diff(wantAlts, got); diff != "" {
				t.Errorf("alt texts (-want +got):\n%s", diff)
			}
			b, err := json.Marshal(rep)
			must(t, err)
			var doc struct {
				Images []map[string]any `json:"images"`
			}
			must(t, json.Unmarshal(b, &doc))
			for i, im := range doc.Images {
				if v, ok := im["captionAlt"].(bool); !ok || v != wantAlts[i].CaptionAlt || im["alt"] != wantAlts[i].Alt {
					t.Errorf("JSON image %d: alt %v, captionAlt %v; want %q, %v", i, im["alt"], im["captionAlt"],
						wantAlts[i].Alt, wantAlts[i].CaptionAlt)
				}
			}
		})
	}
}
