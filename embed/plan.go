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
	// original).
	Src int
	// Srcset are the previews of the srcset candidates in increasing
	// width: the distinct widths up to the original's, and up to the
	// first at least Options.Width × the largest pixel ratio wide.
	Srcset []int
	// Width and Height are the width and height attributes: the CSS
	// width (the Src preview's width when Options.Width is 0) with the
	// Src preview's aspect ratio.
	Width, Height int
	// Sizes is the sizes attribute value: Options.Sizes, or its default.
	Sizes string
	// Alt is the alt text: "" for a decorative image, else Options.Alt,
	// else the alt metadata text, else the title.
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
	sp := &in.Previews[src]
	p.width, p.height = sp.Width, sp.Height
	if o.Width > 0 {
		p.width = o.Width
		p.height = max(1, (o.Width*sp.Height+sp.Width/2)/sp.Width)
	}
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
