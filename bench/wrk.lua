-- Prints one machine-readable line for bench/run.py: requests, non-2xx, socket errors, p50, p95 (ms).
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
