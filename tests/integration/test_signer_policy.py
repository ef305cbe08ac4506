"""The signer enforces the policy itself (issue #12, findings 3 and 4).

A forger who reaches the signer's socket sends hand-made to-be-signed
certificates (forge.py).  The baseline, shaped exactly like certenroll's own
WebServer enrollment, is signed, so each refusal below is caused by the one
thing its test changes: the key, the validity, an extension, the approval,
the serial.  Every refusal names its reason and is logged as "refused".
Then the socket itself: a peer of another uid is turned away even when the
socket's mode lets it connect, and a client that trickles its message (or
sends nothing) delays no enrollment.
"""
import datetime
import os
import socket
import subprocess
import struct
import threading
import time
import uuid

import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, ObjectIdentifier

from conftest import ISSUING_CA, TOOL
from forge import ask, ca_cert, crl_url, revocation_exts, sign_request, signed, tbs

TS = "2026-11-25T10:00:00Z"


def log(svc):
    return open(os.path.join(svc.run, "signer.log")).read()


def forger():
    """A requester name of its own, to find this test's log line."""
    return "mallory-" + uuid.uuid4().hex[:8]


def refused(svc, sock, cert, *words, **more):
    """Sends cert as a forger; expects a refusal whose reason holds every
    word, and a "refused" log line of this request with that reason."""
    who = forger()
    ans = ask(sock, sign_request(cert, requester=who, **more))
    assert ans.get("ok") is False, ans
    assert "cert" not in ans
    for w in words:
        assert w in ans["error"], ans
    lines = [l for l in log(svc).splitlines()
             if "refused" in l and "requester=%s" % who in l]
    assert lines, "no refused line for %s" % who
    assert all(w in lines[0] for w in words), lines[0]
    return ans["error"]


def enroll(svc, cn, template="WebServer"):
    r = svc.enroll({"Subject": "CN=%s" % cn, "Template": template,
                    "CertificateAuthority": ISSUING_CA, "KeyType": "ECC",
                    "Timestamp": TS, "Password": "signer-policy-1"})
    assert r.status_code == 200, r.text
    return r.json()["CertificateInformation"]


def pending(svc, cn):
    """A NeedsApproval request for CN=cn (as tbs(svc, cn=cn) names it)."""
    ci = enroll(svc, cn, template="NeedsApproval")
    assert ci["RequestDisposition"] == "PENDING", ci
    return ci["KeyfactorRequestId"]


def test_baseline_forged_tbs_shaped_like_ours_is_signed(svc, signer):
    cert = tbs(svc, cn="baseline.example.com")
    got = signed(ask(signer, sign_request(cert)))
    assert got.serial_number == cert.serial_number
    assert got.subject == cert.subject
    ca = ca_cert(svc)
    assert got.issuer == ca.subject
    ca.public_key().verify(got.signature, got.tbs_certificate_bytes,
                           ec.ECDSA(got.signature_hash_algorithm))


def test_rsa_1024_key_is_refused(svc, signer):
    key = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    refused(svc, signer, tbs(svc, key=key), "RSA-1024", "not allowed")


def test_ten_year_validity_within_the_ca_is_refused(svc, signer):
    """The CA's own validity, the template's 365 days ignored."""
    now = datetime.datetime.utcnow().replace(microsecond=0)
    nb = now - datetime.timedelta(minutes=1)
    ca_end = ca_cert(svc).not_valid_after
    days = (ca_end - nb).days
    assert days > 366
    refused(svc, signer, tbs(svc, not_before=nb, days=days), "validity",
            "365 days")


def test_366_days_is_refused_365_signed(svc, signer):
    signed(ask(signer, sign_request(tbs(svc, days=365))))
    refused(svc, signer, tbs(svc, days=366), "validity", "365 days")


def test_not_after_past_the_ca_is_refused(svc, signer):
    refused(svc, signer, tbs(svc, days=365 * 30), "validity")


def test_backdated_not_before_is_refused(svc, signer):
    """(The test CAs are minutes old: the lint may see it first.)"""
    nb = datetime.datetime.utcnow() - datetime.timedelta(minutes=20)
    refused(svc, signer, tbs(svc, not_before=nb, days=30), "validity")


def test_future_not_before_is_refused(svc, signer):
    nb = datetime.datetime.utcnow() + datetime.timedelta(days=2)
    refused(svc, signer, tbs(svc, not_before=nb, days=30), "notBefore",
            "in the future")


def test_serial_of_an_issued_certificate_is_refused(svc, signer):
    ci = enroll(svc, "issued-serial.example.com")
    serial = int(ci["SerialNumber"], 16)
    refused(svc, signer, tbs(svc, serial=serial), "serial", "already issued")


def test_second_signature_with_the_same_serial_is_refused(svc, signer):
    serial = x509.random_serial_number()
    first = signed(ask(signer, sign_request(tbs(svc, serial=serial))))
    assert first.serial_number == serial
    refused(svc, signer, tbs(svc, cn="other.example.com", serial=serial),
            "serial", "already signed")


def test_unknown_extension_is_refused(svc, signer):
    ext = x509.UnrecognizedExtension(ObjectIdentifier("1.3.6.1.4.1.55555.1.2"),
                                     b"\x05\x00")
    refused(svc, signer, tbs(svc, extra_ext=[(ext, False)]),
            "1.3.6.1.4.1.55555.1.2", "does not produce")


def test_name_constraints_are_refused(svc, signer):
    nc = x509.NameConstraints(permitted_subtrees=[x509.DNSName("example.com")],
                              excluded_subtrees=None)
    refused(svc, signer, tbs(svc, extra_ext=[(nc, True)]), "nameConstraints",
            "2.5.29.30")


def test_ocsp_no_check_is_refused(svc, signer):
    refused(svc, signer, tbs(svc, extra_ext=[(x509.OCSPNoCheck(), False)]),
            "1.3.6.1.5.5.7.48.1.5")


def test_certificate_policies_not_in_the_template_are_refused(svc, signer):
    cp = x509.CertificatePolicies([x509.PolicyInformation(
        ObjectIdentifier("2.23.140.1.2.1"), None)])
    refused(svc, signer, tbs(svc, extra_ext=[(cp, False)]),
            "certificatePolicies")


def test_wrong_key_usage_is_refused(svc, signer):
    ku = x509.KeyUsage(digital_signature=True, content_commitment=True,
                       key_encipherment=False, data_encipherment=False,
                       key_agreement=True, key_cert_sign=False, crl_sign=False,
                       encipher_only=False, decipher_only=False)
    refused(svc, signer, tbs(svc, ku=ku), "keyUsage", "differs")


def test_non_critical_key_usage_or_extra_eku_is_refused(svc, signer):
    eku = x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH,
                                 ExtendedKeyUsageOID.CLIENT_AUTH,
                                 ExtendedKeyUsageOID.CODE_SIGNING])
    refused(svc, signer, tbs(svc, eku=eku), "extendedKeyUsage")
    refused(svc, signer, tbs(svc, drop=(x509.SubjectKeyIdentifier,)),
            "subjectKeyIdentifier")


def test_revocation_pointers_other_than_the_cas_are_refused(svc, signer):
    """A forger pointing relying parties at a CRL or responder of their own
    (or at none, so that a revocation goes unseen) gets no signature."""
    refused(svc, signer, tbs(svc, drop=(x509.CRLDistributionPoints,)),
            "crlDistributionPoints", "missing")
    cdp, aia = revocation_exts(svc, crl="http://evil.example/crl/2.crl",
                               ocsp="http://evil.example/ocsp")
    refused(svc, signer, tbs(svc, drop=(x509.CRLDistributionPoints,), extra_ext=[cdp]),
            "crlDistributionPoints", "differs")
    refused(svc, signer, tbs(svc, drop=(x509.AuthorityInformationAccess,), extra_ext=[aia]),
            "authorityInfoAccess", "differs")
    refused(svc, signer, tbs(svc, drop=(x509.AuthorityInformationAccess,)),
            "authorityInfoAccess", "missing")


def test_a_crl_is_made_from_the_signers_own_reading(svc, signer):
    """Asked for a CRL, the signer lists what the database says is revoked,
    whatever the request carries; other operations are refused."""
    forged_serial = 0x7E57AB1E
    ans = ask(signer, {"op": "crl", "ca": ISSUING_CA, "requester": forger(),
                       "revoked": ["%X" % forged_serial], "tbs": "AAAA",
                       "number": 999999})
    assert ans.get("ok") is True, ans
    first = ans["number"]
    assert 0 < first < 999999
    ans = ask(signer, {"op": "crl", "ca": ISSUING_CA})
    assert ans["number"] == first + 1
    host = dict(svc.env(), CERTENROLL_CONF=os.path.join(svc.run, "certenroll.conf"))
    subprocess.run([TOOL, "-d", svc.data, "crl", "publish", ISSUING_CA], env=host,
                   check=True)
    r = requests.get(crl_url(svc), verify=svc.ca_bundle, timeout=30)
    crl = x509.load_der_x509_crl(r.content)
    assert crl.extensions.get_extension_for_class(x509.CRLNumber).value.crl_number > first
    assert crl.get_revoked_certificate_by_serial_number(forged_serial) is None
    for bad in ({"op": "sign", "ca": ISSUING_CA}, {"op": "crl"},
                {"op": "crl", "ca": "nosuch\\CA"}):
        ans = ask(signer, bad)
        assert ans.get("ok") is False, (bad, ans)


def test_an_ocsp_answer_is_the_signers_own_reading(svc, signer):
    """Asked for an OCSP answer, the signer says what the database says,
    whatever else the request carries."""
    import base64
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.x509 import ocsp
    ci = enroll(svc, "ocsp-forged.example.com")
    der = base64.b64decode(svc.request("GET", "/Certificates/%d" % ci["KeyfactorId"],
                                       user="alice").json()["ContentBytes"])
    cert = x509.load_der_x509_certificate(der)
    r = svc.request("POST", "/Certificates/Revoke", user="revoker", json={
        "CertificateIds": [ci["KeyfactorId"]], "Reason": 1, "Comment": "forged"})
    assert r.status_code == 200, r.text
    req = ocsp.OCSPRequestBuilder().add_certificate(cert, ca_cert(svc), hashes.SHA1()) \
        .build().public_bytes(serialization.Encoding.DER)
    ans = ask(signer, {"op": "ocsp", "request": base64.b64encode(req).decode(),
                       "status": "good", "cert_status": 0, "requester": forger()})
    assert ans.get("ok") is True, ans
    resp = ocsp.load_der_ocsp_response(base64.b64decode(ans["response"]))
    assert resp.certificate_status == ocsp.OCSPCertStatus.REVOKED
    for bad in ({"op": "ocsp"}, {"op": "ocsp", "request": "!!not base64"}):
        assert ask(signer, bad).get("ok") is False, bad


def test_needs_approval_without_an_approved_request_is_refused(svc, signer):
    refused(svc, signer, tbs(svc), "approval", "requires approval",
            template="NeedsApproval")


def test_pending_request_is_no_approval(svc, signer):
    rid = pending(svc, "pending-forged.example.com")
    refused(svc, signer, tbs(svc, cn="pending-forged.example.com"),
            "approval", "PENDING", template="NeedsApproval",
            approved_request=rid)


def test_approved_request_is_not_reusable(svc, signer):
    """An approved (issued) request's id does not sign a certificate for
    another subject, nor a second one for its own."""
    from test_workflow import approve
    cn = "approved-once.example.com"
    rid = pending(svc, cn)
    r = approve(svc, [rid])
    assert r.status_code == 200 and len(r.json()["Successes"]) == 1, r.text
    refused(svc, signer, tbs(svc, cn="someone-else.example.com"), "approval",
            "another subject", template="NeedsApproval", approved_request=rid)
    refused(svc, signer, tbs(svc, cn=cn), "approval", "already signed",
            template="NeedsApproval", approved_request=rid)


def child_connects(sock, uid):
    """In a child of uid/gid uid: connects and asks; returns what happened
    ("refused" when the signer closed without an answer)."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        result = b"?"
        try:
            os.close(r)
            os.setgroups([])
            os.setgid(uid)
            os.setuid(uid)
            try:
                ans = ask(sock, sign_request(CHILD_TBS[0]), timeout=10)
                result = b"ok" if ans.get("ok") else b"answered"
            except (ConnectionError, OSError):
                result = b"refused"
        finally:
            os.write(w, result)
            os._exit(0)
    os.close(w)
    out = os.read(r, 100)
    os.close(r)
    os.waitpid(pid, 0)
    return out.decode()


CHILD_TBS = [None]


def test_peer_of_another_uid_is_refused_even_with_a_0666_socket(svc, signer):
    if os.getuid() != 0:
        pytest.skip("needs root to act as another uid")
    mode = os.stat(signer).st_mode & 0o777
    os.chmod(signer, 0o666)
    d = os.path.dirname(signer)
    dmode = os.stat(d).st_mode & 0o777
    os.chmod(d, dmode | 0o005)
    try:
        CHILD_TBS[0] = tbs(svc, cn="peer.example.com")
        before = log(svc).count("refused: peer uid=65534")
        assert child_connects(signer, 65534) == "refused"
        assert log(svc).count("refused: peer uid=65534") == before + 1
        # Our own uid is still served.
        signed(ask(signer, sign_request(tbs(svc, cn="peer-ok.example.com"))))
    finally:
        os.chmod(signer, mode)
        os.chmod(d, dmode)


def test_slow_and_silent_clients_delay_no_enrollment(svc, signer):
    """One client trickles a byte every 2 s, one connects and sends nothing:
    enrollments still answer at once, and the trickler is cut off at the
    signer's deadline for a whole message (5 s), not kept for ever."""
    silent = socket.socket(socket.AF_UNIX)
    silent.connect(signer)
    trickler = socket.socket(socket.AF_UNIX)
    trickler.connect(signer)
    cut = {}

    def trickle():
        start = time.time()
        try:
            trickler.sendall(struct.pack(">I", 1000))
            for _ in range(30):
                time.sleep(2)
                trickler.sendall(b"{")
        except OSError:
            pass
        cut["after"] = time.time() - start

    t = threading.Thread(target=trickle)
    t.start()
    try:
        time.sleep(0.5)
        for i in range(3):
            start = time.time()
            enroll(svc, "while-slow-%d.example.com" % i)
            assert time.time() - start < 3, "enrollment waited for a slow client"
        t.join(30)
        assert not t.is_alive()
        assert cut["after"] < 12, cut
        silent.settimeout(10)
        assert silent.recv(1) == b""  # closed by the signer, no answer
    finally:
        silent.close()
        trickler.close()
    text = log(svc)
    assert "signer: timed out" in text
    assert "refused: connection: no well-formed request within 5000 ms" in text


def test_signer_dropped_to_another_user_still_reserves_serials(svc, signer):
    """Started as root with -u, the signer opened LMDB before the drop: its
    write transactions (serial reservations) still work after it, and -a
    lets root (here, the tests) in."""
    if os.getuid() != 0:
        pytest.skip("needs root to drop privileges")
    from conftest import ROOT
    import subprocess
    sock = os.path.join(svc.run, "signer-dropped.sock")
    p = subprocess.Popen([os.path.join(ROOT, "tools", "certenroll-signer"),
                          "-d", svc.data, "-s", sock, "-u", "nobody",
                          "-a", "root"], env=svc.env(),
                         stderr=open(os.path.join(svc.run, "signer.log"), "a"))
    try:
        for _ in range(50):
            if os.path.exists(sock):
                break
            time.sleep(0.1)
        for _ in range(50):     # it drops right after it listens
            status = open("/proc/%d/status" % p.pid).read()
            uid_line = [l for l in status.splitlines() if l.startswith("Uid:")][0]
            if uid_line.split()[1] != "0":
                break
            time.sleep(0.1)
        assert uid_line.split()[1:] == ["65534"] * 4, uid_line
        serial = x509.random_serial_number()
        signed(ask(sock, sign_request(tbs(svc, cn="dropped.example.com",
                                          serial=serial))))
        # Reserved in LMDB by the dropped signer: the main one refuses it.
        refused(svc, signer, tbs(svc, cn="dropped2.example.com", serial=serial),
                "serial", "already signed")
    finally:
        p.terminate()
        p.wait(10)
