package exports_test

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/fotoembed/fotoembed/embed"
	"github.com/fotoembed/fotoembed/exports"
	"github.com/fotoembed/fotoembed/fotoweb/fotowebtest"
	"github.com/fotoembed/fotoembed/internal/testutil"
)

// TestRevokedRemadeOnce: a recorded URL FotoWeb answers 404 or 410 for,
// once due for a check, is exported again exactly once however many ask,
// and recorded with Remade 1.
func TestRevokedRemadeOnce(t *testing.T) {
	// 404: revoked in the fake's export manager; 410: another server's answer.
	for _, code := range []int{http.StatusNotFound, http.StatusGone} {
		t.Run(http.StatusText(code), func(t *testing.T) {
			e := newEnv(t)
			l := exports.NewMemory()
			var logs testutil.SyncBuffer
			x := e.exporter(t, l, exports.Config{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
			req := []embed.ExportRequest{{Asset: fotowebtest.LandscapeAsset, Width: 400}}
			first := export(t, x, req[0].Asset, req[0].Width)
			if code == http.StatusNotFound {
				if !e.fw.RevokeExport(first.URL) {
					t.Fatalf("the fake does not know %s", first.URL)
				}
			} else {
				e.fw.answer(t, first.URL, code)
			}
			e.clock.Advance(exports.DefaultVerifyAfter + time.Minute)

			got := hammer(t, []*exports.Exporter{x}, req, 20)
			sameAnswers(t, req, got)
			if n, _ := e.fw.counts(); n != 2 {
				t.Errorf("%d EXPORT requests, want 2 (the first and one remake)", n)
			}
			if got[0][0].URL == first.URL {
				t.Errorf("still serving the revoked %s", first.URL)
			}
			rec, _, err := l.Get(context.Background(), exports.Key{Asset: req[0].Asset, Width: 400})
			if err != nil || rec.Remade != 1 || rec.URL != got[0][0].URL || !rec.Checked.Equal(e.clock.Now()) {
				t.Errorf("record %+v, %v; want the new URL, Remade 1, checked now", rec, err)
			}
			if st := x.Stats(); st.Remade != 1 || st.Exports != 2 {
				t.Errorf("Stats = %+v", st)
			}
			if !strings.Contains(logs.String(), "level=INFO") || !strings.Contains(logs.String(), "exported again") {
				t.Errorf("no info line about the remake in %q", logs.String())
			}
		})
	}
}

// TestVerify: a due check that FotoWeb answers 200 renews Checked; one
// without a clear answer keeps serving the record and is not tried again
// at once; a negative VerifyAfter never checks.
func TestVerify(t *testing.T) {
	tests := []struct {
		name        string
		verifyAfter time.Duration
		status      int // for the export URL; 0: the fake's own answer
		wantHeads   int // after two calls
		wantRenewed bool
	}{
		{"served", 0, 0, 1, true},
		{"server error", 0, http.StatusBadGateway, 1, false},
		{"forbidden", 0, http.StatusForbidden, 1, false},
		{"never", -1, 0, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			l := exports.NewMemory()
			x := e.exporter(t, l, exports.Config{VerifyAfter: tt.verifyAfter})
			first := export(t, x, fotowebtest.SmallAsset, 320)
			e.fw.answer(t, first.URL, tt.status)
			created := e.clock.Now()
			e.clock.Advance(100 * time.Hour)
			for range 2 {
				if got := export(t, x, fotowebtest.SmallAsset, 320); got != first {
					t.Errorf("served %+v, want %+v", got, first)
				}
			}
			exportsMade, heads := e.fw.counts()
			if exportsMade != 1 || heads != tt.wantHeads {
				t.Errorf("%d EXPORT and %d HEAD requests, want 1 and %d", exportsMade, heads, tt.wantHeads)
			}
			rec, _, _ := l.Get(context.Background(), exports.Key{Asset: fotowebtest.SmallAsset, Width: 320})
			if renewed := rec.Checked.After(created); renewed != tt.wantRenewed {
				t.Errorf("Checked %v (created %v), want renewed=%v", rec.Checked, created, tt.wantRenewed)
			}
		})
	}
}
