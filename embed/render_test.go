package embed

import (
	"errors"
	"html/template"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/oauth2"
)

// renderCases are the golden cases plus cases whose src, srcset or sizes
// are changed by escaping, so that Render makes them again unescaped.
func renderCases(t *testing.T) []struct {
	goldenCase
	e       *Embedder
	escaped string // a character reference the markup must hold, if any
} {
	type rc = struct {
		goldenCase
		e       *Embedder
		escaped string
	}
	var cases []rc
	for _, c := range goldenCases() {
		cases = append(cases, rc{goldenCase: c, e: testEmbedder(t)})
	}
	queried := landscape() // direct URLs then join the token with a raw "&"
	for i := range queried.Previews {
		queried.Previews[i].Href += "?v=2"
	}
	spaced := landscape()
	for i := range spaced.Previews {
		spaced.Previews[i].Href = strings.Replace(spaced.Previews[i].Href, "cache", "my cache", 1)
	}
	ampBase, err := New(Config{Signer: testSigner(t), BaseURL: "https://img.example.com/a&b"})
	if err != nil {
		t.Fatal(err)
	}
	foto, err := New(Config{Signer: testSigner(t), CreditPrefix: "Foto: ",
		Origin: "https://acme.fotoware.cloud", Tokens: oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "a&b"})})
	if err != nil {
		t.Fatal(err)
	}
	return append(cases,
		rc{goldenCase{name: "sizes-escaped", a: landscape(), o: Options{Width: 600, Sizes: "(width >= 600px) 600px, 100vw"}},
			testEmbedder(t), "&gt;"},
		rc{goldenCase{name: "direct-query", a: queried, o: Options{Width: 300, Links: LinkDirect}},
			testEmbedder(t), ""},
		rc{goldenCase{name: "direct-space", a: spaced, o: Options{Width: 300, Links: LinkDirect}},
			testEmbedder(t), ""},
		rc{goldenCase{name: "base-escaped", a: portrait(), o: Options{Width: 400}, figure: true},
			ampBase, "&amp;"},
		rc{goldenCase{name: "credit-prefix", a: landscape(), o: Options{Width: 600}, figure: true},
			foto, ""},
		rc{goldenCase{name: "direct-figure", a: tiny(), o: Options{Width: 800, Links: LinkDirect}, figure: true},
			foto, ""},
		rc{goldenCase{name: "figure-no-caption", a: asset("bare.jpg", 1600, 900, 0, meta(5, "Bare")),
			o: Options{Width: 500}, figure: true}, testEmbedder(t), ""},
	)
}

// TestRenderParts checks that Render's markup is RenderImg's or
// RenderFigure's, and that its parts agree with SrcURL, SrcsetOf, the
// <img>'s attributes and the figure's caption and credit.
func TestRenderParts(t *testing.T) {
	for _, c := range renderCases(t) {
		t.Run(c.name, func(t *testing.T) {
			e, in := c.e, info(c.a)
			r, err := e.Render(in, c.o, c.figure)
			if err != nil {
				t.Fatal(err)
			}
			var want template.HTML
			if c.figure {
				want, err = e.RenderFigure(in, c.o)
			} else {
				want, err = e.RenderImg(in, c.o)
			}
			if err != nil || r.HTML != want {
				t.Fatalf("HTML (%v)\n got %s\nwant %s", err, r.HTML, want)
			}
			if c.escaped != "" && !strings.Contains(string(r.HTML), c.escaped) {
				t.Fatalf("markup lacks %s, so the case does not test unescaping: %s", c.escaped, r.HTML)
			}
			if u, err := e.SrcURL(in, c.o); err != nil || r.Src != u {
				t.Errorf("Src = %q, SrcURL = %q (%v)", r.Src, u, err)
			}
			if s, err := e.SrcsetOf(in, c.o); err != nil || r.Srcset != s {
				t.Errorf("Srcset = %q, SrcsetOf = %q (%v)", r.Srcset, s, err)
			}
			imgs := elements(t, string(r.HTML), "img")
			if len(imgs) != 1 {
				t.Fatalf("%d images in %s", len(imgs), r.HTML)
			}
			for _, a := range []struct{ key, got string }{
				{"src", r.Src}, {"srcset", r.Srcset}, {"sizes", r.Sizes},
				{"width", strconv.Itoa(r.Width)}, {"height", strconv.Itoa(r.Height)}, {"alt", r.Alt},
			} {
				v, ok := attrOf(imgs[0], a.key)
				if a.got == "0" && (a.key == "width" || a.key == "height") {
					if ok { // 0: a size FotoWeb does not know, left out
						t.Errorf("%s: part 0, attribute %q (want none)", a.key, v)
					}
					continue
				}
				if !ok || v != a.got {
					t.Errorf("%s: part %q, attribute %q", a.key, a.got, v)
				}
			}
			if r.Caption != in.Text.Caption || r.Credit != in.Text.CreditLine(e.cfg.CreditPrefix) {
				t.Errorf("caption %q, credit %q", r.Caption, r.Credit)
			}
			if !c.figure {
				return
			}
			var caption, credit string
			if caps := elements(t, string(r.HTML), "figcaption"); len(caps) == 1 {
				caption = textOf(caps[0])
			}
			if smalls := elements(t, string(r.HTML), "small"); len(smalls) == 1 {
				credit = textOf(smalls[0])
			}
			if credit != r.Credit || strings.TrimSpace(strings.TrimSuffix(caption, credit)) != r.Caption {
				t.Errorf("figcaption %q, small %q; parts: caption %q, credit %q", caption, credit, r.Caption, r.Credit)
			}
		})
	}
}

func TestRenderErrors(t *testing.T) {
	e := testEmbedder(t)
	noAlt := info(asset("bare.jpg", 1600, 900, 0, meta(80, "Kari Nordmann")))
	for _, figure := range []bool{false, true} {
		if r, err := e.Render(noAlt, Options{Width: 300}, figure); !errors.Is(err, ErrNoAlt) || r != (Rendered{}) {
			t.Errorf("no alt text, figure %v: %+v, %v", figure, r, err)
		}
		if _, err := e.Render(info(landscape()), Options{Width: -1}, figure); !errors.Is(err, ErrBadOption) {
			t.Errorf("bad width, figure %v: %v", figure, err)
		}
	}
}
