-- POST /KeyfactorAPI/Enrollment/PFX/Deploy: the certificates of STORE
-- enrollments (BENCH_STAGED, comma-separated ids, enrolled by run.sh just
-- before) deployed in turn to the PEM store BENCH_STORE, each under its own
-- alias with Overwrite (a certificate may be deployed again: a new job).
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(here .. "report.lua")

wrk.method = "POST"
bench.keyfactor_headers(nil)
wrk.headers["Content-Type"] = "application/json"
local ids = {}
for id in string.gmatch(bench.env("BENCH_STAGED"), "%d+") do
   ids[#ids + 1] = id
end
local store = bench.env("BENCH_STORE")
local password = bench.env("BENCH_PFX_PASSWORD")
local n = 0

function init(args)
   n = 17 * (thread_no or 0)
end

function request()
   n = n + 1
   local id = ids[(n % #ids) + 1]
   return wrk.format(nil, nil, nil, string.format(
      '{"Stores":[{"StoreId":"%s","Alias":"bench-%s","Overwrite":true}],' ..
      '"CertificateId":%s,"Password":"%s"}', store, id, id, password))
end
