package embed

import (
	"context"
	"errors"
	"testing"

	"github.com/fotoembed/fotoembed/fotoweb/fotowebtest"
)

// flavourSuite are tests that build HTML from the fake's assets; they run
// again against the fake's other flavours (TestFlavours). They get their
// fake from newEnv, which takes fakeFlavour.
var flavourSuite = []struct {
	name string
	test func(*testing.T)
}{
	{"FuncMapScriptCaptionInert", TestFuncMapScriptCaptionInert},
	{"FuncMapErrorsNameAsset", TestFuncMapErrorsNameAsset},
	{"ResolveNoImage", TestResolveNoImage},
	{"DeletedAssetNotFound", TestDeletedAssetNotFound},
	{"RealShapedPreviews", TestRealShapedPreviews},
}

// TestFlavours runs flavourSuite against FlavourSaaS2023 and
// FlavourOnPrem80 (assets without doctype, builtinFields and
// previewToken; 8.0 preview hrefs).
func TestFlavours(t *testing.T) {
	for _, fl := range fotowebtest.Flavours {
		if fl == fotowebtest.FlavourSaaS2024 {
			continue
		}
		t.Run(fl.String(), func(t *testing.T) {
			fakeFlavour = fl
			defer func() { fakeFlavour = fotowebtest.FlavourSaaS2024 }()
			for _, tc := range flavourSuite {
				t.Run(tc.name, tc.test)
			}
		})
	}
}

// TestRealShapedPreviews lays out every image of the fake, whose previews
// are shaped as FotoWeb's (upscaled above a small original's size, in
// FotoWeb's order), and checks the never-upscale rule of choose.go: the
// srcset is the previews of distinct increasing widths up to the first at
// least as wide as the original, and src is one of them.
func TestRealShapedPreviews(t *testing.T) {
	v := newEnv(t, ResolverConfig{})
	ctx := context.Background()
	laidOut := 0
	for _, href := range v.fake.Assets() {
		in, err := v.res.Resolve(ctx, href)
		if err != nil {
			t.Fatalf("%s: %v", href, err)
		}
		if in.Usable() != nil {
			continue
		}
		for _, square := range []bool{false, true} {
			for _, w := range []int{0, 100, 320, 640, 1200, 3000} {
				l, err := in.Layout(Options{Width: w, Square: square, Alt: "x", PixelRatios: []float64{1, 2}})
				if err != nil {
					if !errors.Is(err, ErrNoImage) {
						t.Errorf("%s width %d: %v", href, w, err)
					}
					continue
				}
				laidOut++
				checkNeverUpscaled(t, in, l, href, w, square)
			}
		}
	}
	if laidOut == 0 {
		t.Fatal("no image laid out")
	}
}

// checkNeverUpscaled checks one layout against the rule.
func checkNeverUpscaled(t *testing.T, in *Info, l Layout, href string, w int, square bool) {
	t.Helper()
	if len(l.Srcset) == 0 {
		t.Errorf("%s width %d: empty srcset", href, w)
		return
	}
	src := false
	for k, i := range l.Srcset {
		p := in.Previews[i]
		src = src || i == l.Src
		if p.Square != square {
			t.Errorf("%s width %d: candidate %+v of the wrong kind", href, w, p)
		}
		if k == 0 {
			continue
		}
		prev := in.Previews[l.Srcset[k-1]]
		if p.Width <= prev.Width {
			t.Errorf("%s width %d: candidate widths %d then %d", href, w, prev.Width, p.Width)
		}
		if in.Width > 0 && prev.Width >= in.Width {
			t.Errorf("%s (%dpx wide) width %d: candidate %dw after %dw, which already covers the original",
				href, in.Width, w, p.Width, prev.Width)
		}
	}
	if !src {
		t.Errorf("%s width %d: src %+v is not a srcset candidate", href, w, in.Previews[l.Src])
	}
}
