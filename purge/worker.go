package purge

import (
	"context"
	"errors"
	"math/rand/v2"
	"sync"
	"time"
)

// work sends queued purges until the queue is closed and empty.
func (p *Purger) work() {
	defer p.wg.Done()
	for j := range p.queue {
		if p.ctx.Err() != nil { // Close gave up: empty the queue
			for _, b := range p.backends {
				p.stats.add(b.label(), outcomeDropped)
			}
			continue
		}
		if j.once != "" && !p.once(j.once) {
			for _, b := range p.backends {
				p.stats.add(b.label(), outcomeSkipped)
			}
			continue
		}
		var wg sync.WaitGroup
		for _, b := range p.backends {
			wg.Go(func() { p.deliver(b, j) })
		}
		wg.Wait()
	}
}

// once asks Config.Once whether this replica sends the purge keyed key.
// It is asked here rather than in Purge, which must not wait, and only
// for purges that will be sent: a purge dropped from a full queue does
// not stop another replica from sending it.
func (p *Purger) once(key string) bool {
	ctx, cancel := context.WithTimeout(p.ctx, p.cfg.Timeout)
	defer cancel()
	return p.cfg.Once(ctx, key)
}

// deliver sends j to b, trying again while the failure is transient,
// at most MaxAttempts times.
func (p *Purger) deliver(b backend, j job) {
	for attempt := 1; ; attempt++ {
		err := send(p.ctx, p.cfg.HTTPClient, b, j, p.cfg.Timeout, time.Now())
		if err == nil {
			p.stats.add(b.label(), outcomeOK)
			return
		}
		var se *sendError
		if !errors.As(err, &se) {
			se = &sendError{msg: err.Error()}
		}
		why := ""
		wait := p.backoff(attempt)
		switch {
		case p.ctx.Err() != nil:
			why = "gave up at Close"
		case !se.retry:
			why = "not worth another attempt"
		case attempt >= p.cfg.MaxAttempts:
			why = "no attempts left"
		case se.retryAfter > p.cfg.MaxRetryAfter:
			why = "the backend's Retry-After is longer than MaxRetryAfter"
		default:
			wait = max(wait, se.retryAfter)
		}
		if why == "" {
			p.stats.add(b.label(), outcomeRetry)
			if p.sleep(wait) {
				continue
			}
			why = "gave up at Close"
		}
		msg := "purge: " + b.label() + " purge failed"
		p.log.warn(msg+" "+b.target(), msg, "backend", b.label(), "target", b.target(), "tag", j.tag,
			"reason", j.reason, "asset", j.asset, "attempts", attempt, "why", why, "err", scrub(se.msg, p.secrets))
		p.stats.add(b.label(), outcomeFailed) // after the log line, which tests look for
		return
	}
}

// backoff is the wait after failed attempt n (1-based): BackoffBase
// doubled n-1 times, at most BackoffMax, the upper half of it random.
func (p *Purger) backoff(n int) time.Duration {
	d := p.cfg.BackoffMax
	if n-1 < 32 {
		d = min(p.cfg.BackoffBase<<(n-1), p.cfg.BackoffMax)
	}
	if d <= 0 {
		return 0
	}
	half := d / 2
	return half + rand.N(d-half+1)
}

// sleep waits d; false when Close gave up meanwhile.
func (p *Purger) sleep(d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-p.ctx.Done():
		return false
	}
}
