package server

import (
	"cmp"
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

// pagingSlack is how many hits past the page a cursor's page reads
// first, to find anchors that moved down as assets were added; when they
// are not found it reads pagingSlack*8, then *64 more.
const pagingSlack = 25

// assetResult is one search hit for pickers. Width and Height are the
// original's pixel size, both left out when FotoWeb does not know it
// (never 1×1 for an image FotoWeb could not measure). Alt, Caption and
// Credit are what the metadata fields say (the web UI shows them with
// their fields); Credit is the credit line without the figure's prefix.
// FigureAlt is the alt text the image gets in a <figure> by default
// (embed.Text.FigureAlt): never the caption again; "" when the caption
// names the image. It is always present, since "" is an answer.
type assetResult struct {
	Ref         string `json:"ref"`
	Filename    string `json:"filename"`
	Title       string `json:"title,omitempty"`
	Width       int    `json:"width,omitempty"`
	Height      int    `json:"height,omitempty"`
	Thumbnail   string `json:"thumbnail"`
	Archive     string `json:"archive,omitempty"`     // the archive's name
	ArchiveID   string `json:"archive_id,omitempty"`  // the archive's id
	Alt         string `json:"alt,omitempty"`         // the alt text field
	Caption     string `json:"caption,omitempty"`     // the caption field
	FigureAlt   string `json:"figure_alt"`            // the alt text in a figure
	Credit      string `json:"credit,omitempty"`      // byline / credit, or the copyright notice
	Public      bool   `json:"public,omitempty"`      // in a public archive: a page and oEmbed
	Unpublished string `json:"unpublished,omitempty"` // why it may not be shown (licence ended, withdrawn)
}

// searchPage is the answer of GET /v1/assets. Next is absent on the last
// page. Total counts FotoWeb's hits (documents without an image among
// them, which Assets leaves out); when TotalExact is false it is a lower
// bound (the search was not read to its end).
type searchPage struct {
	Assets     []assetResult `json:"assets"`
	Next       string        `json:"next,omitempty"`
	Total      int           `json:"total"`
	TotalExact bool          `json:"total_exact"`
}

// hitRef is one FotoWeb hit with its anchor.
type hitRef struct {
	asset  *fotoweb.Asset
	anchor []byte
}

// searchAssets answers GET /v1/assets?q=&archive=&limit=&cursor= with
// the embeddable images FotoWeb finds (every archive the caller may see,
// or the one named by archive: id, href segment, href or name), each
// with a signed thumbnail URL, a page at a time: next is the cursor of
// the next page. Assets without a usable image (documents, audio) are
// left out, so a page may hold fewer than limit.
func (ed *editor) searchAssets(c echo.Context) error {
	limit, err := searchLimit(c.QueryParam("limit"))
	if err != nil {
		return err
	}
	sc := scopeOf(c)
	cur := cursor{Query: c.QueryParam("q"), Archive: strings.TrimSpace(c.QueryParam("archive")), Scope: sc.key()}
	if raw := c.QueryParam("cursor"); raw != "" {
		got, err := decodeCursor(ed.cursors, raw)
		if err != nil {
			return err
		}
		q := c.QueryParams()
		if (q.Has("q") && got.Query != cur.Query) || (q.Has("archive") && got.Archive != cur.Archive) {
			return badRequest("cursor belongs to another search (q or archive changed): leave cursor out to start from the first page")
		}
		if got.Scope != cur.Scope {
			return badRequest("cursor was made for another API key or picker token: leave cursor out to start from the first page")
		}
		cur = got
	}
	if len(cur.Query) > maxQuery {
		return badRequest("q is longer than %d characters", maxQuery)
	}
	ctx := c.Request().Context()
	src, err := ed.source(ctx, sc, cur.Query, cur.Archive)
	if err != nil {
		return err
	}
	list, start, exhausted, err := ed.window(ctx, src, cur, limit)
	if err != nil {
		return err
	}
	end := min(start+limit, len(list))
	out := searchPage{Assets: make([]assetResult, 0, end-start)}
	for _, h := range list[start:end] {
		if !sc.allowsHref(h.asset.Href) {
			continue
		}
		if r, ok := ed.assetHit(ctx, h.asset, src.cols); ok {
			out.Assets = append(out.Assets, r)
		}
	}
	if len(list) > end {
		next := cursor{Query: cur.Query, Archive: cur.Archive, Scope: cur.Scope, Offset: end}
		for _, h := range list[max(0, end-anchorCount):end] {
			next.Anchors = append(next.Anchors, h.anchor)
		}
		out.Next = encodeCursor(ed.cursors, next)
	}
	out.Total, out.TotalExact = len(list), exhausted
	if !exhausted && cur.Query == "" && src.count > len(list) {
		out.Total, out.TotalExact = src.count, true
	}
	return c.JSON(http.StatusOK, out)
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

// hitSource reads the first n hits of one search, in FotoWeb's order.
type hitSource struct {
	read  func(ctx context.Context, n int) ([]fotoweb.Asset, error)
	cols  []fotoweb.Collection // the archives (names of hits); nil when unknown
	count int                  // assets in the archives searched, as FotoWeb counts them; 0 when unknown
}

// source returns the search of q on the archive named (every archive the
// scope allows when archive is ""): FotoWeb's multi-archive search for
// an API key, the scope's archives one after the other for a picker
// token limited to some.
func (ed *editor) source(ctx context.Context, sc *scope, q, archive string) (hitSource, error) {
	fw := ed.s.cfg.FotoWeb
	if archive == "" && sc.archives == nil {
		// FotoWeb's multi-archive search needs no archive list: the names
		// of the hits' archives come from the list as last fetched (GET
		// /v1/archives, which a picker asks first), the count only from a
		// fresh one.
		src := hitSource{read: func(ctx context.Context, n int) ([]fotoweb.Asset, error) { return fw.SearchAll(ctx, q, n) }}
		cols, fresh := ed.cachedArchives()
		src.cols = cols
		for _, col := range cols {
			if fresh && col.SearchURL != "" {
				src.count += col.AssetCount
			}
		}
		return src, nil
	}
	cols, err := ed.archives(ctx)
	if err != nil {
		return hitSource{}, err
	}
	var pick []fotoweb.Collection
	for _, col := range cols {
		if col.SearchURL != "" && sc.allows(collectionID(col)) && (archive == "" || archiveMatches(col, archive)) {
			pick = append(pick, col)
			if archive != "" {
				break
			}
		}
	}
	if len(pick) == 0 {
		if archive == "" {
			return hitSource{}, errorf(http.StatusNotFound, "no archive to search: the picker token's archives are gone")
		}
		return hitSource{}, errorf(http.StatusNotFound, "no archive %q", archive)
	}
	src := hitSource{cols: cols, read: func(ctx context.Context, n int) ([]fotoweb.Asset, error) {
		var out []fotoweb.Asset
		for _, col := range pick {
			if len(out) >= n {
				break
			}
			more, err := fw.Search(ctx, col.SearchURL, q, n-len(out))
			if err != nil {
				return nil, err
			}
			out = append(out, more...)
		}
		return out, nil
	}}
	for _, col := range pick {
		src.count += col.AssetCount
	}
	return src, nil
}

// window reads the hits up to the page after cur and finds where it
// starts. exhausted reports that the search was read to its end.
func (ed *editor) window(ctx context.Context, src hitSource, cur cursor, limit int) ([]hitRef, int, bool, error) {
	slack := 0
	if len(cur.Anchors) > 0 {
		slack = pagingSlack
	}
	for try := 0; ; try++ {
		n := min(cur.Offset+limit+1+slack, fotoweb.MaxSearchResults)
		assets, err := src.read(ctx, n)
		if err != nil {
			return nil, 0, false, err
		}
		list := make([]hitRef, len(assets))
		for i := range assets {
			list[i] = hitRef{asset: &assets[i], anchor: anchorOf(assets[i].Href)}
		}
		exhausted := len(assets) < n
		start, ok := pageStart(list, cur)
		if ok {
			return list, start, exhausted, nil
		}
		if exhausted || n >= fotoweb.MaxSearchResults || try == 2 {
			// Every anchor is gone (deleted, or moved away): the
			// position it had is the best guess left.
			return list, min(cur.Offset, len(list)), exhausted, nil
		}
		slack *= 8
	}
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
func (ed *editor) assetHit(ctx context.Context, a *fotoweb.Asset, cols []fotoweb.Collection) (assetResult, bool) {
	s := ed.s
	// The hit is the full asset representation: keep it, so that the
	// thumbnail and a later pick make no upstream request.
	in, err := s.res.Prime(ctx, a)
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
	r := assetResult{Ref: in.Href, Filename: in.Filename, Title: in.Text.Title, Thumbnail: thumb,
		Alt: in.Text.Alt, Caption: in.Text.Caption, FigureAlt: in.Text.FigureAlt(cmp.Or(in.Text.Alt, in.Text.Title)),
		Credit: in.Text.CreditLine(""), Public: s.isPublic(in.Href)}
	if id := archiveKey(in.Href); id != "" {
		r.ArchiveID = id
	} else if a.ArchiveID > 0 {
		r.ArchiveID = strconv.Itoa(a.ArchiveID)
	}
	if n, err := strconv.Atoi(r.ArchiveID); err == nil {
		r.Archive = archiveName(cols, n)
	}
	if in.SizeKnown() {
		r.Width, r.Height = in.Width, in.Height
	}
	if err := in.Check(s.cfg.Now()); err != nil {
		_, r.Unpublished = classify(err)
	}
	return r, true
}
