package rewrite_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fotoembed/fotoembed/fotoweb/fotowebtest"
	"github.com/fotoembed/fotoembed/internal/testutil"
	"github.com/fotoembed/fotoembed/rewrite"
)

// TestInterruptWhileResolving cancels a run while FotoWeb holds its asset
// requests. Run must return while they are still held (it does not wait
// for FotoWeb once interrupted), leave every file as it was, and send no
// request after the cancellation: none while it returns, none once the
// held requests are answered and the fake is idle.
func TestInterruptWhileResolving(t *testing.T) {
	t.Parallel()
	const assets, workers = "/fotoweb/archives/5001-Photos/", 2
	for _, mode := range []rewrite.Mode{rewrite.ModeSigned, rewrite.ModeDownload} {
		t.Run(mode.String(), func(t *testing.T) {
			fake := newFake(t, fotowebtest.Options{})
			hold := make(chan struct{})
			var once sync.Once
			release := func() { once.Do(func() { close(hold) }) }
			t.Cleanup(release) // before the fake's Close, which waits for its handlers
			fake.SetFault(assets, fotowebtest.Fault{Hang: hold})
			root := copySite(t, "site", fake.URL)
			ageFiles(t, root)
			before := snapshot(t, root)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			done := make(chan error, 1)
			go func() {
				_, err := rewrite.Run(ctx, rewrite.Config{Root: root, Source: newDirect(t, fake), Mode: mode, Concurrency: workers})
				done <- err
			}()
			// Every worker waits for FotoWeb: nothing is on its way there.
			testutil.WaitFor(t, time.Minute, "the workers' asset requests to reach the fake", func() bool {
				return fake.CountPrefix(assets) == workers
			})
			atCancel := fake.CountPrefix("/fotoweb/")
			cancel()
			var err error
			select {
			case err = <-done:
			case <-time.After(time.Minute):
				t.Fatal("Run did not return after its context was cancelled while FotoWeb held its requests")
			}
			if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "no file was changed") {
				t.Fatalf("err = %v, want an interruption", err)
			}
			if n := fake.CountPrefix("/fotoweb/"); n != atCancel {
				t.Errorf("%d requests reached FotoWeb after the cancellation, before Run returned", n-atCancel)
			}
			release() // the held requests are answered to fetches nobody waits for
			testutil.WaitFor(t, time.Minute, "the fake to be idle", func() bool { return fake.InFlight() == 0 })
			if n := fake.CountPrefix("/fotoweb/"); n != atCancel {
				t.Errorf("%d requests reached FotoWeb after the cancellation, once the held ones were answered", n-atCancel)
			}
			if !sameTree(before, snapshot(t, root)) {
				t.Error("files changed by an interrupted run")
			}
		})
	}
}

// TestInterruptWhileWriting cancels a run once it has written its first
// temporary file: no page may be renamed into place, and no temporary
// file may be left behind, in place or with Out.
func TestInterruptWhileWriting(t *testing.T) {
	for _, withOut := range []bool{false, true} {
		name := "in place"
		if withOut {
			name = "out"
		}
		t.Run(name, func(t *testing.T) {
			fake := newFake(t, fotowebtest.Options{})
			root := copySite(t, "site", fake.URL)
			ageFiles(t, root)
			before := snapshot(t, root)
			out := ""
			if withOut {
				out = filepath.Join(t.TempDir(), "public")
			}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			_, err := rewrite.Run(ctx, rewrite.Config{Root: root, Out: out, Source: newDirect(t, fake), NoCache: true,
				Progress: func(p rewrite.Progress) {
					if p.Phase == "write" {
						cancel()
					}
				}})
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("err = %v, want an interruption", err)
			}
			if !sameTree(before, snapshot(t, root)) {
				t.Error("the site changed")
			}
			if withOut {
				for p := range snapshot(t, out) {
					t.Errorf("%s was left in the output folder", p)
				}
			}
		})
	}
}

// TestWriteFailureChangesNothing makes writing one file fail after others
// were written to temporary files: none is renamed into place.
func TestWriteFailureChangesNothing(t *testing.T) {
	fake := newFake(t, fotowebtest.Options{})
	root := copySite(t, "site", fake.URL)
	out := t.TempDir()
	// A file where the output needs a folder: creating blog/2024/... fails.
	must(t, os.WriteFile(filepath.Join(out, "blog"), []byte("in the way"), 0o644))
	_, err := rewrite.Run(context.Background(), rewrite.Config{Root: root, Out: out, Source: newDirect(t, fake), NoCache: true})
	if err == nil || !strings.Contains(err.Error(), "no file was changed") {
		t.Fatalf("err = %v, want a write failure", err)
	}
	got := snapshot(t, out)
	if len(got) != 1 || string(got["blog"].data) != "in the way" {
		t.Errorf("output folder holds %d files, want only the one in the way", len(got))
	}
}
