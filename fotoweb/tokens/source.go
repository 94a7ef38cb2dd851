package tokens

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"strconv"
	"sync"
	"time"

	"golang.org/x/oauth2"
)

// DefaultMargin is how long before expiry a token is replaced when
// [Options.Margin] is zero.
const DefaultMargin = 60 * time.Second

// fetchTimeout bounds one fetch (token request plus store work), whoever
// waits for it.
const fetchTimeout = 2 * time.Minute

// fallbackSlack: when a fetch fails, a cached token that is still valid
// for at least this long is handed out instead of the error.
const fallbackSlack = 5 * time.Second

// failBackoff: after a failed fetch whose caller got the cached token
// instead, that token is handed out without a new fetch for this long, so
// that an outage of the token endpoint costs it one request per
// failBackoff rather than one per Token call.
const failBackoff = time.Second

// errBackoffMax bounds the back-off after failed fetches with no usable
// token to hand out instead: the first failure waits failBackoff, each
// further one twice as long, up to errBackoffMax. Meanwhile Token answers
// the last error at once, without a fetch.
const errBackoffMax = 30 * time.Second

// loginRecheck: once every stored refresh token has been rejected, Token
// answers the login error at once and the store is read again (for a new
// `fotoembed login`) at most this often. No token request is made until
// the store holds a token not yet rejected.
const loginRecheck = 5 * time.Second

// Kind says where a Source's tokens come from.
type Kind int

// Kinds of Source. The zero Kind is not used.
const (
	// KindClientCredentials: a non-interactive application's tokens, with
	// full administrative access to the tenant. Never put one in a URL a
	// browser sees.
	KindClientCredentials Kind = iota + 1
	// KindUserRefresh: a user's tokens, from an interactive login kept
	// fresh with its refresh token; as privileged as that user.
	KindUserRefresh
	// KindStatic: a fixed token of unknown privilege.
	KindStatic
)

// String returns "client-credentials", "user-refresh" or "static".
func (k Kind) String() string {
	switch k {
	case KindClientCredentials:
		return "client-credentials"
	case KindUserRefresh:
		return "user-refresh"
	case KindStatic:
		return "static"
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// Options tune a Source. The zero value is usable: a zero field means
// its default.
type Options struct {
	// Margin: replace a token this long before it expires (default
	// DefaultMargin), but never more than half its lifetime. Negative:
	// no margin, a token is used until it expires.
	Margin time.Duration
	// Now is the clock (default time.Now); tests inject a fake one.
	Now func() time.Time
	// HTTPClient is the base client for the token endpoint (default: one
	// with DefaultTimeout). It is wrapped with HTTPClient.
	HTTPClient *http.Client
	// Logger receives what an operator must know: a login that was lost
	// and the standby taken instead, a login gone for good, a login
	// restored. Nil discards it. No token or secret is ever logged.
	Logger *slog.Logger
}

func (o Options) withDefaults() Options {
	if o.Margin == 0 {
		o.Margin = DefaultMargin
	}
	if o.Margin < 0 {
		o.Margin = 0
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	o.HTTPClient = HTTPClient(o.HTTPClient)
	return o
}

// fetchFunc obtains a new token; cur is the cached one (nil at first).
// The Source never runs two fetches at once.
type fetchFunc func(ctx context.Context, cur *oauth2.Token) (*oauth2.Token, error)

// Source is a goroutine-safe caching token source. Token returns the
// cached token until it is within the margin of expiry; then exactly one
// caller's request fetches a new one while concurrent callers wait for its
// result. It implements oauth2.TokenSource and Invalidate.
type Source struct {
	kind   Kind
	margin time.Duration
	now    func() time.Time
	log    *slog.Logger
	fetch  fetchFunc // nil for a static source

	mu         sync.Mutex
	tok        *oauth2.Token // full token, refresh and standby included; nil before the first fetch
	pub, pubOf *oauth2.Token // the copy of tok handed out (see publicLocked), and the tok it copies
	stale      bool          // tok was invalidated
	call       *call         // the fetch in flight, nil when none
	retryAt    time.Time     // after a failed fetch: no new one before this
	fails      int           // failed fetches in a row
	lastErr    error         // the last failed fetch's error, answered until retryAt when tok is not usable
	loggedOut  bool          // every stored refresh token was rejected; see loginRecheck
}

// call is one fetch that callers wait for.
type call struct {
	done chan struct{}
	tok  *oauth2.Token
	err  error
}

func newSource(kind Kind, opts Options, fetch fetchFunc) *Source {
	return &Source{kind: kind, margin: opts.Margin, now: opts.Now, log: opts.Logger, fetch: fetch}
}

// Static returns a Source that always hands out accessToken (Kind
// KindStatic). It never expires and Invalidate does nothing.
func Static(accessToken string) *Source {
	s := &Source{kind: KindStatic, now: time.Now, log: slog.New(slog.DiscardHandler)}
	if accessToken != "" {
		s.tok = &oauth2.Token{AccessToken: accessToken, TokenType: "Bearer"}
	}
	return s
}

// Kind reports where the Source's tokens come from.
func (s *Source) Kind() Kind { return s.kind }

// String describes the Source without any token.
func (s *Source) String() string { return "tokens.Source(" + s.kind.String() + ")" }

// Token returns a valid access token. The returned token carries no
// refresh token: the Source keeps that to itself. As with
// oauth2.ReuseTokenSource, callers share the token returned and must
// not modify it.
func (s *Source) Token() (*oauth2.Token, error) {
	return s.TokenContext(context.Background())
}

// TokenContext is Token, but stops waiting when ctx is done. The fetch
// itself goes on for the other callers; it is bounded by its own timeout.
func (s *Source) TokenContext(ctx context.Context) (*oauth2.Token, error) {
	s.mu.Lock()
	if s.fresh(s.tok) && !s.stale {
		t := s.publicLocked()
		s.mu.Unlock()
		return t, nil
	}
	if s.fetch == nil {
		s.mu.Unlock()
		return nil, errors.New("tokens: static source has no token")
	}
	if s.call == nil && s.now().Before(s.retryAt) {
		// The last fetch failed moments ago: hand out the cached token
		// while it works (see failBackoff), else the same error, without
		// asking the token endpoint again (see errBackoffMax, loginRecheck).
		if s.usable() {
			t := s.publicLocked()
			s.mu.Unlock()
			return t, nil
		}
		if err := s.lastErr; err != nil {
			s.mu.Unlock()
			return nil, err
		}
	}
	c := s.call
	if c == nil {
		c = &call{done: make(chan struct{})}
		s.call = c
		go s.run(context.WithoutCancel(ctx), c, s.tok)
	}
	s.mu.Unlock()
	select {
	case <-c.done:
		if c.err != nil {
			return nil, c.err
		}
		return public(c.tok), nil
	case <-ctx.Done():
		return nil, fmt.Errorf("tokens: waiting for a token: %w", ctx.Err())
	}
}

// run performs one fetch and publishes its result to the waiters.
func (s *Source) run(ctx context.Context, c *call, cur *oauth2.Token) {
	ctx, cancel := context.WithTimeout(ctx, fetchTimeout)
	defer cancel()
	t, err := s.fetch(ctx, cur)
	s.mu.Lock()
	defer s.mu.Unlock()
	login := err != nil && errors.Is(err, ErrLoginRequired)
	switch {
	case err == nil:
		s.tok, s.stale, s.retryAt, s.fails, s.lastErr = t, false, time.Time{}, 0, nil
		c.tok = t
		if s.loggedOut {
			s.loggedOut = false
			s.log.Info("FotoWeb login restored: a new token was found in the token store; the service is logged in again")
		}
	case s.usableDespite(err):
		c.tok = s.tok // the endpoint failed, but the cached token still works
		s.retryAt = s.now().Add(failBackoff)
	default:
		c.err = err
		s.fails++
		s.lastErr = err
		wait := min(failBackoff<<min(s.fails-1, 10), errBackoffMax)
		if login {
			wait = loginRecheck
		}
		s.retryAt = s.now().Add(wait)
	}
	if login && !s.loggedOut {
		s.loggedOut = true
		s.log.Error("FotoWeb login lost: FotoWeb rejected every stored refresh token; images that need a new token fail "+
			"until someone runs `fotoembed login` again (the service picks the new login up without a restart)",
			"err", err.Error())
	}
	s.call = nil
	close(c.done)
}

// LoginStatus describes a Source's login, for health checks and metrics.
type LoginStatus struct {
	// Kind is where the Source's tokens come from.
	Kind Kind
	// LoggedIn is false once FotoWeb rejected every stored refresh token
	// (KindUserRefresh only): a new `fotoembed login` is needed.
	LoggedIn bool
	// Standby reports whether the login holds a standby refresh token
	// (see [Standby]); always false for kinds other than KindUserRefresh.
	Standby bool
}

// Login reports the state of the Source's login.
func (s *Source) Login() LoginStatus {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := LoginStatus{Kind: s.kind, LoggedIn: !s.loggedOut}
	if s.kind == KindUserRefresh {
		sb, _ := Standby(s.tok)
		st.Standby = sb != ""
	}
	return st
}

// usableDespite reports whether the cached token may be handed out after
// a failed fetch: not invalidated, not about to expire, and the failure
// was not a failed save (which must be reported).
func (s *Source) usableDespite(err error) bool {
	var e *Error
	if errors.As(err, &e) && e.Op == opSave {
		return false
	}
	return s.usable()
}

// usable reports whether the cached token may be handed out although it
// is due for replacement: not invalidated and valid for fallbackSlack.
func (s *Source) usable() bool {
	t := s.tok
	return t != nil && !s.stale && (t.Expiry.IsZero() || s.now().Add(fallbackSlack).Before(t.Expiry))
}

// fresh reports whether t exists and is not yet within the margin of its
// expiry. A token without expiry is always fresh.
func (s *Source) fresh(t *oauth2.Token) bool {
	if t == nil || t.AccessToken == "" {
		return false
	}
	if t.Expiry.IsZero() {
		return true
	}
	m := s.margin
	if t.ExpiresIn > 0 {
		if half := time.Duration(t.ExpiresIn) * time.Second / 2; m > half {
			m = half
		}
	}
	return s.now().Before(t.Expiry.Add(-m))
}

// Invalidate drops the cached token if it is still rejected (compared by
// access token), so that the next Token call fetches a new one. A token
// already replaced is ignored, so many callers reporting the same 401
// cause one fetch. A static source ignores it.
func (s *Source) Invalidate(rejected *oauth2.Token) {
	if rejected == nil || s.fetch == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.tok != nil && subtle.ConstantTimeCompare([]byte(s.tok.AccessToken), []byte(rejected.AccessToken)) == 1 {
		s.stale = true
	}
}

// publicLocked returns the public copy of s.tok, made once per token:
// the signed redirect asks for the token on every request. s.mu is held.
func (s *Source) publicLocked() *oauth2.Token {
	if s.pubOf != s.tok {
		s.pubOf, s.pub = s.tok, public(s.tok)
	}
	return s.pub
}

// public is the copy of t handed to callers: no refresh token, no raw
// response.
func public(t *oauth2.Token) *oauth2.Token {
	return &oauth2.Token{AccessToken: t.AccessToken, TokenType: t.TokenType, Expiry: t.Expiry, ExpiresIn: t.ExpiresIn}
}

// stamp returns a clean copy of a token fresh from the endpoint (no raw
// response), with ExpiresIn filled in and its expiry computed on the
// Source's clock, counted from start (the moment before the request).
func stamp(t *oauth2.Token, start time.Time) *oauth2.Token {
	out := &oauth2.Token{AccessToken: t.AccessToken, TokenType: t.TokenType, RefreshToken: t.RefreshToken, Expiry: t.Expiry, ExpiresIn: expiresIn(t)}
	if out.ExpiresIn > 0 {
		out.Expiry = start.Add(time.Duration(out.ExpiresIn) * time.Second)
	}
	return out
}

// expiresIn returns the token's lifetime in seconds as the endpoint sent
// it, or 0. x/oauth2 fills Token.ExpiresIn for some grants only (not for
// client credentials), so the raw response is consulted too.
func expiresIn(t *oauth2.Token) int64 {
	if t.ExpiresIn > 0 {
		return t.ExpiresIn
	}
	switch v := t.Extra("expires_in").(type) {
	case float64:
		if v >= 1 && v <= math.MaxInt32 {
			return int64(v)
		}
	case string:
		if n, err := strconv.ParseInt(v, 10, 32); err == nil && n > 0 {
			return n
		}
	}
	return 0
}

// withClient puts the token-endpoint client where x/oauth2 looks for it.
func withClient(ctx context.Context, c *http.Client) context.Context {
	return context.WithValue(ctx, oauth2.HTTPClient, c)
}
