-- POST /KeyfactorAPI/Enrollment/PFX, x-certificateformat: PEM: an ECC P-256
-- key and certificate from the ECC P-256 CA (BENCH_ECC_CA), PEM answer
-- (encrypted PKCS#8 key, leaf, chain).
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(here .. "report.lua")

wrk.method = "POST"
bench.keyfactor_headers("PEM")
wrk.headers["Content-Type"] = "application/json"
wrk.body = string.format('{"Subject":"CN=ecc.bench.example.com,O=certenroll bench",' ..
   '"Template":"WebServer","CertificateAuthority":"%s","KeyType":"ECC",' ..
   '"Curve":"P-256","SANs":{"dns":["ecc.bench.example.com"]},' ..
   '"Password":"%s","IncludeChain":true,"Timestamp":"%s"}',
   bench.env("BENCH_ECC_CA"), bench.env("BENCH_PFX_PASSWORD"), bench.timestamp())
