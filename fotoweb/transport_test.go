package fotoweb

import (
	"net/http"
	"testing"
	"time"
)

// TestNewTransport is the one place the upstream transport's settings are
// asserted: everything else (the Client's default, the service's metrics,
// the load harness) is checked to use NewTransport.
func TestNewTransport(t *testing.T) {
	tr := NewTransport()
	for _, c := range []struct {
		name      string
		got, want any
	}{
		{"MaxIdleConnsPerHost", tr.MaxIdleConnsPerHost, 64},
		{"MaxIdleConns", tr.MaxIdleConns, 100},
		{"IdleConnTimeout", tr.IdleConnTimeout, 90 * time.Second},
		{"TLSHandshakeTimeout", tr.TLSHandshakeTimeout, 10 * time.Second},
		{"ExpectContinueTimeout", tr.ExpectContinueTimeout, time.Second},
		{"ResponseHeaderTimeout", tr.ResponseHeaderTimeout, time.Duration(0)},
		{"ForceAttemptHTTP2", tr.ForceAttemptHTTP2, true},
		{"Proxy set", tr.Proxy != nil, true},
		{"DialContext set", tr.DialContext != nil, true},
	} {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
	if NewTransport() == tr {
		t.Error("NewTransport returned the same transport twice; each needs a pool of its own")
	}
}

// TestClientDefaultTransport: a Client without Config.HTTPClient sends
// through a NewTransport.
func TestClientDefaultTransport(t *testing.T) {
	c, err := New(Config{BaseURL: "https://fotoweb.example.com"})
	if err != nil {
		t.Fatal(err)
	}
	tr, ok := c.hc.Transport.(*http.Transport)
	if !ok {
		t.Fatalf("default transport is %T, want *http.Transport", c.hc.Transport)
	}
	if want := NewTransport(); tr.MaxIdleConnsPerHost != want.MaxIdleConnsPerHost || tr.MaxIdleConns != want.MaxIdleConns ||
		tr.IdleConnTimeout != want.IdleConnTimeout {
		t.Errorf("default transport keeps %d idle per host, %d in all, for %v; want NewTransport's %d, %d, %v",
			tr.MaxIdleConnsPerHost, tr.MaxIdleConns, tr.IdleConnTimeout,
			want.MaxIdleConnsPerHost, want.MaxIdleConns, want.IdleConnTimeout)
	}
}
