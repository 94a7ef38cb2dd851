package server

import (
	"bytes"
	"errors"
	"fmt"
	"html/template"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/fotoembed/fotoembed/embed"
	"github.com/fotoembed/fotoembed/templates"
	"github.com/fotoembed/fotoembed/urlsig"
)

// pageWidth is the CSS width of the image on an asset page.
const pageWidth = 960

// assetPage renders the per-asset page: the image as a figure and the
// oEmbed discovery link, so that CMSs (WordPress, Drupal) embed the image
// when the page URL is pasted. Only assets in public archives have pages;
// others are 404, as is anything that is not a canonical asset segment.
func (s *Server) assetPage(c echo.Context) error {
	href, err := urlsig.DecodeAsset(c.Param("asset"))
	if err != nil {
		return errorf(http.StatusNotFound, msgNotFound)
	}
	key, err := s.res.Key(href)
	if err != nil || !s.isPublic(key) {
		return errorf(http.StatusNotFound, msgNotFound)
	}
	in, err := s.res.Resolve(c.Request().Context(), key)
	if err == nil {
		err = in.Check(s.cfg.Now())
	}
	if err != nil {
		return err
	}
	img, err := s.pageImage(in)
	if err != nil {
		return err
	}
	title := in.Text.Title
	if title == "" {
		title = in.Filename
	}
	page := s.pageURL(key)
	var buf bytes.Buffer
	err = s.tpl.ExecuteTemplate(&buf, templates.Asset, templates.AssetData{
		Title: title, PageURL: page, OEmbedJSON: s.oembedURL(page), Image: img, StaticBase: staticBase,
	})
	if err != nil {
		return fmt.Errorf("server: rendering the asset page: %w", err)
	}
	s.pageHeaders(c.Response().Header())
	return c.HTMLBlob(http.StatusOK, buf.Bytes())
}

// pageImage renders the page's figure, using the file name as alt text
// when the asset's metadata has none.
func (s *Server) pageImage(in *embed.Info) (template.HTML, error) {
	o := embed.Options{Width: pageWidth, Priority: true, Delivery: embed.DeliverySigned}
	img, err := s.emb.RenderFigure(in, o)
	if errors.Is(err, embed.ErrNoAlt) {
		o.Alt = in.Filename
		img, err = s.emb.RenderFigure(in, o)
	}
	return img, err
}
