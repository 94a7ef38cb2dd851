// Command memsize measures the memory one cached asset costs: it fills the
// resolver's in-process store with -n realistic entries (see
// bench.MeasureMemory) and prints heap in use and resident size per entry.
//
//	go run ./bench/cmd/memsize -n 100000
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"runtime"
	"time"

	"github.com/fotoembed/fotoembed/bench"
)

func main() {
	n := flag.Int("n", 100_000, "cached assets")
	flag.Parse()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	start := time.Now()
	m, err := bench.MeasureMemory(ctx, *n)
	if err != nil {
		fmt.Fprintln(os.Stderr, "memsize:", err)
		os.Exit(1)
	}
	fmt.Printf("%d cached assets (FotoWeb JSON %d bytes each on average), %s, GOMAXPROCS=%d, %.1fs\n\n",
		m.Entries, m.JSONBytes, runtime.Version(), runtime.GOMAXPROCS(0), time.Since(start).Seconds())
	fmt.Println("| Stage | live heap | heap in use | RSS | live heap per entry | heap in use per entry | RSS per entry | store's estimate per entry |")
	fmt.Println("|---|---:|---:|---:|---:|---:|---:|---:|")
	fmt.Printf("| empty cache | %s | %s | %s | – | – | – | – |\n", mib(m.Live[0]), mib(m.Heap[0]), mib(m.RSS[0]))
	for stage, name := range []string{1: "cached (resolved once)", 2: "cached and rendered once (signed paths memoised)"} {
		if stage == 0 {
			continue
		}
		l, h, r := m.PerEntry(stage)
		est := float64(m.Estimate[stage]-m.Estimate[0]) / float64(m.Entries)
		fmt.Printf("| %s | %s | %s | %s | %.0f B | %.0f B | %.0f B | %.0f B |\n", name, mib(m.Live[stage]), mib(m.Heap[stage]), mib(m.RSS[stage]), l, h, r, est)
	}
}

// mib formats bytes in MiB.
func mib(b uint64) string { return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20)) }
