package server

import (
	"bytes"
	"errors"
	"fmt"
	"html/template"
	"mime"
	"net/http"
	"path"
	"time"

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
	d := templates.AssetData{
		Title: title, PageURL: page, OEmbedJSON: s.oembedURL(page), Image: img, StaticBase: staticBase,
		SiteName: s.cfg.ProviderName, Description: in.Text.Caption, Credit: in.Text.CreditLine(""),
	}
	if err := s.cardImage(c, in, &d); err != nil {
		return err
	}
	var buf bytes.Buffer
	err = s.tpl.ExecuteTemplate(&buf, templates.Asset, d)
	if err != nil {
		return fmt.Errorf("server: rendering the asset page: %w", err)
	}
	s.pageHeaders(c.Response().Header())
	return c.HTMLBlob(http.StatusOK, buf.Bytes())
}

// pageImage renders the page's figure, using the file name as alt text
// when the asset's metadata has none.
func (s *Server) pageImage(in *embed.Info) (template.HTML, error) {
	o := embed.Options{Width: pageWidth, Priority: true, Links: embed.LinkSigned}
	img, err := s.emb.RenderFigure(in, o)
	if errors.Is(err, embed.ErrNoAlt) {
		o.Alt = in.Filename
		img, err = s.emb.RenderFigure(in, o)
	}
	return img, err
}

// cardWidth is the widest image of a link preview card (Open Graph and
// Twitter cards ask for about 1200 pixels).
const cardWidth = 1200

// cardImage sets the link preview card's image: the largest preview at
// most cardWidth wide, its true size (measured when FotoWeb does not
// know it, left out when even that fails), alt text and media type.
func (s *Server) cardImage(c echo.Context, in *embed.Info, d *templates.AssetData) error {
	i, w, h, err := fitPreview(in, cardWidth, 0)
	if err != nil {
		return err
	}
	if w == 0 {
		w, h, _ = s.measure(c.Request().Context(), in, i)
	}
	u, err := s.emb.SignedURL(in, i, time.Time{})
	if err != nil {
		return err
	}
	d.ImageURL, d.ImageWidth, d.ImageHeight = u, w, h
	d.ImageAlt = in.Text.Alt
	if d.ImageAlt == "" {
		d.ImageAlt = d.Title
	}
	d.ImageType = mime.TypeByExtension(path.Ext(u))
	return nil
}
