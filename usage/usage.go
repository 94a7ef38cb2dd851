// Package usage records where assets are used: which pages show which
// asset, and when each was last seen there. /v1/embed and /v1/resolve
// record the page a caller names, the static-site build step records each
// page it rewrites. When an asset changes, is deleted or may no longer be
// shown, the pages that use it can be rebuilt ([Rebuilder]).
//
// The record is durable state: by default it lives in the same embedded
// database file as the export ledger ([NewBolt]); with replicas, in
// Redis (redisstore.Store.Usage). [NewMemory] keeps it in the process.
package usage

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/url"
	"time"
)

// Use is one page using an asset.
type Use struct {
	// Page is the page's URL (or site-relative path when no site URL is
	// known).
	Page string `json:"page"`
	// Seen is when the page was last seen using the asset.
	Seen time.Time `json:"seen"`
}

// Store records and answers where assets are used. Assets are canonical
// asset hrefs. Implementations are safe for concurrent use.
type Store interface {
	// Record notes that page uses asset, now: it adds the page or moves
	// its last-seen time forward. A page recorded again within
	// Options.MinInterval is left as it is (no write).
	Record(ctx context.Context, asset, page string) error
	// Pages lists the pages that use asset, most recently seen first
	// (none, without error, for an asset never recorded).
	Pages(ctx context.Context, asset string) ([]Use, error)
	// Forget drops every page of asset.
	Forget(ctx context.Context, asset string) error
	// Close releases the store's resources.
	Close() error
}

// Defaults of Options.
const (
	DefaultMaxPagesPerAsset = 1000
	DefaultMaxAssets        = 1_000_000
	DefaultMinInterval      = time.Hour
)

// MaxPageLen is the longest page accepted, in bytes.
const MaxPageLen = 2048

// ErrFull is returned by Record for an asset not yet recorded once the
// store holds Options.MaxAssets assets: existing assets keep being
// updated, new ones are refused (nothing is evicted).
var ErrFull = errors.New("usage: the where-used record is full")

// ErrBadPage is returned for a page that is not an absolute http(s) URL
// or a root-relative path of at most MaxPageLen bytes.
var ErrBadPage = errors.New("page must be an absolute http(s) URL or a root-relative path (at most 2048 characters)")

// Options bound a store. A zero field means its default; a negative
// limit means no limit.
type Options struct {
	// MaxPagesPerAsset bounds the pages kept per asset; recording one
	// more drops the least recently seen (default
	// DefaultMaxPagesPerAsset; negative: no limit).
	MaxPagesPerAsset int
	// MaxAssets bounds the assets recorded; once reached a new asset is
	// refused with ErrFull, counted and logged (default
	// DefaultMaxAssets; negative: no limit).
	MaxAssets int
	// MinInterval is how long a page recorded for an asset is not
	// written again (default DefaultMinInterval; negative: always
	// written). The last-seen time is that precise.
	MinInterval time.Duration
	// Now is the clock (default time.Now).
	Now func() time.Time
	// Logger receives the refusals of a full store (default
	// slog.Default()).
	Logger *slog.Logger
}

// noLimit is what WithDefaults makes of a negative limit: more than any
// store holds, and small enough for every store to compare with (the
// Redis store's script works in floating point).
const noLimit = math.MaxInt32

// WithDefaults returns o with its zero fields set to the defaults and
// its negative limits set to math.MaxInt32 (no limit).
func (o Options) WithDefaults() Options {
	limit := func(n *int, def int) {
		switch {
		case *n == 0:
			*n = def
		case *n < 0:
			*n = noLimit
		}
	}
	limit(&o.MaxPagesPerAsset, DefaultMaxPagesPerAsset)
	limit(&o.MaxAssets, DefaultMaxAssets)
	switch {
	case o.MinInterval == 0:
		o.MinInterval = DefaultMinInterval
	case o.MinInterval < 0:
		o.MinInterval = 0
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return o
}

// CheckPage reports a page that cannot be recorded: it must be an
// absolute http(s) URL with a host and without user info, or a
// root-relative path ("/blog/post.html", not "//host/..."), at most
// MaxPageLen bytes, without control characters or spaces. The error
// wraps ErrBadPage.
func CheckPage(page string) error {
	if page == "" || len(page) > MaxPageLen {
		return ErrBadPage
	}
	for i := 0; i < len(page); i++ {
		if c := page[i]; c <= ' ' || c == 0x7f {
			return ErrBadPage
		}
	}
	if page[0] == '/' {
		if len(page) > 1 && (page[1] == '/' || page[1] == '\\') {
			return ErrBadPage
		}
		return nil
	}
	u, err := url.Parse(page)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil {
		return ErrBadPage
	}
	return nil
}

// check validates a Record's arguments.
func check(asset, page string) error {
	if asset == "" {
		return errors.New("usage: asset is empty")
	}
	if err := CheckPage(page); err != nil {
		return fmt.Errorf("usage: %w", err)
	}
	return nil
}

// Stats counts what a store did since it was made.
type Stats struct {
	Recorded uint64 // writes: pages added or seen again
	Skipped  uint64 // records within MinInterval, not written
	Evicted  uint64 // pages dropped for MaxPagesPerAsset
	Refused  uint64 // new assets refused for MaxAssets (ErrFull)
}
