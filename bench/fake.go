package bench

import (
	"context"
	"fmt"
	"log"
	"net"
	"net/http"
	"time"

	"github.com/fotoembed/fotoembed/fotoweb/fotowebtest"
)

// Fake is the fake FotoWeb served on a loopback port.
type Fake struct {
	*fotowebtest.Fake
	// URL is the fake's origin, such as "http://127.0.0.1:41234".
	URL string
	hs  *http.Server
}

// StartFake serves a fake FotoWeb with opts on addr ("" means
// 127.0.0.1:0, any free loopback port).
func StartFake(addr string, opts fotowebtest.Options) (*Fake, error) {
	ln, err := listenLoopback(addr)
	if err != nil {
		return nil, err
	}
	f := &Fake{Fake: fotowebtest.New(opts), URL: "http://" + ln.Addr().String()}
	f.SetBaseURL(f.URL)
	f.hs = &http.Server{Handler: f.Fake, ReadHeaderTimeout: 10 * time.Second,
		ErrorLog: log.New(discard{}, "", 0)} // injected resets log "broken pipe"; not news
	go f.hs.Serve(ln)
	return f, nil
}

// Close stops the fake, cutting open connections.
func (f *Fake) Close() error { return f.hs.Close() }

// listenLoopback listens on addr, which must be a loopback address; ""
// means 127.0.0.1:0. Everything the harness serves stays on loopback.
func listenLoopback(addr string) (net.Listener, error) {
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("bench: address %q: %w", addr, err)
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return nil, fmt.Errorf("bench: address %q is not a loopback IP: the harness serves on loopback only", addr)
	}
	return net.Listen("tcp", addr)
}

// serve serves h on ln with the http.Server settings of `fotoembed serve`.
func serve(ln net.Listener, h http.Handler) *http.Server {
	hs := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute,
		ErrorLog: log.New(discard{}, "", 0)}
	go hs.Serve(ln)
	return hs
}

// shutdown stops hs gracefully within d, then forcibly.
func shutdown(hs *http.Server, d time.Duration) {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	if hs.Shutdown(ctx) != nil {
		hs.Close()
	}
}

// discard is an io.Writer that drops everything.
type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }

// Served is an http.Handler served on a loopback port.
type Served struct {
	// URL is its base URL, such as "http://127.0.0.1:41236".
	URL string
	hs  *http.Server
}

// Serve serves h on addr ("" means 127.0.0.1:0) with the http.Server
// settings of `fotoembed serve`.
func Serve(addr string, h http.Handler) (*Served, error) {
	ln, err := listenLoopback(addr)
	if err != nil {
		return nil, err
	}
	return &Served{URL: "http://" + ln.Addr().String(), hs: serve(ln, h)}, nil
}

// Close shuts the server down, giving in-flight requests 5 s.
func (s *Served) Close() { shutdown(s.hs, 5*time.Second) }
