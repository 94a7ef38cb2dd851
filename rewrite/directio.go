package rewrite

import (
	"context"
	"errors"
	"io"
	"time"

	"github.com/fotoembed/fotoembed/embed"
	"github.com/fotoembed/fotoembed/fotoweb"
)

// open fetches a preview with the client's token. Once a server refused
// one, previews are fetched with their asset's previewToken, from a fresh
// asset request once per asset; the token is kept in memory only, never
// in the record.
func (d *Direct) open(ctx context.Context, href string) (io.ReadCloser, string, error) {
	owner, _ := d.owners.Load(href)
	asset, _ := owner.(string)
	ptok := ""
	if d.needPTok.Load() && asset != "" {
		var err error
		if ptok, err = d.previewToken(ctx, asset); err != nil {
			return nil, "", err
		}
	}
	d.downloads.Add(1)
	b, err := d.cfg.Client.Open(ctx, href, ptok, nil)
	if err != nil && ptok == "" && asset != "" && (errors.Is(err, fotoweb.ErrUnauthorized) || errors.Is(err, fotoweb.ErrForbidden)) {
		d.needPTok.Store(true)
		if ptok, err = d.previewToken(ctx, asset); err != nil {
			return nil, "", err
		}
		d.downloads.Add(1)
		b, err = d.cfg.Client.Open(ctx, href, ptok, nil)
	}
	if err != nil {
		return nil, "", err
	}
	return b, b.ContentType, nil
}

// previewToken returns the asset's current previewToken, asking FotoWeb
// once per asset.
func (d *Direct) previewToken(ctx context.Context, asset string) (string, error) {
	v, err, _ := d.pgroup.Do(asset, func() (any, error) {
		if v, ok := d.ptokens.Load(asset); ok {
			return v, nil
		}
		d.fetches.Add(1)
		a, err := d.cfg.Client.Asset(ctx, asset)
		if err != nil {
			return nil, err
		}
		d.ptokens.Store(asset, a.PreviewToken)
		return a.PreviewToken, nil
	})
	if err != nil {
		return "", err
	}
	return v.(string), nil
}

// recordStore is an embed.Store over the run's record: entries it holds
// are fresh for the record's MaxAge from when they were fetched.
type recordStore struct{ rec *record }

// Get implements embed.Store.
func (s recordStore) Get(_ context.Context, key string) (*embed.Entry, bool) {
	e, ok := s.rec.asset(key)
	if !ok {
		return nil, false
	}
	c := *e
	c.FreshUntil = e.Fetched.Add(s.rec.maxAge)
	c.StaleUntil, c.Stale = c.FreshUntil, false
	return &c, true
}

// Set implements embed.Store; only found assets are kept.
func (s recordStore) Set(_ context.Context, key string, e *embed.Entry, _ time.Duration) {
	if e != nil && e.Info != nil && !e.NotFound && !e.Stale {
		s.rec.setAsset(key, e)
	}
}

// Delete implements embed.Store.
func (s recordStore) Delete(context.Context, string) {}
