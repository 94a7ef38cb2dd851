package server

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/fotoembed/fotoembed/embed"
	"github.com/fotoembed/fotoembed/internal/boolean"
)

// maxResolveBody bounds a /v1/resolve request body.
const maxResolveBody = 1 << 20

// itemRequest is one image a CMS asks for: /v1/resolve's items and
// /v1/embed's query parameters.
type itemRequest struct {
	Ref        string `json:"ref"`
	Width      int    `json:"width"`
	Sizes      string `json:"sizes"`
	Figure     bool   `json:"figure"`
	Priority   bool   `json:"priority"`
	Decorative bool   `json:"decorative"`
	Class      string `json:"class"`
	ID         string `json:"id"`
	Alt        string `json:"alt"`
	Delivery   string `json:"delivery"`
	// Publication is the page the image is published on (export
	// delivery: recorded with the export in FotoWeb); default the
	// service's --publication.
	Publication string `json:"publication"`
	// Page is the page that shows the image (an absolute http(s) URL or
	// a root-relative path), recorded in the where-used record when the
	// service keeps one; optional.
	Page string `json:"page"`
}

// itemResult is one /v1/resolve result, in the order of the items. Ref
// is the item's ref with anything token-like redacted (a pasted FotoWeb
// URL may carry an access_token). Error is set when the item failed; the
// other items are still answered. Width and Height are the <img>'s
// width and height attributes; for an image whose size FotoWeb does not
// know, height (and, without a CSS width, width) is left out, as in the
// HTML.
type itemResult struct {
	Ref     string `json:"ref"`
	URL     string `json:"url,omitempty"`
	Srcset  string `json:"srcset,omitempty"`
	Sizes   string `json:"sizes,omitempty"`
	Width   int    `json:"width,omitempty"`
	Height  int    `json:"height,omitempty"`
	Alt     string `json:"alt,omitempty"`
	Caption string `json:"caption,omitempty"`
	Credit  string `json:"credit,omitempty"`
	HTML    string `json:"html,omitempty"`
	Page    string `json:"page,omitempty"`
	OEmbed  string `json:"oembed,omitempty"`
	// Expires is when the asset's licence ends (the rights-expiry field),
	// if it has an end.
	Expires *time.Time `json:"expires,omitempty"`
	Error   string     `json:"error,omitempty"`
}

// embedSnippet answers GET /v1/embed with the HTML of one image.
func (s *Server) embedSnippet(c echo.Context) error {
	it, err := queryItem(c)
	if err != nil {
		return err
	}
	o, err := s.itemOptions(it)
	if err != nil {
		return err
	}
	in, err := s.res.Resolve(c.Request().Context(), it.Ref)
	if err != nil {
		return err
	}
	img, err := s.emb.RenderContext(c.Request().Context(), in, o, it.Figure)
	if err != nil {
		return err
	}
	s.recordUse(c.Request().Context(), in.Href, it.Page)
	html := img.HTML
	return c.Blob(http.StatusOK, "text/html; charset=utf-8", []byte(html))
}

// queryItem reads an itemRequest from the query parameters.
func queryItem(c echo.Context) (itemRequest, error) {
	q := c.QueryParams()
	it := itemRequest{
		Ref: q.Get("ref"), Sizes: q.Get("sizes"), Class: q.Get("class"),
		ID: q.Get("id"), Alt: q.Get("alt"), Delivery: q.Get("delivery"), Publication: q.Get("publication"),
		Page: q.Get("page"),
	}
	var err error
	if w := q.Get("width"); w != "" {
		if it.Width, err = strconv.Atoi(w); err != nil {
			return it, badRequest("width must be an integer")
		}
	}
	for _, b := range []struct {
		name string
		dst  *bool
	}{{"figure", &it.Figure}, {"priority", &it.Priority}, {"decorative", &it.Decorative}} {
		if *b.dst, err = parseFlag(q, b.name); err != nil {
			return it, err
		}
	}
	return it, nil
}

// parseFlag reads a boolean parameter: absent is false; present without
// a value is true; otherwise 1, true, yes or on is true and 0, false, no
// or off is false, in any case ([boolean.ParseAttr]).
func parseFlag(q map[string][]string, name string) (bool, error) {
	vs, ok := q[name]
	if !ok {
		return false, nil
	}
	b, err := boolean.ParseAttr(vs[0])
	if err != nil {
		return false, badRequest("%s: %v", name, redactText(err.Error()))
	}
	return b, nil
}

// itemOptions turns a request item into embed options; the default
// delivery is signed. Direct delivery (a FotoWeb URL in the HTML) is
// refused unless signed URLs are answered by redirect, where the same URL
// token policy applies; export delivery needs the service's exporter.
func (s *Server) itemOptions(it itemRequest) (embed.Options, error) {
	if strings.TrimSpace(it.Ref) == "" {
		return embed.Options{}, badRequest("ref is required")
	}
	o := embed.Options{
		Width: it.Width, Sizes: it.Sizes, Priority: it.Priority, Decorative: it.Decorative,
		Class: it.Class, ID: it.ID, Alt: it.Alt, Links: embed.LinkSigned, Publication: it.Publication,
	}
	switch it.Delivery {
	case "", "signed":
	case "direct":
		if !s.tokenURL {
			return o, badRequest("direct delivery is disabled: this service keeps FotoWeb tokens server-side (proxy delivery)")
		}
		o.Links = embed.LinkDirect
	case "export":
		if !s.emb.CanExport() {
			return o, badRequest("export delivery is not configured on this service")
		}
		o.Links = embed.LinkExport
	default:
		return o, badRequest("delivery must be signed, direct or export")
	}
	if len(o.Publication) > 2048 {
		return o, badRequest("publication is longer than 2048 characters")
	}
	if err := checkPage(it.Page); err != nil {
		return o, err
	}
	return o, o.Validate()
}

// resolveBatch answers POST /v1/resolve: every item resolved (at most
// Config.ResolveConcurrency at once), each with its own error.
func (s *Server) resolveBatch(c echo.Context) error {
	var items []itemRequest
	body := http.MaxBytesReader(c.Response(), c.Request().Body, maxResolveBody)
	if err := decodeList(body, "items", s.cfg.MaxBatch, func(it itemRequest) { items = append(items, it) }); err != nil {
		return err
	}
	results := make([]itemResult, len(items))
	sem := make(chan struct{}, s.cfg.ResolveConcurrency)
	var wg sync.WaitGroup
	for i, it := range items {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			results[i] = s.resolveItem(c, it)
		}()
	}
	wg.Wait()
	return c.JSON(http.StatusOK, map[string][]itemResult{"results": results})
}

// jsonBodyError maps a request body that does not decode.
func jsonBodyError(err error) error {
	var mbe *http.MaxBytesError
	var lim *jsonLimitError
	switch {
	case errors.As(err, &mbe):
		return errorf(http.StatusRequestEntityTooLarge, "request body larger than %d bytes", mbe.Limit)
	case errors.As(err, &lim):
		return badRequest("%s", lim.msg)
	case bodyTimedOut(err):
		return errBodyTimeout
	case errors.Is(err, io.EOF):
		return badRequest("request body is empty; want {\"items\": [...]}")
	}
	return badRequest("request body is not valid JSON: %s", redactText(err.Error()))
}

// resolveItem resolves one item; a failure becomes its error string.
func (s *Server) resolveItem(c echo.Context, it itemRequest) itemResult {
	r, err := s.resolveOne(c.Request().Context(), it, scopeOf(c))
	if err != nil {
		status, msg := classify(err)
		s.logError(c, status, err)
		return itemResult{Ref: redactText(it.Ref), Error: msg}
	}
	r.Ref = redactText(it.Ref)
	return r
}

// resolveOne builds one item's result for a caller with scope sc. A
// picker token reaches only its archives (another asset is "not found",
// as one that does not exist), gets no direct delivery (its HTML is
// stored by a CMS, and would hold a FotoWeb token) and records no use.
func (s *Server) resolveOne(ctx context.Context, it itemRequest, sc *scope) (itemResult, error) {
	o, err := s.itemOptions(it)
	if err != nil {
		return itemResult{}, err
	}
	if sc.picker {
		if o.Links == embed.LinkDirect {
			return itemResult{}, badRequest("direct delivery is not available in the picker: its HTML is stored, and would carry a FotoWeb token")
		}
		if it.Page != "" {
			return itemResult{}, badRequest("page is not accepted with a picker token: record uses with the API key (POST /v1/usage)")
		}
		key, err := s.res.Key(it.Ref)
		if err != nil {
			return itemResult{}, err
		}
		if !sc.allowsHref(key) {
			return itemResult{}, errorf(http.StatusNotFound, msgNotFound)
		}
	}
	in, err := s.res.Resolve(ctx, it.Ref)
	if err != nil {
		return itemResult{}, err
	}
	img, err := s.emb.RenderContext(ctx, in, o, it.Figure)
	if err != nil {
		return itemResult{}, err
	}
	s.recordUse(ctx, in.Href, it.Page)
	r := itemResult{Ref: it.Ref, URL: img.Src, Srcset: img.Srcset, Sizes: img.Sizes,
		Width: img.Width, Height: img.Height, Alt: img.Alt, Caption: img.Caption,
		Credit: img.Credit, HTML: string(img.HTML)}
	if exp := in.Rights.Expires; !exp.IsZero() {
		r.Expires = &exp
		s.watchExpiry(in.Href, exp)
	}
	if s.isPublic(in.Href) {
		r.Page = s.pageURL(in.Href)
		r.OEmbed = s.oembedURL(r.Page)
	}
	return r, nil
}
