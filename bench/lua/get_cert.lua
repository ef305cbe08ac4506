-- GET /KeyfactorAPI/Certificates/{id}: ids drawn at random from
-- 1..BENCH_NCERTS (every id there is a certificate), or from the lines of
-- BENCH_IDS_FILE when it is set (PostgreSQL's ids have gaps: a sequence
-- value a rolled-back transaction took is not given again).
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(here .. "report.lua")

wrk.method = "GET"
bench.keyfactor_headers(nil)
local ids = nil
local ncerts = 0
local file = os.getenv("BENCH_IDS_FILE")
if file ~= nil and file ~= "" then
   ids = {}
   for line in io.lines(file) do
      ids[#ids + 1] = line
   end
   ncerts = #ids
else
   ncerts = tonumber(bench.env("BENCH_NCERTS"))
end

function init(args)
   math.randomseed(os.time() + 7919 * (thread_no or 0))
end

function request()
   local n = math.random(1, ncerts)
   return wrk.format(nil, "/KeyfactorAPI/Certificates/" .. (ids and ids[n] or n))
end
