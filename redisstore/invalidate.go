package redisstore

import (
	"sync"

	"github.com/redis/go-redis/v9"
)

// subscribe starts the subscriber: every key published on the
// invalidation channel is dropped from the near cache. go-redis
// reconnects and resubscribes by itself after a lost connection; each
// (re)subscription is confirmed by a Subscription message, on which the
// whole near cache is cleared, since messages sent while the connection
// was down are lost (pub/sub is fire-and-forget).
func (s *Store) subscribe() {
	s.ps = s.rdb.Subscribe(s.life, s.channel())
	ch := s.ps.ChannelWithSubscriptions(
		redis.WithChannelHealthCheckInterval(s.cfg.HealthInterval),
		redis.WithChannelPingTimeout(s.cfg.Timeout),
		redis.WithChannelReconnectTimeout(max(s.cfg.Timeout, s.cfg.HealthInterval)),
		redis.WithChannelSize(1000),
	)
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		first := true
		for msg := range ch {
			switch m := msg.(type) {
			case *redis.Message:
				s.stats.invalidations.Add(1)
				s.dropLocal(m.Payload)
			case *redis.Subscription:
				if m.Kind != "subscribe" {
					continue
				}
				s.clearNear()
				if !first {
					s.stats.resubscribes.Add(1)
					s.log.info("redisstore: resubscribed to invalidations; near cache cleared")
				}
				first = false
				s.health.setSubscribed(true)
			}
		}
	}()
}

// fillSet tracks the fills under way in this process (between LockFill
// and its unlock), and whether their key was invalidated meanwhile.
type fillSet struct {
	mu    sync.Mutex
	fills map[string]*fillState
}

// fillState is the fills of one key; several may overlap when the
// resolver forgets a flight on invalidation.
type fillState struct {
	n           int
	invalidated bool
}

func (f *fillSet) init() { f.fills = make(map[string]*fillState) }

// begin registers a fill of key and returns its end.
func (f *fillSet) begin(key string) (end func()) {
	f.mu.Lock()
	st := f.fills[key]
	if st == nil {
		st = &fillState{}
		f.fills[key] = st
	}
	st.n++
	f.mu.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			f.mu.Lock()
			if st.n--; st.n == 0 {
				delete(f.fills, key)
			}
			f.mu.Unlock()
		})
	}
}

// invalidate marks the fills of key under way.
func (f *fillSet) invalidate(key string) {
	f.mu.Lock()
	if st := f.fills[key]; st != nil {
		st.invalidated = true
	}
	f.mu.Unlock()
}

// invalidateAll marks every fill under way.
func (f *fillSet) invalidateAll() {
	f.mu.Lock()
	for _, st := range f.fills {
		st.invalidated = true
	}
	f.mu.Unlock()
}

// invalidated reports whether a fill of key under way was invalidated.
func (f *fillSet) invalidated(key string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	st := f.fills[key]
	return st != nil && st.invalidated
}

// pendingSet holds deletes that could not reach Redis, to replay them
// when it answers again: a webhook received during an outage must still
// remove the shared entry and reach the other replicas.
type pendingSet struct {
	mu   sync.Mutex
	keys map[string]struct{}
}

func (p *pendingSet) init() { p.keys = make(map[string]struct{}) }

// add remembers key, up to MaxPendingDeletes keys; it reports whether
// it did.
func (p *pendingSet) add(key string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if _, ok := p.keys[key]; !ok && len(p.keys) >= MaxPendingDeletes {
		return false
	}
	p.keys[key] = struct{}{}
	return true
}

// list returns the pending keys.
func (p *pendingSet) list() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]string, 0, len(p.keys))
	for k := range p.keys {
		out = append(out, k)
	}
	return out
}

// remove forgets key, once its delete was sent.
func (p *pendingSet) remove(key string) {
	p.mu.Lock()
	delete(p.keys, key)
	p.mu.Unlock()
}

// len returns the number of pending keys.
func (p *pendingSet) len() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.keys)
}

// replayDeletes sends the pending deletes. A key stays pending until its
// delete is sent, so PendingDeletes is 0 only once all are.
func (s *Store) replayDeletes() {
	keys := s.pending.list()
	for _, k := range keys {
		if err := s.sendDelete(s.life, k); err != nil {
			s.fail("replay delete", err)
			return
		}
		s.pending.remove(k)
	}
	if len(keys) > 0 {
		s.log.info("redisstore: replayed invalidations held during the outage", "count", len(keys))
	}
}
