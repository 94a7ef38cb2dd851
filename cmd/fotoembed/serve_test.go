package main

import (
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/fotoembed/fotoembed/fotoweb/fotowebtest"
	"github.com/fotoembed/fotoembed/internal/testutil"
)

// TestServeEndToEnd runs the real `serve` wiring on 127.0.0.1:0 against
// the fake FotoWeb with a client-credentials token and proxy delivery:
// web UI, HTML snippet, a signed image streamed as a real JPEG, and a
// graceful shutdown that lets an in-flight image request finish.
func TestServeEndToEnd(t *testing.T) {
	fake := fotowebtest.NewServer(fotowebtest.Options{})
	t.Cleanup(fake.Close)
	env := fakeEnv(fake, "FOTOEMBED_SHUTDOWN_TIMEOUT", "20s", "FOTOEMBED_LOG_LEVEL", "debug")
	r := start(t, env, "serve", "--addr", "127.0.0.1:0")
	base := r.waitReady().URL
	if !strings.HasPrefix(base, "http://127.0.0.1:") || strings.HasSuffix(base, ":0") {
		t.Fatalf("base URL %q", base)
	}

	if resp, body := get(t, noRedirect, base+"/"); resp.StatusCode != http.StatusOK || !strings.Contains(body, "<!DOCTYPE html>") {
		t.Fatalf("web UI: %d %.200s", resp.StatusCode, body)
	}
	embedURL := base + "/v1/embed?width=600&ref=" + url.QueryEscape(fotowebtest.LandscapeAsset)
	if resp, _ := get(t, noRedirect, embedURL); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("/v1/embed without API key: %d", resp.StatusCode)
	}
	resp, html := get(t, noRedirect, embedURL, "X-API-Key", testAPIKey)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("/v1/embed: %d %s", resp.StatusCode, html)
	}
	src := imgSrc(t, html)
	if !strings.HasPrefix(src, base+"/i/") {
		t.Fatalf("src %q is not a signed URL of the service", src)
	}
	resp, img := get(t, noRedirect, src)
	assertJPEG(t, resp, img) // proxy: the bytes themselves, no redirect
	if strings.Contains(html, "access_token") || resp.Header.Get("Location") != "" {
		t.Error("proxy delivery exposed a token or redirected")
	}

	// Keep one image request in flight (the fake answers previews slowly),
	// then stop the service: the request must still complete.
	fake.SetFault("/fotoweb/cache/", fotowebtest.Fault{Latency: 700 * time.Millisecond})
	before := fake.CountPrefix("/fotoweb/cache/")
	type result struct {
		resp *http.Response
		body []byte
		err  error
	}
	inflight := make(chan result, 1)
	go func() {
		var res result
		if res.resp, res.err = noRedirect.Get(src); res.err == nil {
			res.body, res.err = io.ReadAll(res.resp.Body)
			res.resp.Body.Close()
		}
		inflight <- res
	}()
	testutil.WaitFor(t, 10*time.Second, "the image request to reach FotoWeb", func() bool { return fake.CountPrefix("/fotoweb/cache/") > before })
	if err := r.stop(); err != nil {
		t.Fatalf("serve after cancel: %v", err)
	}
	res := <-inflight
	if res.err != nil {
		t.Fatalf("in-flight request cut off by the shutdown: %v", res.err)
	}
	assertJPEG(t, res.resp, string(res.body))
	if _, err := net.DialTimeout("tcp", strings.TrimPrefix(base, "http://"), time.Second); err == nil {
		t.Error("still accepting connections after shutdown")
	}

	logs := r.stdout.String() + r.stderr.String()
	for _, w := range []string{"fotoembed listening", "shutting down", "stopped"} {
		if !strings.Contains(logs, w) {
			t.Errorf("log lacks %q", w)
		}
	}
	assertNoSecrets(t, logs, fotowebtest.ServiceClientSecret, "eyJ", "access_token=")
}

// TestServeRefusesAdminTokenInURLs checks the start-up refusal end to end.
func TestServeRefusesAdminTokenInURLs(t *testing.T) {
	env := with(validEnv(), "FOTOEMBED_DELIVERY", "redirect", "FOTOEMBED_URL_TOKEN", "access")
	err := run(t.Context(), []string{"serve", "--addr", "127.0.0.1:0"}, envOf(env), &testutil.SyncBuffer{}, &testutil.SyncBuffer{})
	if err == nil || !strings.Contains(err.Error(), "--i-understand-admin-token-in-urls") {
		t.Fatalf("serve with redirect and client credentials: %v", err)
	}
	assertNoSecrets(t, err.Error())
}

// TestDemoEndToEnd runs `demo` on free ports as a user would: the printed
// addresses, the web UI, /v1/embed with the demo key, a signed URL
// redirecting to the fake FotoWeb with a user token, real JPEG bytes, and
// a clean stop that leaves nothing behind.
func TestDemoEndToEnd(t *testing.T) {
	tmp := t.TempDir()
	r := start(t, []string{"TMPDIR=" + tmp}, "demo", "--addr", "127.0.0.1:0", "--fotoweb-addr", "127.0.0.1:0")
	info := r.waitReady()
	out := r.stdout.String()
	for _, w := range []string{
		info.URL + "/#key=" + info.APIKey,
		"API key:       " + info.APIKey,
		"curl -H 'X-API-Key: " + info.APIKey + "' '" + info.URL + "/v1/embed?ref=",
		info.FotoWebURL,
	} {
		if !strings.Contains(out, w) {
			t.Errorf("demo output lacks %q:\n%s", w, out)
		}
	}
	if len(info.APIKey) < 16 || strings.HasSuffix(info.URL, ":0") || strings.HasSuffix(info.FotoWebURL, ":0") {
		t.Fatalf("ready info %+v", info)
	}
	dirs, _ := filepath.Glob(filepath.Join(tmp, "fotoembed-demo-*", "token.json"))
	if len(dirs) != 1 {
		t.Fatalf("token files in TMPDIR: %v", dirs)
	}
	if st, err := os.Stat(dirs[0]); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("token file: %v %v", st.Mode(), err)
	}

	if resp, body := get(t, noRedirect, info.URL+"/"); resp.StatusCode != http.StatusOK || !strings.Contains(body, "demo") {
		t.Fatalf("web UI: %d %.300s", resp.StatusCode, body)
	}
	resp, html := get(t, noRedirect, info.URL+"/v1/embed?width=600&ref="+url.QueryEscape(fotowebtest.PortraitAsset), "X-API-Key", info.APIKey)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("/v1/embed: %d %s", resp.StatusCode, html)
	}
	src := imgSrc(t, html)
	resp, _ = get(t, noRedirect, src)
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusFound || !strings.HasPrefix(loc, info.FotoWebURL+"/") || !strings.Contains(loc, "access_token=") {
		t.Fatalf("signed URL answered %d Location %q", resp.StatusCode, loc)
	}
	resp, img := get(t, http.DefaultClient, src)
	assertJPEG(t, resp, img)

	if err := r.stop(); err != nil {
		t.Fatalf("demo after cancel: %v", err)
	}
	if left, _ := os.ReadDir(tmp); len(left) != 0 {
		t.Errorf("demo left %d entries in TMPDIR", len(left))
	}
}

// TestDemoPortInUse checks that a busy port names itself and its flag.
func TestDemoPortInUse(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	busy := ln.Addr().String()
	for _, tc := range []struct{ flag, other string }{{"--addr", "--fotoweb-addr"}, {"--fotoweb-addr", "--addr"}} {
		err := run(t.Context(), []string{"demo", tc.flag, busy, tc.other, "127.0.0.1:0"}, []string{"TMPDIR=" + t.TempDir()}, &testutil.SyncBuffer{}, &testutil.SyncBuffer{})
		if err == nil || !strings.Contains(err.Error(), busy) || !strings.Contains(err.Error(), "already in use") ||
			!strings.Contains(err.Error(), "choose another with "+tc.flag) {
			t.Errorf("%s on a busy port: %v", tc.flag, err)
		}
	}
}

// TestDemoOtherCommands: the settings file the demo prints lets sign,
// resolve and doctor work against it; the signed URL sign prints is
// served by the demo; the output shows no signing key.
func TestDemoOtherCommands(t *testing.T) {
	r := start(t, []string{"TMPDIR=" + t.TempDir()}, "demo", "--addr", "127.0.0.1:0", "--fotoweb-addr", "127.0.0.1:0")
	info := r.waitReady()
	m := regexp.MustCompile(`set -a; \. (\S+); set \+a`).FindStringSubmatch(r.stdout.String())
	if m == nil {
		t.Fatalf("the demo does not say where its settings are:\n%s", r.stdout.String())
	}
	b, err := os.ReadFile(m[1])
	if err != nil {
		t.Fatal(err)
	}
	if st, _ := os.Stat(m[1]); st.Mode().Perm() != 0o600 {
		t.Errorf("settings file mode %v", st.Mode().Perm())
	}
	env := strings.Split(strings.TrimSpace(string(b)), "\n")
	keysFile := strings.TrimSpace(strings.TrimPrefix(grepLines(string(b), "FOTOEMBED_SIGNING_KEYS_FILE="), "FOTOEMBED_SIGNING_KEYS_FILE="))
	keys, _ := os.ReadFile(keysFile)
	if len(keys) < 16 || strings.Contains(r.stdout.String(), strings.TrimSpace(string(keys))) {
		t.Errorf("the signing key is missing from its file or printed")
	}
	var out, errb testutil.SyncBuffer
	if err := run(t.Context(), []string{"sign", "--width", "600", fotowebtest.LandscapeAsset}, env, &out, &errb); err != nil {
		t.Fatalf("sign: %v %s", err, errb.String())
	}
	signed := strings.TrimSpace(out.String())
	if !strings.HasPrefix(signed, info.URL+"/i/") {
		t.Fatalf("sign printed %q", signed)
	}
	if resp, _ := get(t, noRedirect, signed); resp.StatusCode != http.StatusFound {
		t.Errorf("the demo answers the signed URL with %d", resp.StatusCode)
	}
	out, errb = testutil.SyncBuffer{}, testutil.SyncBuffer{}
	if err := run(t.Context(), []string{"resolve", fotowebtest.LandscapeAsset}, env, &out, &errb); err != nil || !strings.Contains(out.String(), `"width": 5472`) {
		t.Errorf("resolve: %v %s %s", err, out.String(), errb.String())
	}
}
