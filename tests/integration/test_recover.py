"""POST /Certificates/Recover through the web server (issue #16): a template
that keeps keys (certenroll template set --key-retention) keeps the key of
each certificate it issues, sealed; Recover gives it back as PFX, PEM or
ZIP under the caller's password, and the PKCS#12 is read by the same
decoder terraform's Go client uses (go-pkcs12 DecodeChain, built here from
Debian's package) and by Python's cryptography.  What is refused: no
format, no password, no claim, a template that keeps nothing, a CSR's key,
a certificate that is not there; terraform's whole sequence after a PENDING
v2 STORE enrollment; the key is never in the database in the clear."""
import base64
import io
import json
import os
import subprocess
import zipfile

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat, pkcs12

from conftest import ISSUING_CA, ROOT, ROOT_CA
from test_enroll_csr import make_csr, pem

TS = "2026-12-07T10:00:00Z"
PW = "recover-pass-1234"
KEY_CLAIM = "/certificates/collections/private_key/read/"


@pytest.fixture(scope="module")
def kept(svc):
    """WebServer keeps keys for good, NeedsApproval 30 days past expiry;
    RsaOnly keeps none (the default)."""
    svc.tool("template", "set", "WebServer", "--key-retention", "indefinite")
    svc.tool("template", "set", "NeedsApproval", "--key-retention",
             "after-expiration", "--key-retention-days", "30")
    return svc


@pytest.fixture(scope="module")
def go_decode(tmp_path_factory):
    """decode(pfx_base64, password) -> what go-pkcs12's DecodeChain found, or
    raises with the decoder's error."""
    out = str(tmp_path_factory.mktemp("go") / "gopkcs12")
    env = dict(os.environ, GO111MODULE="off", GOPATH="/usr/share/gocode",
               GOCACHE=os.path.dirname(out) + "/cache", GOFLAGS="")
    src = os.path.join(ROOT, "tests", "integration", "gopkcs12", "main.go")
    b = subprocess.run(["go", "build", "-o", out, src], env=env, capture_output=True,
                       text=True)
    assert b.returncode == 0, "building the Go decoder (tools/install-deps.sh installs " \
        "golang-go golang-sslmate-src-go-pkcs12-dev): " + b.stderr

    def decode(pfx, password):
        p = subprocess.run([out, password], input=pfx, capture_output=True, text=True)
        if p.returncode != 0:
            raise ValueError(p.stderr.strip())
        return json.loads(p.stdout)
    return decode


def enroll(svc, cn, template="WebServer", user="keeper", fmt="PFX", version=None,
           key=None):
    b = {"Subject": "CN=%s" % cn, "Template": template, "Timestamp": TS,
         "Password": PW, "SANs": {"dns": [cn]}}
    b.update(key or {"KeyType": "ECC"})
    if template != "RsaOnly":
        b["CertificateAuthority"] = ISSUING_CA
    return svc.enroll(b, fmt=fmt, user=user, version=version)


def issued(svc, cn, **kw):
    r = enroll(svc, cn, **kw)
    assert r.status_code == 200, r.text
    ci = r.json()["CertificateInformation"]
    assert ci["RequestDisposition"] == "ISSUED", ci
    return ci["KeyfactorId"]


def recover(svc, body, fmt="PFX", user="keeper", params=None):
    return svc.request("POST", "/Certificates/Recover", user=user, json=body, fmt=fmt,
                       params=params)


def answer(r):
    assert r.status_code == 200, r.text
    assert set(r.json()) == {"PFX", "FileName"}
    return r.json()


def certificate(svc, cid):
    g = svc.request("GET", "/Certificates/%d" % cid, user="keeper")
    assert g.status_code == 200, g.text
    return g.json()


def der_of(svc, cid):
    return base64.b64decode(certificate(svc, cid)["ContentBytes"])


def public(key):
    return key.public_key().public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)


def test_pfx_as_terraforms_go_client_reads_it(kept, go_decode):
    cid = issued(kept, "kept.example.com")
    c = certificate(kept, cid)
    assert c["HasPrivateKey"] is True and c["KeyRecoverable"] is True
    # the Go client: x-certificateformat PFX, "CertId", IncludeChain
    a = answer(recover(kept, {"CertId": cid, "Password": PW, "IncludeChain": True}))
    assert a["FileName"] == "kept.example.com.pfx"
    found = go_decode(a["PFX"], PW)
    assert found["key_type"] == "ECDSA" and found["key_matches_leaf"] is True, found
    leaf = x509.load_der_x509_certificate(der_of(kept, cid))
    assert found["leaf_serial"] == "%X" % leaf.serial_number
    assert found["leaf_cn"] == "kept.example.com"
    assert found["chain_subjects"] == ["CN=certenroll Test Issuing,O=certenroll",
                                       "CN=certenroll Test Root,O=certenroll"]
    with pytest.raises(ValueError):
        go_decode(a["PFX"], "not the password")
    # and an independent reading: the certificate issued, with its key
    key, cert, chain = pkcs12.load_key_and_certificates(base64.b64decode(a["PFX"]),
                                                        PW.encode())
    assert cert == leaf and public(key) == public(cert)
    assert [c.subject.rfc4514_string() for c in chain] == [
        "O=certenroll,CN=certenroll Test Issuing", "O=certenroll,CN=certenroll Test Root"]
    # the same key every time, and without the chain when not asked
    again = pkcs12.load_key_and_certificates(base64.b64decode(answer(recover(
        kept, {"CertID": cid, "Password": PW}))["PFX"]), PW.encode())
    assert public(again[0]) == public(key) and again[2] == []


def test_pem_and_zip(kept):
    cid = issued(kept, "pem-kept.example.com", key={"KeyType": "RSA", "KeySize": 2048})
    leaf = x509.load_der_x509_certificate(der_of(kept, cid))
    a = answer(recover(kept, {"CertID": cid, "Password": PW, "IncludeChain": True,
                              "ChainOrder": "RootFirst"}, fmt="PEM"))
    assert a["FileName"] == "pem-kept.example.com.pem"
    text = base64.b64decode(a["PFX"])
    assert b"ENCRYPTED PRIVATE KEY" in text and b"BEGIN PRIVATE KEY" not in text
    start = text.index(b"-----BEGIN ENCRYPTED PRIVATE KEY-----")
    end = text.index(b"-----END ENCRYPTED PRIVATE KEY-----") + 35
    key = serialization.load_pem_private_key(text[start:end], PW.encode())
    certs = x509.load_pem_x509_certificates(text) if hasattr(
        x509, "load_pem_x509_certificates") else [
        x509.load_pem_x509_certificate(b"-----BEGIN CERTIFICATE-----" + p)
        for p in text.split(b"-----BEGIN CERTIFICATE-----")[1:]]
    assert certs[-1] == leaf and len(certs) == 3  # root first, the leaf last
    assert public(key) == public(leaf)
    z = zipfile.ZipFile(io.BytesIO(base64.b64decode(answer(recover(
        kept, {"CertID": cid, "Password": PW, "IncludeChain": True}, fmt="zip"))["PFX"])))
    assert sorted(z.namelist()) == ["pem-kept.example.com-chain.crt",
                                    "pem-kept.example.com.crt", "pem-kept.example.com.key"]
    zkey = serialization.load_pem_private_key(z.read("pem-kept.example.com.key"),
                                              PW.encode())
    assert public(zkey) == public(leaf)


def test_named_by_thumbprint_or_serial_and_issuer(kept):
    cid = issued(kept, "named-kept.example.com")
    c = certificate(kept, cid)
    for who in ({"Thumbprint": c["Thumbprint"].lower()},
                {"SerialNumber": c["SerialNumber"], "IssuerDN": c["IssuerDN"]}):
        key, cert, _ = pkcs12.load_key_and_certificates(base64.b64decode(answer(recover(
            kept, dict(who, Password=PW)))["PFX"]), PW.encode())
        assert cert.serial_number == int(c["SerialNumber"], 16)
        assert public(key) == public(cert)


def test_what_is_refused(kept):
    cid = issued(kept, "refused-kept.example.com")
    plain = issued(kept, "plain.example.com", template="RsaOnly",
                   key={"KeyType": "RSA", "KeySize": 2048})
    csr, _ = make_csr("csr-kept.example.com", dns=["csr-kept.example.com"])
    r = kept.request("POST", "/Enrollment/CSR", user="keeper", fmt="PEM", json={
        "CSR": pem(csr), "Template": "WebServer", "CertificateAuthority": ISSUING_CA,
        "Timestamp": TS})
    assert r.status_code == 200, r.text
    csr_id = r.json()["CertificateInformation"]["KeyfactorID"]
    assert certificate(kept, csr_id)["HasPrivateKey"] is False
    assert certificate(kept, plain)["HasPrivateKey"] is False
    before = kept.db_digest()
    for body, fmt, user, status, code, says in [
            ({"CertID": cid, "Password": PW}, None, "keeper", 400, "0xA0110007",
             "You must supply a certificate format in the 'X-CertificateFormat' header"),
            ({"CertID": cid, "Password": PW}, "JKS", "keeper", 400, "0xA0110001",
             "not a recovery format (PFX, PEM, ZIP)"),
            ({"CertID": cid}, "PFX", "keeper", 400, "0xA0110001", "Password"),
            ({"CertID": cid, "Password": ""}, "PFX", "keeper", 400, "0xA0110001",
             "Password: required"),
            ({"CertID": cid, "Password": "short"}, "PFX", "keeper", 400, "0xA0110001",
             "Password: must be at least"),
            ({"Password": PW}, "PFX", "keeper", 400, "0xA0110001",
             "one is required to name the certificate"),
            ({"CertID": 999999, "Password": PW}, "PFX", "keeper", 404, "0xA0110005",
             "999999"),
            ({"CertID": plain, "Password": PW}, "PFX", "keeper", 400, "0xA0110002",
             "No private key could be found for the given certificate."),
            ({"CertID": csr_id, "Password": PW}, "PFX", "keeper", 400, "0xA0110002",
             "No private key could be found"),
            ({"CertID": cid, "Password": PW, "ChainOrder": "Sideways"}, "PFX", "keeper",
             400, "0xA0110001", "ChainOrder"),
            # may read certificates, not their keys
            ({"CertID": cid, "Password": PW}, "PFX", "alice", 403, "0xA0110004",
             "Certificates - Private Key Read (%s)" % KEY_CLAIM),
            ({"CertID": cid, "Password": PW}, "PFX", None, 401, "0xA0110003", "")]:
        r = recover(kept, body, fmt=fmt, user=user)
        assert r.status_code == status, (body, fmt, user, r.text)
        assert r.json()["ErrorCode"] == code and says in r.json()["Message"], r.text
        assert "PFX" not in r.json()
    assert kept.db_digest() == before
    # asking for a key that is not there is audited too
    logs = "".join(open(os.path.join(kept.run, f), errors="replace").read()
                   for f in os.listdir(kept.run) if f.endswith(".log"))
    assert "user=keeper action=recover-refused cert=%d why=no private key" % plain in logs
    assert "user=keeper action=recover-refused cert=999999 why=not found" in logs


def test_forget_key(kept):
    """certenroll cert forget-key: the key can never be recovered again."""
    cid = issued(kept, "forgotten.example.com")
    answer(recover(kept, {"CertID": cid, "Password": PW}))
    kept.tool("cert", "forget-key", str(cid))
    r = recover(kept, {"CertID": cid, "Password": PW})
    assert r.status_code == 400 and r.json()["ErrorCode"] == "0xA0110002", r.text
    assert certificate(kept, cid)["HasPrivateKey"] is False
    p = kept.tool("cert", "forget-key", str(cid), check=False)
    assert p.returncode != 0 and "No key is kept" in p.stderr


def test_templates_say_what_they_keep(kept):
    seen = {}
    for t in kept.request("GET", "/Templates", user="keeper").json():
        d = kept.request("GET", "/Templates/%d" % t["Id"], user="keeper").json()
        assert d["KeyRetention"] == t["KeyRetention"]
        seen[t["CommonName"]] = (t["KeyRetention"], t["KeyRetentionDays"])
    assert seen["WebServer"] == ("Indefinite", 0)
    assert seen["NeedsApproval"] == ("AfterExpiration", 30)
    assert seen["RsaOnly"] == ("None", 0)
    # the admin command refuses what is no retention
    for args in (["--key-retention", "forever"],
                 ["--key-retention", "from-issuance"],
                 ["--key-retention", "indefinite", "--key-retention-days", "3"],
                 ["--key-retention-days", "x"]):
        p = kept.tool("template", "set", "RsaOnly", *args, check=False)
        assert p.returncode != 0, args
        assert "key retention" in p.stderr.replace("-", " "), p.stderr


def test_a_revoked_certificates_key_still_recovers(kept):
    """The key may still be needed to read what was encrypted to it."""
    cid = issued(kept, "revoked-kept.example.com")
    r = kept.request("POST", "/Certificates/Revoke", user="revoker", json={
        "CertificateIds": [cid], "Reason": 1, "Comment": "key compromise drill"})
    assert r.status_code == 200, r.text
    assert certificate(kept, cid)["CertState"] == 2
    key, cert, _ = pkcs12.load_key_and_certificates(base64.b64decode(answer(recover(
        kept, {"CertID": cid, "Password": PW}))["PFX"]), PW.encode())
    assert public(key) == public(cert)


def test_kept_sealed_and_recoveries_audited(kept):
    """What an attacker who reads the database sees: no key in the clear,
    as DER or PEM; each recovery is in the audit log with its user."""
    cid = issued(kept, "sealed-kept.example.com")
    key, _, _ = pkcs12.load_key_and_certificates(base64.b64decode(answer(recover(
        kept, {"CertID": cid, "Password": PW}))["PFX"]), PW.encode())
    raw = kept.raw_state()
    for form in (serialization.PrivateFormat.PKCS8, serialization.PrivateFormat.TraditionalOpenSSL):
        der = key.private_bytes(Encoding.DER, form, serialization.NoEncryption())
        assert der not in raw
        assert base64.b64encode(der) not in raw
    assert b"PRIVATE KEY" not in raw
    d = key.private_numbers().private_value.to_bytes(32, "big")
    assert d not in raw
    logs = "".join(open(os.path.join(kept.run, f), errors="replace").read()
                   for f in os.listdir(kept.run) if f.endswith(".log"))
    assert "user=keeper action=recover cert=%d format=pfx" % cid in logs


def test_terraforms_sequence(kept, go_decode):
    """keyfactor_certificate with a template that needs approval: a v2 STORE
    enrollment answers PENDING; the requester, refused the pending list
    ("Alerts - Read"), polls GET /Certificates by CertRequestId; an approver
    approves; the requester finds the certificate, reads its template's
    KeyRetention and, as it is not "None", recovers the key as PFX and
    decodes it with go-pkcs12."""
    r = enroll(kept, "tf-kept.example.com", template="NeedsApproval", fmt="STORE",
               version=2)
    assert r.status_code == 200, r.text
    ci = r.json()["CertificateInformation"]
    assert ci["RequestDisposition"] == "PENDING", ci
    rid = ci["KeyfactorRequestId"]
    r = kept.request("GET", "/Workflow/Certificates/Pending", user="keeper",
                     params={"pagedQuery.returnLimit": "1000"})
    assert r.status_code == 403
    assert "does not have any of the required permissions: Alerts - Read" in \
        r.json()["Message"]
    q = {"pq.queryString": "CertRequestId -eq %d" % rid, "includeHasPrivateKey": "true"}
    assert kept.request("GET", "/Certificates", user="keeper", params=q).json() == []
    r = kept.request("POST", "/Workflow/Certificates/Approve", user="approver", json=[rid])
    assert r.status_code == 200, r.text
    found = kept.request("GET", "/Certificates", user="keeper", params=q).json()
    assert [c["CertRequestId"] for c in found] == [rid]
    c = found[0]
    assert c["HasPrivateKey"] is True
    t = kept.request("GET", "/Templates/%d" % c["TemplateId"], user="keeper").json()
    assert t["CommonName"] == "NeedsApproval" and t["KeyRetention"] != "None"
    a = answer(recover(kept, {"CertId": c["Id"], "Password": PW, "IncludeChain": True},
                       params={}))
    got = go_decode(a["PFX"], PW)
    assert got["key_matches_leaf"] is True and got["leaf_cn"] == "tf-kept.example.com"
    assert got["leaf_serial"] == c["SerialNumber"].lstrip("0")
    assert len(got["chain_subjects"]) == 2
