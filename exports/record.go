package exports

import (
	"encoding/json"
	"errors"
	"fmt"
)

// ErrCorrupt reports a ledger record that cannot be decoded. The error a
// Ledger returns wraps it and names the record's asset.
var ErrCorrupt = errors.New("exports: corrupt ledger record")

// EncodeRecord returns rec's stored form (JSON), the one [DecodeRecord]
// reads. Ledger implementations outside this package use the pair.
func EncodeRecord(rec Record) ([]byte, error) {
	b, err := json.Marshal(rec)
	if err != nil {
		return nil, fmt.Errorf("exports: encoding a ledger record: %w", err)
	}
	return b, nil
}

// DecodeRecord decodes a record stored by [EncodeRecord]. Anything that
// is not a JSON object with a URL is an error wrapping [ErrCorrupt]; the
// Ledger adds which key it was.
func DecodeRecord(b []byte) (Record, error) {
	var rec Record
	if err := json.Unmarshal(b, &rec); err != nil {
		return Record{}, fmt.Errorf("%w: %w", ErrCorrupt, err)
	}
	if rec.URL == "" {
		return Record{}, fmt.Errorf("%w: no URL", ErrCorrupt)
	}
	return rec, nil
}

// corrupt returns err (from DecodeRecord) naming k's asset.
func corrupt(k Key, where string, err error) error {
	return fmt.Errorf("exports: ledger record of %s (width %d, preset %q) in %s: %w", k.Asset, k.Width, k.Preset, where, err)
}
