package embed

import (
	"context"
	"errors"
	"fmt"
)

// ErrNoExporter reports export delivery asked of an Embedder configured
// without an [Exporter].
var ErrNoExporter = errors.New("embed: export delivery needs an Exporter")

// Exporter makes permanent, public, token-free URLs of an asset's image
// through FotoWeb's Export API. An implementation keeps a ledger, so that
// one (asset, width) is exported once however often it is asked for
// (package exports is the one fotoembed uses).
type Exporter interface {
	// Export returns the public URLs of the asset's image req.Width
	// pixels wide, exporting it first if no export of it is recorded.
	Export(ctx context.Context, req ExportRequest) (Exported, error)
}

// ExportRequest is what [Exporter.Export] is asked for.
type ExportRequest struct {
	// Asset is the asset's canonical href.
	Asset string
	// Width is the exported image's width in pixels (0: the original).
	Width int
	// Publication names where the image is used (the page or site URL);
	// "" means the exporter's default. It is shown in FotoWeb's export
	// manager and recorded with the export.
	Publication string
}

// Exported is a published export's public URLs and size.
type Exported struct {
	// URL is the public image URL ("normal" in FotoWeb's answer).
	URL string
	// DoubleResolution is the URL of the same export at twice the size,
	// "" when FotoWeb gives none.
	DoubleResolution string
	// Width and Height are the exported image's size in pixels (0 when
	// FotoWeb did not say).
	Width, Height int
}

// exports exports every distinct width among the previews need (in
// order), so that the render writes public export URLs. The widest
// export's DoubleResolution URL is kept for the srcset when it is not
// wider than the original.
func (m *urlMaker) exports(ctx context.Context, o *Options, need []int) error {
	ex := m.e.cfg.Exporter
	if ex == nil {
		return ErrNoExporter
	}
	m.export = make(map[int]string, len(need))
	byWidth := make(map[int]Exported, len(need))
	widest := -1
	for _, i := range need {
		p := m.in.Previews[i]
		if p.Square {
			return fmt.Errorf("%w: square images are not available with export delivery", ErrBadOption)
		}
		x, ok := byWidth[p.Width]
		if !ok {
			var err error
			x, err = ex.Export(ctx, ExportRequest{Asset: m.in.Href, Width: p.Width, Publication: o.Publication})
			if err != nil {
				return fmt.Errorf("embed: exporting %q at %d px: %w", m.in.Href, p.Width, err)
			}
			if x.URL == "" {
				return fmt.Errorf("embed: exporting %q at %d px: the exporter gave no URL", m.in.Href, p.Width)
			}
			byWidth[p.Width] = x
		}
		m.export[i] = x.URL
		if widest < 0 || p.Width > m.in.Previews[widest].Width {
			widest = i
		}
	}
	if widest >= 0 {
		w := m.in.Previews[widest].Width
		if x := byWidth[w]; x.DoubleResolution != "" && (m.in.Width == 0 || 2*w <= m.in.Width) {
			m.double, m.doubleW = x.DoubleResolution, 2*w
		}
	}
	return nil
}
