package server

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/fotoembed/fotoembed/fotoweb"
	"github.com/fotoembed/fotoembed/fotoweb/fotowebtest"
	"github.com/fotoembed/fotoembed/internal/testenv"
	"github.com/fotoembed/fotoembed/internal/testutil"
	"github.com/fotoembed/fotoembed/purge"
)

// varnishd is a Varnish started by a test, in the foreground, with the
// shipped VCL (purge.VCL) pointed at a backend, on a free loopback port,
// in its own working directory; it is killed at cleanup.
type varnishd struct {
	URL  string // http://127.0.0.1:port
	out  *testutil.SyncBuffer
	cmd  *exec.Cmd
	done chan struct{}
}

// startVarnish starts varnishd with purge.VCL in front of backend
// (host:port). It skips t (or fails it under
// FOTOEMBED_REQUIRE_INTEGRATION=1) without varnishd.
func startVarnish(t *testing.T, backend string) *varnishd {
	t.Helper()
	return startVarnishVCL(t, backend, purge.VCL)
}

// startVarnishVCL is startVarnish with another VCL of the same backend.
func startVarnishVCL(t *testing.T, backend, vcl string) *varnishd {
	t.Helper()
	path, err := exec.LookPath("varnishd")
	if err != nil {
		if _, serr := os.Stat("/usr/sbin/varnishd"); serr != nil {
			testenv.Missing(t, "varnishd not installed: apt-get install varnish")
		}
		path = "/usr/sbin/varnishd"
	}
	host, port, err := net.SplitHostPort(backend)
	must(t, err)
	vcl = strings.Replace(vcl, `.host = "127.0.0.1";`, `.host = "`+host+`";`, 1)
	vcl = strings.Replace(vcl, `.port = "8080";`, `.port = "`+port+`";`, 1)
	if !strings.Contains(vcl, `.port = "`+port+`";`) {
		t.Fatal("the VCL has no backend port 8080 to replace")
	}
	dir := t.TempDir()
	vclPath := filepath.Join(dir, "fotoembed.vcl")
	must(t, os.WriteFile(vclPath, []byte(vcl), 0o644))
	var last error
	for i := range 5 { // a free port may be taken before varnishd binds it
		v := &varnishd{out: &testutil.SyncBuffer{}, done: make(chan struct{})}
		if last = v.start(t, path, filepath.Join(dir, fmt.Sprintf("n%d", i)), vclPath); last == nil {
			return v
		}
	}
	t.Fatalf("varnishd did not start: %v", last)
	return nil
}

// start runs varnishd on a free port and waits (bounded) until it
// answers HTTP; an early exit is an error.
func (v *varnishd) start(t *testing.T, path, workdir, vclPath string) error {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	addr := l.Addr().String()
	l.Close()
	v.URL = "http://" + addr
	v.cmd = exec.Command(path, "-F", "-n", workdir, "-j", "none", "-a", addr, "-T", "127.0.0.1:0",
		"-f", vclPath, "-s", "malloc,32m", "-p", "thread_pools=1", "-p", "thread_pool_min=10")
	v.cmd.Stdout, v.cmd.Stderr = v.out, v.out
	v.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // the child dies with the manager
	if err := v.cmd.Start(); err != nil {
		return err
	}
	go func() { v.cmd.Wait(); close(v.done) }()
	t.Cleanup(v.kill)
	deadline := time.Now().Add(60 * time.Second) // VCL compilation on a busy machine
	for time.Now().Before(deadline) {
		select {
		case <-v.done:
			return fmt.Errorf("varnishd exited: %s", v.out.String())
		default:
		}
		if res, err := noRedirect.Get(v.URL + "/varnish-ready"); err == nil {
			res.Body.Close()
			return nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	v.kill()
	return fmt.Errorf("varnishd on %s did not answer within 60s: %s", addr, v.out.String())
}

// kill kills varnishd's process group (manager and child) and waits.
func (v *varnishd) kill() {
	if v.cmd == nil || v.cmd.Process == nil {
		return
	}
	syscall.Kill(-v.cmd.Process.Pid, syscall.SIGKILL)
	<-v.done
}

// lazyPurger is a Config.Purger set after the service is built (Varnish
// needs the service's address; the purger needs Varnish's).
type lazyPurger struct {
	mu sync.Mutex
	p  *purge.Purger
}

func (l *lazyPurger) set(p *purge.Purger) { l.mu.Lock(); l.p = p; l.mu.Unlock() }

// Purge implements Purger.
func (l *lazyPurger) Purge(asset, reason string) {
	l.mu.Lock()
	p := l.p
	l.mu.Unlock()
	if p != nil {
		p.Purge(asset, reason)
	}
}

// stampPreviews stands for FotoWeb rendering a new preview version: the
// fake draws the same pixels for every version of an asset, so each
// preview body it serves gets its href appended (a JPEG decoder ignores
// bytes after the image), and a new preview version means new bytes.
type stampPreviews struct{ base http.RoundTripper }

func (s stampPreviews) RoundTrip(req *http.Request) (*http.Response, error) {
	res, err := s.base.RoundTrip(req)
	if err != nil || req.Method != http.MethodGet || res.StatusCode != http.StatusOK || !strings.HasPrefix(req.URL.Path, "/fotoweb/cache/") {
		return res, err
	}
	b, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err != nil {
		return nil, err
	}
	b = append(b, "\nversion "+req.URL.EscapedPath()...)
	res.Body = io.NopCloser(bytes.NewReader(b))
	res.ContentLength = int64(len(b))
	res.Header.Set("Content-Length", strconv.Itoa(len(b)))
	return res, nil
}

// purgeEnvOptions is proxy delivery with purger p, previews stamped
// with their version.
func purgeEnvOptions(p Purger) envOptions {
	return envOptions{
		fotoweb: func(c *fotoweb.Config) {
			c.HTTPClient = &http.Client{Transport: stampPreviews{c.HTTPClient.Transport}}
		},
		configure: func(c *Config) { c.Delivery, c.Purger = DeliveryProxy, p },
	}
}

// TestVarnishPurgeEndToEnd: a real Varnish with the shipped VCL caches a
// proxied /i/ answer; FotoWeb changes the asset and says so (webhook);
// the service bans the asset's tag; Varnish then serves the new bytes.
func TestVarnishPurgeEndToEnd(t *testing.T) {
	lazy := &lazyPurger{}
	e := newEnv(t, purgeEnvOptions(lazy))
	v := startVarnish(t, e.ts.Listener.Addr().String())
	p, err := purge.New(purge.Config{Varnish: &purge.VarnishConfig{URLs: []string{v.URL + "/"}},
		Logger: slog.New(slog.NewTextHandler(e.logs, nil)), BackoffBase: 10 * time.Millisecond})
	must(t, err)
	t.Cleanup(func() { p.Close() })
	lazy.set(p)

	path, _ := e.signedURL(fotowebtest.LandscapeAsset, 800)
	first := e.get(v.URL + path)
	wantStatus(t, first, http.StatusOK)
	tag := purge.Tag(e.info(fotowebtest.LandscapeAsset).Href)
	if first.Header.Get("Surrogate-Key") != tag || first.Header.Get("X-Cache") != "MISS" {
		t.Fatalf("first GET: Surrogate-Key %q (want %q), X-Cache %q", first.Header.Get("Surrogate-Key"), tag, first.Header.Get("X-Cache"))
	}
	previews := func() int { return e.fake.CountPrefix("/fotoweb/cache/") }
	fetched := previews()

	second := e.get(v.URL + path)
	wantStatus(t, second, http.StatusOK)
	if second.Header.Get("X-Cache") != "HIT" || len(strings.Fields(second.Header.Get("X-Varnish"))) != 2 || previews() != fetched {
		t.Fatalf("second GET not a Varnish hit: X-Cache %q, X-Varnish %q, preview fetches %d -> %d",
			second.Header.Get("X-Cache"), second.Header.Get("X-Varnish"), fetched, previews())
	}
	if !bytes.Equal(second.body, first.body) {
		t.Fatal("the hit differs from the first answer")
	}

	e.fake.SetMetadata(fotowebtest.LandscapeAsset, 5, "Harbour at dusk, recropped")
	if stale := e.get(v.URL + path); stale.Header.Get("X-Cache") != "HIT" || !bytes.Equal(stale.body, first.body) {
		t.Fatal("Varnish dropped the answer before any purge: the test proves nothing")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	status, err := e.fake.EmitWebhook(ctx, e.ts.URL+hookPrefix+testHookSecret, fotowebtest.AssetModified, fotowebtest.LandscapeAsset)
	if err != nil || status != http.StatusNoContent {
		t.Fatalf("webhook: %d %v", status, err)
	}
	testutil.WaitFor(t, 30*time.Second, "the BAN to reach Varnish", func() bool {
		return p.Count("varnish", "ok") == 1 || p.Count("varnish", "failed") > 0
	})
	if p.Count("varnish", "ok") != 1 {
		t.Fatalf("the BAN failed: %s", e.logs.String())
	}

	after := e.get(v.URL + path)
	wantStatus(t, after, http.StatusOK)
	if after.Header.Get("X-Cache") != "MISS" || bytes.Equal(after.body, first.body) {
		t.Fatalf("after the purge: X-Cache %q, same bytes %v", after.Header.Get("X-Cache"), bytes.Equal(after.body, first.body))
	}
	if after.Header.Get("ETag") == first.Header.Get("ETag") {
		t.Errorf("ETag unchanged after the change: %s", after.Header.Get("ETag"))
	}
	if again := e.get(v.URL + path); again.Header.Get("X-Cache") != "HIT" || !bytes.Equal(again.body, after.body) {
		t.Errorf("the new answer is not cached: X-Cache %q", again.Header.Get("X-Cache"))
	}
	if s := varnishBan(t, v, ".*"); s != http.StatusBadRequest {
		t.Errorf("BAN of a regular expression: %d, want 400", s)
	}
	if r := e.get(v.URL + path); r.Header.Get("X-Cache") != "HIT" {
		t.Errorf("a refused BAN dropped the answer: X-Cache %q", r.Header.Get("X-Cache"))
	}
}

// varnishBan sends BAN with X-Purge-Tag: tag and returns the status.
func varnishBan(t *testing.T, v *varnishd, tag string) int {
	t.Helper()
	req, err := http.NewRequest("BAN", v.URL+"/", nil)
	must(t, err)
	req.Header.Set(purge.VarnishHeader, tag)
	res, err := noRedirect.Do(req)
	must(t, err)
	res.Body.Close()
	return res.StatusCode
}

// TestVarnishBanACL: the VCL refuses a BAN from outside its purgers ACL,
// and passes what is not /i/ uncached.
func TestVarnishBanACL(t *testing.T) {
	e := newEnv(t, envOptions{})
	vcl := strings.Replace(purge.VCL, "acl purgers {\n    \"127.0.0.1\";\n    \"::1\";\n}", "acl purgers {\n    \"192.0.2.1\";\n}", 1)
	if vcl == purge.VCL {
		t.Fatal("purge.VCL has no loopback purgers ACL to replace")
	}
	v := startVarnishVCL(t, e.ts.Listener.Addr().String(), vcl)
	if s := varnishBan(t, v, purge.Tag("/x")); s != http.StatusForbidden {
		t.Errorf("BAN from outside the ACL: %d, want 403", s)
	}
	for range 2 {
		if r := e.get(v.URL + "/healthz"); r.StatusCode != http.StatusOK || r.Header.Get("X-Cache") != "MISS" {
			t.Errorf("/healthz through Varnish: %d, X-Cache %q, want 200 MISS (passed)", r.StatusCode, r.Header.Get("X-Cache"))
		}
	}
}
