package bench

import (
	"log"
	"net/http"
	"net/http/httputil"
	"net/url"

	"github.com/labstack/echo/v4"
	"golang.org/x/oauth2"

	"github.com/fotoembed/fotoembed/fotoweb"
)

// DefaultLocation is the Location of the bare Echo 302: a FotoWeb preview
// URL with an access token, of the length fotoembed's redirects have.
const DefaultLocation = "http://127.0.0.1:1/fotoweb/cache/v2/2/9/Mi1QaG90b3MvRm9sZGVyIDE5L2hhcmJvdXIuanBn" +
	".AAAAAQABBLAA.Yb1z3f0tW9qHk0xPq2L7Tg.jpg?access_token=ZmFrZS1hY2Nlc3MtdG9rZW4tZm9yLWJlbmNobWFya3MtMDAwMQ"

// Echo302 returns the redirect baseline: a bare Echo instance whose only
// route, GET and HEAD on prefix+"/*" (the signed-URL route), answers 302
// with the constant location. No middleware, no error handler: the floor
// of what an Echo redirect costs.
func Echo302(prefix, location string) http.Handler {
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.Match([]string{http.MethodGet, http.MethodHead}, prefix+"/*", func(c echo.Context) error {
		c.Response().Header().Set(echo.HeaderLocation, location)
		return c.NoContent(http.StatusFound)
	})
	return e
}

// NewReverseProxy returns the proxy baseline: httputil.ReverseProxy to the
// FotoWeb origin, adding "Authorization: Bearer <token>" from ts to every
// request, streaming the answer as it is. rt is its transport (nil means
// http.DefaultTransport).
func NewReverseProxy(origin *url.URL, ts oauth2.TokenSource, rt http.RoundTripper) http.Handler {
	return &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			r.SetURL(origin)
			r.Out.Host = origin.Host
			if tok, err := fotoweb.TokenContext(r.In.Context(), ts); err == nil {
				r.Out.Header.Set("Authorization", "Bearer "+tok.AccessToken)
			}
		},
		Transport: rt,
		ErrorLog:  log.New(discard{}, "", 0),
	}
}
