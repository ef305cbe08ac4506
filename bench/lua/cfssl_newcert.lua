-- POST /api/v1/cfssl/newcert to cfssl serve (plain HTTP, no auth): a new
-- key (BENCH_CFSSL_ALGO ecdsa/256 or rsa/2048) and a certificate from the
-- CA that cfssl serve was started with.
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(here .. "report.lua")

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = string.format('{"request":{"CN":"cfssl.bench.example.com",' ..
   '"names":[{"O":"certenroll bench"}],"hosts":["cfssl.bench.example.com"],' ..
   '"key":{"algo":"%s","size":%s}}}',
   bench.env("BENCH_CFSSL_ALGO"), bench.env("BENCH_CFSSL_SIZE"))
