package rewrite

import (
	"bytes"
	"strconv"
	"strings"
)

// escaper makes a string safe in an attribute value or text: the same
// replacements as html.EscapeString (and embed's writer).
var escaper = strings.NewReplacer(`&`, "&amp;", `'`, "&#39;", `<`, "&lt;", `>`, "&gt;", `"`, "&#34;")

// attr is one attribute to write.
type attr struct{ key, val string }

// render writes the markup that replaces placeholder ph, resolved to img;
// link gives each candidate's URL.
func render(b *bytes.Buffer, ph *placeholder, img *Image, link func(Candidate) string) {
	o := &ph.opts
	if o.figure {
		b.WriteString("<figure")
		if o.figureClass != "" {
			writeAttr(b, "class", o.figureClass)
		}
		b.WriteByte('>')
	}
	b.WriteString("<img")
	for _, a := range mergeAttrs(defaults(ph, img, link), ph) {
		writeAttr(b, a.key, a.val)
	}
	b.WriteByte('>')
	if !o.figure {
		return
	}
	if img.Caption != "" || img.Credit != "" {
		b.WriteString("<figcaption>")
		escaper.WriteString(b, img.Caption)
		if img.Caption != "" && img.Credit != "" {
			b.WriteByte(' ')
		}
		if img.Credit != "" {
			b.WriteString(`<small class="credit">`)
			escaper.WriteString(b, img.Credit)
			b.WriteString("</small>")
		}
		b.WriteString("</figcaption>")
	}
	b.WriteString("</figure>")
}

// defaults returns fotoembed's attributes for img, in embed's order.
func defaults(ph *placeholder, img *Image, link func(Candidate) string) []attr {
	var set strings.Builder
	for i, c := range img.Srcset {
		if i > 0 {
			set.WriteString(", ")
		}
		set.WriteString(spaceless(link(c)))
		if c.Width > 0 {
			set.WriteString(" " + strconv.Itoa(c.Width) + "w")
		}
	}
	w := ph.opts.width
	sizes := "100vw"
	if w > 0 {
		sizes = "(max-width: " + strconv.Itoa(w) + "px) 100vw, " + strconv.Itoa(w) + "px"
	}
	as := []attr{{"src", spaceless(link(img.Src))}, {"srcset", set.String()}, {"sizes", sizes}}
	// A dimension FotoWeb does not know is 0 and left out, as embed does.
	if img.Width > 0 {
		as = append(as, attr{"width", strconv.Itoa(img.Width)})
	}
	if img.Height > 0 {
		as = append(as, attr{"height", strconv.Itoa(img.Height)})
	}
	as = append(as, attr{"alt", img.Alt})
	if ph.opts.priority {
		return append(as, attr{"loading", "eager"}, attr{"fetchpriority", "high"})
	}
	return append(as, attr{"loading", "lazy"}, attr{"decoding", "async"})
}

// mergeAttrs lets the author's attributes win: a default the author also
// wrote takes the author's value in its place; the author's others follow
// in the author's order.
func mergeAttrs(defs []attr, ph *placeholder) []attr {
	out := make([]attr, 0, len(defs)+len(ph.attrs))
	used := make([]bool, len(ph.attrs))
	for _, d := range defs {
		for i, a := range ph.attrs {
			if a.Key == d.key {
				d.val, used[i] = a.Val, true
				break
			}
		}
		out = append(out, d)
	}
	for i, a := range ph.attrs {
		if !used[i] {
			out = append(out, attr{a.Key, a.Val})
		}
	}
	return out
}

// writeAttr writes ` key="value"` with the value escaped.
func writeAttr(b *bytes.Buffer, key, val string) {
	b.WriteByte(' ')
	b.WriteString(key)
	b.WriteString(`="`)
	escaper.WriteString(b, val)
	b.WriteByte('"')
}

// spaceless percent-encodes ASCII white space, which a URL cannot hold and
// which separates srcset candidates.
func spaceless(s string) string {
	if !strings.ContainsAny(s, " \t\n\f\r") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case ' ', '\t', '\n', '\f', '\r':
			b.WriteString("%" + strings.ToUpper(strconv.FormatUint(uint64(c)|0x100, 16)[1:]))
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// splice returns doc with each placeholder's byte range replaced by what
// repl writes for it; every other byte is copied as it is.
func splice(doc []byte, phs []placeholder, repl func(i int, b *bytes.Buffer)) []byte {
	var b bytes.Buffer
	b.Grow(len(doc) + len(phs)*1024)
	last := 0
	for i := range phs {
		b.Write(doc[last:phs[i].start])
		repl(i, &b)
		last = phs[i].end
	}
	b.Write(doc[last:])
	return b.Bytes()
}
