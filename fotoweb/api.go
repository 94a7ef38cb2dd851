package fotoweb

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// FotoWeb media types.
const (
	mtFullDescriptor   = "application/vnd.fotoware.full-api-descriptor+json"
	mtPublicDescriptor = "application/vnd.fotoware.api-descriptor+json"
	mtCollectionList   = "application/vnd.fotoware.collectionlist+json"
	mtAssetList        = "application/vnd.fotoware.assetlist+json"
	mtAsset            = "application/vnd.fotoware.asset+json"
	mtRenditionRequest = "application/vnd.fotoware.rendition-request+json"
	mtRenditionResp    = "application/vnd.fotoware.rendition-response+json"
)

// Well-known paths, used when the descriptor leaves a link out.
const (
	pathFullDescriptor   = "/fotoweb/me"
	pathPublicDescriptor = "/fotoweb/"
	pathArchives         = "/fotoweb/archives/"
	pathSearch           = "/fotoweb/archives/{?q}"
	pathRenditions       = "/fotoweb/services/renditions"
)

// MaxSearchResults caps Search and SearchAll when limit is 0 (FotoWeb
// itself stops at about 10,000 hits).
const MaxSearchResults = 10000

// maxPages bounds paging through one list.
const maxPages = 2000

// getJSON GETs u with accept and decodes a 200 answer into v.
func (c *Client) getJSON(ctx context.Context, u *url.URL, accept string, v any) error {
	cl := &call{method: http.MethodGet, u: u, accept: accept, idempotent: true}
	r, err := c.send(ctx, cl)
	if err != nil {
		return err
	}
	return c.decodeAnswer(cl, r, v, http.StatusOK)
}

// decodeAnswer checks status and content type and decodes r's body.
func (c *Client) decodeAnswer(cl *call, r *response, v any, ok ...int) error {
	good := false
	for _, s := range ok {
		good = good || r.status == s
	}
	if !good {
		return c.statusError(cl, r)
	}
	if ct := r.header.Get("Content-Type"); !isJSON(ct) {
		return fmt.Errorf("fotoweb: %s %s: answer is %s, not JSON", cl.method, c.safePath(cl.u), quoteRef(ct))
	}
	if err := decodeJSON(r.body, v); err != nil {
		return fmt.Errorf("fotoweb: %s %s: decoding the answer: %w", cl.method, c.safePath(cl.u), err)
	}
	return nil
}

// resolve turns an href from FotoWeb or a caller into an absolute URL on
// the origin, refusing any other origin.
func (c *Client) resolve(href string) (*url.URL, error) {
	if href == "" {
		return nil, fmt.Errorf("fotoweb: empty URL")
	}
	if strings.ContainsFunc(href, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return nil, fmt.Errorf("fotoweb: control character in URL %s", quoteRef(href))
	}
	ref, err := url.Parse(href)
	if err != nil {
		return nil, fmt.Errorf("fotoweb: bad URL %s", quoteRef(href))
	}
	u := c.base.ResolveReference(ref)
	if u.User != nil || Origin(u) != c.origin {
		return nil, fmt.Errorf("%w: %s is not on %s", ErrOffOrigin, quoteRef(href), c.origin)
	}
	u.Fragment, u.RawFragment = "", ""
	return u, nil
}

// descCall is an in-flight descriptor fetch shared by concurrent callers.
type descCall struct {
	done chan struct{}
	d    *Descriptor
	err  error
}

// Descriptor returns the API descriptor: GET /fotoweb/me as
// full-api-descriptor+json, or for a guest client (no Tokens) the public
// descriptor GET /fotoweb/. The first success is cached for the client's
// life; concurrent first calls share one request. The result is a copy.
func (c *Client) Descriptor(ctx context.Context) (*Descriptor, error) {
	c.descMu.Lock()
	if d := c.desc; d != nil {
		c.descMu.Unlock()
		return copyDescriptor(d), nil
	}
	dc := c.descCall
	leader := dc == nil
	if leader {
		dc = &descCall{done: make(chan struct{})}
		c.descCall = dc
	}
	c.descMu.Unlock()
	if leader {
		dc.d, dc.err = c.fetchDescriptor(ctx)
		c.descMu.Lock()
		if dc.err == nil {
			c.desc = dc.d
		}
		c.descCall = nil
		c.descMu.Unlock()
		close(dc.done)
	}
	select {
	case <-dc.done:
		if dc.err != nil {
			return nil, dc.err
		}
		return copyDescriptor(dc.d), nil
	case <-ctx.Done():
		return nil, fmt.Errorf("fotoweb: GET %s: %w", pathFullDescriptor, ctx.Err())
	}
}

func (c *Client) fetchDescriptor(ctx context.Context) (*Descriptor, error) {
	path, accept := pathFullDescriptor, mtFullDescriptor
	if c.cfg.Tokens == nil {
		path, accept = pathPublicDescriptor, mtPublicDescriptor
	}
	u, _ := c.resolve(path)
	var d Descriptor
	if err := c.getJSON(ctx, u, accept, &d); err != nil {
		return nil, err
	}
	return &d, nil
}

func copyDescriptor(d *Descriptor) *Descriptor {
	cp := *d
	if d.User != nil {
		u := *d.User
		cp.User = &u
	}
	return &cp
}

// Archives lists the archives the token may see (the descriptor's
// archives link, as a collection list), following paging.
func (c *Client) Archives(ctx context.Context) ([]Collection, error) {
	d, err := c.Descriptor(ctx)
	if err != nil {
		return nil, err
	}
	return c.collections(ctx, orDefault(d.Archives, pathArchives))
}

// collections GETs a collection list and its further pages.
func (c *Client) collections(ctx context.Context, href string) ([]Collection, error) {
	var out []Collection
	err := c.pages(ctx, href, func(u *url.URL) (string, bool, error) {
		var p collectionPage
		if err := c.getJSON(ctx, u, mtCollectionList, &p); err != nil {
			return "", false, err
		}
		out = append(out, p.Data...)
		return next(p.Paging), false, nil
	})
	return out, err
}

// pages walks a paged list from href: page handles one page and returns
// the next link ("" at the end) and whether to stop early. Page links are
// followed as given, never built, and only on the origin.
func (c *Client) pages(ctx context.Context, href string, page func(*url.URL) (string, bool, error)) error {
	seen := map[string]bool{}
	for n := 0; href != ""; n++ {
		u, err := c.resolve(href)
		if err != nil {
			return err
		}
		key := u.String()
		if seen[key] {
			return fmt.Errorf("fotoweb: GET %s: paging loops back to an earlier page", c.safePath(u))
		}
		if n >= maxPages {
			return fmt.Errorf("fotoweb: GET %s: more than %d pages", c.safePath(u), maxPages)
		}
		seen[key] = true
		nextHref, stop, err := page(u)
		if err != nil || stop {
			return err
		}
		href = nextHref
	}
	return nil
}

func next(p *Paging) string {
	if p == nil {
		return ""
	}
	return p.Next
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// Asset returns the asset representation of ref (any form ParseRef
// accepts).
func (c *Client) Asset(ctx context.Context, ref string) (*Asset, error) {
	p, err := c.ParseRef(ref)
	if err != nil {
		return nil, err
	}
	u, err := c.resolve(p)
	if err != nil {
		return nil, err
	}
	var a Asset
	if err := c.getJSON(ctx, u, mtAsset, &a); err != nil {
		return nil, err
	}
	return &a, nil
}
