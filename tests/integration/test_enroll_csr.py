"""POST /Enrollment/CSR through the web server (issue #16), with the bodies
keyfactor-go-client (terraform), cert-manager's command issuer and Vault's
plugin send: the certificate for the CSR's own key, its subject and SANs
(merged with the request's) through the template's name policy, the
template's extensions whatever the CSR asks for, the answer they read
(KeyfactorID, Certificates leaf first), approval, and what a forger sends."""
import base64
import subprocess

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from cryptography.x509.oid import ExtensionOID, NameOID

from certs import verify_chain
from conftest import ISSUING_CA, ROOT_CA

TS = "2026-11-25T10:00:00Z"


def make_csr(cn, dns=(), key=None, ca=False, ips=()):
    key = key or ec.generate_private_key(ec.SECP256R1())
    b = x509.CertificateSigningRequestBuilder().subject_name(
        x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)]))
    names = [x509.DNSName(d) for d in dns] + [x509.IPAddress(i) for i in ips]
    if names:
        b = b.add_extension(x509.SubjectAlternativeName(names), critical=False)
    if ca:
        b = b.add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        b = b.add_extension(x509.KeyUsage(True, False, False, False, False, True, True,
                                          False, False), critical=True)
    return b.sign(key, hashes.SHA256()), key


def pem(csr):
    return csr.public_bytes(Encoding.PEM).decode()


def enroll(svc, body, fmt="PEM", user="alice", version="1"):
    return svc.request("POST", "/Enrollment/CSR", user=user, json=body, fmt=fmt,
                       version=version)


def spki(k):
    return k.public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)


def body(csr_text, **kw):
    b = {"CSR": csr_text, "CertificateAuthority": ISSUING_CA, "Template": "WebServer",
         "Timestamp": TS, "IncludeChain": True, "SANs": None, "Metadata": None}
    b.update(kw)
    return b


def issued(r):
    assert r.status_code == 200, r.text
    ci = r.json()["CertificateInformation"]
    assert ci["RequestDisposition"] == "ISSUED", ci
    assert "KeyfactorId" not in ci and isinstance(ci["KeyfactorID"], int)
    return ci


def test_the_go_clients_csr_enrollment(svc):
    csr, key = make_csr("csr.example.com", ["csr.example.com", "www.csr.example.com"])
    ci = issued(enroll(svc, body(pem(csr))))
    certs = [x509.load_pem_x509_certificate(c.encode()) for c in ci["Certificates"]]
    issuing = x509.load_pem_x509_certificate(svc.ca_pem(ISSUING_CA).encode())
    root = x509.load_pem_x509_certificate(svc.ca_pem(ROOT_CA).encode())
    assert certs[1:] == [issuing, root]
    leaf = certs[0]
    verify_chain(leaf, [issuing], root)
    assert spki(leaf.public_key()) == spki(key.public_key())
    assert leaf.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == \
        "csr.example.com"
    sans = leaf.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert set(sans.get_values_for_type(x509.DNSName)) == \
        {"csr.example.com", "www.csr.example.com"}
    # what terraform stores, and the record behind it
    g = svc.request("GET", "/Certificates/%d" % ci["KeyfactorID"], user="alice").json()
    assert (g["SerialNumber"], g["Thumbprint"], g["IssuerDN"]) == \
        (ci["SerialNumber"], ci["Thumbprint"], ci["IssuerDN"])
    assert g["HasPrivateKey"] is False and g["TemplateName"] == "WebServer"
    assert ci["KeyfactorRequestId"] > 0
    assert r_metadata_is_object(svc, csr)


def r_metadata_is_object(svc, csr):
    r = enroll(svc, body(pem(csr), SANs={}, IncludeChain=False))
    assert r.status_code == 200, r.text
    assert isinstance(r.json()["Metadata"], dict)
    return len(r.json()["CertificateInformation"]["Certificates"]) == 1


def test_cert_managers_shape_bare_base64_and_logical_ca(svc):
    """cert-manager's issuer: SANs {}, the CA's logical name alone, owner
    fields null; a bare base64 DER CSR also reads."""
    csr, key = make_csr("cm.example.com", ["cm.example.com"])
    der = base64.b64encode(csr.public_bytes(Encoding.DER)).decode()
    ci = issued(enroll(svc, body(der, SANs={}, CertificateAuthority="IssuingCA",
                                 OwnerRoleId=None, OwnerRoleName=None,
                                 EnrollmentPatternId=None)))
    leaf = x509.load_pem_x509_certificate(ci["Certificates"][0].encode())
    assert spki(leaf.public_key()) == spki(key.public_key())


def test_der_certificates_and_api_version_2(svc):
    csr, _ = make_csr("der.csr.example.com", ["der.csr.example.com"])
    ci = issued(enroll(svc, body(pem(csr)), fmt="DER", version="2"))
    certs = [x509.load_der_x509_certificate(base64.b64decode(c)) for c in ci["Certificates"]]
    assert len(certs) == 3
    assert "SuccessfulStores" not in enroll(svc, body(pem(make_csr(
        "v2.csr.example.com", ["v2.csr.example.com"])[0])), version="2").json()


def test_request_sans_merge_with_the_csrs(svc):
    csr, _ = make_csr("merge.example.com", ["merge.example.com"], ips=[])
    ci = issued(enroll(svc, body(pem(csr), SANs={"dns": ["extra.merge.example.com"],
                                                "ip4": ["192.0.2.7"]})))
    leaf = x509.load_pem_x509_certificate(ci["Certificates"][0].encode())
    sans = leaf.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert set(sans.get_values_for_type(x509.DNSName)) == \
        {"merge.example.com", "extra.merge.example.com"}
    assert [str(i) for i in sans.get_values_for_type(x509.IPAddress)] == ["192.0.2.7"]


def test_what_the_csr_asks_for_is_not_what_it_gets(svc):
    """A CSR asking to be a CA gets the template's profile: CA:FALSE, the
    template's key usage, no keyCertSign."""
    csr, _ = make_csr("notaca.example.com", ["notaca.example.com"], ca=True)
    leaf = x509.load_pem_x509_certificate(issued(enroll(svc, body(pem(csr))))[
        "Certificates"][0].encode())
    assert leaf.extensions.get_extension_for_class(x509.BasicConstraints).value.ca is False
    ku = leaf.extensions.get_extension_for_class(x509.KeyUsage).value
    assert not ku.key_cert_sign and not ku.crl_sign


@pytest.fixture(scope="module")
def suffix_template(svc):
    svc.tool("template", "add", "CsrSuffix", "--ca", ISSUING_CA)
    svc.tool("template", "set", "CsrSuffix", "--dns-suffix", "example.com")
    return "CsrSuffix"


def test_a_forbidden_name_hidden_in_the_csr_is_refused(svc, suffix_template):
    before = svc.db_digest()
    for cn, dns in (("ok.example.com", ["ok.example.com", "evil.attacker.net"]),
                    ("evil.attacker.net", [])):
        csr, _ = make_csr(cn, dns)
        r = enroll(svc, body(pem(csr), Template=suffix_template))
        assert r.status_code == 400, r.text
        assert "attacker.net" in r.json()["Message"]
    # ... and in the request's SANs beside a good CSR
    csr, _ = make_csr("ok2.example.com", ["ok2.example.com"])
    r = enroll(svc, body(pem(csr), Template=suffix_template,
                         SANs={"dns": ["evil.attacker.net"]}))
    assert r.status_code == 400 and "attacker.net" in r.json()["Message"]
    assert svc.db_digest() == before
    issued(enroll(svc, body(pem(csr), Template=suffix_template)))


def tampered(csr):
    der = bytearray(csr.public_bytes(Encoding.DER))
    der[-5] ^= 0x01                 # inside the signature
    return base64.b64encode(bytes(der)).decode()


@pytest.mark.parametrize("case", ["signature", "garbage", "key-policy", "weak-rsa",
                                  "private-key", "no-format", "pfx-format",
                                  "email-san", "missing-csr"])
def test_bad_requests_change_nothing(svc, case):
    before = svc.db_digest()
    csr, _ = make_csr("bad.csr.example.com", ["bad.csr.example.com"])
    fmt, b, needle, code = "PEM", body(pem(csr)), "CSR", "0xA0110001"
    if case == "signature":
        b["CSR"], needle = tampered(csr), "signature"
    elif case == "garbage":
        b["CSR"] = "-----BEGIN CERTIFICATE REQUEST-----\nnope\n-----END CERTIFICATE REQUEST-----\n"
    elif case == "key-policy":
        b["Template"], needle = "RsaOnly", "Key"
        b["CertificateAuthority"] = None
    elif case == "weak-rsa":
        weak, _ = make_csr("weak.example.com", key=rsa.generate_private_key(65537, 1024))
        b["CSR"], needle = pem(weak), "1024"
    elif case == "private-key":
        b["PrivateKey"], needle = "MIIB", "PrivateKey"
    elif case == "no-format":
        fmt, needle, code = None, "X-CertificateFormat", "0xA0110007"
    elif case == "pfx-format":
        fmt, needle = "PFX", "x-CertificateFormat"
    elif case == "email-san":
        k = ec.generate_private_key(ec.SECP256R1())
        e = x509.CertificateSigningRequestBuilder().subject_name(x509.Name(
            [x509.NameAttribute(NameOID.COMMON_NAME, "mail.example.com")])).add_extension(
            x509.SubjectAlternativeName([x509.RFC822Name("a@example.com")]),
            critical=False).sign(k, hashes.SHA256())
        b["CSR"], needle = pem(e), "subjectAltName"
    elif case == "missing-csr":
        del b["CSR"]
    r = enroll(svc, {k: v for k, v in b.items() if v is not None}, fmt=fmt)
    assert r.status_code == 400, r.text
    assert r.json()["ErrorCode"] == code, r.text
    assert needle.lower() in r.json()["Message"].lower(), r.text
    assert svc.db_digest() == before


def test_a_null_san_is_a_400_not_a_crash(svc):
    csr, _ = make_csr("null.csr.example.com", ["null.csr.example.com"])
    for sans in ({"dns": [None]}, {"dns": [None, "x.example.com"]}):
        r = enroll(svc, body(pem(csr), SANs=sans))
        assert r.status_code == 400, r.text
    issued(enroll(svc, body(pem(csr))))   # the program is still there


def test_one_san_as_a_string_keeps_the_csrs(svc):
    csr, _ = make_csr("str.csr.example.com", ["str.csr.example.com"])
    ci = issued(enroll(svc, body(pem(csr), SANs={"dns": "more.str.csr.example.com"})))
    leaf = x509.load_pem_x509_certificate(ci["Certificates"][0].encode())
    sans = leaf.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert set(sans.get_values_for_type(x509.DNSName)) == \
        {"str.csr.example.com", "more.str.csr.example.com"}


def test_an_explicit_curve_is_refused(svc, tmp_path):
    """A P-256 key with its parameters spelt out (the CVE-2020-0601 kind)
    is not copied into a certificate."""
    key = tmp_path / "k.pem"
    subprocess.run(["openssl", "ecparam", "-name", "prime256v1", "-param_enc", "explicit",
                    "-genkey", "-noout", "-out", str(key)], check=True)
    out = subprocess.run(["openssl", "req", "-new", "-key", str(key), "-subj",
                          "/CN=explicit.example.com"], check=True, capture_output=True,
                         text=True).stdout
    r = enroll(svc, body(out))
    assert r.status_code == 400, r.text
    assert "curve" in r.json()["Message"]


def test_too_many_names_are_refused_before_merging(svc):
    csr, _ = make_csr("many.csr.example.com", ["many.csr.example.com"])
    r = enroll(svc, body(pem(csr), SANs={"dns": ["n%d.example.com" % i for i in range(5000)]}))
    assert r.status_code == 400 and "max_sans" in r.json()["Message"], r.text


def test_a_newline_or_markup_in_the_csrs_subject(svc):
    """Control characters in a CSR's subject are refused as in a PFX
    subject; markup is only text (JSON-escaped, never echoed raw)."""
    before = svc.db_digest()
    csr, _ = make_csr("evil\nInjected: yes.example.com")
    r = enroll(svc, body(pem(csr)))
    assert r.status_code == 400, r.text
    assert "\n" not in r.text
    assert svc.db_digest() == before
    csr, _ = make_csr("<script>x</script>")
    r = enroll(svc, body(pem(csr)))
    assert "<script>" not in r.text


def test_without_the_claim(svc):
    csr, _ = make_csr("claim.csr.example.com", ["claim.csr.example.com"])
    r = enroll(svc, body(pem(csr)), user="bob")
    assert r.status_code == 403
    assert "/certificates/enrollment/csr/" in r.json()["Message"]


def test_approval_issues_for_the_csrs_key(svc):
    csr, key = make_csr("pending.csr.example.com", ["pending.csr.example.com"])
    r = enroll(svc, body(pem(csr), Template="NeedsApproval"))
    assert r.status_code == 200, r.text
    ci = r.json()["CertificateInformation"]
    assert ci["RequestDisposition"] == "PENDING"
    assert ci["KeyfactorID"] == 0 and ci["Certificates"] == []
    rid = ci["KeyfactorRequestId"]
    # the approver sees the names the CSR asks for
    v = svc.request("GET", "/Workflow/Certificates/%d" % rid, user="approver").json()
    assert v["SANs"] == {"dns": ["pending.csr.example.com"]}, v
    a = svc.request("POST", "/Workflow/Certificates/Approve", user="approver", json=[rid])
    assert a.status_code == 200, a.text
    assert [s["KeyfactorRequestId"] for s in a.json()["Successes"]] == [rid]
    found = svc.request("GET", "/Certificates", user="alice",
                        params={"pq.queryString": "CertRequestId -eq %d" % rid}).json()
    assert len(found) == 1
    leaf = x509.load_der_x509_certificate(base64.b64decode(found[0]["ContentBytes"]))
    assert spki(leaf.public_key()) == spki(key.public_key())
