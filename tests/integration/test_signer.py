"""The signer (issue #8): the one process with the CA keys.  Enrollment
goes through it, it logs every signature, it refuses what the policy does
not allow even when asked directly, and without it nothing is signed."""
import base64
import datetime
import json
import os
import socket
import struct

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from conftest import ISSUING_CA

TS = "2026-11-25T10:00:00Z"


def ask(sock, msg):
    s = socket.socket(socket.AF_UNIX)
    s.connect(sock)
    data = json.dumps(msg).encode()
    s.sendall(struct.pack(">I", len(data)) + data)
    n = struct.unpack(">I", s.recv(4))[0]
    buf = b""
    while len(buf) < n:
        buf += s.recv(n - len(buf))
    s.close()
    return json.loads(buf)


def enroll(svc, cn):
    return svc.enroll({"Subject": "CN=%s" % cn, "Template": "WebServer",
                       "CertificateAuthority": ISSUING_CA, "KeyType": "ECC",
                       "Timestamp": TS, "Password": "signer-pass-1"})


def test_enrollment_goes_through_the_signer(svc, signer):
    r = enroll(svc, "signed.example.com")
    assert r.status_code == 200, r.text
    serial = r.json()["CertificateInformation"]["SerialNumber"]
    log = open(os.path.join(svc.run, "signer.log")).read()
    line = [l for l in log.splitlines() if "serial=%s" % serial in l]
    assert line and "action=sign" in line[0] and "user=alice" in line[0]
    assert "template=WebServer" in line[0]


def forged(issuer_subject, ca_true=True):
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.utcnow()
    b = (x509.CertificateBuilder()
         .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "evil.example.com")]))
         .issuer_name(issuer_subject).public_key(key.public_key())
         .serial_number(x509.random_serial_number())
         .not_valid_before(now).not_valid_after(now + datetime.timedelta(days=30))
         .add_extension(x509.BasicConstraints(ca=ca_true, path_length=None), critical=True))
    return b.sign(key, hashes.SHA256())


def test_a_compromised_program_gets_no_ca_certificate(svc, signer):
    issuing = x509.load_pem_x509_certificate(svc.ca_pem(ISSUING_CA).encode())
    tbs = forged(issuing.subject)
    from cryptography.hazmat.primitives.serialization import Encoding
    ans = ask(signer, {"ca": ISSUING_CA, "template": "WebServer", "requester": "mallory",
                       "tbs": base64.b64encode(tbs.public_bytes(Encoding.DER)).decode()})
    assert ans["ok"] is False
    assert "lint" in ans["error"]
    ans = ask(signer, {"ca": ISSUING_CA, "template": "NoSuchTemplate", "requester": "mallory",
                       "tbs": base64.b64encode(tbs.public_bytes(Encoding.DER)).decode()})
    assert ans["ok"] is False and "NoSuchTemplate" in ans["error"]
    log = open(os.path.join(svc.run, "signer.log")).read()
    assert "refused" in log and "requester=mallory" in log


def proc_status(pid):
    fields = {}
    for line in open("/proc/%d/status" % pid):
        name, _, value = line.partition(":")
        fields[name] = value.strip()
    return fields


def test_signer_runs_under_its_seccomp_filter(svc, signer):
    """Started by certenroll-serve (no systemd), the signer still has no
    network: filter mode 2, no_new_privs, said in its log; and signs."""
    pid = int(open(os.path.join(svc.run, "signer.pid")).read())
    status = proc_status(pid)
    assert status["Name"].startswith("certenroll-sign"), status["Name"]
    assert status["Seccomp"] == "2"
    assert status["NoNewPrivs"] == "1"
    log = open(os.path.join(svc.run, "signer.log")).read()
    assert "sandbox on (seccomp)" in log
    assert "sandbox OFF" not in log
    r = enroll(svc, "sandboxed.example.com")
    assert r.status_code == 200, r.text
    serial = r.json()["CertificateInformation"]["SerialNumber"]
    log = open(os.path.join(svc.run, "signer.log")).read()
    assert [l for l in log.splitlines()
            if "serial=%s" % serial in l and "action=sign" in l]
    assert proc_status(pid)["Seccomp"] == "2"


def test_no_signer_no_signature(svc, signer):
    svc.stop_signer()
    try:
        before = svc.db_digest()
        r = enroll(svc, "unsigned.example.com")
        assert r.status_code == 500, r.text
        assert svc.db_digest() == before
    finally:
        svc.start_signer()
    r = enroll(svc, "signed-again.example.com")
    assert r.status_code == 200, r.text
