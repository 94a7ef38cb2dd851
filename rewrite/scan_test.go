package rewrite_test

import (
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/fotoembed/fotoembed/rewrite"
)

// TestFindPlaceholders checks which tags are placeholders, their refs,
// their byte ranges and lines.
func TestFindPlaceholders(t *testing.T) {
	tests := []struct {
		name string
		doc  string
		want []string // "ref@line" per placeholder, or "ref@line!" for one with an error
		span []string // optional: the replaced text of each placeholder
	}{
		{"src", `<img src="fotoweb:/a.info">`, []string{"/a.info@1"}, []string{`<img src="fotoweb:/a.info">`}},
		{"data attribute", "x\n<img data-fotoweb='/a.info' src=dev.jpg>", []string{"/a.info@2"}, nil},
		{"upper case", `<IMG SRC="FOTOWEB:/a.info">`, []string{"/a.info@1"}, nil},
		{"unquoted, self-closing", `<img src=fotoweb:/a.info alt=x />`, []string{"/a.info@1"}, []string{`<img src=fotoweb:/a.info alt=x />`}},
		{"split over lines", "<p>\n<img\n  src=\"fotoweb:/a.info\"\n  alt=\"x\"\n>", []string{"/a.info@2"}, nil},
		{"entities", `<img src="fotoweb:&#47;a&amp;b.info">`, []string{"/a&b.info@1"}, nil},
		{"trimmed", `<img src="fotoweb:  /a.info ">`, []string{"/a.info@1"}, nil},
		{"space before the scheme", `<img src=" fotoweb:/a.info">`, []string{"/a.info@1"}, nil},
		{"not a placeholder", `<img src="/a.jpg"><img src="https://x/fotoweb:/a">`, nil, nil},
		{"first of repeated attributes wins", `<img src="fotoweb:/a.info" src="fotoweb:/b.info">`, []string{"/a.info@1"}, nil},
		{"comment", `<!-- <img src="fotoweb:/a.info"> --><img src="fotoweb:/b.info">`, []string{"/b.info@1"}, nil},
		{"pre", `<pre><img src="fotoweb:/a.info"></pre><img src="fotoweb:/b.info">`, []string{"/b.info@1"}, nil},
		{"code in pre", `<pre><code><img src="fotoweb:/a.info"></code> <img src="fotoweb:/c.info"></pre>`, nil, nil},
		{"code", `<code><img data-fotoweb="/a.info"></code>`, nil, nil},
		{"stray end tags", `</pre></code><img src="fotoweb:/a.info">`, []string{"/a.info@1"}, nil},
		{"script", `<script>"<img src=\"fotoweb:/a.info\">"</script>`, nil, nil},
		{"style", `<style>/*<img src="fotoweb:/a.info">*/</style>`, nil, nil},
		{"textarea", `<textarea><img src="fotoweb:/a.info"></textarea>`, nil, nil},
		{"title", `<title><img src="fotoweb:/a.info"></title>`, nil, nil},
		{"noscript", "<noscript>\n<img src=\"fotoweb:/a.info\"></noscript>", []string{"/a.info@2"}, []string{`<img src="fotoweb:/a.info">`}},
		{"figure alone in p", "<p>\n <img data-fotoweb=/a.info data-fotoweb-figure>\n</p>", []string{"/a.info@2"},
			[]string{"<p>\n <img data-fotoweb=/a.info data-fotoweb-figure>\n</p>"}},
		{"figure with text in p", "<p>x <img data-fotoweb=/a.info data-fotoweb-figure></p>", []string{"/a.info@1"},
			[]string{"<img data-fotoweb=/a.info data-fotoweb-figure>"}},
		{"figure in p with attributes", "<p class=c><img data-fotoweb=/a.info data-fotoweb-figure></p>", []string{"/a.info@1"},
			[]string{"<img data-fotoweb=/a.info data-fotoweb-figure>"}},
		{"figure after an image in p", "<p><img src=x.jpg><img data-fotoweb=/a.info data-fotoweb-figure></p>", []string{"/a.info@1"},
			[]string{"<img data-fotoweb=/a.info data-fotoweb-figure>"}},
		{"plain image alone in p", "<p><img data-fotoweb=/a.info></p>", []string{"/a.info@1"}, []string{"<img data-fotoweb=/a.info>"}},
		{"empty ref", `<img src="fotoweb:">`, []string{"@1!"}, nil},
		{"two refs", `<img src="fotoweb:/a.info" data-fotoweb="/b.info">`, []string{"/b.info@1!"}, nil},
		{"same ref twice", `<img src="fotoweb:/a.info" data-fotoweb="/a.info">`, []string{"/a.info@1"}, nil},
		{"option without ref", `<img data-fotoweb-figure src="x.jpg">`, []string{"@1!"}, nil},
		{"unknown option", `<img data-fotoweb="/a.info" data-fotoweb-size="2">`, []string{"/a.info@1!"}, nil},
		{"bad width", `<img data-fotoweb="/a.info" width="100%">`, []string{"/a.info@1!"}, nil},
		{"bad priority", `<img data-fotoweb="/a.info" data-fotoweb-priority="maybe">`, []string{"/a.info@1!"}, nil},
		{"bad attribute name", `<img data-fotoweb="/a.info" a"b=c>`, []string{"/a.info@1!"}, nil},
		{"CRLF lines", "a\r\nb\r\n<img src=fotoweb:/a.info>", []string{"/a.info@3"}, nil},
		{"truncated tag", `<img src="fotoweb:/a.info"`, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			spans, err := rewrite.FindPlaceholders([]byte(tt.doc))
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, s := range spans {
				g := s.Ref + "@" + strconv.Itoa(s.Line)
				if s.Err != nil {
					if !errors.Is(s.Err, rewrite.ErrPlaceholder) {
						t.Errorf("error %v does not match ErrPlaceholder", s.Err)
					}
					g += "!"
				}
				got = append(got, g)
			}
			if strings.Join(got, " ") != strings.Join(tt.want, " ") {
				t.Errorf("got %q, want %q", got, tt.want)
			}
			for i, want := range tt.span {
				if i < len(spans) {
					if g := tt.doc[spans[i].Start:spans[i].End]; g != want {
						t.Errorf("span %d = %q, want %q", i, g, want)
					}
				}
			}
		})
	}
}
