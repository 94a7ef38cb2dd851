package fotoweb

import (
	"context"
	"errors"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/fotoembed/fotoembed/fotoweb/fotowebtest"
	"github.com/fotoembed/fotoembed/internal/testutil"
)

func originalOf(t *testing.T, c *Client, ref string) string {
	t.Helper()
	a, err := c.Asset(context.Background(), ref)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range a.Renditions {
		if r.Original {
			return r.Href
		}
	}
	t.Fatal("no original rendition")
	return ""
}

const tasks = "/fotoweb/me/background-tasks/"

func TestRenditionPendingThenReady(t *testing.T) {
	e := newEnv(t, fotowebtest.Options{RenditionPending: 2}, Config{})
	href := originalOf(t, e.c, landscape)
	b, err := e.c.Rendition(context.Background(), href)
	if err != nil {
		t.Fatal(err)
	}
	data, err := io.ReadAll(b)
	b.Close()
	if err != nil || len(data) == 0 || b.Status != 200 {
		t.Fatalf("rendition: %d bytes, status %d, %v", len(data), b.Status, err)
	}
	if b.ContentLength >= 0 && int64(len(data)) != b.ContentLength {
		t.Errorf("ContentLength %d, read %d", b.ContentLength, len(data))
	}
	if n := e.fake.CountPrefix(tasks); n != 3 {
		t.Errorf("polls = %d, want 3 (202, 202, 200)", n)
	}
	if n := e.fake.Count("/fotoweb/services/renditions"); n != 1 {
		t.Errorf("rendition requests = %d, want 1", n)
	}
	if got := e.sleeps.list(); !slices.Equal(got, []time.Duration{250 * time.Millisecond, 500 * time.Millisecond}) {
		t.Errorf("poll pauses = %v", got)
	}
}

func TestRenditionGone(t *testing.T) {
	clk := testutil.NewClockNow()
	e := newEnv(t, fotowebtest.Options{RenditionPending: 100, RenditionTTL: time.Minute, Now: clk.Now}, Config{})
	href := originalOf(t, e.c, landscape)
	e.sleeps.on = func(time.Duration) { clk.Advance(2 * time.Minute) }
	_, err := e.c.Rendition(context.Background(), href)
	var fe *Error
	if !errors.Is(err, ErrGone) || !errors.As(err, &fe) || !strings.HasPrefix(fe.Path, tasks) {
		t.Fatalf("err = %v, want ErrGone from the task URL", err)
	}
	if n := e.fake.CountPrefix(tasks); n != 2 {
		t.Errorf("polls = %d, want 2 (202, then 410)", n)
	}
}

func TestRenditionNotReady(t *testing.T) {
	e := newEnv(t, fotowebtest.Options{RenditionPending: 100}, Config{RenditionPollMax: 3})
	href := originalOf(t, e.c, landscape)
	_, err := e.c.Rendition(context.Background(), href)
	if !errors.Is(err, ErrNotReady) {
		t.Fatalf("err = %v, want ErrNotReady", err)
	}
	if n := e.fake.CountPrefix(tasks); n != 3 {
		t.Errorf("polls = %d, want 3", n)
	}
	if _, err := e.c.Rendition(context.Background(), "https://evil.example/x/__renditions/ORIGINAL"); !errors.Is(err, ErrOffOrigin) {
		t.Errorf("other origin: %v", err)
	}
}

func TestOpenPreviewTokenFallback(t *testing.T) {
	e := newEnv(t, fotowebtest.Options{PreviewAuth: fotowebtest.PreviewAuthPreviewToken}, Config{})
	ctx := context.Background()
	a, err := e.c.Asset(ctx, landscape)
	if err != nil {
		t.Fatal(err)
	}
	p := a.Previews[0].Href
	b, err := e.c.Open(ctx, p, a.PreviewToken, nil)
	if err != nil {
		t.Fatal(err)
	}
	data, _ := io.ReadAll(b)
	b.Close()
	if b.Status != 200 || len(data) == 0 || b.ContentType != "image/jpeg" || b.ETag == "" {
		t.Errorf("preview: status %d, %d bytes, %q, etag %q", b.Status, len(data), b.ContentType, b.ETag)
	}
	if n := e.fake.Count(p); n != 2 {
		t.Errorf("preview requests = %d, want 2 (refused, then previewToken)", n)
	}
	if e.tokens.invalidated.Load() != 0 {
		t.Error("a preview 401 invalidated the access token")
	}
	reqs := e.wire.all()
	last := reqs[len(reqs)-1]
	if last.auth != "Bearer "+a.PreviewToken || last.queryToken != "" {
		t.Errorf("second request auth %q query token %q", last.auth, last.queryToken)
	}

	// Conditional request passes through; 304 has no content.
	e.fake.ResetCounters()
	b, err = e.c.Open(ctx, p, a.PreviewToken, http.Header{"If-None-Match": {b.ETag}, "Authorization": {"Bearer evil"}})
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := io.Copy(io.Discard, b); b.Status != 304 || n != 0 {
		t.Errorf("conditional: status %d, %d bytes", b.Status, n)
	}
	b.Close()

	// Without a previewToken the refusal is the answer.
	_, err = e.c.Open(ctx, p, "", nil)
	if !errors.Is(err, ErrUnauthorized) && !errors.Is(err, ErrForbidden) {
		t.Errorf("no previewToken: %v", err)
	}
}

func TestOpenAccessTokenOnly(t *testing.T) {
	e := newEnv(t, fotowebtest.Options{PreviewAuth: fotowebtest.PreviewAuthAccessToken}, Config{})
	a, err := e.c.Asset(context.Background(), landscape)
	if err != nil {
		t.Fatal(err)
	}
	p := a.Previews[len(a.Previews)-1].Href
	b, err := e.c.Open(context.Background(), p, a.PreviewToken, nil)
	if err != nil {
		t.Fatal(err)
	}
	b.Close()
	if n := e.fake.Count(p); n != 1 {
		t.Errorf("preview requests = %d, want 1", n)
	}
	if _, err := e.c.Open(context.Background(), "//evil.example/x.jpg", "", nil); !errors.Is(err, ErrOffOrigin) {
		t.Errorf("other origin: %v", err)
	}
}
