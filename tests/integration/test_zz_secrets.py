"""Secrets never leak (issue #8): after the whole suite has run (this file
runs last), no log of the web server or the programs, and no file of the
data directory other than the sealed LMDB records, contains a password the
tests used, an Authorization header, or private key material."""
import base64
import glob
import os
import subprocess

from conftest import USERS

# Passwords the test modules send (and the generated ones never appear as
# such: they are random, and only PEM armour could show a key).
TEST_PASSWORDS = [
    "Sup3rSecretPw!", "layout-pass-123", "rsa-password-1", "keytype-pass-1",
    "pem-password-1", "zip-password-1", "store-password-1", "legacy-pass-1",
    "v2-password-1", "v1-password-1", "lenient-pass-1", "logical-pass-1",
    "anyca-pass-12", "meta-pass-123", "pending-pass-1", "concurrent-pw-1",
    "deploy-pass-123", "store-pass-9", "not-the-password", "lint-pass-1234",
    "pool-pass-123", "soak-pass-1234", "disk-pass-123", "kill-pass-1234",
    "signer-pass-1",
]


def secrets():
    out = set(TEST_PASSWORDS)
    for user, (pw, _) in USERS.items():
        out.add(pw)
        out.add(base64.b64encode(("%s:%s" % (user, pw)).encode()).decode())
    return out


def log_files(svc):
    files = [p for p in glob.glob(os.path.join(svc.run, "**", "*"), recursive=True)
             if os.path.isfile(p) and (p.endswith(".log") or "log" in os.path.basename(p))]
    return files


def test_logs_hold_no_secrets(svc):
    files = log_files(svc)
    assert files, "no log files found in %s" % svc.run
    assert any(os.path.getsize(f) > 0 for f in files)
    leaks = []
    for f in files:
        text = open(f, "rb").read()
        for s in secrets():
            if s.encode() in text:
                leaks.append((f, s))
        for marker in (b"PRIVATE KEY", b"Authorization: Basic"):
            if marker in text:
                leaks.append((f, marker.decode()))
    assert not leaks, leaks[:10]


def test_data_dir_files_hold_no_plain_keys(svc):
    for f in glob.glob(os.path.join(svc.data, "**", "*"), recursive=True):
        if not os.path.isfile(f):
            continue
        text = open(f, "rb").read()
        assert b"PRIVATE KEY" not in text, f
        for s in secrets():
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
