package embed

import (
	"context"
	"html/template"
	"strings"
)

// Rendered is every part of one rendered image: the markup and the values
// it was written from, for callers that lay the image out themselves
// (such as a JSON API). Values are plain text, not escaped.
type Rendered struct {
	// HTML is the <img> of [Embedder.RenderImg], or the <figure> of
	// [Embedder.RenderFigure].
	HTML template.HTML
	// Src is the <img src>: the URL of the image chosen for the options,
	// as [Embedder.SrcURL] returns it.
	Src string
	// Srcset is the srcset value, as [Embedder.SrcsetOf] returns it.
	Srcset string
	// Sizes is the sizes value: Options.Sizes, or its default.
	Sizes string
	// Width and Height are the width and height attributes; 0 for one
	// left out (a size FotoWeb does not know; see [Layout]).
	Width, Height int
	// Alt is the alt text ("" for a decorative image).
	Alt string
	// Caption and Credit are the figure's caption (Text.Caption) and
	// credit line ([Text.CreditLine] with the Embedder's CreditPrefix).
	// They are set for an <img> too, for callers that show them apart.
	Caption, Credit string
}

// Render renders in with o like [Embedder.RenderFigure] if figure is set,
// else like [Embedder.RenderImg], and returns the markup with every part
// of it. The image is planned once: the parts are exactly what the markup
// holds.
func (e *Embedder) Render(in *Info, o Options, figure bool) (Rendered, error) {
	return e.RenderContext(context.Background(), in, o, figure)
}

// RenderContext is [Embedder.Render] under ctx, which bounds the exports
// that export delivery may make.
func (e *Embedder) RenderContext(ctx context.Context, in *Info, o Options, figure bool) (Rendered, error) {
	var (
		r   Rendered
		w   writer
		err error
	)
	if figure {
		err = e.writeFigure(ctx, &w, in, &o, &r)
	} else {
		err = e.writeImg(ctx, &w, in, &o, false, &r)
	}
	if err != nil {
		return Rendered{}, err
	}
	r.HTML = template.HTML(w.String())
	if in.Check(e.cfg.Now()) == nil {
		r.Caption = in.Text.Caption
		r.Credit = in.Text.CreditLine(e.cfg.CreditPrefix)
	}
	return r, nil
}

// span is where writeImg wrote an attribute value: html[start:end].
type span struct{ start, end int }

// imgValues are the spans of the <img>'s src, srcset and sizes values.
type imgValues struct{ src, srcset, sizes span }

// setImg sets r's parts of the <img> that writeImg wrote into html (so
// far) from plan p, URLs m and srcset candidates cands. A value is taken
// from the markup when escaping left it as it is, which is when it holds
// no "&" (every character reference starts with one); else it is made
// again, unescaped, from the same plan.
func (r *Rendered) setImg(html string, v *imgValues, p *plan, m *urlMaker, in *Info, cands []int) {
	r.Src = html[v.src.start:v.src.end]
	if !verbatim(r.Src) {
		r.Src = m.string(p.src)
	}
	r.Srcset = html[v.srcset.start:v.srcset.end]
	if !verbatim(r.Srcset) {
		r.Srcset = srcsetString(m, in, cands)
	}
	r.Sizes = html[v.sizes.start:v.sizes.end]
	if !verbatim(r.Sizes) {
		r.Sizes = p.sizes // the default sizes holds no "&", so it was given
	}
	r.Width, r.Height, r.Alt = p.width, p.height, p.alt
}

// verbatim reports whether a written attribute value is certainly the
// value itself: escaping changes a value only by writing "&" references.
func verbatim(s string) bool {
	return strings.IndexByte(s, '&') < 0
}
