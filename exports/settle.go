package exports

import (
	"context"
	"fmt"
	"net/http"

	"github.com/fotoembed/fotoembed/fotoweb"
)

// settle is one flight for k: look in the ledger again, check a recorded
// URL that is due, and export (again) under the ledger's lock when there
// is no usable record.
func (x *Exporter) settle(ctx context.Context, k Key, pub string) (outcome, error) {
	rec, ok, err := x.cfg.Ledger.Get(ctx, k)
	if err != nil {
		return outcome{}, fmt.Errorf("exports: ledger: %w", err)
	}
	if ok && !x.due(k, rec) {
		return outcome{rec: rec}, nil
	}
	if ok {
		state := x.check(ctx, rec.URL)
		if state == unknown {
			x.unsure.Store(k, x.cfg.Now().Add(min(recheckAfter, x.cfg.VerifyAfter)))
			return outcome{rec: rec}, nil
		}
		x.unsure.Delete(k)
		if state == served {
			rec.Checked = x.cfg.Now()
			x.put(ctx, k, rec)
			return outcome{rec: rec}, nil
		}
	}
	unlock, err := x.cfg.Ledger.Lock(ctx, k)
	if err != nil {
		return outcome{}, fmt.Errorf("exports: ledger lock: %w", err)
	}
	defer unlock()
	cur, found, err := x.cfg.Ledger.Get(ctx, k)
	if err != nil {
		return outcome{}, fmt.Errorf("exports: ledger: %w", err)
	}
	if found && (!ok || cur.Remade != rec.Remade || !cur.Created.Equal(rec.Created)) {
		return outcome{rec: cur}, nil // another process exported or remade it meanwhile
	}
	return x.send(ctx, k, pub, rec, ok && found)
}

// send sends EXPORT for k and records the answer. With remake, old is the
// record whose URL FotoWeb no longer serves. A record that cannot be
// written is logged and the export still returned: FotoWeb made it.
func (x *Exporter) send(ctx context.Context, k Key, pub string, old Record, remake bool) (outcome, error) {
	x.stats.exports.Add(1)
	d, err := x.cfg.Client.Export(ctx, k.Asset, fotoweb.ExportRequest{Width: k.Width, Publication: pub, Preset: k.Preset})
	if err != nil {
		return outcome{}, fmt.Errorf("exports: exporting %s at width %d: %w", k.Asset, k.Width, err)
	}
	now := x.cfg.Now()
	img := d.Export.Image
	rec := Record{
		URL: img.Normal, HighCompression: img.HighCompression, DoubleResolution: img.DoubleResolution,
		Width: d.Export.Size.W, Height: d.Export.Size.H,
		Publication: pub, Created: now, Checked: now,
	}
	if remake {
		rec.Remade = old.Remade + 1
		x.stats.remade.Add(1)
		x.cfg.Logger.Info("exports: FotoWeb no longer serves a recorded export; exported again",
			"asset", k.Asset, "width", k.Width, "old", old.URL, "new", rec.URL, "remade", rec.Remade)
	}
	x.put(ctx, k, rec)
	return outcome{rec: rec, made: true}, nil
}

// put records rec, logging a failure: the export is served either way.
func (x *Exporter) put(ctx context.Context, k Key, rec Record) {
	if err := x.cfg.Ledger.Put(ctx, k, rec); err != nil {
		x.stats.errors.Add(1)
		x.cfg.Logger.Error("exports: cannot record an export", "asset", k.Asset, "width", k.Width, "url", rec.URL, "err", err)
	}
}

// urlState is what a HEAD request said about a recorded URL.
type urlState int

const (
	unknown urlState = iota // no clear answer: keep serving the record
	served                  // 200 or 304
	gone                    // 404 or 410: revoked
)

// check sends HEAD to u.
func (x *Exporter) check(ctx context.Context, u string) urlState {
	req, err := http.NewRequestWithContext(ctx, http.MethodHead, u, nil)
	if err != nil {
		return unknown
	}
	resp, err := x.cfg.HTTPClient.Do(req)
	if err != nil {
		x.cfg.Logger.Debug("exports: cannot check a recorded export", "url", u, "err", err)
		return unknown
	}
	resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusOK, http.StatusNotModified:
		return served
	case http.StatusNotFound, http.StatusGone:
		return gone
	}
	x.cfg.Logger.Debug("exports: cannot check a recorded export", "url", u, "status", resp.StatusCode)
	return unknown
}
