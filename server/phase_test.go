package server

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"
)

// newPhase starts a phase of d under parent.
func newPhase(parent context.Context, d time.Duration) *phase {
	return new(phase).start(parent, d)
}

// closed reports whether ch is closed within d.
func closed(ch <-chan struct{}, d time.Duration) bool {
	select {
	case <-ch:
		return true
	case <-time.After(d):
		return false
	}
}

type phaseKey struct{}

// TestPhaseUnused: a phase nothing waits on sets nothing up, passes its
// request's values through and reports no timeout.
func TestPhaseUnused(t *testing.T) {
	parent := context.WithValue(context.Background(), phaseKey{}, "v")
	ph := newPhase(parent, time.Hour)
	if ph.ctx.Value(phaseKey{}) != "v" {
		t.Error("the request's value is lost")
	}
	if _, ok := ph.ctx.Deadline(); ok {
		t.Error("a deadline the request does not have")
	}
	if err := ph.timeoutErr(errors.New("x")); err.Error() != "x" {
		t.Errorf("timeoutErr = %v", err)
	}
	ph.cancel()
	if ph.live != nil || ph.timer != nil {
		t.Error("a context or timer was set up for a phase nothing waited on")
	}
	// Asked after the end, it has ended as a cancelled context does.
	if !closed(ph.ctx.Done(), time.Second) || !errors.Is(ph.ctx.Err(), context.Canceled) || context.Cause(ph.ctx) != context.Canceled {
		t.Errorf("after cancel: err %v, cause %v", ph.ctx.Err(), context.Cause(ph.ctx))
	}
}

// TestPhaseTimeout: a phase waited on ends at its deadline with
// errPhaseTimeout, and so do contexts derived from it; timeoutErr makes
// the error a 504.
func TestPhaseTimeout(t *testing.T) {
	ph := newPhase(context.Background(), 50*time.Millisecond)
	defer ph.cancel()
	child, cancel := context.WithTimeout(ph.ctx, time.Hour)
	defer cancel()
	if closed(ph.ctx.Done(), 10*time.Millisecond) {
		t.Fatal("ended early")
	}
	if !closed(child.Done(), 5*time.Second) {
		t.Fatal("the derived context did not end with the phase")
	}
	if !errors.Is(ph.ctx.Err(), context.Canceled) || context.Cause(ph.ctx) != errPhaseTimeout || context.Cause(child) != errPhaseTimeout {
		t.Errorf("err %v, cause %v, derived cause %v", ph.ctx.Err(), context.Cause(ph.ctx), context.Cause(child))
	}
	var he *httpError
	if err := ph.timeoutErr(child.Err()); !errors.As(err, &he) || he.status != http.StatusGatewayTimeout {
		t.Errorf("timeoutErr = %v", err)
	}
	if ph.done() {
		t.Error("done reported the time had not run out")
	}
}

// TestPhaseExpiredUnused: a phase first asked after its time ran out is
// ended with errPhaseTimeout, as the eager timer would have left it.
func TestPhaseExpiredUnused(t *testing.T) {
	for _, ask := range []struct {
		name string
		f    func(ph *phase) bool
	}{
		{"Err", func(ph *phase) bool { return ph.ctx.Err() != nil }},
		{"Done", func(ph *phase) bool { return closed(ph.ctx.Done(), time.Second) }},
		{"Cause", func(ph *phase) bool { return context.Cause(ph.ctx) == errPhaseTimeout }},
		{"done", func(ph *phase) bool { return !ph.done() && context.Cause(ph.ctx) == errPhaseTimeout }},
		{"timeoutErr", func(ph *phase) bool { return ph.timeoutErr(errors.New("x")) != nil && ph.timedOut() }},
	} {
		ph := newPhase(context.Background(), time.Millisecond)
		time.Sleep(5 * time.Millisecond)
		if !ask.f(ph) {
			t.Errorf("%s: the phase had not ended", ask.name)
		}
		if context.Cause(ph.ctx) != errPhaseTimeout {
			t.Errorf("%s: cause %v", ask.name, context.Cause(ph.ctx))
		}
		ph.cancel()
	}
}

// TestPhaseDone: done lifts the deadline, before or after the phase was
// set up; the phase still ends at cancel.
func TestPhaseDone(t *testing.T) {
	for _, early := range []bool{false, true} {
		ph := newPhase(context.Background(), 20*time.Millisecond)
		if early {
			_ = ph.ctx.Done() // set up first
		}
		if !ph.done() {
			t.Fatal("done reported the time had run out")
		}
		if ph.done() {
			t.Error("done twice reported true twice (a timer's Stop does not)")
		}
		if closed(ph.ctx.Done(), 60*time.Millisecond) || ph.ctx.Err() != nil || ph.timedOut() {
			t.Fatalf("early %v: the lifted deadline cut the phase", early)
		}
		ph.cancel()
		if !closed(ph.ctx.Done(), time.Second) || context.Cause(ph.ctx) != context.Canceled {
			t.Errorf("early %v: cancel did not end the phase: %v", early, context.Cause(ph.ctx))
		}
	}
}

// TestPhaseParentCancelled: the phase ends with its request, with the
// request's cause, whether or not it was set up before.
func TestPhaseParentCancelled(t *testing.T) {
	cause := errors.New("client gone")
	for _, early := range []bool{false, true} {
		parent, cancel := context.WithCancelCause(context.Background())
		ph := newPhase(parent, time.Hour)
		if early {
			_ = ph.ctx.Done()
		}
		cancel(cause)
		if !errors.Is(ph.ctx.Err(), context.Canceled) || !closed(ph.ctx.Done(), time.Second) || context.Cause(ph.ctx) != cause {
			t.Errorf("early %v: err %v, cause %v", early, ph.ctx.Err(), context.Cause(ph.ctx))
		}
		if ph.timedOut() {
			t.Errorf("early %v: a cancelled request counted as a timeout", early)
		}
		ph.cancel()
	}
}
