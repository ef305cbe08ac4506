-- POST /KeyfactorAPI/Enrollment/PFX, x-certificateformat: PFX: an RSA-2048
-- key and certificate from the RSA-2048 CA (BENCH_RSA_CA), PKCS#12 answer.
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(here .. "report.lua")

wrk.method = "POST"
bench.keyfactor_headers("PFX")
wrk.headers["Content-Type"] = "application/json"
wrk.body = string.format('{"Subject":"CN=rsa.bench.example.com,O=certenroll bench",' ..
   '"Template":"WebServer","CertificateAuthority":"%s","KeyType":"RSA",' ..
   '"KeyLength":2048,"SANs":{"dns":["rsa.bench.example.com"]},' ..
   '"Password":"%s","IncludeChain":true,"Timestamp":"%s"}',
   bench.env("BENCH_RSA_CA"), bench.env("BENCH_PFX_PASSWORD"), bench.timestamp())
