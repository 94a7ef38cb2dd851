package main

import (
	"bytes"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/fotoembed/fotoembed/fotoweb/fotowebtest"
	"github.com/fotoembed/fotoembed/internal/testutil"
)

// The rewrite package's fixtures: a built site, a site with placeholders
// that fail, and the pages the library makes of the site (with
// rewriteKey and rewriteBase).
var (
	rewriteTestdata = filepath.Join("..", "..", "rewrite", "testdata")
	rewritePages    = []string{"about.htm", "blog/2024/harbour/index.html", "blog/index.html", "docs/guide/deep/page.html", "index.html"}
)

const (
	rewriteKey  = "fotoembed-rewrite-test-key-0001" // the key rewrite's golden pages are signed with
	rewriteBase = "https://img.example.com"
	fotowebVar  = "{{FOTOWEB}}" // stands for the fake's origin in the fixtures
)

// copySite copies rewrite/testdata/NAME into a new temporary folder,
// putting origin in place of {{FOTOWEB}}, and returns the folder.
func copySite(t *testing.T, name, origin string) string {
	t.Helper()
	return testutil.CopyTree(t, filepath.Join(rewriteTestdata, name), fotowebVar, origin)
}

// snapshot reads every file under dir, by slash-separated path.
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		rel, _ := filepath.Rel(dir, p)
		out[filepath.ToSlash(rel)] = string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// directEnv is the environment of a build machine that resolves with
// the fake FotoWeb and signs for rewriteBase.
func directEnv(fake *fotowebtest.Server, kv ...string) []string {
	m := map[string]string{
		"FOTOEMBED_FOTOWEB_URL": fake.URL, "FOTOEMBED_CLIENT_ID": fotowebtest.ServiceClientID,
		"FOTOEMBED_CLIENT_SECRET": fotowebtest.ServiceClientSecret, "FOTOEMBED_AUTH": authClientCredentials, "FOTOEMBED_SIGNING_KEYS": rewriteKey,
		"FOTOEMBED_BASE_URL": rewriteBase,
	}
	return envOf(with(m, kv...))
}

// rewriteSecrets are the secrets the rewrite tests configure.
var rewriteSecrets = []string{rewriteKey, fotowebtest.ServiceClientSecret, "eyJ", "access_token"}

// TestRewriteEndToEnd runs `fotoembed rewrite` over the fixture site in
// both link modes, as a build would (the site folder before the flags),
// and compares the pages with the rewrite package's golden files.
func TestRewriteEndToEnd(t *testing.T) {
	for _, tc := range []struct {
		mode     string
		terminal bool
	}{{"signed", true}, {"download", false}} {
		t.Run(tc.mode, func(t *testing.T) {
			fake := fotowebtest.NewServer(fotowebtest.Options{})
			t.Cleanup(fake.Close)
			root := copySite(t, "site", fake.URL)
			before := snapshot(t, root)
			var out, errb testutil.SyncBuffer
			a := newApp(directEnv(fake, "FOTOEMBED_REWRITE_CONCURRENCY", "3"), &out, &errb)
			a.terminal = func(io.Writer) bool { return tc.terminal }
			if err := a.run(t.Context(), []string{"rewrite", root, "--mode", tc.mode}); err != nil {
				t.Fatalf("%v\n%s", err, errb.String())
			}
			after := snapshot(t, root)
			for _, p := range rewritePages {
				want, err := os.ReadFile(filepath.Join(rewriteTestdata, "golden", tc.mode, filepath.FromSlash(p)))
				if err != nil {
					t.Fatal(err)
				}
				if got := strings.ReplaceAll(after[p], fake.URL, fotowebVar); got != string(want) {
					t.Errorf("%s differs from rewrite/testdata/golden/%s/%s:\n%s", p, tc.mode, p, got)
				}
			}
			for p, b := range before {
				if !strings.HasSuffix(p, ".htm") && !strings.HasSuffix(p, ".html") && after[p] != b {
					t.Errorf("%s changed", p)
				}
			}
			if n := len(after) - len(before); tc.mode == "download" && n < 2 {
				t.Errorf("%d new files: no previews downloaded", n)
			}
			if out.String() != "" {
				t.Errorf("stdout %q, want nothing", out.String())
			}
			stderr := errb.String()
			if bar := strings.Contains(stderr, "\r\x1b[Krewrite: resolving"); bar != tc.terminal {
				t.Errorf("progress bar drawn: %v, want %v: %q", bar, tc.terminal, stderr)
			}
			if !strings.Contains(stderr, "rewrite: 6 pages, 5 with images, 5 rewritten, 14 images, 10 assets, ") {
				t.Errorf("summary missing: %q", stderr)
			}
			assertNoSecrets(t, out.String()+stderr, rewriteSecrets...)
		})
	}
}

// TestRewriteUnresolved: placeholders that fail are each printed as
// file:line: ASSET: reason, nothing is written and the exit status is 1.
func TestRewriteUnresolved(t *testing.T) {
	fake := fotowebtest.NewServer(fotowebtest.Options{})
	t.Cleanup(fake.Close)
	root := copySite(t, "broken", fake.URL)
	before := snapshot(t, root)
	var out, errb bytes.Buffer
	if code := cli([]string{"rewrite", "--mode=download", root}, directEnv(fake), &out, &errb); code != 1 {
		t.Fatalf("exit %d, want 1:\n%s", code, errb.String())
	}
	stderr := errb.String()
	want := filepath.Join(root, "a.html") + ":3: /fotoweb/archives/5001-Photos/Folder%2019/no-such-image.jpg.info: not found in FotoWeb (or not visible to this application)\n"
	if !strings.Contains(stderr, want) {
		t.Errorf("stderr lacks %q:\n%s", want, stderr)
	}
	lines := strings.Split(strings.TrimSuffix(stderr, "\n"), "\n")
	failures := 0
	for _, l := range lines {
		if strings.HasPrefix(l, filepath.Join(root, "a.html")+":") || strings.HasPrefix(l, filepath.Join(root, "sub", "b.html")+":") {
			failures++
		}
	}
	if failures != 7 || len(lines) != 9 { // 7 failures, the summary and the error
		t.Errorf("%d failures in %d lines:\n%s", failures, len(lines), stderr)
	}
	if last := lines[len(lines)-1]; last != "fotoembed: rewrite: 7 placeholders in 2 files could not be resolved; no file was changed" {
		t.Errorf("last line %q", last)
	}
	if strings.Contains(stderr, "\x1b[") {
		t.Error("progress bar drawn on a non-terminal")
	}
	after := snapshot(t, root)
	for p, b := range before {
		if after[p] != b {
			t.Errorf("%s was changed", p)
		}
	}
	assertNoSecrets(t, out.String()+stderr, rewriteSecrets...)
}

// TestRewriteThroughService runs `serve` and lets `rewrite --service`
// resolve through it with an API key from a file: first a dry run, which
// lists the pages and writes nothing, then the run.
func TestRewriteThroughService(t *testing.T) {
	fake := fotowebtest.NewServer(fotowebtest.Options{})
	t.Cleanup(fake.Close)
	srv := start(t, envOf(map[string]string{
		"FOTOEMBED_FOTOWEB_URL": fake.URL, "FOTOEMBED_AUTH": "client_credentials",
		"FOTOEMBED_CLIENT_ID": fotowebtest.ServiceClientID, "FOTOEMBED_CLIENT_SECRET": fotowebtest.ServiceClientSecret,
		"FOTOEMBED_SIGNING_KEYS": testSigningKey, "FOTOEMBED_API_KEYS": testAPIKey,
	}), "serve", "--addr", "127.0.0.1:0")
	base := srv.waitReady().URL
	keyFile := filepath.Join(t.TempDir(), "key")
	if err := os.WriteFile(keyFile, []byte(testAPIKey+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := envOf(map[string]string{"FOTOEMBED_SERVICE_URL": base, "FOTOEMBED_API_KEY_FILE": keyFile, "FOTOEMBED_FOTOWEB_URL": fake.URL})
	root := copySite(t, "site", fake.URL)
	before := snapshot(t, root)

	var out, errb testutil.SyncBuffer
	if err := run(t.Context(), []string{"rewrite", "--dry-run", root}, env, &out, &errb); err != nil {
		t.Fatalf("%v\n%s", err, errb.String())
	}
	if lines := strings.Split(strings.TrimSpace(out.String()), "\n"); len(lines) != len(rewritePages) {
		t.Errorf("stdout lists %d pages, want %d:\n%s", len(lines), len(rewritePages), out.String())
	}
	if !strings.Contains(errb.String(), "5 to rewrite") {
		t.Errorf("summary %q", errb.String())
	}
	for p, b := range snapshot(t, root) {
		if before[p] != b {
			t.Errorf("the dry run changed %s", p)
		}
	}

	out, errb = testutil.SyncBuffer{}, testutil.SyncBuffer{}
	if err := run(t.Context(), []string{"rewrite", root}, env, &out, &errb); err != nil {
		t.Fatalf("%v\n%s", err, errb.String())
	}
	page := snapshot(t, root)["index.html"]
	golden, err := os.ReadFile(filepath.Join(rewriteTestdata, "golden", "signed", "index.html"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(page, `src="`+base+`/i/`) || strings.Count(page, "fotoweb:") != strings.Count(string(golden), "fotoweb:") {
		t.Errorf("index.html does not link the service's signed URLs in place of every placeholder:\n%s", page)
	}
	assertNoSecrets(t, out.String()+errb.String()+page, rewriteSecrets...)
}

// TestRewriteUsage checks that every problem is named at once, that
// command-line mistakes exit 2 and bad configuration 1, and that no
// secret is ever printed.
func TestRewriteUsage(t *testing.T) {
	keyFile := filepath.Join(t.TempDir(), "key")
	if err := os.WriteFile(keyFile, []byte(testAPIKey), 0o600); err != nil {
		t.Fatal(err)
	}
	site := t.TempDir()
	tests := []struct {
		name string
		env  map[string]string
		args []string
		code int
		want []string
	}{
		{"no site folder", nil, nil, 2, []string{"give the site folder", "Run 'fotoembed rewrite -h'"}},
		{"two site folders", nil, []string{"a", "--dry-run", "b"}, 2, []string{"give one site folder, not 2 (a, b)"}},
		{"unknown flag", nil, []string{"--bogus", site}, 2, []string{"flag provided but not defined: -bogus"}},
		{"secret as a flag", nil, []string{site, "--api-key=" + testAPIKey}, 2, []string{"--api-key: secrets are not accepted as flags"}},
		{"nothing set", nil, []string{site}, 1, []string{"--fotoweb-url is required", "--client-id is required",
			"fotoembed login", "FOTOEMBED_SIGNING_KEYS", "--base-url", "--service URL"}},
		{"bad values", map[string]string{"FOTOEMBED_REWRITE_CONCURRENCY": "many", "FOTOEMBED_REWRITE_MAX_AGE": "1 day"},
			[]string{site, "--mode", "copy", "--ext", ","}, 1, []string{`FOTOEMBED_REWRITE_CONCURRENCY="many"`,
				`FOTOEMBED_REWRITE_MAX_AGE="1 day"`, `--mode "copy"`, "--ext is empty"}},
		{"service without key", map[string]string{"FOTOEMBED_SERVICE_URL": "https://img.example.com"}, []string{site, "--expires", "24h"},
			1, []string{"FOTOEMBED_API_KEY", "--expires cannot be used with --service"}},
		{"short key, bad base URL", map[string]string{"FOTOEMBED_SIGNING_KEYS": "shrtKEY", "FOTOEMBED_FOTOWEB_URL": "https://x.example",
			"FOTOEMBED_CLIENT_ID": "a", "FOTOEMBED_CLIENT_SECRET": testSecret, "FOTOEMBED_BASE_URL": "img.example.com"}, []string{site},
			1, []string{"signing key 1 of 1 is 7 bytes", `--base-url "img.example.com"`}},
		{"secret twice", map[string]string{"FOTOEMBED_API_KEY": testAPIKey, "FOTOEMBED_SERVICE_URL": "https://s.example"},
			[]string{"--api-key-file", keyFile, site}, 1, []string{"set FOTOEMBED_API_KEY or --api-key-file, not both"}},
		{"bad service URL", map[string]string{"FOTOEMBED_API_KEY": testAPIKey, "FOTOEMBED_SERVICE_URL": "https://user:" + testSecret + "@s.example/?k=1"},
			[]string{site}, 1, []string{"--service \"https://REDACTED@s.example/?…\" must be"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			code := cli(append([]string{"rewrite"}, tt.args...), envOf(tt.env), &out, &errb)
			if tt.name == "secret twice" && strings.Contains(errb.String(), "needs an API key") {
				t.Errorf("a key set twice is also called missing:\n%s", errb.String())
			}
			if code != tt.code {
				t.Errorf("exit %d, want %d:\n%s", code, tt.code, errb.String())
			}
			for _, w := range tt.want {
				if !strings.Contains(errb.String(), w) {
					t.Errorf("stderr lacks %q:\n%s", w, errb.String())
				}
			}
			assertNoSecrets(t, out.String()+errb.String())
		})
	}
}

func TestRewriteHelp(t *testing.T) {
	var out, errb bytes.Buffer
	if code := cli([]string{"rewrite", "-h"}, nil, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	for _, want := range []string{"Usage: fotoembed rewrite [flags] SITE_DIR", "data-fotoweb-figure", "--base-url URL",
		"--mode signed|download|export", "FOTOEMBED_SIGNING_KEYS", "FOTOEMBED_REWRITE_CONCURRENCY", "env FOTOEMBED_AUTH, default user",
		"--export-ledger file", "FOTOEMBED_EXPORT_LEDGER", "--export-preset href", "--site-url URL", "FOTOEMBED_SITE_URL"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("help lacks %q:\n%s", want, out.String())
		}
	}
}

// exportEnv is the environment of a build machine that exports with the
// fake FotoWeb: its credentials and a ledger file, no signing keys and no
// base URL.
func exportEnv(fake *fotowebtest.Server, ledger string) []string {
	return envOf(map[string]string{
		"FOTOEMBED_FOTOWEB_URL": fake.URL, "FOTOEMBED_CLIENT_ID": fotowebtest.ServiceClientID,
		"FOTOEMBED_CLIENT_SECRET": fotowebtest.ServiceClientSecret, "FOTOEMBED_AUTH": authClientCredentials, "FOTOEMBED_EXPORT_LEDGER": ledger,
	})
}

// linkedURL finds the URLs in src and srcset attributes.
var linkedURL = regexp.MustCompile(`(?:src|srcset)="([^"]*)"`)

// TestRewriteExport runs `fotoembed rewrite --mode export` without
// signing keys or base URL: the pages link public export URLs only, each
// export names its page, and a second run over a fresh copy of the site
// (without the record) exports nothing again thanks to the ledger file.
func TestRewriteExport(t *testing.T) {
	fake := fotowebtest.NewServer(fotowebtest.Options{})
	t.Cleanup(fake.Close)
	ledger := filepath.Join(t.TempDir(), "state", "exports.db")
	const site = "https://www.example.org/"
	root := copySite(t, "site", fake.URL)
	var out, errb testutil.SyncBuffer
	if err := run(t.Context(), []string{"rewrite", root, "--mode", "export", "--site-url", site}, exportEnv(fake, ledger), &out, &errb); err != nil {
		t.Fatalf("%v\n%s", err, errb.String())
	}
	first := snapshot(t, root)
	for _, p := range rewritePages {
		page := first[p]
		if strings.Contains(page, "/i/") || strings.Contains(page, "access_token") || !strings.Contains(page, fake.URL+"/fotoweb/embed/") {
			t.Errorf("%s does not link public export URLs only:\n%s", p, page)
		}
		for _, m := range linkedURL.FindAllStringSubmatch(page, -1) {
			for _, cand := range strings.Split(m[1], ", ") {
				if u := strings.Fields(cand)[0]; strings.HasPrefix(u, "http") && !strings.HasPrefix(u, fake.URL+"/fotoweb/embed/") {
					t.Errorf("%s links %s", p, u)
				}
			}
		}
	}
	made := fake.ExportRequests()
	if made == 0 {
		t.Fatal("no export made")
	}
	for _, x := range fake.Exports() {
		if !strings.HasPrefix(x.Publication, site) {
			t.Errorf("export of %s published at %q", x.Asset, x.Publication)
		}
	}
	if fi, err := os.Stat(ledger); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("ledger file: %v, %v", fi, err)
	}
	if !strings.Contains(errb.String(), "rewrite: 6 pages, 5 with images, 5 rewritten, 14 images, 10 assets, ") {
		t.Errorf("summary missing: %q", errb.String())
	}
	assertNoSecrets(t, out.String()+errb.String(), rewriteSecrets...)

	again := copySite(t, "site", fake.URL)
	errb = testutil.SyncBuffer{}
	if err := run(t.Context(), []string{"rewrite", "--mode=export", "--no-cache", "--site-url", site, again}, exportEnv(fake, ledger), &out, &errb); err != nil {
		t.Fatalf("second run: %v\n%s", err, errb.String())
	}
	if n := fake.ExportRequests() - made; n != 0 {
		t.Errorf("the second run made %d new EXPORT requests", n)
	}
	second := snapshot(t, again)
	for _, p := range rewritePages {
		if second[p] != first[p] {
			t.Errorf("%s differs in the second run", p)
		}
	}
}

// TestRewriteExportUsage: export mode asks for no signing keys and no
// base URL, and names every problem of its own flags at once.
func TestRewriteExportUsage(t *testing.T) {
	site := t.TempDir()
	fw := map[string]string{"FOTOEMBED_FOTOWEB_URL": "https://x.example", "FOTOEMBED_CLIENT_ID": "a", "FOTOEMBED_CLIENT_SECRET": testSecret}
	tests := []struct {
		name       string
		env        map[string]string
		args       []string
		want, lack []string
	}{
		{"nothing set", nil, []string{site, "--mode", "export"},
			[]string{"--fotoweb-url is required", "--client-id is required", "--mode export needs --export-ledger"},
			[]string{"FOTOEMBED_SIGNING_KEYS", "--base-url"}},
		{"bad values", with(fw, "FOTOEMBED_EXPORT_LEDGER", filepath.Join(site, "x.db"), "FOTOEMBED_SITE_URL", "www.example.org"),
			[]string{site, "--mode=export", "--expires", "24h"},
			[]string{`--site-url "www.example.org" must be`, "--expires cannot be used with --mode export"},
			[]string{"FOTOEMBED_SIGNING_KEYS", "--base-url", "--export-ledger"}},
		{"service with a preset", map[string]string{"FOTOEMBED_SERVICE_URL": "https://img.example.com", "FOTOEMBED_API_KEY": testAPIKey},
			[]string{site, "--mode", "export", "--export-preset", "/fotoweb/me/presets/exports/1"},
			[]string{"--export-preset cannot be used with --service"},
			[]string{"--export-ledger", "--expires"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			if code := cli(append([]string{"rewrite"}, tt.args...), envOf(tt.env), &out, &errb); code != 1 {
				t.Errorf("exit %d, want 1:\n%s", code, errb.String())
			}
			for _, w := range tt.want {
				if !strings.Contains(errb.String(), w) {
					t.Errorf("stderr lacks %q:\n%s", w, errb.String())
				}
			}
			for _, w := range tt.lack {
				if strings.Contains(errb.String(), w) {
					t.Errorf("stderr mentions %q:\n%s", w, errb.String())
				}
			}
			assertNoSecrets(t, out.String()+errb.String())
		})
	}
}
