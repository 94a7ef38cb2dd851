package rewrite_test

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fotoembed/fotoembed/fotoweb/fotowebtest"
	"github.com/fotoembed/fotoembed/rewrite"
)

// envOf turns key/value pairs into Command's env function.
func envOf(kv ...string) func(string) string {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return func(k string) string { return m[k] }
}

// directEnv is the environment of a build machine that talks to fake.
func directEnv(fake *fotowebtest.Server, extra ...string) func(string) string {
	return envOf(append([]string{
		"FOTOEMBED_FOTOWEB_URL", fake.URL, "FOTOEMBED_CLIENT_ID", fotowebtest.ServiceClientID,
		"FOTOEMBED_CLIENT_SECRET", fotowebtest.ServiceClientSecret, "FOTOEMBED_SIGNING_KEYS", testKey,
		"FOTOEMBED_BASE_URL", testBase,
	}, extra...)...)
}

// command runs Command and returns its stdout and stderr.
func command(t *testing.T, env func(string) string, args ...string) (string, string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := rewrite.Command(context.Background(), args, env, &out, &errOut)
	return out.String(), errOut.String(), err
}

func TestCommandHelp(t *testing.T) {
	out, _, err := command(t, envOf(), "-h")
	if !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("err = %v, want flag.ErrHelp", err)
	}
	for _, want := range []string{"Usage: fotoembed rewrite", "--base-url URL", "FOTOEMBED_SIGNING_KEYS", "FOTOEMBED_REWRITE_CONCURRENCY", "--mode signed|download"} {
		if !strings.Contains(out, want) {
			t.Errorf("help lacks %q", want)
		}
	}
}

// TestCommandUsage checks that every problem is named at once.
func TestCommandUsage(t *testing.T) {
	tests := []struct {
		name string
		env  func(string) string
		args []string
		want []string
	}{
		{"nothing set", envOf(), nil, []string{"give the site folder", "FOTOEMBED_FOTOWEB_URL", "--client-id is required",
			"client secret is required", "FOTOEMBED_SIGNING_KEYS", "--base-url"}},
		{"bad values", envOf("FOTOEMBED_REWRITE_CONCURRENCY", "many", "FOTOEMBED_REWRITE_MAX_AGE", "1 day"),
			[]string{"a", "b", "--mode", "copy"}, []string{`FOTOEMBED_REWRITE_CONCURRENCY="many"`, `FOTOEMBED_REWRITE_MAX_AGE="1 day"`,
				"one site folder, not 2 (a, b)", `--mode "copy"`}},
		{"service without key", envOf("FOTOEMBED_SERVICE_URL", "https://img.example.com"), []string{"public", "--expires", "24h"},
			[]string{"FOTOEMBED_API_KEY", "--expires cannot be used with --service"}},
		{"short key", envOf("FOTOEMBED_SIGNING_KEYS", "short", "FOTOEMBED_FOTOWEB_URL", "https://x", "FOTOEMBED_CLIENT_ID", "a",
			"FOTOEMBED_CLIENT_SECRET", "b", "FOTOEMBED_BASE_URL", "img.example.com"), []string{"public"},
			[]string{"signing key 1 of 1 is 5 bytes", `--base-url "img.example.com"`}},
		{"secret twice", envOf("FOTOEMBED_API_KEY", "k", "FOTOEMBED_SERVICE_URL", "https://s"), []string{"--api-key-file", "/nonexistent", "public"},
			[]string{"set FOTOEMBED_API_KEY or --api-key-file, not both"}},
		{"unknown flag", envOf(), []string{"--bogus"}, []string{"flag provided but not defined: -bogus"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := command(t, tt.env, tt.args...)
			if !errors.Is(err, rewrite.ErrUsage) {
				t.Fatalf("err = %v, want ErrUsage", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q:\n%v", w, err)
				}
			}
		})
	}
}

// TestCommandRun runs the command as a build would, flags after the site
// folder, and checks the pages, the summary and the progress bar.
func TestCommandRun(t *testing.T) {
	defer rewrite.SetTerminal(true)()
	fake := newFake(t, fotowebtest.Options{})
	root := copySite(t, "site", fake.URL)
	out, errOut, err := command(t, directEnv(fake, "FOTOEMBED_REWRITE_CONCURRENCY", "3"), root, "--mode", "signed")
	if err != nil {
		t.Fatalf("%v\n%s", err, errOut)
	}
	got := snapshot(t, root)
	for _, p := range changedPages {
		golden(t, "signed/"+p, got[p].data, fake.URL)
	}
	if out != "" {
		t.Errorf("stdout %q, want nothing", out)
	}
	if !strings.Contains(errOut, "\r\x1b[Krewrite: resolving") {
		t.Errorf("no progress bar on a terminal: %q", errOut)
	}
	if !strings.Contains(errOut, "rewrite: 6 pages, 5 rewritten, 14 images, 10 assets, 10 upstream calls, 0 downloads, ") {
		t.Errorf("summary missing: %q", errOut)
	}
}

// TestCommandFailures prints each failure as file:line: ASSET: reason.
func TestCommandFailures(t *testing.T) {
	fake := newFake(t, fotowebtest.Options{})
	root := copySite(t, "broken", fake.URL)
	_, errOut, err := command(t, directEnv(fake), "--mode=download", root)
	if !errors.Is(err, rewrite.ErrUnresolved) {
		t.Fatalf("err = %v, want ErrUnresolved", err)
	}
	want := filepath.Join(root, "a.html") + ":3: /fotoweb/archives/5001-Photos/Folder%2019/no-such-image.jpg.info: not found in FotoWeb"
	if !strings.Contains(errOut, want+" (or not visible to this application)\n") {
		t.Errorf("stderr lacks %q:\n%s", want, errOut)
	}
	if n := strings.Count(errOut, "\n"); n != 8 { // 7 failures and the summary
		t.Errorf("%d lines on stderr:\n%s", n, errOut)
	}
	if strings.Contains(errOut, "\x1b[") {
		t.Error("progress bar drawn on a non-terminal")
	}
}

// TestCommandServiceDryRun uses a service with the API key from a file
// and lists the pages a dry run would change.
func TestCommandServiceDryRun(t *testing.T) {
	fake := newFake(t, fotowebtest.Options{})
	svc := newService(t, fake, testBase)
	keyFile := filepath.Join(t.TempDir(), "key")
	must(t, os.WriteFile(keyFile, []byte(testAPIKey+"\n"), 0o600))
	root := copySite(t, "site", fake.URL)
	before := snapshot(t, root)
	out, errOut, err := command(t, envOf("FOTOEMBED_SERVICE_URL", svc, "FOTOEMBED_API_KEY_FILE", keyFile), "--dry-run", root)
	if err != nil {
		t.Fatalf("%v\n%s", err, errOut)
	}
	if lines := strings.Split(strings.TrimSpace(out), "\n"); len(lines) != len(changedPages) {
		t.Errorf("stdout lists %d pages, want %d:\n%s", len(lines), len(changedPages), out)
	}
	if !sameTree(before, snapshot(t, root)) {
		t.Error("a dry run changed files")
	}
	if !strings.Contains(errOut, "5 to rewrite") {
		t.Errorf("summary %q", errOut)
	}
}
