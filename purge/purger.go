package purge

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"time"
)

// Purger sends purges of asset cache tags to every configured backend in
// the background: [Purger.Purge] queues and returns at once; a few
// workers send, retrying failed attempts with exponential backoff and
// jitter. Create it with [New] and Close it when done; register it with
// a Prometheus registry for fotoembed_purges_total. It is safe for
// concurrent use.
type Purger struct {
	cfg      Config
	backends []backend
	secrets  []string
	queue    chan job
	stats    *stats
	log      *rateLog

	ctx    context.Context // cancelled when Close gives up
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu        sync.RWMutex // guards closed against sends on queue
	closed    bool
	closeOnce sync.Once
	closeErr  error

	onceMu     sync.Mutex
	onceBucket int64
	onceSeen   map[string]int // (tag, reason) -> times seen in onceBucket
}

// New checks cfg and starts the workers.
func New(cfg Config) (*Purger, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	p := &Purger{cfg: cfg, queue: make(chan job, cfg.QueueSize), onceSeen: make(map[string]int)}
	if c := cfg.Webhook; c != nil {
		p.backends = append(p.backends, newWebhook(*c))
	}
	if c := cfg.Varnish; c != nil {
		for _, u := range c.URLs {
			p.backends = append(p.backends, newVarnish(u, c.Method))
		}
	}
	if c := cfg.Fastly; c != nil {
		p.backends = append(p.backends, &fastly{cfg: *c})
	}
	if c := cfg.Cloudflare; c != nil {
		p.backends = append(p.backends, &cloudflare{cfg: *c})
	}
	var labels []string
	for _, b := range p.backends {
		labels = append(labels, b.label())
		p.secrets = append(p.secrets, b.secrets()...)
	}
	p.stats = newStats(labels, func() int { return len(p.queue) })
	p.log = newRateLog(cfg.Logger, cfg.LogInterval)
	p.ctx, p.cancel = context.WithCancel(context.Background())
	for range cfg.Workers {
		p.wg.Add(1)
		go p.work()
	}
	return p, nil
}

// Purge queues the purge of asset's cache tag ([Tag]) from every backend
// and returns at once. reason is "modified", "deleted" or "unpublished".
// When the queue is full, or after Close, the purge is dropped: counted
// (outcome "dropped") and logged, rate-limited.
func (p *Purger) Purge(asset, reason string) {
	j := job{asset: asset, tag: Tag(asset), reason: reason}
	if p.cfg.Once != nil {
		j.once = p.onceKey(j.tag, reason)
	}
	p.mu.RLock()
	defer p.mu.RUnlock()
	if p.closed {
		p.drop(j, "purge: purge asked for after Close; dropped")
		return
	}
	select {
	case p.queue <- j:
	default:
		p.drop(j, "purge: queue full; purge dropped (the CDN keeps the asset until its max-age)")
	}
}

// drop counts j as dropped by every backend and warns.
func (p *Purger) drop(j job, msg string) {
	for _, b := range p.backends {
		p.stats.add(b.label(), outcomeDropped)
	}
	p.log.warn(msg, msg, "tag", j.tag, "reason", j.reason, "asset", j.asset, "queue_size", p.cfg.QueueSize)
}

// onceKey is the Once key of a change of tag: the same on every replica
// that is told of the same changes in the same time bucket.
func (p *Purger) onceKey(tag, reason string) string {
	bucket := p.cfg.Now().UnixNano() / int64(p.cfg.OnceWindow)
	k := tag + ":" + reason
	p.onceMu.Lock()
	if bucket != p.onceBucket {
		p.onceBucket = bucket
		clear(p.onceSeen)
	}
	p.onceSeen[k]++
	n := p.onceSeen[k]
	p.onceMu.Unlock()
	return "purge:" + k + ":" + strconv.FormatInt(bucket, 10) + ":" + strconv.Itoa(n)
}

// Close stops taking purges and waits for the queued ones to be sent, at
// most CloseTimeout; then it cancels what is under way (counted
// "failed") and what is still queued (counted "dropped"), and says so in
// its error. Calling it again returns the same.
func (p *Purger) Close() error {
	p.closeOnce.Do(func() {
		p.mu.Lock()
		p.closed = true
		close(p.queue)
		p.mu.Unlock()
		done := make(chan struct{})
		go func() { p.wg.Wait(); close(done) }()
		t := time.NewTimer(p.cfg.CloseTimeout)
		defer t.Stop()
		select {
		case <-done:
		case <-t.C:
			left := len(p.queue)
			p.cancel()
			<-done
			p.closeErr = fmt.Errorf("purge: gave up after %v with purges still being sent (%d queued); they are counted failed or dropped", p.cfg.CloseTimeout, left)
		}
		p.cancel()
	})
	return p.closeErr
}

// Count returns how many purges to backends labelled backend (webhook,
// varnish, fastly, cloudflare) ended with outcome (ok, retry, failed,
// dropped, skipped), as fotoembed_purges_total reports them.
func (p *Purger) Count(backend, outcome string) uint64 {
	return p.stats.get(backend, outcome)
}
