package exports

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// DefaultLockTimeout is how long [OpenFile] waits for another process to
// release the ledger file.
const DefaultLockTimeout = 2 * time.Second

// Bucket names in the ledger file.
var (
	bucketExports = []byte("exports") // Key.String() -> Record JSON
	bucketAssets  = []byte("assets")  // asset NUL Key.String() -> empty: an asset's keys, by prefix
)

// FileOptions tune [OpenFile]. The zero value means the defaults.
type FileOptions struct {
	// LockTimeout bounds the wait for the file's lock when another
	// process holds it (default DefaultLockTimeout; negative is an
	// error).
	LockTimeout time.Duration
}

// FileLedger is the default [Ledger]: a bbolt database file on the
// service's machine. Every Put is an fsynced transaction, so a record
// survives a crash once Put returned. Only one process can open the file
// (bbolt locks it); replicas share a ledger through Redis instead. Lock is
// therefore an in-process mutex per key. Create it with [OpenFile].
type FileLedger struct {
	db    *bolt.DB
	path  string
	locks keyLocks
}

// OpenFile opens the ledger file at path, creating it (mode 0600) and its
// parent directory (0700) when missing. It fails, naming path, when
// another process holds the file for longer than opts.LockTimeout.
func OpenFile(path string, opts FileOptions) (*FileLedger, error) {
	if path == "" {
		return nil, errors.New("exports: ledger file path is empty")
	}
	if opts.LockTimeout < 0 {
		return nil, fmt.Errorf("exports: FileOptions.LockTimeout is negative (%v): give 0 for the default (%v), or more", opts.LockTimeout, DefaultLockTimeout)
	}
	if opts.LockTimeout == 0 {
		opts.LockTimeout = DefaultLockTimeout
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("exports: ledger directory: %w", err)
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: opts.LockTimeout})
	if errors.Is(err, berrors.ErrTimeout) {
		return nil, fmt.Errorf("exports: ledger file %s is in use by another fotoembed process (a serve or rewrite with the same --export-ledger); "+
			"give each process its own file, or share exports between serve replicas through a Redis store (--store): %w", path, err)
	}
	if err != nil {
		return nil, fmt.Errorf("exports: opening ledger file %s: %w", path, err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{bucketExports, bucketAssets} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("exports: preparing ledger file %s: %w", path, err)
	}
	return &FileLedger{db: db, path: path}, nil
}

// Path returns the ledger file's path.
func (l *FileLedger) Path() string { return l.path }

// DB returns the ledger's bbolt database, so that other durable state
// (the where-used record, usage.NewBolt) can live in the same file, in
// its own buckets. The ledger owns it: do not close it, and stop using
// it before the ledger is closed.
func (l *FileLedger) DB() *bolt.DB { return l.db }

// assetKey is k's entry in the assets bucket.
func assetKey(k Key) []byte { return []byte(k.Asset + "\x00" + k.String()) }

// Get implements [Ledger]. A record that cannot be decoded is an error
// wrapping [ErrCorrupt] that names the key's asset.
func (l *FileLedger) Get(ctx context.Context, k Key) (Record, bool, error) {
	var b []byte
	err := l.db.View(func(tx *bolt.Tx) error {
		b = bytes.Clone(tx.Bucket(bucketExports).Get([]byte(k.String())))
		return nil
	})
	if err != nil {
		return Record{}, false, fmt.Errorf("exports: reading ledger file %s: %w", l.path, err)
	}
	if b == nil {
		return Record{}, false, nil
	}
	rec, err := DecodeRecord(b)
	if err != nil {
		return Record{}, false, corrupt(k, l.path, err)
	}
	return rec, true, nil
}

// Put implements [Ledger].
func (l *FileLedger) Put(ctx context.Context, k Key, rec Record) error {
	b, err := EncodeRecord(rec)
	if err != nil {
		return err
	}
	err = l.db.Update(func(tx *bolt.Tx) error {
		if err := tx.Bucket(bucketExports).Put([]byte(k.String()), b); err != nil {
			return err
		}
		return tx.Bucket(bucketAssets).Put(assetKey(k), []byte{})
	})
	if err != nil {
		return fmt.Errorf("exports: writing ledger file %s: %w", l.path, err)
	}
	return nil
}

// Lock implements [Ledger] with an in-process mutex per key: the file
// lock keeps every other process out.
func (l *FileLedger) Lock(ctx context.Context, k Key) (func(), error) {
	return l.locks.lock(ctx, k)
}

// DeleteAsset implements [Ledger]. It visits only the asset's own keys.
func (l *FileLedger) DeleteAsset(ctx context.Context, asset string) (int, error) {
	prefix := []byte(asset + "\x00")
	n := 0
	err := l.db.Update(func(tx *bolt.Tx) error {
		recs, idx := tx.Bucket(bucketExports), tx.Bucket(bucketAssets)
		var keys [][]byte
		c := idx.Cursor()
		for ik, _ := c.Seek(prefix); ik != nil && bytes.HasPrefix(ik, prefix); ik, _ = c.Next() {
			keys = append(keys, append([]byte(nil), ik...))
		}
		for _, ik := range keys {
			rk := ik[len(prefix):]
			if recs.Get(rk) != nil {
				n++
				if err := recs.Delete(rk); err != nil {
					return err
				}
			}
			if err := idx.Delete(ik); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("exports: deleting the exports of %s from ledger file %s: %w", asset, l.path, err)
	}
	return n, nil
}

// Close implements [Ledger]: it closes the file and releases its lock.
func (l *FileLedger) Close() error {
	if err := l.db.Close(); err != nil {
		return fmt.Errorf("exports: closing ledger file %s: %w", l.path, err)
	}
	return nil
}

var _ Ledger = (*FileLedger)(nil)
