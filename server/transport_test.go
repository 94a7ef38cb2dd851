package server

import (
	"net/http"
	"testing"

	"github.com/fotoembed/fotoembed/fotoweb"
)

// TestInstrumentTransportDefault: InstrumentTransport(nil) wraps a
// transport with fotoweb.NewTransport's settings (asserted in fotoweb),
// and a transport given is wrapped as it is.
func TestInstrumentTransportDefault(t *testing.T) {
	m := NewMetrics()
	in, ok := m.InstrumentTransport(nil).(*instrumented)
	if !ok {
		t.Fatalf("InstrumentTransport(nil) is %T, want *instrumented", m.InstrumentTransport(nil))
	}
	tr, ok := in.rt.(*http.Transport)
	if !ok {
		t.Fatalf("InstrumentTransport(nil) wraps %T, want *http.Transport", in.rt)
	}
	want := fotoweb.NewTransport()
	if tr.MaxIdleConnsPerHost != want.MaxIdleConnsPerHost || tr.MaxIdleConns != want.MaxIdleConns ||
		tr.IdleConnTimeout != want.IdleConnTimeout || tr.TLSHandshakeTimeout != want.TLSHandshakeTimeout ||
		tr.ExpectContinueTimeout != want.ExpectContinueTimeout || tr.ForceAttemptHTTP2 != want.ForceAttemptHTTP2 {
		t.Errorf("InstrumentTransport(nil) wraps a transport unlike fotoweb.NewTransport(): %d idle per host, %d in all, idle %v",
			tr.MaxIdleConnsPerHost, tr.MaxIdleConns, tr.IdleConnTimeout)
	}
	if tr == http.DefaultTransport {
		t.Error("InstrumentTransport(nil) wraps http.DefaultTransport")
	}
	base := fotoweb.NewTransport()
	if got := m.InstrumentTransport(base).(*instrumented).rt; got != base {
		t.Errorf("InstrumentTransport(base) wraps %v, want base itself", got)
	}
}
