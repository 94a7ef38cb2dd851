// Package bench is fotoembed's evidence under load and under faults: the
// wiring the load tests and the fault soak run against, and the checks
// they make. It is a harness, not part of the service; like cmd/ it may
// import server/.
//
// The pieces:
//
//   - [StartFake] serves the fake FotoWeb (fotowebtest) on a loopback port.
//   - [StartService] wires fotoembed through the same builder as
//     `fotoembed serve` (package internal/service: instrumented
//     transport, token source, FotoWeb client, resolver, embedder,
//     server) against a FotoWeb URL, on a loopback port.
//   - [Echo302] and [NewReverseProxy] are the baselines: a bare Echo
//     handler answering a constant 302, and httputil.ReverseProxy
//     streaming a file from FotoWeb with the token added server-side.
//   - [Targets] are the requests a load generator sends at a warm cache:
//     signed URLs of a set of assets, /v1/embed and /v1/resolve calls.
//   - [Soak] drives steady load while the fake injects faults and checks
//     the invariants (no 5xx for cached assets, bounded upstream calls,
//     goroutines and memory back to their level, statuses as designed).
//   - [MeasureMemory] fills a resolver's memory store and reports bytes
//     per cached asset.
//
// bench/run.sh drives bench/cmd/loadtarget with wrk; bench/soak.sh runs
// bench/cmd/soak; bench/cmd/memsize measures memory. BENCHMARKS.md at the
// repository root holds the figures and the commands that produced them.
// All traffic stays on 127.0.0.1.
package bench
