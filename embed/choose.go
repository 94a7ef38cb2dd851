package embed

import (
	"errors"
	"fmt"

	"github.com/fotoembed/fotoembed/urlsig"
)

// DefaultWidth is the pixel width chosen when nobody says how wide the
// image is (no CSS width; a signed URL without a width).
const DefaultWidth = 800

// Errors of size choice.
var (
	// ErrNoImage reports an asset with no usable image: a document or
	// audio file, or an asset without previews (of the requested kind).
	ErrNoImage = errors.New("embed: asset has no usable image")
	// ErrRenditionOption reports a rendition request where a preview was
	// expected; renditions go through the Rendition Request API.
	ErrRenditionOption = errors.New("embed: a rendition is not a preview")
)

// imageDoctypes are the doctypes whose previews show the asset itself
// (a movie's previews are poster frames). Documents' previews are page
// renders or icons and audio has icons only, so they are not images.
var imageDoctypes = [...]string{"image", "graphic", "movie", ""}

// Usable returns nil if the asset has an image to embed, or an error
// wrapping [ErrNoImage] that says why not.
func (in *Info) Usable() error {
	ok := false
	for _, d := range imageDoctypes {
		ok = ok || in.Doctype == d
	}
	if !ok {
		return fmt.Errorf("%w: %q is a %s", ErrNoImage, in.Href, in.Doctype)
	}
	if len(in.Previews) == 0 {
		return fmt.Errorf("%w: %q has no previews", ErrNoImage, in.Href)
	}
	return nil
}

// kindRange returns the index range [lo, hi) of the previews of one kind
// (square or not) in the sorted Previews.
func (in *Info) kindRange(square bool) (lo, hi int) {
	n := 0
	for n < len(in.Previews) && !in.Previews[n].Square {
		n++
	}
	if square {
		return n, len(in.Previews)
	}
	return 0, n
}

// Choose returns the index in Previews of the preview to use for a
// rendered width of want pixels (CSS width × device pixel ratio; 0 means
// [DefaultWidth]): the smallest preview of the kind (square or not) at
// least want wide, or, when none is that wide, the widest one that does
// not go past the original. Among previews of equal width the smallest
// size wins. Squares are chosen only when square is true. The error wraps
// [ErrNoImage].
//
// Never upscaling past the original: FotoWeb upscales the previews of a
// small original (recorded: a 370×136 JPEG with previews up to 2400×882).
// The smallest preview at least as wide as the original holds all of its
// detail, so it may be chosen; wider ones add none and are not. When the
// original's size is unknown (Width 0) no preview is known to go past it:
// previews of unknown dimensions are chosen by their nominal size (see
// [Preview]), up to the largest.
func (in *Info) Choose(want int, square bool) (int, error) {
	if err := in.Usable(); err != nil {
		return -1, err
	}
	lo, hi := in.kindRange(square)
	if lo == hi {
		kind := "non-square"
		if square {
			kind = "square"
		}
		return -1, fmt.Errorf("%w: %q has no %s previews", ErrNoImage, in.Href, kind)
	}
	if want <= 0 {
		want = DefaultWidth
	}
	best := lo
	for i := lo; i < hi; i++ {
		p := &in.Previews[i]
		if in.pastOriginal(in.Previews[best].Width, p.Width) {
			break
		}
		if p.Width > in.Previews[best].Width {
			best = i
		}
		if p.Width >= want {
			return i, nil
		}
	}
	return best, nil
}

// pastOriginal reports whether a preview w wide goes past the original
// when one prev wide (the widest so far, of the same kind) is already
// used: prev already holds the original's whole width, and w is wider.
func (in *Info) pastOriginal(prev, w int) bool {
	return in.Width > 0 && prev >= in.Width && w > prev
}

// ChooseFor returns the index of the preview a signed URL's options mean:
// Choose(o.Width, o.Square). A srcset candidate is signed with its
// preview's true width, so this picks exactly that preview. Options
// naming a rendition are refused with [ErrRenditionOption].
func (in *Info) ChooseFor(o urlsig.Options) (int, error) {
	if o.Rendition != "" {
		return -1, fmt.Errorf("%w: %q", ErrRenditionOption, o.Rendition)
	}
	return in.Choose(o.Width, o.Square)
}

// PreviewFor returns the preview a signed URL's options mean; see
// [Info.ChooseFor].
func (in *Info) PreviewFor(o urlsig.Options) (Preview, error) {
	i, err := in.ChooseFor(o)
	if err != nil {
		return Preview{}, err
	}
	return in.Previews[i], nil
}

// Candidates appends to dst the indices of the srcset candidates of one
// kind: the previews of distinct widths that do not go past the original
// (up to the first at least as wide as the original; see [Info.Choose]),
// in increasing width, each the smallest size of its width. When limit is
// positive the list stops at the first candidate at least limit wide.
func (in *Info) Candidates(dst []int, square bool, limit int) []int {
	lo, hi := in.kindRange(square)
	last := 0
	for i := lo; i < hi; i++ {
		p := &in.Previews[i]
		if last > 0 && in.pastOriginal(last, p.Width) {
			break
		}
		if p.Width == last {
			continue
		}
		dst = append(dst, i)
		last = p.Width
		if limit > 0 && p.Width >= limit {
			break
		}
	}
	return dst
}
