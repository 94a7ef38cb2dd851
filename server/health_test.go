package server

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/fotoembed/fotoembed/fotoweb/fotowebtest"
)

func TestHealthz(t *testing.T) {
	e := newEnv(t, envOptions{})
	e.fault("/", fotowebtest.Fault{Status: http.StatusInternalServerError})
	r := e.get("/healthz")
	wantStatus(t, r, http.StatusOK)
	if string(r.body) != "ok\n" {
		t.Errorf("body %q", r.body)
	}
}

func TestReadyz(t *testing.T) {
	e := newEnv(t, envOptions{})
	probes := func() int { return e.fake.Count(readyProbePath) }
	var got ReadyResult
	r := e.get("/readyz")
	wantStatus(t, r, http.StatusOK)
	decode(t, r, &got)
	if got.Status != "ok" || got.Checks["token"].Status != "ok" || got.Checks["fotoweb"].Status != "ok" {
		t.Fatalf("readyz %+v", got)
	}
	if n := probes(); n != 1 {
		t.Fatalf("%d probes, want 1", n)
	}
	for range 5 {
		wantStatus(t, e.get("/readyz"), http.StatusOK)
	}
	if n := probes(); n != 1 {
		t.Errorf("%d probes within the interval, want 1 (cached)", n)
	}

	e.fault(readyProbePath, fotowebtest.Fault{Status: http.StatusServiceUnavailable})
	wantStatus(t, e.get("/readyz"), http.StatusOK) // still the cached result
	e.clock.Advance(DefaultReadyInterval + time.Second)
	r = e.get("/readyz")
	wantStatus(t, r, http.StatusServiceUnavailable)
	got = ReadyResult{}
	decode(t, r, &got)
	if got.Status != "fail" || got.Checks["fotoweb"].Status != "fail" || got.Checks["token"].Status != "ok" {
		t.Errorf("readyz with FotoWeb failing: %+v", got)
	}
	if strings.Contains(string(r.body), "/fotoweb") {
		t.Errorf("readyz leaks internal detail: %s", r.body)
	}
	if n := probes(); n < 2 {
		t.Errorf("%d probes after the interval, want a new one", n)
	}
}

func TestReadyzTokenFailure(t *testing.T) {
	e := newEnv(t, envOptions{})
	e.fake.SetTokenEndpointDown(true)
	r := e.get("/readyz")
	wantStatus(t, r, http.StatusServiceUnavailable)
	var got ReadyResult
	decode(t, r, &got)
	if got.Checks["token"].Status != "fail" {
		t.Errorf("token check with the token endpoint down: %+v", got)
	}
}
