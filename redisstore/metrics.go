package redisstore

import "github.com/prometheus/client_golang/prometheus"

// metric is one Prometheus metric derived from Stats.
type metric struct {
	desc  *prometheus.Desc
	typ   prometheus.ValueType
	value func(Stats) float64
}

// metrics are the Store's Prometheus metrics, all prefixed
// fotoembed_store_.
var metrics = func() []metric {
	m := func(name, help string, typ prometheus.ValueType, value func(Stats) float64) metric {
		return metric{prometheus.NewDesc("fotoembed_store_"+name, help, nil, nil), typ, value}
	}
	counter := func(name, help string, value func(Stats) uint64) metric {
		return m(name, help, prometheus.CounterValue, func(s Stats) float64 { return float64(value(s)) })
	}
	return []metric{
		m("up", "1 when the shared store (Redis) answers its health ping, else 0.", prometheus.GaugeValue,
			func(s Stats) float64 {
				if s.Up {
					return 1
				}
				return 0
			}),
		m("pending_invalidations", "Invalidations waiting for Redis to answer.", prometheus.GaugeValue,
			func(s Stats) float64 { return float64(s.PendingDeletes) }),
		counter("errors_total", "Failed or timed-out Redis calls.", func(s Stats) uint64 { return s.Errors }),
		counter("near_hits_total", "Store lookups answered by the in-process near cache.", func(s Stats) uint64 { return s.NearHits }),
		counter("shared_hits_total", "Store lookups answered by Redis.", func(s Stats) uint64 { return s.SharedHits }),
		counter("misses_total", "Store lookups that found nothing (Redis errors included).", func(s Stats) uint64 { return s.Misses }),
		counter("invalidations_total", "Invalidation messages received.", func(s Stats) uint64 { return s.Invalidations }),
		counter("resubscribes_total", "Invalidation subscriptions renewed after a lost connection.", func(s Stats) uint64 { return s.Resubscribes }),
		counter("fill_locks_total", "Cluster-wide fill locks taken.", func(s Stats) uint64 { return s.FillLocks }),
		counter("fill_waits_total", "Misses that waited for another replica's fetch.", func(s Stats) uint64 { return s.FillWaits }),
		counter("fill_fallbacks_total", "Misses fetched without the fill lock (Redis down or the wait too long).", func(s Stats) uint64 { return s.FillFallbacks }),
	}
}()

// Describe implements prometheus.Collector.
func (s *Store) Describe(ch chan<- *prometheus.Desc) {
	for _, m := range metrics {
		ch <- m.desc
	}
}

// Collect implements prometheus.Collector: the Store's [Stats] as
// fotoembed_store_* metrics (the service registers a Store it is given).
func (s *Store) Collect(ch chan<- prometheus.Metric) {
	st := s.Stats()
	for _, m := range metrics {
		ch <- prometheus.MustNewConstMetric(m.desc, m.typ, m.value(st))
	}
}

var _ prometheus.Collector = (*Store)(nil)
