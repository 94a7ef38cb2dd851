package rewrite

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"golang.org/x/net/html"
)

// auditEntry is one image of a page, while the audit runs.
type auditEntry struct {
	img      AuditImage
	off      int         // offset of the tag's "<"
	ref      string      // the reference canonicalised and resolved
	key      string      // its canonical key, once known
	hasAlt   bool        // the tag (for a <source>, its picture's <img>) has an alt attribute
	needAlt  bool        // a placeholder without alt: the alt text comes from FotoWeb
	figure   bool        // a placeholder without alt asking for a <figure>: its alt text does not repeat the caption
	altOf    *auditEntry // a <source>'s picture <img>, a placeholder without alt
	noImg    bool        // a <source> whose <picture> has no <img>
	source   bool        // a <source>: its alt is its picture's <img>'s
	altKnown bool        // the metadata alt text is known (resolved)
	fail     error       // why the image was not resolved
}

// scanPages reads the pages among files and returns each one's images,
// in tree order.
func (a *auditRun) scanPages(ctx context.Context, files []siteFile) ([][]*auditEntry, error) {
	var htmls []siteFile
	for _, f := range files {
		if f.html {
			htmls = append(htmls, f)
		}
	}
	a.rep.Files = len(htmls)
	found := make([][]*auditEntry, len(htmls))
	var mu sync.Mutex
	var errs []error
	forEach(ctx, len(htmls), max(a.cfg.Concurrency, 4), func(i int) {
		es, err := a.scanPage(htmls[i])
		mu.Lock()
		found[i] = es
		if err != nil {
			errs = append(errs, err)
		}
		mu.Unlock()
		a.progress("scan", 1, len(htmls))
	})
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("rewrite: audit interrupted: %w", err)
	}
	return found, errors.Join(errs...)
}

// scanPage returns the images of one page: its placeholders (found as Run
// finds them) and the <img> and <source> elements linking signed URLs.
func (a *auditRun) scanPage(f siteFile) ([]*auditEntry, error) {
	path := filepath.Join(a.cfg.Root, filepath.FromSlash(f.rel))
	doc, err := os.ReadFile(filepath.Join(a.root, filepath.FromSlash(f.rel)))
	if err != nil {
		return nil, fmt.Errorf("rewrite: %w", err)
	}
	sr, err := findPlaceholders(doc)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	var out []*auditEntry
	phAt := map[int]*auditEntry{}
	for i := range sr.phs {
		ph := &sr.phs[i]
		e := &auditEntry{off: ph.tag, ref: ph.ref, fail: ph.err, hasAlt: ph.opts.hasAlt, needAlt: !ph.opts.hasAlt,
			figure: !ph.opts.hasAlt && ph.opts.figure,
			img:    AuditImage{File: path, Line: ph.line, Asset: ph.ref, Kind: KindPlaceholder}}
		for _, at := range ph.attrs {
			if at.Key == "alt" {
				e.img.Alt = at.Val
			}
		}
		phAt[ph.tag] = e
		out = append(out, e)
	}
	var ms mediaScan
	ms.scan(doc, 0)
	next := map[int]*mediaTag{} // picture -> the <img> after the current tag
	for i := len(ms.tags) - 1; i >= 0; i-- {
		t := &ms.tags[i]
		if t.img {
			next[t.picture] = t
			continue
		}
		if img := next[t.picture]; img != nil {
			t.hasAlt, t.alt = img.hasAlt, img.alt
			if ph := phAt[img.off]; ph != nil && !ph.hasAlt {
				t.altOf = ph
			}
		} else {
			t.noImg = true
		}
	}
	for i := range ms.tags {
		if t := &ms.tags[i]; phAt[t.off] == nil {
			out = append(out, a.signedEntries(path, t)...)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].off < out[j].off })
	line, at := 1, 0
	for _, e := range out {
		line += bytes.Count(doc[at:e.off], []byte{'\n'})
		at = e.off
		e.img.Line = line
	}
	return out, nil
}

// signedEntries returns one entry per asset that tag t links with signed
// URLs.
func (a *auditRun) signedEntries(path string, t *mediaTag) []*auditEntry {
	var out []*auditEntry
	byAsset := map[string]*auditEntry{}
	for _, raw := range t.urls {
		s, ok := a.parseSigned(raw)
		if !ok {
			continue
		}
		e := byAsset[s.asset]
		if e == nil {
			e = &auditEntry{off: t.off, ref: s.asset, hasAlt: t.hasAlt, altOf: t.altOf, noImg: t.noImg, source: !t.img,
				img: AuditImage{File: path, Asset: s.asset, Kind: KindSigned, Signature: s.sig, Alt: t.alt}}
			byAsset[s.asset] = e
			out = append(out, e)
		}
		if s.sig == sigInvalid || e.img.Signature == sigVerified {
			e.img.Signature = s.sig
		}
		addOnce(&e.img.Problems, s.problem)
		addOnce(&e.img.Warnings, s.warning)
	}
	return out
}

// addOnce appends s to list unless it is "" or already there.
func addOnce(list *[]string, s string) {
	for _, x := range *list {
		if x == s {
			return
		}
	}
	if s != "" {
		*list = append(*list, s)
	}
}

// mediaTag is an <img>, or a <source> in a <picture>.
type mediaTag struct {
	off     int // offset of its "<"
	img     bool
	picture int // the <picture> it is in (1, 2, ...); 0 for none
	hasAlt  bool
	alt     string
	urls    []string // src, then the srcset candidates
	altOf   *auditEntry
	noImg   bool
}

// mediaScan finds the <img> elements and the <source> elements of
// <picture>s where the placeholder scanner looks for placeholders: not
// in pre, code, comments or raw text elements, but in noscript. It runs
// after findPlaceholders accepted the page, so the offsets hold.
type mediaScan struct {
	tags     []mediaTag
	picture  int // the open <picture>; 0 for none
	pictures int
}

// scan tokenizes part, which starts at offset base of the page.
func (s *mediaScan) scan(part []byte, base int) {
	z := html.NewTokenizer(bytes.NewReader(part))
	off, verbatim, noscript := 0, 0, false
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			return
		}
		start := off
		off += len(z.Raw())
		name := tagName(z, tt)
		switch {
		case tt == html.TextToken && noscript && verbatim == 0:
			s.scan(part[start:off], base+start)
		case (name == "pre" || name == "code") && tt == html.StartTagToken:
			verbatim++
		case (name == "pre" || name == "code") && tt == html.EndTagToken && verbatim > 0:
			verbatim--
		case name == "picture" && tt == html.StartTagToken:
			s.pictures++
			s.picture = s.pictures
		case name == "picture" && tt == html.EndTagToken:
			s.picture = 0
		case verbatim == 0 && tt != html.EndTagToken && (name == "img" || name == "source" && s.picture > 0):
			s.tags = append(s.tags, readMediaTag(z, name == "img", base+start, s.picture))
		}
		noscript = name == "noscript" && tt == html.StartTagToken
	}
}

// readMediaTag reads the attributes of the tag z is at.
func readMediaTag(z *html.Tokenizer, img bool, off, picture int) mediaTag {
	t := mediaTag{off: off, img: img, picture: picture}
	seen := map[string]bool{}
	for more := true; more; {
		var k, v []byte
		k, v, more = z.TagAttr()
		key := string(k)
		if seen[key] { // HTML keeps the first of repeated attributes
			continue
		}
		seen[key] = true
		switch key {
		case "src":
			t.urls = append(t.urls, strings.TrimSpace(string(v)))
		case "srcset":
			for _, part := range strings.Split(string(v), ",") {
				if f := strings.Fields(part); len(f) > 0 {
					t.urls = append(t.urls, f[0])
				}
			}
		case "alt":
			t.hasAlt, t.alt = true, string(v)
		}
	}
	return t
}
