package embed

import (
	"context"
	"html/template"
	"strings"
)

// RenderFigure returns a <figure> holding the <img> of [Embedder.RenderImg]
// and, when there is a caption or a credit, a <figcaption>:
//
//	<figure class="FigureClass"><img ...><figcaption>Caption
//	<small class="credit">Photo: Byline / Credit</small></figcaption></figure>
//
// (on one line; the space separates caption and credit). The caption is
// Text.Caption; the credit follows [Text.CreditLine]. Both are escaped.
// The <img>'s alt text never repeats the caption: see [Text.FigureAlt].
func (e *Embedder) RenderFigure(in *Info, o Options) (template.HTML, error) {
	return e.renderFigure(context.Background(), in, o)
}

// renderFigure is RenderFigure with the context export delivery works
// under.
func (e *Embedder) renderFigure(ctx context.Context, in *Info, o Options) (template.HTML, error) {
	var w writer
	if err := e.writeFigure(ctx, &w, in, &o, nil); err != nil {
		return "", err
	}
	return template.HTML(w.String()), nil
}

// writeFigure plans and writes the <figure>; if r is not nil, it also
// fills in r's parts of the <img> (see [Embedder.writeImg]).
func (e *Embedder) writeFigure(ctx context.Context, w *writer, in *Info, o *Options, r *Rendered) error {
	caption := in.Text.Caption
	if err := e.writeImg(ctx, w, in, o, true, r); err != nil {
		return err
	}
	hasCredit := in.Text.hasCredit()
	if in.Check(e.cfg.Now()) != nil { // a placeholder: nothing of the asset
		caption, hasCredit = "", false
	}
	if caption != "" || hasCredit {
		w.WriteString("<figcaption>")
		w.escape(caption)
		if caption != "" && hasCredit {
			w.WriteByte(' ')
		}
		if hasCredit {
			w.WriteString(`<small class="credit">`)
			in.Text.writeCredit(w, e.cfg.CreditPrefix, true)
			w.WriteString("</small>")
		}
		w.WriteString("</figcaption>")
	}
	w.WriteString("</figure>")
	return nil
}

// figureLen returns an upper bound of the length of the figure's markup
// around the <img>.
func figureLen(in *Info, o *Options, prefix string) int {
	t := &in.Text
	return 96 + escapedLen(o.FigureClass) + escapedLen(t.Caption) + escapedLen(prefix) +
		escapedLen(t.Byline) + escapedLen(t.Credit) + escapedLen(t.Copyright)
}

// FigureAlt returns the alt text of an image shown in a <figure> whose
// <figcaption> shows t.Caption, given alt, the alt text it would have
// on its own ("" for a decorative image). A screen reader reads the alt
// text and then the caption, so an alt text that repeats the caption
// (compared without regard to case, spacing or a final full stop) would
// be heard twice. By default the alt and caption fields are one field
// (120, the description): the best alt text of a bare <img>, and the
// caption of a figure. FigureAlt returns:
//
//   - alt, when it does not repeat the caption (there is no caption,
//     or the alt text is another text: a field of its own, the caller's);
//   - else the title, when there is one that does not repeat the
//     caption either: it names the image, and the caption describes it;
//   - else "": the caption, which also names the figure for assistive
//     technology, is then the image's only text, read once.
func (t *Text) FigureAlt(alt string) string {
	if alt == "" || t.Caption == "" || !sameText(alt, t.Caption) {
		return alt
	}
	if t.Title != "" && !sameText(t.Title, t.Caption) {
		return t.Title
	}
	return ""
}

// sameText reports whether a and b are the same text to a listener: equal
// but for case, runs of white space and a final full stop.
func sameText(a, b string) bool {
	norm := func(s string) string {
		return strings.TrimSuffix(strings.Join(strings.Fields(s), " "), ".")
	}
	return strings.EqualFold(norm(a), norm(b))
}

// hasCredit reports whether the credit line is not empty.
func (t *Text) hasCredit() bool {
	return t.Byline != "" || t.Credit != "" || t.Copyright != ""
}

// CreditLine returns the credit shown under a figure, composed as:
//
//   - with a byline and/or a credit line: prefix + "Byline / Credit"
//     (either alone when the other is empty; the credit is left out when
//     it equals the byline), e.g. "Photo: Kari Nordmann / Acme Photo";
//   - otherwise the copyright notice, with "© " put in front unless it
//     already starts with "©", "(c)" or "Copyright", e.g. "© Acme 2023";
//   - otherwise "".
//
// The copyright notice is not repeated when a byline or credit exists:
// the credit names who to thank, the notice is the fallback that still
// names the owner. prefix is usually [DefaultCreditPrefix].
func (t *Text) CreditLine(prefix string) string {
	if !t.hasCredit() {
		return ""
	}
	var w writer
	w.Grow(len(prefix) + len(t.Byline) + len(" / ") + len(t.Credit) + len("© ") + len(t.Copyright))
	t.writeCredit(&w, prefix, false)
	return w.String()
}

// writeCredit writes the credit line, escaped if esc; see CreditLine.
func (t *Text) writeCredit(w *writer, prefix string, esc bool) {
	put := func(s string) {
		if esc {
			w.escape(s)
		} else {
			w.WriteString(s)
		}
	}
	credit := t.Credit
	if strings.EqualFold(credit, t.Byline) {
		credit = ""
	}
	switch {
	case t.Byline != "" || credit != "":
		put(prefix)
		put(t.Byline)
		if t.Byline != "" && credit != "" {
			w.WriteString(" / ")
		}
		put(credit)
	case t.Copyright != "":
		if !hasCopyrightMark(t.Copyright) {
			w.WriteString("© ")
		}
		put(t.Copyright)
	}
}

// hasCopyrightMark reports whether s starts with a copyright sign or word.
func hasCopyrightMark(s string) bool {
	if strings.HasPrefix(s, "©") {
		return true
	}
	for _, p := range []string{"(c)", "copyright"} {
		if len(s) >= len(p) && strings.EqualFold(s[:len(p)], p) {
			return true
		}
	}
	return false
}
