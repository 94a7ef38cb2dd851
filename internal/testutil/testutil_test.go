package testutil

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

func TestClock(t *testing.T) {
	start := time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)
	c := NewClock(start)
	var wg sync.WaitGroup
	for range 10 {
		wg.Go(func() { c.Advance(time.Minute); _ = c.Now() })
	}
	wg.Wait()
	c.Advance(-5 * time.Minute)
	if got, want := c.Now(), start.Add(5*time.Minute); !got.Equal(want) {
		t.Errorf("Now = %v, want %v", got, want)
	}
	if now := NewClockNow().Now(); now.Nanosecond() != 0 || time.Since(now) > time.Minute {
		t.Errorf("NewClockNow reads %v", now)
	}
}

func TestSyncBuffer(t *testing.T) {
	var b SyncBuffer
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Go(func() { fmt.Fprintf(&b, "%02d\n", i) })
	}
	wg.Wait()
	if n := len(b.String()); n != 20*3 {
		t.Errorf("%d bytes written, want 60", n)
	}
}

func TestWaitFor(t *testing.T) {
	n := 0
	WaitFor(t, time.Second, "three polls", func() bool { n++; return n == 3 })
	if n != 3 {
		t.Errorf("cond called %d times, want 3", n)
	}
}

func TestCopyTree(t *testing.T) {
	src := t.TempDir()
	if err := os.MkdirAll(filepath.Join(src, "a", "b"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(src, "a", "b", "x.html"), []byte(`<img src="{{HOST}}/p.jpg">`), 0o600); err != nil {
		t.Fatal(err)
	}
	dst := CopyTree(t, src, "{{HOST}}", "http://127.0.0.1:1")
	b, err := os.ReadFile(filepath.Join(dst, "a", "b", "x.html"))
	if err != nil || string(b) != `<img src="http://127.0.0.1:1/p.jpg">` {
		t.Errorf("copied file: %q, %v", b, err)
	}
	if b, _ := os.ReadFile(filepath.Join(src, "a", "b", "x.html")); string(b) != `<img src="{{HOST}}/p.jpg">` {
		t.Errorf("the source changed: %q", b)
	}
}
