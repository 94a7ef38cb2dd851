package embed

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"golang.org/x/oauth2"

	"github.com/fotoembed/fotoembed/fotoweb"
	"github.com/fotoembed/fotoembed/internal/origin"
	"github.com/fotoembed/fotoembed/urlsig"
)

// ErrToken reports that no current access token could be had for a
// FotoWeb URL. It never carries the token.
var ErrToken = errors.New("embed: no access token")

// urlMaker writes the URLs of one render: signed service URLs (from the
// Info's memo), FotoWeb URLs with the token the URL token policy puts on
// them at the start of the render, or public export URLs.
type urlMaker struct {
	e       *Embedder
	in      *Info
	mode    LinkMode
	memo    *urlMemo       // signed paths (signed only)
	tokQ    string         // "access_token=..." or "" (direct only)
	export  map[int]string // public URL by preview index (export only)
	double  string         // DoubleResolution URL of the widest export, "" for none
	doubleW int            // its width
}

// urls prepares the URL maker for rendering in with o. need lists the
// preview indices the render writes (export delivery exports each width
// once, before writing).
func (e *Embedder) urls(ctx context.Context, in *Info, o *Options, need []int) (urlMaker, error) {
	m := urlMaker{e: e, in: in, mode: e.links(o)}
	switch m.mode {
	case LinkDirect:
		for _, i := range need {
			if err := e.checkHref(in.Previews[i].Href); err != nil {
				return m, err
			}
		}
		tokQ, _, _, err := e.urlToken(ctx, in)
		m.tokQ = tokQ
		return m, err
	case LinkExport:
		return m, m.exports(ctx, o, need)
	}
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

// links returns the link mode for o.
func (e *Embedder) links(o *Options) LinkMode {
	return either(o.links(), e.cfg.Links)
}

// write writes the URL of preview i, escaped for an attribute value.
func (m *urlMaker) write(w *writer, i int) {
	switch {
	case m.mode == LinkDirect:
		writeFotoWebURL(w, m.e.origin, m.in.Previews[i].Href, m.tokQ)
	case m.mode == LinkExport:
		w.url(m.export[i])
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
	switch m.mode {
	case LinkDirect:
		return spaceless(fotowebURL(m.e.origin, m.in.Previews[i].Href, m.tokQ))
	case LinkExport:
		return spaceless(m.export[i])
	}
	return spaceless(m.e.base + m.memo.paths[i])
}

// urlTokenPolicy returns the URL token policy in force.
func (e *Embedder) urlTokenPolicy() URLToken {
	if e.cfg.URLTokens == nil {
		return URLTokenAccess
	}
	return e.cfg.URLTokens.URLToken()
}

// urlToken returns the query parameter the URL token policy puts on a
// FotoWeb URL of in ("" for none), the policy, and the token's expiry
// (zero when there is no token or its expiry is unknown). It stops waiting
// for the token source when ctx ends.
func (e *Embedder) urlToken(ctx context.Context, in *Info) (string, URLToken, time.Time, error) {
	if e.origin == "" {
		return "", 0, time.Time{}, fmt.Errorf("%w: FotoWeb URLs need Origin configured", ErrToken)
	}
	switch pol := e.urlTokenPolicy(); pol {
	case URLTokenNone:
		return "", pol, time.Time{}, nil
	case URLTokenPreview:
		if in.PreviewToken == "" || !e.cfg.Now().Before(in.PreviewTokenExpires) {
			return "", pol, time.Time{}, fmt.Errorf("%w: no live previewToken for %q (does the resolver keep previewTokens?)", ErrToken, in.Href)
		}
		return in.previewQuery(), pol, in.PreviewTokenExpires, nil
	case URLTokenAccess:
		tok, err := e.token(ctx)
		if err != nil {
			return "", pol, time.Time{}, err
		}
		return tokenQuery(tok.AccessToken), pol, tok.Expiry, nil
	default:
		return "", pol, time.Time{}, fmt.Errorf("%w: no URL token policy is in force (FotoWeb accepted no form of a preview URL)", ErrNoPolicy)
	}
}

// checkHref refuses a preview href that does not lead to the FotoWeb
// origin: no token is ever put on a URL of another host, whatever
// FotoWeb or a cache said. It is the one check of direct HTML and
// redirects.
func (e *Embedder) checkHref(href string) error {
	if e.origin == "" || e.plainOrigin && origin.CleanPath(href) || OnOrigin(spaceless(fotowebURL(e.origin, href, "")), e.origin) {
		return nil // without an origin, urlToken refuses every FotoWeb URL
	}
	return fmt.Errorf("%w: a preview href of the asset is not on %s", fotoweb.ErrOffOrigin, e.origin)
}

// ErrNoPolicy reports that no URL token policy is in force, so no FotoWeb
// URL can be handed to a browser.
var ErrNoPolicy = errors.New("embed: no URL token policy")

// token returns the live token source's current token, giving up when
// ctx ends (see [fotoweb.TokenContext]).
func (e *Embedder) token(ctx context.Context) (*oauth2.Token, error) {
	if e.cfg.Tokens == nil || e.origin == "" {
		return nil, fmt.Errorf("%w: FotoWeb URLs need Tokens and Origin configured", ErrToken)
	}
	tok, err := fotoweb.TokenContext(ctx, e.cfg.Tokens)
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

// fotowebURL returns origin+href with the query parameter tokQ added
// (href as it is when tokQ is "").
func fotowebURL(origin, href, tokQ string) string {
	if absolute(href) {
		origin = ""
	}
	if tokQ == "" {
		return origin + href
	}
	head, sep, frag := splitHref(href)
	return origin + head + sep + tokQ + frag
}

// writeFotoWebURL writes fotowebURL(origin, href, tokQ), escaped.
func writeFotoWebURL(w *writer, origin, href, tokQ string) {
	if !absolute(href) {
		w.url(origin)
	}
	if tokQ == "" {
		w.url(href)
		return
	}
	head, sep, frag := splitHref(href)
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

// Target is where a signed URL's redirect goes.
type Target struct {
	// URL is the absolute URL to redirect to.
	URL string
	// Token is the URL token policy applied to URL; URLTokenNone also
	// for an export URL, which needs none.
	Token URLToken
	// Expires is when the token in URL expires; zero when URL holds no
	// token, or (URLTokenAccess) when the token source did not say.
	Expires time.Time
	// Export reports a public export URL (export delivery): permanent,
	// no token.
	Export bool
	// Until is when the asset's licence ends (zero for never): no cache
	// of the redirect may outlive it.
	Until time.Time
	// Tag is the asset's cache tag ([CacheTag]).
	Tag string

	checkedOn string // the origin RedirectURL made URL on, if it did
}

// OnOrigin reports whether t.URL is on the origin fotoWeb, as the
// package-level [OnOrigin] does. A Target that [Embedder.RedirectURL]
// made for that same origin was checked as it was made, which costs
// nothing more here; any other is checked in full.
func (t Target) OnOrigin(fotoWeb string) bool {
	return t.checkedOn != "" && t.checkedOn == fotoWeb || OnOrigin(t.URL, fotoWeb)
}

// RedirectURL is what the signed-URL handler calls in redirect mode: it
// chooses the preview the verified options o mean ([Info.ChooseFor]) and
// returns its FotoWeb URL with the token the URL token policy puts on it
// at this moment, and that token's expiry, so that the response's
// Cache-Control never outlives the token. ctx is the request's: waiting
// for the token source ends with it.
func (e *Embedder) RedirectURL(ctx context.Context, in *Info, o urlsig.Options) (Target, error) {
	if err := in.Check(e.cfg.Now()); err != nil {
		return Target{}, err
	}
	i, err := in.ChooseFor(o)
	if err != nil {
		return Target{}, err
	}
	if err := e.checkHref(in.Previews[i].Href); err != nil {
		return Target{}, err
	}
	tokQ, pol, exp, err := e.urlToken(ctx, in)
	if err != nil {
		return Target{}, err
	}
	// checkHref found the preview on the origin, and the token query is
	// escaped: the URL is on the origin (see Target.OnOrigin).
	return Target{URL: fotowebURL(e.origin, in.Previews[i].Href, tokQ), Token: pol, Expires: exp, Until: in.Rights.Expires,
		Tag: in.Tag(), checkedOn: e.origin}, nil
}

// ExportURL is what the signed-URL handler calls in export delivery: the
// public export URL of the preview width the verified options o mean,
// exported first if the exporter has no record of it.
func (e *Embedder) ExportURL(ctx context.Context, in *Info, o urlsig.Options) (Target, error) {
	if err := in.Check(e.cfg.Now()); err != nil {
		return Target{}, err
	}
	i, err := in.ChooseFor(o)
	if err != nil {
		return Target{}, err
	}
	m := urlMaker{e: e, in: in, mode: LinkExport}
	if err := m.exports(ctx, &Options{}, []int{i}); err != nil {
		return Target{}, err
	}
	return Target{URL: m.export[i], Token: URLTokenNone, Export: true, Until: in.Rights.Expires, Tag: in.Tag()}, nil
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
