-- report.lua - shared by the scenario scripts (dofile'd): request helpers
-- and the done() that prints one machine-readable RESULT line for run.sh.
-- Throughput counts only 2xx/3xx answers; p50/p99 are over all answers.

bench = {}

-- An environment variable (the default, or an error, when unset).
function bench.env(name, default)
   local v = os.getenv(name)
   if v == nil or v == "" then
      if default ~= nil then return default end
      error("bench: environment variable " .. name .. " is not set")
   end
   return v
end

-- certenroll's request headers: Basic auth (BENCH_AUTH is base64 of
-- user:password), the Keyfactor client header, JSON body.
function bench.keyfactor_headers(format)
   wrk.headers["Authorization"] = "Basic " .. bench.env("BENCH_AUTH")
   wrk.headers["x-keyfactor-requested-with"] = "APIClient"
   wrk.headers["x-keyfactor-api-version"] = "1"
   if format ~= nil then
      wrk.headers["x-certificateformat"] = format
   end
end

function bench.timestamp()
   return os.date("!%Y-%m-%dT%H:%M:%SZ")
end

-- Threads get distinct numbers (setup runs once per thread, in order).
local nthreads = 0
function setup(thread)
   thread:set("thread_no", nthreads)
   nthreads = nthreads + 1
end

function done(summary, latency, requests)
   local secs = summary.duration / 1e6
   local e = summary.errors
   local ok = summary.requests - e.status
   io.write(string.format(
      "RESULT requests=%d ok=%d seconds=%.3f rps=%.2f p50_ms=%.3f " ..
      "p99_ms=%.3f non2xx=%d connect=%d read=%d write=%d timeout=%d\n",
      summary.requests, ok, secs, ok / secs,
      latency:percentile(50) / 1000, latency:percentile(99) / 1000,
      e.status, e.connect, e.read, e.write, e.timeout))
end
