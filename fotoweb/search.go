package fotoweb

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"strings"
)

var templateExpr = regexp.MustCompile(`\{[^{}]*\}`)

// expandSearch fills a searchURL template ("/fotoweb/archives/5000-x/{?q}",
// RFC 6570 form) with query, percent-encoded (%20 for a space). Other
// template expressions expand to nothing, as undefined variables do.
func expandSearch(tmpl, query string) string {
	q := "q=" + strings.ReplaceAll(url.QueryEscape(query), "+", "%20")
	before, after, found := strings.Cut(tmpl, "{?q}")
	if !found {
		before, after = tmpl, ""
	}
	before = templateExpr.ReplaceAllString(before, "")
	after = templateExpr.ReplaceAllString(after, "")
	sep := "?"
	if strings.Contains(before, "?") {
		sep = "&"
	}
	return before + sep + q + after
}

// Search runs a FotoWeb search expression on one collection. searchURL is
// the collection's template ending "{?q}"; the results are read as asset
// lists (or, when the server answers with a collection, from its nested
// first page) following paging.next until it is null or "". limit bounds
// the result; 0 means MaxSearchResults.
func (c *Client) Search(ctx context.Context, searchURL, query string, limit int) ([]Asset, error) {
	if searchURL == "" {
		return nil, fmt.Errorf("fotoweb: search: the collection is not searchable (no searchURL)")
	}
	return c.assets(ctx, expandSearch(searchURL, query), nil, limitOrMax(limit))
}

// SearchAll searches every archive: the descriptor's searchURL read as a
// collection list (one search result per archive), then each result's
// assets. limit bounds the total; 0 means MaxSearchResults.
func (c *Client) SearchAll(ctx context.Context, query string, limit int) ([]Asset, error) {
	d, err := c.Descriptor(ctx)
	if err != nil {
		return nil, err
	}
	results, err := c.collections(ctx, expandSearch(orDefault(d.SearchURL, pathSearch), query))
	if err != nil {
		return nil, err
	}
	limit = limitOrMax(limit)
	var out []Asset
	for _, r := range results {
		href := orDefault(r.Data, r.Href)
		if href == "" || len(out) >= limit {
			continue
		}
		out, err = c.assets(ctx, href, out, limit)
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

func limitOrMax(limit int) int {
	if limit <= 0 || limit > MaxSearchResults {
		return MaxSearchResults
	}
	return limit
}

// assets appends the assets of a paged list at href to out, up to limit.
func (c *Client) assets(ctx context.Context, href string, out []Asset, limit int) ([]Asset, error) {
	err := c.pages(ctx, href, func(u *url.URL) (string, bool, error) {
		var p assetPage
		if err := c.getJSON(ctx, u, mtAssetList, &p); err != nil {
			return "", false, err
		}
		page := &p
		if p.Assets != nil && len(p.Data) == 0 {
			page = p.Assets // collection+json: the first page is nested
		}
		out = append(out, page.Data...)
		if len(out) >= limit {
			out = out[:limit]
			return "", true, nil
		}
		return next(page.Paging), false, nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
