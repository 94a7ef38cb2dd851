package tokens_test

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/fotoembed/fotoembed/fotoweb/fotowebtest"
	"github.com/fotoembed/fotoembed/fotoweb/tokens"
	"github.com/fotoembed/fotoembed/internal/testutil"
)

// loggedInWithStandby logs User in twice, as `fotoembed login` does, and
// saves the first token with the second's refresh token as its standby.
func loggedInWithStandby(t *testing.T, srv *fotowebtest.Server, opts tokens.Options, now time.Time) (*tokens.FileStore, *oauth2.Token, string) {
	t.Helper()
	first := login(t, webConfig(srv), opts)
	second := login(t, webConfig(srv), opts)
	store := &tokens.FileStore{Path: filepath.Join(t.TempDir(), "token.json")}
	if err := store.Save(context.Background(), tokens.WithStandby(first, second.RefreshToken, now)); err != nil {
		t.Fatal(err)
	}
	return store, first, second.RefreshToken
}

// rotateBehindTheBack uses refreshToken at the fake and throws the answer
// away: FotoWeb rotated it, and the client never learnt the new one (a
// crash or a lost answer in the rotation window).
func rotateBehindTheBack(t *testing.T, srv *fotowebtest.Server, refreshToken string) {
	t.Helper()
	resp, err := srv.Client().PostForm(srv.URL+"/fotoweb/oauth2/token", url.Values{
		"grant_type": {"refresh_token"}, "refresh_token": {refreshToken}, "client_id": {fotowebtest.WebClientID}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("refresh behind the back: %s", resp.Status)
	}
}

// TestStandbyAfterLostRotation: the refresh token in use was rotated and
// the answer lost. The next refresh is rejected, the standby takes over
// with a warning that says what was lost and what to do, the standby is
// used up (saved without one), and the login goes on refreshing.
func TestStandbyAfterLostRotation(t *testing.T) {
	clk := testutil.NewClockNow()
	srv, opts, _ := newFake(t, clk, fotowebtest.Options{})
	var logs testutil.SyncBuffer
	opts.Logger = slog.New(slog.NewTextHandler(&logs, nil))
	store, first, standby := loggedInWithStandby(t, srv, opts, clk.Now())
	if loaded, _ := store.Load(context.Background()); func() string { s, _ := tokens.Standby(loaded); return s }() != standby {
		t.Fatal("the file does not keep the standby")
	}
	src, err := tokens.RefreshSource(webConfig(srv), store, opts)
	if err != nil {
		t.Fatal(err)
	}
	if st := src.Login(); !st.LoggedIn || !st.Standby {
		t.Errorf("before: %+v", st)
	}
	rotateBehindTheBack(t, srv, first.RefreshToken)
	clk.Advance(9 * time.Hour)
	before := srv.TokenRequests("refresh_token")
	tok, err := src.Token()
	if err != nil {
		t.Fatalf("with a standby: %v", err)
	}
	if n := srv.TokenRequests("refresh_token") - before; n != 2 {
		t.Errorf("%d refresh requests; want 2 (the lost one, then the standby)", n)
	}
	if apiStatus(t, srv, tok) != http.StatusOK {
		t.Error("the standby's access token does not work")
	}
	if !strings.Contains(logs.String(), "switching to the standby login") || !strings.Contains(logs.String(), "fotoembed login") {
		t.Errorf("log does not say what was lost and what to do:\n%s", logs.String())
	}
	for _, secret := range []string{first.RefreshToken, standby, tok.AccessToken} {
		if strings.Contains(logs.String(), secret) {
			t.Error("the log holds a token")
		}
	}
	saved, _ := store.Load(context.Background())
	if sb, _ := tokens.Standby(saved); sb != "" || saved.AccessToken != tok.AccessToken {
		t.Errorf("after the standby was used: file standby %v, access token saved %v", sb != "", saved.AccessToken == tok.AccessToken)
	}
	if st := src.Login(); !st.LoggedIn || st.Standby {
		t.Errorf("after: %+v", st)
	}
	clk.Advance(9 * time.Hour)
	if _, err := src.Token(); err != nil {
		t.Errorf("refreshing the promoted login: %v", err)
	}
}

// TestLoggedOutStopsAsking: with every refresh token rejected, thousands
// of Token calls over a minute cost two token requests (the refresh token
// and the standby, each once), answer the login error, and report the
// state; a new login saved to the store is picked up within the recheck
// interval, without a new Source.
func TestLoggedOutStopsAsking(t *testing.T) {
	clk := testutil.NewClockNow()
	srv, opts, _ := newFake(t, clk, fotowebtest.Options{})
	var logs testutil.SyncBuffer
	opts.Logger = slog.New(slog.NewTextHandler(&logs, nil))
	store, _, _ := loggedInWithStandby(t, srv, opts, clk.Now())
	src, _ := tokens.RefreshSource(webConfig(srv), store, opts)
	srv.RevokeRefreshTokens()
	clk.Advance(9 * time.Hour)
	before := srv.TokenRequests("")
	for range 60 {
		for range 100 {
			if _, err := src.Token(); !errors.Is(err, tokens.ErrLoginRequired) {
				t.Fatalf("logged out: %v", err)
			}
		}
		clk.Advance(time.Second)
	}
	if n := srv.TokenRequests("") - before; n != 2 {
		t.Errorf("%d token requests for 6000 calls over a minute; want 2", n)
	}
	if st := src.Login(); st.LoggedIn {
		t.Errorf("state while logged out: %+v", st)
	}
	if n := strings.Count(logs.String(), "FotoWeb login lost"); n != 1 {
		t.Errorf("the loss is logged %d times; want once:\n%s", n, logs.String())
	}

	// `fotoembed login` writes a new token; the source finds it.
	fresh := login(t, webConfig(srv), opts)
	if err := store.Save(context.Background(), fresh); err != nil {
		t.Fatal(err)
	}
	clk.Advance(5 * time.Second)
	tok, err := src.Token()
	if err != nil || tok.AccessToken != fresh.AccessToken {
		t.Fatalf("after a new login: %v", err)
	}
	if st := src.Login(); !st.LoggedIn {
		t.Errorf("state after a new login: %+v", st)
	}
	if !strings.Contains(logs.String(), "login restored") {
		t.Errorf("the recovery is not logged:\n%s", logs.String())
	}
}

// TestTokenEndpointDownNoToken: the token has expired and the endpoint
// fails: the first failure is answered at once for a second, then the
// waits double (bounded), so that a dead endpoint gets a handful of
// requests a minute, not one per call.
func TestTokenEndpointDownNoToken(t *testing.T) {
	clk := testutil.NewClockNow()
	srv, opts, _ := newFake(t, clk, fotowebtest.Options{})
	src, _ := tokens.ClientCredentials(serviceConfig(srv), opts)
	if _, err := src.Token(); err != nil {
		t.Fatal(err)
	}
	srv.SetTokenEndpointDown(true)
	clk.Advance(9 * time.Hour)
	before := srv.TokenRequests("")
	for range 120 {
		for range 10 {
			if _, err := src.Token(); err == nil {
				t.Fatal("a token with the endpoint down")
			}
		}
		clk.Advance(500 * time.Millisecond)
	}
	// Waits 1, 2, 4, 8, 16, 30 s: requests at 0, 1, 3, 7, 15, 31 s (6 in a minute).
	if n := srv.TokenRequests("") - before; n != 6 {
		t.Errorf("%d token requests in a minute of failures; want 6", n)
	}
}

// TestFileStoreLock: a second holder waits for the first (the lock is an
// flock on the token file's lock file, so it holds between processes as
// between open files); it gets the lock once the first lets go.
func TestFileStoreLock(t *testing.T) {
	path := filepath.Join(t.TempDir(), "token.json")
	a, b := &tokens.FileStore{Path: path}, &tokens.FileStore{Path: path}
	unlock, err := a.Lock(context.Background())
	if err != nil {
		t.Skipf("no file locks here: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if u, err := b.Lock(ctx); err == nil {
		u()
		t.Fatal("a second holder got the lock")
	} else if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "another process") {
		t.Errorf("waiting error: %v", err)
	}
	got := make(chan error, 1)
	go func() {
		u, err := b.Lock(context.Background())
		if err == nil {
			u()
		}
		got <- err
	}()
	unlock()
	if err := <-got; err != nil {
		t.Errorf("after the first let go: %v", err)
	}
}

// TestNewer: the record with the later expiry is newer; at equal expiry
// the later standby.
func TestNewer(t *testing.T) {
	now := time.Now()
	a := &oauth2.Token{AccessToken: "a", Expiry: now}
	b := &oauth2.Token{AccessToken: "b", Expiry: now.Add(time.Second)}
	if !tokens.Newer(b, a) || tokens.Newer(a, b) || !tokens.Newer(a, nil) || tokens.Newer(nil, a) {
		t.Error("by expiry")
	}
	sa := tokens.WithStandby(a, "s1", now)
	sb := tokens.WithStandby(a, "s2", now.Add(time.Minute))
	if !tokens.Newer(sb, sa) || tokens.Newer(sa, sb) || !tokens.Newer(sa, a) || tokens.Newer(a, a) {
		t.Error("by standby at equal expiry")
	}
	if rt, _ := tokens.Standby(tokens.WithStandby(sa, "", time.Time{})); rt != "" {
		t.Error("WithStandby \"\" keeps a standby")
	}
}
