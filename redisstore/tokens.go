package redisstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
	"golang.org/x/oauth2"

	"github.com/fotoembed/fotoembed/fotoweb/tokens"
)

// TokenStore keeps a user's OAuth token in Redis for every replica: it
// is a [tokens.TokenStore] and a [tokens.Locker], so that a
// [tokens.RefreshSource] on each replica refreshes under a cluster-wide
// lock and, holding it, finds the token another replica already
// refreshed instead of rotating the refresh token again (which would
// kill the others' copy). Get one with [Store.TokenStore].
//
// Tokens are compared by expiry: a later expiry is a more recent token.
// A replica never replaces the token it holds with an older one read
// from Redis (after Redis lost its data and an old token was seeded), and
// a token saved to the fallback during an outage is pushed to Redis when
// it answers again unless Redis already holds a newer one.
type TokenStore struct {
	s        *Store
	name     string
	fallback tokens.TokenStore

	mu    sync.Mutex
	last  *oauth2.Token // newest token seen in Redis or saved
	dirty *oauth2.Token // saved to the fallback only; to push to Redis
}

// TokenStore returns the token store named name (one per FotoWeb login;
// "user" will do). fallback, when not nil (the FileStore `fotoembed
// login` wrote), receives a refreshed token when Redis cannot: the token
// is durable there and pushed to Redis later. It also answers Load when
// Redis is unreachable before this process has seen any token.
func (s *Store) TokenStore(name string, fallback tokens.TokenStore) *TokenStore {
	t := &TokenStore{s: s, name: name, fallback: fallback}
	s.tokensMu.Lock()
	s.tokenStores = append(s.tokenStores, t)
	s.tokensMu.Unlock()
	return t
}

func (t *TokenStore) key() string { return t.s.cfg.KeyPrefix + "token:" + t.name }

// storedToken is the JSON form in Redis.
type storedToken struct {
	AccessToken  string    `json:"access_token"`
	TokenType    string    `json:"token_type,omitempty"`
	RefreshToken string    `json:"refresh_token,omitempty"`
	Expiry       time.Time `json:"expiry,omitzero"`
	ExpiresIn    int64     `json:"expires_in,omitempty"`
}

func encodeToken(tok *oauth2.Token) ([]byte, error) {
	return json.Marshal(storedToken{tok.AccessToken, tok.TokenType, tok.RefreshToken, tok.Expiry, tok.ExpiresIn})
}

func decodeToken(b []byte) (*oauth2.Token, error) {
	var st storedToken
	if err := json.Unmarshal(b, &st); err != nil {
		return nil, err
	}
	return &oauth2.Token{AccessToken: st.AccessToken, TokenType: st.TokenType, RefreshToken: st.RefreshToken, Expiry: st.Expiry, ExpiresIn: st.ExpiresIn}, nil
}

// newer reports whether a is a more recent token than b (nil b: yes).
func newer(a, b *oauth2.Token) bool {
	return b == nil || a.Expiry.After(b.Expiry)
}

// get reads the token in Redis; nil without error when there is none.
func (t *TokenStore) get(ctx context.Context) (*oauth2.Token, error) {
	ctx, cancel := t.s.opCtx(ctx)
	defer cancel()
	b, err := t.s.rdb.Get(ctx, t.key()).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, nil
	}
	if err != nil {
		t.s.fail("token load", err)
		return nil, fmt.Errorf("redisstore: loading token: %w", err)
	}
	tok, err := decodeToken(b)
	if err != nil {
		return nil, fmt.Errorf("redisstore: token in Redis (%s) is corrupt: %v", t.key(), err)
	}
	return tok, nil
}

// Load implements [tokens.TokenStore]. No token gives an error matching
// tokens.ErrNoToken.
func (t *TokenStore) Load(ctx context.Context) (*oauth2.Token, error) {
	tok, err := t.get(ctx)
	t.mu.Lock()
	last := t.last
	t.mu.Unlock()
	switch {
	case err != nil && t.fallback != nil:
		return t.loadFallback(ctx, last, err)
	case err != nil:
		return nil, err
	case last != nil && newer(last, tok):
		t.pushIfNewer(ctx, last) // Redis went back in time; repair it
		return last, nil
	case tok == nil:
		return nil, fmt.Errorf("%w in Redis (%s)", tokens.ErrNoToken, t.key())
	}
	t.seen(tok)
	return tok, nil
}

// loadFallback answers Load while Redis is unreachable: the fallback's
// token if this process has seen none yet (it is starting) or if it is
// newer than the last one seen (another replica on this machine saved it
// there during the outage); else rerr, so that the caller goes on with
// the token it holds.
func (t *TokenStore) loadFallback(ctx context.Context, last *oauth2.Token, rerr error) (*oauth2.Token, error) {
	fb, err := t.fallback.Load(ctx)
	if err != nil {
		if last == nil {
			return nil, err
		}
		return nil, rerr
	}
	if last != nil && !newer(fb, last) {
		return nil, rerr
	}
	t.seen(fb)
	return fb, nil
}

// Save implements [tokens.TokenStore]. When Redis cannot be written and
// there is a fallback, the token is saved there and pushed to Redis when
// it answers again.
func (t *TokenStore) Save(ctx context.Context, tok *oauth2.Token) error {
	if tok == nil {
		return errors.New("redisstore: saving a nil token")
	}
	b, err := encodeToken(tok)
	if err != nil {
		return fmt.Errorf("redisstore: encoding token: %w", err)
	}
	octx, cancel := t.s.opCtx(ctx)
	err = t.s.rdb.Set(octx, t.key(), b, 0).Err()
	cancel()
	if err == nil {
		t.seen(tok)
		return nil
	}
	t.s.fail("token save", err)
	if t.fallback == nil {
		return fmt.Errorf("redisstore: saving token: %w", err)
	}
	if ferr := t.fallback.Save(ctx, tok); ferr != nil {
		return fmt.Errorf("redisstore: saving token: %w (fallback: %w)", err, ferr)
	}
	t.mu.Lock()
	t.dirty = tok
	t.mu.Unlock()
	t.seen(tok)
	t.s.log.warn("redisstore: token saved to the fallback store only; it goes to Redis when Redis answers", "err", err)
	return nil
}

// seen records tok as the newest token seen, if it is.
func (t *TokenStore) seen(tok *oauth2.Token) {
	t.mu.Lock()
	if newer(tok, t.last) {
		t.last = tok
	}
	t.mu.Unlock()
}

// Lock implements [tokens.Locker] with a lock in Redis that expires after
// TokenLockTTL. It waits while another replica refreshes (an error after
// TokenLockTTL). When Redis cannot be reached it returns a no-op unlock
// and no error: the replicas cannot coordinate then, and failing would
// fail every request needing a new token.
func (t *TokenStore) Lock(ctx context.Context) (unlock func(), err error) {
	ttl := t.s.cfg.TokenLockTTL
	unlock, _, err = t.s.lock(ctx, t.s.lockKey("token:"+t.name), ttl, ttl+t.s.cfg.LockPoll)
	if errors.Is(err, ErrLockTimeout) {
		return nil, err
	}
	if err != nil {
		t.s.fail("token lock", err)
		return func() {}, nil
	}
	return unlock, nil
}

// Seed copies the token in from (the file `fotoembed login` wrote) to
// Redis when Redis holds none or an older one (a new login). It reports
// whether it copied. A source without a token is not an error.
func (t *TokenStore) Seed(ctx context.Context, from tokens.TokenStore) (bool, error) {
	tok, err := from.Load(ctx)
	if errors.Is(err, tokens.ErrNoToken) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	unlock, err := t.Lock(ctx)
	if err != nil {
		return false, err
	}
	defer unlock()
	return t.pushIfNewer(ctx, tok)
}

// pushIfNewer stores tok unless Redis holds a token at least as recent,
// atomically (WATCH/MULTI).
func (t *TokenStore) pushIfNewer(ctx context.Context, tok *oauth2.Token) (bool, error) {
	b, err := encodeToken(tok)
	if err != nil {
		return false, err
	}
	ctx, cancel := t.s.opCtx(ctx)
	defer cancel()
	stored := false
	err = t.s.rdb.Watch(ctx, func(tx *redis.Tx) error {
		cur, err := tx.Get(ctx, t.key()).Bytes()
		if err != nil && !errors.Is(err, redis.Nil) {
			return err
		}
		if err == nil {
			if old, derr := decodeToken(cur); derr == nil && !newer(tok, old) {
				return nil
			}
		}
		_, err = tx.TxPipelined(ctx, func(p redis.Pipeliner) error {
			p.Set(ctx, t.key(), b, 0)
			return nil
		})
		stored = err == nil
		return err
	}, t.key())
	if err != nil {
		t.s.fail("token push", err)
		return false, fmt.Errorf("redisstore: storing token: %w", err)
	}
	t.seen(tok)
	return stored, nil
}

// flush pushes a token saved to the fallback during an outage.
func (t *TokenStore) flush(ctx context.Context) {
	t.mu.Lock()
	tok := t.dirty
	t.mu.Unlock()
	if tok == nil {
		return
	}
	if _, err := t.pushIfNewer(ctx, tok); err != nil {
		return
	}
	t.mu.Lock()
	if t.dirty == tok {
		t.dirty = nil
	}
	t.mu.Unlock()
}

// Interface checks.
var (
	_ tokens.TokenStore = (*TokenStore)(nil)
	_ tokens.Locker     = (*TokenStore)(nil)
)
