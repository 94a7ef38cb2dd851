package tokens

import (
	"context"
	"errors"
	"fmt"
	"net/http"

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
//   - A rejected refresh token (invalid_grant) gives an error matching
//     ErrLoginRequired that tells the user to run `fotoembed login`.
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
	r := &refresher{conf: cfg.config(), secret: cfg.ClientSecret, store: store, client: opts.HTTPClient}
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

	pending *oauth2.Token // refreshed, not yet saved: holds the only valid refresh token
}

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
		if cur == nil || stored.AccessToken != cur.AccessToken {
			if r.src.fresh(stored) {
				return stored, nil // someone else refreshed or logged in
			}
			cur = stored
		}
	} else if cur == nil {
		return nil, err
	} // else: the store is unreadable; go on with the token in memory and let Save repair it
	if cur == nil || cur.RefreshToken == "" {
		return nil, &loginError{msg: "tokens: the stored token has expired and has no refresh token: run `fotoembed login` again"}
	}
	return r.refresh(ctx, cur.RefreshToken)
}

// refresh uses the refresh token and saves the result.
func (r *refresher) refresh(ctx context.Context, refreshToken string) (*oauth2.Token, error) {
	start := r.src.now()
	ts := r.conf.TokenSource(withClient(ctx, r.client), &oauth2.Token{RefreshToken: refreshToken})
	t, err := ts.Token()
	if err != nil {
		return nil, wrapErr(opRefresh, err, r.secret, refreshToken)
	}
	t = stamp(t, start)
	if t.RefreshToken == "" {
		t.RefreshToken = refreshToken
	}
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
