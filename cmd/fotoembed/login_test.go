package main

import (
	"errors"
	"net"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fotoembed/fotoembed/fotoweb/fotowebtest"
)

// loginEnv starts a fake FotoWeb and returns the environment of `login`
// against it and a token file path.
func loginEnv(t *testing.T) (*fotowebtest.Server, []string, string) {
	t.Helper()
	fake := fotowebtest.NewServer(fotowebtest.Options{})
	t.Cleanup(fake.Close)
	env := envOf(map[string]string{"FOTOEMBED_FOTOWEB_URL": fake.URL, "FOTOEMBED_CLIENT_ID": fotowebtest.WebClientID})
	return fake, env, filepath.Join(t.TempDir(), "token.json")
}

// TestLoginCallbackLoopbackOnly: the callback listens on the loopback
// address only, never on every interface.
func TestLoginCallbackLoopbackOnly(t *testing.T) {
	ln, err := listenLoopback(0)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	if ip := ln.Addr().(*net.TCPAddr).IP; !ip.IsLoopback() {
		t.Errorf("callback listens on %v", ip)
	}
	_, env, tokenFile := loginEnv(t)
	r := start(t, env, "login", "--token-file", tokenFile, "--timeout", "30s")
	u, err := url.Parse(r.waitReady().CallbackURL)
	if err != nil || u.Hostname() != "127.0.0.1" || u.Path != "/callback" {
		t.Errorf("callback URL %v", u)
	}
}

// TestLoginPKCE: the authorize request carries a fresh S256 challenge and
// state; a code taken from the redirect cannot be redeemed without the
// verifier that only the login process holds, while the login redeems it.
func TestLoginPKCE(t *testing.T) {
	fake, env, tokenFile := loginEnv(t)
	r := start(t, env, "login", "--token-file", tokenFile, "--timeout", "30s")
	info := r.waitReady()
	q, _ := url.ParseQuery(strings.SplitN(info.AuthorizeURL, "?", 2)[1])
	if len(q.Get("code_challenge")) != 43 || q.Get("code_challenge_method") != "S256" || len(q.Get("state")) < 20 {
		t.Fatalf("authorize query %v", q)
	}
	other := start(t, env, "login", "--token-file", filepath.Join(t.TempDir(), "t2.json"), "--timeout", "30s")
	q2, _ := url.ParseQuery(strings.SplitN(other.waitReady().AuthorizeURL, "?", 2)[1])
	if q2.Get("state") == q.Get("state") || q2.Get("code_challenge") == q.Get("code_challenge") {
		t.Error("two logins share a state or a challenge")
	}
	other.stop()

	// An attacker who sees the redirect gets the code, not the verifier.
	resp, err := noRedirect.Get(info.AuthorizeURL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, _ := url.Parse(resp.Header.Get("Location"))
	code := loc.Query().Get("code")
	stolen, err := http.PostForm(fake.URL+"/fotoweb/oauth2/token", url.Values{"grant_type": {"authorization_code"},
		"client_id": {fotowebtest.WebClientID}, "code": {code}, "redirect_uri": {info.CallbackURL}, "code_verifier": {"guessed-" + strings.Repeat("x", 40)}})
	if err != nil {
		t.Fatal(err)
	}
	stolen.Body.Close()
	if stolen.StatusCode == http.StatusOK {
		t.Fatal("a stolen code was redeemed without the verifier")
	}
	// The code is single-use at FotoWeb, so the thief's try spent it: the
	// login fails rather than logging in someone else's session.
	get(t, http.DefaultClient, loc.String())
	if err := r.wait(); err == nil || !strings.Contains(err.Error(), "invalid_grant") {
		t.Errorf("login after the code was spent: %v", err)
	}
}

// TestLoginOneUse: the callback takes one redirect; a second one is
// refused (409) and cannot change the outcome, and once the login is over
// the callback is gone.
func TestLoginOneUse(t *testing.T) {
	_, env, tokenFile := loginEnv(t)
	r := start(t, env, "login", "--token-file", tokenFile, "--timeout", "30s")
	info := r.waitReady()
	resp, err := noRedirect.Get(info.AuthorizeURL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	redirect := resp.Header.Get("Location")
	if first, _ := get(t, http.DefaultClient, redirect); first.StatusCode != http.StatusOK {
		t.Fatalf("first redirect: %d", first.StatusCode)
	}
	if second, err := http.Get(redirect); err == nil {
		second.Body.Close()
		if second.StatusCode != http.StatusConflict {
			t.Errorf("second redirect: %d, want 409 (or the callback gone)", second.StatusCode)
		}
	}
	if err := r.wait(); err != nil {
		t.Fatalf("login: %v", err)
	}
	_, err = http.Get(redirect)
	var op *net.OpError
	if err == nil || !errors.As(err, &op) {
		t.Errorf("the callback still answers after the login: %v", err)
	}
}
