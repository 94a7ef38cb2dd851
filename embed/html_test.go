package embed

import (
	"bytes"
	"errors"
	"html/template"
	"strings"
	"testing"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// parse parses an HTML fragment in a <body>.
func parse(t *testing.T, s string) []*html.Node {
	t.Helper()
	body := &html.Node{Type: html.ElementNode, Data: "body", DataAtom: atom.Body}
	nodes, err := html.ParseFragment(strings.NewReader(s), body)
	if err != nil {
		t.Fatal(err)
	}
	return nodes
}

// walk calls f for n and every node below it.
func walk(n *html.Node, f func(*html.Node)) {
	f(n)
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		walk(c, f)
	}
}

// elements returns the elements with tag name in the fragment s.
func elements(t *testing.T, s, name string) []*html.Node {
	t.Helper()
	var out []*html.Node
	for _, n := range parse(t, s) {
		walk(n, func(n *html.Node) {
			if n.Type == html.ElementNode && n.Data == name {
				out = append(out, n)
			}
		})
	}
	return out
}

func attrOf(n *html.Node, key string) (string, bool) {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val, true
		}
	}
	return "", false
}

// textOf returns the text content of n.
func textOf(n *html.Node) string {
	var b strings.Builder
	walk(n, func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
	})
	return b.String()
}

// assertOneImg checks that s is exactly one <img> element with the
// attributes fotoembed always writes, and no other element.
func assertOneImg(t *testing.T, s string) *html.Node {
	t.Helper()
	nodes := parse(t, s)
	if len(nodes) != 1 || nodes[0].Data != "img" || nodes[0].FirstChild != nil {
		t.Fatalf("not a single <img>: %s", s)
	}
	for _, k := range []string{"src", "srcset", "sizes", "width", "height", "alt", "loading"} {
		if _, ok := attrOf(nodes[0], k); !ok {
			t.Fatalf("<img> without %s: %s", k, s)
		}
	}
	return nodes[0]
}

// TestHostileCaptionInert renders a figure whose metadata holds <script>
// and quotes through html/template and checks that it stays text.
func TestHostileCaptionInert(t *testing.T) {
	caption := `<script>alert("x")</script> "quoted" & <b>bold</b>`
	byline := `O'Brien & "Sons"`
	title := `"Evil" <i onclick="x()">title</i> & co` // the figure's alt text: the caption is the description
	a := asset("evil.jpg", 1200, 800, 0, meta(5, title, 120, caption, 80, byline, 110, "</figcaption><script>x()</script>"))
	e := testEmbedder(t)
	in := info(a)
	fig, err := e.RenderFigure(in, Options{Width: 300, Class: `a" onload="x`, Data: []Attr{{"data-x", `"><script>`}}})
	if err != nil {
		t.Fatal(err)
	}
	tpl := template.Must(template.New("page").Parse(`<main>{{.}}</main>`))
	var buf bytes.Buffer
	if err := tpl.Execute(&buf, fig); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if s := elements(t, out, "script"); len(s) != 0 {
		t.Fatalf("script element in output: %s", out)
	}
	if b := elements(t, out, "b"); len(b) != 0 {
		t.Fatalf("<b> element in output: %s", out)
	}
	if i := elements(t, out, "i"); len(i) != 0 {
		t.Fatalf("<i> element in output: %s", out)
	}
	imgs := elements(t, out, "img")
	if len(imgs) != 1 {
		t.Fatalf("%d images", len(imgs))
	}
	if _, ok := attrOf(imgs[0], "onload"); ok {
		t.Fatalf("onload attribute injected: %s", out)
	}
	if alt, _ := attrOf(imgs[0], "alt"); alt != title {
		t.Errorf("alt = %q, want the title verbatim", alt)
	}
	if c, _ := attrOf(imgs[0], "class"); c != `a" onload="x` {
		t.Errorf("class = %q", c)
	}
	caps := elements(t, out, "figcaption")
	if len(caps) != 1 {
		t.Fatalf("%d figcaptions", len(caps))
	}
	want := caption + " Photo: " + byline + " / </figcaption><script>x()</script>"
	if got := textOf(caps[0]); got != want {
		t.Errorf("figcaption text\n got %q\nwant %q", got, want)
	}
}

func TestCreditLine(t *testing.T) {
	tests := []struct {
		t    Text
		want string
	}{
		{Text{Byline: "Kari Nordmann", Credit: "Acme Photo", Copyright: "© Acme"}, "Photo: Kari Nordmann / Acme Photo"},
		{Text{Byline: "Kari Nordmann"}, "Photo: Kari Nordmann"},
		{Text{Credit: "Acme Photo"}, "Photo: Acme Photo"},
		{Text{Byline: "Acme", Credit: "ACME"}, "Photo: Acme"},
		{Text{Copyright: "Acme 2023"}, "© Acme 2023"},
		{Text{Copyright: "© Acme 2023"}, "© Acme 2023"},
		{Text{Copyright: "(c) Acme"}, "(c) Acme"},
		{Text{Copyright: "Copyright Acme"}, "Copyright Acme"},
		{Text{Caption: "only a caption"}, ""},
	}
	for _, tt := range tests {
		if got := tt.t.CreditLine(DefaultCreditPrefix); got != tt.want {
			t.Errorf("%+v: got %q, want %q", tt.t, got, tt.want)
		}
	}
}

func TestAltText(t *testing.T) {
	e := testEmbedder(t)
	a := landscape()
	a.Metadata = meta(5, "Only a title")
	in := info(a)
	alt := func(o Options) (string, error) {
		h, err := e.RenderImg(in, o)
		if err != nil {
			return "", err
		}
		v, _ := attrOf(assertOneImg(t, string(h)), "alt")
		return v, nil
	}
	if got, _ := alt(Options{}); got != "Only a title" {
		t.Errorf("fallback to title: %q", got)
	}
	if got, _ := alt(Options{Alt: "Given"}); got != "Given" {
		t.Errorf("override: %q", got)
	}
	if got, _ := alt(Options{Decorative: true}); got != "" {
		t.Errorf("decorative: %q", got)
	}
	a.Metadata = nil
	in = info(a)
	if _, err := alt(Options{}); !errors.Is(err, ErrNoAlt) || !strings.Contains(err.Error(), in.Href) {
		t.Errorf("no alt: %v", err)
	}
}

func TestLoadingAttributes(t *testing.T) {
	e := testEmbedder(t)
	in := info(landscape())
	lazy, _ := e.RenderImg(in, Options{Width: 300})
	n := assertOneImg(t, string(lazy))
	for k, want := range map[string]string{"loading": "lazy", "decoding": "async", "width": "300", "height": "200"} {
		if got, _ := attrOf(n, k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	if _, ok := attrOf(n, "fetchpriority"); ok {
		t.Error("lazy image has fetchpriority")
	}
	eager, _ := e.RenderImg(in, Options{Width: 300, Priority: true})
	n = assertOneImg(t, string(eager))
	for k, want := range map[string]string{"loading": "eager", "fetchpriority": "high"} {
		if got, _ := attrOf(n, k); got != want {
			t.Errorf("priority: %s = %q, want %q", k, got, want)
		}
	}
}

func TestBadAttributes(t *testing.T) {
	e := testEmbedder(t)
	in := info(landscape())
	for _, o := range []Options{
		{Data: []Attr{{"onclick", "x"}}},
		{Data: []Attr{{"data-", "x"}}},
		{Data: []Attr{{"data-A", "x"}}},
		{Data: []Attr{{`data-x"`, "x"}}},
		{ID: "two words"},
		{Width: -1},
		{PixelRatios: []float64{0}},
		{Decorative: true, Alt: "x"},
		{Links: 7},
	} {
		if _, err := e.RenderImg(in, o); !errors.Is(err, ErrBadOption) {
			t.Errorf("%+v: err = %v, want ErrBadOption", o, err)
		}
	}
}

func TestSrcURLAndSrcset(t *testing.T) {
	e := testEmbedder(t)
	in := info(landscape())
	h, _ := e.RenderImg(in, Options{Width: 300})
	n := assertOneImg(t, string(h))
	src, _ := attrOf(n, "src")
	srcset, _ := attrOf(n, "srcset")
	u, err := e.SrcURL(in, Options{Width: 300})
	if err != nil || u != src {
		t.Errorf("SrcURL = %q (%v), want %q", u, err, src)
	}
	s, err := e.SrcsetOf(in, Options{Width: 300})
	if err != nil || s != srcset {
		t.Errorf("SrcsetOf = %q (%v), want %q", s, err, srcset)
	}
}

func TestURLWhiteSpaceEscaped(t *testing.T) {
	e := testEmbedder(t)
	a := landscape()
	for i := range a.Previews {
		a.Previews[i].Href = strings.Replace(a.Previews[i].Href, "cache", "my cache", 1)
	}
	h, err := e.RenderImg(info(a), Options{Width: 300, Links: LinkDirect})
	if err != nil {
		t.Fatal(err)
	}
	srcset, _ := attrOf(assertOneImg(t, string(h)), "srcset")
	if strings.Contains(srcset, "my cache") || !strings.Contains(srcset, "my%20cache") {
		t.Errorf("white space not encoded: %s", srcset)
	}
}
