package usage_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/fotoembed/fotoembed/exports"
	"github.com/fotoembed/fotoembed/internal/testutil"
	"github.com/fotoembed/fotoembed/usage"
	"github.com/fotoembed/fotoembed/usage/usagetest"
)

func TestMemory(t *testing.T) {
	usagetest.Run(t, func(t *testing.T, opts usage.Options) usage.Store { return usage.NewMemoryWith(opts) })
}

func TestBolt(t *testing.T) {
	usagetest.Run(t, func(t *testing.T, opts usage.Options) usage.Store { return openBolt(t, opts) })
}

// openBolt returns a BoltStore in the database of a fresh export ledger
// file, as the service keeps it.
func openBolt(t *testing.T, opts usage.Options) *usage.BoltStore {
	t.Helper()
	l, err := exports.OpenFile(filepath.Join(t.TempDir(), "exports.db"), exports.FileOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	s, err := usage.NewBolt(l.DB(), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// TestFull: past MaxAssets a new asset is refused, counted and logged
// once a minute; known assets are still recorded; Forget makes room.
func TestFull(t *testing.T) {
	type counted interface {
		usage.Store
		Stats() usage.Stats
	}
	for name, open := range map[string]func(usage.Options) counted{
		"memory": func(o usage.Options) counted { return usage.NewMemoryWith(o) },
		"bolt":   func(o usage.Options) counted { return openBolt(t, o) },
	} {
		t.Run(name, func(t *testing.T) {
			var logs testutil.SyncBuffer
			clock := testutil.NewClockNow()
			s := open(usage.Options{MaxAssets: 2, Now: clock.Now, MinInterval: -1,
				Logger: slog.New(slog.NewTextHandler(&logs, nil))})
			ctx := context.Background()
			for _, a := range []string{"/a", "/b"} {
				if err := s.Record(ctx, a, "/page"); err != nil {
					t.Fatal(err)
				}
			}
			for range 3 {
				if err := s.Record(ctx, "/c", "/page"); !errors.Is(err, usage.ErrFull) {
					t.Fatalf("third asset: %v, want ErrFull", err)
				}
			}
			if err := s.Record(ctx, "/a", "/other"); err != nil {
				t.Errorf("known asset of a full store: %v", err)
			}
			if st := s.Stats(); st.Refused != 3 || st.Recorded != 3 {
				t.Errorf("stats %+v, want 3 refused, 3 recorded", st)
			}
			if n := strings.Count(logs.String(), "where-used record is full"); n != 1 {
				t.Errorf("%d log lines for 3 refusals within a minute, want 1:\n%s", n, logs.String())
			}
			must(t, s.Forget(ctx, "/b"))
			must(t, s.Record(ctx, "/c", "/page"))
		})
	}
}

// TestBoltSharesTheLedgerFile: the where-used record and the export
// ledger live in one file, both survive reopening, and a read-only open
// of the file answers Pages.
func TestBoltSharesTheLedgerFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "exports.db")
	ctx := context.Background()
	l, err := exports.OpenFile(path, exports.FileOptions{})
	must(t, err)
	s, err := usage.NewBolt(l.DB(), usage.Options{})
	must(t, err)
	k := exports.Key{Asset: usagetest.AssetA, Width: 800}
	must(t, l.Put(ctx, k, exports.Record{URL: "https://fw.example/e.jpg"}))
	must(t, s.Record(ctx, usagetest.AssetA, "https://site.example/p.html"))
	must(t, s.Close())
	must(t, l.Close())

	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, Timeout: time.Second})
	must(t, err)
	defer db.Close()
	ro, err := usage.NewBolt(db, usage.Options{})
	must(t, err)
	usagetest.Want(t, ro, usagetest.AssetA, []string{"https://site.example/p.html"}, nil)
	if err := ro.Record(ctx, usagetest.AssetA, "/x"); err == nil {
		t.Error("Record in a read-only database: no error")
	}
	must(t, db.Close())

	l, err = exports.OpenFile(path, exports.FileOptions{})
	must(t, err)
	defer l.Close()
	if _, ok, err := l.Get(ctx, k); !ok || err != nil {
		t.Errorf("export record after reopening: %v, %v", ok, err)
	}
	s, err = usage.NewBolt(l.DB(), usage.Options{})
	must(t, err)
	usagetest.Want(t, s, usagetest.AssetA, []string{"https://site.example/p.html"}, nil)
}

// TestBoltReadOnlyEmpty: a read-only ledger file never written by a
// usage store answers no pages.
func TestBoltReadOnlyEmpty(t *testing.T) {
	path := filepath.Join(t.TempDir(), "exports.db")
	l, err := exports.OpenFile(path, exports.FileOptions{})
	must(t, err)
	must(t, l.Close())
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, Timeout: time.Second})
	must(t, err)
	defer db.Close()
	s, err := usage.NewBolt(db, usage.Options{})
	must(t, err)
	usagetest.Want(t, s, usagetest.AssetA, nil, nil)
}

// TestBoltSkipsWrites: a page recorded again within MinInterval is not
// written.
func TestBoltSkipsWrites(t *testing.T) {
	clock := testutil.NewClockNow()
	s := openBolt(t, usage.Options{Now: clock.Now})
	ctx := context.Background()
	must(t, s.Record(ctx, usagetest.AssetA, "/p"))
	for range 50 {
		clock.Advance(time.Minute / 2)
		must(t, s.Record(ctx, usagetest.AssetA, "/p"))
	}
	if st := s.Stats(); st.Recorded != 1 || st.Skipped != 50 {
		t.Errorf("stats %+v, want 1 recorded, 50 skipped", st)
	}
	clock.Advance(time.Hour)
	must(t, s.Record(ctx, usagetest.AssetA, "/p"))
	if st := s.Stats(); st.Recorded != 2 {
		t.Errorf("stats %+v after an hour, want 2 recorded", st)
	}
}

func TestCheckPage(t *testing.T) {
	for _, ok := range []string{"/", "/blog/post.html", "https://site.example/", "http://h:8080/p?q=1#top", "/%C3%A6"} {
		if err := usage.CheckPage(ok); err != nil {
			t.Errorf("CheckPage(%q): %v", ok, err)
		}
	}
	for _, bad := range []string{"", "p.html", "//h/p", `/\h`, "https:///p", "https://u:pw@h/p", "javascript:alert(1)",
		"/a\nb", "/a b", "/" + string(bytes.Repeat([]byte("a"), usage.MaxPageLen))} {
		if err := usage.CheckPage(bad); !errors.Is(err, usage.ErrBadPage) {
			t.Errorf("CheckPage(%.40q): %v, want ErrBadPage", bad, err)
		}
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
