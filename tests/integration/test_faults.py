"""Faults (issue #7): the data directory's disk fills up while enrollments
go on: clear 5xx answers, nothing corrupt, every acknowledged certificate
present, and recovery once space returns."""
import concurrent.futures
import json
import os
import shutil
import subprocess

import pytest

from conftest import DB, ISSUING_CA, new_base, started


def mount_tmpfs(path, size):
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=%s,mode=0700" % size,
                    "tmpfs", path], check=True)


@pytest.fixture(scope="module")
def small_disk():
    if os.geteuid() != 0:
        pytest.skip("needs root to mount a tmpfs")
    if DB != "lmdb":
        pytest.skip("the state is in PostgreSQL's cluster, not the data directory")
    base = new_base("certenroll-disk-")
    data = os.path.join(base, "data")
    os.mkdir(data)
    mount_tmpfs(data, "1200k")
    try:
        with started(base) as s:
            yield s
    finally:
        subprocess.run(["umount", "-l", data], check=False)
        shutil.rmtree(base, ignore_errors=True)


def enroll(s, i):
    return s.enroll({"Subject": "CN=full%d.example.com" % i, "Template": "WebServer",
                     "CertificateAuthority": ISSUING_CA, "KeyType": "ECC",
                     "Timestamp": "2026-11-25T10:00:00Z", "Password": "disk-pass-123"})


def listed_thumbprints(s):
    out = s.tool("cert", "list").stdout
    return {json.loads(l.split("\t", 1)[1])["thumbprint"] for l in out.splitlines()}


def test_disk_full_then_recovery(small_disk):
    s = small_disk
    acknowledged, failures = [], []
    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as ex:
        for batch in range(150):
            rs = list(ex.map(lambda i: enroll(s, i), range(batch * 8, batch * 8 + 8)))
            for r in rs:
                if r.status_code == 200:
                    acknowledged.append(r.json()["CertificateInformation"]["Thumbprint"])
                else:
                    failures.append(r)
            if len(failures) >= 8:
                break
    assert acknowledged, "nothing was issued before the disk filled"
    assert failures, "the disk never filled"
    for r in failures:
        assert r.status_code == 500, r.text
        assert r.json()["ErrorCode"].startswith("0xA011")
    # Nothing acknowledged is missing; the environment still reads cleanly.
    p = subprocess.run(["mdb_dump", "-a", os.path.join(s.data, "db")],
                       capture_output=True)
    assert p.returncode == 0
    listed = listed_thumbprints(s)
    assert set(acknowledged) <= listed
    # Space returns: enrollment works again.
    subprocess.run(["mount", "-o", "remount,size=64m", s.data], check=True)
    r = enroll(s, 100000)
    assert r.status_code == 200, r.text
    assert r.json()["CertificateInformation"]["Thumbprint"] in listed_thumbprints(s)
    log = open(os.path.join(s.run, "certenroll.log")).read()
    assert "No space left on device" in log or "MDB_MAP_FULL" in log or "mdb_" in log
