package exports_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/fotoembed/fotoembed/exports"
	"github.com/fotoembed/fotoembed/exports/ledgertest"
)

func TestLedgerConformance(t *testing.T) {
	for _, l := range ledgers {
		t.Run(l.name, func(t *testing.T) {
			ledgertest.Run(t, func(t *testing.T) exports.Ledger { return l.open(t) })
		})
	}
}

// TestOpenFileCreates: the directory is made 0700, the file 0600, and
// what was put is there after a reopen.
func TestOpenFileCreates(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "state", "fotoembed")
	path := filepath.Join(dir, "ledger.db")
	l, err := exports.OpenFile(path, exports.FileOptions{})
	if err != nil {
		t.Fatal(err)
	}
	k := exports.Key{Asset: "/a.info", Width: 300}
	if err := l.Put(context.Background(), k, ledgertest.Record("p")); err != nil {
		t.Fatal(err)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		path string
		want os.FileMode
	}{{dir, 0o700}, {path, 0o600}} {
		fi, err := os.Stat(c.path)
		if err != nil {
			t.Fatal(err)
		}
		if got := fi.Mode().Perm(); got != c.want {
			t.Errorf("%s: mode %v, want %v", c.path, got, c.want)
		}
	}
	l = openFile(t, path)
	if rec, ok, err := l.Get(context.Background(), k); !ok || err != nil || rec.URL != ledgertest.Record("p").URL {
		t.Errorf("after reopen: %+v, %v, %v", rec, ok, err)
	}
}

// TestOpenFileInUse: a second open of a file that is open fails after
// LockTimeout, naming the file and the way out.
func TestOpenFileInUse(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ledger.db")
	openFile(t, path)
	l, err := exports.OpenFile(path, exports.FileOptions{LockTimeout: 50 * time.Millisecond})
	if err == nil {
		l.Close()
		t.Fatal("the ledger file was opened twice")
	}
	for _, want := range []string{"exports: ledger file " + path + " is in use by another fotoembed process", "--store"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
}

// TestOpenFileBad: a path that cannot hold a ledger is an error naming it.
func TestOpenFileBad(t *testing.T) {
	dir := t.TempDir()
	notBolt := filepath.Join(dir, "garbage.db")
	if err := os.WriteFile(notBolt, []byte(strings.Repeat("not a bbolt file\n", 1000)), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct{ name, path, want string }{
		{"empty path", "", "path is empty"},
		{"not a bbolt file", notBolt, notBolt},
		{"a directory", dir, dir},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, err := exports.OpenFile(tt.path, exports.FileOptions{})
			if err == nil {
				l.Close()
				t.Fatal("no error")
			}
			if !strings.HasPrefix(err.Error(), "exports: ") || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q, want one naming %q", err, tt.want)
			}
		})
	}
}

// TestFileCorruptRecord: a record that is not a record is an error
// wrapping ErrCorrupt and naming the asset; other records still read.
func TestFileCorruptRecord(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ledger.db")
	good, bad := exports.Key{Asset: "/good.info"}, exports.Key{Asset: "/bad.info", Width: 640}
	l, err := exports.OpenFile(path, exports.FileOptions{})
	if err != nil {
		t.Fatal(err)
	}
	l.Put(context.Background(), good, ledgertest.Record("g"))
	l.Close()
	for _, junk := range []string{"{truncated", `{"url":""}`, "null", "[1,2]"} {
		t.Run(junk, func(t *testing.T) {
			corruptRecord(t, path, bad, junk)
			l, err := exports.OpenFile(path, exports.FileOptions{})
			if err != nil {
				t.Fatal(err)
			}
			defer l.Close()
			_, ok, err := l.Get(context.Background(), bad)
			if !errors.Is(err, exports.ErrCorrupt) || ok || !strings.Contains(err.Error(), "/bad.info") {
				t.Errorf("Get = %v, %v; want ErrCorrupt naming /bad.info", ok, err)
			}
			if _, ok, err := l.Get(context.Background(), good); !ok || err != nil {
				t.Errorf("good record: %v, %v", ok, err)
			}
		})
	}
}

// corruptRecord writes junk as k's record in the closed ledger file.
func corruptRecord(t testing.TB, path string, k exports.Key, junk string) {
	t.Helper()
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	err = db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket([]byte("exports")).Put([]byte(k.String()), []byte(junk))
	})
	if err != nil {
		t.Fatal(err)
	}
}
