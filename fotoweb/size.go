package fotoweb

// What FotoWeb sends when it does not know an image's size.
//
// FotoWeb reports the original's pixel size in
// attributes.imageattributes. For a file it could not measure (recorded:
// a WebP in enonic/assetList.json and assetIngestedRequestBody.json) it
// sends pixelwidth and pixelheight 1, an original rendition of 1×1, and
// its usual twelve previews, each non-square one claiming width = height
// = size, which is only the long edge it rendered to. Other servers leave
// the size out or send 0. None of these is a 1-pixel image.
//
// A genuine 1×1 image (a tracking GIF) has no preview larger than 1 pixel,
// so 1×1 is believed only then. FotoWeb does upscale the previews of a
// small original (recorded: a 370×136 JPEG with a 2400×882 preview), so a
// preview larger than the original is no sign of an unknown size in
// general; only 1×1 is FotoWeb's marker.

// PixelSize returns the original's pixel width and height, corrected for
// a 90° or 270° rotation, and whether FotoWeb knows them. When it does
// not (no image attributes, 0, or FotoWeb's 1×1 marker, see
// [Asset.SizeKnown]), it returns 0, 0, false.
func (a *Asset) PixelSize() (w, h int, ok bool) {
	if !a.SizeKnown() {
		return 0, 0, false
	}
	w, h = a.dimensions()
	return w, h, true
}

// SizeKnown reports whether FotoWeb knows the original's pixel size: the
// asset has image attributes with a width and height above 0, and they
// are not FotoWeb's "could not measure" marker, 1×1 with previews larger
// than 1 pixel.
func (a *Asset) SizeKnown() bool {
	w, h := a.dimensions()
	switch {
	case w <= 0 || h <= 0:
		return false
	case w == 1 && h == 1:
		for _, p := range a.Previews {
			if p.Size > 1 || p.Width > 1 || p.Height > 1 {
				return false
			}
		}
	}
	return true
}

// PreviewSizesKnown reports whether the width and height FotoWeb gives
// its non-square previews are their true dimensions. They are when the
// original's size is known. When it is not, FotoWeb's previews each claim
// width = height = size (recorded), which says nothing of their shape:
// only their nominal size (the long edge) is known then, unless some
// non-square preview has a width different from its height, which only a
// measured preview has. Square previews are square crops either way.
func (a *Asset) PreviewSizesKnown() bool {
	if a.SizeKnown() {
		return true
	}
	for _, p := range a.Previews {
		if !p.Square && p.Width > 0 && p.Height > 0 && p.Width != p.Height {
			return true
		}
	}
	return false
}
