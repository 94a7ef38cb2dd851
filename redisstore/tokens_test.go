package redisstore

import (
	"context"
	"errors"
	"net/http"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/fotoembed/fotoembed/fotoweb/fotowebtest"
	"github.com/fotoembed/fotoembed/fotoweb/tokens"
	"github.com/fotoembed/fotoembed/internal/redistest"
	"github.com/fotoembed/fotoembed/internal/testutil"
)

// tokenEnv is a fake FotoWeb with short-lived tokens on a fake clock, and
// a user logged in with the PKCE flow whose token is in a file, as
// `fotoembed login` leaves it.
type tokenEnv struct {
	clk  *testutil.Clock
	fake *fotowebtest.Server
	cfg  tokens.AuthCodeConfig
	opts tokens.Options
	file *tokens.FileStore
}

const tokenLifetime = time.Hour

func newTokenEnv(t *testing.T) *tokenEnv {
	t.Helper()
	clk := testutil.NewClockNow()
	fake := fotowebtest.NewServer(fotowebtest.Options{Now: clk.Now, AccessTokenLifetime: tokenLifetime})
	t.Cleanup(fake.Close)
	e := &tokenEnv{clk: clk, fake: fake, opts: tokens.Options{Now: clk.Now},
		cfg:  tokens.AuthCodeConfig{BaseURL: fake.URL, ClientID: fotowebtest.WebClientID, RedirectURL: "http://127.0.0.1:8765/callback"},
		file: &tokens.FileStore{Path: filepath.Join(t.TempDir(), "token.json")}}
	if err := e.file.Save(context.Background(), e.login(t)); err != nil {
		t.Fatal(err)
	}
	return e
}

// login runs the authorization-code + PKCE flow; the fake approves the
// user without a browser.
func (e *tokenEnv) login(t *testing.T) *oauth2.Token {
	t.Helper()
	tok, err := fotowebtest.Login(context.Background(), e.cfg, e.opts)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// source wires a replica's RefreshSource to a Redis TokenStore seeded
// from the login file.
func (e *tokenEnv) source(t *testing.T, s *Store) (*tokens.Source, *TokenStore) {
	t.Helper()
	return e.sourceWith(t, s, e.file)
}

// sourceWith is source with the replica's own token file.
func (e *tokenEnv) sourceWith(t *testing.T, s *Store, file *tokens.FileStore) (*tokens.Source, *TokenStore) {
	t.Helper()
	ts := s.TokenStore("user", file)
	if _, err := ts.Seed(context.Background(), file); err != nil {
		t.Fatal(err)
	}
	cfg := e.cfg
	cfg.RedirectURL = ""
	src, err := tokens.RefreshSource(cfg, ts, e.opts)
	if err != nil {
		t.Fatal(err)
	}
	return src, ts
}

// works reports whether FotoWeb accepts tok.
func (e *tokenEnv) works(t *testing.T, tok *oauth2.Token) bool {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, e.fake.URL+"/fotoweb/me/", nil)
	tok.SetAuthHeader(req)
	req.Header.Set("Accept", "application/vnd.fotoware.full-api-descriptor+json")
	resp, err := e.fake.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

// TestTokenRotationThreeReplicas: three replicas share the user token
// through Redis. After each expiry exactly one refresh is made (FotoWeb
// rotates the refresh token each time), and every replica's tokens work.
func TestTokenRotationThreeReplicas(t *testing.T) {
	e := newTokenEnv(t)
	r := redistest.Start(t)
	var srcs []*tokens.Source
	for range 3 {
		src, _ := e.source(t, newStore(t, r, Config{LockPoll: 5 * time.Millisecond}))
		srcs = append(srcs, src)
	}
	const expiries = 8
	for round := 1; round <= expiries; round++ {
		e.clk.Advance(tokenLifetime)
		var wg sync.WaitGroup
		toks := make([]*oauth2.Token, 3*4)
		errs := make([]error, len(toks))
		for i := range toks {
			wg.Add(1)
			go func() {
				defer wg.Done()
				toks[i], errs[i] = srcs[i%3].Token()
			}()
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Fatalf("round %d, replica %d: Token: %v", round, i%3, err)
			}
			if !e.works(t, toks[i]) {
				t.Fatalf("round %d, replica %d: FotoWeb refuses the token", round, i%3)
			}
		}
		if n := e.fake.TokenRequests("refresh_token"); n != round {
			t.Fatalf("after %d expiries: %d refresh requests, want %d", round, n, round)
		}
	}
}

// TestTokenSeed: the login file seeds an empty Redis; a later login (a
// newer token) replaces the stored one; an older file does not.
func TestTokenSeed(t *testing.T) {
	e := newTokenEnv(t)
	r := redistest.Start(t)
	s := newStore(t, r, Config{})
	ts := s.TokenStore("user", nil)
	ctx := context.Background()
	if _, err := ts.Load(ctx); !errors.Is(err, tokens.ErrNoToken) {
		t.Fatalf("Load from empty Redis: %v", err)
	}
	if ok, err := ts.Seed(ctx, e.file); !ok || err != nil {
		t.Fatalf("first Seed: %v %v", ok, err)
	}
	first, _ := e.file.Load(ctx)
	if ok, err := ts.Seed(ctx, e.file); ok || err != nil {
		t.Fatalf("Seed again: %v %v", ok, err)
	}
	e.clk.Advance(time.Minute)
	relogin := e.login(t)
	if ok, err := ts.Seed(ctx, tokens.NewMemoryStore(relogin)); !ok || err != nil {
		t.Fatalf("Seed with a new login: %v %v", ok, err)
	}
	if ok, _ := ts.Seed(ctx, tokens.NewMemoryStore(first)); ok {
		t.Error("an older token replaced a newer one")
	}
	got, err := newStore(t, r, Config{}).TokenStore("user", nil).Load(ctx)
	if err != nil || got.RefreshToken != relogin.RefreshToken {
		t.Errorf("another replica loads %v, %v; want the new login's token", got != nil, err)
	}
	if ok, err := ts.Seed(ctx, tokens.NewMemoryStore(nil)); ok || err != nil {
		t.Errorf("Seed from an empty source: %v %v", ok, err)
	}
}

// TestTokenRedisLostData: when Redis restarts empty and an old token is
// seeded again, a replica that holds a newer one keeps it and puts it
// back.
func TestTokenRedisLostData(t *testing.T) {
	e := newTokenEnv(t)
	r := redistest.Start(t)
	src, ts := e.source(t, newStore(t, r, Config{}))
	e.clk.Advance(tokenLifetime)
	tok, err := src.Token() // refreshed: the file's refresh token is dead now
	if err != nil {
		t.Fatal(err)
	}
	r.Kill()
	r.Restart()
	other, _ := e.source(t, newStore(t, r, Config{})) // seeds the dead token from the file
	testutil.WaitFor(t, 5*time.Second, "the first store reconnects", func() bool { return ts.s.ping(context.Background()) == nil })
	got, err := ts.Load(context.Background())
	if err != nil || got.AccessToken != tok.AccessToken {
		t.Fatalf("Load after Redis lost data: %v; kept the newer token: %v", err, got != nil && got.AccessToken == tok.AccessToken)
	}
	e.clk.Advance(tokenLifetime)
	if _, err := other.Token(); err != nil {
		t.Fatalf("the replica started with the old seed: %v", err)
	}
	if _, err := src.Token(); err != nil {
		t.Fatalf("the first replica: %v", err)
	}
}

// TestTokenDuringOutage: with Redis down, the replica whose token expires
// refreshes anyway and saves to the fallback file; another replica on the
// same machine takes the new token from the file instead of refreshing
// (which would kill it). When Redis is back the token is pushed there,
// and a replica started then uses it.
func TestTokenDuringOutage(t *testing.T) {
	e := newTokenEnv(t)
	r := redistest.Start(t)
	a, _ := e.source(t, newStore(t, r, Config{}))
	b, _ := e.source(t, newStore(t, r, Config{}))
	r.Kill()
	e.clk.Advance(tokenLifetime)
	ta, err := a.Token()
	if err != nil {
		t.Fatalf("replica a during the outage: %v", err)
	}
	tb, err := b.Token()
	if err != nil {
		t.Fatalf("replica b during the outage: %v", err)
	}
	if ta.AccessToken != tb.AccessToken || !e.works(t, tb) {
		t.Error("replica b did not take replica a's token from the file")
	}
	if n := e.fake.TokenRequests("refresh_token"); n != 1 {
		t.Fatalf("%d refreshes during the outage, want 1", n)
	}

	r.Restart()
	probe := newStore(t, r, Config{}).TokenStore("user", nil)
	testutil.WaitFor(t, 5*time.Second, "the token saved during the outage reaches Redis", func() bool {
		tok, err := probe.Load(context.Background())
		return err == nil && tok.AccessToken == ta.AccessToken
	})
	c, _ := e.source(t, newStore(t, r, Config{}))
	e.clk.Advance(tokenLifetime)
	for i, src := range []*tokens.Source{a, b, c} {
		tok, err := src.Token()
		if err != nil || !e.works(t, tok) {
			t.Fatalf("replica %d after the outage: %v", i, err)
		}
	}
	if n := e.fake.TokenRequests("refresh_token"); n != 2 {
		t.Errorf("%d refreshes in all, want 2", n)
	}
}

// TestTokenRedisEmptyAllRestart: two replicas, each with its own token
// file (two hosts). Replica a refreshes (the rotation reaches Redis and
// a's file); replica b takes the new token from Redis and updates its own
// file. Redis then restarts empty and both replicas restart: seeded from
// their files, they are still logged in, and nothing is refreshed twice.
func TestTokenRedisEmptyAllRestart(t *testing.T) {
	e := newTokenEnv(t)
	r := redistest.Start(t)
	fileB := &tokens.FileStore{Path: filepath.Join(t.TempDir(), "token.json")}
	login, _ := e.file.Load(context.Background())
	if err := fileB.Save(context.Background(), login); err != nil {
		t.Fatal(err)
	}
	replica := func(file *tokens.FileStore) *tokens.Source {
		src, _ := e.sourceWith(t, newStore(t, r, Config{}), file)
		return src
	}
	a, b := replica(e.file), replica(fileB)
	e.clk.Advance(tokenLifetime)
	ta, err := a.Token()
	if err != nil {
		t.Fatal(err)
	}
	if tb, err := b.Token(); err != nil || tb.AccessToken != ta.AccessToken {
		t.Fatalf("replica b: %v (took a's token: %v)", err, tb != nil && tb.AccessToken == ta.AccessToken)
	}
	for i, f := range []*tokens.FileStore{e.file, fileB} {
		if got, _ := f.Load(context.Background()); got.AccessToken != ta.AccessToken {
			t.Errorf("token file %d does not hold the rotated token", i)
		}
	}

	r.Kill()
	r.Restart() // empty
	a, b = replica(e.file), replica(fileB)
	e.clk.Advance(tokenLifetime)
	for i, src := range []*tokens.Source{a, b} {
		tok, err := src.Token()
		if err != nil || !e.works(t, tok) {
			t.Fatalf("replica %d after Redis restarted empty and the replicas restarted: %v", i, err)
		}
	}
	if n := e.fake.TokenRequests("refresh_token"); n != 2 {
		t.Errorf("%d refreshes in all, want 2 (one per expiry)", n)
	}
}
