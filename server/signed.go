package server

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/fotoembed/fotoembed/embed"
	"github.com/fotoembed/fotoembed/urlsig"
)

// signedImage answers a signed image URL. The signature is verified
// before anything else: a path that does not verify causes no cache
// lookup and no upstream call. Then the asset is resolved (cached) and
// delivered by redirect or proxy.
//
// Config.RequestTimeout bounds resolving and opening the file, not the
// streaming of a proxied file (FotoWeb's client bounds pauses in it).
func (s *Server) signedImage(c echo.Context) error {
	p, err := s.cfg.Signer.Verify(c.Request().URL.EscapedPath(), s.cfg.Now())
	if err != nil {
		return err
	}
	if s.cfg.Delivery != DeliveryProxy && p.Options.Rendition != "" {
		return badRequest(msgRendition)
	}
	if err := s.chargeFetch(c, p); err != nil {
		return err
	}
	ph := startPhase(c.Request().Context(), s.cfg.RequestTimeout)
	defer ph.cancel()
	if s.cfg.Delivery == DeliveryProxy {
		err = s.proxy(c, ph, p)
	} else {
		err = s.redirect(ph.ctx, c, p)
	}
	if s.cfg.UnpublishedPlaceholder && errors.Is(err, embed.ErrUnpublished) {
		err = s.placeholder(ph.ctx, c, p)
	}
	return ph.timeoutErr(err)
}

// errPhaseTimeout is the cancel cause of a phase that ran out of time.
var errPhaseTimeout = errors.New("server: request timeout")

// phase is a context whose deadline can be lifted once the bounded work
// is done (a stream may then outlast it); it still ends with the request.
type phase struct {
	ctx   context.Context
	stop  context.CancelCauseFunc
	timer *time.Timer
}

// startPhase bounds work under parent by d. Call cancel when done.
func startPhase(parent context.Context, d time.Duration) *phase {
	ctx, stop := context.WithCancelCause(parent)
	return &phase{ctx: ctx, stop: stop, timer: time.AfterFunc(d, func() { stop(errPhaseTimeout) })}
}

// cancel stops the timer and releases the context.
func (ph *phase) cancel() {
	ph.timer.Stop()
	ph.stop(nil)
}

// done lifts the deadline; it reports false if the time had run out.
func (ph *phase) done() bool { return ph.timer.Stop() }

// timeoutErr turns an error caused by the phase running out of time into
// a timeout (504), whatever the code below made of the cancellation.
func (ph *phase) timeoutErr(err error) error {
	if err != nil && context.Cause(ph.ctx) == errPhaseTimeout {
		return &httpError{status: http.StatusGatewayTimeout, msg: msgTimeout, err: err}
	}
	return err
}

// redirect answers 302 to the chosen FotoWeb preview URL with what the
// URL token policy puts on it, after checking that the URL is on the
// FotoWeb origin; in export delivery, to the public export URL. Its
// Cache-Control never outlives the token in the URL.
func (s *Server) redirect(ctx context.Context, c echo.Context, p urlsig.Parsed) error {
	tg, err := s.emb.Redirect(ctx, p, s.cfg.Delivery == DeliveryExport)
	if err != nil {
		return err
	}
	s.watchExpiry(p.Asset, tg.Until)
	if tg.Export {
		err = checkPublic(tg.URL)
	} else {
		err = s.checkOnOrigin(tg.URL)
	}
	if err != nil {
		return err
	}
	// The keys are canonical; one backing array serves the five values.
	v := [...]string{s.redirectCacheControl(tg, p.Options.Expires), "no-referrer", tg.URL, tg.Tag, tg.Tag}
	vals := v[:]
	h := c.Response().Header()
	h["Cache-Control"] = vals[0:1:1]
	h["Referrer-Policy"] = vals[1:2:2]
	h["Location"] = vals[2:3:3]
	h["Surrogate-Key"] = vals[3:4:4] // the asset's cache tag, for CDN purges
	h["Cache-Tag"] = vals[4:5:5]
	return c.NoContent(http.StatusFound)
}

// redirectCacheControl is "private, max-age=N" with N the smallest of
// Config.RedirectMaxAge, the remaining life minus Config.TokenMargin of
// the token in the URL (none for URL token policy "none") and the signed
// URL's remaining life; "private, no-store" when the token's expiry is
// unknown or N is not positive. An export URL holds no token and is
// public: "public, max-age=N".
func (s *Server) redirectCacheControl(tg embed.Target, urlExp time.Time) string {
	now := s.cfg.Now()
	age := s.cfg.RedirectMaxAge
	switch {
	case tg.Export || tg.Token == embed.URLTokenNone:
	case tg.Expires.IsZero():
		return "private, no-store"
	default:
		age = min(age, tg.Expires.Sub(now)-s.cfg.TokenMargin)
	}
	age = capAge(capAge(age, urlExp, now), tg.Until, now)
	secs := int64(age / time.Second)
	if secs <= 0 {
		return "private, no-store"
	}
	scope := "private, max-age="
	if tg.Export {
		scope = "public, max-age="
	}
	return scope + strconv.FormatInt(secs, 10)
}

// checkPublic refuses an export URL that is not an absolute http(s) URL
// without user info or control characters. Export URLs may be on another
// host than the FotoWeb origin (a tenant's CDN), so the host is not
// checked; they come from FotoWeb's answers, never from the request.
func checkPublic(loc string) error {
	u, err := url.Parse(loc)
	if err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != "" && u.User == nil &&
		!strings.ContainsFunc(loc, func(r rune) bool { return r < 0x21 || r == 0x7f || r == '\\' }) {
		return nil
	}
	return &httpError{status: http.StatusBadGateway, msg: msgUnavailable, err: errors.New("refusing a malformed export URL")}
}

// checkOnOrigin refuses a redirect target that is not an absolute URL on
// the FotoWeb origin (no open redirect, whatever FotoWeb or the cache
// said). The error is a 502 whose cause is logged.
func (s *Server) checkOnOrigin(loc string) error {
	if embed.OnOrigin(loc, s.origin) {
		return nil
	}
	return &httpError{status: http.StatusBadGateway, msg: msgUnavailable,
		err: fmt.Errorf("refusing a redirect off the FotoWeb origin %s", s.origin)}
}
