package embed

import "strconv"

// Unpublished selects what the HTML methods do for an asset that may not
// be shown.
type Unpublished int

const (
	// UnpublishedFail returns an error wrapping ErrUnpublished.
	UnpublishedFail Unpublished = iota
	// UnpublishedPlaceholder writes a neutral grey placeholder of the
	// same dimensions (an inline SVG data URL, alt=""), so the layout
	// holds and nothing of the asset is shown.
	UnpublishedPlaceholder
)

// placeholderSize is the width and height attributes of the placeholder:
// the CSS width (or the original's, or 1200) with the original's aspect
// ratio (square when unknown).
func placeholderSize(in *Info, o *Options) (int, int) {
	w := o.Width
	if w <= 0 {
		w = min(in.Width, 1200)
	}
	if w <= 0 {
		w = 1200
	}
	h := w
	if in.Width > 0 && in.Height > 0 {
		h = max(1, (w*in.Height+in.Width/2)/in.Width)
	}
	return w, h
}

// placeholderURL is a data URL of a flat grey SVG of w×h.
func placeholderURL(w, h int) string {
	return "data:image/svg+xml,%3Csvg%20xmlns='http://www.w3.org/2000/svg'%20width='" + strconv.Itoa(w) +
		"'%20height='" + strconv.Itoa(h) + "'%3E%3Crect%20width='100%25'%20height='100%25'%20fill='%23e4e4e4'/%3E%3C/svg%3E"
}

// writePlaceholder writes the placeholder <img> (inside an empty
// <figure> when figure is set, which the caller closes) and fills r.
func (e *Embedder) writePlaceholder(w *writer, in *Info, o *Options, figure bool, r *Rendered) error {
	if err := o.Validate(); err != nil {
		return err
	}
	pw, ph := placeholderSize(in, o)
	src := placeholderURL(pw, ph)
	if figure {
		w.WriteString("<figure")
		w.attrIf("class", o.FigureClass)
		w.WriteByte('>')
	}
	w.WriteString(`<img src="`)
	w.url(src)
	w.WriteByte('"')
	w.attrInt("width", pw)
	w.attrInt("height", ph)
	w.WriteString(` alt="" loading="lazy" decoding="async"`)
	w.attrIf("class", o.Class)
	w.attrIf("id", o.ID)
	w.attrIf("style", o.Style)
	w.WriteByte('>')
	if r != nil {
		r.Src, r.Width, r.Height = src, pw, ph
	}
	return nil
}
