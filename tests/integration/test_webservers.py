"""The web server configurations (nginx/, apache/) are what they claim, for
the web server CERTENROLL_WEB names: the web server's own refusals carry the
API's error body, paths match case-insensitively and still need a login, a
chunked body reaches the program, which applies its own body_limit."""
import os

import requests

from conftest import ISSUING_CA

TS = "2026-11-25T10:00:00Z"
JSON = "application/json; charset=utf-8"


def body(cn="web.example.com", **kw):
    b = {"Subject": "CN=%s" % cn, "Template": "WebServer",
         "CertificateAuthority": ISSUING_CA, "KeyType": "ECC",
         "Curve": "P-256", "Timestamp": TS, "Password": "Web-Pass-12345"}
    b.update(kw)
    return b


def chunked(data, size=512):
    """data as a generator: requests sends it chunked, no Content-Length."""
    for i in range(0, len(data), size):
        yield data[i:i + size]


def error_body(r, status, code):
    assert r.status_code == status, r.text
    assert r.headers.get("content-type") == JSON, r.headers
    err = r.json()
    assert err["ErrorCode"] == code, r.text
    assert err["Message"]
    return err["Message"]


def test_the_web_server_is_the_one_asked_for(svc):
    r = requests.get(svc.url + "/health", verify=svc.ca_bundle, timeout=30)
    assert r.status_code == 200
    server = r.headers.get("Server", "")
    assert server.lower().startswith("apache" if svc.web.startswith("apache")
                                     else "nginx"), server
    conf = "nginx.conf" if svc.web == "nginx" else "apache.conf"
    assert os.path.exists(os.path.join(svc.run, conf))


def test_401_has_the_api_error_body_and_the_challenge(svc):
    r = svc.enroll(body(), user=None)
    error_body(r, 401, "0xA0110003")
    assert r.headers["WWW-Authenticate"] == 'Basic realm="certenroll"'


def test_413_over_content_length_has_the_api_error_body(svc):
    before = svc.db_digest()
    data = b'{"Subject": "' + b"a" * (1 << 20) + b'"}'
    try:
        r = svc.request("POST", "/Enrollment/PFX", data=data, fmt="PFX")
    except requests.ConnectionError:
        # The server answered before the whole body was sent; the answer is
        # checked with a body just over the limit that it reads anyway.
        r = svc.request("POST", "/Enrollment/PFX", data=data[:(1 << 20) + 1],
                        fmt="PFX")
    msg = error_body(r, 413, "0xA0110009")
    assert "1048576" in msg
    assert svc.db_digest() == before


def test_chunked_body_reaches_the_program(svc):
    import json
    data = json.dumps(body("chunked.example.com")).encode()
    r = svc.request("POST", "/Enrollment/PFX", data=chunked(data), fmt="PFX")
    assert r.status_code == 200, r.text
    assert r.json()["CertificateInformation"]["Pkcs12Blob"]


def test_chunked_body_is_limited_by_the_programs_body_limit(svc):
    """No Content-Length for the web server to refuse by: the program counts
    the bytes itself and answers 413 naming its own limit."""
    before_limit = "1048576"
    for line in svc.tool("setting", "list").stdout.splitlines():
        parts = line.replace("=", " ").replace("\t", " ").split()
        if parts and parts[0] == "body_limit" and len(parts) > 1:
            before_limit = parts[1]
    svc.tool("setting", "set", "body_limit", "2048")
    try:
        before = svc.db_digest()
        data = b'{"Subject": "' + b"a" * 4096 + b'"}'
        r = svc.request("POST", "/Enrollment/PFX", data=chunked(data),
                        fmt="PFX")
        msg = error_body(r, 413, "0xA0110009")
        assert "2048" in msg, msg
        assert svc.db_digest() == before
    finally:
        svc.tool("setting", "set", "body_limit", before_limit)
    r = svc.request("POST", "/Enrollment/PFX", data=chunked(data), fmt="PFX")
    assert r.status_code == 400, r.text  # within the limit again: a bad body


def test_refusal_before_the_body_is_read_is_answered_whole(svc):
    """A program that refuses before reading the body still answers whole.
    (As plain CGI under mod_cgid the unread body used to reset the socket
    and lose the answer; lib/http/http.c now drains stdin.)"""
    before = svc.db_digest()
    r = svc.enroll(body(), user="carol")  # no claim: refused before the body
    error_body(r, 403, "0xA0110004")
    r = svc.request("GET", "/Status/Endpoints", data="null")  # body unread
    assert r.status_code == 200, r.text
    assert svc.db_digest() == before


def test_unknown_endpoint_is_404_with_the_api_error_body(svc):
    r = svc.request("GET", "/NoSuchEndpoint")
    error_body(r, 404, "0xA0110005")


def test_paths_match_case_insensitively_with_a_trailing_slash(svc):
    r = requests.post(svc.url + "/keyfactorapi/enrollment/pfx/",
                      json=body("case.example.com"),
                      auth=("alice", "alice-pass-1"), verify=svc.ca_bundle,
                      headers={"x-certificateformat": "PFX",
                               "x-keyfactor-requested-with": "APIClient"},
                      timeout=60)
    assert r.status_code == 200, r.text
    r = requests.get(svc.url + "/KEYFACTORAPI/STATUS/ENDPOINTS/",
                     auth=("alice", "alice-pass-1"), verify=svc.ca_bundle,
                     headers={"x-keyfactor-requested-with": "APIClient"},
                     timeout=60)
    assert r.status_code == 200, r.text


def test_every_spelling_of_a_path_needs_a_login(svc):
    for path in ("/keyfactorapi/enrollment/pfx", "/KEYFACTORAPI/Status/Endpoints",
                 "/KeyfactorAPI//Enrollment/PFX", "/KeyfactorAPI/Certificates/1",
                 "/keyfactorapi/certificatestores"):
        r = requests.request("POST" if "pfx" in path.lower() else "GET",
                             svc.url + path, verify=svc.ca_bundle, timeout=30,
                             json=body(), headers={"x-certificateformat": "PFX"})
        assert r.status_code == 401, (path, r.status_code, r.text)


def test_health_needs_no_login(svc):
    r = requests.get(svc.url + "/health", verify=svc.ca_bundle, timeout=30)
    assert r.status_code == 200, r.text
    assert r.json()["Status"] == "OK", r.text


def _routes():
    """(path regex, program) of nginx/locations.conf.in and of every Apache
    backend, read from the templates."""
    import re
    root = os.path.join(os.path.dirname(__file__), "..", "..")
    text = open(os.path.join(root, "nginx", "locations.conf.in")).read()
    nginx = set()
    for m in re.finditer(r"location (~\*|~|=) (\S+) \{(.*?)\n\}", text, re.S):
        sock = re.search(r"fastcgi_pass unix:@RUNDIR@/(\w+)\.sock;", m.group(3))
        if sock is None:
            continue
        path = m.group(2) if m.group(1) != "=" else "^%s$" % m.group(2)
        nginx.add(((m.group(1) == "~*"), path, sock.group(1)))
    apache = {}
    for backend, pat in (("proxy-fcgi", r'ProxyPassMatch "(.*?)" "unix:@RUNDIR@/(\w+)\.sock\|'),
                         ("fcgid", r'^AliasMatch "(.*?)" "@BINDIR@/(\w+)"'),
                         ("cgi", r'^ScriptAliasMatch "(.*?)" "@BINDIR@/(\w+)"')):
        text = open(os.path.join(root, "apache", backend + ".conf.in")).read()
        apache[backend] = {(rx.startswith("(?i)"), rx.replace("(?i)", "", 1), prog)
                           for rx, prog in re.findall(pat, text, re.M)}
    return nginx, apache


def test_apache_routes_are_nginx_routes():
    """Every Apache backend sends the same paths (same regex, same case
    rule) to the same program as nginx does."""
    nginx, apache = _routes()
    assert len(nginx) >= 9
    for backend, routes in apache.items():
        assert routes == nginx, (backend, routes ^ nginx)
