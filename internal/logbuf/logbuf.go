// Package logbuf is a buffered, non-blocking log writer: a line written
// to it is copied into memory and written out in batches, by one
// goroutine, at an interval or when much is pending, so that a busy
// service does not pay a write system call per log line, and a slow or
// stuck output (a full pipe) never blocks the code that logs. What does
// not fit in the bounded buffer is dropped and counted, never waited for.
// Close writes out everything pending: a graceful stop loses no line.
package logbuf

import (
	"io"
	"sync"
	"sync/atomic"
	"time"
)

// Defaults of Options.
const (
	DefaultInterval   = 100 * time.Millisecond
	DefaultMaxPending = 1 << 20
)

// Options tune a Writer. The zero value uses the defaults.
type Options struct {
	// Interval is the longest a written line waits before it is written
	// out (default DefaultInterval).
	Interval time.Duration
	// MaxPending bounds the bytes waiting to be written out (default
	// DefaultMaxPending). A line that does not fit is dropped and
	// counted; once half of it is used, the batch is written out at once.
	MaxPending int
}

// Writer is an io.Writer for log lines (a log/slog handler writes each
// record with one Write call). It is safe for concurrent use. Make one
// with New and Close it when done.
type Writer struct {
	out io.Writer
	max int

	mu      sync.Mutex
	buf     []byte // pending bytes
	spare   []byte // the other buffer, swapped in by flush
	closed  bool
	dropped atomic.Uint64

	flushMu sync.Mutex    // one write to out at a time, in order
	kick    chan struct{} // wakes the writer goroutine early
	stop    chan struct{}
	done    chan struct{}
}

// New returns a Writer writing to out, and starts its goroutine.
func New(out io.Writer, opts Options) *Writer {
	if opts.Interval <= 0 {
		opts.Interval = DefaultInterval
	}
	if opts.MaxPending <= 0 {
		opts.MaxPending = DefaultMaxPending
	}
	w := &Writer{out: out, max: opts.MaxPending, kick: make(chan struct{}, 1),
		stop: make(chan struct{}), done: make(chan struct{})}
	go w.loop(opts.Interval)
	return w
}

// Write queues p, one log line, and returns at once. When the buffer
// cannot take all of p, p is dropped (counted in Dropped) and Write still
// reports success: logging never fails the caller. After Close, Write
// writes p out before it returns.
func (w *Writer) Write(p []byte) (int, error) {
	w.mu.Lock()
	if len(w.buf)+len(p) > w.max {
		w.mu.Unlock()
		w.dropped.Add(1)
		return len(p), nil
	}
	w.buf = append(w.buf, p...)
	closed, full := w.closed, len(w.buf) >= w.max/2
	w.mu.Unlock()
	switch {
	case closed:
		return len(p), w.Flush()
	case full:
		select {
		case w.kick <- struct{}{}:
		default:
		}
	}
	return len(p), nil
}

// Flush writes out what is pending now, and waits until it is written.
func (w *Writer) Flush() error {
	w.flushMu.Lock()
	defer w.flushMu.Unlock()
	w.mu.Lock()
	b := w.buf
	w.buf, w.spare = w.spare[:0], nil
	w.mu.Unlock()
	if len(b) == 0 {
		w.keep(b)
		return nil
	}
	_, err := w.out.Write(b)
	w.keep(b)
	return err
}

// keep makes b, written out, the spare buffer again (unless it grew too
// large to keep).
func (w *Writer) keep(b []byte) {
	if cap(b) > 2*w.max {
		b = nil
	}
	w.mu.Lock()
	w.spare = b[:0]
	w.mu.Unlock()
}

// loop writes out the buffer every interval, or when Write kicks it,
// until Close.
func (w *Writer) loop(interval time.Duration) {
	defer close(w.done)
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-t.C:
		case <-w.kick:
		case <-w.stop:
			return
		}
		w.Flush()
	}
}

// Close stops the goroutine and writes out everything pending; later
// writes are written out at once. Close is idempotent.
func (w *Writer) Close() error {
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		return nil
	}
	w.closed = true
	w.mu.Unlock()
	close(w.stop)
	<-w.done
	return w.Flush()
}

// Dropped returns the number of lines dropped because the buffer was full.
func (w *Writer) Dropped() uint64 { return w.dropped.Load() }
