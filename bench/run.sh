#!/usr/bin/env bash
# Load tests of fotoembed against baselines built and run the same way in
# the same run, with wrk, on 127.0.0.1 only. Prints a Markdown table.
#
#   bench/run.sh            full run: 3 rounds of 5 s per target and level (about 5 minutes)
#   bench/run.sh --smoke    1 round of 1 s each (seconds); fails if anything answers
#                           an error or wrk reports socket errors (never on speed)
#
# Options: --duration S (seconds per wrk run), --rounds N, --conns "16 64",
# --pin / --no-pin (default: pin when taskset exists and there are 2+ CPUs),
# --log-level L (service log level, default info as `fotoembed serve`),
# --keep (keep the work directory). Environment: WRK (default wrk).
#
# Process model: every server runs in its own process (bench/cmd/loadtarget
# -role ...). When pinned, the server under test (fotoembed or its baseline)
# gets CPU 0 alone with GOMAXPROCS=1; wrk (one thread) and the fake FotoWeb
# (GOMAXPROCS=1) share the last CPU. So the figures compare the work per
# request on one core, not how well a 2-core box is shared. Baseline and
# fotoembed alternate (ABBA) in every round, and ratios are the median of
# the per-round ratios, so that drift on a shared machine cancels out.
set -euo pipefail
cd "$(dirname "$0")/.."

mode=full duration=5 rounds=3 conns="16 64" pin=auto keep=0 loglevel=info
while [ $# -gt 0 ]; do
	case "$1" in
	--smoke) mode=smoke duration=1 rounds=1 ;;
	--duration) duration=$2; shift ;;
	--rounds) rounds=$2; shift ;;
	--conns) conns=$2; shift ;;
	--pin) pin=yes ;;
	--no-pin) pin=no ;;
	--log-level) loglevel=$2; shift ;;
	--keep) keep=1 ;;
	-h|--help) sed -n '2,20p' "$0"; exit 0 ;;
	*) echo "run.sh: unknown argument $1" >&2; exit 2 ;;
	esac
	shift
done
WRK=${WRK:-wrk} NGINX=${NGINX:-nginx}
command -v "$WRK" >/dev/null || { echo "run.sh: wrk not found (apt-get install wrk)" >&2; exit 2; }
command -v "$NGINX" >/dev/null || { echo "run.sh: nginx not found (apt-get install nginx-light; it has secure_link)" >&2; exit 2; }

work=$(mktemp -d "${TMPDIR:-/tmp}/fotoembed-bench.XXXXXX")
pids=()
cleanup() {
	local rc=$?
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
	if [ "$keep" = 1 ] || [ $rc -ne 0 ]; then echo "run.sh: work directory $work" >&2; else rm -rf "$work"; fi
	exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ncpu=$(nproc)
if [ "$pin" = auto ]; then
	if command -v taskset >/dev/null && [ "$ncpu" -ge 2 ]; then pin=yes; else pin=no; fi
fi
if [ "$pin" = yes ]; then
	target_cpu=0 load_cpu=$((ncpu - 1))
	target_procs=1 load_procs=1 threads=1
	on_target=(taskset -c "$target_cpu")
	on_load=(taskset -c "$load_cpu")
else
	target_procs=$ncpu load_procs=$ncpu threads=$ncpu
	on_target=()
	on_load=()
fi

echo "run.sh: $(date +%T) building bench/cmd/loadtarget" >&2
go build -pgo=off -o "$work/loadtarget" ./bench/cmd/loadtarget
# fotoembed runs as `go build` makes cmd/fotoembed: with profile-guided
# optimisation from cmd/fotoembed/default.pgo (see bench/pgo.sh); the
# baselines and the fake without.
pgo=off
[ -f cmd/fotoembed/default.pgo ] && pgo=cmd/fotoembed/default.pgo
go build -pgo="$pgo" -o "$work/loadtarget-fotoembed" ./bench/cmd/loadtarget

# Every run is bounded: loadtarget processes exit on their own after
# lifetime, and wrk runs for $duration seconds.
ncases=9
lifetime=$(( (rounds * 2 * duration * 2 * ncases) + 120 ))s

# start NAME target|load ARGS... starts a loadtarget role (taskset execs
# it, so $! is its pid) and waits for its KEY=VALUE file, then loads it
# into the environment.
start() {
	local name=$1 where=$2 procs
	shift 2
	local on=("${on_load[@]}")
	procs=$load_procs
	if [ "$where" = target ]; then on=("${on_target[@]}"); procs=$target_procs; fi
	local bin=$work/loadtarget
	case " $* " in *" -role service "*) bin=$work/loadtarget-fotoembed ;; esac
	GOMAXPROCS=$procs "${on[@]}" "$bin" -lifetime "$lifetime" -env "$work/$name.env" "$@" \
		>"$work/$name.out" 2>"$work/$name.err" &
	pids+=($!)
	local i
	for i in $(seq 1 600); do
		[ -s "$work/$name.env" ] && break
		if ! kill -0 "${pids[-1]}" 2>/dev/null; then
			echo "run.sh: $name failed to start:" >&2; tail -20 "$work/$name.err" >&2; exit 1
		fi
		sleep 0.1
	done
	[ -s "$work/$name.env" ] || { echo "run.sh: $name did not start within 60 s" >&2; exit 1; }
	set -a; . "$work/$name.env"; set +a
	eval "pid_$name=${pids[-1]}"
}

# start_nginx NAME true|false: the nginx secure_link baseline, its access log
# on or off. loadtarget writes its configuration; nginx runs in the
# foreground as one process (no master), pinned like the server under test.
start_nginx() {
	local name=$1 log=$2 dir=$work/$1 i
	"$work/loadtarget" -role nginx-conf -out "$dir" -access-log="$log" -env "$work/$name.env"
	set -a; . "$work/$name.env"; set +a
	"${on_target[@]}" "$NGINX" -c "$NGINX_CONF" -p "$dir" >"$work/$name.out" 2>"$work/$name.err" &
	pids+=($!)
	local port=${NGINX_URL##*:}
	for i in $(seq 1 600); do
		if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then break; fi
		if ! kill -0 "${pids[-1]}" 2>/dev/null; then
			echo "run.sh: nginx ($name) failed to start:" >&2; cat "$work/$name.err" "$dir/error.log" >&2 2>/dev/null; exit 1
		fi
		sleep 0.1
	done
	eval "pid_$name=${pids[-1]} url_$name=$NGINX_URL"
}

# cputicks PID: user+system CPU time of a process, in clock ticks.
cputicks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
hz=$(getconf CLK_TCK)

echo "run.sh: $(date +%T) starting the fake FotoWeb, fotoembed (redirect, proxy) and the baselines" >&2
start fake load -role fake
svc=(-fotoweb "$FAKE_URL" -log-level "$loglevel" -log /dev/null)
start redirect target -role service -delivery redirect -out "$work/redirect" "${svc[@]}"
# The same with the access log off, to show what the log line per request costs.
start quiet target -role service -delivery redirect -out "$work/quiet" -fotoweb "$FAKE_URL" -log-level warn -log /dev/null
start proxy target -role service -delivery proxy -out "$work/proxy" "${svc[@]}"
start echo302 target -role echo302
start revproxy target -role revproxy -fotoweb "$FAKE_URL"
start_nginx nginx true
start_nginx nginxq false

results=$work/results.tsv
: >"$results"
failed=0

# load CASE TARGET ROUND CONNS PID URL PATHS [METHOD BODY APIKEY]: one wrk
# run against the server process PID, whose CPU time per request is noted.
load() {
	local kase=$1 target=$2 round=$3 c=$4 pid=$5 url=$6 paths=$7 method=${8:-GET} body=${9:-} key=${10:-}
	local out line t0 t1 n
	t0=$(cputicks "$pid")
	out=$(BENCH_PATHS=$paths BENCH_METHOD=$method BENCH_BODY=$body BENCH_APIKEY=$key \
		"${on_load[@]}" "$WRK" -t"$threads" -c"$c" -d"${duration}s" --timeout 5s --latency \
		-s bench/wrk/paths.lua "$url" 2>&1) || { echo "run.sh: wrk failed: $out" >&2; exit 1; }
	t1=$(cputicks "$pid")
	line=$(printf '%s\n' "$out" | grep '^BENCH ' || true)
	[ -n "$line" ] || { echo "run.sh: no result from wrk for $kase/$target: $out" >&2; exit 1; }
	n=$(printf '%s\n' "$line" | sed -n 's/.*requests=\([0-9]*\).*/\1/p')
	line="$line cpu_us=$(awk -v t=$((t1 - t0)) -v hz="$hz" -v n="${n:-0}" 'BEGIN { printf "%.1f", (n > 0 ? t * 1e6 / hz / n : 0) }')"
	printf '%s\t%s\t%s\t%s\t%s\n' "$kase" "$target" "$c" "$round" "${line#BENCH }" >>"$results"
	local v
	for v in status_errors connect read write timeout; do
		local n
		n=$(printf '%s\n' "$line" | sed -n "s/.* $v=\([0-9]*\).*/\1/p")
		if [ "${n:-0}" != 0 ]; then
			echo "run.sh: $kase/$target at $c connections: $v=$n" >&2
			failed=1
		fi
	done
	case "$line" in *" requests=0 "*) echo "run.sh: $kase/$target: no requests completed" >&2; failed=1 ;; esac
	printf '  %-9s %-9s c=%-3s round %s: %s\n' "$kase" "$target" "$c" "$round" \
		"$(printf '%s\n' "$line" | sed 's/.* rps=\([0-9.]*\) p50_us=\([0-9]*\) p90_us=[0-9]* p99_us=\([0-9]*\).* cpu_us=\([0-9.]*\)/\1 req\/s, p50 \2 µs, p99 \3 µs, \4 CPU µs\/req/')" >&2
}

# pair CASE BASELINE_PID BASELINE_URL BASELINE_PATHS PID URL PATHS: ABBA rounds.
pair() {
	local kase=$1 bpid=$2 burl=$3 bpaths=$4 tpid=$5 turl=$6 tpaths=$7 c r
	for c in $conns; do
		for r in $(seq 1 "$rounds"); do
			if [ $((r % 2)) = 1 ]; then
				load "$kase" baseline "$r" "$c" "$bpid" "$burl" "$bpaths"
				load "$kase" fotoembed "$r" "$c" "$tpid" "$turl" "$tpaths"
			else
				load "$kase" fotoembed "$r" "$c" "$tpid" "$turl" "$tpaths"
				load "$kase" baseline "$r" "$c" "$bpid" "$burl" "$bpaths"
			fi
		done
	done
}

# alone CASE PID URL PATHS METHOD BODY APIKEY: rounds without a baseline.
alone() {
	local c r
	for c in $conns; do
		for r in $(seq 1 "$rounds"); do
			load "$1" fotoembed "$r" "$c" "$2" "$3" "$4" "$5" "$6" "$7"
		done
	done
}

R=$work/redirect P=$work/proxy
key=$(cat "$R/apikey")
echo "run.sh: $(date +%T) wrk runs of ${duration}s, $rounds round(s), connections $conns, pinned=$pin" >&2
pair redirect "$pid_echo302" "$ECHO302_URL" "$R/redirect.paths" "$pid_redirect" "$SERVICE_REDIRECT_URL" "$R/redirect.paths"
pair nolog "$pid_echo302" "$ECHO302_URL" "$R/redirect.paths" "$pid_quiet" "$QUIET_URL" "$R/redirect.paths"
pair nginx "$pid_nginx" "$url_nginx" "$work/nginx/nginx.paths" "$pid_redirect" "$SERVICE_REDIRECT_URL" "$R/redirect.paths"
pair nginxnolog "$pid_nginxq" "$url_nginxq" "$work/nginxq/nginx.paths" "$pid_quiet" "$QUIET_URL" "$R/redirect.paths"
pair proxy "$pid_revproxy" "$REVPROXY_URL" "$P/preview.paths" "$pid_proxy" "$SERVICE_PROXY_URL" "$P/proxy.paths"
alone embed "$pid_redirect" "$SERVICE_REDIRECT_URL" "$R/embed.paths" GET "" "$key"
alone resolve "$pid_redirect" "$SERVICE_REDIRECT_URL" "$R/resolve.paths" POST "$R/resolve.json" "$key"

# The report: medians over rounds; the ratio is the median of per-round ratios.
{
	echo
	echo "### Load test, $(date -u +%Y-%m-%d), mode $mode"
	echo
	echo "Machine: $(nproc) CPUs ($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)), $(go version | cut -d' ' -f3-4)," \
		"$(wrk --version 2>&1 | head -1 | cut -d' ' -f1-2), $("$NGINX" -v 2>&1 | sed 's/.*: //'). Pinned: $pin (server under test GOMAXPROCS=$target_procs;" \
		"wrk -t$threads). wrk -d${duration}s, $rounds round(s); proxied file $PROXY_BYTES bytes; fotoembed built with -pgo=$pgo."
	echo
	awk -F'\t' -f bench/wrk/report.awk "$results"
}
if [ "$failed" != 0 ]; then
	echo "run.sh: FAILED: errors during the load runs (see above)" >&2
	exit 1
fi
