package main

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/fotoembed/fotoembed/fotoweb/fotowebtest"
	"github.com/fotoembed/fotoembed/fotoweb/tokens"
	"github.com/fotoembed/fotoembed/internal/redistest"
)

// TestReplicasSurviveEmptyRedis: three `serve` processes on one Redis,
// each with its own token file (three hosts), logged in without a
// standby. A rotation made by one reaches every file; Redis then restarts
// empty and every replica restarts: they are still logged in, and each
// expiry costs one refresh in all.
func TestReplicasSurviveEmptyRedis(t *testing.T) {
	rs := redistest.Start(t)
	fake := fotowebtest.NewServer(fotowebtest.Options{})
	t.Cleanup(fake.Close)
	files := tokenFiles(t, 3)
	fakeLogin(t, fake, false, files...)
	assets := photoAssets(t, fake, 6)
	replicas := func() []*proc {
		var ps []*proc
		for _, f := range files {
			ps = append(ps, startServe(t, userEnv(fake, f, "FOTOEMBED_STORE", rs.URL)))
		}
		return ps
	}
	ps := replicas()

	fake.RevokeTokens() // every replica's access token is refused: the next FotoWeb request refreshes
	before := fake.TokenRequests("refresh_token")
	ps[0].mustEmbed(assets[0])
	ps[1].mustEmbed(assets[1]) // takes replica 0's token from Redis
	ps[2].mustEmbed(assets[2])
	if n := fake.TokenRequests("refresh_token") - before; n != 1 {
		t.Fatalf("%d refreshes for one expiry across three replicas, want 1", n)
	}
	for i, f := range files {
		tok, err := (&tokens.FileStore{Path: f}).Load(t.Context())
		if err != nil || !tokenWorks(t, fake, tok.AccessToken) {
			t.Errorf("token file of replica %d does not hold the rotated token: %v", i, err)
		}
	}

	rs.Kill()
	rs.Restart() // empty: no persistence
	for _, p := range ps {
		p.kill()
	}
	ps = replicas()
	fake.RevokeTokens()
	for i, p := range ps {
		p.mustEmbed(assets[3+i])
	}
	if n := fake.TokenRequests("refresh_token") - before; n != 2 {
		t.Errorf("%d refreshes in all, want 2 (one per expiry)", n)
	}
	for i, p := range ps {
		if p.logHas("login lost") || p.logHas("standby") {
			t.Errorf("replica %d fell back or lost the login:\n%s", i, p.logs.String())
		}
	}
}

// TestLoggedOutThenNewLogin: FotoWeb rejects every refresh token (revoked)
// while a service runs under load. It stops asking the token endpoint
// (two requests: the refresh token and the standby, once each), says so in
// the log, /readyz and the metrics, and picks up a new `fotoembed login`
// without a restart.
func TestLoggedOutThenNewLogin(t *testing.T) {
	fake := fotowebtest.NewServer(fotowebtest.Options{})
	t.Cleanup(fake.Close)
	file := tokenFiles(t, 1)[0]
	fakeLogin(t, fake, true, file)
	p := startServe(t, userEnv(fake, file))
	assets := photoAssets(t, fake, 30)
	p.mustEmbed(assets[0])

	fake.RevokeRefreshTokens()
	fake.RevokeTokens()
	before := fake.TokenRequests("")
	for _, a := range assets[1:21] {
		for range 10 {
			if status, _ := p.embedStatus(a); status == http.StatusOK {
				t.Fatalf("embedding %s succeeded while logged out", a)
			}
		}
	}
	if n := fake.TokenRequests("") - before; n != 2 {
		t.Errorf("%d token requests for 200 requests while logged out, want 2", n)
	}
	if n := strings.Count(p.logs.String(), "FotoWeb login lost"); n != 1 {
		t.Errorf("the lost login is logged %d times, want once:\n%s", n, p.logs.String())
	}
	if status, body := p.get("/readyz"); !strings.Contains(body, "fotoembed login") {
		t.Errorf("/readyz while logged out: %d %s", status, body)
	}
	if _, body := p.get("/metrics"); !strings.Contains(body, "fotoembed_token_login_required 1") {
		t.Errorf("metrics while logged out lack fotoembed_token_login_required 1")
	}

	fakeLogin(t, fake, true, file) // `fotoembed login` again
	// The store is read again every few seconds; poll gently.
	deadline := time.Now().Add(30 * time.Second)
	for status, _ := p.embedStatus(assets[21]); status != http.StatusOK; status, _ = p.embedStatus(assets[21]) {
		if time.Now().After(deadline) {
			t.Fatalf("the new login was not picked up within 30s:\n%s", p.logs.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
	p.waitLog("login restored")
	if _, body := p.get("/metrics"); !strings.Contains(body, "fotoembed_token_login_required 0") || !strings.Contains(body, "fotoembed_token_standby 1") {
		t.Errorf("metrics after the new login lack fotoembed_token_login_required 0 and fotoembed_token_standby 1: %s", grepLines(body, "fotoembed_token"))
	}
}

// tokenWorks reports whether FotoWeb accepts the access token.
func tokenWorks(t *testing.T, fake *fotowebtest.Server, access string) bool {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, fake.URL+"/fotoweb/me/", nil)
	req.Header.Set("Authorization", "Bearer "+access)
	req.Header.Set("Accept", "application/vnd.fotoware.full-api-descriptor+json")
	resp, err := fake.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

// TestTwoProcessesShareATokenFile: two `serve` processes on one host share
// one token file and no Redis. Each expiry finds both needing a new token
// at once; they take turns under the file's lock, so FotoWeb sees one
// refresh per expiry and neither is logged out by the other's rotation.
func TestTwoProcessesShareATokenFile(t *testing.T) {
	fake := fotowebtest.NewServer(fotowebtest.Options{})
	t.Cleanup(fake.Close)
	file := tokenFiles(t, 1)[0]
	fakeLogin(t, fake, false, file)
	a, b := startServe(t, userEnv(fake, file)), startServe(t, userEnv(fake, file))
	assets := photoAssets(t, fake, 10)
	before := fake.TokenRequests("refresh_token")
	const rounds = 5
	for i := range rounds {
		fake.RevokeTokens()
		done := make(chan struct{})
		go func() {
			defer close(done)
			b.mustEmbed(assets[2*i+1])
		}()
		a.mustEmbed(assets[2*i])
		<-done
	}
	if n := fake.TokenRequests("refresh_token") - before; n != rounds {
		t.Errorf("%d refreshes for %d expiries shared by two processes, want %d", n, rounds, rounds)
	}
	for _, p := range []*proc{a, b} {
		if p.logHas("login lost") || p.logHas("invalid_grant") {
			t.Errorf("a process was logged out by the other:\n%s", p.logs.String())
		}
	}
}

// TestKilledInTheRotationWindow: FotoWeb rotates the refresh token and the
// service is killed before the answer reaches it, so the token file keeps
// a refresh token FotoWeb no longer accepts. Restarted, the service falls
// back on the standby login: it serves, says in its log what was lost and
// what to do, and reports the missing standby in /readyz and the metrics.
func TestKilledInTheRotationWindow(t *testing.T) {
	fake := fotowebtest.NewServer(fotowebtest.Options{})
	t.Cleanup(fake.Close)
	file := tokenFiles(t, 1)[0]
	fakeLogin(t, fake, true, file)
	env := userEnv(fake, file)
	p := startServe(t, env)
	assets := photoAssets(t, fake, 3)
	p.mustEmbed(assets[0])

	rotated, release := fake.HoldNextRefresh()
	defer release()
	fake.RevokeTokens()
	go func() { // needs a new token: FotoWeb rotates and holds the answer; the kill cuts it off
		req, _ := http.NewRequest(http.MethodGet, p.base+"/v1/embed?width=400&ref="+url.QueryEscape(assets[1]), nil)
		req.Header.Set("X-API-Key", testAPIKey)
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
		}
	}()
	select {
	case <-rotated:
	case <-time.After(30 * time.Second):
		t.Fatalf("no refresh reached FotoWeb:\n%s", p.logs.String())
	}
	p.kill()
	release()

	p = startServe(t, env)
	p.mustEmbed(assets[2])
	if !p.logHas("switching to the standby login") || !p.logHas("fotoembed login") {
		t.Errorf("the restarted service does not say what was lost:\n%s", p.logs.String())
	}
	if _, body := p.get("/metrics"); !strings.Contains(body, "fotoembed_token_login_required 0") || !strings.Contains(body, "fotoembed_token_standby 0") {
		t.Errorf("metrics lack fotoembed_token_login_required 0 and fotoembed_token_standby 0")
	}
	if status, body := p.get("/readyz"); status != http.StatusOK || !strings.Contains(body, `"standby":false`) || !strings.Contains(body, "no standby login") {
		t.Errorf("/readyz without a standby: %d %s", status, body)
	}
	saved, err := (&tokens.FileStore{Path: file}).Load(t.Context())
	if sb, _ := tokens.Standby(saved); err != nil || sb != "" || !tokenWorks(t, fake, saved.AccessToken) {
		t.Errorf("token file after the fallback: %v, standby left %v", err, sb != "")
	}
}
