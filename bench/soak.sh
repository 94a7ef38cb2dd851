#!/usr/bin/env bash
# The fault soak: fotoembed and the fake FotoWeb in one process, steady
# load for a minute while the fake injects 5xx, latency spikes, 429 with
# Retry-After, connection resets, a token revocation and a 10-second
# outage of its token endpoint. Prints a Markdown report; exits 1 when an
# invariant broke. All traffic stays on 127.0.0.1.
#
#   bench/soak.sh                          redirect delivery, 60 s at 300 req/s
#   bench/soak.sh -delivery proxy          proxy delivery
#   bench/soak.sh -duration 20s -rate 100  any flag of bench/cmd/soak (-h lists them)
#
# The whole run is bounded: the program stops itself two minutes after the
# load is due to end, and timeout(1) backs that up.
set -euo pipefail
cd "$(dirname "$0")/.."
go build -o "${TMPDIR:-/tmp}/fotoembed-soak" ./bench/cmd/soak
exec timeout 15m "${TMPDIR:-/tmp}/fotoembed-soak" "$@"
