"""The OCSP responder (issue #15): at the URL the certificate itself
carries (its AIA), without a login, behind the web server; read by
`openssl ocsp` and by Python's cryptography (GET and POST): good before,
revoked the moment the revocation commits, unknown for a serial no
certificate of the CA has; signed by the CA's delegated responder
(id-kp-OCSPSigning, issued by the CA); nonces copied back; a bad request
gets the protocol's own error status."""
import base64
import datetime
import os
import subprocess
import urllib.parse

import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509 import ocsp
from cryptography.x509.oid import AuthorityInformationAccessOID, ExtendedKeyUsageOID, ExtensionOID

from conftest import ISSUING_CA, ROOT_CA, RSA_CA

TS = "2026-11-25T10:00:00Z"


def issue(svc, cn, ca=ISSUING_CA):
    r = svc.enroll({"Subject": "CN=%s" % cn, "Template": "WebServer",
                    "CertificateAuthority": ca, "KeyType": "ECC" if ca != RSA_CA else "RSA",
                    "Timestamp": TS, "SANs": {"dns": [cn]}}, fmt="PEM")
    assert r.status_code == 200, r.text
    cid = r.json()["CertificateInformation"]["KeyfactorId"]
    r = svc.request("GET", "/Certificates/%d" % cid, user="alice")
    return x509.load_der_x509_certificate(base64.b64decode(r.json()["ContentBytes"])), cid


def ca(svc, name=ISSUING_CA):
    return x509.load_pem_x509_certificate(svc.ca_pem(name).encode())


def responder_url(cert):
    aia = cert.extensions.get_extension_for_oid(ExtensionOID.AUTHORITY_INFORMATION_ACCESS).value
    return [d.access_location.value for d in aia
            if d.access_method == AuthorityInformationAccessOID.OCSP][0]


def ask(svc, cert, issuer, nonce=None, get=False, url=None):
    b = ocsp.OCSPRequestBuilder().add_certificate(cert, issuer, hashes.SHA1())
    if nonce is not None:
        b = b.add_extension(x509.OCSPNonce(nonce), critical=False)
    der = b.build().public_bytes(serialization.Encoding.DER)
    url = url or responder_url(cert)
    if get:
        r = requests.get(url + "/" + urllib.parse.quote(base64.b64encode(der).decode(), safe=""),
                         verify=svc.ca_bundle, timeout=30)
    else:
        r = requests.post(url, data=der, verify=svc.ca_bundle, timeout=30,
                          headers={"Content-Type": "application/ocsp-request"})
    assert r.status_code == 200, (r.status_code, r.text[:200])
    assert r.headers["Content-Type"] == "application/ocsp-response"
    return r, ocsp.load_der_ocsp_response(r.content)


def revoke(svc, cid, reason=1):
    r = svc.request("POST", "/Certificates/Revoke", user="revoker",
                    json={"CertificateIds": [cid], "Reason": reason, "Comment": "ocsp test"})
    assert r.status_code == 200, r.text


def check_signed(resp, issuer):
    """The answer is signed by a responder the CA issued for OCSP."""
    signer = resp.certificates[0]
    assert signer.issuer == issuer.subject
    issuer.public_key().verify(signer.signature, signer.tbs_certificate_bytes,
                               ec.ECDSA(signer.signature_hash_algorithm))
    eku = signer.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert list(eku) == [ExtendedKeyUsageOID.OCSP_SIGNING]
    signer.extensions.get_extension_for_class(x509.OCSPNoCheck)
    signer.public_key().verify(resp.signature, resp.tbs_response_bytes,
                               ec.ECDSA(resp.signature_hash_algorithm))
    return signer


def test_good_then_revoked_at_once(svc):
    cert, cid = issue(svc, "ocsp-good.example.com")
    issuer = ca(svc)
    url = responder_url(cert)
    assert url == svc.url.replace("localhost", "127.0.0.1") + "/ocsp"
    r, resp = ask(svc, cert, issuer)
    assert resp.response_status == ocsp.OCSPResponseStatus.SUCCESSFUL
    assert resp.certificate_status == ocsp.OCSPCertStatus.GOOD
    assert resp.serial_number == cert.serial_number
    check_signed(resp, issuer)
    assert "max-age=" in r.headers["Cache-Control"]
    # thisUpdate a minute back (clients' clocks), nextUpdate an hour on.
    assert (resp.next_update - resp.this_update).total_seconds() == 3660
    assert resp.this_update <= datetime.datetime.utcnow()
    revoke(svc, cid, reason=1)
    for get in (False, True):
        r, resp = ask(svc, cert, issuer, get=get, nonce=os.urandom(16))
        assert resp.certificate_status == ocsp.OCSPCertStatus.REVOKED, get
        assert resp.revocation_reason == x509.ReasonFlags.key_compromise
        assert r.headers["Cache-Control"] == "no-store"


def test_nonce_is_copied(svc):
    cert, _ = issue(svc, "ocsp-nonce.example.com")
    nonce = os.urandom(20)
    _, resp = ask(svc, cert, ca(svc), nonce=nonce)
    assert resp.extensions.get_extension_for_class(x509.OCSPNonce).value.nonce == nonce
    # RFC 8954: no more than 32 octets are signed back.
    _, resp = ask(svc, cert, ca(svc), nonce=os.urandom(33))
    assert resp.response_status == ocsp.OCSPResponseStatus.MALFORMED_REQUEST


def test_unknown_serial_and_unauthorized_issuer(svc):
    cert, _ = issue(svc, "ocsp-unknown.example.com")
    issuer = ca(svc)
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.utcnow()
    # A certificate this CA never issued: same issuer name and key hash.
    forged = (x509.CertificateBuilder().subject_name(cert.subject)
              .issuer_name(issuer.subject).public_key(key.public_key())
              .serial_number(x509.random_serial_number())
              .not_valid_before(now).not_valid_after(now + datetime.timedelta(days=1))
              .sign(key, hashes.SHA256()))
    _, resp = ask(svc, forged, issuer, url=responder_url(cert))
    assert resp.certificate_status == ocsp.OCSPCertStatus.UNKNOWN
    # A CA this responder does not serve.
    other = ec.generate_private_key(ec.SECP256R1())
    stranger = (x509.CertificateBuilder().subject_name(x509.Name([]))
                .issuer_name(x509.Name([])).public_key(other.public_key())
                .serial_number(1).not_valid_before(now)
                .not_valid_after(now + datetime.timedelta(days=1)).sign(other, hashes.SHA256()))
    _, resp = ask(svc, forged, stranger, url=responder_url(cert))
    assert resp.response_status == ocsp.OCSPResponseStatus.UNAUTHORIZED


@pytest.mark.parametrize("body", [b"", b"\x30\x03\x02\x01\x00", b"not der at all", os.urandom(64)])
def test_malformed_requests_get_the_protocols_status(svc, body):
    cert, _ = issue(svc, "ocsp-bad.example.com")
    r = requests.post(responder_url(cert), data=body, verify=svc.ca_bundle, timeout=30,
                      headers={"Content-Type": "application/ocsp-request"})
    assert r.status_code == 200
    assert ocsp.load_der_ocsp_response(r.content).response_status == \
        ocsp.OCSPResponseStatus.MALFORMED_REQUEST


def test_other_methods_and_big_bodies(svc):
    cert, _ = issue(svc, "ocsp-method.example.com")
    url = responder_url(cert)
    r = requests.put(url, data=b"x", verify=svc.ca_bundle, timeout=30)
    assert r.status_code == 405
    r = requests.post(url, data=b"\x30" * 9000, verify=svc.ca_bundle, timeout=30,
                      headers={"Content-Type": "application/ocsp-request"})
    assert r.status_code in (200, 413)
    if r.status_code == 200:
        assert ocsp.load_der_ocsp_response(r.content).response_status == \
            ocsp.OCSPResponseStatus.MALFORMED_REQUEST


def test_openssl_ocsp_sees_good_and_revoked(svc, tmp_path):
    cert, cid = issue(svc, "ocsp-openssl.example.com")
    (tmp_path / "leaf.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (tmp_path / "issuer.pem").write_text(svc.ca_pem(ISSUING_CA))
    (tmp_path / "roots.pem").write_text(svc.ca_pem(ROOT_CA) + svc.ca_pem(ISSUING_CA))

    def run():
        p = subprocess.run(["openssl", "ocsp", "-issuer", str(tmp_path / "issuer.pem"),
                            "-cert", str(tmp_path / "leaf.pem"), "-url", responder_url(cert),
                            "-CAfile", str(tmp_path / "roots.pem"),
                            "-verify_other", str(tmp_path / "issuer.pem")],
                           capture_output=True, text=True, timeout=60,
                           env=dict(os.environ, SSL_CERT_FILE=svc.ca_bundle))
        return p.returncode, p.stdout + p.stderr
    rc, out = run()
    assert rc == 0 and "Response verify OK" in out and ": good" in out, out
    revoke(svc, cid, reason=4)
    rc, out = run()
    assert "Response verify OK" in out and ": revoked" in out, out
    assert "Reason: superseded" in out, out
