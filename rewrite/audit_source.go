package rewrite

import (
	"cmp"
	"context"
	"strings"
	"time"

	"github.com/fotoembed/fotoembed/embed"
)

// auditAsset is one distinct asset an audit resolves.
type auditAsset struct {
	ref     string // the reference as first written
	key     string // its canonical key
	needAlt bool   // a placeholder without alt uses it: its metadata alt text is wanted
	needFig bool   // a figure placeholder without alt uses it: its figure's alt text is wanted
}

// assetFacts is what an audit learns of one asset.
type assetFacts struct {
	expires   time.Time // licence end; zero for none, or not known
	expired   bool      // the service said the licence has ended
	withdrawn bool
	reason    string  // why it may not be shown, as embed.UnpublishedError.Reason says
	alt       altText // the alt text of a bare <img>: metadata alt, else title
	figAlt    altText // the alt text of its <img> in a <figure> (embed.Text.FigureAlt)
	credit    string  // the credit line
	err       error   // why the asset was not resolved (or is not an image)
}

// altText is the alt text an asset's rendered <img> gets.
type altText struct {
	text    string
	known   bool // text is known: "" then means there is none, unless caption
	caption bool // text is "" because the figure's caption names the image
}

// figureAltText returns the alt text of an <img> in a <figure> whose
// caption is t.Caption, given alt, its metadata alt text: FigureAlt's,
// which is "" when the caption names the image.
func figureAltText(t *embed.Text, alt string) altText {
	fig := t.FigureAlt(alt)
	return altText{text: fig, known: true, caption: alt != "" && fig == ""}
}

// auditSource is a Source that can audit: [*Direct] and [*Service].
type auditSource interface {
	// auditAssets resolves each asset, at most concurrency at a time,
	// reporting progress.
	auditAssets(ctx context.Context, assets []auditAsset, concurrency int, progress func(n, total int)) []assetFacts
}

// auditAssets resolves each asset afresh (no record: rights change) with
// the resolver rewrite uses, reading the rights fields of DirectConfig.Fields.
func (d *Direct) auditAssets(ctx context.Context, assets []auditAsset, concurrency int, progress func(n, total int)) []assetFacts {
	out := make([]assetFacts, len(assets))
	res, err := embed.NewResolver(embed.ResolverConfig{Source: d.cfg.Client, Fields: d.cfg.Fields, Now: d.cfg.Now,
		StaleIfError: -1, NotFoundTTL: -1, ErrorBackoff: -1})
	if err != nil {
		for i := range out {
			out[i].err = err
		}
		return out
	}
	forEach(ctx, len(assets), concurrency, func(i int) {
		in, err := res.Resolve(ctx, assets[i].key)
		out[i] = d.facts(in, err)
		progress(1, len(assets))
	})
	d.fetches.Add(int64(res.Stats().Fetches))
	return out
}

// facts reads what the audit reports from an asset's Info.
func (d *Direct) facts(in *embed.Info, err error) assetFacts {
	if err != nil {
		return assetFacts{err: explain(err)}
	}
	alt := cmp.Or(in.Text.Alt, in.Text.Title) // as embed's plan chooses it
	f := assetFacts{expires: in.Rights.Expires, withdrawn: in.Rights.Withdrawn, alt: altText{text: alt, known: true},
		figAlt: figureAltText(&in.Text, alt), credit: in.Text.CreditLine(d.cfg.CreditPrefix)}
	if f.withdrawn {
		f.reason = (&embed.UnpublishedError{Href: in.Href, Rights: in.Rights}).Reason()
	}
	if _, err := in.Layout(embed.Options{Decorative: true}); err != nil {
		f.err = explain(err) // not an image
	}
	return f
}

// auditAssets asks /v1/resolve for each asset as a decorative image (for
// its licence end, credit line, or the service's reason not to show it)
// and, for an asset a placeholder without alt uses, once more as a
// non-decorative one (for its alt text), as a figure when a figure
// placeholder uses it (for the alt text the service gives a figure). No
// record is used.
func (s *Service) auditAssets(ctx context.Context, assets []auditAsset, concurrency int, progress func(n, total int)) []assetFacts {
	type slot struct {
		asset int
		alt   *altText // the alt text this item answers; nil for the rights
	}
	out := make([]assetFacts, len(assets))
	var items []resolveItem
	var slots []slot
	for i, a := range assets {
		items = append(items, resolveItem{Ref: a.ref, Decorative: true, Delivery: "signed"})
		slots = append(slots, slot{i, nil})
		if a.needAlt {
			items = append(items, resolveItem{Ref: a.ref, Delivery: "signed"})
			slots = append(slots, slot{i, &out[i].alt})
		}
		if a.needFig {
			items = append(items, resolveItem{Ref: a.ref, Figure: true, Delivery: "signed"})
			slots = append(slots, slot{i, &out[i].figAlt})
		}
	}
	answers := make([]resolveResult, len(items))
	errs := make([]error, len(items))
	n := s.cfg.BatchSize
	forEach(ctx, (len(items)+n-1)/n, concurrency, func(b int) {
		lo, hi := b*n, min(len(items), (b+1)*n)
		res, err := s.postItems(ctx, items[lo:hi])
		for k := lo; k < hi; k++ {
			if errs[k] = err; err == nil {
				answers[k] = res[k-lo]
			}
		}
		progress(hi-lo, len(items))
	})
	for k, sl := range slots {
		f, r := &out[sl.asset], &answers[k]
		switch {
		case sl.alt != nil && errs[k] == nil && r.Error == "":
			// A figure's alt text is "" only when its caption names
			// the image: without any the service says "no alt text".
			*sl.alt = altText{text: r.Alt, known: true, caption: items[k].Figure && r.Alt == "" && r.Caption != ""}
		case sl.alt != nil:
			sl.alt.known = errs[k] == nil && strings.Contains(r.Error, "no alt text")
		case errs[k] != nil:
			f.err = errs[k]
		case r.Error != "":
			f.unpublished(r.Error)
		default:
			f.credit = r.Credit
			if r.Expires != nil {
				f.expires = *r.Expires
			}
		}
	}
	return out
}

// unpublished reads a /v1/resolve item's error: "asset ... is not
// published: REASON" gives the rights; any other is the item's error.
func (f *assetFacts) unpublished(msg string) {
	_, why, ok := strings.Cut(msg, "is not published: ")
	switch {
	case !ok:
		f.err = &reasonError{"the service says: " + msg, nil}
	case strings.HasPrefix(why, "it was withdrawn"):
		f.withdrawn, f.reason = true, why
	default:
		f.expired, f.reason = true, why
		if t, err := time.Parse(time.RFC3339, strings.TrimPrefix(why, "its licence expired at ")); err == nil {
			f.expires = t
		}
	}
}
