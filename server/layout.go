package server

import (
	"math"
	"strconv"

	"github.com/fotoembed/fotoembed/embed"
)

// The helpers below restate, for /v1/resolve's JSON, decisions the
// embed package makes when it writes the <img>: the sizes attribute, the
// alt text and the width and height attributes. They follow embed's
// documented rules (Options.Sizes, the HTML rules of the design).

// sizesOf returns the sizes attribute value for o.
func sizesOf(o embed.Options) string {
	switch {
	case o.Sizes != "":
		return o.Sizes
	case o.Width > 0:
		w := strconv.Itoa(o.Width)
		return "(max-width: " + w + "px) 100vw, " + w + "px"
	}
	return "100vw"
}

// altOf returns the alt text for in with o: none when decorative, else
// the caller's, else the alt field's, else the title.
func altOf(in *embed.Info, o embed.Options) string {
	switch {
	case o.Decorative:
		return ""
	case o.Alt != "":
		return o.Alt
	case in.Text.Alt != "":
		return in.Text.Alt
	}
	return in.Text.Title
}

// dimensions returns the width and height attributes for in with o:
// the CSS width with the chosen preview's aspect ratio, or the chosen
// preview's own size when no width is given.
func dimensions(in *embed.Info, o embed.Options) (int, int, error) {
	first := 1.0
	if len(o.PixelRatios) > 0 {
		first = o.PixelRatios[0]
	}
	want := 0
	if o.Width > 0 {
		want = int(math.Ceil(float64(o.Width)*first - 1e-9))
	}
	i, err := in.Choose(want, o.Square)
	if err != nil {
		return 0, 0, err
	}
	p := in.Previews[i]
	if o.Width <= 0 {
		return p.Width, p.Height, nil
	}
	return o.Width, max(1, (o.Width*p.Height+p.Width/2)/p.Width), nil
}
