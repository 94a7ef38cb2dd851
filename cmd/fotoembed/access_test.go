package main

import (
	"encoding/json"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fotoembed/fotoembed/fotoweb/fotowebtest"
	"github.com/fotoembed/fotoembed/internal/redistest"
	"github.com/fotoembed/fotoembed/internal/testutil"
)

// readyPolicy returns the URL token policy /readyz reports.
func readyPolicy(t *testing.T, base string) string {
	t.Helper()
	_, body := get(t, noRedirect, base+"/readyz")
	var r struct {
		URLToken struct {
			Policy string `json:"policy"`
		} `json:"url_token"`
	}
	if err := json.Unmarshal([]byte(body), &r); err != nil {
		t.Fatalf("readyz %q: %v", body, err)
	}
	return r.URLToken.Policy
}

// TestServeURLTokenAuto: with redirect delivery and --url-token auto (the
// default), serve finds the narrowest form the instance accepts, even
// with a client-credentials token; when only the access token works, a
// client-credentials token is refused at start.
func TestServeURLTokenAuto(t *testing.T) {
	tests := []struct {
		rule fotowebtest.PreviewAuthMode
		want string // policy, or "" for a refusal to start
	}{
		{fotowebtest.PreviewAuthAny, "preview"},
		{fotowebtest.PreviewAuthNone, "none"},
		{fotowebtest.PreviewAuthAccessToken, ""},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			fake := fotowebtest.NewServer(fotowebtest.Options{PreviewAuth: tt.rule})
			t.Cleanup(fake.Close)
			r := start(t, fakeEnv(fake, "FOTOEMBED_DELIVERY", "redirect"), "serve", "--addr", "127.0.0.1:0")
			if tt.want == "" {
				err := r.wait()
				if err == nil || !strings.Contains(err.Error(), "--i-understand-admin-token-in-urls") {
					t.Fatalf("serve: %v, want the admin-token refusal", err)
				}
				assertNoSecrets(t, err.Error()+r.stderr.String(), fotowebtest.ServiceClientSecret, "eyJ")
				return
			}
			base := r.waitReady().URL
			if got := readyPolicy(t, base); got != tt.want {
				t.Errorf("policy %q, want %q", got, tt.want)
			}
			resp, img := get(t, http.DefaultClient, base+landscapePath(t, base))
			assertJPEG(t, resp, img)
			if logs := r.stderr.String(); !strings.Contains(logs, `msg="URL token policy" policy=`+tt.want) {
				t.Errorf("start-up log does not say the policy:\n%s", logs)
			}
		})
	}
}

// TestServeReadOnlyCheck: --url-token access with a user's token starts
// only when FotoWeb says the user is read-only, or when the operator
// acknowledges the risk.
func TestServeReadOnlyCheck(t *testing.T) {
	fake := fotowebtest.NewServer(fotowebtest.Options{})
	t.Cleanup(fake.Close)
	env := func(tok string, kv ...string) []string {
		return fakeEnv(fake, append([]string{"FOTOEMBED_AUTH", "static", "FOTOEMBED_STATIC_TOKEN", tok,
			"FOTOEMBED_DELIVERY", "redirect", "FOTOEMBED_URL_TOKEN", "access"}, kv...)...)
	}
	editor := start(t, env(fake.UserToken()), "serve", "--addr", "127.0.0.1:0")
	err := editor.wait()
	if err == nil || !strings.Contains(err.Error(), "not read-only") || !strings.Contains(err.Error(), "EditText") ||
		!strings.Contains(err.Error(), "--i-understand-writable-token-in-urls") {
		t.Fatalf("editor: %v, want a refusal naming the rights and the flag", err)
	}
	assertNoSecrets(t, err.Error()+editor.stderr.String(), fake.UserToken())

	viewer := start(t, env(fake.ReadOnlyUserToken()), "serve", "--addr", "127.0.0.1:0")
	if got := readyPolicy(t, viewer.waitReady().URL); got != "access" {
		t.Errorf("viewer: policy %q", got)
	}
	acked := start(t, env(fake.UserToken(), "FOTOEMBED_ALLOW_WRITABLE_TOKEN_IN_URLS", "1"), "serve", "--addr", "127.0.0.1:0")
	acked.waitReady()
}

// TestServeExportDelivery: --delivery export answers signed URLs with the
// public export URL; a restart with the same ledger file exports nothing
// again; three replicas on one Redis make one export per image.
func TestServeExportDelivery(t *testing.T) {
	fake := fotowebtest.NewServer(fotowebtest.Options{})
	t.Cleanup(fake.Close)
	ledger := filepath.Join(t.TempDir(), "ledger", "exports.db")
	env := fakeEnv(fake, "FOTOEMBED_DELIVERY", "export", "FOTOEMBED_EXPORT_LEDGER", ledger)
	locate := func(base, path string) string {
		t.Helper()
		resp, _ := get(t, noRedirect, base+path)
		loc := resp.Header.Get("Location")
		if resp.StatusCode != http.StatusFound || !strings.HasPrefix(loc, fake.URL+"/fotoweb/embed/") {
			t.Fatalf("signed URL: %d to %q", resp.StatusCode, loc)
		}
		return loc
	}
	first := start(t, env, "serve", "--addr", "127.0.0.1:0")
	base := first.waitReady().URL
	path := landscapePath(t, base)
	loc := locate(base, path)
	resp, img := get(t, http.DefaultClient, loc)
	assertJPEG(t, resp, img)
	made := fake.ExportRequests()
	if err := first.stop(); err != nil {
		t.Fatal(err)
	}
	second := start(t, env, "serve", "--addr", "127.0.0.1:0")
	base = second.waitReady().URL
	if got := locate(base, path); got != loc {
		t.Errorf("after a restart the image moved from %q to %q", loc, got)
	}
	if n := fake.ExportRequests(); n != made {
		t.Errorf("a restart made %d more exports", n-made)
	}
	if _, err := open2(t, env); err == nil {
		t.Error("a second process opened the ledger file in use")
	}

	rs := redistest.Start(t)
	renv := fakeEnv(fake, "FOTOEMBED_DELIVERY", "export", "FOTOEMBED_STORE", rs.URL)
	var bases []string
	for range 3 {
		bases = append(bases, start(t, renv, "serve", "--addr", "127.0.0.1:0").waitReady().URL)
	}
	rpath := landscapePath(t, bases[0]) // the Redis ledger has no record of it
	before := fake.ExportRequests()
	locs := make(chan string, len(bases))
	gate := make(chan struct{})
	for _, b := range bases {
		go func() {
			<-gate
			req, _ := http.NewRequest(http.MethodGet, b+rpath, nil)
			resp, err := noRedirect.Do(req)
			if err != nil {
				locs <- "error: " + err.Error()
				return
			}
			resp.Body.Close()
			locs <- resp.Header.Get("Location")
		}()
	}
	close(gate)
	var got []string
	for range bases {
		got = append(got, <-locs)
	}
	for _, l := range got {
		if l != got[0] || !strings.HasPrefix(l, fake.URL+"/fotoweb/embed/") {
			t.Fatalf("replicas answered %q", got)
		}
	}
	if n := fake.ExportRequests() - before; n != 1 {
		t.Errorf("three replicas made %d exports of one image, want 1", n)
	}
}

// open2 runs a second serve on env and returns its start-up error.
func open2(t *testing.T, env []string) (string, error) {
	t.Helper()
	var out testutil.SyncBuffer
	err := run(t.Context(), []string{"serve", "--addr", "127.0.0.1:0"}, env, &out, &out)
	return out.String(), err
}

// TestServeExportPreset: a preset FotoWeb has is sent with every export;
// one it does not have stops the start with a message naming it.
func TestServeExportPreset(t *testing.T) {
	fake := fotowebtest.NewServer(fotowebtest.Options{})
	t.Cleanup(fake.Close)
	dir := t.TempDir()
	bad := start(t, fakeEnv(fake, "FOTOEMBED_DELIVERY", "export", "FOTOEMBED_EXPORT_LEDGER", filepath.Join(dir, "a.db"),
		"FOTOEMBED_EXPORT_PRESET", "/fotoweb/me/presets/exports/000000000000000000000000"), "serve", "--addr", "127.0.0.1:0")
	if err := bad.wait(); err == nil || !strings.Contains(err.Error(), "--export-preset") {
		t.Fatalf("unknown preset: %v", err)
	}
	good := start(t, fakeEnv(fake, "FOTOEMBED_DELIVERY", "export", "FOTOEMBED_EXPORT_LEDGER", filepath.Join(dir, "b.db"),
		"FOTOEMBED_EXPORT_PRESET", fotowebtest.WebPreset, "FOTOEMBED_PUBLICATION", "https://www.example.org/"), "serve", "--addr", "127.0.0.1:0")
	base := good.waitReady().URL
	resp, _ := get(t, noRedirect, base+landscapePath(t, base))
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("signed URL: %d", resp.StatusCode)
	}
	xs := fake.Exports()
	if len(xs) != 1 || xs[0].Preset != fotowebtest.WebPreset || xs[0].Publication != "https://www.example.org/" {
		t.Errorf("exports %+v, want one with the preset and the publication", xs)
	}
}
