package main

import (
	"context"
	"image/jpeg"
	"io"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fotoembed/fotoembed/fotoweb/fotowebtest"
	"github.com/fotoembed/fotoembed/internal/testutil"
)

// fakeEnv is validEnv pointed at fake with its service application's
// client credentials, with kv (name, value, ...) added or replaced.
func fakeEnv(fake *fotowebtest.Server, kv ...string) []string {
	return envOf(with(with(validEnv(), "FOTOEMBED_FOTOWEB_URL", fake.URL,
		"FOTOEMBED_CLIENT_ID", fotowebtest.ServiceClientID, "FOTOEMBED_CLIENT_SECRET", fotowebtest.ServiceClientSecret), kv...))
}

// running is a subcommand running in the background, as main would run it.
type running struct {
	t       *testing.T
	cancel  context.CancelFunc
	ready   chan readyInfo
	done    chan struct{}
	err     error
	stdout  testutil.SyncBuffer
	stderr  testutil.SyncBuffer
	stopped sync.Once
}

// start runs `fotoembed args...` with env until the test ends.
func start(t *testing.T, env []string, args ...string) *running {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	r := &running{t: t, cancel: cancel, ready: make(chan readyInfo, 4), done: make(chan struct{})}
	a := newApp(env, &r.stdout, &r.stderr)
	a.ready = func(ri readyInfo) { r.ready <- ri }
	go func() {
		defer close(r.done)
		r.err = a.run(ctx, args)
	}()
	t.Cleanup(func() { r.stop() })
	return r
}

// waitReady waits until the command reports that it is ready.
func (r *running) waitReady() readyInfo {
	r.t.Helper()
	select {
	case ri := <-r.ready:
		return ri
	case <-r.done:
		r.t.Fatalf("command ended before it was ready: %v\nstdout:\n%s\nstderr:\n%s", r.err, r.stdout.String(), r.stderr.String())
	case <-time.After(30 * time.Second):
		r.t.Fatal("command not ready after 30s")
	}
	return readyInfo{}
}

// wait waits for the command to end by itself and returns its error.
func (r *running) wait() error {
	r.t.Helper()
	select {
	case <-r.done:
		return r.err
	case <-time.After(30 * time.Second):
		r.t.Fatal("command still running after 30s")
	}
	return nil
}

// stop cancels the command's context (SIGINT in main) and returns its
// error.
func (r *running) stop() error {
	r.stopped.Do(r.cancel)
	select {
	case <-r.done:
		return r.err
	case <-time.After(30 * time.Second):
		r.t.Error("command did not stop within 30s of cancelling")
		return nil
	}
}

// noRedirect is a client that returns redirects instead of following them.
var noRedirect = &http.Client{
	Timeout:       30 * time.Second,
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

// get GETs u with optional headers (name, value, ...) and returns the
// response with its body read.
func get(t *testing.T, c *http.Client, u string, header ...string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b)
}

var srcAttr = regexp.MustCompile(`\bsrc="([^"]+)"`)

// imgSrc returns the src of the first <img> in html.
func imgSrc(t *testing.T, html string) string {
	t.Helper()
	m := srcAttr.FindStringSubmatch(html)
	if m == nil {
		t.Fatalf("no src in %q", html)
	}
	return strings.ReplaceAll(m[1], "&amp;", "&")
}

// assertJPEG checks that a response is a decodable JPEG.
func assertJPEG(t *testing.T, resp *http.Response, body string) {
	t.Helper()
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "image/jpeg" {
		t.Fatalf("image answer %d %q: %.200s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	img, err := jpeg.Decode(strings.NewReader(body))
	if err != nil {
		t.Fatalf("image does not decode: %v", err)
	}
	if b := img.Bounds(); b.Dx() == 0 || b.Dy() == 0 {
		t.Fatalf("empty image %v", b)
	}
}
