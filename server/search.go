package server

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/fotoembed/fotoembed/fotoweb"
)

// thumbnailWidth is the width of the search results' thumbnails.
const thumbnailWidth = 200

// assetResult is one search hit for pickers. Width and Height are the
// original's pixel size, both left out when FotoWeb does not know it
// (never 1×1 for an image FotoWeb could not measure).
type assetResult struct {
	Ref       string `json:"ref"`
	Filename  string `json:"filename"`
	Title     string `json:"title,omitempty"`
	Width     int    `json:"width,omitempty"`
	Height    int    `json:"height,omitempty"`
	Thumbnail string `json:"thumbnail"`
}

// searchAssets answers GET /v1/assets?q=&archive=&limit= with the
// embeddable images FotoWeb finds (every archive, or the one named by
// archive: id, href segment, href or name), each with a signed thumbnail
// URL. Assets without a usable image (documents, audio) are left out.
func (s *Server) searchAssets(c echo.Context) error {
	limit, err := searchLimit(c.QueryParam("limit"))
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	assets, err := s.search(ctx, c.QueryParam("q"), c.QueryParam("archive"), limit)
	if err != nil {
		return err
	}
	out := make([]assetResult, 0, len(assets))
	for i := range assets {
		if r, ok := s.assetHit(&assets[i]); ok {
			out = append(out, r)
		}
	}
	return c.JSON(http.StatusOK, map[string][]assetResult{"assets": out})
}

// searchLimit parses limit: default DefaultSearchLimit, 1..MaxSearchLimit.
func searchLimit(v string) (int, error) {
	if v == "" {
		return DefaultSearchLimit, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > MaxSearchLimit {
		return 0, badRequest("limit must be an integer from 1 to %d", MaxSearchLimit)
	}
	return n, nil
}

// search runs the query on every archive, or on the named one.
func (s *Server) search(ctx context.Context, q, archive string, limit int) ([]fotoweb.Asset, error) {
	if strings.TrimSpace(archive) == "" {
		return s.cfg.FotoWeb.SearchAll(ctx, q, limit)
	}
	cols, err := s.cfg.FotoWeb.Archives(ctx)
	if err != nil {
		return nil, err
	}
	for _, col := range cols {
		if archiveMatches(col, archive) {
			return s.cfg.FotoWeb.Search(ctx, col.SearchURL, q, limit)
		}
	}
	return nil, errorf(http.StatusNotFound, "no archive %q", archive)
}

// archiveMatches reports whether the archive parameter names col.
func archiveMatches(col fotoweb.Collection, archive string) bool {
	archive = strings.TrimSpace(archive)
	if k := archiveKey(archive); k != "" {
		return k == archiveKey(col.Href) || k == col.ID
	}
	return strings.EqualFold(archive, col.Name)
}

// assetHit turns a search hit into a result, false when it has no
// usable image.
func (s *Server) assetHit(a *fotoweb.Asset) (assetResult, bool) {
	// The hit is the full asset representation: keep it, so that the
	// thumbnail and a later pick make no upstream request.
	in, err := s.res.Prime(a)
	if err != nil {
		return assetResult{}, false
	}
	i, err := in.Choose(thumbnailWidth, false)
	if err != nil {
		return assetResult{}, false
	}
	thumb, err := s.emb.SignedURL(in, i, time.Time{})
	if err != nil {
		return assetResult{}, false
	}
	r := assetResult{Ref: in.Href, Filename: in.Filename, Title: in.Text.Title, Thumbnail: thumb}
	if in.SizeKnown() {
		r.Width, r.Height = in.Width, in.Height
	}
	return r, true
}
