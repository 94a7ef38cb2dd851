package main

import (
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fotoembed/fotoembed/fotoweb/fotowebtest"
	"github.com/fotoembed/fotoembed/fotoweb/tokens"
	"github.com/fotoembed/fotoembed/internal/testutil"
	"github.com/fotoembed/fotoembed/urlsig"
)

// TestLoginEndToEnd runs `login` against the fake FotoWeb; the test plays
// the browser by GETting the printed authorize URL, which redirects to
// the loopback callback.
func TestLoginEndToEnd(t *testing.T) {
	fake := fotowebtest.NewServer(fotowebtest.Options{})
	t.Cleanup(fake.Close)
	tokenFile := filepath.Join(t.TempDir(), "config", "fotoembed", "token.json")
	env := envOf(map[string]string{"FOTOEMBED_FOTOWEB_URL": fake.URL, "FOTOEMBED_CLIENT_ID": fotowebtest.WebClientID})
	r := start(t, env, "login", "--token-file", tokenFile, "--timeout", "30s")
	info := r.waitReady()
	if !strings.HasPrefix(info.AuthorizeURL, fake.URL+"/fotoweb/oauth2/authorize?") || !strings.Contains(r.stdout.String(), info.AuthorizeURL) {
		t.Fatalf("authorize URL %q; output:\n%s", info.AuthorizeURL, r.stdout.String())
	}
	q, _ := url.ParseQuery(strings.SplitN(info.AuthorizeURL, "?", 2)[1])
	if q.Get("code_challenge_method") != "S256" || q.Get("redirect_uri") != info.CallbackURL || !strings.HasPrefix(info.CallbackURL, "http://127.0.0.1:") {
		t.Errorf("authorize query %v", q)
	}
	resp, body := get(t, http.DefaultClient, info.AuthorizeURL) // the "browser"
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "You can close this window") {
		t.Errorf("callback page: %d %s", resp.StatusCode, body)
	}
	if err := r.wait(); err != nil {
		t.Fatalf("login: %v", err)
	}
	st, err := os.Stat(tokenFile)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("token file: %v %v", st, err)
	}
	tok, err := (&tokens.FileStore{Path: tokenFile}).Load(t.Context())
	if err != nil || tok.RefreshToken == "" || tok.AccessToken == "" {
		t.Fatalf("saved token: %v (refresh token saved: %v)", err, tok != nil && tok.RefreshToken != "")
	}
	out := r.stdout.String() + r.stderr.String()
	if !strings.Contains(out, "saved in "+tokenFile) || !strings.Contains(out, "standby login is saved") {
		t.Errorf("output does not say where the token is and that it has a standby:\n%s", out)
	}
	// The standby is a second token family: its own refresh token, which
	// FotoWeb accepts.
	standby, _ := tokens.Standby(tok)
	if standby == "" || standby == tok.RefreshToken {
		t.Fatalf("no standby of its own saved (has one: %v)", standby != "")
	}
	assertNoSecrets(t, out, tok.RefreshToken, tok.AccessToken, standby)
	if resp, err := http.PostForm(fake.URL+"/fotoweb/oauth2/token", url.Values{"grant_type": {"refresh_token"},
		"refresh_token": {standby}, "client_id": {fotowebtest.WebClientID}}); err != nil || resp.StatusCode != http.StatusOK {
		t.Errorf("the standby refresh token does not work: %v %v", err, resp)
	} else {
		resp.Body.Close()
	}

	// The saved login serves: resolve with --auth user.
	var rout testutil.SyncBuffer
	err = run(t.Context(), []string{"resolve", "--auth", "user", "--token-file", tokenFile, fotowebtest.LandscapeAsset}, env, &rout, &testutil.SyncBuffer{})
	if err != nil || !strings.Contains(rout.String(), `"width": 5472`) {
		t.Errorf("resolve with the login: %v\n%s", err, rout.String())
	}
}

func TestLoginFailures(t *testing.T) {
	fake := fotowebtest.NewServer(fotowebtest.Options{})
	t.Cleanup(fake.Close)
	env := envOf(map[string]string{"FOTOEMBED_FOTOWEB_URL": fake.URL, "FOTOEMBED_CLIENT_ID": fotowebtest.WebClientID})
	tokenFile := filepath.Join(t.TempDir(), "token.json")

	t.Run("denied", func(t *testing.T) {
		fake.DenyAuthorization(true)
		defer fake.DenyAuthorization(false)
		r := start(t, env, "login", "--token-file", tokenFile)
		resp, _ := get(t, http.DefaultClient, r.waitReady().AuthorizeURL)
		if err := r.wait(); err == nil || !strings.Contains(err.Error(), "access_denied") || resp.StatusCode != http.StatusBadRequest {
			t.Errorf("denied login: %v (page %d)", err, resp.StatusCode)
		}
	})
	t.Run("forged state", func(t *testing.T) {
		r := start(t, env, "login", "--token-file", tokenFile)
		info := r.waitReady()
		get(t, http.DefaultClient, info.CallbackURL+"?code=stolen&state=forged")
		if err := r.wait(); err == nil || !strings.Contains(err.Error(), "state does not match") {
			t.Errorf("forged callback: %v", err)
		}
	})
	t.Run("timeout", func(t *testing.T) {
		r := start(t, env, "login", "--token-file", tokenFile, "--timeout", "50ms")
		r.waitReady()
		if err := r.wait(); err == nil || !strings.Contains(err.Error(), "--timeout") {
			t.Errorf("timed out login: %v", err)
		}
	})
	if _, err := os.Stat(tokenFile); err == nil {
		t.Error("a failed login wrote a token file")
	}
}

// TestLoginStandbyRefused: when the second authorization (the standby)
// is denied, the login still succeeds with the first, saves no standby
// and warns; --standby=false asks only once.
func TestLoginStandbyRefused(t *testing.T) {
	fake := fotowebtest.NewServer(fotowebtest.Options{})
	t.Cleanup(fake.Close)
	env := envOf(map[string]string{"FOTOEMBED_FOTOWEB_URL": fake.URL, "FOTOEMBED_CLIENT_ID": fotowebtest.WebClientID})
	tokenFile := filepath.Join(t.TempDir(), "token.json")
	r := start(t, env, "login", "--token-file", tokenFile, "--timeout", "30s")
	follow := func(u string) string {
		t.Helper()
		resp, err := noRedirect.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusFound {
			t.Fatalf("GET %s: %d, want a redirect", u, resp.StatusCode)
		}
		return resp.Header.Get("Location")
	}
	second := follow(follow(r.waitReady().AuthorizeURL)) // the first callback sends the browser on
	if !strings.HasPrefix(second, fake.URL+"/fotoweb/oauth2/authorize?") {
		t.Fatalf("the first callback redirected to %q, not to a second authorization", second)
	}
	fake.DenyAuthorization(true)
	denied := follow(second)
	fake.DenyAuthorization(false)
	if resp, _ := get(t, http.DefaultClient, denied); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("denied standby page: %d", resp.StatusCode)
	}
	if err := r.wait(); err != nil {
		t.Fatalf("login with the standby denied: %v", err)
	}
	tok, err := (&tokens.FileStore{Path: tokenFile}).Load(t.Context())
	if sb, _ := tokens.Standby(tok); err != nil || sb != "" || tok.RefreshToken == "" {
		t.Fatalf("saved: %v, standby %v", err, sb != "")
	}
	if !strings.Contains(r.stderr.String(), "no standby login") || !strings.Contains(r.stderr.String(), "access_denied") {
		t.Errorf("no warning about the missing standby:\n%s", r.stderr.String())
	}

	single := filepath.Join(t.TempDir(), "single.json")
	r = start(t, env, "login", "--token-file", single, "--timeout", "30s", "--standby=false")
	if resp, body := get(t, http.DefaultClient, r.waitReady().AuthorizeURL); resp.StatusCode != http.StatusOK || !strings.Contains(body, "You can close this window") {
		t.Errorf("single login page: %d %s", resp.StatusCode, body)
	}
	if err := r.wait(); err != nil {
		t.Fatal(err)
	}
	tok, _ = (&tokens.FileStore{Path: single}).Load(t.Context())
	if sb, _ := tokens.Standby(tok); sb != "" || strings.Contains(r.stderr.String(), "no standby") {
		t.Errorf("--standby=false: standby %v, stderr %s", sb != "", r.stderr.String())
	}
}

// TestSignVerifies checks that sign's output verifies with urlsig.
func TestSignVerifies(t *testing.T) {
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	var out, errb testutil.SyncBuffer
	a := newApp(envOf(map[string]string{"FOTOEMBED_SIGNING_KEYS": testSigningKey + ",old-key-0123456789abcdef", "FOTOEMBED_MAC_LENGTH": "16"}), &out, &errb)
	a.now = func() time.Time { return now }
	err := a.run(t.Context(), []string{"sign", "--fotoweb-url", "https://acme.fotoware.cloud", "--base-url", "https://img.example.com/",
		"--width", "800", "--square", "--expires", "24h", "--ext", ".jpg",
		"https://acme.fotoware.cloud/fotoweb/archives/5001-Photos/Folder 19/harbour.jpg.info?access_token=pasted",
		fotowebtest.PortraitAsset})
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("output:\n%s", out.String())
	}
	s, err := urlsig.New(urlsig.Config{Keys: [][]byte{[]byte(testSigningKey)}, MACLength: 16})
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []string{fotowebtest.LandscapeAsset, fotowebtest.PortraitAsset} {
		path, ok := strings.CutPrefix(lines[i], "https://img.example.com/i/")
		if !ok {
			t.Fatalf("line %q", lines[i])
		}
		p, err := s.Verify("/i/"+path, now)
		if err != nil {
			t.Fatalf("%s: %v", lines[i], err)
		}
		if p.Asset != want || p.Ext != ".jpg" || p.Options.Width != 800 || !p.Options.Square || !p.Options.Expires.Equal(now.Add(24*time.Hour)) {
			t.Errorf("verified %+v", p)
		}
	}
	if strings.Contains(out.String(), "pasted") {
		t.Error("the pasted URL's query leaked into the signed URL")
	}

	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"sign", "https://elsewhere.example/fotoweb/archives/1-A/b.jpg.info"}, "no origin configured"},
		{[]string{"sign", "--fotoweb-url", "https://acme.fotoware.cloud", "https://elsewhere.example/fotoweb/archives/1-A/b.jpg.info"}, "not on the origin"},
		{[]string{"sign", "/not/an/asset", "--ext", "jpg", "--rendition", "Big-One"}, "--ext \"jpg\""},
		{[]string{"sign", "/not/an/asset", "--ext", "jpg", "--rendition", "Big-One"}, "--rendition \"Big-One\""},
		{[]string{"sign", "/not/an/asset", "--ext", "jpg", "--rendition", "Big-One"}, "does not start with /fotoweb/archives/"},
	} {
		err := a.run(t.Context(), tc.args)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: %v", tc.args, err)
		}
		assertNoSecrets(t, err.Error())
	}
}

// TestResolve resolves assets through the fake with client credentials.
func TestResolve(t *testing.T) {
	fake := fotowebtest.NewServer(fotowebtest.Options{})
	t.Cleanup(fake.Close)
	env := envOf(map[string]string{
		"FOTOEMBED_FOTOWEB_URL": fake.URL, "FOTOEMBED_AUTH": "client_credentials",
		"FOTOEMBED_CLIENT_ID": fotowebtest.ServiceClientID, "FOTOEMBED_CLIENT_SECRET": fotowebtest.ServiceClientSecret,
	})
	var out, errb testutil.SyncBuffer
	err := run(t.Context(), []string{"resolve", fake.URL + fotowebtest.LandscapeAsset, "/fotoweb/archives/5001-Photos/missing.jpg.info"}, env, &out, &errb)
	if err == nil || !strings.Contains(err.Error(), "1 of 2 references") {
		t.Errorf("resolve with a missing asset: %v", err)
	}
	var got []struct {
		Ref, Href, Error, CreditLine string
		Width, Height                int
		Previews                     []struct{ Width, Height int }
		Text                         struct{ Alt, Caption, Credit string }
	}
	if err := json.Unmarshal([]byte(out.String()), &got); err != nil || len(got) != 2 {
		t.Fatalf("output (%v):\n%s", err, out.String())
	}
	a := got[0]
	if a.Href != fotowebtest.LandscapeAsset || a.Width != 5472 || a.Height != 3648 || len(a.Previews) == 0 ||
		a.Text.Alt != "Fishing boats in the harbour at dawn" || a.CreditLine != "Photo: Kari Nordmann / Fotoembed Test Agency" {
		t.Errorf("resolved %+v", a)
	}
	if got[1].Error == "" || got[1].Width != 0 {
		t.Errorf("missing asset %+v", got[1])
	}
	assertNoSecrets(t, out.String()+errb.String(), fotowebtest.ServiceClientSecret, "eyJ", "access_token")
}

func TestVersion(t *testing.T) {
	var out testutil.SyncBuffer
	if err := run(t.Context(), []string{"version"}, nil, &out, &testutil.SyncBuffer{}); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out.String(), "fotoembed ") || !strings.Contains(out.String(), "go1.") {
		t.Errorf("version %q", out.String())
	}
}
