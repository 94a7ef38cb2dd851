package fotoweb

import (
	"context"
	"fmt"
	"net/http"
)

// passHeaders are the caller's headers Open forwards.
var passHeaders = []string{"If-None-Match", "If-Modified-Since", "Range", "If-Range"}

// Open streams a file on the origin: a preview, a quick rendition or any
// other href. The first request carries the client's access token (none
// for a guest client). If FotoWeb answers 401 or 403 and previewToken is
// not empty, Open tries once more with "Authorization: Bearer
// <previewToken>" and no access token; that answer is final. (With a
// previewToken the first 401 is not taken as a reason to invalidate the
// access token: FotoWeb may simply demand the preview token. Without one,
// a 401 invalidates and retries once as for every request.)
//
// h may carry If-None-Match, If-Modified-Since, Range and If-Range; other
// headers in h are ignored. A 304 answer gives a Body with Status 304 and
// no content; 200 and 206 stream. Anything else is an error.
func (c *Client) Open(ctx context.Context, href, previewToken string, h http.Header) (*Body, error) {
	u, err := c.resolve(href)
	if err != nil {
		return nil, fmt.Errorf("fotoweb: open: %w", err)
	}
	var extra http.Header
	for _, k := range passHeaders {
		if vs := h.Values(k); len(vs) > 0 {
			if extra == nil {
				extra = http.Header{}
			}
			extra[k] = vs
		}
	}
	base := call{method: http.MethodGet, u: u, accept: "*/*", header: extra, idempotent: true, stream: true}
	first := base
	first.no401Retry = previewToken != ""
	cl := &first
	r, err := c.send(ctx, cl)
	if err != nil {
		return nil, err
	}
	if previewToken != "" && (r.status == http.StatusUnauthorized || r.status == http.StatusForbidden) {
		r.close()
		second := base
		second.bearer = previewToken
		cl = &second
		if r, err = c.send(ctx, cl); err != nil {
			return nil, err
		}
	}
	switch r.status {
	case http.StatusOK, http.StatusPartialContent, http.StatusNotModified:
		return newBody(r), nil
	}
	return nil, c.statusError(cl, r)
}
