package tokens

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"golang.org/x/oauth2"
)

// RefreshSource returns a Source (Kind KindUserRefresh) for a
// least-privilege user who logged in with the authorization-code flow and
// whose token is in store. It loads the token now (an error matching
// ErrNoToken, and ErrLoginRequired, when there is none). When the access
// token is nearly expired it refreshes it with the refresh token and
// saves every new token with store.Save before handing out its access
// token:
//
//   - FotoWeb may rotate the refresh token; the new one is saved, and when
//     the answer has none the old one is kept.
//   - When Save fails, Token returns the error and keeps the new token in
//     memory; the next Token call saves it before anything else, so the
//     only valid refresh token is never lost while the process runs.
//   - Before refreshing, the store is re-read: a token saved there by
//     someone else (another replica, a new `fotoembed login`) is used
//     instead. When store implements Locker the lock is held around this.
//   - When FotoWeb rejects the refresh token (invalid_grant), the store is
//     read again (it may hold a newer one), then the standby is used (see
//     [Standby]) and a warning logged. When every stored refresh token
//     was rejected, Token gives an error matching ErrLoginRequired that
//     tells the user to run `fotoembed login`; no rejected refresh token
//     is sent again, and the store is re-read at most every few seconds,
//     so that a new login is picked up without a restart.
//
// cfg.RedirectURL is not needed.
func RefreshSource(cfg AuthCodeConfig, store TokenStore, opts Options) (*Source, error) {
	if err := configError("authorization code config", cfg.problems(false)); err != nil {
		return nil, err
	}
	if store == nil {
		return nil, errors.New("tokens: RefreshSource needs a TokenStore")
	}
	t, err := store.Load(context.Background())
	if err != nil {
		if errors.Is(err, ErrNoToken) {
			return nil, &loginError{msg: err.Error() + ": run `fotoembed login` first", err: err}
		}
		return nil, err
	}
	opts = opts.withDefaults()
	r := &refresher{conf: cfg.config(), secret: cfg.ClientSecret, store: store, client: opts.HTTPClient, log: opts.Logger}
	s := newSource(KindUserRefresh, opts, nil)
	r.src = s
	s.fetch = r.fetch
	s.tok = t
	return s, nil
}

// refresher is the fetch of a RefreshSource. Its fields are used only by
// fetch, which the Source never runs twice at once.
type refresher struct {
	src    *Source
	conf   *oauth2.Config
	secret string
	store  TokenStore
	client *http.Client
	log    *slog.Logger

	pending *oauth2.Token // refreshed, not yet saved: holds the only valid refresh token
	// rejected holds refresh tokens FotoWeb answered invalid_grant to
	// (hashed), so that none is ever sent again: a dead login costs no
	// token requests, whatever the load.
	rejected map[[sha256.Size]byte]bool
}

// maxRejected bounds refresher.rejected; it is cleared when full.
const maxRejected = 64

func (r *refresher) fetch(ctx context.Context, cur *oauth2.Token) (*oauth2.Token, error) {
	if l, ok := r.store.(Locker); ok {
		unlock, err := l.Lock(ctx)
		if err != nil {
			return nil, fmt.Errorf("tokens: locking the token store: %w", err)
		}
		defer unlock()
	}
	if r.pending != nil {
		if err := r.store.Save(ctx, r.pending); err != nil {
			return nil, saveError(err)
		}
		cur, r.pending = r.pending, nil
		if r.src.fresh(cur) {
			return cur, nil
		}
	} else if stored, err := r.store.Load(ctx); err == nil {
		if cur == nil || stored.AccessToken != cur.AccessToken || stored.RefreshToken != cur.RefreshToken {
			if r.src.fresh(stored) && !r.dead(stored.RefreshToken) {
				return stored, nil // someone else refreshed or logged in
			}
			if cur == nil || Newer(stored, cur) || r.dead(cur.RefreshToken) {
				cur = stored
			}
		}
	} else if cur == nil {
		return nil, err
	} // else: the store is unreadable; go on with the token in memory and let Save repair it
	if cur == nil {
		return nil, &loginError{msg: "tokens: no stored token: run `fotoembed login`"}
	}
	return r.renew(ctx, cur)
}

// renew refreshes cur with its refresh token; when FotoWeb rejects it,
// with a newer one the store may hold by then, then with the standby.
// A refresh token once rejected is never sent again.
func (r *refresher) renew(ctx context.Context, cur *oauth2.Token) (*oauth2.Token, error) {
	var lastErr error
	for range 3 {
		rt := cur.RefreshToken
		if rt == "" || r.dead(rt) {
			break
		}
		t, err := r.refresh(ctx, rt, cur)
		if err == nil || !errors.Is(err, ErrLoginRequired) {
			return t, err
		}
		r.reject(rt)
		lastErr = err
		// Another process, or a new login, may have saved a newer token
		// since it was read (only possible without a shared lock).
		stored, lerr := r.store.Load(ctx)
		if lerr != nil || r.dead(stored.RefreshToken) {
			break
		}
		cur = stored
	}
	sb, issued := Standby(cur)
	if sb != "" && !r.dead(sb) {
		r.log.Warn("FotoWeb rejected the login's refresh token (it was lost: a crash or a lost answer while FotoWeb rotated it, "+
			"or it was revoked); switching to the standby login. Run `fotoembed login` again to have a standby once more",
			"standby_issued", issued.UTC().Format(time.RFC3339))
		t, err := r.refresh(ctx, sb, WithStandby(cur, "", time.Time{}))
		if err == nil || !errors.Is(err, ErrLoginRequired) {
			return t, err // t has no standby: it was used up
		}
		r.reject(sb)
		lastErr = err
	}
	if lastErr != nil {
		return nil, lastErr
	}
	return nil, &loginError{msg: "tokens: FotoWeb rejected every stored refresh token (the login is gone); run `fotoembed login` again"}
}

// dead reports whether FotoWeb rejected rt before.
func (r *refresher) dead(rt string) bool {
	return r.rejected[sha256.Sum256([]byte(rt))]
}

// reject remembers that FotoWeb rejected rt.
func (r *refresher) reject(rt string) {
	if r.rejected == nil || len(r.rejected) >= maxRejected {
		r.rejected = make(map[[sha256.Size]byte]bool)
	}
	r.rejected[sha256.Sum256([]byte(rt))] = true
}

// refresh uses refreshToken and saves the result, keeping the standby of
// from.
func (r *refresher) refresh(ctx context.Context, refreshToken string, from *oauth2.Token) (*oauth2.Token, error) {
	start := r.src.now()
	ts := r.conf.TokenSource(withClient(ctx, r.client), &oauth2.Token{RefreshToken: refreshToken})
	t, err := ts.Token()
	if err != nil {
		sb, _ := Standby(from)
		return nil, wrapErr(opRefresh, err, r.secret, refreshToken, sb)
	}
	t = stamp(t, start)
	if t.RefreshToken == "" {
		t.RefreshToken = refreshToken
	}
	t = withStandbyOf(t, from)
	if err := r.store.Save(ctx, t); err != nil {
		r.pending = t
		return nil, saveError(err)
	}
	return t, nil
}

// saveError reports a refreshed token that could not be saved.
func saveError(err error) error {
	return &Error{Op: opSave, Err: fmt.Errorf("%w (the new token is kept in memory; the next Token call saves it first)", err)}
}

// loginError is an error that only a new `fotoembed login` can cure; it
// matches ErrLoginRequired.
type loginError struct {
	msg string
	err error
}

func (e *loginError) Error() string        { return e.msg }
func (e *loginError) Unwrap() error        { return e.err }
func (e *loginError) Is(target error) bool { return target == ErrLoginRequired }
