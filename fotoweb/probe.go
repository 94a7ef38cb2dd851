package fotoweb

import (
	"context"
	"fmt"
	"net/http"
)

// TryURL fetches href (a preview or other file on the origin) the way a
// browser's <img> would: no Authorization header and, when token is not
// empty, token as the access_token query parameter. It answers FotoWeb's
// status code without reading the body: 200 means a visitor given that
// URL sees the image. An error means no answer was had (and wraps
// ErrUnavailable for a failing server). The token never appears in an
// error.
func (c *Client) TryURL(ctx context.Context, href, token string) (int, error) {
	u, err := c.resolve(href)
	if err != nil {
		return 0, fmt.Errorf("fotoweb: try: %w", err)
	}
	cl := &call{method: http.MethodGet, u: u, accept: "image/*,*/*", idempotent: true, stream: true,
		noToken: true, no401Retry: true, queryToken: token}
	r, err := c.send(ctx, cl)
	if err != nil {
		return 0, err
	}
	r.close()
	return r.status, nil
}
