package usage

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// Buckets of the where-used record in a bbolt database.
var (
	// bucketUsage holds one nested bucket per asset (named by the asset's
	// href) with, for each page, keyPage+page -> seen (8 bytes, Unix
	// nanoseconds, big-endian) and keyTime+seen+page -> empty (the pages
	// in the order last seen), and keyCount -> the number of pages.
	bucketUsage = []byte("usage")
	// bucketMeta holds keyAssets -> the number of assets recorded.
	bucketMeta = []byte("usage-meta")
	keyAssets  = []byte("assets")
)

// Key prefixes inside an asset's bucket.
const (
	keyPage  = 'p'
	keyTime  = 't'
	keyCount = "#"
)

// BoltStore is a [Store] in a bbolt database: by default the export
// ledger's file (exports.FileLedger.DB), so that the service's durable
// state is one file. Records are written in fsynced transactions, several
// concurrent ones batched into one (bolt.DB.Batch). Create it with
// [NewBolt].
type BoltStore struct {
	db    *bolt.DB
	opts  Options
	stats counters
}

// NewBolt returns the where-used record kept in db, creating its buckets
// (usage, usage-meta) unless db is read-only, in which case only Pages
// answers. The store does not own db: Close leaves it open for its
// opener to close, after the store is no longer used.
func NewBolt(db *bolt.DB, opts Options) (*BoltStore, error) {
	if db == nil {
		return nil, errors.New("usage: NewBolt needs a database")
	}
	if !db.IsReadOnly() {
		err := db.Update(func(tx *bolt.Tx) error {
			for _, b := range [][]byte{bucketUsage, bucketMeta} {
				if _, err := tx.CreateBucketIfNotExists(b); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("usage: preparing %s: %w", db.Path(), err)
		}
	}
	return &BoltStore{db: db, opts: opts.WithDefaults()}, nil
}

// Record implements [Store]. A page seen within MinInterval costs one read
// transaction and no write.
func (s *BoltStore) Record(ctx context.Context, asset, page string) error {
	if err := check(asset, page); err != nil {
		return err
	}
	now := s.opts.Now()
	var fresh bool
	err := s.db.View(func(tx *bolt.Tx) error {
		if ab := assetBucket(tx, asset); ab != nil {
			fresh = s.recent(ab.Get(pageKey(page)), now)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("usage: reading %s: %w", s.db.Path(), err)
	}
	if fresh {
		s.stats.skipped.Add(1)
		return nil
	}
	var res putResult
	err = s.db.Batch(func(tx *bolt.Tx) error {
		var err error
		res, err = s.put(tx, asset, page, now)
		return err
	})
	if err != nil {
		return fmt.Errorf("usage: writing %s: %w", s.db.Path(), err)
	}
	switch {
	case res.full:
		s.stats.refuse(s.opts.Logger, now, s.opts.MaxAssets)
		return ErrFull
	case res.skipped:
		s.stats.skipped.Add(1)
	default:
		s.stats.recorded.Add(1)
		s.stats.evicted.Add(uint64(res.evicted))
	}
	return nil
}

// putResult is what put did.
type putResult struct {
	full, skipped bool
	evicted       int
}

// put records page for asset at now in tx. It may run more than once
// (bolt.DB.Batch retries a failed batch one function at a time), so it
// only reads and writes tx.
func (s *BoltStore) put(tx *bolt.Tx, asset, page string, now time.Time) (putResult, error) {
	var res putResult
	ab := assetBucket(tx, asset)
	if ab == nil {
		meta := tx.Bucket(bucketMeta)
		n := getCount(meta.Get(keyAssets))
		if n >= uint64(s.opts.MaxAssets) {
			res.full = true
			return res, nil
		}
		var err error
		if ab, err = tx.Bucket(bucketUsage).CreateBucket([]byte(asset)); err != nil {
			return res, err
		}
		if err := meta.Put(keyAssets, putCount(n+1)); err != nil {
			return res, err
		}
	}
	pk := pageKey(page)
	old := ab.Get(pk)
	switch {
	case s.recent(old, now): // recorded meanwhile
		res.skipped = true
		return res, nil
	case old != nil:
		if err := ab.Delete(timeKey(old, page)); err != nil {
			return res, err
		}
	default:
		n := getCount(ab.Get([]byte(keyCount)))
		for ; n >= uint64(s.opts.MaxPagesPerAsset); n-- {
			if err := evictOldest(ab); err != nil {
				return res, err
			}
			res.evicted++
		}
		if err := ab.Put([]byte(keyCount), putCount(n+1)); err != nil {
			return res, err
		}
	}
	seen := putCount(uint64(max(now.UnixNano(), 0)))
	if err := ab.Put(pk, seen); err != nil {
		return res, err
	}
	return res, ab.Put(timeKey(seen, page), []byte{})
}

// recent reports whether seen (a stored time, nil for none) is within
// MinInterval of now.
func (s *BoltStore) recent(seen []byte, now time.Time) bool {
	return seen != nil && now.Sub(decodeTime(seen)) < s.opts.MinInterval
}

// evictOldest drops the least recently seen page of the asset bucket ab.
func evictOldest(ab *bolt.Bucket) error {
	k, _ := ab.Cursor().Seek([]byte{keyTime})
	if k == nil || k[0] != keyTime || len(k) < 9 {
		return nil
	}
	k = bytes.Clone(k)
	if err := ab.Delete(k); err != nil {
		return err
	}
	return ab.Delete(pageKey(string(k[9:])))
}

// Pages implements [Store].
func (s *BoltStore) Pages(ctx context.Context, asset string) ([]Use, error) {
	var uses []Use
	err := s.db.View(func(tx *bolt.Tx) error {
		ab := assetBucket(tx, asset)
		if ab == nil {
			return nil
		}
		c := ab.Cursor()
		for k, _ := c.Seek([]byte{keyTime}); k != nil && k[0] == keyTime; k, _ = c.Next() {
			if len(k) > 9 {
				uses = append(uses, Use{Page: string(k[9:]), Seen: decodeTime(k[1:9])})
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("usage: reading %s: %w", s.db.Path(), err)
	}
	for i, j := 0, len(uses)-1; i < j; i, j = i+1, j-1 {
		uses[i], uses[j] = uses[j], uses[i]
	}
	return uses, nil
}

// Forget implements [Store].
func (s *BoltStore) Forget(ctx context.Context, asset string) error {
	err := s.db.Update(func(tx *bolt.Tx) error {
		err := tx.Bucket(bucketUsage).DeleteBucket([]byte(asset))
		if errors.Is(err, berrors.ErrBucketNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		meta := tx.Bucket(bucketMeta)
		if n := getCount(meta.Get(keyAssets)); n > 0 {
			return meta.Put(keyAssets, putCount(n-1))
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("usage: forgetting %s in %s: %w", asset, s.db.Path(), err)
	}
	return nil
}

// Close implements [Store]. It leaves the database open: its opener
// (the export ledger) closes it.
func (s *BoltStore) Close() error { return nil }

// Stats returns what the store did since it was made.
func (s *BoltStore) Stats() Stats { return s.stats.get() }

// assetBucket returns the asset's bucket in tx, nil when there is none
// (or no usage bucket, in a read-only database never written).
func assetBucket(tx *bolt.Tx, asset string) *bolt.Bucket {
	root := tx.Bucket(bucketUsage)
	if root == nil || asset == "" {
		return nil
	}
	return root.Bucket([]byte(asset))
}

// pageKey is page's entry in its asset's bucket.
func pageKey(page string) []byte { return append([]byte{keyPage}, page...) }

// timeKey is page's entry in the last-seen order, seen being 8 bytes.
func timeKey(seen []byte, page string) []byte {
	k := make([]byte, 0, 9+len(page))
	return append(append(append(k, keyTime), seen...), page...)
}

// decodeTime reads a stored time.
func decodeTime(b []byte) time.Time {
	return time.Unix(0, int64(getCount(b)))
}

func getCount(b []byte) uint64 {
	if len(b) != 8 {
		return 0
	}
	return binary.BigEndian.Uint64(b)
}

func putCount(n uint64) []byte { return binary.BigEndian.AppendUint64(nil, n) }

var _ Store = (*BoltStore)(nil)
