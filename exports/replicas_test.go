package exports_test

import (
	"context"
	"testing"
	"time"

	"github.com/fotoembed/fotoembed/embed"
	"github.com/fotoembed/fotoembed/exports"
	"github.com/fotoembed/fotoembed/internal/redistest"
	"github.com/fotoembed/fotoembed/redisstore"
)

// TestReplicasExportOnce: three replicas, each with its own Redis store
// on one Redis, racing for the same keys from a start barrier, make
// exactly one EXPORT per key and hand out the same URLs.
func TestReplicasExportOnce(t *testing.T) {
	r := redistest.Start(t)
	e := newEnv(t)
	var xs []*exports.Exporter
	for range 3 {
		s, err := redisstore.New(context.Background(), redisstore.Config{
			URL: r.URL, KeyPrefix: "replicas:", Logger: quiet,
			Timeout: 2 * time.Second, // the race detector on 2 loaded cores
		})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		xs = append(xs, e.exporter(t, s.Ledger(), exports.Config{}))
	}
	got := hammer(t, xs, requests, 8)
	sameAnswers(t, requests, got)
	if n, _ := e.fw.counts(); n != len(requests) {
		t.Errorf("%d EXPORT requests from three replicas, want %d", n, len(requests))
	}
	var made uint64
	for _, x := range xs {
		made += x.Stats().Exports
	}
	if made != uint64(len(requests)) {
		t.Errorf("the replicas counted %d exports, want %d", made, len(requests))
	}

	// Redis down: the exporter refuses instead of exporting blind.
	r.Kill()
	_, err := xs[0].Export(context.Background(), embed.ExportRequest{Asset: requests[0].Asset, Width: 123})
	if err == nil {
		t.Error("Export with Redis down succeeded")
	}
	if n, _ := e.fw.counts(); n != len(requests) {
		t.Errorf("%d EXPORT requests after Redis went down, want %d", n, len(requests))
	}
}
