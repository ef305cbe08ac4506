"""Running well (issue #5): SIGTERM lets the request in flight finish before
the program exits; max_requests recycles a process (the supervisor starts a
fresh one); the audit log has a line per issuance with the request id."""
import os
import signal
import subprocess
import threading
import time

import pytest

from certs import load_pfx
from conftest import WEB_RUNS_PROGRAMS, RSA_CA


pytestmark = pytest.mark.skipif(WEB_RUNS_PROGRAMS,
                                reason="the web server runs the programs")


def workers(s, program):
    sup = open(os.path.join(s.run, "%s.pid" % program)).read().split()[0]
    out = subprocess.run(["pgrep", "-P", sup], capture_output=True, text=True)
    return {int(p) for p in out.stdout.split()}


def rsa_body(cn, bits=4096):
    return {"Subject": "CN=%s" % cn, "Template": "RsaOnly" if bits <= 3072 else "WebServer",
            "CertificateAuthority": RSA_CA, "KeyType": "RSA", "KeyLength": bits,
            "Timestamp": "2026-11-25T10:00:00Z", "Password": "life-pass-123"}


def test_sigterm_finishes_the_request_in_flight(supervised):
    s = supervised
    before = workers(s, "renew")  # warm the other program; not used
    old = workers(s, "enroll_pfx")
    assert old
    result = {}

    def slow():
        result["r"] = s.enroll(rsa_body("inflight.example.com"))

    t = threading.Thread(target=slow)
    t.start()
    time.sleep(0.15)  # the RSA-4096 key generation is under way
    for pid in old:
        os.kill(pid, signal.SIGTERM)
    t.join(60)
    r = result["r"]
    assert r.status_code == 200, r.text
    _, key, cert, _ = load_pfx(r.json()["CertificateInformation"]["Pkcs12Blob"],
                               "life-pass-123")
    assert key.key_size == 4096
    # The old processes are gone, fresh ones serve.
    deadline = time.time() + 10
    while time.time() < deadline and workers(s, "enroll_pfx") & old:
        time.sleep(0.1)
    assert not (workers(s, "enroll_pfx") & old)
    assert workers(s, "enroll_pfx")
    assert before is not None
    r = s.enroll(rsa_body("after.example.com", 2048))
    assert r.status_code == 200, r.text


def test_max_requests_recycles(supervised):
    s = supervised
    with open(os.path.join(s.run, "certenroll.conf"), "a") as f:
        f.write("max_requests = 3\n")
    # Processes that read the configuration before keep their setting;
    # restart them so that every worker reads the new one.
    for pid in workers(s, "status"):
        os.kill(pid, signal.SIGTERM)
    time.sleep(0.5)
    first = workers(s, "status")
    seen = set(first)
    for _ in range(20):
        r = s.request("GET", "/Status/Endpoints")
        assert r.status_code == 200
        seen |= workers(s, "status")
    assert len(seen) > len(first)  # recycled processes were replaced


def test_audit_lines(supervised):
    s = supervised
    r = s.enroll(rsa_body("audit.example.com", 2048))
    assert r.status_code == 200
    cid = r.json()["CertificateInformation"]["KeyfactorId"]
    log = open(os.path.join(s.run, "certenroll.log")).read()
    lines = [l for l in log.splitlines()
             if "[audit]" in l and "action=issue" in l and "cert=%d " % cid in l]
    assert lines and "user=alice" in lines[0] and "req=" in lines[0]
    assert "req=-" not in lines[0]
