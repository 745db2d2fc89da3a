-- Prints one machine-readable line for bench/run.py: requests, non-2xx, socket errors, p50, p95 (ms).
-- THINK_MS > 0 makes each connection wait a random 0.5–1.5 × THINK_MS between requests.
local think = tonumber(os.getenv("THINK_MS") or "0")

function delay()
  if think > 0 then
    return math.random(math.floor(think / 2), think + math.floor(think / 2))
  end
  return 0
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "BENCH %d %d %d %.3f %.3f\n",
    summary.requests,
    e.status,
    e.connect + e.read + e.write + e.timeout,
    latency:percentile(50) / 1000,
    latency:percentile(95) / 1000
  ))
end
