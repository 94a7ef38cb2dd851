package embed

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"golang.org/x/oauth2"

	"github.com/fotoembed/fotoembed/urlsig"
)

// ErrToken reports that no current access token could be had for a
// FotoWeb URL. It never carries the token.
var ErrToken = errors.New("embed: no access token")

// urlMaker writes the URLs of one render: signed service URLs (from the
// Info's memo) or FotoWeb URLs with the token current at the start of the
// render.
type urlMaker struct {
	e      *Embedder
	in     *Info
	direct bool
	memo   *urlMemo // signed paths (signed only)
	tokQ   string   // "access_token=..." (direct only)
}

// urls prepares the URL maker for rendering in with o.
func (e *Embedder) urls(in *Info, o *Options) (urlMaker, error) {
	m := urlMaker{e: e, in: in, direct: e.delivery(o) == DeliveryDirect}
	if !m.direct {
		if e.cfg.Signer == nil {
			return m, errors.New("embed: signed delivery needs a Signer")
		}
		exp := o.expiry(e.cfg.Now())
		if exp != 0 && (exp < 1 || exp > urlsig.MaxExpiry) {
			return m, fmt.Errorf("%w: expiry %d out of range", ErrBadOption, exp)
		}
		memo, err := in.memoFor(e.cfg.Signer, exp)
		if err != nil {
			return m, fmt.Errorf("embed: signing %q: %w", in.Href, err)
		}
		m.memo = memo
		return m, nil
	}
	tok, err := e.token()
	if err != nil {
		return m, err
	}
	m.tokQ = tokenQuery(tok.AccessToken)
	return m, nil
}

// delivery returns the delivery for o.
func (e *Embedder) delivery(o *Options) Delivery {
	if o.Delivery != DeliveryDefault {
		return o.Delivery
	}
	return e.cfg.Delivery
}

// write writes the URL of preview i, escaped for an attribute value.
func (m *urlMaker) write(w *writer, i int) {
	switch {
	case m.direct:
		writeFotoWebURL(w, m.e.origin, m.in.Previews[i].Href, m.tokQ)
	case m.memo.safe:
		w.WriteString(m.e.baseEsc)
		w.WriteString(m.memo.paths[i])
	default:
		w.WriteString(m.e.baseEsc)
		w.url(m.memo.paths[i])
	}
}

// string returns the URL of preview i, unescaped.
func (m *urlMaker) string(i int) string {
	if m.direct {
		return spaceless(fotowebURL(m.e.origin, m.in.Previews[i].Href, m.tokQ))
	}
	return spaceless(m.e.base + m.memo.paths[i])
}

// token returns the live token source's current token.
func (e *Embedder) token() (*oauth2.Token, error) {
	if e.cfg.Tokens == nil || e.origin == "" {
		return nil, fmt.Errorf("%w: FotoWeb URLs need Tokens and Origin configured", ErrToken)
	}
	tok, err := e.cfg.Tokens.Token()
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrToken, err)
	}
	if tok == nil || tok.AccessToken == "" {
		return nil, fmt.Errorf("%w: token source returned an empty token", ErrToken)
	}
	return tok, nil
}

// lastTokenQuery memoises tokenQuery for the token in use: every URL
// carries the same token until the token source replaces it. It is keyed
// by the live token, so a replaced token is never handed out again.
var lastTokenQuery atomic.Pointer[[2]string]

// tokenQuery returns the query-encoded access_token parameter (what
// url.Values{"access_token": {tok}}.Encode() gives, without its map).
func tokenQuery(tok string) string {
	if c := lastTokenQuery.Load(); c != nil && c[0] == tok {
		return c[1]
	}
	q := "access_token=" + url.QueryEscape(tok)
	lastTokenQuery.Store(&[2]string{tok, q})
	return q
}

// splitHref splits a preview href into the part before the fragment, the
// separator to put before another query parameter, and the fragment
// (with its "#").
func splitHref(href string) (head, sep, frag string) {
	head = href
	if i := strings.IndexByte(href, '#'); i >= 0 {
		head, frag = href[:i], href[i:]
	}
	switch {
	case !strings.Contains(head, "?"):
		sep = "?"
	case strings.HasSuffix(head, "?") || strings.HasSuffix(head, "&"):
		sep = ""
	default:
		sep = "&"
	}
	return head, sep, frag
}

// absolute reports whether href is an absolute http(s) URL.
func absolute(href string) bool {
	return strings.HasPrefix(href, "https://") || strings.HasPrefix(href, "http://")
}

// fotowebURL returns origin+href with the query parameter tokQ added.
func fotowebURL(origin, href, tokQ string) string {
	head, sep, frag := splitHref(href)
	if absolute(href) {
		origin = ""
	}
	return origin + head + sep + tokQ + frag
}

// writeFotoWebURL writes fotowebURL(origin, href, tokQ), escaped.
func writeFotoWebURL(w *writer, origin, href, tokQ string) {
	head, sep, frag := splitHref(href)
	if !absolute(href) {
		w.url(origin)
	}
	w.url(head)
	w.WriteString(sep)
	w.url(tokQ)
	w.url(frag)
}

// FotoWebURL returns the FotoWeb URL of preview p (Origin + p.Href) with
// accessToken added as the access_token query parameter, properly
// encoded, after any query p.Href already has. Never store the result.
func (e *Embedder) FotoWebURL(p Preview, accessToken string) string {
	return fotowebURL(e.origin, p.Href, tokenQuery(accessToken))
}

// RedirectURL is what the signed-URL handler calls in redirect mode: it
// chooses the preview the verified options o mean ([Info.ChooseFor]) and
// returns its FotoWeb URL carrying the token current at this moment,
// with that token's expiry (zero when unknown), so that the response's
// Cache-Control never outlives the token.
func (e *Embedder) RedirectURL(in *Info, o urlsig.Options) (string, time.Time, error) {
	i, err := in.ChooseFor(o)
	if err != nil {
		return "", time.Time{}, err
	}
	tok, err := e.token()
	if err != nil {
		return "", time.Time{}, err
	}
	return e.FotoWebURL(in.Previews[i], tok.AccessToken), tok.Expiry, nil
}

// SignedURL returns the service URL (BaseURL + signed path) for preview i
// of in, expiring at exp (zero for never).
func (e *Embedder) SignedURL(in *Info, i int, exp time.Time) (string, error) {
	if e.cfg.Signer == nil {
		return "", errors.New("embed: no Signer configured")
	}
	if i < 0 || i >= len(in.Previews) {
		return "", fmt.Errorf("embed: preview index %d out of range", i)
	}
	var u int64
	if !exp.IsZero() {
		u = exp.Unix()
	}
	path, err := in.signedPath(e.cfg.Signer, i, u)
	if err != nil {
		return "", fmt.Errorf("embed: signing %q: %w", in.Href, err)
	}
	return e.base + path, nil
}
