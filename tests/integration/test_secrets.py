"""Secrets never leak (issue #8): no log of the web server or the programs,
and no file of the data directory other than the sealed LMDB records,
contains a password the tests used, an Authorization header, or private
key material.  These tests check whatever has run when they run; the
lines each module adds to the logs are also checked when that module ends
(conftest.py), so that nothing depends on the order of the files."""
import glob
import os
import subprocess

import pytest
import requests

from conftest import ISSUING_CA, USERS
from secrets_scan import leaks, log_files, secrets

PW = "Sup3rSecretPw!"


@pytest.fixture(scope="module", autouse=True)
def traffic(svc):
    """What could leak a secret: passwords in every answer format, a
    refused password, a wrong login, a staged key deployed."""
    body = {"Subject": "CN=secrets.example.com", "Template": "WebServer",
            "CertificateAuthority": ISSUING_CA, "KeyType": "ECC",
            "Timestamp": "2026-11-25T10:00:00Z", "Password": PW}
    for fmt in ("PFX", "PEM", "ZIP", "STORE"):
        r = svc.enroll(body, fmt=fmt)
        assert r.status_code == 200, r.text
    r = svc.enroll(dict(body, Password="short"))
    assert r.status_code == 400
    r = requests.post(svc.url + "/KeyfactorAPI/Enrollment/PFX",
                      auth=("alice", USERS["bob"][0]), json=body,
                      verify=svc.ca_bundle, timeout=30)
    assert r.status_code == 401


def test_logs_hold_no_secrets(svc):
    files = log_files(svc)
    assert files, "no log files found in %s" % svc.run
    assert any(os.path.getsize(f) > 0 for f in files)
    found = [(f, s) for f in files for s in leaks(open(f, "rb").read())]
    assert not found, found[:10]


def test_data_dir_files_hold_no_plain_keys(svc):
    for f in glob.glob(os.path.join(svc.data, "**", "*"), recursive=True):
        if not os.path.isfile(f):
            continue
        text = open(f, "rb").read()
        assert b"PRIVATE KEY" not in text, f
        for s in secrets() | {PW}:
            assert s.encode() not in text, (f, s)


def test_programs_refuse_core_dumps(svc):
    pids = subprocess.run(["pgrep", "-f", os.path.join("cgi", "enroll_pfx")],
                          capture_output=True, text=True).stdout.split()
    checked = 0
    for pid in pids:
        try:
            limits = open("/proc/%s/limits" % pid).read()
        except FileNotFoundError:
            continue
        line = [l for l in limits.splitlines() if l.startswith("Max core file size")][0]
        assert line.split()[4] == "0", line
        checked += 1
    assert checked > 0
