package embed

import (
	"errors"
	"fmt"
)

// ErrNoAlt reports an image that is not decorative but has no alt text:
// none given, and none in the alt or title metadata fields.
var ErrNoAlt = errors.New("embed: no alt text")

// Layout is which previews an image uses and the attributes it gets,
// before any URL is made: the plan that [Embedder.RenderImg],
// [Embedder.Render], [Embedder.SrcURL] and [Embedder.SrcsetOf] write
// from, with previews as indices into Info.Previews. A caller that makes
// its own URLs for the previews (such as a build step that downloads
// them) lays images out with it and follows the same rules as the HTML.
type Layout struct {
	// Src is the preview of the <img src>: the smallest at least
	// Options.Width × the first pixel ratio wide (never upscaled past the
	// original; see [Info.Choose]).
	Src int
	// Srcset are the previews of the srcset candidates in increasing
	// width: the distinct widths up to the original's, and up to the
	// first at least Options.Width × the largest pixel ratio wide.
	Srcset []int
	// Width and Height are the width and height attributes: the CSS
	// width (the Src preview's width when Options.Width is 0, but no more
	// than the original's) with the Src preview's aspect ratio. When the
	// Src preview's dimensions are unknown (see [Preview]) the aspect
	// ratio is unknown: Height is 0 and Width is the CSS width (0 when
	// Options.Width is 0), and an attribute that is 0 is left out, so
	// that the browser takes the shape from the image itself.
	Width, Height int
	// Sizes is the sizes attribute value: Options.Sizes, or its default.
	Sizes string
	// Alt is the alt text: "" for a decorative image, else Options.Alt,
	// else the alt metadata text, else the title. In a <figure> with a
	// caption the image's alt text is Text.FigureAlt(Alt) instead.
	Alt string
}

// Layout lays out in for o as the render methods do; the error is what
// they would return for it before making any URL (an [ErrBadOption],
// [ErrNoImage] or [ErrNoAlt] error).
func (in *Info) Layout(o Options) (Layout, error) {
	var p plan
	if err := p.make(in, &o); err != nil {
		return Layout{}, err
	}
	return Layout{Src: p.src, Srcset: p.srcset(in, &o, nil), Width: p.width, Height: p.height,
		Sizes: sizesValue(p.sizes, o.Width), Alt: p.alt}, nil
}

// plan is what one render decides before any URL is made.
type plan struct {
	src           int // index of the src preview
	limit         int // srcset bound in pixels, 0 for none
	width, height int // width and height attributes
	alt           string
	sizes         string // Options.Sizes; "" for the default
}

// make decides src, the srcset bound, dimensions and alt text for in
// with o.
func (p *plan) make(in *Info, o *Options) error {
	if err := o.Validate(); err != nil {
		return err
	}
	first, largest := o.ratios()
	want, limit := 0, 0
	if o.Width > 0 {
		want, limit = pixels(o.Width, first), pixels(o.Width, largest)
	}
	src, err := in.Choose(want, o.Square)
	if err != nil {
		return err
	}
	p.src, p.limit = src, limit
	p.width, p.height = attrSize(in, &in.Previews[src], o.Width)
	p.sizes = o.Sizes
	switch {
	case o.Decorative:
		p.alt = ""
	case o.Alt != "":
		p.alt = o.Alt
	case in.Text.Alt != "":
		p.alt = in.Text.Alt
	case in.Text.Title != "":
		p.alt = in.Text.Title
	default:
		return fmt.Errorf("%w for %q: pass an alt text or mark the image decorative", ErrNoAlt, in.Href)
	}
	return nil
}

// attrSize returns the width and height attributes of an image showing
// preview sp of in at CSS width cw (0 for none): cw with sp's aspect
// ratio, or sp's own size, no larger than the original's. A dimension
// that is not known is 0 (the attribute is left out): the height when
// sp's shape is unknown, and the width too when cw is 0 (sp's nominal
// size is its long edge, which may be its height).
func attrSize(in *Info, sp *Preview, cw int) (w, h int) {
	switch {
	case !sp.SizeKnown():
		return cw, 0
	case cw > 0:
		return cw, max(1, (cw*sp.Height+sp.Width/2)/sp.Width)
	case in.SizeKnown() && sp.Width > in.Width:
		return in.Width, in.Height // an upscaled preview, shown at the original's size
	}
	return sp.Width, sp.Height
}

// srcset appends the indices of the srcset previews of plan p for in
// with o to buf. They are kept out of the plan so that buf, a caller's
// array, can stay on its stack (the plan's strings outlive the call).
func (p *plan) srcset(in *Info, o *Options, buf []int) []int {
	return in.Candidates(buf, o.Square, p.limit)
}

// sizesValue returns the sizes value writeSizes writes for sizes and CSS
// width cw, unescaped.
func sizesValue(sizes string, cw int) string {
	if sizes != "" {
		return sizes
	}
	var w writer
	writeSizes(&w, "", cw)
	return w.String()
}
