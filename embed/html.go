package embed

import (
	"context"
	"html/template"
	"strconv"
	"strings"
)

// RenderImg returns the <img> element for in with o:
//
//	<img src srcset sizes width height alt loading decoding|fetchpriority
//	     class id style data-*>
//
// src is the smallest preview at least Width × the first pixel ratio
// wide; srcset lists the distinct widths up to the original's (and up to
// the first at least Width × the largest ratio); width and height carry
// the chosen preview's aspect ratio. Every value is escaped here.
//
// For an image whose size FotoWeb does not know, previews are chosen and
// listed by their nominal size (their long edge, the srcset's w
// descriptors too), the largest is the limit, and the height attribute
// (and the width, without Options.Width) is left out rather than
// claimed: see [Layout].
func (e *Embedder) RenderImg(in *Info, o Options) (template.HTML, error) {
	return e.renderImg(context.Background(), in, o)
}

// renderImg is RenderImg with the context export delivery works under.
func (e *Embedder) renderImg(ctx context.Context, in *Info, o Options) (template.HTML, error) {
	var w writer
	if err := e.writeImg(ctx, &w, in, &o, false, nil); err != nil {
		return "", err
	}
	return template.HTML(w.String()), nil
}

// writeImg plans (see [Layout]) and writes the <img> element, preceded
// by the <figure> start tag if figure is set (the builder then grows once
// for the whole figure, and the alt text is [Text.FigureAlt]'s). If r is not nil, it also fills in r's parts of
// the <img> from the same plan (see [Rendered]).
func (e *Embedder) writeImg(ctx context.Context, w *writer, in *Info, o *Options, figure bool, r *Rendered) error {
	if err := in.Check(e.cfg.Now()); err != nil {
		if e.cfg.Unpublished != UnpublishedPlaceholder {
			return err
		}
		return e.writePlaceholder(w, in, o, figure, r)
	}
	var p plan
	if err := p.make(in, o); err != nil {
		return err
	}
	if figure {
		p.alt = in.Text.FigureAlt(p.alt) // never the caption's words twice
	}
	var buf [16]int
	cands := p.srcset(in, o, buf[:0])
	m, err := e.urls(ctx, in, o, append(cands, p.src))
	if err != nil {
		return err
	}
	n := e.estimate(&p, &m, o, len(cands))
	if figure {
		n += figureLen(in, o, e.cfg.CreditPrefix)
	}
	w.Grow(n)
	if figure {
		w.WriteString("<figure")
		w.attrIf("class", o.FigureClass)
		w.WriteByte('>')
	}
	var v imgValues
	w.WriteString(`<img src="`)
	v.src.start = w.Len()
	m.write(w, p.src)
	v.src.end = w.Len()
	w.WriteString(`" srcset="`)
	v.srcset.start = w.Len()
	writeSrcset(w, &m, in, cands)
	v.srcset.end = w.Len()
	w.WriteString(`" sizes="`)
	v.sizes.start = w.Len()
	writeSizes(w, p.sizes, o.Width)
	v.sizes.end = w.Len()
	w.WriteByte('"')
	w.attrIntIf("width", p.width)
	w.attrIntIf("height", p.height)
	w.attr("alt", p.alt)
	if o.Priority {
		w.WriteString(` loading="eager" fetchpriority="high"`)
	} else {
		w.WriteString(` loading="lazy" decoding="async"`)
	}
	w.attrIf("class", o.Class)
	w.attrIf("id", o.ID)
	w.attrIf("style", o.Style)
	for _, a := range o.Data {
		w.attr(a.Name, a.Value)
	}
	w.WriteByte('>')
	if r != nil {
		r.setImg(w.String(), &v, &p, &m, in, cands)
	}
	return nil
}

// writeSrcset writes the srcset candidates "URL Ww, ...", each with its
// preview's true width.
func writeSrcset(w *writer, m *urlMaker, in *Info, cands []int) {
	for k, i := range cands {
		if k > 0 {
			w.WriteString(", ")
		}
		m.write(w, i)
		w.WriteByte(' ')
		w.int(in.Previews[i].Width)
		w.WriteByte('w')
	}
	if m.double != "" {
		w.WriteString(", ")
		w.url(m.double)
		w.WriteByte(' ')
		w.int(m.doubleW)
		w.WriteByte('w')
	}
}

// srcsetString returns the srcset value writeSrcset writes, unescaped.
func srcsetString(m *urlMaker, in *Info, cands []int) string {
	var b strings.Builder
	var buf [20]byte
	for k, i := range cands {
		if k > 0 {
			b.WriteString(", ")
		}
		b.WriteString(m.string(i))
		b.WriteByte(' ')
		b.Write(strconv.AppendInt(buf[:0], int64(in.Previews[i].Width), 10))
		b.WriteByte('w')
	}
	if m.double != "" {
		b.WriteString(", " + spaceless(m.double) + " ")
		b.Write(strconv.AppendInt(buf[:0], int64(m.doubleW), 10))
		b.WriteByte('w')
	}
	return b.String()
}

// writeSizes writes the sizes value: sizes if given, else the default for
// CSS width cw (see Options.Sizes).
func writeSizes(w *writer, sizes string, cw int) {
	switch {
	case sizes != "":
		w.escape(sizes)
	case cw > 0:
		w.WriteString("(max-width: ")
		w.int(cw)
		w.WriteString("px) 100vw, ")
		w.int(cw)
		w.WriteString("px")
	default:
		w.WriteString("100vw")
	}
}

// estimate returns the expected length of the element, so that the
// builder allocates once.
func (e *Embedder) estimate(p *plan, m *urlMaker, o *Options, ncands int) int {
	var perURL int
	switch m.mode {
	case LinkDirect:
		perURL = escapedLen(e.origin) + escapedLen(m.in.Previews[p.src].Href) + len(m.tokQ) + 8
	case LinkExport:
		perURL = escapedLen(m.export[p.src]) + 2
		ncands++
	default:
		perURL = len(e.baseEsc) + escapedLen(m.memo.paths[p.src]) + 2
	}
	n := 160 + (ncands+1)*(perURL+8) + escapedLen(p.alt) + escapedLen(p.sizes)
	n += escapedLen(o.Class) + escapedLen(o.ID) + escapedLen(o.Style)
	for _, a := range o.Data {
		n += len(a.Name) + escapedLen(a.Value) + 4
	}
	return n
}

// SrcURL returns the URL of the image chosen for o: the <img src>.
func (e *Embedder) SrcURL(in *Info, o Options) (string, error) {
	return e.srcURL(context.Background(), in, o)
}

// srcURL is SrcURL with the context export delivery works under.
func (e *Embedder) srcURL(ctx context.Context, in *Info, o Options) (string, error) {
	if err := in.Check(e.cfg.Now()); err != nil {
		if e.cfg.Unpublished != UnpublishedPlaceholder {
			return "", err
		}
		w, h := placeholderSize(in, &o)
		return placeholderURL(w, h), nil
	}
	var p plan
	o.Decorative, o.Alt = true, "" // alt text is irrelevant to a URL
	if err := p.make(in, &o); err != nil {
		return "", err
	}
	m, err := e.urls(ctx, in, &o, []int{p.src})
	if err != nil {
		return "", err
	}
	return m.string(p.src), nil
}

// SrcsetOf returns the srcset attribute value for in with o, unescaped.
func (e *Embedder) SrcsetOf(in *Info, o Options) (string, error) {
	return e.srcsetOf(context.Background(), in, o)
}

// srcsetOf is SrcsetOf with the context export delivery works under.
func (e *Embedder) srcsetOf(ctx context.Context, in *Info, o Options) (string, error) {
	if err := in.Check(e.cfg.Now()); err != nil {
		if e.cfg.Unpublished != UnpublishedPlaceholder {
			return "", err
		}
		return "", nil
	}
	var p plan
	o.Decorative, o.Alt = true, ""
	if err := p.make(in, &o); err != nil {
		return "", err
	}
	var buf [16]int
	cands := p.srcset(in, &o, buf[:0])
	m, err := e.urls(ctx, in, &o, cands)
	if err != nil {
		return "", err
	}
	return srcsetString(&m, in, cands), nil
}
