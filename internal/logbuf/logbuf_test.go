package logbuf_test

import (
	"bytes"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fotoembed/fotoembed/internal/logbuf"
)

// sink records what reaches the output and how many writes it took; it
// can be made to block.
type sink struct {
	mu     sync.Mutex
	b      bytes.Buffer
	writes int
	gate   chan struct{} // when not nil, Write waits for it to close
	wrote  chan struct{} // when not nil, gets a value after each Write
}

func (s *sink) Write(p []byte) (int, error) {
	if s.gate != nil {
		<-s.gate
	}
	s.mu.Lock()
	s.writes++
	s.b.Write(p)
	s.mu.Unlock()
	if s.wrote != nil {
		select {
		case s.wrote <- struct{}{}:
		default:
		}
	}
	return len(p), nil
}

func (s *sink) lines() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return strings.Split(strings.TrimSuffix(s.b.String(), "\n"), "\n")
}

// TestBatchedAndComplete: lines written by many goroutines all reach the
// output by Close, each whole and in each writer's order, in one write
// system call instead of one per line.
func TestBatchedAndComplete(t *testing.T) {
	out := &sink{}
	w := logbuf.New(out, logbuf.Options{Interval: time.Hour})
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 125 {
				fmt.Fprintf(w, "g%d line %03d %s\n", g, i, strings.Repeat("x", 60))
			}
		}()
	}
	wg.Wait()
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	lines := out.lines()
	if len(lines) != 1000 || w.Dropped() != 0 {
		t.Fatalf("%d lines out, %d dropped; want 1000 and 0", len(lines), w.Dropped())
	}
	next := map[string]int{}
	for _, l := range lines {
		var g string
		var i int
		if _, err := fmt.Sscanf(l, "%s line %d", &g, &i); err != nil || len(l) != len("g0 line 000 ")+60 {
			t.Fatalf("a broken line: %q", l)
		}
		if i != next[g] {
			t.Fatalf("%s: line %d after %d", g, i, next[g]-1)
		}
		next[g]++
	}
	if out.writes != 1 {
		t.Errorf("%d writes to the output for 1000 lines, want 1", out.writes)
	}
}

// TestFullBufferDrops: while the output is stuck, Write never blocks;
// what does not fit is dropped and counted, and everything else reaches
// the output once it moves again.
func TestFullBufferDrops(t *testing.T) {
	out := &sink{gate: make(chan struct{})}
	w := logbuf.New(out, logbuf.Options{Interval: time.Hour, MaxPending: 1000})
	const n = 100
	for i := range n {
		fmt.Fprintf(w, "line %03d %s\n", i, strings.Repeat("y", 90)) // 100 bytes
	}
	dropped := w.Dropped()
	if dropped < n-20 {
		t.Errorf("%d of %d lines dropped with room for 10 pending and 10 in flight", dropped, n)
	}
	close(out.gate)
	w.Close()
	got := out.lines()
	if uint64(len(got))+dropped != n {
		t.Errorf("%d lines written + %d dropped != %d", len(got), dropped, n)
	}
	for i := 1; i < len(got); i++ {
		if got[i] <= got[i-1] {
			t.Fatalf("out of order: %q after %q", got[i], got[i-1])
		}
	}
}

// TestIntervalFlush: a line is written out without Close, by the
// periodic flush.
func TestIntervalFlush(t *testing.T) {
	out := &sink{wrote: make(chan struct{}, 1)}
	w := logbuf.New(out, logbuf.Options{Interval: time.Millisecond})
	defer w.Close()
	fmt.Fprintln(w, "hello")
	select {
	case <-out.wrote:
	case <-time.After(30 * time.Second):
		t.Fatal("the line was never written out")
	}
	if got := out.lines(); len(got) != 1 || got[0] != "hello" {
		t.Errorf("out: %q", got)
	}
}

// TestWriteAfterClose: after Close a line is written out at once.
func TestWriteAfterClose(t *testing.T) {
	out := &sink{}
	w := logbuf.New(out, logbuf.Options{Interval: time.Hour})
	fmt.Fprintln(w, "before")
	w.Close()
	w.Close()
	fmt.Fprintln(w, "after")
	if got := out.lines(); len(got) != 2 || got[0] != "before" || got[1] != "after" {
		t.Errorf("out: %q", got)
	}
}
