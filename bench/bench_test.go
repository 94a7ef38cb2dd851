package bench

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

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

// serveLoop sends the requests of paths to h in turn through an
// httptest.ResponseRecorder and fails on any other status than want.
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
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != want {
			b.Fatalf("%s: status %d, want %d: %s", r.URL.Path, w.Code, want, w.Body)
		}
		i++
	}
}

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
