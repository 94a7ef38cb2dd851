// Command memsize measures the memory one cached asset costs, two ways.
//
// By default it fills the resolver's in-process store with -n realistic
// entries in this process (see bench.MeasureMemory) and prints live heap,
// heap in use and resident size per entry:
//
//	go run ./bench/cmd/memsize -n 100000
//
// With -service it measures a running service instead (see
// bench.MeasureServiceMemory): fotoembed in a process of its own (this
// command, run again with -child) resolves and renders -n assets of the
// fake FotoWeb (200,000 unless -n says otherwise) through POST
// /v1/resolve, and the service's resident size and live heap are read
// before and after:
//
//	go run ./bench/cmd/memsize -service
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"time"

	"github.com/fotoembed/fotoembed/bench"
)

func main() {
	n := flag.Int("n", 100_000, "cached assets (with -service: assets resolved and rendered, default 200000)")
	service := flag.Bool("service", false, "measure a running service resolving and rendering -n assets")
	conc := flag.Int("c", 4, "with -service: /v1/resolve requests in flight")
	child := flag.Bool("child", false, "internal: be the service process of -service")
	fotowebURL := flag.String("fotoweb", "", "internal: the fake FotoWeb of -child")
	flag.Parse()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer cancel()
	var err error
	switch {
	case *child:
		err = bench.ServeMemoryChild(ctx, *fotowebURL, os.Stdin, os.Stdout)
	case *service:
		assets := 200_000
		flag.Visit(func(f *flag.Flag) {
			if f.Name == "n" {
				assets = *n
			}
		})
		err = runService(ctx, assets, *conc)
	default:
		err = runCache(ctx, *n)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "memsize:", err)
		os.Exit(1)
	}
}

// runCache measures the in-process store (bench.MeasureMemory).
func runCache(ctx context.Context, n int) error {
	start := time.Now()
	m, err := bench.MeasureMemory(ctx, n)
	if err != nil {
		return err
	}
	fmt.Printf("%d cached assets (FotoWeb JSON %d bytes each on average), %s, GOMAXPROCS=%d, %.1fs\n\n",
		m.Entries, m.JSONBytes, runtime.Version(), runtime.GOMAXPROCS(0), time.Since(start).Seconds())
	fmt.Println("| Stage | live heap | heap in use | RSS | live heap per entry | heap in use per entry | RSS per entry | store's estimate per entry |")
	fmt.Println("|---|---:|---:|---:|---:|---:|---:|---:|")
	fmt.Printf("| empty cache | %s | %s | %s | – | – | – | – |\n", mib(m.Live[0]), mib(m.Heap[0]), mib(m.RSS[0]))
	for stage, name := range []string{1: "cached (resolved once)", 2: "cached and rendered once"} {
		if stage == 0 {
			continue
		}
		l, h, r := m.PerEntry(stage)
		est := float64(m.Estimate[stage]-m.Estimate[0]) / float64(m.Entries)
		fmt.Printf("| %s | %s | %s | %s | %.0f B | %.0f B | %.0f B | %.0f B |\n", name, mib(m.Live[stage]), mib(m.Heap[stage]), mib(m.RSS[stage]), l, h, r, est)
	}
	return nil
}

// runService measures a running service (bench.MeasureServiceMemory),
// this command run again with -child as its process.
func runService(ctx context.Context, assets, conc int) error {
	self, err := os.Executable()
	if err != nil {
		return err
	}
	command := func(fotowebURL string) *exec.Cmd {
		return exec.CommandContext(ctx, self, "-child", "-fotoweb", fotowebURL)
	}
	start := time.Now()
	r, err := bench.MeasureServiceMemory(ctx, bench.ServiceMemoryConfig{Assets: assets, Concurrency: conc,
		Command: command, Progress: os.Stderr})
	if err != nil {
		return err
	}
	fmt.Printf("A running service resolved and rendered %d assets (%d POST /v1/resolve of %d items, %d at once, %.1fs), %s, GOMAXPROCS=%d, %.1fs in all\n\n",
		r.Assets, r.Requests, bench.BatchSize, r.Concurrency, r.Duration.Seconds(), runtime.Version(), runtime.GOMAXPROCS(0), time.Since(start).Seconds())
	fmt.Println("| Service process | RSS | peak RSS | heap in use | live heap | cached assets | store's estimate |")
	fmt.Println("|---|---:|---:|---:|---:|---:|---:|")
	row := func(name string, m bench.ProcessMemory) {
		fmt.Printf("| %s | %s | %s | %s | %s | %d | %s |\n", name, mib(m.RSS), mib(m.HWM), mib(m.HeapInuse), mib(m.Live), m.Entries, mib(uint64(m.Estimate)))
	}
	row("after start-up and the warm set", r.Start)
	row(fmt.Sprintf("after %d assets", r.Assets), r.End)
	per := func(f func(bench.ProcessMemory) uint64) string {
		total, growth := r.PerAsset(f)
		return fmt.Sprintf("%.0f B (%.0f B)", total, growth)
	}
	fmt.Printf("| per asset: at the end (growth) | %s | %s | %s | %s | – | %s |\n",
		per(func(m bench.ProcessMemory) uint64 { return m.RSS }), per(func(m bench.ProcessMemory) uint64 { return m.HWM }),
		per(func(m bench.ProcessMemory) uint64 { return m.HeapInuse }), per(func(m bench.ProcessMemory) uint64 { return m.Live }),
		per(func(m bench.ProcessMemory) uint64 { return uint64(m.Estimate) }))
	return nil
}

// mib formats bytes in MiB.
func mib(b uint64) string { return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20)) }
