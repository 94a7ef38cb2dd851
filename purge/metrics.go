package purge

import (
	"context"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Outcomes of a purge to one backend, the outcome label of
// fotoembed_purges_total.
const (
	outcomeOK      = "ok"      // the backend confirmed it
	outcomeRetry   = "retry"   // an attempt failed; another follows
	outcomeFailed  = "failed"  // given up
	outcomeDropped = "dropped" // never sent: queue full, or Close
	outcomeSkipped = "skipped" // Once said another replica sends it
)

var outcomes = []string{outcomeOK, outcomeRetry, outcomeFailed, outcomeDropped, outcomeSkipped}

var (
	purgesDesc = prometheus.NewDesc("fotoembed_purges_total",
		"Purges of asset cache tags by backend and outcome: ok (done), retry (an attempt failed and another follows), "+
			"failed (given up), dropped (queue full or shutting down), skipped (another replica sends it).",
		[]string{"backend", "outcome"}, nil)
	queueDesc = prometheus.NewDesc("fotoembed_purge_queue_length", "Purges waiting to be sent.", nil, nil)
)

// stats are the counters by backend label and outcome.
type stats struct {
	labels []string // distinct, in configuration order
	n      map[string]*[5]atomic.Uint64
	queued func() int
}

func newStats(labels []string, queued func() int) *stats {
	s := &stats{n: make(map[string]*[5]atomic.Uint64), queued: queued}
	for _, l := range labels {
		if _, ok := s.n[l]; !ok {
			s.labels = append(s.labels, l)
			s.n[l] = new([5]atomic.Uint64)
		}
	}
	return s
}

func (s *stats) add(label, outcome string) {
	if c, ok := s.n[label]; ok {
		c[slices.Index(outcomes, outcome)].Add(1)
	}
}

func (s *stats) get(label, outcome string) uint64 {
	c, ok := s.n[label]
	i := slices.Index(outcomes, outcome)
	if !ok || i < 0 {
		return 0
	}
	return c[i].Load()
}

// Describe implements prometheus.Collector.
func (p *Purger) Describe(ch chan<- *prometheus.Desc) {
	ch <- purgesDesc
	ch <- queueDesc
}

// Collect implements prometheus.Collector: fotoembed_purges_total for
// every configured backend and outcome (zeros included), and
// fotoembed_purge_queue_length.
func (p *Purger) Collect(ch chan<- prometheus.Metric) {
	for _, l := range p.stats.labels {
		for i, o := range outcomes {
			ch <- prometheus.MustNewConstMetric(purgesDesc, prometheus.CounterValue, float64(p.stats.n[l][i].Load()), l, o)
		}
	}
	ch <- prometheus.MustNewConstMetric(queueDesc, prometheus.GaugeValue, float64(p.stats.queued()))
}

var _ prometheus.Collector = (*Purger)(nil)

// rateLog writes each distinct warning at most once per interval; the
// repeats in between are counted and reported with the next one.
type rateLog struct {
	log      *slog.Logger
	interval time.Duration

	mu   sync.Mutex
	last map[string]time.Time
	held map[string]int
}

func newRateLog(l *slog.Logger, interval time.Duration) *rateLog {
	return &rateLog{log: l, interval: interval, last: make(map[string]time.Time), held: make(map[string]int)}
}

// warn logs msg with args unless a warning with the same key was logged
// less than interval ago.
func (r *rateLog) warn(key, msg string, args ...any) {
	r.mu.Lock()
	now := time.Now()
	if t, ok := r.last[key]; ok && now.Sub(t) < r.interval {
		r.held[key]++
		r.mu.Unlock()
		return
	}
	n := r.held[key]
	r.last[key], r.held[key] = now, 0
	r.mu.Unlock()
	if n > 0 {
		args = append(args, "suppressed", n)
	}
	r.log.Log(context.Background(), slog.LevelWarn, msg, args...)
}
