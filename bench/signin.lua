-- wrk: password sign-in from a trusted device (one argon2id verify per request).
-- BENCH_EMAIL, BENCH_PASSWORD, BENCH_DEVICE_TOKEN come from the environment.
-- Counts answers by status in each thread and prints one "BENCH {json}" line at the end.
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  wrk.body = string.format('{"email":"%s","password":"%s","device_token":"%s"}',
    os.getenv("BENCH_EMAIL"), os.getenv("BENCH_PASSWORD"), os.getenv("BENCH_DEVICE_TOKEN"))
  statuses = {}
  non2xx = 0
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
  end
end

function done(summary, latency, requests)
  local n, all = 0, {}
  for _, t in ipairs(threads) do
    n = n + t:get("non2xx")
    for s, c in pairs(t:get("statuses")) do
      all[s] = (all[s] or 0) + c
    end
  end
  local parts = {}
  for s, c in pairs(all) do
    table.insert(parts, string.format('"%d":%d', s, c))
  end
  io.write(string.format(
    'BENCH {"requests":%d,"duration_us":%d,"rps":%.3f,"non2xx":%d,"statuses":{%s},' ..
    '"socket_errors":%d,"p50_ms":%.2f,"p99_ms":%.2f,"max_ms":%.2f}\n',
    summary.requests, summary.duration, summary.requests / (summary.duration / 1e6), n,
    table.concat(parts, ","),
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
end
