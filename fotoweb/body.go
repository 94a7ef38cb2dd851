package fotoweb

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// Body is a streamed FotoWeb answer (a preview, a quick rendition or a
// rendition file). The caller must Close it. For a 304 answer Status is
// 304 and there is no content.
type Body struct {
	io.ReadCloser
	Status        int    // 200, 206 or 304
	ContentType   string // Content-Type header
	ContentLength int64  // -1 when unknown
	ETag          string // ETag header
	LastModified  string // Last-Modified header
}

// newBody wraps a streamed response.
func newBody(r *response) *Body {
	b := &Body{
		ReadCloser:    r.stream,
		Status:        r.status,
		ContentType:   r.header.Get("Content-Type"),
		ContentLength: -1,
		ETag:          r.header.Get("ETag"),
		LastModified:  r.header.Get("Last-Modified"),
	}
	if n, err := strconv.ParseInt(r.header.Get("Content-Length"), 10, 64); err == nil && n >= 0 {
		b.ContentLength = n
	}
	if r.status == http.StatusNotModified {
		r.close()
		b.ReadCloser = http.NoBody
		b.ContentLength = 0
	}
	return b
}

// attemptBody is a streamed response body. The attempt's timer becomes an
// idle timer: every read that returns data pushes the deadline back by
// Config.Timeout. Close releases the attempt's context.
type attemptBody struct {
	rc     io.ReadCloser
	timer  *time.Timer
	d      time.Duration
	ctx    context.Context
	cancel context.CancelCauseFunc
	cl     *call
	c      *Client
	once   sync.Once
}

func (b *attemptBody) Read(p []byte) (int, error) {
	n, err := b.rc.Read(p)
	if n > 0 {
		b.timer.Reset(b.d)
	}
	if err != nil && !errors.Is(err, io.EOF) {
		if b.ctx.Err() != nil && !errors.Is(context.Cause(b.ctx), errAttemptTimeout) {
			err = b.c.ctxErr(b.cl, b.ctx, err)
		} else {
			err = b.c.transportErr(b.cl, b.ctx, err)
		}
	}
	return n, err
}

func (b *attemptBody) Close() error {
	err := b.rc.Close()
	b.once.Do(func() {
		b.timer.Stop()
		b.cancel(nil)
	})
	return err
}
