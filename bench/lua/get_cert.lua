-- GET /KeyfactorAPI/Certificates/{id}: ids drawn at random from
-- 1..BENCH_NCERTS (every id there is a certificate).
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(here .. "report.lua")

wrk.method = "GET"
bench.keyfactor_headers(nil)
local ncerts = tonumber(bench.env("BENCH_NCERTS"))

function init(args)
   math.randomseed(os.time() + 7919 * (thread_no or 0))
end

function request()
   return wrk.format(nil, "/KeyfactorAPI/Certificates/" .. math.random(1, ncerts))
end
