-- A bounded burst of RSA-2048 PFX enrollments (as enroll_rsa_pfx.lua):
-- each wrk thread stops after BENCH_BURST_PER_THREAD answers, so that the
-- burst fits in the key pool run.sh filled before it.  Its latencies are
-- the burst's; its requests/s mean nothing (wrk divides by the whole -d).
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(here .. "enroll_rsa_pfx.lua")

local limit = tonumber(bench.env("BENCH_BURST_PER_THREAD"))
local answered = 0

function response(status, headers, body)
   answered = answered + 1
   if answered >= limit then
      wrk.thread:stop()
   end
end
