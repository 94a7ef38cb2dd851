package server

import (
	"context"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/fotoembed/fotoembed/embed"
	"github.com/fotoembed/fotoembed/exports"
	"github.com/fotoembed/fotoembed/urltoken"
)

// URLTokens is the URL token policy in force and why: a *urltoken.Prober
// (--url-token auto) or a urltoken.Fixed policy.
type URLTokens interface {
	embed.URLTokenPolicy
	// State returns the policy in force, why, and when it was checked.
	State() urltoken.State
}

// Exports is what the server needs from the exporter of export delivery
// (*exports.Exporter): dropping a deleted asset's export records.
type Exports interface {
	Forget(ctx context.Context, asset string) (int, error)
}

// watchExports exports the exporter's counters when it has them
// (*exports.Exporter): EXPORT requests made, calls answered from the
// ledger, exports made again after FotoWeb stopped serving them, errors.
func (m *Metrics) watchExports(x Exports) {
	st, ok := x.(interface{ Stats() exports.Stats })
	if !ok {
		return
	}
	m.exportsOnce.Do(func() {
		counter := func(name, help string, get func(exports.Stats) uint64) prometheus.Collector {
			return prometheus.NewCounterFunc(prometheus.CounterOpts{Name: name, Help: help},
				func() float64 { return float64(get(st.Stats())) })
		}
		m.reg.MustRegister(
			counter("fotoembed_exports_total", "EXPORT requests made to FotoWeb (export delivery).",
				func(s exports.Stats) uint64 { return s.Exports }),
			counter("fotoembed_export_ledger_hits_total", "Export URLs answered from the export ledger.",
				func(s exports.Stats) uint64 { return s.Hits }),
			counter("fotoembed_exports_remade_total", "Exports made again because FotoWeb no longer served the recorded URL.",
				func(s exports.Stats) uint64 { return s.Remade }),
			counter("fotoembed_export_errors_total", "Failed exports and failed ledger writes.",
				func(s exports.Stats) uint64 { return s.Errors }),
		)
	})
}

// watchURLTokens exports the policy in force as the gauge
// fotoembed_url_token_policy{policy}: 1 for the policy in force, 0 for
// the others.
func (m *Metrics) watchURLTokens(u URLTokens) {
	if u == nil {
		return
	}
	m.urlTokenOnce.Do(func() {
		for _, p := range []embed.URLToken{embed.URLTokenUnknown, embed.URLTokenNone, embed.URLTokenPreview, embed.URLTokenAccess} {
			m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
				Name:        "fotoembed_url_token_policy",
				Help:        "URL token policy in force for FotoWeb URLs handed to browsers (1 for the one in force).",
				ConstLabels: prometheus.Labels{"policy": p.String()},
			}, func() float64 {
				if u.URLToken() == p {
					return 1
				}
				return 0
			}))
		}
	})
}

// checkURLToken is the readiness check of the URL token policy: it fails
// when the service hands FotoWeb URLs to browsers (redirect delivery) and
// no policy is in force.
func (s *Server) checkURLToken() (CheckResult, *urltoken.State) {
	if s.cfg.URLTokens == nil {
		return CheckResult{Status: "ok"}, nil
	}
	st := s.cfg.URLTokens.State()
	if st.Policy == embed.URLTokenUnknown && s.cfg.Delivery == DeliveryRedirect {
		return CheckResult{Status: "fail", Error: "no URL token policy works: " + st.Reason}, &st
	}
	return CheckResult{Status: "ok"}, &st
}
