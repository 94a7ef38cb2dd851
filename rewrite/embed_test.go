package rewrite_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fotoembed/fotoembed/embed"
	"github.com/fotoembed/fotoembed/fotoweb/fotowebtest"
	"github.com/fotoembed/fotoembed/rewrite"
)

// TestSameAsEmbed checks that a placeholder becomes exactly what the
// embed package renders for the same asset and options: the build step
// and the template helpers follow one set of HTML rules.
func TestSameAsEmbed(t *testing.T) {
	fake := newFake(t, fotowebtest.Options{})
	res, err := embed.NewResolver(embed.ResolverConfig{Source: newClient(t, fake)})
	must(t, err)
	emb, err := embed.New(embed.Config{Resolver: res, Signer: testSigner(t), BaseURL: testBase})
	must(t, err)
	tests := []struct {
		tag  string
		opts embed.Options
		fig  bool
	}{
		{`<img src="fotoweb:` + fotowebtest.SmallAsset + `" width="320" class="thumb" data-id="7">`,
			embed.Options{Width: 320, Class: "thumb", Data: []embed.Attr{{Name: "data-id", Value: "7"}}}, false},
		{`<img data-fotoweb="` + fotowebtest.PortraitAsset + `" data-fotoweb-priority id="hero" style="x">`,
			embed.Options{Priority: true, ID: "hero", Style: "x"}, false},
		{`<img src="fotoweb:` + fotowebtest.PanoramaAsset + `" alt="" width="1000">`,
			embed.Options{Width: 1000, Decorative: true}, false},
		{`<img src="fotoweb:` + fotowebtest.LandscapeAsset + `" data-fotoweb-figure="wide" width="600">`,
			embed.Options{Width: 600, FigureClass: "wide"}, true},
	}
	for _, tt := range tests {
		root := t.TempDir()
		must(t, os.WriteFile(filepath.Join(root, "p.html"), []byte(tt.tag), 0o644))
		_, err := run(t, root, newDirect(t, fake), rewrite.ModeSigned, func(c *rewrite.Config) { c.NoCache = true })
		must(t, err)
		got, err := os.ReadFile(filepath.Join(root, "p.html"))
		must(t, err)
		ref := strings.Split(strings.Split(tt.tag, `"`)[1], ":")
		in, err := res.Resolve(context.Background(), ref[len(ref)-1])
		must(t, err)
		render := emb.RenderImg
		if tt.fig {
			render = emb.RenderFigure
		}
		want, err := render(in, tt.opts)
		must(t, err)
		if string(got) != string(want) {
			t.Errorf("%s\n got  %s\n want %s", tt.tag, got, want)
		}
	}
}
