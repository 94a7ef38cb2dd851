package service

import (
	"slices"
	"time"

	"github.com/fotoembed/fotoembed/embed"
)

// ResolverConfig configures the resolver, its in-process store and the
// texts taken from the metadata. Durations and limits mean what they mean
// in embed: zero is embed's default, negative turns the feature (or the
// limit) off.
type ResolverConfig struct {
	// TTL, StaleIfError, NotFoundTTL, ErrorBackoff and MissTimeout are
	// embed.ResolverConfig's.
	TTL, StaleIfError, NotFoundTTL, ErrorBackoff, MissTimeout time.Duration
	// Limits bound the in-process store, made when no store is given
	// (and, with a store shared between replicas, its near cache).
	Limits embed.MemoryStoreConfig
	// Fields name the metadata fields of the texts and the rights: the
	// resolver's and the server's (its fallback to a fresh asset).
	Fields embed.Fields
	// CreditPrefix starts the credit line of figures.
	CreditPrefix string
	// PreviewTokens keeps each asset's previewToken (the "preview" URL
	// token policy).
	PreviewTokens bool
}

// DefaultResolverConfig returns the settings `fotoembed serve` runs with
// when no flag changes them; its flags take their defaults from here.
func DefaultResolverConfig() ResolverConfig {
	return ResolverConfig{
		TTL:          embed.DefaultTTL,
		StaleIfError: embed.DefaultStaleIfError,
		NotFoundTTL:  embed.DefaultNotFoundTTL,
		ErrorBackoff: embed.DefaultErrorBackoff,
		MissTimeout:  embed.DefaultMissTimeout,
		Limits: embed.MemoryStoreConfig{MaxEntries: embed.DefaultMaxEntries, MaxBytes: embed.DefaultMaxBytes,
			MaxNotFound: embed.DefaultMaxNotFound},
		Fields:       DefaultFields(),
		CreditPrefix: embed.DefaultCreditPrefix,
	}
}

// DefaultFields returns the metadata fields `fotoembed serve` reads by
// default: embed's default ids for the texts, no licence end and no
// withdrawn field (-1), and embed's withdrawn values.
func DefaultFields() embed.Fields {
	return embed.Fields{
		Title:           embed.FieldTitle,
		Alt:             embed.FieldCaption,
		Caption:         embed.FieldCaption,
		Byline:          embed.FieldByline,
		Credit:          embed.FieldCredit,
		Copyright:       embed.FieldCopyright,
		RightsExpiry:    -1,
		Withdrawn:       -1,
		WithdrawnValues: slices.Clone(embed.DefaultWithdrawnValues),
	}
}

// NewResolver returns the caching resolver over src with c's settings;
// store nil means a new in-process store bounded by c.Limits.
func (c ResolverConfig) NewResolver(src embed.AssetSource, store embed.Store) (*embed.Resolver, error) {
	if store == nil {
		store = embed.NewBoundedMemoryStore(c.Limits)
	}
	return embed.NewResolver(embed.ResolverConfig{
		Source:        src,
		Store:         store,
		TTL:           c.TTL,
		StaleIfError:  c.StaleIfError,
		NotFoundTTL:   c.NotFoundTTL,
		ErrorBackoff:  c.ErrorBackoff,
		MissTimeout:   c.MissTimeout,
		Fields:        c.Fields,
		PreviewTokens: c.PreviewTokens,
	})
}
