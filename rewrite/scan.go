package rewrite

import (
	"bytes"
	"errors"

	"golang.org/x/net/html"
)

// placeholder is one placeholder tag found in a page.
type placeholder struct {
	start, end int // byte range replaced (the tag, or a <p> holding only a figure)
	tag        int // offset of the tag's "<" (for the line number)
	line       int // 1-based line of tag
	ref        string
	attrs      []html.Attribute // the author's attributes to keep, first occurrences only
	opts       options
	err        error // a problem with the tag itself
}

// errUnscannable reports a page the tokenizer's offsets cannot be trusted
// for; it is not rewritten.
var errUnscannable = errors.New("rewrite: cannot locate tags in this file (tokenizer offsets do not match its bytes)")

// scanResult is what a page holds.
type scanResult struct {
	phs     []placeholder // in document order
	hasBase bool          // the page has a <base> element
}

// findPlaceholders returns the placeholders of doc in document order. Tags
// inside pre, code and comments, and inside the raw text elements (script,
// style, textarea, title, ...), are not placeholders; the content of
// noscript is searched.
func findPlaceholders(doc []byte) (scanResult, error) {
	var s scanner
	if err := s.scan(doc, 0); err != nil {
		return scanResult{}, err
	}
	setLines(doc, s.out)
	return scanResult{phs: s.out, hasBase: s.base}, nil
}

// scanner walks one document (and the content of its noscript elements).
type scanner struct {
	out  []placeholder
	base bool
}

// paraState tracks a plain <p> that may hold only a figure placeholder.
type paraState struct {
	open    int // offset of the <p>, or -1
	pending int // index in out of a figure placeholder alone so far, or -1
}

// scan tokenizes part, which starts at offset base of s.doc.
func (s *scanner) scan(part []byte, base int) error {
	z := html.NewTokenizer(bytes.NewReader(part))
	off, verbatim := 0, 0
	noscript := false
	p := paraState{open: -1, pending: -1}
	for {
		tt := z.Next()
		raw := z.Raw()
		start := off
		off += len(raw)
		if off > len(part) || !bytes.Equal(part[start:off], raw) {
			return errUnscannable
		}
		if tt == html.ErrorToken {
			if off != len(part) {
				return errUnscannable
			}
			return nil
		}
		name := tagName(z, tt)
		s.para(&p, tt, name, part[start:off], base+start, base+off)
		switch {
		case tt == html.TextToken && noscript && verbatim == 0:
			if err := s.scan(part[start:off], base+start); err != nil {
				return err
			}
		case name == "base" && tt != html.EndTagToken:
			s.base = true
		case (name == "pre" || name == "code") && tt == html.StartTagToken:
			verbatim++
		case (name == "pre" || name == "code") && tt == html.EndTagToken && verbatim > 0:
			verbatim--
		case name == "img" && verbatim == 0 && tt != html.EndTagToken:
			ph, ok := parsePlaceholder(z, base+start, base+off)
			if ok {
				s.out = append(s.out, ph)
			}
			if ok && ph.opts.figure && p.open >= 0 {
				p.pending = len(s.out) - 1
			} else {
				p.open = -1
			}
		}
		noscript = name == "noscript" && tt == html.StartTagToken
	}
}

// tagName returns the lower-case name of a tag token, or "".
func tagName(z *html.Tokenizer, tt html.TokenType) string {
	switch tt {
	case html.StartTagToken, html.EndTagToken, html.SelfClosingTagToken:
		name, _ := z.TagName()
		return string(name)
	}
	return ""
}

// para follows "<p> figure-placeholder </p>" (white space allowed between)
// and widens that placeholder to the whole paragraph.
func (s *scanner) para(p *paraState, tt html.TokenType, name string, raw []byte, start, end int) {
	space := tt == html.TextToken && len(bytes.TrimSpace(raw)) == 0
	if p.pending >= 0 {
		switch {
		case space:
			return
		case tt == html.EndTagToken && name == "p":
			s.out[p.pending].start, s.out[p.pending].end = p.open, end
		}
		p.open, p.pending = -1, -1
		return
	}
	switch {
	case tt == html.StartTagToken && name == "p" && bytes.EqualFold(raw, []byte("<p>")):
		p.open = start
	case space, name == "img":
		// White space, or an image: the caller decides.
	default:
		p.open = -1
	}
}

// setLines fills in the line of each placeholder's tag.
func setLines(doc []byte, phs []placeholder) {
	line, at := 1, 0
	for i := range phs {
		if phs[i].tag < at { // never happens: document order
			line, at = 1, 0
		}
		line += bytes.Count(doc[at:phs[i].tag], []byte{'\n'})
		at = phs[i].tag
		phs[i].line = line
	}
}
