package server

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
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
	p, err := s.cfg.Signer.Verify(escapedPath(c.Request().URL), s.cfg.Now())
	if err != nil {
		return err
	}
	if s.cfg.Delivery != DeliveryProxy && p.Options.Rendition != "" {
		return badRequest(msgRendition)
	}
	if err := s.chargeFetch(c, p); err != nil {
		return err
	}
	st := new(signedState)
	ph := st.ph.start(c.Request().Context(), s.cfg.RequestTimeout)
	defer ph.cancel()
	if s.cfg.Delivery == DeliveryProxy {
		err = s.proxy(c, ph, p)
	} else {
		err = s.redirect(ph.ctx, c, p, &st.hdr)
	}
	if s.cfg.UnpublishedPlaceholder && errors.Is(err, embed.ErrUnpublished) {
		err = s.placeholder(ph.ctx, c, p)
	}
	return ph.timeoutErr(err)
}

// escapedPath is u.EscapedPath(), without its scan for bytes to escape
// when the path has only bytes that escaping leaves alone (those of a
// signed path: base64url, digits, "/", "." and "-"), where it is u.Path.
func escapedPath(u *url.URL) string {
	if u.RawPath == "" && plainPath(u.Path) {
		return u.Path
	}
	return u.EscapedPath()
}

// plainPath reports whether p has only bytes from [A-Za-z0-9-._~/].
func plainPath(p string) bool {
	for i := 0; i < len(p); i++ {
		if !plainPathByte[p[i]] {
			return false
		}
	}
	return true
}

// plainPathByte are the bytes of plainPath.
var plainPathByte = func() (t [256]bool) {
	for _, c := range []byte("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~/") {
		t[c] = true
	}
	return t
}()

// errPhaseTimeout is the cancel cause of a phase that ran out of time.
var errPhaseTimeout = errors.New("server: request timeout")

// phase is a context whose deadline can be lifted once the bounded work
// is done (a stream may then outlast it); it still ends with the request.
// It is cancelled, with cause errPhaseTimeout, once its time has run out,
// unless done was called first, and when cancel is called.
//
// The context it derives from the request's and its timer are set up
// only when something asks whether the phase has ended (Done, Err, or
// Value once the time has run out). Work answered from memory, such as a
// redirect at a warm cache, never does: it saves the derived context,
// the timer and the registration in the request's context (seven
// allocations per request, and a timer set and stopped). Anything that waits
// on the phase sees what the eager version would have shown: the timer
// runs until the same instant, and a phase whose time ran out before it
// was set up is set up cancelled with errPhaseTimeout.
type phase struct {
	ctx    context.Context // the phase itself, as a context.Context
	parent context.Context
	end    time.Time // start + the phase's duration (monotonic)

	mu     sync.Mutex
	live   context.Context // the derived context, once set up
	stop   context.CancelCauseFunc
	timer  *time.Timer // nil until set up, and when set up lifted or cancelled
	lifted bool        // done was called before the time ran out
	over   bool        // cancel was called
}

// signedState is what signedImage keeps for one request, in one
// allocation: the phase, and the header values of a redirect.
type signedState struct {
	ph  phase
	hdr redirectHeaders
}

// start bounds work under parent by d, and returns ph. Call cancel when
// done.
func (ph *phase) start(parent context.Context, d time.Duration) *phase {
	ph.parent, ph.end = parent, time.Now().Add(d)
	ph.ctx = ph
	return ph
}

// setUp returns the derived context, making it (and its timer) on first
// use. ph.mu is held.
func (ph *phase) setUp() context.Context {
	if ph.live != nil {
		return ph.live
	}
	ph.live, ph.stop = context.WithCancelCause(ph.parent)
	switch {
	case ph.over:
		ph.stop(nil)
	case ph.lifted:
	default:
		if left := time.Until(ph.end); left > 0 {
			ph.timer = time.AfterFunc(left, ph.timeout)
		} else {
			ph.stop(errPhaseTimeout)
		}
	}
	return ph.live
}

// timeout cancels the phase when its time has run out.
func (ph *phase) timeout() { ph.stop(errPhaseTimeout) }

// expired reports whether the time ran out before the phase was set up,
// lifted or cancelled. ph.mu is held.
func (ph *phase) expired() bool {
	return ph.live == nil && !ph.lifted && !ph.over && !time.Now().Before(ph.end)
}

// cancel stops the timer and releases the context.
func (ph *phase) cancel() {
	ph.mu.Lock()
	defer ph.mu.Unlock()
	ph.over = true
	if ph.live != nil {
		if ph.timer != nil {
			ph.timer.Stop()
		}
		ph.stop(nil)
	}
}

// done lifts the deadline; it reports false if the time had run out
// (or the deadline was already lifted, or the phase cancelled).
func (ph *phase) done() bool {
	ph.mu.Lock()
	defer ph.mu.Unlock()
	switch {
	case ph.live != nil:
		return ph.timer != nil && ph.timer.Stop()
	case ph.lifted || ph.over:
		return false
	case ph.expired():
		ph.setUp() // cancelled with errPhaseTimeout, for context.Cause
		return false
	}
	ph.lifted = true
	return true
}

// timedOut reports whether the phase ran out of time.
func (ph *phase) timedOut() bool {
	ph.mu.Lock()
	defer ph.mu.Unlock()
	if ph.live == nil {
		return ph.expired()
	}
	return context.Cause(ph.live) == errPhaseTimeout
}

// Deadline implements context.Context: the request's deadline (the
// phase's own is enforced by cancellation, as context.WithCancelCause's).
func (ph *phase) Deadline() (time.Time, bool) { return ph.parent.Deadline() }

// Done implements context.Context.
func (ph *phase) Done() <-chan struct{} {
	ph.mu.Lock()
	defer ph.mu.Unlock()
	return ph.setUp().Done()
}

// Err implements context.Context.
func (ph *phase) Err() error {
	ph.mu.Lock()
	defer ph.mu.Unlock()
	if ph.live == nil && !ph.over && !ph.expired() {
		return ph.parent.Err()
	}
	return ph.setUp().Err()
}

// Value implements context.Context. Once the phase is set up (or its
// time has run out), values come through the derived context, so that
// context.Cause finds the phase's cause.
func (ph *phase) Value(key any) any {
	ph.mu.Lock()
	ctx := ph.live
	if ctx == nil && (ph.over || ph.expired()) {
		ctx = ph.setUp()
	}
	ph.mu.Unlock()
	if ctx == nil {
		return ph.parent.Value(key)
	}
	return ctx.Value(key)
}

// String describes the phase, as context types do.
func (ph *phase) String() string { return "server.phase" }

// timeoutErr turns an error caused by the phase running out of time into
// a timeout (504), whatever the code below made of the cancellation.
func (ph *phase) timeoutErr(err error) error {
	if err != nil && ph.timedOut() {
		return &httpError{status: http.StatusGatewayTimeout, msg: msgTimeout, err: err}
	}
	return err
}

// redirect answers 302 to the chosen FotoWeb preview URL with what the
// URL token policy puts on it, after checking that the URL is on the
// FotoWeb origin; in export delivery, to the public export URL. Its
// Cache-Control never outlives the token in the URL.
//
// v holds the header values (they need to live until the answer is
// written).
func (s *Server) redirect(ctx context.Context, c echo.Context, p urlsig.Parsed, v *redirectHeaders) error {
	tg, err := s.emb.Redirect(ctx, p, s.cfg.Delivery == DeliveryExport)
	if err != nil {
		return err
	}
	s.watchExpiry(p.Asset, tg.Until)
	if tg.Export {
		err = checkPublic(tg.URL)
	} else {
		err = s.checkOnOrigin(tg)
	}
	if err != nil {
		return err
	}
	// The keys are canonical; one backing array serves the five values.
	*v = redirectHeaders{s.redirectCacheControl(tg, p.Options.Expires), "no-referrer", tg.URL, tg.Tag, tg.Tag}
	vals := v[:]
	h := c.Response().Header()
	h["Cache-Control"] = vals[0:1:1]
	h["Referrer-Policy"] = vals[1:2:2]
	h["Location"] = vals[2:3:3]
	h["Surrogate-Key"] = vals[3:4:4] // the asset's cache tag, for CDN purges
	h["Cache-Tag"] = vals[4:5:5]
	return c.NoContent(http.StatusFound)
}

// redirectHeaders are the values of a redirect's Cache-Control,
// Referrer-Policy, Location, Surrogate-Key and Cache-Tag.
type redirectHeaders [5]string

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
	return cacheControlMaxAge(tg.Export, secs)
}

// maxAgeValue is a Cache-Control value "private, max-age=N" or
// "public, max-age=N" already made.
type maxAgeValue struct {
	secs  int64
	value string
}

// lastMaxAge holds the last private [0] and public [1] max-age value
// made: N is mostly the same from one redirect to the next (the
// RedirectMaxAge cap, or a token's remaining life that changes once a
// second), so the value is made once instead of per request.
var lastMaxAge [2]atomic.Pointer[maxAgeValue]

// cacheControlMaxAge returns "private, max-age=N", or "public, ..." for
// public.
func cacheControlMaxAge(public bool, secs int64) string {
	i, scope := 0, "private, max-age="
	if public {
		i, scope = 1, "public, max-age="
	}
	if v := lastMaxAge[i].Load(); v != nil && v.secs == secs {
		return v.value
	}
	v := &maxAgeValue{secs: secs, value: scope + strconv.FormatInt(secs, 10)}
	lastMaxAge[i].Store(v)
	return v.value
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
// said). The error is a 502 whose cause is logged. A target the
// Embedder made and checked for this origin needs no second look.
func (s *Server) checkOnOrigin(tg embed.Target) error {
	if tg.OnOrigin(s.origin) {
		return nil
	}
	return &httpError{status: http.StatusBadGateway, msg: msgUnavailable,
		err: fmt.Errorf("refusing a redirect off the FotoWeb origin %s", s.origin)}
}
