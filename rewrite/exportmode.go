package rewrite

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/fotoembed/fotoembed/embed"
	"github.com/fotoembed/fotoembed/exports"
	"github.com/fotoembed/fotoembed/fotoweb"
)

// checkSiteURL reports a Config.SiteURL that is not an absolute http(s)
// URL without query, fragment or user info.
func checkSiteURL(s string) error {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil ||
		u.RawQuery != "" || u.ForceQuery || u.Fragment != "" {
		return fmt.Errorf("rewrite: site URL %q must be an absolute http(s) URL without query, fragment or user info, such as https://www.example.org/", s)
	}
	return nil
}

// pageURL returns the public URL of the page at rel (slash-separated,
// relative to the root) on a site published at site: site joined with
// rel, path segments percent-encoded, index.html kept as it is. It is ""
// when site is "".
func pageURL(site, rel string) string {
	if site == "" {
		return ""
	}
	return strings.TrimRight(site, "/") + (&url.URL{Path: "/" + rel}).EscapedPath()
}

// exportImage lays out request r of in with export delivery: src and
// srcset are the exporter's public URLs (the widest export's
// doubleResolution URL too, when FotoWeb gives one), exported first when
// the exporter has no record of them. A figure's alt text is embed's
// (embed.Text.FigureAlt): rendered as a figure, the alt does not repeat
// the caption.
func (d *Direct) exportImage(ctx context.Context, in *embed.Info, r Request) (*Image, error) {
	o := embed.Options{Width: r.Width, Decorative: !r.NeedAlt, Publication: r.Publication}
	rd, err := d.exp.RenderContext(ctx, in, o, r.Figure)
	if err != nil {
		return nil, explainExport(err)
	}
	img, ok := linkedImage(rd.Src, rd.Srcset, rd.Width, rd.Height)
	if !ok {
		return nil, fmt.Errorf("rewrite: the export of %s gave no usable URL", in.Href)
	}
	img.Alt, img.Caption, img.Credit = rd.Alt, rd.Caption, rd.Credit
	return img, nil
}

// explainExport turns an export error into the reason a person reads.
func explainExport(err error) error {
	switch {
	case errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded):
		return explain(err)
	case errors.Is(err, fotoweb.ErrForbidden) || errors.Is(err, fotoweb.ErrUnauthorized):
		return &reasonError{"FotoWeb refused to export it: the FotoWeb user or application needs the Export permission in the asset's archive", err}
	}
	msg := err.Error()
	for _, p := range []string{"embed: ", "exports: ", "fotoweb: "} {
		msg = strings.ReplaceAll(msg, p, "")
	}
	return &reasonError{msg, err}
}

// exportsMade returns how many EXPORT requests x has made, when it says
// (an *exports.Exporter does); else 0.
func exportsMade(x embed.Exporter) int {
	if c, ok := x.(interface{ Stats() exports.Stats }); ok {
		return int(c.Stats().Exports)
	}
	return 0
}
