package testutil

import (
	"sync"
	"time"
)

// Clock is a fake clock that stands still until advanced. It is safe for
// concurrent use; pass its Now method wherever a func() time.Time is
// injected (fotowebtest.Options.Now, tokens.Options.Now, ...).
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// NewClock returns a Clock that reads start.
func NewClock(start time.Time) *Clock { return &Clock{now: start} }

// NewClockNow returns a Clock that reads the current time, truncated to
// the second.
func NewClockNow() *Clock { return NewClock(time.Now().Truncate(time.Second)) }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock by d (back when d is negative).
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}
