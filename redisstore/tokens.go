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
// With a fallback (the token file `fotoembed login` writes), the token
// is kept in both, so that losing either loses nothing: every Save goes
// to Redis and to the file, and Load reads both and takes the newer
// ([tokens.Newer]: it compares what each holds), repairing the other.
// Redis restarted empty, or evicting the key, is repaired from the file;
// a new `fotoembed login`, which writes the file, reaches every replica
// through Redis. A token saved while Redis is down is pushed to it when
// it answers again, unless it holds a newer one by then.
type TokenStore struct {
	s        *Store
	name     string
	fallback tokens.TokenStore

	mu    sync.Mutex
	last  *oauth2.Token // newest token seen in Redis or saved
	dirty *oauth2.Token // saved to the fallback only; to push to Redis
}

// TokenStore returns the token store named name (one per FotoWeb login;
// "user" will do), keeping a copy in fallback when it is not nil (see
// [TokenStore]).
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
	AccessToken   string    `json:"access_token"`
	TokenType     string    `json:"token_type,omitempty"`
	RefreshToken  string    `json:"refresh_token,omitempty"`
	Expiry        time.Time `json:"expiry,omitzero"`
	ExpiresIn     int64     `json:"expires_in,omitempty"`
	Standby       string    `json:"standby_refresh_token,omitempty"`
	StandbyIssued time.Time `json:"standby_issued,omitzero"`
}

func encodeToken(tok *oauth2.Token) ([]byte, error) {
	sb, issued := tokens.Standby(tok)
	return json.Marshal(storedToken{tok.AccessToken, tok.TokenType, tok.RefreshToken, tok.Expiry, tok.ExpiresIn, sb, issued})
}

func decodeToken(b []byte) (*oauth2.Token, error) {
	var st storedToken
	if err := json.Unmarshal(b, &st); err != nil {
		return nil, err
	}
	tok := &oauth2.Token{AccessToken: st.AccessToken, TokenType: st.TokenType, RefreshToken: st.RefreshToken, Expiry: st.Expiry, ExpiresIn: st.ExpiresIn}
	return tokens.WithStandby(tok, st.Standby, st.StandbyIssued), nil
}

// newer reports whether a is a more recent token than b (nil b: yes).
func newer(a, b *oauth2.Token) bool { return tokens.Newer(a, b) }

// get reads the token in Redis; nil without error when there is none.
func (t *TokenStore) get(ctx context.Context) (*oauth2.Token, error) {
	b, err := callRedis(ctx, t.s, func(ctx context.Context) ([]byte, error) {
		return t.s.rdb.Get(ctx, t.key()).Bytes()
	})
	if errors.Is(err, redis.Nil) {
		return nil, nil
	}
	if err != nil {
		if !callerDone(ctx) {
			t.s.fail("token load", err)
		}
		return nil, fmt.Errorf("redisstore: loading token: %w", err)
	}
	tok, err := decodeToken(b)
	if err != nil {
		return nil, fmt.Errorf("redisstore: token in Redis (%s) is corrupt: %v", t.key(), err)
	}
	return tok, nil
}

// Load implements [tokens.TokenStore]: the newest of the token in Redis,
// the fallback's and the last one this process saw (Redis may have gone
// back in time). A copy that holds an older token, or none, is repaired.
// No token anywhere gives an error matching tokens.ErrNoToken; when no
// copy can be read, the error says why. When ctx ends before Redis
// answered, Load returns at once with an error wrapping ctx's (not
// counted as a Redis error), and neither reads nor repairs the fallback:
// without Redis's copy it cannot know the newest token, and its caller
// has gone.
func (t *TokenStore) Load(ctx context.Context) (*oauth2.Token, error) {
	rtok, rerr := t.get(ctx)
	if rerr != nil && callerDone(ctx) {
		return nil, rerr
	}
	var ftok *oauth2.Token
	var ferr error
	if t.fallback != nil {
		ftok, ferr = t.fallback.Load(ctx)
	}
	t.mu.Lock()
	best := t.last
	t.mu.Unlock()
	for _, c := range []*oauth2.Token{rtok, ftok} {
		if c != nil && newer(c, best) {
			best = c
		}
	}
	if best == nil {
		switch {
		case rerr != nil:
			return nil, rerr
		case ferr != nil && !errors.Is(ferr, tokens.ErrNoToken):
			return nil, ferr
		}
		return nil, fmt.Errorf("%w in Redis (%s)", tokens.ErrNoToken, t.key())
	}
	if rerr == nil && newer(best, rtok) {
		t.pushIfNewer(ctx, best) // Redis lost it, or holds an older one: repair it
	}
	if t.fallback != nil && (ferr == nil || errors.Is(ferr, tokens.ErrNoToken)) && newer(best, ftok) {
		if err := t.fallback.Save(ctx, best); err != nil {
			t.s.log.warn("redisstore: could not update the token file with the newer token from Redis", "err", err)
		}
	}
	t.seen(best)
	return best, nil
}

// Save implements [tokens.TokenStore]: the token goes to Redis and to
// the fallback. It fails only when neither took it; when only the
// fallback did, the token is pushed to Redis when it answers again.
//
// When ctx ends before Redis answered, Save stops waiting for it (not
// counted as a Redis error) and goes on as when Redis fails: the token
// goes to the fallback all the same, under ctx without its cancellation
// (a token FotoWeb has just rotated may exist nowhere else), and Save
// returns nil if the fallback took it; without a fallback it returns an
// error wrapping ctx's. The write already sent to Redis may still take
// effect.
func (t *TokenStore) Save(ctx context.Context, tok *oauth2.Token) error {
	if tok == nil {
		return errors.New("redisstore: saving a nil token")
	}
	b, err := encodeToken(tok)
	if err != nil {
		return fmt.Errorf("redisstore: encoding token: %w", err)
	}
	_, rerr := callRedis(ctx, t.s, func(ctx context.Context) (string, error) {
		return t.s.rdb.Set(ctx, t.key(), b, 0).Result()
	})
	if rerr != nil && !callerDone(ctx) {
		t.s.fail("token save", rerr)
	}
	var ferr error
	if t.fallback != nil {
		ferr = t.fallback.Save(context.WithoutCancel(ctx), tok)
	}
	switch {
	case rerr == nil && ferr != nil:
		t.s.log.warn("redisstore: token saved to Redis but not to the token file; the file is repaired at the next refresh", "err", ferr)
	case rerr != nil && t.fallback == nil:
		return fmt.Errorf("redisstore: saving token: %w", rerr)
	case rerr != nil && ferr != nil:
		return fmt.Errorf("redisstore: saving token: %w (token file: %w)", rerr, ferr)
	case rerr != nil:
		t.mu.Lock()
		t.dirty = tok
		t.mu.Unlock()
		t.s.log.warn("redisstore: token saved to the token file only; it goes to Redis when Redis answers", "err", rerr)
	}
	t.seen(tok)
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
// TokenLockTTL), or until ctx ends (an error wrapping ErrLockTimeout and
// ctx's). When Redis cannot be reached it returns a no-op unlock
// and no error: the replicas cannot coordinate then, and failing would
// fail every request needing a new token.
//
// When the fallback is a [tokens.Locker] too (the token file), its lock
// is taken after Redis's, so that replicas on one host still take turns
// while Redis is down.
func (t *TokenStore) Lock(ctx context.Context) (unlock func(), err error) {
	ttl := t.s.cfg.TokenLockTTL
	unlock, _, err = t.s.lock(ctx, t.s.lockKey("token:"+t.name), ttl, ttl+t.s.cfg.LockPoll)
	if errors.Is(err, ErrLockTimeout) {
		return nil, err
	}
	if err != nil {
		t.s.fail("token lock", err)
		unlock = func() {}
	}
	if l, ok := t.fallback.(tokens.Locker); ok {
		funlock, err := l.Lock(ctx)
		if err != nil {
			unlock()
			return nil, err
		}
		runlock := unlock
		unlock = func() { funlock(); runlock() }
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
// atomically (WATCH/MULTI). When ctx ends first it returns an error
// wrapping ctx's, not counted as a Redis error; the push may still take
// effect.
func (t *TokenStore) pushIfNewer(ctx context.Context, tok *oauth2.Token) (bool, error) {
	b, err := encodeToken(tok)
	if err != nil {
		return false, err
	}
	stored, err := callRedis(ctx, t.s, func(ctx context.Context) (bool, error) {
		stored := false
		err := t.s.rdb.Watch(ctx, func(tx *redis.Tx) error {
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
		return stored, err
	})
	if err != nil {
		if !callerDone(ctx) {
			t.s.fail("token push", err)
		}
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
