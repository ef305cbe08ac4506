-- GET /KeyfactorAPI/Hello through the same nginx server block (TLS, Basic
-- auth) as certenroll, answered by bench/hello (libfcgi).
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(here .. "report.lua")

wrk.method = "GET"
bench.keyfactor_headers(nil)
