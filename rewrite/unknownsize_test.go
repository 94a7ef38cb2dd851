package rewrite_test

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/fotoembed/fotoembed/embed"
	"github.com/fotoembed/fotoembed/fotoweb/fotowebtest"
	"github.com/fotoembed/fotoembed/rewrite"
)

// TestUnknownSize rewrites images FotoWeb could not measure (it says
// 1×1, previews claiming width = height = size): the markup is embed's,
// in every source and link mode, with the previews' nominal sizes in the
// srcset and no height claimed.
func TestUnknownSize(t *testing.T) {
	fake := fotowebtest.NewUnmeasuredServer(fotowebtest.Options{}, fotowebtest.LandscapeAsset)
	t.Cleanup(fake.Close)
	res, err := embed.NewResolver(embed.ResolverConfig{Source: newClient(t, fake)})
	must(t, err)
	in, err := res.Resolve(context.Background(), fotowebtest.LandscapeAsset)
	must(t, err)
	if in.SizeKnown() {
		t.Fatalf("the fake's harbour is %dx%d, want unknown", in.Width, in.Height)
	}
	emb, err := embed.New(embed.Config{Resolver: res, Signer: testSigner(t), BaseURL: testBase})
	must(t, err)
	page := `<img src="fotoweb:` + fotowebtest.LandscapeAsset + `" width="600">` + "\n" +
		`<img src="fotoweb:` + fotowebtest.LandscapeAsset + `" data-fotoweb-figure>` + "\n"
	var want strings.Builder
	img, err := emb.RenderImg(in, embed.Options{Width: 600})
	must(t, err)
	fig, err := emb.RenderFigure(in, embed.Options{})
	must(t, err)
	want.WriteString(string(img) + "\n" + string(fig) + "\n")

	sources := map[string]func(t *testing.T, mode rewrite.Mode) rewrite.Source{
		"direct": func(t *testing.T, _ rewrite.Mode) rewrite.Source { return newDirect(t, fake) },
		"service": func(t *testing.T, mode rewrite.Mode) rewrite.Source {
			base := testBase
			if mode == rewrite.ModeDownload {
				base = "" // the previews are fetched through the service itself
			}
			src, err := rewrite.NewService(rewrite.ServiceConfig{URL: newService(t, fake, base), APIKey: testAPIKey, FotoWebURL: fake.URL})
			must(t, err)
			return src
		},
	}
	for name, src := range sources {
		for _, mode := range []rewrite.Mode{rewrite.ModeSigned, rewrite.ModeDownload} {
			t.Run(name+"/"+mode.String(), func(t *testing.T) {
				root := t.TempDir()
				must(t, os.WriteFile(filepath.Join(root, "p.html"), []byte(page), 0o644))
				rep, err := run(t, root, src(t, mode), mode, func(c *rewrite.Config) { c.NoCache = true })
				if err != nil {
					t.Fatalf("Run: %v\n%s", err, failureText(rep))
				}
				b, err := os.ReadFile(filepath.Join(root, "p.html"))
				must(t, err)
				got := string(b)
				if strings.Contains(got, "height=") || !strings.Contains(got, ` width="600" `) || strings.Count(got, "width=") != 1 {
					t.Errorf("dimensions claimed:\n%s", got)
				}
				ws := regexp.MustCompile(` (\d+)w[,"]`).FindAllStringSubmatch(got, -1)
				if len(ws) != 6+8 || ws[5][1] != "1200" || ws[13][1] != "2400" {
					t.Errorf("srcset widths %v, want the nominal sizes (up to 1200, then all)", ws)
				}
				if mode == rewrite.ModeSigned && got != want.String() {
					t.Errorf("not embed's markup:\n got  %s\n want %s", got, want.String())
				}
			})
		}
	}
}
