-- wrk script for bench/redirect.py and bench/scale.py: one path, or GET /r/<code> with
-- random codes from a file;
-- optionally as a reverse proxy would forward it (X-Forwarded-For: a random visitor).
--   wrk -t1 -c16 -d20s --latency --timeout 10s -H "User-Agent: <browser>" [-H "Cookie: ..."] \
--       -s bench/wrk.lua http://127.0.0.1:PORT -- MODE VALUE SEED PROXIED
-- MODE "codes": VALUE is a file of share codes; MODE "path": VALUE is the path to request.
-- PROXIED "1" adds X-Forwarded-Proto: https and a random X-Forwarded-For per request.
-- Counts the requests it generated (sent) and prints one machine-readable BENCH line.

local threads = {}
local next_id = 1

function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

function init(args)
  mode = args[1]
  codes = {}
  if mode == "codes" then
    for line in io.lines(args[2]) do
      codes[#codes + 1] = line
    end
  else
    path = args[2]
  end
  math.randomseed(tonumber(args[3] or "7") * 1000 + id)
  proxied = args[4] == "1"
  headers = {}
  for name, value in pairs(wrk.headers) do
    headers[name] = value
  end
  if proxied then
    headers["X-Forwarded-Proto"] = "https"
  end
  sent = 0
end

function request()
  sent = sent + 1
  if proxied then
    headers["X-Forwarded-For"] = string.format("10.%d.%d.%d", math.random(0, 255),
                                               math.random(0, 255), math.random(1, 254))
  end
  if mode == "codes" then
    return wrk.format("GET", "/r/" .. codes[math.random(#codes)], headers)
  end
  return wrk.format("GET", path, headers)
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
