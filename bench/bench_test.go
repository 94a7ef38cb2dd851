package bench

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/fotoembed/fotoembed/fotoweb/fotowebtest"
	"github.com/fotoembed/fotoembed/server"
)

// benchService starts the fake and the service (redirect delivery, user
// token, info log to io.Discard) and returns the service with its warm
// targets.
func benchService(b *testing.B) (*Service, *Targets) {
	b.Helper()
	fake, err := StartFake("", fotowebtest.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { fake.Close() })
	s, err := StartService(context.Background(), ServiceConfig{FotoWebURL: fake.URL})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(s.Close)
	t, err := BuildTargets(context.Background(), s)
	if err != nil {
		b.Fatal(err)
	}
	return s, t
}

// serveLoop sends the requests of paths to h in turn and fails on any
// other status than want. The writer is as net/http's (a fresh header
// map, connection deadlines that the service's middleware sets), not
// httptest.ResponseRecorder, which has no deadlines (the middleware then
// takes a path with allocations a real connection does not have) and
// copies the header map at WriteHeader.
func serveLoop(b *testing.B, h http.Handler, paths []string, want int, hdr http.Header, body []byte) {
	b.Helper()
	reqs := make([]*http.Request, len(paths))
	for i, p := range paths {
		reqs[i] = httptest.NewRequest(http.MethodGet, p, nil)
		if body != nil {
			reqs[i].Method = http.MethodPost
		}
		for k, v := range hdr {
			reqs[i].Header[k] = v
		}
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		r := reqs[i%len(reqs)]
		if body != nil {
			r.Body = ioNopCloser{bytes.NewReader(body)}
		}
		w := &connWriter{h: make(http.Header)}
		h.ServeHTTP(w, r)
		if w.code != want {
			b.Fatalf("%s: status %d, want %d: %s", r.URL.Path, w.code, want, w.body.Bytes())
		}
		i++
	}
}

// connWriter is a minimal http.ResponseWriter with connection deadlines,
// as net/http's own; it keeps the status and the first KB of the body.
type connWriter struct {
	h    http.Header
	code int
	body bytes.Buffer
}

func (w *connWriter) Header() http.Header { return w.h }

func (w *connWriter) WriteHeader(code int) {
	if w.code == 0 {
		w.code = code
	}
}

func (w *connWriter) Write(p []byte) (int, error) {
	w.WriteHeader(http.StatusOK)
	if n := 1024 - w.body.Len(); n > 0 {
		w.body.Write(p[:min(n, len(p))])
	}
	return len(p), nil
}

func (w *connWriter) SetReadDeadline(time.Time) error  { return nil }
func (w *connWriter) SetWriteDeadline(time.Time) error { return nil }

// ioNopCloser is io.NopCloser without the allocation of its interface
// conversion in the loop.
type ioNopCloser struct{ *bytes.Reader }

func (ioNopCloser) Close() error { return nil }

// BenchmarkEcho302 is the baseline: the bare Echo 302 handler.
func BenchmarkEcho302(b *testing.B) {
	_, t := benchService(b)
	serveLoop(b, Echo302("/i", DefaultLocation), t.Redirect, http.StatusFound, nil, nil)
}

// BenchmarkSignedRedirect is the hot path: a signed URL at a warm cache
// answered with a redirect, through every middleware of the service.
func BenchmarkSignedRedirect(b *testing.B) {
	s, t := benchService(b)
	serveLoop(b, s.Server.Handler(), t.Redirect, http.StatusFound, nil, nil)
}

// BenchmarkEmbedSnippet is GET /v1/embed at a warm cache.
func BenchmarkEmbedSnippet(b *testing.B) {
	s, t := benchService(b)
	serveLoop(b, s.Server.Handler(), t.Embed, http.StatusOK, http.Header{"X-Api-Key": {t.APIKey}}, nil)
}

// BenchmarkResolveBatch is POST /v1/resolve with 50 items at a warm cache.
func BenchmarkResolveBatch(b *testing.B) {
	s, t := benchService(b)
	hdr := http.Header{"X-Api-Key": {t.APIKey}, "Content-Type": {"application/json"}}
	serveLoop(b, s.Server.Handler(), []string{"/v1/resolve"}, http.StatusOK, hdr, t.ResolveBody)
}

// BenchmarkProxy is a signed URL at a warm cache in proxy delivery: the
// 100 KB preview fetched from the fake over loopback and streamed.
func BenchmarkProxy(b *testing.B) {
	fake, err := StartFake("", fotowebtest.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { fake.Close() })
	s, err := StartService(context.Background(), ServiceConfig{FotoWebURL: fake.URL, Delivery: server.DeliveryProxy})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(s.Close)
	t, err := BuildTargets(context.Background(), s)
	if err == nil {
		err = t.ChooseProxyFile(context.Background(), s)
	}
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(t.ProxyBytes))
	serveLoop(b, s.Server.Handler(), []string{t.Proxy}, http.StatusOK, nil, nil)
}

// TestMeasureMiss runs the cache-miss measurement on a few requests; the
// figure itself comes from BenchmarkCacheMiss (see MeasureMiss).
func TestMeasureMiss(t *testing.T) {
	rep, err := MeasureMiss(context.Background(), MissConfig{Latency: 5 * time.Millisecond, Requests: 20})
	if err != nil {
		t.Fatal(err)
	}
	t.Log("\n" + rep.String())
	if rep.Upstream < rep.Requests || rep.FotoWeb[0] < rep.Latency || rep.Own[0] <= 0 || rep.Total[0] < rep.FotoWeb[0] {
		t.Errorf("the measurement is broken: %+v", rep)
	}
}

// BenchmarkCacheMiss measures fotoembed's own time on top of FotoWeb's
// answer for a cache miss, FotoWeb answering after a fixed 20 ms: b.N
// misses, reported as own-p50-µs (and p90, p99) besides the whole
// request's p50. Run it with a fixed count, such as -benchtime 500x.
func BenchmarkCacheMiss(b *testing.B) {
	rep, err := MeasureMiss(context.Background(), MissConfig{Latency: 20 * time.Millisecond, Requests: max(b.N, 20)})
	if err != nil {
		b.Fatal(err)
	}
	if b.N > 1 { // not the probe run of one
		b.Log("\n" + rep.String())
	}
	b.ReportMetric(0, "ns/op")
	b.ReportMetric(us(rep.Own[0]), "own-p50-µs")
	b.ReportMetric(us(rep.Own[1]), "own-p90-µs")
	b.ReportMetric(us(rep.Own[2]), "own-p99-µs")
	b.ReportMetric(us(rep.Total[0]), "total-p50-µs")
	b.ReportMetric(us(rep.FotoWeb[0]), "fotoweb-p50-µs")
	b.ReportMetric(float64(rep.Upstream)/float64(rep.Requests), "fotoweb-requests/op")
}
