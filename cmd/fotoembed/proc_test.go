package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"maps"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/fotoembed/fotoembed/fotoweb/fotowebtest"
	"github.com/fotoembed/fotoembed/fotoweb/tokens"
	"github.com/fotoembed/fotoembed/internal/testutil"
)

// asMainEnv, set to 1 in a process's environment, makes the test binary
// run main instead of the tests: tests start real `fotoembed` processes
// (which they can kill) without building the command first.
const asMainEnv = "FOTOEMBED_TEST_AS_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(asMainEnv) == "1" {
		main()
	}
	os.Exit(m.Run())
}

// proc is a `fotoembed serve` process started by a test.
type proc struct {
	t    *testing.T
	cmd  *exec.Cmd
	logs testutil.SyncBuffer // its stderr: JSON log lines
	base string              // http://127.0.0.1:PORT
	done chan struct{}       // closed when it has exited
}

// startServe starts `fotoembed serve` on 127.0.0.1:0 with exactly the
// environment env (plus the switch to main) and waits until it listens.
// The process is killed at the end of the test.
func startServe(t *testing.T, env map[string]string) *proc {
	t.Helper()
	env = with(env, asMainEnv, "1", "FOTOEMBED_LOG_FORMAT", "json", "FOTOEMBED_ADDR", "127.0.0.1:0",
		"HOME", t.TempDir(), "PATH", os.Getenv("PATH"))
	p := &proc{t: t, done: make(chan struct{})}
	p.cmd = exec.Command(os.Args[0], "serve")
	for _, k := range slices.Sorted(maps.Keys(env)) {
		p.cmd.Env = append(p.cmd.Env, k+"="+env[k])
	}
	stderr, err := p.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	listening := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			p.logs.Write(append(sc.Bytes(), '\n'))
			var line struct {
				Msg     string `json:"msg"`
				BaseURL string `json:"base_url"`
			}
			if json.Unmarshal(sc.Bytes(), &line) == nil && line.Msg == "fotoembed listening" {
				select {
				case listening <- line.BaseURL:
				default:
				}
			}
		}
		io.Copy(io.Discard, stderr)
		p.cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(p.kill)
	select {
	case p.base = <-listening:
	case <-p.done:
		t.Fatalf("fotoembed serve exited before listening:\n%s", p.logs.String())
	case <-time.After(60 * time.Second):
		p.kill()
		t.Fatalf("fotoembed serve not listening after 60s:\n%s", p.logs.String())
	}
	return p
}

// kill ends the process at once (SIGKILL): no shutdown, nothing flushed.
func (p *proc) kill() {
	if p.cmd.Process != nil {
		p.cmd.Process.Signal(syscall.SIGKILL)
	}
	<-p.done
}

// embedStatus asks the service for an <img> of ref (which needs FotoWeb
// unless cached) and returns the status and body.
func (p *proc) embedStatus(ref string) (int, string) {
	p.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, p.base+"/v1/embed?width=400&ref="+url.QueryEscape(ref), nil)
	req.Header.Set("X-API-Key", testAPIKey)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		p.t.Fatalf("GET /v1/embed: %v", err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// mustEmbed fails the test unless the service embeds ref.
func (p *proc) mustEmbed(ref string) {
	p.t.Helper()
	if status, body := p.embedStatus(ref); status != http.StatusOK {
		p.t.Fatalf("embedding %s: %d %.300s\nlog:\n%s", ref, status, body, p.logs.String())
	}
}

// get GETs path on the service and returns the status and body.
func (p *proc) get(path string) (int, string) {
	p.t.Helper()
	resp, body := get(p.t, noRedirect, p.base+path)
	return resp.StatusCode, body
}

// userEnv is the environment of a replica logged in as the fake's User
// with the token file tokenFile.
func userEnv(fake *fotowebtest.Server, tokenFile string, kv ...string) map[string]string {
	env := with(validEnv(), "FOTOEMBED_FOTOWEB_URL", fake.URL, "FOTOEMBED_AUTH", "user",
		"FOTOEMBED_CLIENT_ID", fotowebtest.WebClientID, "FOTOEMBED_TOKEN_FILE", tokenFile,
		"FOTOEMBED_URL_TOKEN", "preview")
	delete(env, "FOTOEMBED_CLIENT_SECRET")
	return with(env, kv...)
}

// photoAssets returns the hrefs of the seed assets User may see, one per
// step of a test that needs a FotoWeb request each time (a cache miss).
func photoAssets(t *testing.T, fake *fotowebtest.Server, n int) []string {
	t.Helper()
	var out []string
	for _, a := range fake.Assets() {
		if strings.HasPrefix(a, fotowebtest.PhotosArchive) || strings.HasPrefix(a, fotowebtest.PressArchive) {
			out = append(out, a)
		}
	}
	if len(out) < n {
		t.Fatalf("the fake has %d assets User sees; the test needs %d", len(out), n)
	}
	return out[:n]
}

// fakeLogin logs User in at the fake (twice with standby, as `fotoembed
// login` does) and saves the token in each of the files.
func fakeLogin(t *testing.T, fake *fotowebtest.Server, standby bool, files ...string) {
	t.Helper()
	ln, err := listenLoopback(0)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	l, err := authorize(ctx, ln, authFlow{cfg: tokens.AuthCodeConfig{BaseURL: fake.URL, ClientID: fotowebtest.WebClientID},
		open: headlessBrowser(nil), standby: standby})
	if err != nil || (standby && l.standby == nil) {
		t.Fatalf("login at the fake: %v (standby %v)", err, l.standby != nil)
	}
	for _, f := range files {
		if err := saveLogin(ctx, &tokens.FileStore{Path: f}, l.saved()); err != nil {
			t.Fatal(err)
		}
	}
}

// tokenFiles returns n token file paths in separate directories (one per
// host).
func tokenFiles(t *testing.T, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = filepath.Join(t.TempDir(), "token.json")
	}
	return out
}

// logHas reports whether the process logged a line containing s.
func (p *proc) logHas(s string) bool { return strings.Contains(p.logs.String(), s) }

// waitLog waits until the process logged a line containing s.
func (p *proc) waitLog(s string) {
	p.t.Helper()
	testutil.WaitFor(p.t, 30*time.Second, "the log line "+s, func() bool { return p.logHas(s) })
}

// grepLines returns the lines of s that contain sub.
func grepLines(s, sub string) string {
	var out []string
	for l := range strings.Lines(s) {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "")
}
