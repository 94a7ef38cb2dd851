package rewrite_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/fotoembed/fotoembed/rewrite"
)

// fuzzImage is what every placeholder becomes in the fuzz tests.
var fuzzImage = &rewrite.Image{
	Src:    rewrite.Candidate{URL: "https://img.example.com/i/s/w400/a.jpg", Width: 400},
	Srcset: []rewrite.Candidate{{URL: "https://img.example.com/i/s/w400/a.jpg", Width: 400}, {URL: "/b c.jpg", Width: 800}},
	Width:  400, Height: 300, Alt: `A "quoted" <alt> & more`, Caption: "Caption <b>", Credit: "Photo: O'Brien",
}

// addSeeds adds the fixture pages and a few awkward documents.
func addSeeds(f *testing.F) {
	for _, dir := range []string{"site", "broken"} {
		filepath.WalkDir(filepath.Join("testdata", dir), func(p string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				if b, err := os.ReadFile(p); err == nil {
					f.Add(b)
				}
			}
			return nil
		})
	}
	for _, s := range []string{
		"", "<", "<img", "<img src=fotoweb:", "<p><img data-fotoweb=x data-fotoweb-figure></p>",
		"<noscript><noscript><img src=fotoweb:/a></noscript>", "<pre><pre></pre><img src=fotoweb:/a>",
		"<plaintext><img src=fotoweb:/a>", "<svg><img src=fotoweb:/a></svg>", "\x00<img\x00src=fotoweb:/a>",
	} {
		f.Add([]byte(s))
	}
}

// FuzzRewrite checks that rewriting never panics, that a document without
// placeholders comes back byte for byte, and that every byte outside the
// placeholders is kept.
func FuzzRewrite(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, doc []byte) {
		spans, err := rewrite.FindPlaceholders(doc)
		if err != nil {
			t.Fatalf("scanner refused a document: %v", err)
		}
		last := 0
		for _, s := range spans {
			if s.Start < last || s.End <= s.Start || s.End > len(doc) || s.Line < 1 {
				t.Fatalf("bad span %+v after %d in %d bytes", s, last, len(doc))
			}
			last = s.End
		}
		out, err := rewrite.RewriteDoc(doc, fuzzImage)
		if err != nil {
			t.Fatal(err)
		}
		if len(spans) == 0 {
			if !bytes.Equal(out, doc) {
				t.Fatal("a document without placeholders changed")
			}
			return
		}
		checkSplice(t, "fuzz", doc, out)
	})
}

// FuzzNoPlaceholder checks that text without the placeholder markers is
// never changed, whatever HTML it holds.
func FuzzNoPlaceholder(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, doc []byte) {
		if bytes.Contains(bytes.ToLower(doc), []byte("fotoweb")) {
			return
		}
		spans, err := rewrite.FindPlaceholders(doc)
		if err != nil {
			t.Fatalf("scanner refused a document: %v", err)
		}
		if len(spans) != 0 {
			t.Fatalf("placeholders found in a document without the marker: %+v", spans)
		}
		out, err := rewrite.RewriteDoc(doc, fuzzImage)
		if err != nil || !bytes.Equal(out, doc) {
			t.Fatalf("document changed (%v)", err)
		}
	})
}
