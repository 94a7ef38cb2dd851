// Package readme checks the Go examples of the repository's README.md:
// every ```go block is a complete, gofmt-formatted program that compiles
// and passes go vet against this module, and the html/template program
// runs against the fake FotoWeb, with signed URLs and with export
// delivery. The package has tests only.
package readme

import (
	"bytes"
	"context"
	"fmt"
	"go/format"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"
	"golang.org/x/oauth2"

	"github.com/fotoembed/fotoembed/fotoweb/fotowebtest"
	"github.com/fotoembed/fotoembed/fotoweb/tokens"
	"github.com/fotoembed/fotoembed/internal/testenv"
	"github.com/fotoembed/fotoembed/urlsig"
)

// readmePath is README.md, from this package's directory (a test's
// working directory).
const readmePath = "../../README.md"

// block is one fenced code block of the README.
type block struct {
	line int    // README line of the opening fence
	code string // the code, with the fence's indentation removed
}

// goBlocks returns the ```go blocks of a Markdown text.
func goBlocks(md string) []block {
	var (
		out    []block
		cur    *block
		indent string
	)
	for i, l := range strings.Split(md, "\n") {
		t := strings.TrimSpace(l)
		switch {
		case cur == nil && t == "```go":
			indent = l[:strings.Index(l, "```")]
			cur = &block{line: i + 1}
		case cur != nil && t == "```":
			out = append(out, *cur)
			cur = nil
		case cur != nil:
			cur.code += strings.TrimPrefix(l, indent) + "\n"
		}
	}
	return out
}

func TestGoBlocks(t *testing.T) {
	got := goBlocks("text\n```go\npackage main\n```\n\n  ```go\n  func f() {\n  \tx()\n  }\n  ```\n```sh\nls\n```\n")
	want := []block{{2, "package main\n"}, {6, "func f() {\n\tx()\n}\n"}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("goBlocks = %+v, want %+v", got, want)
	}
}

// goTool returns the go command that runs this test.
func goTool(t *testing.T) string {
	t.Helper()
	if p, err := exec.LookPath("go"); err == nil {
		return p
	}
	if root := os.Getenv("GOROOT"); root != "" {
		p := filepath.Join(root, "bin", "go")
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	testenv.Missing(t, "the go command is not on PATH")
	return ""
}

// mainGo matches a position in the program's file, in compiler output.
var mainGo = regexp.MustCompile(`(?:[\w./-]*/)?main\.go:(\d+)`)

// buildBlock writes b as main.go of a new package inside this module
// (its directory starts with "_", so ./... leaves it out if it were ever
// left behind), vets and builds it into binDir, and returns the program's
// path. Error positions are given as README lines.
func buildBlock(t *testing.T, goBin, binDir string, b block) string {
	t.Helper()
	dir, err := os.MkdirTemp(".", "_readme-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte(b.code), 0o644); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(binDir, "line"+strconv.Itoa(b.line))
	for _, args := range [][]string{{"vet", "./" + dir}, {"build", "-o", bin, "./" + dir}} {
		cmd := exec.CommandContext(t.Context(), goBin, args...)
		out, err := cmd.CombinedOutput()
		if err != nil {
			msg := mainGo.ReplaceAllStringFunc(string(out), func(s string) string {
				n, _ := strconv.Atoi(mainGo.FindStringSubmatch(s)[1])
				return "README.md:" + strconv.Itoa(b.line+n)
			})
			t.Fatalf("go %s of the README's Go block at line %d failed (%v):\n%s", args[0], b.line, err, msg)
		}
	}
	return bin
}

// TestREADMEGoExamples builds every Go block of the README and runs the
// html/template program against the fake FotoWeb.
func TestREADMEGoExamples(t *testing.T) {
	md, err := os.ReadFile(readmePath)
	if err != nil {
		t.Fatal(err)
	}
	blocks := goBlocks(string(md))
	if len(blocks) == 0 {
		t.Fatal("README.md has no ```go block: the html/template example is gone")
	}
	goBin, binDir := goTool(t), t.TempDir()
	template := ""
	for _, b := range blocks {
		t.Run("line "+strconv.Itoa(b.line), func(t *testing.T) {
			if !strings.HasPrefix(b.code, "package main\n") && !strings.Contains(b.code, "\npackage main\n") {
				t.Fatalf("the Go block at README line %d is not a complete program (package main)", b.line)
			}
			if f, err := format.Source([]byte(b.code)); err != nil || string(f) != b.code {
				t.Errorf("the Go block at README line %d is not gofmt-formatted (%v)", b.line, err)
			}
			bin := buildBlock(t, goBin, binDir, b)
			if strings.Contains(b.code, ".FuncMap()") {
				template = bin
			}
		})
	}
	if template == "" {
		t.Fatal("no README Go block using the FuncMap was built")
	}
	t.Run("template program", func(t *testing.T) { runTemplateProgram(t, template) })
}

// program is the html/template program's world: the fake FotoWeb and the
// settings it reads, as `fotoembed serve` does.
type program struct {
	bin    string
	fake   *fotowebtest.Server
	env    []string
	dir    string
	signer *urlsig.Signer
}

const baseURL = "https://img.example.com"

// runTemplateProgram runs the README's html/template program with the
// settings `fotoembed demo` writes, and checks what it prints.
func runTemplateProgram(t *testing.T, bin string) {
	fake := fotowebtest.NewServer(fotowebtest.Options{})
	t.Cleanup(fake.Close)
	p := &program{bin: bin, fake: fake, dir: t.TempDir()}

	// The read-only user's login, as `fotoembed login` saves it.
	tokenFile := filepath.Join(p.dir, "token.json")
	tok := &oauth2.Token{AccessToken: fake.ReadOnlyUserToken(), TokenType: "Bearer", Expiry: time.Now().Add(time.Hour)}
	if err := (&tokens.FileStore{Path: tokenFile}).Save(t.Context(), tok); err != nil {
		t.Fatal(err)
	}
	keys := [][]byte{[]byte("readme-example-signing-key-1"), []byte("readme-example-signing-key-2")}
	keyFile := filepath.Join(p.dir, "signing-keys")
	if err := os.WriteFile(keyFile, bytes.Join(keys, []byte("\n")), 0o600); err != nil {
		t.Fatal(err)
	}
	var err error
	if p.signer, err = urlsig.New(urlsig.Config{Keys: keys[:1]}); err != nil {
		t.Fatal(err)
	}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "FOTOEMBED_") {
			p.env = append(p.env, kv)
		}
	}
	p.env = append(p.env,
		"FOTOEMBED_FOTOWEB_URL="+fake.URL,
		"FOTOEMBED_CLIENT_ID="+fotowebtest.WebClientID,
		"FOTOEMBED_TOKEN_FILE="+tokenFile,
		"FOTOEMBED_SIGNING_KEYS_FILE="+keyFile,
		"FOTOEMBED_BASE_URL="+baseURL)

	t.Run("signed", func(t *testing.T) {
		page := p.run(t)
		for _, u := range page.urls {
			if _, err := p.signer.Verify(strings.TrimPrefix(u, baseURL), time.Now()); !strings.HasPrefix(u, baseURL+"/i/") || err != nil {
				t.Errorf("URL %s is not signed with the service's first key (%v)", u, err)
			}
		}
	})
	t.Run("export", func(t *testing.T) {
		ledger := filepath.Join(p.dir, "exports.db")
		page := p.run(t, "-export-ledger", ledger)
		for _, u := range page.urls {
			if !strings.HasPrefix(u, fake.URL+"/fotoweb/embed/") {
				t.Errorf("URL %s is not a public export URL", u)
			}
		}
		n := fake.ExportRequests()
		if n == 0 {
			t.Fatal("no export made")
		}
		again := p.run(t, "-export-ledger", ledger)
		if fmt.Sprint(again.urls) != fmt.Sprint(page.urls) || fake.ExportRequests() != n {
			t.Errorf("second run: %d exports (was %d), URLs %q, were %q", fake.ExportRequests(), n, again.urls, page.urls)
		}
	})
}

// page is what the template program printed.
type page struct {
	urls []string // every src, srcset candidate and link, in order
}

// run runs the program with args and checks the page's structure: a hero
// <img>, a <figure> whose alt text does not repeat its caption, a link.
func (p *program) run(t *testing.T, args ...string) page {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, p.bin, args...)
	cmd.Env = p.env
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("the README's template program failed: %v\n%s", err, stderr.String())
	}
	doc, err := html.Parse(bytes.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	var (
		pg                page
		imgs, figs, links []*html.Node
	)
	for n := range doc.Descendants() {
		switch {
		case n.Type != html.ElementNode:
		case n.Data == "img":
			imgs = append(imgs, n)
			pg.urls = append(pg.urls, attr(n, "src"))
			for _, c := range strings.Split(attr(n, "srcset"), ", ") {
				pg.urls = append(pg.urls, strings.Fields(c)[0])
			}
		case n.Data == "figure":
			figs = append(figs, n)
		case n.Data == "a":
			links = append(links, n)
			pg.urls = append(pg.urls, attr(n, "href"))
		}
	}
	if len(imgs) != 2 || len(figs) != 1 || len(links) != 1 {
		t.Fatalf("%d images, %d figures, %d links; want 2, 1, 1:\n%s", len(imgs), len(figs), len(links), out)
	}
	if attr(imgs[0], "class") != "hero" || attr(imgs[0], "loading") != "eager" || attr(imgs[0], "alt") == "" {
		t.Errorf("hero image: %s", out)
	}
	fig := imgs[1]
	if fig.Parent != figs[0] {
		t.Fatalf("the second image is not the figure's: %s", out)
	}
	caption := ""
	for n := range figs[0].Descendants() {
		if n.Type == html.ElementNode && n.Data == "figcaption" && n.FirstChild != nil && n.FirstChild.Type == html.TextNode {
			caption = strings.TrimSpace(n.FirstChild.Data)
		}
	}
	if alt := attr(fig, "alt"); caption == "" || alt == "" || strings.EqualFold(alt, caption) {
		t.Errorf("figure alt %q, caption %q: want both, different", alt, caption)
	}
	return pg
}

// attr returns n's attribute key, or "".
func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}
