-- POST /ocsp: the OCSP responder (no login) asked about one certificate,
-- the DER request in BENCH_OCSP_REQUEST (a file, made by run.sh with
-- openssl ocsp -reqout, without a nonce: the answer a cache may keep).
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(here .. "report.lua")

local f = assert(io.open(bench.env("BENCH_OCSP_REQUEST"), "rb"))
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "application/ocsp-request"
