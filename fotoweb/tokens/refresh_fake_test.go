package tokens_test

import (
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/fotoembed/fotoembed/fotoweb/fotowebtest"
	"github.com/fotoembed/fotoembed/fotoweb/tokens"
	"github.com/fotoembed/fotoembed/internal/testutil"
)

// loggedIn logs User in with the public PKCE client and saves the token
// in a FileStore, as `fotoembed login` does.
func loggedIn(t *testing.T, srv *fotowebtest.Server, opts tokens.Options) (*tokens.FileStore, *oauth2.Token) {
	t.Helper()
	tok := login(t, webConfig(srv), opts)
	store := &tokens.FileStore{Path: filepath.Join(t.TempDir(), "token.json")}
	if err := store.Save(context.Background(), tok); err != nil {
		t.Fatal(err)
	}
	return store, tok
}

// TestRefreshRotation: the stored token is used as is while fresh; near
// expiry it is refreshed, the rotated refresh token is saved, and the old
// refresh token is dead afterwards.
func TestRefreshRotation(t *testing.T) {
	clk := testutil.NewClockNow()
	srv, opts, rec := newFake(t, clk, fotowebtest.Options{})
	store, first := loggedIn(t, srv, opts)
	src, err := tokens.RefreshSource(webConfig(srv), store, opts)
	if err != nil {
		t.Fatal(err)
	}
	if src.Kind() != tokens.KindUserRefresh {
		t.Errorf("Kind = %v", src.Kind())
	}
	tok, err := src.Token()
	if err != nil || tok.AccessToken != first.AccessToken || tok.RefreshToken != "" {
		t.Fatalf("first Token: %v (refresh token handed out: %v)", err, tok != nil && tok.RefreshToken != "")
	}

	clk.Advance(8*time.Hour - 30*time.Second)
	tok, err = src.Token()
	if err != nil {
		t.Fatal(err)
	}
	if tok.AccessToken == first.AccessToken || srv.TokenRequests("refresh_token") != 1 {
		t.Fatalf("not refreshed: %d refresh requests", srv.TokenRequests("refresh_token"))
	}
	if st := apiStatus(t, srv, tok); st != http.StatusOK {
		t.Errorf("refreshed token: GET /fotoweb/me/ %d", st)
	}
	if got := rec.last(t).form; got.Has("client_secret") || got.Get("client_id") != fotowebtest.WebClientID || got.Get("refresh_token") != first.RefreshToken {
		t.Errorf("refresh form %v", got)
	}
	saved, err := store.Load(context.Background())
	if err != nil || saved.AccessToken != tok.AccessToken || saved.RefreshToken == "" || saved.RefreshToken == first.RefreshToken {
		t.Fatalf("store after refresh: %v; rotated refresh token saved: %v", err, saved != nil && saved.RefreshToken != first.RefreshToken)
	}

	// The old refresh token is dead now: a source holding it must log in again.
	stale := &oauth2.Token{AccessToken: "old", RefreshToken: first.RefreshToken, Expiry: clk.Now().Add(-time.Hour)}
	old, err := tokens.RefreshSource(webConfig(srv), tokens.NewMemoryStore(stale), opts)
	if err != nil {
		t.Fatal(err)
	}
	_, err = old.Token()
	if !errors.Is(err, tokens.ErrLoginRequired) {
		t.Fatalf("refresh with the rotated-out token: %v", err)
	}
}

// TestRefreshWithoutRotation: when the answer carries no new refresh
// token, the old one is kept and keeps working.
func TestRefreshWithoutRotation(t *testing.T) {
	clk := testutil.NewClockNow()
	no := false
	srv, opts, _ := newFake(t, clk, fotowebtest.Options{RotateRefreshTokens: &no})
	store, first := loggedIn(t, srv, opts)
	src, _ := tokens.RefreshSource(webConfig(srv), store, opts)
	for i := 1; i <= 2; i++ {
		clk.Advance(9 * time.Hour)
		if _, err := src.Token(); err != nil {
			t.Fatalf("refresh %d: %v", i, err)
		}
		if saved, _ := store.Load(context.Background()); saved.RefreshToken != first.RefreshToken {
			t.Errorf("refresh %d: refresh token changed", i)
		}
	}
}

// TestRefreshConfidential: a confidential client sends its secret on
// refresh.
func TestRefreshConfidential(t *testing.T) {
	clk := testutil.NewClockNow()
	srv, opts, rec := newFake(t, clk, fotowebtest.Options{})
	cfg := tokens.AuthCodeConfig{BaseURL: srv.URL, ClientID: fotowebtest.ConfidentialClientID, ClientSecret: fotowebtest.ConfidentialClientSecret, RedirectURL: redirectURL}
	store := tokens.NewMemoryStore(login(t, cfg, opts))
	cfg.RedirectURL = "" // not needed to refresh
	src, err := tokens.RefreshSource(cfg, store, opts)
	if err != nil {
		t.Fatal(err)
	}
	clk.Advance(9 * time.Hour)
	if _, err := src.Token(); err != nil {
		t.Fatal(err)
	}
	if got := rec.last(t).form; got.Get("grant_type") != "refresh_token" || got.Get("client_secret") != fotowebtest.ConfidentialClientSecret {
		t.Errorf("refresh form %v", got)
	}
}

// TestRefreshRevoked: a revoked refresh token gives an error that says to
// log in again and leaks nothing.
func TestRefreshRevoked(t *testing.T) {
	clk := testutil.NewClockNow()
	srv, opts, _ := newFake(t, clk, fotowebtest.Options{})
	store, first := loggedIn(t, srv, opts)
	src, _ := tokens.RefreshSource(webConfig(srv), store, opts)
	srv.RevokeRefreshTokens()
	clk.Advance(9 * time.Hour)
	tok, err := src.Token()
	if tok != nil || !errors.Is(err, tokens.ErrLoginRequired) || !strings.Contains(err.Error(), "fotoembed login") {
		t.Fatalf("Token() = %v, %v; want a re-login error", tok, err)
	}
	var te *tokens.Error
	if !errors.As(err, &te) || te.Code != "invalid_grant" {
		t.Errorf("error %v lacks the invalid_grant code", err)
	}
	assertNoLeak(t, err, first.RefreshToken, first.AccessToken)
	t.Logf("error: %v", err)
}

func TestRefreshSourceNeedsLogin(t *testing.T) {
	srv, opts, _ := newFake(t, testutil.NewClockNow(), fotowebtest.Options{})
	path := filepath.Join(t.TempDir(), "token.json")
	_, err := tokens.RefreshSource(webConfig(srv), &tokens.FileStore{Path: path}, opts)
	if !errors.Is(err, tokens.ErrNoToken) || !errors.Is(err, tokens.ErrLoginRequired) || !strings.Contains(err.Error(), path) {
		t.Errorf("no stored token: %v", err)
	}
	os.WriteFile(path, []byte("{garbage"), 0o600)
	if _, err = tokens.RefreshSource(webConfig(srv), &tokens.FileStore{Path: path}, opts); err == nil || !strings.Contains(err.Error(), path) {
		t.Errorf("corrupt file: %v", err)
	}
	// An expired access token without a refresh token cannot be renewed.
	clk := testutil.NewClockNow()
	src, _ := tokens.RefreshSource(webConfig(srv), tokens.NewMemoryStore(&oauth2.Token{AccessToken: "a", Expiry: clk.Now().Add(-time.Minute)}), opts)
	if _, err := src.Token(); !errors.Is(err, tokens.ErrLoginRequired) {
		t.Errorf("no refresh token: %v", err)
	}
	if _, err := tokens.RefreshSource(tokens.AuthCodeConfig{}, tokens.NewMemoryStore(nil), opts); err == nil {
		t.Error("empty config accepted")
	}
}

// TestCrashAfterRefresh: the process refreshes (the new refresh token is
// saved) and dies before using the token. A new process reading the same
// file uses the saved token and can refresh with the persisted refresh
// token: the fake accepts it.
func TestCrashAfterRefresh(t *testing.T) {
	clk := testutil.NewClockNow()
	srv, opts, _ := newFake(t, clk, fotowebtest.Options{})
	store, _ := loggedIn(t, srv, opts)
	clk.Advance(9 * time.Hour)
	func() { // first process: refresh, then "crash" without using the token
		src, err := tokens.RefreshSource(webConfig(srv), &tokens.FileStore{Path: store.Path}, opts)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := src.Token(); err != nil {
			t.Fatal(err)
		}
	}()
	saved, _ := store.Load(context.Background())

	src, err := tokens.RefreshSource(webConfig(srv), &tokens.FileStore{Path: store.Path}, opts)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := src.Token()
	if err != nil || tok.AccessToken != saved.AccessToken || srv.TokenRequests("refresh_token") != 1 {
		t.Fatalf("restart: %v, saved token used: %v, %d refreshes", err, tok != nil && tok.AccessToken == saved.AccessToken, srv.TokenRequests("refresh_token"))
	}
	clk.Advance(9 * time.Hour)
	if _, err := src.Token(); err != nil || srv.TokenRequests("refresh_token") != 2 {
		t.Fatalf("refresh with the persisted refresh token: %v", err)
	}
}

// TestSaveFailure: the refresh succeeds but saving fails (a crash during
// the write: the temporary file is complete, the rename never happens).
// The old file stays intact and loadable, the new access token is not
// handed out, and the new refresh token, now the only valid one, is kept
// in memory: the next Token call saves it without refreshing again.
func TestSaveFailure(t *testing.T) {
	clk := testutil.NewClockNow()
	srv, opts, _ := newFake(t, clk, fotowebtest.Options{})
	good, first := loggedIn(t, srv, opts)
	fail := true
	store := tokens.NewFileStoreWithHook(good.Path, func(tmp string) error {
		if fail {
			return errors.New("disk unplugged")
		}
		return nil
	})
	src, _ := tokens.RefreshSource(webConfig(srv), store, opts)
	clk.Advance(9 * time.Hour)
	for i := range 2 {
		tok, err := src.Token()
		if tok != nil || err == nil || !strings.Contains(err.Error(), "disk unplugged") || errors.Is(err, tokens.ErrLoginRequired) {
			t.Fatalf("Token() #%d with a failing store = %v, %v", i, tok, err)
		}
		t.Logf("error: %v", err)
	}
	if n := srv.TokenRequests("refresh_token"); n != 1 {
		t.Errorf("%d refreshes; the unsaved token must be retried, not refreshed again", n)
	}
	onDisk, err := good.Load(context.Background())
	if err != nil || onDisk.RefreshToken != first.RefreshToken {
		t.Fatalf("old file after failed saves: %v", err)
	}
	if ents, _ := filepath.Glob(filepath.Join(filepath.Dir(good.Path), ".*tmp*")); len(ents) != 0 {
		t.Errorf("failed saves left files behind: %v", ents)
	}
	// The file's refresh token has been rotated away: only memory holds a valid one.
	if old, _ := tokens.RefreshSource(webConfig(srv), tokens.NewMemoryStore(onDisk), opts); old != nil {
		if _, err := old.Token(); !errors.Is(err, tokens.ErrLoginRequired) {
			t.Errorf("refresh token in the old file still works: %v", err)
		}
	}

	fail = false
	clk.Advance(2 * time.Second) // past the back-off after two failures
	before := srv.TokenRequests("refresh_token")
	tok, err := src.Token()
	if err != nil {
		t.Fatal(err)
	}
	onDisk, _ = good.Load(context.Background())
	if onDisk.AccessToken != tok.AccessToken || onDisk.RefreshToken == first.RefreshToken || srv.TokenRequests("refresh_token") != before {
		t.Errorf("after the store recovered: saved %v, %d new refreshes", onDisk.AccessToken == tok.AccessToken, srv.TokenRequests("refresh_token")-before)
	}
	clk.Advance(9 * time.Hour)
	if _, err := src.Token(); err != nil {
		t.Errorf("refresh with the recovered refresh token: %v", err)
	}
}

// TestLockerSharedStore: two replicas share a store that implements
// Locker; when the token expires they refresh once in total, the second
// using the token the first saved.
func TestLockerSharedStore(t *testing.T) {
	clk := testutil.NewClockNow()
	srv, opts, _ := newFake(t, clk, fotowebtest.Options{})
	store := tokens.NewMemoryStore(login(t, webConfig(srv), opts))
	a, _ := tokens.RefreshSource(webConfig(srv), store, opts)
	b, _ := tokens.RefreshSource(webConfig(srv), store, opts)
	clk.Advance(9 * time.Hour)

	got := make(chan *oauth2.Token, 2)
	for _, src := range []*tokens.Source{a, b} {
		go func() {
			tok, err := src.Token()
			if err != nil {
				t.Error(err)
			}
			got <- tok
		}()
	}
	t1, t2 := <-got, <-got
	if t1 == nil || t2 == nil {
		t.FailNow()
	}
	stored, _ := store.Load(context.Background())
	if n := srv.TokenRequests("refresh_token"); n != 1 || t1.AccessToken != t2.AccessToken || stored == nil || stored.AccessToken != t1.AccessToken {
		t.Fatalf("%d refreshes; same token: %v", n, t1.AccessToken == t2.AccessToken)
	}
	// Both keep working with the one rotated refresh token.
	clk.Advance(9 * time.Hour)
	if _, err := b.Token(); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Token(); err != nil || srv.TokenRequests("refresh_token") != 2 {
		t.Fatalf("second round: %v, %d refreshes", err, srv.TokenRequests("refresh_token"))
	}
}
