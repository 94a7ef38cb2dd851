package exports

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/fotoembed/fotoembed/embed"
	"github.com/fotoembed/fotoembed/fotoweb"
)

// Defaults for Config fields left zero.
const (
	DefaultVerifyAfter = time.Hour
	DefaultHEADTimeout = 10 * time.Second
)

// flightTimeout bounds one export flight (lock wait, EXPORT, record). A
// flight does not end with the caller that started it: an export FotoWeb
// made must be recorded, or it would be made again.
const flightTimeout = 3 * time.Minute

// recheckAfter is how long a URL whose check had no clear answer (FotoWeb
// unreachable, 5xx) is served before it is checked again (at most
// VerifyAfter), so that an outage does not put a check in every request.
const recheckAfter = time.Minute

// Client is the part of the FotoWeb client the Exporter uses;
// *fotoweb.Client satisfies it.
type Client interface {
	Export(ctx context.Context, assetHref string, req fotoweb.ExportRequest) (*fotoweb.ExportData, error)
}

// Config configures an [Exporter]. Client and Ledger are required.
type Config struct {
	// Client sends EXPORT requests to FotoWeb.
	Client Client
	// Ledger records every export made.
	Ledger Ledger
	// Preset is the href of the CMS export preset to export with ("":
	// none). It is part of every key: another preset is another export.
	Preset string
	// Publication is the default publication (the service's base URL);
	// a request's Publication wins.
	Publication string
	// VerifyAfter is how long a recorded URL is trusted before a HEAD
	// request checks that FotoWeb still serves it (default 1h; negative:
	// never checked).
	VerifyAfter time.Duration
	// HTTPClient sends the HEAD checks (default: a client with a 10s
	// timeout).
	HTTPClient *http.Client
	// Now is the clock (default time.Now).
	Now func() time.Time
	// Logger receives remade exports and ledger write failures (default
	// slog.Default()).
	Logger *slog.Logger
}

// Stats are an Exporter's counters since New.
type Stats struct {
	// Exports counts EXPORT requests made (remakes included).
	Exports uint64
	// Hits counts Export calls answered by a recorded export.
	Hits uint64
	// Remade counts exports made again because FotoWeb no longer served
	// the recorded URL.
	Remade uint64
	// Errors counts failed Export calls and failed ledger writes.
	Errors uint64
}

// Exporter is the [embed.Exporter] fotoembed uses: it exports each
// (asset, width, preset) once, across restarts and replicas, by recording
// every export in a [Ledger]. Concurrent calls for one key in a process
// share one flight; across processes the Ledger's lock lets one export.
// Create it with [New]; it is safe for concurrent use.
type Exporter struct {
	cfg     Config
	flights singleflight.Group
	unsure  sync.Map // Key -> time.Time: an inconclusive check; the next not before
	stats   struct{ exports, hits, remade, errors atomic.Uint64 }
}

// New returns an Exporter, or an error naming every problem with cfg.
func New(cfg Config) (*Exporter, error) {
	var errs []error
	if cfg.Client == nil {
		errs = append(errs, errors.New("Client is missing"))
	}
	if cfg.Ledger == nil {
		errs = append(errs, errors.New("Ledger is missing"))
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("exports: invalid config: %w", errors.Join(errs...))
	}
	if cfg.VerifyAfter == 0 {
		cfg.VerifyAfter = DefaultVerifyAfter
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: DefaultHEADTimeout}
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return &Exporter{cfg: cfg}, nil
}

// outcome is what a flight found or made.
type outcome struct {
	rec  Record
	made bool // an EXPORT was made for it
}

// Export implements [embed.Exporter]: the recorded export of (req.Asset,
// req.Width, the preset), or a new one, recorded before it is returned.
// A failed EXPORT is returned and never recorded. A ledger that cannot be
// read is an error: the Exporter does not export blind. A recorded URL
// older than VerifyAfter is checked first; if FotoWeb answers 404 or 410
// it is exported again, once.
func (x *Exporter) Export(ctx context.Context, req embed.ExportRequest) (embed.Exported, error) {
	rec, err := x.export(ctx, req)
	if err != nil {
		x.stats.errors.Add(1)
		return embed.Exported{}, err
	}
	return embed.Exported{URL: rec.URL, DoubleResolution: rec.DoubleResolution, Width: rec.Width, Height: rec.Height}, nil
}

func (x *Exporter) export(ctx context.Context, req embed.ExportRequest) (Record, error) {
	if req.Width < 0 {
		return Record{}, fmt.Errorf("exports: negative width %d for %s", req.Width, req.Asset)
	}
	if req.Asset == "" {
		return Record{}, errors.New("exports: no asset to export")
	}
	k := Key{Asset: req.Asset, Width: req.Width, Preset: x.cfg.Preset}
	rec, ok, err := x.cfg.Ledger.Get(ctx, k)
	if err != nil {
		return Record{}, fmt.Errorf("exports: ledger: %w", err)
	}
	if ok && !x.due(k, rec) {
		x.stats.hits.Add(1)
		return rec, nil
	}
	pub := req.Publication
	if pub == "" {
		pub = x.cfg.Publication
	}
	fctx := context.WithoutCancel(ctx)
	ch := x.flights.DoChan(k.String(), func() (any, error) {
		fctx, cancel := context.WithTimeout(fctx, flightTimeout)
		defer cancel()
		return x.settle(fctx, k, pub)
	})
	select {
	case r := <-ch:
		if r.Err != nil {
			return Record{}, r.Err
		}
		out := r.Val.(outcome)
		if !out.made {
			x.stats.hits.Add(1)
		}
		return out.rec, nil
	case <-ctx.Done():
		if ok { // the check outlasted the caller: serve the record
			x.stats.hits.Add(1)
			return rec, nil
		}
		return Record{}, fmt.Errorf("exports: exporting %s: %w", req.Asset, ctx.Err())
	}
}

// due reports whether k's recorded URL should be checked before it is
// served: it was last seen VerifyAfter ago, and no inconclusive check of
// it was made in the last recheckAfter.
func (x *Exporter) due(k Key, rec Record) bool {
	now := x.cfg.Now()
	if x.cfg.VerifyAfter < 0 || now.Sub(rec.Checked) < x.cfg.VerifyAfter {
		return false
	}
	next, ok := x.unsure.Load(k)
	return !ok || !now.Before(next.(time.Time))
}

// Forget drops every record of the asset (it was deleted in FotoWeb) and
// returns how many there were. A later Export of it exports again.
func (x *Exporter) Forget(ctx context.Context, asset string) (int, error) {
	n, err := x.cfg.Ledger.DeleteAsset(ctx, asset)
	x.unsure.Range(func(k, _ any) bool {
		if k.(Key).Asset == asset {
			x.unsure.Delete(k)
		}
		return true
	})
	if err != nil {
		return 0, fmt.Errorf("exports: forgetting %s: %w", asset, err)
	}
	return n, nil
}

// Stats returns a snapshot of the counters.
func (x *Exporter) Stats() Stats {
	s := &x.stats
	return Stats{Exports: s.exports.Load(), Hits: s.hits.Load(), Remade: s.remade.Load(), Errors: s.errors.Load()}
}

var _ embed.Exporter = (*Exporter)(nil)
