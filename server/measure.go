package server

import (
	"context"
	"image"
	_ "image/gif" // preview formats image.DecodeConfig reads
	_ "image/jpeg"
	_ "image/png"
	"io"

	"github.com/fotoembed/fotoembed/embed"
)

// maxMeasureBytes bounds what is read of a preview to find its size: the
// header, at the start of the file, is what is needed.
const maxMeasureBytes = 256 << 10

// measure returns the true pixel size of preview i of in, read from the
// file's header on FotoWeb, for an image whose size FotoWeb does not know
// (its previews have a nominal size only). ok is false when the file
// cannot be had or read; the caller then leaves the size out.
func (s *Server) measure(ctx context.Context, in *embed.Info, i int) (w, h int, ok bool) {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.RequestTimeout)
	defer cancel()
	b, err := s.cfg.FotoWeb.Open(ctx, in.Previews[i].Href, "", nil)
	if err != nil {
		s.log.Debug("measuring a preview of unknown size", "asset", s.redact(in.Href), "err", err)
		return 0, 0, false
	}
	defer b.Close()
	cfg, _, err := image.DecodeConfig(io.LimitReader(b, maxMeasureBytes))
	if err != nil || cfg.Width <= 0 || cfg.Height <= 0 {
		return 0, 0, false
	}
	return cfg.Width, cfg.Height, true
}
