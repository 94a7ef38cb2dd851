package exports

import (
	"context"
	"strconv"
	"time"
)

// Key identifies one export: fotoembed exports each key once.
type Key struct {
	// Asset is the asset's canonical href.
	Asset string
	// Width is the requested width in pixels (0: the original size).
	Width int
	// Preset is the export preset's href ("" for none).
	Preset string
}

// String is the key's stable storage form: width, preset and asset
// separated by NUL bytes (which none of them can hold), asset last so that
// a store can find an asset's keys by suffix or by a per-asset index.
func (k Key) String() string {
	return strconv.Itoa(k.Width) + "\x00" + k.Preset + "\x00" + k.Asset
}

// Record is what the ledger keeps about one export FotoWeb made.
type Record struct {
	// URL, HighCompression and DoubleResolution are the public image
	// URLs FotoWeb gave (the last two may be "").
	URL              string `json:"url"`
	HighCompression  string `json:"highCompression,omitempty"`
	DoubleResolution string `json:"doubleResolution,omitempty"`
	// Width and Height are the exported size FotoWeb reported.
	Width  int `json:"width,omitempty"`
	Height int `json:"height,omitempty"`
	// Publication is the publication the export was made for.
	Publication string `json:"publication,omitempty"`
	// Created is when FotoWeb made the export.
	Created time.Time `json:"created"`
	// Checked is when the URL was last seen served (Created at first).
	Checked time.Time `json:"checked"`
	// Remade counts the times the key was exported again because FotoWeb
	// no longer served the recorded URL (revoked in the export manager).
	Remade int `json:"remade,omitempty"`
}

// Ledger records every export fotoembed made. It is durable: it survives
// restarts (a file by default, Redis when replicas share one).
// Implementations are safe for concurrent use.
type Ledger interface {
	// Get returns the record of k, if any.
	Get(ctx context.Context, k Key) (Record, bool, error)
	// Put records rec under k, replacing any record.
	Put(ctx context.Context, k Key, rec Record) error
	// Lock waits until the caller is the only one, across every process
	// sharing the ledger, that may export k; unlock releases it. The
	// caller looks in the ledger again after Lock returns. A lock whose
	// holder died is released after a bounded time.
	Lock(ctx context.Context, k Key) (unlock func(), err error)
	// DeleteAsset removes every record of the asset (it was deleted in
	// FotoWeb) and returns how many there were.
	DeleteAsset(ctx context.Context, asset string) (int, error)
	// Close releases the ledger's resources.
	Close() error
}
