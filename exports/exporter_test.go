package exports_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fotoembed/fotoembed/embed"
	"github.com/fotoembed/fotoembed/exports"
	"github.com/fotoembed/fotoembed/fotoweb"
	"github.com/fotoembed/fotoembed/fotoweb/fotowebtest"
	"github.com/fotoembed/fotoembed/internal/testutil"
)

// requests are three keys over two assets.
var requests = []embed.ExportRequest{
	{Asset: fotowebtest.LandscapeAsset, Width: 800},
	{Asset: fotowebtest.LandscapeAsset, Width: 0},
	{Asset: fotowebtest.PortraitAsset, Width: 800},
}

// TestExportOncePerKey: many concurrent callers of each key make one
// EXPORT per key and get the same URLs; asking again makes none.
func TestExportOncePerKey(t *testing.T) {
	for _, lt := range ledgers {
		t.Run(lt.name, func(t *testing.T) {
			e := newEnv(t)
			x := e.exporter(t, lt.open(t), exports.Config{Publication: "https://site.example/"})
			got := hammer(t, []*exports.Exporter{x}, requests, 30)
			sameAnswers(t, requests, got)
			if n, _ := e.fw.counts(); n != len(requests) || e.fw.ExportRequests() != n {
				t.Errorf("%d EXPORT requests (the fake made %d exports), want %d", n, e.fw.ExportRequests(), len(requests))
			}
			if got[0][0].Width != 800 || got[0][0].Height == 0 || got[0][0].DoubleResolution == "" {
				t.Errorf("export at 800: %+v", got[0][0])
			}
			for i, req := range requests {
				if again := export(t, x, req.Asset, req.Width); again != got[i][0] {
					t.Errorf("asked again: %+v, first %+v", again, got[i][0])
				}
			}
			if n, _ := e.fw.counts(); n != len(requests) {
				t.Errorf("after asking again: %d EXPORT requests, want %d", n, len(requests))
			}
			if st := x.Stats(); st.Exports != uint64(len(requests)) || st.Hits < uint64(len(requests)) || st.Errors != 0 {
				t.Errorf("Stats = %+v", st)
			}
		})
	}
}

// TestExportAcrossRestart: a reopened ledger file answers without EXPORT.
func TestExportAcrossRestart(t *testing.T) {
	e := newEnv(t)
	path := filepath.Join(t.TempDir(), "ledger.db")
	l, err := exports.OpenFile(path, exports.FileOptions{})
	if err != nil {
		t.Fatal(err)
	}
	x := e.exporter(t, l, exports.Config{})
	var first []embed.Exported
	for _, req := range requests {
		first = append(first, export(t, x, req.Asset, req.Width))
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	before, _ := e.fw.counts()

	x = e.exporter(t, openFile(t, path), exports.Config{})
	for i, req := range requests {
		if got := export(t, x, req.Asset, req.Width); got != first[i] {
			t.Errorf("after restart: %+v, before %+v", got, first[i])
		}
	}
	if after, _ := e.fw.counts(); after != before {
		t.Errorf("%d EXPORT requests after the restart, want 0", after-before)
	}
}

// TestPublication: a request's publication wins over the default, and
// the ledger records the one used.
func TestPublication(t *testing.T) {
	tests := []struct{ name, def, req, want string }{
		{"default", "https://site.example/", "", "https://site.example/"},
		{"request wins", "https://site.example/", "https://site.example/news/1", "https://site.example/news/1"},
		{"none", "", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			l := exports.NewMemory()
			x := e.exporter(t, l, exports.Config{Publication: tt.def, Preset: fotowebtest.WebPreset})
			if _, err := x.Export(context.Background(), embed.ExportRequest{Asset: fotowebtest.SquareAsset, Width: 200, Publication: tt.req}); err != nil {
				t.Fatal(err)
			}
			rec, ok, err := l.Get(context.Background(), exports.Key{Asset: fotowebtest.SquareAsset, Width: 200, Preset: fotowebtest.WebPreset})
			if !ok || err != nil || rec.Publication != tt.want {
				t.Errorf("record %+v, %v, %v; want publication %q", rec, ok, err, tt.want)
			}
		})
	}
}

// TestForget: Forget drops an asset's records, and only those, so its
// next Export exports again.
func TestForget(t *testing.T) {
	for _, lt := range ledgers {
		t.Run(lt.name, func(t *testing.T) {
			e := newEnv(t)
			x := e.exporter(t, lt.open(t), exports.Config{})
			for _, req := range requests {
				export(t, x, req.Asset, req.Width)
			}
			n, err := x.Forget(context.Background(), fotowebtest.LandscapeAsset)
			if n != 2 || err != nil {
				t.Fatalf("Forget = %d, %v; want 2", n, err)
			}
			export(t, x, fotowebtest.PortraitAsset, 800)
			if made, _ := e.fw.counts(); made != 3 {
				t.Errorf("the other asset was exported again (%d EXPORTs)", made)
			}
			export(t, x, fotowebtest.LandscapeAsset, 800)
			if made, _ := e.fw.counts(); made != 4 {
				t.Errorf("%d EXPORT requests, want 4: the forgotten key exported again", made)
			}
		})
	}
}

// TestCorruptRecordRefused: an unreadable record is an error naming the
// asset, and nothing is exported in its place.
func TestCorruptRecordRefused(t *testing.T) {
	e := newEnv(t)
	path := filepath.Join(t.TempDir(), "ledger.db")
	l, err := exports.OpenFile(path, exports.FileOptions{})
	if err != nil {
		t.Fatal(err)
	}
	export(t, e.exporter(t, l, exports.Config{}), fotowebtest.LandscapeAsset, 800)
	l.Close()
	corruptRecord(t, path, exports.Key{Asset: fotowebtest.LandscapeAsset, Width: 800}, `{"url": 42}`)

	x := e.exporter(t, openFile(t, path), exports.Config{})
	_, err = x.Export(context.Background(), embed.ExportRequest{Asset: fotowebtest.LandscapeAsset, Width: 800})
	if !errors.Is(err, exports.ErrCorrupt) || !strings.Contains(err.Error(), fotowebtest.LandscapeAsset) {
		t.Errorf("Export = %v; want ErrCorrupt naming the asset", err)
	}
	if n, _ := e.fw.counts(); n != 1 {
		t.Errorf("%d EXPORT requests, want 1 (none after the corrupt record)", n)
	}
	if st := x.Stats(); st.Errors != 1 {
		t.Errorf("Stats = %+v, want 1 error", st)
	}
}

// TestExportErrorsNotRecorded: a failed EXPORT is returned wrapped and
// leaves no record, so the next call tries again.
func TestExportErrorsNotRecorded(t *testing.T) {
	landscape, _ := url.PathUnescape(fotowebtest.LandscapeAsset)
	tests := []struct {
		name       string
		asset      string
		fault      bool // answer the first EXPORT 500
		wantStatus int
		retryOK    bool
	}{
		{"server error", fotowebtest.LandscapeAsset, true, http.StatusInternalServerError, true},
		{"unknown asset", "/fotoweb/archives/5001-Photos/Folder%2019/nope.jpg.info", false, http.StatusNotFound, false},
		{"not an image", fotowebtest.DocumentAsset, false, http.StatusBadRequest, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			if tt.fault {
				e.fw.SetFault(landscape, fotowebtest.Fault{Status: http.StatusInternalServerError, Times: 1})
			}
			l := exports.NewMemory()
			x := e.exporter(t, l, exports.Config{})
			_, err := x.Export(context.Background(), embed.ExportRequest{Asset: tt.asset, Width: 600})
			var apiErr *fotoweb.Error
			if err == nil || !strings.HasPrefix(err.Error(), "exports: ") || !errors.As(err, &apiErr) || apiErr.Status != tt.wantStatus {
				t.Fatalf("Export = %v; want a wrapped fotoweb error %d", err, tt.wantStatus)
			}
			if _, ok, _ := l.Get(context.Background(), exports.Key{Asset: tt.asset, Width: 600}); ok {
				t.Error("a failed export was recorded")
			}
			_, err = x.Export(context.Background(), embed.ExportRequest{Asset: tt.asset, Width: 600})
			if (err == nil) != tt.retryOK {
				t.Errorf("second Export: %v", err)
			}
			if made, _ := e.fw.counts(); made != 2 {
				t.Errorf("%d EXPORT requests, want 2 (the failure was not remembered)", made)
			}
		})
	}
}

// TestExportInvalid: bad requests and configs are refused before FotoWeb
// is asked.
func TestExportInvalid(t *testing.T) {
	e := newEnv(t)
	x := e.exporter(t, exports.NewMemory(), exports.Config{})
	for _, req := range []embed.ExportRequest{{Asset: fotowebtest.LandscapeAsset, Width: -1}, {Width: 100}} {
		if _, err := x.Export(context.Background(), req); err == nil || !strings.HasPrefix(err.Error(), "exports: ") {
			t.Errorf("Export(%+v) = %v, want an error", req, err)
		}
	}
	if n, _ := e.fw.counts(); n != 0 {
		t.Errorf("%d EXPORT requests, want 0", n)
	}
	_, err := exports.New(exports.Config{})
	if err == nil || !strings.Contains(err.Error(), "Client") || !strings.Contains(err.Error(), "Ledger") {
		t.Errorf("New(empty) = %v, want an error naming Client and Ledger", err)
	}
}

// blockingClient answers EXPORT when released.
type blockingClient struct {
	started, release chan struct{}
	inner            exports.Client
}

func (c *blockingClient) Export(ctx context.Context, href string, req fotoweb.ExportRequest) (*fotoweb.ExportData, error) {
	close(c.started)
	<-c.release
	return c.inner.Export(ctx, href, req)
}

// TestCallerGone: an export the caller stopped waiting for is still
// recorded, so it is not made again.
func TestCallerGone(t *testing.T) {
	e := newEnv(t)
	l := exports.NewMemory()
	c := &blockingClient{started: make(chan struct{}), release: make(chan struct{}), inner: e.client}
	x := e.exporter(t, l, exports.Config{Client: c})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := x.Export(ctx, embed.ExportRequest{Asset: fotowebtest.TinyAsset, Width: 100})
		done <- err
	}()
	<-c.started
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("Export after cancel = %v, want context.Canceled", err)
	}
	close(c.release)
	k := exports.Key{Asset: fotowebtest.TinyAsset, Width: 100}
	testutil.WaitFor(t, 10*time.Second, "the export to be recorded", func() bool {
		_, ok, _ := l.Get(context.Background(), k)
		return ok
	})
	export(t, x, fotowebtest.TinyAsset, 100)
	if made, _ := e.fw.counts(); made != 1 {
		t.Errorf("%d EXPORT requests, want 1", made)
	}
}
