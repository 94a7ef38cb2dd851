package embed

import (
	"html"
	"regexp"
	"strings"
	"testing"
)

var (
	altAttr    = regexp.MustCompile(`<img [^>]*\balt="([^"]*)"`)
	figCaption = regexp.MustCompile(`<figcaption>(.*?)(?: <small class="credit">.*)?</figcaption>`)
)

// figureTexts returns the alt text and the caption text of a rendered
// <figure> (caption "" when it has no <figcaption> or only a credit).
func figureTexts(t *testing.T, markup string) (alt, caption string) {
	t.Helper()
	m := altAttr.FindStringSubmatch(markup)
	if m == nil {
		t.Fatalf("no alt attribute in %s", markup)
	}
	alt = html.UnescapeString(m[1])
	if c := figCaption.FindStringSubmatch(markup); c != nil {
		caption = html.UnescapeString(c[1])
	}
	return alt, caption
}

// A figure's alt text never repeats its caption, whichever way the alt
// text came: by default alt and caption are one field (120), so the
// figure's image is named by the title, or relies on the caption alone.
func TestFigureAltNeverRepeatsCaption(t *testing.T) {
	const desc = "Fishing boats in the harbour at dawn"
	cases := []struct {
		name     string
		md       []any
		f        Fields
		o        Options
		wantAlt  string // in the figure
		wantBare string // alt of the bare <img>
	}{
		{name: "default fields, title", md: []any{5, "Harbour at dawn", 120, desc, 80, "Kari Nordmann"},
			wantAlt: "Harbour at dawn", wantBare: desc},
		{name: "default fields, no title", md: []any{120, desc, 80, "Kari Nordmann"},
			wantAlt: "", wantBare: desc},
		{name: "title equal to the caption", md: []any{5, desc + ".", 120, desc},
			wantAlt: "", wantBare: desc},
		{name: "caption differs in case and spacing", md: []any{5, "Harbour", 120, "  fishing boats in the HARBOUR\tat dawn. "},
			f: Fields{Alt: 121}, o: Options{Alt: desc},
			wantAlt: "Harbour", wantBare: desc},
		{name: "own alt field", md: []any{5, "Harbour at dawn", 120, desc, 121, "Three red boats at a quay"},
			f: Fields{Alt: 121}, wantAlt: "Three red boats at a quay", wantBare: "Three red boats at a quay"},
		{name: "caller's alt repeating the caption", md: []any{5, "Harbour at dawn", 120, desc},
			o: Options{Alt: desc}, wantAlt: "Harbour at dawn", wantBare: desc},
		{name: "caller's own alt", md: []any{5, "Harbour at dawn", 120, desc},
			o: Options{Alt: "Boats"}, wantAlt: "Boats", wantBare: "Boats"},
		{name: "decorative", md: []any{5, "Harbour at dawn", 120, desc},
			o: Options{Decorative: true}, wantAlt: "", wantBare: ""},
		{name: "no caption field", md: []any{5, "Harbour at dawn", 120, desc},
			f: Fields{Caption: -1}, wantAlt: desc, wantBare: desc},
	}
	e := testEmbedder(t)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := NewInfo("", asset("harbour.jpg", 3000, 2000, 0, meta(c.md...)), c.f)
			o := c.o
			o.Width = 300
			fig, err := e.RenderFigure(in, o)
			if err != nil {
				t.Fatal(err)
			}
			r, err := e.Render(in, o, true)
			if err != nil {
				t.Fatal(err)
			}
			if string(fig) != string(r.HTML) {
				t.Fatalf("RenderFigure and Render differ:\n%s\n%s", fig, r.HTML)
			}
			alt, caption := figureTexts(t, string(fig))
			if alt != c.wantAlt || r.Alt != c.wantAlt {
				t.Errorf("figure alt = %q, Rendered.Alt = %q, want %q", alt, r.Alt, c.wantAlt)
			}
			if caption != "" && sameText(alt, caption) {
				t.Errorf("figure alt %q repeats its caption %q", alt, caption)
			}
			img, err := e.Render(in, o, false)
			if err != nil {
				t.Fatal(err)
			}
			if bare, _ := figureTexts(t, string(img.HTML)); bare != c.wantBare || img.Alt != c.wantBare {
				t.Errorf("bare <img> alt = %q, Rendered.Alt = %q, want %q", bare, img.Alt, c.wantBare)
			}
		})
	}
}

func TestFigureAlt(t *testing.T) {
	tx := Text{Title: "Harbour", Caption: "Boats at dawn"}
	for _, c := range []struct{ alt, want string }{
		{"Boats at dawn", "Harbour"},
		{"boats  AT dawn.", "Harbour"},
		{"Boats at dawn, seen from the quay", "Boats at dawn, seen from the quay"},
		{"", ""},
	} {
		if got := tx.FigureAlt(c.alt); got != c.want {
			t.Errorf("FigureAlt(%q) = %q, want %q", c.alt, got, c.want)
		}
	}
	if got := (&Text{Caption: ""}).FigureAlt("Boats"); got != "Boats" {
		t.Errorf("without a caption: FigureAlt = %q, want the alt text", got)
	}
	if got := (&Text{Title: "Boats.", Caption: "boats"}).FigureAlt("Boats"); got != "" {
		t.Errorf("title repeating the caption: FigureAlt = %q, want \"\"", got)
	}
	if strings.Contains(tx.FigureAlt("Boats at dawn"), tx.Caption) {
		t.Error("the alt text holds the caption")
	}
}
