// Command soak runs fotoembed's fault soak (see bench.Soak): the fake
// FotoWeb and the service in this process, steady load while the fake
// injects 5xx, latency spikes, 429 with Retry-After, connection resets, a
// token revocation and an outage of its token endpoint. It prints a
// Markdown report and exits 1 when an invariant broke.
//
//	go run ./bench/cmd/soak -duration 60s
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/fotoembed/fotoembed/bench"
	"github.com/fotoembed/fotoembed/server"
)

func main() {
	var cfg bench.SoakConfig
	var delivery, auth string
	var quiet bool
	flag.DurationVar(&cfg.Duration, "duration", time.Minute, "how long the load runs")
	flag.IntVar(&cfg.Rate, "rate", 300, "requests per second (open loop)")
	flag.StringVar(&delivery, "delivery", "redirect", "delivery of the service: redirect or proxy")
	flag.StringVar(&auth, "auth", "user", "token source: user or client-credentials")
	flag.DurationVar(&cfg.Outage, "outage", 10*time.Second, "how long the token endpoint is down")
	flag.IntVar(&cfg.ColdAssets, "cold", 300, "assets first requested during the load")
	flag.DurationVar(&cfg.Settle, "settle", 10*time.Second, "how long goroutines and memory get to return to their start")
	flag.BoolVar(&quiet, "q", false, "no progress lines")
	flag.Parse()
	if err := run(cfg, delivery, auth, quiet); err != nil {
		fmt.Fprintln(os.Stderr, "soak:", err)
		os.Exit(1)
	}
}

// run runs the soak, bounded by its duration plus two minutes.
func run(cfg bench.SoakConfig, delivery, auth string, quiet bool) error {
	var err error
	if cfg.Delivery, err = server.ParseDelivery(delivery); err != nil {
		return err
	}
	if cfg.Auth, err = bench.ParseAuth(auth); err != nil {
		return err
	}
	if !quiet {
		cfg.Progress = os.Stderr
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, cfg.Duration+2*time.Minute)
	defer cancel()
	rep, err := bench.Soak(ctx, cfg)
	if err != nil {
		return err
	}
	rep.Write(os.Stdout)
	return rep.Err()
}
