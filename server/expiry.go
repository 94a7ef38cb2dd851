package server

import (
	"context"
	"sync"
	"time"
)

// maxExpiryWatches bounds the licence ends watched at once; past it, the
// CDN still drops the asset at its end (Cache-Control is capped), but no
// purge or rebuild is asked for.
const maxExpiryWatches = 100_000

// expiryWatch asks for a purge and a rebuild when the licence of an asset
// the service handed out ends: a CDN or a static site would otherwise
// keep it. Each asset has at most one timer, for its latest known end.
type expiryWatch struct {
	mu     sync.Mutex
	timers map[string]expiryTimer
	closed bool
}

type expiryTimer struct {
	at time.Time
	t  *time.Timer
}

// watchExpiry starts (or moves) the timer of the licence end of the
// asset href (zero end: none). It costs one branch for an asset without
// an end.
func (s *Server) watchExpiry(href string, end time.Time) {
	if end.IsZero() || (s.cfg.Purger == nil && s.cfg.Rebuilder == nil) {
		return
	}
	w := &s.expiry
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return
	}
	if cur, ok := w.timers[href]; ok && cur.at.Equal(end) {
		return
	}
	if w.timers == nil {
		w.timers = make(map[string]expiryTimer)
	}
	if cur, ok := w.timers[href]; ok {
		cur.t.Stop()
	} else if len(w.timers) >= maxExpiryWatches {
		return
	}
	d := max(end.Sub(s.cfg.Now()), 0)
	w.timers[href] = expiryTimer{at: end, t: time.AfterFunc(d, func() { s.expired(href, end) })}
}

// expired runs at a licence end: unless FotoWeb now says the licence was
// extended, the CDN and the pages using the asset are told.
func (s *Server) expired(href string, end time.Time) {
	s.expiry.mu.Lock()
	if cur, ok := s.expiry.timers[href]; ok && cur.at.Equal(end) {
		delete(s.expiry.timers, href)
	}
	s.expiry.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), s.cfg.RequestTimeout)
	defer cancel()
	in, err := s.res.Resolve(ctx, href)
	if err == nil && in.Check(s.cfg.Now()) == nil {
		if in.Rights.Expires.After(end) {
			s.watchExpiry(href, in.Rights.Expires) // extended: watch the new end
		}
		return
	}
	s.log.Info("licence ended: purging and asking for a rebuild", "asset", s.redact(href))
	s.assetChanged(ctx, href, "unpublished")
}

// stop stops every timer and watches no more.
func (w *expiryWatch) stop() {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, t := range w.timers {
		t.t.Stop()
	}
	w.timers, w.closed = nil, true
}

// Close stops the server's background work (the timers of licence ends).
// Call it after the HTTP server has shut down.
func (s *Server) Close() { s.expiry.stop() }
