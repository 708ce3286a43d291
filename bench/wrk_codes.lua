-- wrk script for bench/redirect.py: GET /r/<code> with codes picked at random from a file.
--   wrk -t1 -c16 -d30s --latency --timeout 10s -H "User-Agent: <browser>" \
--       -s bench/wrk_codes.lua http://127.0.0.1:PORT -- CODES_FILE SEED
-- Counts the requests it generated (sent) and prints one machine-readable BENCH line.

local threads = {}
local next_id = 1

function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

function init(args)
  codes = {}
  for line in io.lines(args[1]) do
    codes[#codes + 1] = line
  end
  math.randomseed(tonumber(args[2] or "7") * 1000 + id)
  sent = 0
end

function request()
  sent = sent + 1
  return wrk.format("GET", "/r/" .. codes[math.random(#codes)])
end

function done(summary, latency, requests)
  local total = 0
  for _, thread in ipairs(threads) do
    total = total + thread:get("sent")
  end
  local e = summary.errors
  io.write(string.format(
    "BENCH sent=%d completed=%d duration_us=%d connect=%d read=%d write=%d status=%d " ..
    "timeout=%d p50_us=%d p90_us=%d p99_us=%d max_us=%d mean_us=%.1f\n",
    total, summary.requests, summary.duration, e.connect, e.read, e.write, e.status,
    e.timeout, latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.max, latency.mean))
end
