package embed

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fotoembed/fotoembed/internal/testenv"
)

// The markup is checked with the pinned npm package html-validate
// (tools/html-validate), configured by testdata/.htmlvalidate.json: the
// "html-validate:recommended" preset with one rule off:
//
//   - no-inline-style: inline style is valid HTML; the rule is a
//     document-style preference (CSP, maintainability), and style is an
//     attribute the caller chose to pass through.

func TestHTMLValidate(t *testing.T) {
	bin, cfg := testenv.HTMLValidator(t)
	golden, err := filepath.Glob(filepath.Join("testdata", "golden", "*.html"))
	if err != nil || len(golden) == 0 {
		t.Fatalf("no golden files (%v)", err)
	}
	dir := t.TempDir()
	var files []string
	write := func(name, fragment string) {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(testenv.Document(name, fragment)), 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, p)
	}
	for _, g := range golden {
		b, err := os.ReadFile(g)
		if err != nil {
			t.Fatal(err)
		}
		write(filepath.Base(g), string(b))
	}
	write("hostile-text.html", hostileFigure(t)+"\n")
	cmd := exec.Command(bin, append([]string{"--config", cfg, "--formatter", "text"}, files...)...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("html-validate rejected the markup (%v):\n%s", err, strings.TrimSpace(string(out)))
	}
	t.Logf("html-validate: %d documents valid", len(files))

	// The harness must be able to fail: an <img> without alt is invalid.
	bad := filepath.Join(dir, "bad.html")
	if err := os.WriteFile(bad, []byte(testenv.Document("bad", `<img src="a.jpg" width="1" height="1">`+"\n")), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(bin, "--config", cfg, bad).CombinedOutput(); err == nil {
		t.Errorf("html-validate accepted an <img> without alt:\n%s", out)
	}
}

// hostileFigure renders a figure whose metadata holds markup and quotes.
func hostileFigure(t *testing.T) string {
	t.Helper()
	a := asset("evil.jpg", 1200, 800, 0, meta(
		120, `<script>alert("x")</script> "quoted" & <b>bold</b>`,
		80, `O'Brien & "Sons"`, 110, "</figcaption><script>x()</script>"))
	h, err := testEmbedder(t).RenderFigure(info(a), Options{Width: 300, Class: `a" onload="x`})
	if err != nil {
		t.Fatal(err)
	}
	return string(h)
}
