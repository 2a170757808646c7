-- wrk: GET with an optional bearer token (BENCH_ACCESS_TOKEN). No per-response Lua callback, so
-- the generator costs the same against the portal and the bare handler; wrk's own counter of
-- non-2xx/3xx answers is reported. Prints one "BENCH {json}" line at the end.
function init(args)
  local token = os.getenv("BENCH_ACCESS_TOKEN")
  if token and token ~= "" then
    wrk.headers["Authorization"] = "Bearer " .. token
  end
end

function done(summary, latency, requests)
  io.write(string.format(
    'BENCH {"requests":%d,"duration_us":%d,"rps":%.3f,"non2xx":%d,"socket_errors":%d,' ..
    '"p50_ms":%.3f,"p99_ms":%.3f,"max_ms":%.3f}\n',
    summary.requests, summary.duration, summary.requests / (summary.duration / 1e6),
    summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
end
