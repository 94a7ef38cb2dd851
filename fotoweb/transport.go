package fotoweb

import (
	"net"
	"net/http"
	"time"
)

// Settings of the transport NewTransport returns.
const (
	// idleConnsPerHost: every request goes to the one FotoWeb host; with
	// net/http's default of 2, proxy delivery under load opened a new
	// connection for nearly every file (the load tests measured 1.7x the
	// throughput at 64 concurrent requests with 64 kept).
	idleConnsPerHost    = 64
	maxIdleConns        = 100 // to all hosts together (a token endpoint may be another)
	idleConnTimeout     = 90 * time.Second
	dialTimeout         = 10 * time.Second // well within Config.Timeout, so that a retry can follow
	keepAlive           = 30 * time.Second
	tlsHandshakeTimeout = 10 * time.Second
	expectContinue      = time.Second
)

// NewTransport returns a new transport for requests to FotoWeb: what a
// [Client] uses when Config.HTTPClient is nil, and what the service sends
// its FotoWeb and token requests through (its metrics only wrap it).
//
// It has http.DefaultTransport's behaviour (proxy from the environment,
// HTTP/2 attempted) tuned for many requests to one host: 64 idle
// connections kept per host (net/http keeps 2, which under load opens a
// connection for nearly every request), 100 in all, each kept 90 s;
// connecting times out after 10 s (TCP keep-alive every 30 s), a TLS
// handshake after 10 s, waiting for "100 Continue" after 1 s. It sets no
// response header timeout: Config.Timeout bounds each attempt. Each call
// returns a transport with a connection pool of its own.
func NewTransport() *http.Transport {
	return &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: dialTimeout, KeepAlive: keepAlive}).DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          maxIdleConns,
		MaxIdleConnsPerHost:   idleConnsPerHost,
		IdleConnTimeout:       idleConnTimeout,
		TLSHandshakeTimeout:   tlsHandshakeTimeout,
		ExpectContinueTimeout: expectContinue,
	}
}
