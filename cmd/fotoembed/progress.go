package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"golang.org/x/term"

	"github.com/fotoembed/fotoembed/rewrite"
)

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// progressBar draws a rewrite run's progress on a terminal, at most ten
// times a second; when off it draws nothing.
type progressBar struct {
	mu    sync.Mutex
	w     io.Writer
	on    bool
	last  time.Time
	drawn bool
}

// phaseNames are the words shown for the phases of a rewrite run.
var phaseNames = map[string]string{"scan": "reading pages", "resolve": "resolving", "download": "downloading", "write": "writing"}

// update is a rewrite.Config.Progress function.
func (b *progressBar) update(p rewrite.Progress) {
	if !b.on {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	now := time.Now()
	if p.Done < p.Total && now.Sub(b.last) < 100*time.Millisecond {
		return
	}
	b.last = now
	const width = 30
	fill := 0
	if p.Total > 0 {
		fill = min(width, width*p.Done/p.Total)
	}
	fmt.Fprintf(b.w, "\r\x1b[Krewrite: %-13s [%s%s] %d/%d", phaseNames[p.Phase],
		strings.Repeat("=", fill), strings.Repeat(" ", width-fill), p.Done, p.Total)
	b.drawn = true
}

// clear removes the bar.
func (b *progressBar) clear() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.drawn {
		fmt.Fprint(b.w, "\r\x1b[K")
		b.drawn = false
	}
}
