package rewrite

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"golang.org/x/term"
)

// termIsTerminal reports whether fd is a terminal.
func termIsTerminal(fd int) bool { return term.IsTerminal(fd) }

// progressBar draws the run's progress on a terminal, at most ten times a
// second; on anything else it draws nothing.
type progressBar struct {
	mu    sync.Mutex
	w     io.Writer
	on    bool
	last  time.Time
	drawn bool
}

// newProgressBar returns a bar drawing on w when w is a terminal.
func newProgressBar(w io.Writer) *progressBar {
	return &progressBar{w: w, on: isTerminal(w)}
}

// phaseNames are the words shown for the phases.
var phaseNames = map[string]string{"scan": "reading pages", "resolve": "resolving", "download": "downloading", "write": "writing"}

// update is a Config.Progress function.
func (b *progressBar) update(p Progress) {
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
