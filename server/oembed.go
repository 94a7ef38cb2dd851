package server

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/fotoembed/fotoembed/embed"
)

// oembedPhoto is an oEmbed 1.0 "photo" response.
type oembedPhoto struct {
	Version      string `json:"version"`
	Type         string `json:"type"`
	URL          string `json:"url"`
	Width        int    `json:"width,omitempty"`  // left out only when the size is unknown
	Height       int    `json:"height,omitempty"` // (see writeOEmbed)
	Title        string `json:"title,omitempty"`
	AuthorName   string `json:"author_name,omitempty"`
	ProviderName string `json:"provider_name"`
	ProviderURL  string `json:"provider_url"`
	CacheAge     int64  `json:"cache_age"`
}

// oembed answers oEmbed 1.0 for the service's per-asset page URLs (and
// FotoWeb asset URLs on the origin): a photo with a signed URL of the
// largest preview that fits maxwidth and maxheight. format=xml is 501,
// an unknown URL 404, an asset outside the public archives 401.
func (s *Server) oembed(c echo.Context) error {
	if f := c.QueryParam("format"); f != "" && f != "json" {
		return errorf(http.StatusNotImplemented, "only format=json is supported")
	}
	raw := c.QueryParam("url")
	if strings.TrimSpace(raw) == "" {
		return badRequest("the url parameter is required")
	}
	maxW, err := optionalInt(c.QueryParam("maxwidth"), "maxwidth")
	if err != nil {
		return err
	}
	maxH, err := optionalInt(c.QueryParam("maxheight"), "maxheight")
	if err != nil {
		return err
	}
	href, ok := s.oembedHref(raw)
	if !ok {
		return errorf(http.StatusNotFound, "no embeddable asset at this URL")
	}
	if !s.isPublic(href) {
		c.Response().Header().Set("WWW-Authenticate", `Bearer realm="fotoembed"`)
		return errorf(http.StatusUnauthorized, "this asset is not public")
	}
	in, err := s.res.Resolve(c.Request().Context(), href)
	if err != nil {
		return err
	}
	return s.writeOEmbed(c, in, maxW, maxH)
}

// writeOEmbed chooses the preview and writes the photo response. Width
// and height are always those of the image at url, as the oEmbed
// specification says: when even the smallest preview is larger than
// maxwidth or maxheight, that preview is answered with its own size
// (FotoWeb makes no image of an arbitrary size, and a smaller size
// would be a lie the consumer's layout trusts). For an image whose size
// FotoWeb does not know, the chosen preview's file is measured (oEmbed
// photos need a width and height); when even that fails, width and
// height are left out rather than made up.
func (s *Server) writeOEmbed(c echo.Context, in *embed.Info, maxW, maxH int) error {
	if err := in.Check(s.cfg.Now()); err != nil {
		return err
	}
	if maxW == 0 {
		maxW = s.cfg.OEmbedWidth
	}
	i, w, h, err := fitPreview(in, maxW, maxH)
	if err != nil {
		return err
	}
	if w == 0 {
		if mw, mh, ok := s.measure(c.Request().Context(), in, i); ok {
			w, h = mw, mh // the size of the file at url, as it is
		}
	}
	u, err := s.emb.SignedURL(in, i, time.Time{})
	if err != nil {
		return err
	}
	title := in.Text.Title
	if title == "" {
		title = in.Filename
	}
	c.Response().Header().Set("Cache-Control", "public, max-age="+strconv.FormatInt(int64(capAge(s.cfg.OEmbedCacheAge, in.Rights.Expires, s.cfg.Now())/time.Second), 10))
	c.Response().Header().Set("Access-Control-Allow-Origin", "*")
	return c.JSON(http.StatusOK, oembedPhoto{
		Version: "1.0", Type: "photo", URL: u, Width: w, Height: h,
		Title: title, AuthorName: in.Text.Byline,
		ProviderName: s.cfg.ProviderName, ProviderURL: s.cfg.ProviderURL,
		CacheAge: int64(s.cfg.OEmbedCacheAge / time.Second),
	})
}

// oembedHref returns the canonical asset href of an oEmbed url: one of
// the service's page URLs or an asset URL on the FotoWeb origin.
func (s *Server) oembedHref(raw string) (string, bool) {
	href, ok := s.pageHref(raw)
	if !ok {
		if !embed.OnOrigin(strings.TrimSpace(raw), s.origin) {
			return "", false
		}
		href = raw
	}
	key, err := s.res.Key(href)
	return key, err == nil
}

// fitPreview returns the largest non-square preview at most maxW wide
// and (if maxH > 0) maxH high, with its dimensions. When none fits, the
// smallest is returned with its own dimensions: the true size of the
// file, larger than asked. A preview whose dimensions are unknown (see
// [embed.Preview]) fits by its nominal size, which bounds both, and is
// returned with 0, 0.
func fitPreview(in *embed.Info, maxW, maxH int) (int, int, int, error) {
	if err := in.Usable(); err != nil {
		return -1, 0, 0, err
	}
	best, smallest := -1, -1
	for i, p := range in.Previews {
		if p.Square {
			continue
		}
		if smallest < 0 || p.Width < in.Previews[smallest].Width {
			smallest = i
		}
		ph := p.Height
		if !p.SizeKnown() {
			ph = p.Size
		}
		fits := p.Width <= maxW && (maxH <= 0 || ph <= maxH)
		if fits && (best < 0 || p.Width > in.Previews[best].Width) {
			best = i
		}
	}
	if best < 0 {
		best = smallest
	}
	if best < 0 {
		return -1, 0, 0, embed.ErrNoImage
	}
	p := &in.Previews[best]
	if !p.SizeKnown() {
		return best, 0, 0, nil
	}
	return best, p.Width, p.Height, nil
}

// optionalInt parses an optional positive integer parameter.
func optionalInt(v, name string) (int, error) {
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n <= 0 || n > 100000 {
		return 0, badRequest("%s must be a positive integer", name)
	}
	return n, nil
}
