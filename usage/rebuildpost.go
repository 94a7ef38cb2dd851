package usage

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// HookBody is the JSON body POSTed to the build hook.
type HookBody struct {
	// Asset and Reason are the first changed asset of the POST (its
	// canonical href) and what happened to it: "modified", "deleted" or
	// "unpublished".
	Asset  string `json:"asset"`
	Reason string `json:"reason"`
	// Pages are the pages to rebuild: every page that uses any of the
	// assets, each once.
	Pages []string `json:"pages"`
	// Assets lists every asset with its reason when several changes were
	// coalesced into this POST (omitted for one).
	Assets []HookAsset `json:"assets,omitempty"`
	// Truncated says that Pages was cut at RebuilderConfig.MaxPages:
	// rebuild everything.
	Truncated bool `json:"truncated,omitempty"`
}

// HookAsset is one changed asset in HookBody.Assets.
type HookAsset struct {
	Asset  string `json:"asset"`
	Reason string `json:"reason"`
}

// body is the POST body of b.
func (b *batch) body() HookBody {
	h := HookBody{Asset: b.assets[0].Asset, Reason: b.assets[0].Reason, Pages: b.pages, Truncated: b.truncated}
	if h.Pages == nil {
		h.Pages = []string{}
	}
	if len(b.assets) > 1 {
		h.Assets = b.assets
	}
	return h
}

// send POSTs b, trying up to MaxAttempts times when retry is set (once
// otherwise), and counts the outcome of each rebuild merged into it.
func (r *Rebuilder) send(b batch, retry bool) {
	h := b.body()
	body, err := json.Marshal(h)
	if err != nil { // strings only: cannot happen
		r.failed.Add(b.requests)
		return
	}
	log := r.cfg.Logger.With("hook", r.host, "assets", len(b.assets), "pages", len(h.Pages))
	attempts := r.cfg.MaxAttempts
	if !retry {
		attempts = 1
	}
	for n := 1; ; n++ {
		status, wait, err := r.post(body)
		if err == nil {
			r.sent.Add(b.requests)
			log.Info("rebuild: build hook called", "status", status, "attempt", n, "truncated", h.Truncated)
			return
		}
		if wait < 0 || n >= attempts {
			r.failed.Add(b.requests)
			log.Warn("rebuild: build hook failed; the pages were not rebuilt", "attempt", n, "err", err.Error())
			return
		}
		wait = max(wait, min(r.cfg.Backoff<<(n-1), r.cfg.MaxBackoff))
		log.Warn("rebuild: build hook failed; trying again", "attempt", n, "in", wait.String(), "err", err.Error())
		r.retries.Add(1)
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-r.stop:
			t.Stop()
			r.failed.Add(b.requests)
			log.Warn("rebuild: stopping before the build hook answered; the pages were not rebuilt")
			return
		}
	}
}

// post makes one POST. A nil error is a 2xx answer. Otherwise wait is
// the Retry-After the hook asked for (0 for none), or negative when a
// retry would not help. The error never holds the URL or the secret.
func (r *Rebuilder) post(body []byte) (status int, wait time.Duration, err error) {
	ctx, cancel := context.WithTimeout(context.Background(), r.cfg.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, r.cfg.URL, bytes.NewReader(body))
	if err != nil {
		return 0, -1, errors.New("cannot make the request")
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "fotoembed")
	if r.cfg.Secret != "" {
		req.Header.Set(r.cfg.Header, r.cfg.Secret)
	}
	res, err := r.cfg.HTTPClient.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // without the URL
		}
		return 0, 0, err
	}
	defer res.Body.Close()
	io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10))
	switch s := res.StatusCode; {
	case s >= 200 && s < 300:
		return s, 0, nil
	case s == http.StatusRequestTimeout, s == http.StatusTooManyRequests, s >= 500:
		wait := time.Duration(0)
		if sec, err := strconv.Atoi(res.Header.Get("Retry-After")); err == nil && sec > 0 {
			wait = min(time.Duration(sec)*time.Second, r.cfg.MaxBackoff)
		}
		return s, wait, fmt.Errorf("status %d", s)
	default:
		return s, -1, fmt.Errorf("status %d (not tried again)", s)
	}
}

// RebuildStats counts the rebuilds asked of a Rebuilder.
type RebuildStats struct {
	Sent    uint64 // rebuilds whose POST succeeded
	Failed  uint64 // rebuilds whose POST failed for good
	Dropped uint64 // rebuilds dropped: queue full or closed
	Retries uint64 // POSTs tried again
}

// Stats returns the counts so far.
func (r *Rebuilder) Stats() RebuildStats {
	return RebuildStats{Sent: r.sent.Load(), Failed: r.failed.Load(), Dropped: r.dropped.Load(), Retries: r.retries.Load()}
}

var (
	rebuildsDesc = prometheus.NewDesc("fotoembed_rebuilds_total",
		"Rebuilds asked for (one per changed asset with pages), by outcome: sent (the build hook accepted the POST), "+
			"failed (it did not, after the retries), dropped (queue full or shutting down).", []string{"outcome"}, nil)
	retriesDesc = prometheus.NewDesc("fotoembed_rebuild_retries_total",
		"POSTs to the build hook tried again after a failure.", nil, nil)
)

// Describe implements prometheus.Collector.
func (r *Rebuilder) Describe(ch chan<- *prometheus.Desc) {
	ch <- rebuildsDesc
	ch <- retriesDesc
}

// Collect implements prometheus.Collector.
func (r *Rebuilder) Collect(ch chan<- prometheus.Metric) {
	st := r.Stats()
	for _, o := range []struct {
		outcome string
		n       uint64
	}{{"sent", st.Sent}, {"failed", st.Failed}, {"dropped", st.Dropped}} {
		ch <- prometheus.MustNewConstMetric(rebuildsDesc, prometheus.CounterValue, float64(o.n), o.outcome)
	}
	ch <- prometheus.MustNewConstMetric(retriesDesc, prometheus.CounterValue, float64(st.Retries))
}

var _ prometheus.Collector = (*Rebuilder)(nil)
