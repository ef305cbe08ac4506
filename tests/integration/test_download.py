"""POST /Certificates/Download through the web server (issue #16): the
certificate and its chain without the key, as keyfactor-go-client
(P7B, leaf first), Vault's plugin (P7B, certs[1] the issuing CA) and the
SDKs (PEM, DER) ask for it, named by CertID, Thumbprint, or SerialNumber
with IssuerDN.  Read back with Python's cryptography."""
import base64

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding, pkcs7

from certs import verify_chain
from conftest import ISSUING_CA, ROOT_CA

TS = "2026-11-25T10:00:00Z"


@pytest.fixture(scope="module")
def leaf(svc):
    r = svc.enroll({"Subject": "CN=download.example.com", "Template": "WebServer",
                    "CertificateAuthority": ISSUING_CA, "KeyType": "ECC",
                    "Timestamp": TS, "SANs": {"dns": ["download.example.com"]}}, fmt="PEM")
    assert r.status_code == 200, r.text
    cid = r.json()["CertificateInformation"]["KeyfactorId"]
    g = svc.request("GET", "/Certificates/%d" % cid, user="alice").json()
    return {"id": cid, "info": g,
            "cert": x509.load_der_x509_certificate(base64.b64decode(g["ContentBytes"]))}


def pems(text):
    """The certificates of a PEM text, in order."""
    end = b"-----END CERTIFICATE-----"
    return [x509.load_pem_x509_certificate(p + end) for p in text.split(end)
            if b"-----BEGIN CERTIFICATE-----" in p]


def download(svc, body, fmt=None, user="alice"):
    return svc.request("POST", "/Certificates/Download", user=user, json=body, fmt=fmt)


def content(r):
    assert r.status_code == 200, r.text
    assert set(r.json()) == {"Content"}
    return base64.b64decode(r.json()["Content"])


def cas(svc):
    return (x509.load_pem_x509_certificate(svc.ca_pem(ISSUING_CA).encode()),
            x509.load_pem_x509_certificate(svc.ca_pem(ROOT_CA).encode()))


def test_the_go_clients_p7b_leaf_first(svc, leaf):
    issuing, root = cas(svc)
    certs = pkcs7.load_der_pkcs7_certificates(content(download(
        svc, {"CertID": leaf["id"], "IncludeChain": True, "ChainOrder": "EndEntityFirst"},
        fmt="P7B")))
    assert certs == [leaf["cert"], issuing, root]
    verify_chain(certs[0], certs[1:2], certs[2])
    # Vault's plugin: lower case, certs[1] the issuing CA
    certs = pkcs7.load_der_pkcs7_certificates(content(download(
        svc, {"CertID": leaf["id"], "IncludeChain": True, "ChainOrder": "endentityfirst"},
        fmt="p7b")))
    assert certs[1] == issuing


def test_root_first_and_no_chain(svc, leaf):
    issuing, root = cas(svc)
    certs = pkcs7.load_der_pkcs7_certificates(content(download(
        svc, {"CertId": leaf["id"], "IncludeChain": True, "ChainOrder": "RootFirst"},
        fmt="P7B")))
    assert certs == [root, issuing, leaf["cert"]]
    certs = pkcs7.load_der_pkcs7_certificates(content(download(
        svc, {"CertID": leaf["id"]}, fmt="P7B")))
    assert certs == [leaf["cert"]]


def test_pem_is_the_default_and_der_is_the_leaf(svc, leaf):
    issuing, root = cas(svc)
    pem = content(download(svc, {"CertID": leaf["id"], "IncludeChain": True}))
    assert b"PRIVATE KEY" not in pem
    assert pems(pem) == [leaf["cert"], issuing, root]
    pem = content(download(svc, {"CertID": leaf["id"], "IncludeSubjectHeader": True},
                           fmt="PEM"))
    assert pem.startswith(b"subject=")
    assert pems(pem) == [leaf["cert"]]
    der = content(download(svc, {"CertID": leaf["id"], "IncludeChain": True}, fmt="DER"))
    assert der == leaf["cert"].public_bytes(Encoding.DER)
    assert base64.b64encode(der).decode() == leaf["info"]["ContentBytes"]


def test_named_by_thumbprint_or_serial_and_issuer(svc, leaf):
    info = leaf["info"]
    want = leaf["cert"].public_bytes(Encoding.DER)
    assert content(download(svc, {"Thumbprint": info["Thumbprint"].lower()}, fmt="DER")) == want
    assert content(download(svc, {"SerialNumber": info["SerialNumber"],
                                  "IssuerDN": info["IssuerDN"]}, fmt="DER")) == want
    # the DN as another client spells it: other case, blanks after commas
    dn = ", ".join(p.strip() for p in info["IssuerDN"].split(",")).upper()
    assert content(download(svc, {"SerialNumber": "00" + info["SerialNumber"].lower(),
                                  "IssuerDN": dn}, fmt="DER")) == want


@pytest.mark.parametrize("case,body,fmt,status,needle", [
    ("nothing-named", {"IncludeChain": True}, "PEM", 400, "one is required"),
    ("serial-without-issuer", {"SerialNumber": "01"}, "PEM", 400, "IssuerDN"),
    ("serial-not-hex", {"SerialNumber": "XYZ", "IssuerDN": "CN=x"}, "PEM", 400, "SerialNumber"),
    ("unknown-id", {"CertID": 987654}, "PEM", 404, "987654"),
    ("negative-id", {"CertID": -3}, "PEM", 400, "CertID"),
    ("unknown-thumbprint", {"Thumbprint": "AB" * 20}, "PEM", 404, None),
    ("bad-thumbprint", {"Thumbprint": "nope"}, "PEM", 400, None),
    ("format-pfx", {"CertID": 1}, "PFX", 400, "x-certificateformat"),
    ("chain-order", {"CertID": 1, "ChainOrder": "Sideways"}, "PEM", 400, "ChainOrder"),
    ("id-string", {"CertID": "one"}, "PEM", 400, "CertID"),
    ("markup", {"Thumbprint": "<script>\n"}, "PEM", 400, None),
])
def test_bad_requests(svc, leaf, case, body, fmt, status, needle):
    r = download(svc, body, fmt=fmt)
    assert r.status_code == status, r.text
    assert r.json()["ErrorCode"].startswith("0xA01")
    if needle:
        assert needle in r.json()["Message"]


def test_wrong_issuer_is_404(svc, leaf):
    r = download(svc, {"SerialNumber": leaf["info"]["SerialNumber"],
                       "IssuerDN": "CN=Someone Else"})
    assert r.status_code == 404, r.text


def test_needs_the_read_claim(svc, leaf):
    r = download(svc, {"CertID": leaf["id"]}, user="bob")
    assert r.status_code == 403
    assert "/certificates/collections/read/" in r.json()["Message"]
    assert download(svc, {"CertID": leaf["id"]}, user=None).status_code == 401


def test_a_revoked_certificate_still_downloads(svc):
    r = svc.enroll({"Subject": "CN=download-revoked.example.com", "Template": "WebServer",
                    "CertificateAuthority": ISSUING_CA, "KeyType": "ECC",
                    "Timestamp": TS, "SANs": {"dns": ["download-revoked.example.com"]}},
                   fmt="PEM")
    cid = r.json()["CertificateInformation"]["KeyfactorId"]
    assert svc.request("POST", "/Certificates/Revoke", user="revoker",
                       json={"CertificateIds": [cid], "Comment": "gone"}).status_code == 200
    assert pems(content(download(svc, {"CertID": cid})))
