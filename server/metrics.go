package server

import (
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/fotoembed/fotoembed/embed"
	"github.com/fotoembed/fotoembed/fotoweb"
)

// Metrics holds the service's Prometheus metrics in a registry of its
// own (never the global one). Create it with [NewMetrics] before the
// FotoWeb client, wire [Metrics.InstrumentTransport] into the client's
// and the token source's http.Client, and pass it in Config.Metrics.
type Metrics struct {
	reg             *prometheus.Registry
	requests        *prometheus.CounterVec
	latency         *prometheus.HistogramVec
	upstream        *prometheus.CounterVec
	upstreamLatency *prometheus.HistogramVec
	tokenRefreshes  prometheus.Counter
	resolverOnce    sync.Once
	storeOnce       sync.Once
	urlTokenOnce    sync.Once
	exportsOnce     sync.Once
	readyOnce       sync.Once // readiness gauges (health.go)

	// reqMu guards reqObs, the request children already resolved, so
	// that the hot path skips WithLabelValues' label hashing.
	reqMu  sync.RWMutex
	reqObs map[reqKey]reqChildren
}

// reqKey identifies the request metric children of one answer.
type reqKey struct {
	route, method string
	status        int
}

// reqChildren are the resolved children of requests and latency.
type reqChildren struct {
	count   prometheus.Counter
	latency prometheus.Observer
}

// maxReqObs bounds reqObs; further label sets are resolved per request.
const maxReqObs = 1024

// NewMetrics returns the metrics registered in a new registry, with the
// Go runtime and process collectors.
func NewMetrics() *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "fotoembed_http_requests_total",
			Help: "HTTP requests answered, by route template, method and status code.",
		}, []string{"route", "method", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "fotoembed_http_request_duration_seconds",
			Help:    "Time to answer an HTTP request, by route template.",
			Buckets: prometheus.DefBuckets,
		}, []string{"route"}),
		upstream: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "fotoembed_upstream_requests_total",
			Help: "Requests to FotoWeb, by operation and status code (\"error\" for no answer).",
		}, []string{"op", "status"}),
		upstreamLatency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "fotoembed_upstream_request_duration_seconds",
			Help:    "Time until FotoWeb's response headers, by operation.",
			Buckets: prometheus.DefBuckets,
		}, []string{"op"}),
		tokenRefreshes: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "fotoembed_token_refreshes_total",
			Help: "Access tokens obtained from FotoWeb's token endpoint.",
		}),
	}
	m.reg.MustRegister(m.requests, m.latency, m.upstream, m.upstreamLatency, m.tokenRefreshes,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Registry returns the metrics' own registry, to add collectors.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// Handler serves the metrics in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// observeRequest records one answered request. route must be a
// registered template or "unmatched" (Server.routeLabel); method and
// status are bounded here (methodLabel, statusLabel), so the label sets
// are a fixed few whatever clients send.
func (m *Metrics) observeRequest(route, method string, status int, d time.Duration) {
	method = methodLabel(method)
	if http.StatusText(status) == "" { // statusLabel's "other", without formatting the code
		status = 0
	}
	k := reqKey{route, method, status}
	m.reqMu.RLock()
	ch, ok := m.reqObs[k]
	m.reqMu.RUnlock()
	if !ok {
		ch = reqChildren{
			count:   m.requests.WithLabelValues(route, method, statusLabel(status)),
			latency: m.latency.WithLabelValues(route),
		}
		m.reqMu.Lock()
		if m.reqObs == nil {
			m.reqObs = make(map[reqKey]reqChildren)
		}
		if len(m.reqObs) < maxReqObs {
			m.reqObs[k] = ch
		}
		m.reqMu.Unlock()
	}
	ch.count.Inc()
	ch.latency.Observe(d.Seconds())
}

// watchResolver exports a resolver's cache counters. Only the first
// resolver given to one Metrics is exported.
func (m *Metrics) watchResolver(r *embed.Resolver) {
	m.resolverOnce.Do(func() {
		counter := func(name, help string, get func(embed.Stats) uint64) prometheus.Collector {
			return prometheus.NewCounterFunc(prometheus.CounterOpts{Name: name, Help: help},
				func() float64 { return float64(get(r.Stats())) })
		}
		m.reg.MustRegister(
			counter("fotoembed_cache_hits_total", "Asset lookups answered from a fresh cache entry.",
				func(s embed.Stats) uint64 { return s.Hits }),
			counter("fotoembed_cache_misses_total", "Asset lookups that needed FotoWeb.",
				func(s embed.Stats) uint64 { return s.Misses }),
			counter("fotoembed_cache_stale_serves_total", "Asset lookups answered with a stale entry because FotoWeb failed.",
				func(s embed.Stats) uint64 { return s.StaleServes }),
			counter("fotoembed_cache_stale_while_revalidate_total", "Asset lookups answered at once with a stale entry while it was refreshed in the background.",
				func(s embed.Stats) uint64 { return s.StaleWhileRevalidate }),
			counter("fotoembed_cache_background_refreshes_total", "Asset fetches from FotoWeb made in the background for stale entries.",
				func(s embed.Stats) uint64 { return s.BackgroundRefreshes }),
			counter("fotoembed_cache_miss_timeouts_total", "Asset lookups that gave up waiting for FotoWeb after the miss budget.",
				func(s embed.Stats) uint64 { return s.MissTimeouts }),
			counter("fotoembed_cache_fetches_total", "Asset fetches from FotoWeb (one per coalesced miss).",
				func(s embed.Stats) uint64 { return s.Fetches }),
			counter("fotoembed_cache_upstream_errors_total", "Failed asset fetches (not-found excluded).",
				func(s embed.Stats) uint64 { return s.UpstreamErrors }),
			counter("fotoembed_cache_not_found_total", "Asset lookups answered not found.",
				func(s embed.Stats) uint64 { return s.NotFound }),
		)
		if st, ok := r.Store().(embed.StatsStore); ok {
			m.reg.MustRegister(storeMetrics(st)...)
		}
	})
}

// storeMetrics are the size and eviction metrics of a resolver's store
// that reports them (the in-process store, or a shared store's near
// cache): fotoembed_cache_entries and _max_entries by kind (asset,
// not_found), fotoembed_cache_bytes and _max_bytes (the store's estimate;
// a max of 0 means no limit) and fotoembed_cache_evictions_total by
// reason (size, entries, not_found, expired).
func storeMetrics(st embed.StatsStore) []prometheus.Collector {
	gauge := func(name, help string, labels prometheus.Labels, get func(embed.StoreStats) float64) prometheus.Collector {
		return prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help, ConstLabels: labels},
			func() float64 { return get(st.StoreStats()) })
	}
	eviction := func(reason string, get func(embed.Evictions) uint64) prometheus.Collector {
		return prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "fotoembed_cache_evictions_total",
			Help: "Cache entries evicted before being replaced or deleted, by reason: size (the byte bound), entries (the entry bound), " +
				"not_found (the bound on not-found markers), expired (past their time to live).",
			ConstLabels: prometheus.Labels{"reason": reason}},
			func() float64 { return float64(get(st.StoreStats().Evictions)) })
	}
	const entriesHelp = "Cache entries held, by kind (asset, or not_found marker)."
	const maxEntriesHelp = "Most cache entries held, by kind (asset, or not_found marker); 0 means no limit."
	asset, notFound := prometheus.Labels{"kind": "asset"}, prometheus.Labels{"kind": "not_found"}
	return []prometheus.Collector{
		gauge("fotoembed_cache_entries", entriesHelp, asset, func(s embed.StoreStats) float64 { return float64(s.Entries) }),
		gauge("fotoembed_cache_entries", entriesHelp, notFound, func(s embed.StoreStats) float64 { return float64(s.NotFound) }),
		gauge("fotoembed_cache_max_entries", maxEntriesHelp, asset, func(s embed.StoreStats) float64 { return float64(s.MaxEntries) }),
		gauge("fotoembed_cache_max_entries", maxEntriesHelp, notFound, func(s embed.StoreStats) float64 { return float64(s.MaxNotFound) }),
		gauge("fotoembed_cache_bytes", "Estimated heap bytes of the cache entries held.", nil,
			func(s embed.StoreStats) float64 { return float64(s.Bytes) }),
		gauge("fotoembed_cache_max_bytes", "Most estimated heap bytes of cache entries held; 0 means no limit.", nil,
			func(s embed.StoreStats) float64 { return float64(s.MaxBytes) }),
		eviction("size", func(e embed.Evictions) uint64 { return e.Size }),
		eviction("entries", func(e embed.Evictions) uint64 { return e.Entries }),
		eviction("not_found", func(e embed.Evictions) uint64 { return e.NotFound }),
		eviction("expired", func(e embed.Evictions) uint64 { return e.Expired }),
	}
}

// watchStore exports the metrics of a resolver store that is a
// prometheus.Collector (one shared between replicas: *redisstore.Store).
// Only the first such store given to one Metrics is exported.
func (m *Metrics) watchStore(st embed.Store) {
	if c, ok := st.(prometheus.Collector); ok {
		m.storeOnce.Do(func() { m.reg.MustRegister(c) })
	}
}

// InstrumentTransport wraps rt (nil means a new fotoweb.NewTransport(),
// the one transport to FotoWeb) so that every request to FotoWeb is
// counted by operation and status and timed, and every token obtained
// from the token endpoint counts as a token refresh. Use it as the
// Transport of the http.Client given to fotoweb.Config.HTTPClient and to
// the token source's Options.HTTPClient. Nothing about the request (URL,
// headers) is recorded beyond the operation.
func (m *Metrics) InstrumentTransport(rt http.RoundTripper) http.RoundTripper {
	if rt == nil {
		rt = fotoweb.NewTransport()
	}
	return &instrumented{rt: rt, m: m}
}

// instrumented is the RoundTripper of InstrumentTransport.
type instrumented struct {
	rt http.RoundTripper
	m  *Metrics
}

// RoundTrip implements http.RoundTripper.
func (t *instrumented) RoundTrip(req *http.Request) (*http.Response, error) {
	op := upstreamOp(req)
	start := time.Now()
	res, err := t.rt.RoundTrip(req)
	t.m.upstreamLatency.WithLabelValues(op).Observe(time.Since(start).Seconds())
	status := "error"
	if err == nil {
		status = statusLabel(res.StatusCode)
		if op == "token" && res.StatusCode == http.StatusOK {
			t.m.tokenRefreshes.Inc()
		}
	}
	t.m.upstream.WithLabelValues(op, status).Inc()
	return res, err
}

// upstreamOp names the FotoWeb operation of a request from its path.
func upstreamOp(req *http.Request) string {
	p := req.URL.Path
	switch {
	case strings.HasPrefix(p, "/fotoweb/oauth2/"):
		return "token"
	case p == "/fotoweb/me" || p == "/fotoweb/me/" || p == "/fotoweb/" || p == "/fotoweb":
		return "descriptor"
	case strings.HasPrefix(p, "/fotoweb/cache/"):
		return "preview"
	case strings.HasPrefix(p, "/fotoweb/services/renditions"), strings.HasPrefix(p, "/fotoweb/me/background-tasks/"):
		return "rendition"
	case strings.HasPrefix(p, "/fotoweb/archives/") && strings.HasSuffix(p, ".info"):
		return "asset"
	case strings.Contains(req.URL.RawQuery, "q="):
		return "search"
	case strings.HasPrefix(p, "/fotoweb/archives") || strings.HasPrefix(p, "/fotoweb/me/archives"):
		return "list"
	}
	return "other"
}

// methodLabel is the method label of a request: a method of RFC 9110
// the service may answer, or "other" (a client may send any token).
func methodLabel(method string) string {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions:
		return method
	}
	return "other"
}

// statusLabel is the status label of an answer: a status code net/http
// knows, or "other".
func statusLabel(code int) string {
	if http.StatusText(code) == "" {
		return "other"
	}
	return strconv.Itoa(code)
}
