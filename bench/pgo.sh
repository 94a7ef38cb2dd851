#!/usr/bin/env bash
# Regenerates cmd/fotoembed/default.pgo, the profile that profile-guided
# optimisation builds `fotoembed` with: a CPU profile of the signed
# redirect at a warm cache under load, with the access log on, as
# bench/run.sh loads it (the service on one CPU with GOMAXPROCS=1, wrk
# with 64 connections and the fake FotoWeb on another).
#
#   bench/pgo.sh [SECONDS]    profile for SECONDS (default 30) and write
#                             cmd/fotoembed/default.pgo
#
# Go builds cmd/fotoembed with it by default (go build's -pgo=auto); the
# service under test in bench/run.sh is built with it too. Regenerate it
# when the request path changes much; a stale profile only optimises
# less. Needs wrk and curl.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-30}
command -v wrk >/dev/null || { echo "pgo.sh: wrk not found (apt-get install wrk)" >&2; exit 2; }
command -v curl >/dev/null || { echo "pgo.sh: curl not found" >&2; exit 2; }

work=$(mktemp -d "${TMPDIR:-/tmp}/fotoembed-pgo.XXXXXX")
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT

on_target=() on_load=()
if command -v taskset >/dev/null && [ "$(nproc)" -ge 2 ]; then
	on_target=(taskset -c 0) on_load=(taskset -c "$(($(nproc) - 1))")
fi

# The profile is of a build without one, as go build -pgo=off makes it;
# -trimpath, so that it names source files by module path, not by the
# folders of this machine (pgotrim below does the same for the binary's
# and the libraries' paths).
go build -pgo=off -trimpath -o "$work/loadtarget" ./bench/cmd/loadtarget

# start NAME ARGS...: a loadtarget role; waits for its KEY=VALUE file.
start() {
	local name=$1 on i
	shift
	if [ "$name" = service ]; then on=("${on_target[@]}"); else on=("${on_load[@]}"); fi
	GOMAXPROCS=1 "${on[@]}" "$work/loadtarget" -lifetime "$((secs + 300))s" -env "$work/$name.env" "$@" \
		>"$work/$name.out" 2>"$work/$name.err" &
	pids+=($!)
	for i in $(seq 1 600); do
		[ -s "$work/$name.env" ] && break
		kill -0 "${pids[-1]}" 2>/dev/null || { echo "pgo.sh: $name failed:" >&2; tail -20 "$work/$name.err" >&2; exit 1; }
		sleep 0.1
	done
	set -a; . "$work/$name.env"; set +a
}

start fake -role fake
start service -role service -delivery redirect -fotoweb "$FAKE_URL" -out "$work/t" -log /dev/null -pprof 127.0.0.1:0
run_wrk() {
	BENCH_PATHS=$work/t/redirect.paths "${on_load[@]}" wrk -t1 -c64 -d"$1"s --timeout 5s \
		-s bench/wrk/paths.lua "$SERVICE_REDIRECT_URL" >/dev/null
}
run_wrk 3 # warm up
run_wrk $((secs + 4)) &
pids+=($!)
sleep 2
curl -fsS -o "$work/cpu.pprof" "${PPROF_URL}profile?seconds=$secs"
wait "${pids[-1]}"
go tool pprof -top -nodecount=1 "$work/cpu.pprof" >/dev/null # a valid profile
go run ./bench/cmd/pgotrim "$work/cpu.pprof" cmd/fotoembed/default.pgo
echo "pgo.sh: wrote cmd/fotoembed/default.pgo ($(wc -c <cmd/fotoembed/default.pgo) bytes)" >&2
