"""Renewal end to end through nginx (issue #4): one-click renewal
(POST /Enrollment/Renew), its availability (GET /Enrollment/AvailableRenewal),
Replace of the renewed certificate in real PEM and PKCS#12 stores by the
store agent, and v2 /Enrollment/PFX renewals with RenewalCertificateId and
InstallIntoExistingCertificateStores.  Certificates are checked with Python's
cryptography."""
import base64
import hashlib
import json
import os
import shutil
import subprocess

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.hazmat.primitives.serialization import pkcs12

from conftest import ISSUING_CA, RSA_CA, TOOL

TS = "2026-11-25T10:00:00Z"
PW = "renew-pass-1234"
STORE_PW = "store-pass-9"
RENEW_KEYS = {"KeyfactorId", "KeyfactorRequestId", "Thumbprint", "SerialNumber",
              "IssuerDN", "RequestDisposition", "DispositionMessage", "Password"}


# -- helpers (also used by test_workflow.py) ---------------------------------
def thumb(cert):
    return cert.fingerprint(hashes.SHA1()).hex().upper()


def enroll(svc, cn, user="storeops", fmt="STORE", version=None, template="WebServer",
           ca=ISSUING_CA, key=None, sans=None, password=PW, **extra):
    b = {"Subject": "CN=%s,O=certenroll renew tests" % cn, "Template": template,
         "CertificateAuthority": ca, "Timestamp": TS,
         "SANs": sans if sans is not None else {"dns": [cn]}}
    if password is not None:
        b["Password"] = password
    b.update(key if key is not None else {"KeyType": "ECC"})
    b.update(extra)
    return svc.enroll(b, fmt=fmt, user=user, version=version)


def enroll_ok(svc, cn, **kw):
    r = enroll(svc, cn, **kw)
    assert r.status_code == 200, r.text
    ci = r.json()["CertificateInformation"]
    assert ci["RequestDisposition"] == "ISSUED", ci
    return ci


def add_store(svc, kind, path, container=1, password=None, extra=()):
    args = ["store", "add", "--type", kind, "--path", str(path),
            "--container", str(container), "--machine", "renew01.example.com"]
    if password:
        args += ["--password", password]
    args += list(extra)
    return svc.tool(*args).stdout.strip()


PAYLOAD_BUG = ("BUG: the store agent intermittently fails a job with 'job payload is "
               "malformed' (last_error 'An internal error occurred (database).', retried "
               "30 s later): lib/pki/seal.c unseal() returns a buffer without a terminating "
               "NUL and lib/usecases/agent.c open_payload() hands it to json_tokener_parse() as a "
               "C string (see test_agent_reads_job_payload_within_bounds)")


def agent(svc):
    """Runs the store agent once; a job that cannot read its payload is a
    failure (it was once a bug: unsealed text without its NUL)."""
    p = svc.tool("agent", "--once")
    assert "job payload is malformed" not in p.stderr, PAYLOAD_BUG
    return p


def jobs(svc):
    out = []
    for line in svc.tool("job", "list").stdout.splitlines():
        out.append(json.loads(line.split("\t", 1)[1]))
    return out


def deploy(svc, body, user="storeops"):
    return svc.request("POST", "/Enrollment/PFX/Deploy", user=user, json=body)


def get_cert(svc, cid, user="storeops", locations=False):
    r = svc.request("GET", "/Certificates/%d" % cid, user=user,
                    params={"includeLocations": "true"} if locations else None)
    assert r.status_code == 200, r.text
    return r.json()


def cert_of(svc, cid):
    c = get_cert(svc, cid)
    return x509.load_der_x509_certificate(base64.b64decode(c["ContentBytes"]))


def locations(svc, cid):
    return sorted((l["CertStoreId"], l["Alias"])
                  for l in get_cert(svc, cid, locations=True)["Locations"])


def pem_cert(directory, alias):
    with open(os.path.join(directory, alias + ".crt"), "rb") as f:
        return x509.load_pem_x509_certificate(f.read())


def pem_key(directory, alias, password):
    with open(os.path.join(directory, alias + ".key"), "rb") as f:
        return serialization.load_pem_private_key(f.read(), password.encode())


def p12_entries(path, password=STORE_PW):
    """{thumbprint: friendlyName} of every certificate in a PKCS#12 file."""
    with open(path, "rb") as f:
        p = pkcs12.load_pkcs12(f.read(), password.encode())
    out = {}
    for c in [p.cert] + list(p.additional_certs):
        if c is not None:
            out[thumb(c.certificate)] = (c.friendly_name or b"").decode()
    return out


def public_der(key):
    return key.public_bytes(serialization.Encoding.DER,
                            serialization.PublicFormat.SubjectPublicKeyInfo)


def san_list(cert):
    try:
        return list(cert.extensions.get_extension_for_class(
            x509.SubjectAlternativeName).value)
    except x509.ExtensionNotFound:
        return []


def key_shape(cert):
    k = cert.public_key()
    if isinstance(k, rsa.RSAPublicKey):
        return ("RSA", k.key_size)
    if isinstance(k, ec.EllipticCurvePublicKey):
        return ("ECC", k.curve.name)
    if isinstance(k, ed25519.Ed25519PublicKey):
        return ("Ed25519PublicKey", None)
    return (type(k).__name__, None)


def renew(svc, body, user="storeops"):
    b = {"Timestamp": TS}
    b.update(body)
    return svc.request("POST", "/Enrollment/Renew", user=user, json=b)


def available(svc, how, value, user="storeops"):
    return svc.request("GET", "/Enrollment/AvailableRenewal/%s/%s" % (how, value),
                       user=user)


def ca_thumbprint(svc, name):
    c = x509.load_pem_x509_certificate(svc.ca_pem(name).encode())
    return hashlib.sha1(c.public_bytes(serialization.Encoding.DER)).hexdigest().upper()


@pytest.fixture
def stores(svc, tmp_path):
    """A fresh PEM store and PKCS#12 store (container 1) and a PEM store in
    container 7, for one test."""
    pem_dir = tmp_path / "pem"
    pem_dir.mkdir()
    c7_dir = tmp_path / "c7"
    c7_dir.mkdir()
    p12 = tmp_path / "store.pfx"
    return {
        "pem": add_store(svc, "PEM", pem_dir),
        "p12": add_store(svc, "PKCS12", p12, password=STORE_PW,
                         extra=["--create-if-missing"]),
        "c7": add_store(svc, "PEM", c7_dir, container=7),
        "pem_dir": str(pem_dir), "p12_path": str(p12), "c7_dir": str(c7_dir),
    }


def deployed(svc, stores, cn, alias, user="storeops", targets=("pem", "p12"), **kw):
    """Enrolls (STORE) and deploys to the given stores under alias; runs the
    agent; returns the CertificateInformation."""
    ci = enroll_ok(svc, cn, user=user, **kw)
    r = deploy(svc, {"Stores": [{"StoreId": stores[t], "Alias": alias, "Overwrite": False}
                                for t in targets],
                     "CertificateId": ci["KeyfactorId"], "Password": PW}, user=user)
    assert r.status_code == 200, r.text
    assert sorted(r.json()["SuccessfulStores"]) == sorted(stores[t] for t in targets)
    agent(svc)
    assert locations(svc, ci["KeyfactorId"]) == sorted((stores[t], alias) for t in targets)
    return ci


def check_renewed(svc, old_ci, ans):
    """The renewal answer against the certificates themselves: same subject,
    SANs and key shape, a new key, a new serial; returns (old, new) certs."""
    assert set(ans) == RENEW_KEYS, ans
    assert isinstance(ans["KeyfactorId"], int) and isinstance(ans["KeyfactorRequestId"], int)
    assert ans["KeyfactorId"] > old_ci["KeyfactorId"]
    assert ans["KeyfactorRequestId"] > old_ci["KeyfactorRequestId"]
    assert ans["RequestDisposition"] == "ISSUED"
    assert isinstance(ans["DispositionMessage"], str) and ans["DispositionMessage"]
    assert isinstance(ans["Password"], str) and len(ans["Password"]) >= 12
    old = cert_of(svc, old_ci["KeyfactorId"])
    new = cert_of(svc, ans["KeyfactorId"])
    assert thumb(new) == ans["Thumbprint"]
    assert ans["Thumbprint"] != old_ci["Thumbprint"]
    assert int(ans["SerialNumber"], 16) == new.serial_number
    assert ans["SerialNumber"] == ans["SerialNumber"].upper()
    assert new.serial_number != old.serial_number
    assert ans["IssuerDN"] == old_ci["IssuerDN"]
    assert new.issuer == old.issuer
    assert new.subject == old.subject
    assert san_list(new) == san_list(old) and san_list(new)
    assert key_shape(new) == key_shape(old)
    assert public_der(new.public_key()) != public_der(old.public_key())
    return old, new


# -- one-click renewal, then Replace into the stores ----------------------
@pytest.mark.parametrize("how", ["Id", "Thumbprint"])
def test_renew_then_replace_in_pem_and_pkcs12_stores(svc, stores, how):
    cn = "renew-%s.example.com" % how.lower()
    old_ci = deployed(svc, stores, cn, "renewme",
                      sans={"dns": [cn, "alt." + cn], "ip4": ["192.0.2.10"]})
    value = old_ci["KeyfactorId"] if how == "Id" else old_ci["Thumbprint"]
    r = available(svc, how, value)
    assert r.status_code == 200, r.text
    assert r.json()["AvailableRenewalType"] == 2
    assert isinstance(r.json()["Message"], str)

    r = renew(svc, {"CertificateId": value} if how == "Id" else {"Thumbprint": value})
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"].startswith("application/json")
    ans = r.json()
    old, new = check_renewed(svc, old_ci, ans)
    assert key_shape(new) == ("ECC", "secp256r1")
    assert {str(v.value) for v in san_list(new)} == {cn, "alt." + cn, "192.0.2.10"}
    c = get_cert(svc, ans["KeyfactorId"])
    assert c["CertRequestId"] == ans["KeyfactorRequestId"]
    assert c["TemplateName"] == "WebServer" and c["RequesterName"] == "storeops"
    # The renewed certificate is nowhere yet; the old one still is.
    assert locations(svc, ans["KeyfactorId"]) == []
    assert thumb(pem_cert(stores["pem_dir"], "renewme")) == old_ci["Thumbprint"]

    r = svc.request("POST", "/Enrollment/PFX/Replace", user="storeops",
                    json={"ExistingCertificateId": old_ci["KeyfactorId"],
                          "CertificateId": ans["KeyfactorId"],
                          "Password": ans["Password"]})
    assert r.status_code == 200, r.text
    assert sorted(r.json()["SuccessfulStores"]) == sorted([stores["pem"], stores["p12"]])
    assert r.json()["FailedStores"] == []
    agent(svc)
    crt = pem_cert(stores["pem_dir"], "renewme")
    assert thumb(crt) == ans["Thumbprint"]
    # The key in the PEM store is the renewal's, under the renewal's password.
    key = pem_key(stores["pem_dir"], "renewme", ans["Password"])
    assert public_der(key.public_key()) == public_der(crt.public_key())
    entries = p12_entries(stores["p12_path"])
    assert entries.get(ans["Thumbprint"]) == "renewme"
    assert old_ci["Thumbprint"] not in entries
    assert locations(svc, old_ci["KeyfactorId"]) == []
    assert locations(svc, ans["KeyfactorId"]) == sorted(
        [(stores["pem"], "renewme"), (stores["p12"], "renewme")])


@pytest.mark.skipif(shutil.which("valgrind") is None, reason="valgrind is not installed")
def test_agent_reads_job_payload_within_bounds(svc, stores):
    """The agent that delivers renewals, under valgrind: reading a job's
    sealed payload must not touch uninitialised memory (the intermittent
    failure above made deterministic)."""
    ci = enroll_ok(svc, "renew-valgrind.example.com")
    r = deploy(svc, {"Stores": [{"StoreId": stores["pem"], "Alias": "vg"}],
                     "CertificateId": ci["KeyfactorId"], "Password": PW})
    assert r.status_code == 200 and r.json()["SuccessfulStores"] == [stores["pem"]], r.text
    p = subprocess.run(["valgrind", "--error-exitcode=99", "--leak-check=no", TOOL, "-d",
                        svc.data, "agent", "--once"], capture_output=True, text=True,
                       env=svc.env())
    assert "open_payload" not in p.stderr, p.stderr[-3000:]
    assert "seal.c" not in p.stderr, p.stderr[-3000:]
    assert p.returncode == 0, p.stderr[-3000:]
    assert thumb(pem_cert(stores["pem_dir"], "vg")) == ci["Thumbprint"]


KEYS = [
    pytest.param({"KeyType": "ECC", "Curve": "P-384"}, "WebServer", ISSUING_CA,
                 ("ECC", "secp384r1"), id="ecc-p384"),
    pytest.param({"KeyType": "RSA", "KeyLength": 3072}, "RsaOnly", RSA_CA,
                 ("RSA", 3072), id="rsa-3072"),
    pytest.param({"KeyType": "ECC", "Curve": "1.2.840.10045.3.1.7"}, "WebServer",
                 ISSUING_CA, ("ECC", "secp256r1"), id="ecc-p256"),
    pytest.param({"KeyType": "Ed25519"}, "WebServer", ISSUING_CA,
                 ("Ed25519PublicKey", None), id="ed25519"),
]


@pytest.mark.parametrize("key,template,ca,shape", KEYS)
def test_renew_by_thumbprint_keeps_key_type_and_size(svc, key, template, ca, shape):
    cn = "renew-tp-%s.example.com" % str(shape[1] or shape[0]).lower()
    old_ci = enroll_ok(svc, cn, key=key, template=template, ca=ca,
                       sans={"dns": [cn], "uri": ["https://%s/" % cn]})
    assert key_shape(cert_of(svc, old_ci["KeyfactorId"])) == shape
    r = available(svc, "Thumbprint", old_ci["Thumbprint"])
    assert r.status_code == 200, r.text
    assert r.json()["AvailableRenewalType"] == 2
    # Thumbprints are matched case-insensitively.
    r = available(svc, "Thumbprint", old_ci["Thumbprint"].lower())
    assert r.status_code == 200 and r.json()["AvailableRenewalType"] == 2, r.text
    # Renew takes the lower-case form too (camelCase keys, as SDK-v11 sends).
    r = svc.request("POST", "/Enrollment/Renew", user="storeops",
                    json={"thumbprint": old_ci["Thumbprint"].lower(), "timestamp": TS})
    assert r.status_code == 200, r.text
    old, new = check_renewed(svc, old_ci, r.json())
    assert key_shape(new) == shape
    # The new certificate is a normal certificate again: renewable by one click.
    r = available(svc, "Id", r.json()["KeyfactorId"])
    assert r.status_code == 200 and r.json()["AvailableRenewalType"] == 2


def test_renewal_staging_deploys_with_returned_password(svc, stores):
    """The renewal is staged like a STORE enrollment: Deploy takes it with the
    Password of the renewal answer, not with any other."""
    old_ci = enroll_ok(svc, "renew-deploy.example.com")
    r = renew(svc, {"CertificateId": old_ci["KeyfactorId"]})
    assert r.status_code == 200, r.text
    ans = r.json()
    r = deploy(svc, {"Stores": [{"StoreId": stores["pem"], "Alias": "rd"}],
                     "CertificateId": ans["KeyfactorId"], "Password": PW})
    assert r.status_code == 400 and "Password" in r.json()["Message"], r.text
    r = deploy(svc, {"Stores": [{"StoreId": stores["pem"], "Alias": "rd"}],
                     "CertificateId": ans["KeyfactorId"], "Password": ans["Password"]})
    assert r.status_code == 200 and r.json()["SuccessfulStores"] == [stores["pem"]], r.text
    agent(svc)
    assert thumb(pem_cert(stores["pem_dir"], "rd")) == ans["Thumbprint"]


def test_renewal_is_bound_to_the_renewing_user(svc, stores):
    old_ci = enroll_ok(svc, "renew-bound.example.com")
    r = renew(svc, {"CertificateId": old_ci["KeyfactorId"]}, user="container7")
    assert r.status_code == 200, r.text
    ans = r.json()
    before = svc.db_digest()
    r = deploy(svc, {"Stores": [{"StoreId": stores["pem"], "Alias": "bound"}],
                     "CertificateId": ans["KeyfactorId"], "Password": ans["Password"]})
    assert r.status_code == 400 and "another user" in r.json()["Message"], r.text
    assert svc.db_digest() == before


# -- one-click versus seeded availability -----------------------------------
@pytest.fixture(scope="module")
def approved_cert(svc):
    """A certificate issued from NeedsApproval (after approval): one-click
    renewal is not available for it, a seeded PFX renewal is."""
    r = enroll(svc, "seeded.example.com", user="alice", fmt="PFX",
               template="NeedsApproval")
    assert r.status_code == 200, r.text
    ci = r.json()["CertificateInformation"]
    assert ci["RequestDisposition"] == "PENDING"
    r = svc.request("POST", "/Workflow/Certificates/Approve", user="approver",
                    json=[ci["KeyfactorRequestId"]])
    assert r.status_code == 200, r.text
    assert [s["KeyfactorRequestId"] for s in r.json()["Successes"]] == [ci["KeyfactorRequestId"]]
    r = svc.request("GET", "/Workflow/Certificates/%d" % ci["KeyfactorRequestId"],
                    user="approver")
    assert r.status_code == 200, r.text
    cid = r.json()["CertificateId"]
    c = get_cert(svc, cid)
    return {"id": cid, "tp": c["Thumbprint"], "request": ci["KeyfactorRequestId"],
            "cert": x509.load_der_x509_certificate(base64.b64decode(c["ContentBytes"]))}


@pytest.mark.parametrize("how", ["Id", "Thumbprint"])
def test_available_seeded_for_approval_template(svc, approved_cert, how):
    value = approved_cert["id"] if how == "Id" else approved_cert["tp"]
    r = available(svc, how, value)
    assert r.status_code == 200, r.text
    assert r.json()["AvailableRenewalType"] == 1
    assert "approval" in r.json()["Message"]


def test_renew_seeded_needs_ca_and_template(svc, approved_cert):
    before = svc.db_digest()
    for body in ({"CertificateId": approved_cert["id"]},
                 {"Thumbprint": approved_cert["tp"]},
                 {"CertificateId": approved_cert["id"], "Template": "WebServer"},
                 {"CertificateId": approved_cert["id"], "CertificateAuthority": ISSUING_CA}):
        r = renew(svc, body)
        assert r.status_code == 400, (body, r.text)
        msg = r.json()["Message"]
        assert "CertificateAuthority" in msg and "Template" in msg, msg
        assert r.json()["ErrorCode"] == "0xA0110001"
    # Naming the approval template again does not get around the approval.
    r = renew(svc, {"CertificateId": approved_cert["id"], "Template": "NeedsApproval",
                    "CertificateAuthority": ISSUING_CA})
    assert r.status_code == 400 and "approval" in r.json()["Message"], r.text
    assert svc.db_digest() == before


def test_renew_seeded_with_ca_and_template_works(svc, approved_cert):
    r = renew(svc, {"CertificateId": approved_cert["id"], "Template": "WebServer",
                    "CertificateAuthority": ISSUING_CA})
    assert r.status_code == 200, r.text
    ans = r.json()
    assert set(ans) == RENEW_KEYS and ans["RequestDisposition"] == "ISSUED"
    new = cert_of(svc, ans["KeyfactorId"])
    old = approved_cert["cert"]
    assert thumb(new) == ans["Thumbprint"]
    assert new.subject == old.subject and san_list(new) == san_list(old)
    assert key_shape(new) == key_shape(old)
    assert public_der(new.public_key()) != public_der(old.public_key())
    assert get_cert(svc, ans["KeyfactorId"])["TemplateName"] == "WebServer"


def test_renew_with_template_not_allowing_the_key_is_400(svc):
    old_ci = enroll_ok(svc, "renew-wrongkey.example.com")   # ECC P-256
    before = svc.db_digest()
    r = renew(svc, {"CertificateId": old_ci["KeyfactorId"], "Template": "RsaOnly",
                    "CertificateAuthority": RSA_CA})
    assert r.status_code == 400, r.text
    assert "RSA-2048" in r.json()["Message"] or "RSA" in r.json()["Message"]
    assert svc.db_digest() == before


# -- bad input ---------------------------------------------------------------
@pytest.fixture(scope="module")
def plain_cert(svc):
    return enroll_ok(svc, "renew-bad.example.com")


BAD_RENEW = [
    ("both", lambda c, ca: {"CertificateId": c["KeyfactorId"], "Thumbprint": c["Thumbprint"]},
     400, "CertificateId"),
    ("neither", lambda c, ca: {}, 400, "CertificateId"),
    ("id zero is absent", lambda c, ca: {"CertificateId": 0}, 400, "CertificateId"),
    ("negative id", lambda c, ca: {"CertificateId": -5}, 400, "CertificateId"),
    ("malformed thumbprint", lambda c, ca: {"Thumbprint": "XYZ123"}, 400, "Thumbprint"),
    ("short thumbprint", lambda c, ca: {"Thumbprint": c["Thumbprint"][:-2]}, 400, "Thumbprint"),
    ("empty thumbprint", lambda c, ca: {"Thumbprint": ""}, 400, "Thumbprint"),
    ("unknown id", lambda c, ca: {"CertificateId": 987654}, 404, "987654"),
    ("unknown thumbprint", lambda c, ca: {"Thumbprint": "AB" * 20}, 404, "AB" * 20),
    ("CA thumbprint", lambda c, ca: {"Thumbprint": ca}, 400, "CA certificate"),
    ("missing timestamp", lambda c, ca: {"CertificateId": c["KeyfactorId"], "Timestamp": None},
     400, "Timestamp"),
    ("bad timestamp", lambda c, ca: {"CertificateId": c["KeyfactorId"], "Timestamp": "yesterday"},
     400, "Timestamp"),
    ("id not a number", lambda c, ca: {"CertificateId": "seven"}, 400, "CertificateId"),
    ("unknown CA", lambda c, ca: {"CertificateId": c["KeyfactorId"],
                                  "CertificateAuthority": "nowhere\\NoCA"}, 400, "NoCA"),
    ("unknown template", lambda c, ca: {"CertificateId": c["KeyfactorId"],
                                        "Template": "NoSuchTemplate"}, 400, "NoSuchTemplate"),
]


@pytest.mark.parametrize("case,body_fn,status,needle", BAD_RENEW,
                         ids=[b[0] for b in BAD_RENEW])
def test_renew_bad_input_changes_nothing(svc, plain_cert, case, body_fn, status, needle):
    ca_tp = ca_thumbprint(svc, ISSUING_CA)
    body = {"Timestamp": TS}
    body.update(body_fn(plain_cert, ca_tp))
    if body.get("Timestamp") is None:
        del body["Timestamp"]
    before = svc.db_digest()
    r = svc.request("POST", "/Enrollment/Renew", user="storeops", json=body)
    assert r.status_code == status, r.text
    assert r.headers["Content-Type"].startswith("application/json")
    assert r.json()["ErrorCode"].startswith("0xA011")
    assert needle in r.json()["Message"], r.json()["Message"]
    assert svc.db_digest() == before


def test_renew_root_ca_thumbprint_is_400(svc):
    before = svc.db_digest()
    r = renew(svc, {"Thumbprint": ca_thumbprint(svc, "ca.certenroll.test\\RootCA").lower()})
    assert r.status_code == 400, r.text
    assert svc.db_digest() == before


def test_renew_claims_and_method(svc, plain_cert):
    before = svc.db_digest()
    r = renew(svc, {"CertificateId": plain_cert["KeyfactorId"]}, user="carol")
    assert r.status_code == 403, r.text
    assert "/certificates/enrollment/pfx/" in r.json()["Message"]
    r = svc.request("POST", "/Enrollment/Renew", user="nobody",
                    json={"CertificateId": plain_cert["KeyfactorId"], "Timestamp": TS})
    assert r.status_code == 401
    r = svc.request("GET", "/Enrollment/Renew", user="storeops")
    assert r.status_code == 405, r.text
    r = svc.request("POST", "/Enrollment/Renew", user="storeops", data="not json")
    assert r.status_code in (400, 415), r.text
    r = svc.request("POST", "/Enrollment/Renew", user="storeops", requested_with=False,
                    json={"CertificateId": plain_cert["KeyfactorId"], "Timestamp": TS})
    assert r.status_code == 400, r.text
    assert svc.db_digest() == before


AVAIL_BAD = [
    ("Id", "987654", 404),
    ("Id", "abc", 400),
    ("Id", "0", 400),
    ("Id", "-3", 400),
    ("Thumbprint", "AB" * 20, 404),
    ("Thumbprint", "not-a-thumbprint", 400),
    ("Thumbprint", "AB" * 19, 400),
]


@pytest.mark.parametrize("how,value,status", AVAIL_BAD)
def test_available_bad_input(svc, how, value, status):
    r = available(svc, how, value)
    assert r.status_code == status, r.text
    assert r.json()["ErrorCode"].startswith("0xA011")


def test_available_ca_thumbprint_is_400(svc):
    r = available(svc, "Thumbprint", ca_thumbprint(svc, ISSUING_CA))
    assert r.status_code == 400, r.text
    assert "CA" in r.json()["Message"]


def test_available_needs_claim(svc, plain_cert):
    r = available(svc, "Id", plain_cert["KeyfactorId"], user="carol")
    assert r.status_code == 403, r.text


# -- v2 /Enrollment/PFX renewals into the existing stores --------------------
def v2_renew(svc, old_ci, cn, user="storeops", fmt="PFX", **extra):
    return enroll(svc, cn, user=user, fmt=fmt, version=2,
                  RenewalCertificateId=old_ci["KeyfactorId"], **extra)


def test_v2_renewal_installs_into_existing_stores(svc, stores):
    cn = "v2renew.example.com"
    old_ci = deployed(svc, stores, cn, "v2web")
    r = v2_renew(svc, old_ci, cn)
    assert r.status_code == 200, r.text
    body = r.json()
    ci = body["CertificateInformation"]
    assert ci["RequestDisposition"] == "ISSUED"
    assert sorted(body["SuccessfulStores"]) == sorted([stores["pem"], stores["p12"]])
    assert ci["StoreIdsInvalidForRenewal"] == []
    assert ci["Pkcs12Blob"]  # the PFX format still hands the PKCS#12 out
    # Nothing is written before the agent runs.
    assert thumb(pem_cert(stores["pem_dir"], "v2web")) == old_ci["Thumbprint"]
    agent(svc)
    crt = pem_cert(stores["pem_dir"], "v2web")
    assert thumb(crt) == ci["Thumbprint"]
    key = pem_key(stores["pem_dir"], "v2web", PW)
    assert public_der(key.public_key()) == public_der(crt.public_key())
    entries = p12_entries(stores["p12_path"])
    assert entries.get(ci["Thumbprint"]) == "v2web"
    assert old_ci["Thumbprint"] not in entries
    assert locations(svc, ci["KeyfactorId"]) == sorted(
        [(stores["pem"], "v2web"), (stores["p12"], "v2web")])
    assert locations(svc, old_ci["KeyfactorId"]) == []


def test_v2_renewal_explicit_true_with_store_format(svc, stores):
    cn = "v2renew-true.example.com"
    old_ci = deployed(svc, stores, cn, "v2true", targets=("pem",))
    r = v2_renew(svc, old_ci, cn, fmt="STORE", InstallIntoExistingCertificateStores=True)
    assert r.status_code == 200, r.text
    assert r.json()["SuccessfulStores"] == [stores["pem"]]
    ci = r.json()["CertificateInformation"]
    assert ci["Pkcs12Blob"] is None
    agent(svc)
    assert thumb(pem_cert(stores["pem_dir"], "v2true")) == ci["Thumbprint"]


def test_v2_renewal_without_existing_stores(svc, stores):
    cn = "v2renew-false.example.com"
    old_ci = deployed(svc, stores, cn, "v2false")
    before_jobs = len(jobs(svc))
    r = v2_renew(svc, old_ci, cn, InstallIntoExistingCertificateStores=False)
    assert r.status_code == 200, r.text
    assert r.json()["SuccessfulStores"] == []
    ci = r.json()["CertificateInformation"]
    assert ci["StoreIdsInvalidForRenewal"] == []
    assert len(jobs(svc)) == before_jobs
    assert not [j for j in jobs(svc) if j.get("cert_id") == ci["KeyfactorId"]]
    agent(svc)
    assert thumb(pem_cert(stores["pem_dir"], "v2false")) == old_ci["Thumbprint"]
    assert old_ci["Thumbprint"] in p12_entries(stores["p12_path"])
    assert locations(svc, ci["KeyfactorId"]) == []


def test_v1_renewal_certificate_id_installs_nowhere(svc, stores):
    """InstallIntoExistingCertificateStores is a v2 field: a v1 enrollment
    with RenewalCertificateId schedules nothing."""
    cn = "v1renew.example.com"
    old_ci = deployed(svc, stores, cn, "v1ren", targets=("pem",))
    before_jobs = len(jobs(svc))
    r = enroll(svc, cn, fmt="PFX", RenewalCertificateId=old_ci["KeyfactorId"],
               InstallIntoExistingCertificateStores=True)
    assert r.status_code == 200, r.text
    assert "SuccessfulStores" not in r.json()
    assert len(jobs(svc)) == before_jobs


def test_v2_renewal_store_outside_users_container(svc, stores):
    """container7 may schedule only in container 7: the container-1 store of
    the renewed certificate is reported in StoreIdsInvalidForRenewal."""
    cn = "v2renew-c7.example.com"
    old_ci = deployed(svc, stores, cn, "c7web", targets=("c7", "pem"))
    r = v2_renew(svc, old_ci, cn, user="container7")
    assert r.status_code == 200, r.text
    body = r.json()
    ci = body["CertificateInformation"]
    assert body["SuccessfulStores"] == [stores["c7"]]
    assert ci["StoreIdsInvalidForRenewal"] == [stores["pem"]]
    agent(svc)
    assert thumb(pem_cert(stores["c7_dir"], "c7web")) == ci["Thumbprint"]
    assert thumb(pem_cert(stores["pem_dir"], "c7web")) == old_ci["Thumbprint"]
    assert locations(svc, ci["KeyfactorId"]) == [(stores["c7"], "c7web")]
    assert locations(svc, old_ci["KeyfactorId"]) == [(stores["pem"], "c7web")]


def test_v2_renewal_of_unknown_certificate_is_400(svc):
    before = svc.db_digest()
    r = enroll(svc, "v2renew-unknown.example.com", fmt="PFX", version=2,
               RenewalCertificateId=987654)
    assert r.status_code == 400, r.text
    assert "RenewalCertificateId" in r.json()["Message"]
    assert svc.db_digest() == before


def test_renew_path_case_and_trailing_slash_on_available(svc, plain_cert):
    cid = plain_cert["KeyfactorId"]
    for path in ["/enrollment/availablerenewal/id/%d" % cid,
                 "/Enrollment/AvailableRenewal/Id/%d/" % cid,
                 "/Enrollment/AvailableRenewal/Thumbprint/%s/" % plain_cert["Thumbprint"]]:
        r = svc.request("GET", path, user="storeops")
        assert r.status_code == 200, (path, r.text)
        assert r.json()["AvailableRenewalType"] == 2
    r = svc.request("POST", "/enrollment/RENEW", user="storeops",
                    json={"CertificateId": cid, "Timestamp": TS})
    assert r.status_code == 200, r.text
    assert r.json()["KeyfactorId"] > cid


def test_renew_trailing_slash(svc, plain_cert):
    r = svc.request("POST", "/Enrollment/Renew/", user="storeops",
                    json={"CertificateId": plain_cert["KeyfactorId"], "Timestamp": TS})
    assert r.status_code == 200, r.text
    assert r.json()["RequestDisposition"] == "ISSUED"


@pytest.fixture(scope="module")
def pattern_approved_cert(svc):
    """A certificate enrolled through an enrollment pattern of WebServer that
    requires approval (the template itself does not), after approval."""
    out = svc.tool("pattern", "add", "--template", "WebServer", "--name",
                   "WebServer renew approval", "--require-approval").stdout
    pid = int(out.split()[-1])
    r = enroll(svc, "pattern-approval.example.com", user="storeops", fmt="STORE",
               template=None, EnrollmentPatternId=pid)
    assert r.status_code == 200, r.text
    ci = r.json()["CertificateInformation"]
    assert ci["RequestDisposition"] == "PENDING"
    r = svc.request("POST", "/Workflow/Certificates/Approve", user="approver",
                    json=[ci["KeyfactorRequestId"]])
    assert [s["KeyfactorRequestId"] for s in r.json()["Successes"]] == [ci["KeyfactorRequestId"]]
    r = svc.request("GET", "/Workflow/Certificates/%d" % ci["KeyfactorRequestId"],
                    user="approver")
    return r.json()["CertificateId"]


def test_pattern_approval_is_not_bypassed_by_one_click(svc, pattern_approved_cert):
    r = available(svc, "Id", pattern_approved_cert)
    assert r.status_code == 200, r.text
    assert r.json()["AvailableRenewalType"] == 1, r.text
    before = svc.db_digest()
    r = renew(svc, {"CertificateId": pattern_approved_cert})
    assert r.status_code == 400, r.text
    assert svc.db_digest() == before


def test_v2_renewal_by_user_without_schedule_claim(svc, stores):
    """alice may not schedule anywhere: every store of the renewed certificate
    is invalid for the renewal, nothing is scheduled, the renewal is issued."""
    cn = "v2renew-alice.example.com"
    old_ci = deployed(svc, stores, cn, "aliceweb")
    before_jobs = len(jobs(svc))
    r = v2_renew(svc, old_ci, cn, user="alice")
    assert r.status_code == 200, r.text
    assert r.json()["SuccessfulStores"] == []
    ci = r.json()["CertificateInformation"]
    assert ci["RequestDisposition"] == "ISSUED"
    assert sorted(ci["StoreIdsInvalidForRenewal"]) == sorted([stores["pem"], stores["p12"]])
    assert len(jobs(svc)) == before_jobs


def test_v2_renewal_with_explicit_store_is_not_scheduled_twice(svc, stores):
    """A store named in Stores is not added again from the renewed
    certificate's locations: one job per store, Stores' alias wins."""
    cn = "v2renew-both.example.com"
    old_ci = deployed(svc, stores, cn, "bothweb")
    r = v2_renew(svc, old_ci, cn, fmt="STORE",
                 Stores=[{"StoreId": stores["pem"], "Alias": "bothnew"}])
    assert r.status_code == 200, r.text
    ok = r.json()["SuccessfulStores"]
    assert sorted(ok) == sorted([stores["pem"], stores["p12"]])
    ci = r.json()["CertificateInformation"]
    mine = [j for j in jobs(svc) if j.get("cert_id") == ci["KeyfactorId"]]
    assert sorted((j["store_id"], j["alias"]) for j in mine) == sorted(
        [(stores["pem"], "bothnew"), (stores["p12"], "bothweb")])
    agent(svc)
    assert thumb(pem_cert(stores["pem_dir"], "bothnew")) == ci["Thumbprint"]
    assert locations(svc, ci["KeyfactorId"]) == sorted(
        [(stores["pem"], "bothnew"), (stores["p12"], "bothweb")])
