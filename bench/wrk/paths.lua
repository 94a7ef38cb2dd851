-- wrk script of bench/run.sh: sends the requests of a paths file in turn
-- and prints one machine-readable result line.
--
-- Environment:
--   BENCH_PATHS    file with one request path (and query) per line; required
--   BENCH_METHOD   request method (default GET)
--   BENCH_BODY     file whose content is the request body (default none)
--   BENCH_APIKEY   value of an X-API-Key header (default none)
--
-- Every request is formatted once in init(); request() only hands out the
-- next one, so the script costs the same whatever target it drives.

local reqs = {}
local n = 0
local i = 0

local function readfile(name)
  local f = assert(io.open(name, "rb"))
  local s = f:read("*a")
  f:close()
  return s
end

function init(args)
  local method = os.getenv("BENCH_METHOD") or "GET"
  local headers = {}
  local body = nil
  local bodyfile = os.getenv("BENCH_BODY") or ""
  if bodyfile ~= "" then
    body = readfile(bodyfile)
    headers["Content-Type"] = "application/json"
  end
  local key = os.getenv("BENCH_APIKEY") or ""
  if key ~= "" then
    headers["X-API-Key"] = key
  end
  for line in string.gmatch(readfile(assert(os.getenv("BENCH_PATHS"), "BENCH_PATHS not set")), "[^\n]+") do
    n = n + 1
    reqs[n] = wrk.format(method, line, headers, body)
  end
  assert(n > 0, "no paths")
  -- Threads start at different places of the list.
  i = (wrk.thread:get("id") or 0) % n
end

function setup(thread)
  setup_count = (setup_count or 0) + 1
  thread:set("id", setup_count * 7919)
end

function request()
  i = i % n + 1
  return reqs[i]
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "BENCH requests=%d duration_us=%d rps=%.1f p50_us=%d p90_us=%d p99_us=%d mean_us=%.1f max_us=%d " ..
    "bytes=%d status_errors=%d connect=%d read=%d write=%d timeout=%d\n",
    summary.requests, summary.duration, summary.requests / (summary.duration / 1e6),
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.mean, latency.max,
    summary.bytes, e.status, e.connect, e.read, e.write, e.timeout))
end
