package rewrite_test

import (
	"bytes"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/fotoembed/fotoembed/rewrite"
)

// checkSplice checks that after is before with each placeholder's byte
// range replaced by exactly one element (<img> or <figure>...</figure>),
// and every other byte unchanged: it walks after, matching before's bytes
// between placeholders verbatim and tokenizing each replacement.
func checkSplice(t *testing.T, name string, before, after []byte) {
	t.Helper()
	spans, err := rewrite.FindPlaceholders(before)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	pos, last := 0, 0
	for i, s := range spans {
		seg := before[last:s.Start]
		if !bytes.HasPrefix(after[pos:], seg) {
			t.Errorf("%s: bytes before placeholder %d (line %d) changed", name, i, s.Line)
			return
		}
		pos += len(seg)
		n := elementLen(after[pos:])
		if n == 0 {
			t.Errorf("%s: placeholder %d (line %d) was not replaced by one element: %.80q", name, i, s.Line, after[pos:])
			return
		}
		if bytes.Contains(bytes.ToLower(after[pos:pos+n]), []byte(` src="fotoweb:`)) {
			t.Errorf("%s: replacement %d still holds a placeholder", name, i)
		}
		pos += n
		last = s.End
	}
	if !bytes.Equal(after[pos:], before[last:]) {
		t.Errorf("%s: bytes after the last placeholder changed", name)
	}
}

// elementLen returns the length of the <img> or <figure> element at the
// start of b, or 0.
func elementLen(b []byte) int {
	z := html.NewTokenizer(bytes.NewReader(b))
	n, depth := 0, 0
	for {
		tt := z.Next()
		n += len(z.Raw())
		name, _ := z.TagName()
		switch {
		case tt == html.ErrorToken:
			return 0
		case n == len(z.Raw()) && tt == html.StartTagToken && string(name) == "img":
			return n
		case n == len(z.Raw()) && !(tt == html.StartTagToken && string(name) == "figure"):
			return 0
		case tt == html.StartTagToken && string(name) == "figure":
			depth++
		case tt == html.EndTagToken && string(name) == "figure":
			if depth--; depth == 0 {
				return n
			}
		}
	}
}

// TestSpliceKeepsBytes checks the splice on hand-made documents with
// awkward bytes around the placeholders: CRLF, NUL, invalid UTF-8, a BOM,
// adjacent placeholders.
func TestSpliceKeepsBytes(t *testing.T) {
	img := &rewrite.Image{Src: rewrite.Candidate{URL: "/a.jpg", Width: 200},
		Srcset: []rewrite.Candidate{{URL: "/a.jpg", Width: 200}}, Width: 200, Height: 100, Alt: "A"}
	docs := []string{
		"\ufeff<p>\r\n<img src=\"fotoweb:/x.info\">\r\n</p>\x00\xff\xfe",
		"<img src=fotoweb:/a.info><img data-fotoweb=/b.info><IMG SRC='FOTOWEB:/c.info'/>",
		"<p><img data-fotoweb=/a.info data-fotoweb-figure></p><p> <img data-fotoweb=/b.info data-fotoweb-figure> </p>",
		"<!-- <img src=fotoweb:/a.info> --><img src=fotoweb:/b.info><!--x",
		"<img src=fotoweb:/a.info",
	}
	for _, d := range docs {
		out, err := rewrite.RewriteDoc([]byte(d), img)
		if err != nil {
			t.Fatalf("%q: %v", d, err)
		}
		checkSplice(t, strings.ReplaceAll(d, "\n", `\n`), []byte(d), out)
	}
}
