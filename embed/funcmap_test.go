package embed

import (
	"bytes"
	"errors"
	"html/template"
	"strings"
	"testing"

	"github.com/fotoembed/fotoembed/fotoweb/fotowebtest"
)

// execute runs a template using the FuncMap with data.
func execute(t *testing.T, e *Embedder, text string, data any) (string, error) {
	t.Helper()
	tpl, err := template.New("page").Funcs(e.FuncMap()).Parse(text)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	err = tpl.Execute(&buf, data)
	return buf.String(), err
}

// TestFuncMapScriptCaptionInert renders the fake's asset whose title and
// caption hold <script>, & and " through every helper.
func TestFuncMapScriptCaptionInert(t *testing.T) {
	v := newEnv(t, ResolverConfig{})
	out, err := execute(t, v.emb, `<main>
{{fotowebFigure .Ref "width=300"}}
<img src="{{fotowebURL .Ref "width=300"}}" srcset="{{fotowebSrcset .Ref "width=300"}}" alt="{{.Alt}}">
{{fotowebImg .Ref "width=300" "data-caption=<script>x</script>"}}
</main>`, map[string]string{"Ref": fotowebtest.ScriptAsset, "Alt": `"><script>y</script>`})
	if err != nil {
		t.Fatal(err)
	}
	if n := elements(t, out, "script"); len(n) != 0 {
		t.Fatalf("script element in output:\n%s", out)
	}
	in, err := v.res.Resolve(t.Context(), fotowebtest.ScriptAsset)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(in.Text.Caption, "<script>") {
		t.Fatalf("the fake's caption changed: %q", in.Text.Caption)
	}
	caps := elements(t, out, "figcaption")
	if len(caps) != 1 || !strings.HasPrefix(textOf(caps[0]), in.Text.Caption) {
		t.Fatalf("figcaption text is not the caption verbatim: %q", textOf(caps[0]))
	}
	imgs := elements(t, out, "img")
	if len(imgs) != 3 {
		t.Fatalf("%d images", len(imgs))
	}
	// The figure's alt text is the title: its caption is the alt field.
	for img, want := range []string{0: in.Text.Title, 2: in.Text.Alt} {
		if alt, _ := attrOf(imgs[img], "alt"); img != 1 && alt != want {
			t.Errorf("img %d alt %q, want %q", img, alt, want)
		}
	}
	src0, _ := attrOf(imgs[0], "src")
	src1, _ := attrOf(imgs[1], "src")
	set0, _ := attrOf(imgs[0], "srcset")
	set1, _ := attrOf(imgs[1], "srcset")
	if src0 != src1 || set0 != set1 {
		t.Errorf("fotowebURL/fotowebSrcset disagree with fotowebFigure:\n%s\n%s\n%s\n%s", src0, src1, set0, set1)
	}
}

func TestFuncMapErrorsNameAsset(t *testing.T) {
	v := newEnv(t, ResolverConfig{})
	tests := []struct {
		tpl, ref string
		is       error
		msg      string
	}{
		{`{{fotowebImg .Ref "width=wide"}}`, fotowebtest.LandscapeAsset, ErrBadOption, "width must be"},
		{`{{fotowebImg .Ref "onclick=x"}}`, fotowebtest.LandscapeAsset, ErrBadOption, "unknown option"},
		{`{{fotowebFigure .Ref}}`, fotowebtest.DocumentAsset, ErrNoImage, "no usable image"},
		{`{{fotowebImg .Ref}}`, fotowebtest.NoCaptionAsset, ErrNoAlt, "decorative"},
		{`{{fotowebURL .Ref}}`, "/fotoweb/archives/5001-Photos/nope.jpg.info", nil, "not found"},
		{`{{fotowebSrcset .Ref}}`, "no-ref", ErrBadRef, "bad asset reference"},
	}
	for _, tt := range tests {
		_, err := execute(t, v.emb, tt.tpl, map[string]string{"Ref": tt.ref})
		if err == nil {
			t.Errorf("%s %s: no error", tt.tpl, tt.ref)
			continue
		}
		var re *RefError
		if !errors.As(err, &re) || re.Ref != tt.ref || (tt.is != nil && !errors.Is(err, tt.is)) {
			t.Errorf("%s %s: err = %v", tt.tpl, tt.ref, err)
		}
		if !strings.Contains(err.Error(), tt.ref) || !strings.Contains(err.Error(), tt.msg) {
			t.Errorf("%s: message %q should name %q and say %q", tt.tpl, err, tt.ref, tt.msg)
		}
	}
	if _, err := execute(t, v.emb, `{{fotowebImg .Ref "decorative"}}`, map[string]string{"Ref": fotowebtest.NoCaptionAsset}); err != nil {
		t.Errorf("decorative image without alt text: %v", err)
	}
}
