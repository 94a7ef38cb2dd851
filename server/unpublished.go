package server

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"strconv"
	"sync"

	"github.com/labstack/echo/v4"

	"github.com/fotoembed/fotoembed/urlsig"
)

// placeholderGrey is the placeholder's one colour: a neutral light grey.
var placeholderGrey = color.Gray{Y: 0xe4}

// maxPlaceholders bounds the cache of encoded placeholders (one per size;
// preview sizes are few).
const maxPlaceholders = 256

// placeholders caches encoded placeholder PNGs by size.
type placeholders struct {
	mu sync.Mutex
	m  map[[2]int][]byte
}

// get returns a flat grey PNG of w×h.
func (p *placeholders) get(w, h int) []byte {
	k := [2]int{w, h}
	p.mu.Lock()
	b, ok := p.m[k]
	p.mu.Unlock()
	if ok {
		return b
	}
	img := image.NewPaletted(image.Rect(0, 0, w, h), color.Palette{placeholderGrey})
	var buf bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestSpeed}
	if err := enc.Encode(&buf, img); err != nil {
		return nil
	}
	b = buf.Bytes()
	p.mu.Lock()
	if p.m == nil || len(p.m) >= maxPlaceholders {
		p.m = make(map[[2]int][]byte)
	}
	p.m[k] = b
	p.mu.Unlock()
	return b
}

// placeholder answers a signed URL of an asset that may not be shown
// with a neutral grey PNG of the size the URL means, so that layouts
// hold (Config.UnpublishedPlaceholder). It is cached briefly: the
// licence may be extended.
func (s *Server) placeholder(ctx context.Context, c echo.Context, p urlsig.Parsed) error {
	in, err := s.res.Resolve(ctx, p.Asset)
	if err != nil {
		return err
	}
	w, h := in.Width, in.Height
	if i, err := in.ChooseFor(p.Options); err == nil {
		w, h = in.Previews[i].Width, in.Previews[i].Height
	}
	if w <= 0 || h <= 0 || w > 10000 || h > 10000 {
		w, h = 1200, 800
	}
	b := s.placeholders.get(w, h)
	hd := c.Response().Header()
	setCacheTags(hd, in)
	hd.Set("Cache-Control", "public, max-age=60")
	hd.Set("Content-Length", strconv.Itoa(len(b)))
	if c.Request().Method == http.MethodHead {
		return c.NoContent(http.StatusOK)
	}
	return c.Blob(http.StatusOK, "image/png", b)
}
