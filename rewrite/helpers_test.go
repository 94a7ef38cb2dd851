package rewrite_test

import (
	"bytes"
	"context"
	"flag"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/fotoembed/fotoembed/fotoweb"
	"github.com/fotoembed/fotoembed/fotoweb/fotowebtest"
	"github.com/fotoembed/fotoembed/fotoweb/tokens"
	"github.com/fotoembed/fotoembed/internal/testutil"
	"github.com/fotoembed/fotoembed/rewrite"
	"github.com/fotoembed/fotoembed/urlsig"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// Test constants: the signing key and the service's public URL that the
// golden files were made with.
const (
	testKey    = "fotoembed-rewrite-test-key-0001"
	testBase   = "https://img.example.com"
	fotowebVar = "{{FOTOWEB}}" // stands for the fake's origin in fixtures
)

// newFake starts a fake FotoWeb for one test.
func newFake(t testing.TB, opts fotowebtest.Options) *fotowebtest.Server {
	t.Helper()
	f := fotowebtest.NewServer(opts)
	t.Cleanup(f.Close)
	return f
}

// serviceTokens returns a client credentials token source for fake's
// service application.
func serviceTokens(t testing.TB, fake *fotowebtest.Server) *tokens.Source {
	t.Helper()
	ts, err := tokens.ClientCredentials(tokens.ClientCredentialsConfig{
		BaseURL: fake.URL, ClientID: fotowebtest.ServiceClientID, ClientSecret: fotowebtest.ServiceClientSecret,
	}, tokens.Options{})
	must(t, err)
	return ts
}

// hangGuard is the tests' bound on one request or attempt. It only guards
// against hangs: under the race detector on a loaded machine, the fake's
// first generation of a large preview can outlast the production
// timeouts, and no test asserts how fast anything is.
const hangGuard = 2 * time.Minute

// newClient returns a real FotoWeb client for fake, with a client
// credentials token source.
func newClient(t testing.TB, fake *fotowebtest.Server) *fotoweb.Client {
	t.Helper()
	c, err := fotoweb.New(fotoweb.Config{BaseURL: fake.URL, Tokens: serviceTokens(t, fake), MaxAttempts: 2, BackoffBase: time.Millisecond,
		Timeout: hangGuard})
	must(t, err)
	return c
}

// testSigner signs with testKey.
func testSigner(t testing.TB) *urlsig.Signer {
	t.Helper()
	s, err := urlsig.New(urlsig.Config{Keys: [][]byte{[]byte(testKey)}})
	must(t, err)
	return s
}

// newDirect returns a Direct source on fake, signing with testKey for
// testBase.
func newDirect(t testing.TB, fake *fotowebtest.Server) *rewrite.Direct {
	t.Helper()
	d, err := rewrite.NewDirect(rewrite.DirectConfig{Client: newClient(t, fake), Signer: testSigner(t), BaseURL: testBase})
	must(t, err)
	return d
}

// copySite copies testdata/NAME into a new temporary folder, putting
// origin in place of {{FOTOWEB}}, and returns the folder.
func copySite(t testing.TB, name, origin string) string {
	t.Helper()
	return testutil.CopyTree(t, filepath.Join("testdata", name), fotowebVar, origin)
}

// fileState is a file's bytes and modification time.
type fileState struct {
	data []byte
	mod  time.Time
	mode fs.FileMode
}

// snapshot reads every file under dir, by slash-separated path.
func snapshot(t testing.TB, dir string) map[string]fileState {
	t.Helper()
	out := map[string]fileState{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		out[filepath.ToSlash(rel)] = fileState{b, fi.ModTime(), fi.Mode()}
		return nil
	})
	must(t, err)
	return out
}

// ageFiles sets every file's mtime an hour back, so that a rewrite that
// touches a file shows.
func ageFiles(t testing.TB, dir string) {
	t.Helper()
	old := time.Now().Add(-time.Hour).Truncate(time.Second)
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			must(t, os.Chtimes(p, old, old))
		}
		return err
	})
}

// run runs the rewriter over root.
func run(t testing.TB, root string, src rewrite.Source, mode rewrite.Mode, mod func(*rewrite.Config)) (*rewrite.Report, error) {
	t.Helper()
	cfg := rewrite.Config{Root: root, Source: src, Mode: mode}
	if mod != nil {
		mod(&cfg)
	}
	rep, err := rewrite.Run(context.Background(), cfg)
	if rep != nil && len(rep.Warnings) > 0 {
		t.Errorf("warnings: %q", rep.Warnings)
	}
	return rep, err
}

// golden compares got with testdata/golden/NAME, or writes it with
// -update. The fake's origin in got is written as {{FOTOWEB}}.
func golden(t *testing.T, name string, got []byte, origin string) {
	t.Helper()
	got = bytes.ReplaceAll(got, []byte(origin), []byte(fotowebVar))
	path := filepath.Join("testdata", "golden", filepath.FromSlash(name))
	if *update {
		must(t, os.MkdirAll(filepath.Dir(path), 0o755))
		must(t, os.WriteFile(path, got, 0o644))
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file:\n%s", name, diffLines(string(want), string(got)))
	}
}

// diffLines shows the first lines that differ.
func diffLines(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var b strings.Builder
	for i := 0; i < max(len(w), len(g)) && b.Len() < 4000; i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			b.WriteString("line " + strconv.Itoa(i+1) + ":\n  want: " + wl + "\n  got:  " + gl + "\n")
		}
	}
	return b.String()
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
