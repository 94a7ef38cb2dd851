package rewrite

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/fotoembed/fotoembed/embed"
	"github.com/fotoembed/fotoembed/fotoweb"
	"github.com/fotoembed/fotoembed/urlsig"
)

// DirectConfig configures a [Direct] source.
type DirectConfig struct {
	// Client is the FotoWeb API client; required.
	Client *fotoweb.Client
	// Signer signs the service's URLs; required in ModeSigned. It must
	// hold the service's keys, MAC length and prefix.
	Signer *urlsig.Signer
	// BaseURL is the service's public URL, such as
	// "https://img.example.com"; required in ModeSigned.
	BaseURL string
	// ExpiresAt makes signed URLs expire at this instant; zero is never.
	ExpiresAt time.Time
	// Exporter makes the public URLs of ModeExport (exporting each asset
	// and width once, recorded in its ledger); required in ModeExport.
	// Its own default publication applies to requests without one.
	Exporter embed.Exporter
	// Fields are the metadata fields of alt, caption and credit texts.
	Fields embed.Fields
	// CreditPrefix starts a figure's credit line; "" means
	// embed.DefaultCreditPrefix.
	CreditPrefix string
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Direct resolves placeholders through the FotoWeb API, with the embed
// package's resolver and size choice. Create it with [NewDirect].
type Direct struct {
	cfg       DirectConfig
	emb       *embed.Embedder // nil without Signer
	exp       *embed.Embedder // export delivery; nil without Exporter
	owners    sync.Map        // preview href -> asset href (download mode)
	ptokens   sync.Map        // asset href -> previewToken, in memory for this source only
	pgroup    singleflight.Group
	needPTok  atomic.Bool // a preview was refused with the access token
	fetches   atomic.Int64
	downloads atomic.Int64
}

// NewDirect returns a Direct source for cfg.
func NewDirect(cfg DirectConfig) (*Direct, error) {
	if cfg.Client == nil {
		return nil, errors.New("rewrite: DirectConfig.Client is required")
	}
	if cfg.CreditPrefix == "" {
		cfg.CreditPrefix = embed.DefaultCreditPrefix
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	d := &Direct{cfg: cfg}
	if cfg.Signer != nil {
		emb, err := embed.New(embed.Config{Signer: cfg.Signer, BaseURL: cfg.BaseURL,
			Links: embed.LinkSigned, CreditPrefix: cfg.CreditPrefix, Now: cfg.Now})
		if err != nil {
			return nil, fmt.Errorf("rewrite: %w", err)
		}
		d.emb = emb
	}
	if cfg.Exporter != nil {
		exp, err := embed.New(embed.Config{Exporter: cfg.Exporter, Links: embed.LinkExport,
			CreditPrefix: cfg.CreditPrefix, Now: cfg.Now})
		if err != nil {
			return nil, fmt.Errorf("rewrite: %w", err)
		}
		d.exp = exp
	}
	return d, nil
}

// Canonical returns the asset's canonical href (fotoweb.ParseAssetRef on
// the client's origin).
func (d *Direct) Canonical(ref string) (string, error) { return d.cfg.Client.ParseRef(ref) }

func (d *Direct) check(m Mode) error {
	if m == ModeSigned && (d.emb == nil || d.cfg.BaseURL == "") {
		return errors.New("rewrite: signed links need the signing keys and the service's base URL")
	}
	if m == ModeExport && d.exp == nil {
		return errors.New("rewrite: export links need an exporter (DirectConfig.Exporter, with its export ledger)")
	}
	return nil
}

// fingerprint is the same in every mode: the record of a Direct source
// holds FotoWeb's answers and downloaded file names, never a URL that a
// page links to (signed URLs are made afresh, export URLs come from the
// exporter's ledger), so switching modes reuses nothing it should not.
func (d *Direct) fingerprint(Mode) string {
	f := d.cfg.Fields
	return fmt.Sprintf("fotoweb %s fields %d,%d,%d,%d,%d,%d rights %d,%d,%q", d.cfg.Client.BaseURL(),
		f.Title, f.Alt, f.Caption, f.Byline, f.Credit, f.Copyright, f.RightsExpiry, f.Withdrawn, f.WithdrawnValues)
}

func (d *Direct) upstream() int {
	return int(d.fetches.Load()+d.downloads.Load()) + exportsMade(d.cfg.Exporter)
}

// resolve resolves each distinct asset once, then lays out every request.
func (d *Direct) resolve(ctx context.Context, reqs []Request, env resolveEnv) []Result {
	res, err := embed.NewResolver(embed.ResolverConfig{
		Source: d.cfg.Client, Store: recordStore{env.rec}, TTL: max(env.rec.maxAge, time.Second),
		StaleIfError: -1, NotFoundTTL: -1, ErrorBackoff: -1, Fields: d.cfg.Fields, Now: d.cfg.Now,
	})
	if err != nil {
		return failAll(reqs, err)
	}
	var keys []string
	seen := map[string]bool{}
	for _, r := range reqs {
		if !seen[r.Key] {
			seen[r.Key] = true
			keys = append(keys, r.Key)
		}
	}
	type answer struct {
		in  *embed.Info
		err error
	}
	total := len(keys) // in export mode, the exports are part of resolving
	if env.mode == ModeExport {
		total += len(reqs)
	}
	var mu sync.Mutex
	answers := make(map[string]answer, len(keys))
	forEach(ctx, len(keys), env.concurrency, func(i int) {
		in, err := res.Resolve(ctx, keys[i])
		mu.Lock()
		answers[keys[i]] = answer{in, err}
		mu.Unlock()
		env.progress(1, total)
	})
	d.fetches.Add(int64(res.Stats().Fetches))
	out := make([]Result, len(reqs))
	lay := func(i int) {
		switch a, ok := answers[reqs[i].Key]; {
		case !ok:
			out[i].Err = interrupted(ctx)
		case a.err != nil:
			out[i].Err = explain(a.err)
		default:
			out[i].Image, out[i].Err = d.image(ctx, a.in, reqs[i], env.mode)
		}
	}
	if env.mode != ModeExport {
		for i := range reqs {
			lay(i)
		}
		return out
	}
	forEach(ctx, len(reqs), env.concurrency, func(i int) { // exports may ask FotoWeb
		lay(i)
		env.progress(1, total)
	})
	for i := range out {
		if out[i].Image == nil && out[i].Err == nil {
			out[i].Err = interrupted(ctx)
		}
	}
	return out
}

// image lays out one request with embed's own plan (embed.Info.Layout),
// so that the markup follows the same rules as embed's <img> and
// <figure>: the author's width is the CSS width, an author's alt (NeedAlt
// unset) makes the metadata alt text irrelevant, and a figure's alt text
// does not repeat its caption (embed.Text.FigureAlt).
func (d *Direct) image(ctx context.Context, in *embed.Info, r Request, m Mode) (*Image, error) {
	l, err := in.Layout(embed.Options{Width: r.Width, Decorative: !r.NeedAlt})
	switch {
	case errors.Is(err, embed.ErrNoAlt):
		return nil, fmt.Errorf("%w in FotoWeb (alt and title fields are empty): write alt=\"...\" on the tag, or alt=\"\" for a decorative image", ErrNoAlt)
	case err != nil:
		return nil, explain(err)
	}
	if m == ModeExport {
		return d.exportImage(ctx, in, r)
	}
	if r.Figure {
		l.Alt = in.Text.FigureAlt(l.Alt)
	}
	img := &Image{Width: l.Width, Height: l.Height, Alt: l.Alt,
		Caption: in.Text.Caption, Credit: in.Text.CreditLine(d.cfg.CreditPrefix)}
	cand := func(i int) (Candidate, error) {
		p := in.Previews[i]
		if m == ModeDownload {
			d.owners.Store(p.Href, in.Href)
			return Candidate{URL: p.Href, Width: p.Width}, nil
		}
		u, err := d.emb.SignedURL(in, i, d.cfg.ExpiresAt)
		return Candidate{URL: u, Width: p.Width}, err
	}
	if img.Src, err = cand(l.Src); err != nil {
		return nil, err
	}
	img.Srcset = make([]Candidate, 0, len(l.Srcset))
	for _, i := range l.Srcset {
		c, err := cand(i)
		if err != nil {
			return nil, err
		}
		img.Srcset = append(img.Srcset, c)
	}
	return img, nil
}

// widthLabel returns "800w" for error messages.
func widthLabel(w int) string { return strconv.Itoa(w) + "w" }
