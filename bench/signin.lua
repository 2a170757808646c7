-- wrk: password sign-in from a trusted device (one argon2id verify per request).
-- BENCH_ACCOUNTS names a file of "email password device_token" lines and BENCH_WRK_THREADS is
-- wrk's -t; thread i of n takes the
-- lines i, i+n, ... and goes round them, so no address has more than one sign-in in flight
-- when there are at least as many lines as connections.
-- Counts answers by status in each thread and prints one "BENCH {json}" line at the end.
local threads = {}
local counter = 0

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  local nthreads = tonumber(os.getenv("BENCH_WRK_THREADS") or "1")
  bodies = {}
  local i = 0
  for line in io.lines(os.getenv("BENCH_ACCOUNTS")) do
    local email, password, device = line:match("^(%S+) (%S+) (%S+)$")
    if email and i % nthreads == (id or 0) % nthreads then
      table.insert(bodies, string.format('{"email":"%s","password":"%s","device_token":"%s"}',
        email, password, device))
    end
    i = i + 1
  end
  if #bodies == 0 then
    error("no accounts for this thread in " .. os.getenv("BENCH_ACCOUNTS"))
  end
  next_body = 1
  statuses = {}
  non2xx = 0
end

function request()
  local body = bodies[next_body]
  next_body = next_body % #bodies + 1
  return wrk.format("POST", nil, { ["Content-Type"] = "application/json" }, body)
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
