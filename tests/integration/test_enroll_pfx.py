"""POST /Enrollment/PFX through nginx: every format, key types, the answer's
shape, checked with Python's cryptography."""
import base64
import concurrent.futures
import io
import zipfile

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, ed448, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from certs import (OID_SHROUDED_KEY_BAG, load_pfx, pfx_layout, sans,
                   verify_chain)
from conftest import ISSUING_CA, ROOT_CA, RSA_CA

TS = "2026-11-25T10:00:00Z"


def body(**kw):
    b = {"Subject": "CN=web1.example.com,OU=IT,O=\"Key Example, Inc.\",L=Independence,ST=OH,C=US",
         "Template": "WebServer", "CertificateAuthority": ISSUING_CA,
         "KeyType": "ECC", "Curve": "1.2.840.10045.3.1.7", "Timestamp": TS,
         "SANs": {"dns": ["web1.example.com", "www.example.com"],
                  "ip4": ["192.0.2.10"]},
         "IncludeChain": True}
    b.update(kw)
    return b


def pem_certs(data):
    """All certificates in a PEM text, in order."""
    marker = b"-----END CERTIFICATE-----"
    parts = [p + marker for p in data.split(marker)[:-1]]
    return [x509.load_pem_x509_certificate(p[p.index(b"-----BEGIN CERTIFICATE-----"):])
            for p in parts]


def cn_of(cert):
    return cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value


def roots(svc):
    return {
        "issuing": x509.load_pem_x509_certificate(svc.ca_pem(ISSUING_CA).encode()),
        "root": x509.load_pem_x509_certificate(svc.ca_pem(ROOT_CA).encode()),
        "rsa": x509.load_pem_x509_certificate(svc.ca_pem(RSA_CA).encode()),
    }


def test_pfx_ecc_full_check(svc):
    r = svc.enroll(body(Password="Sup3rSecretPw!"))
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/json; charset=utf-8"
    ci = r.json()["CertificateInformation"]
    assert ci["RequestDisposition"] == "ISSUED"
    assert isinstance(ci["KeyfactorId"], int) and ci["KeyfactorId"] > 0
    assert isinstance(ci["KeyfactorRequestId"], int) and ci["KeyfactorRequestId"] > 0
    assert ci["Password"] is None  # the caller chose it; never echoed
    der, key, cert, chain = load_pfx(ci["Pkcs12Blob"], "Sup3rSecretPw!")
    assert isinstance(key, ec.EllipticCurvePrivateKey)
    assert key.curve.name == "secp256r1"
    assert key.public_key().public_numbers() == cert.public_key().public_numbers()
    cas = roots(svc)
    assert [c.subject for c in chain] == [cas["issuing"].subject, cas["root"].subject]
    verify_chain(cert, chain, cas["root"])
    cn = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value
    assert cn == "web1.example.com"
    org = cert.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value
    assert org == "Key Example, Inc."
    names = sans(cert)
    assert x509.DNSName("www.example.com") in names
    assert any(isinstance(n, x509.IPAddress) and str(n.value) == "192.0.2.10" for n in names)
    eku = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert ExtendedKeyUsageOID.SERVER_AUTH in eku and ExtendedKeyUsageOID.CLIENT_AUTH in eku
    bc = cert.extensions.get_extension_for_class(x509.BasicConstraints)
    assert bc.critical and not bc.value.ca
    # Thumbprint and serial as the API promises: upper-case hex.
    from cryptography.hazmat.primitives import hashes
    assert ci["Thumbprint"] == cert.fingerprint(hashes.SHA1()).hex().upper()
    assert int(ci["SerialNumber"], 16) == cert.serial_number
    assert ci["SerialNumber"] == ci["SerialNumber"].upper()
    assert cert.serial_number.bit_length() >= 64
    assert ci["IssuerDN"].startswith("CN=certenroll Test Issuing")


def test_pfx_layout_key_bag_first(svc):
    """Keyfactor's Go PKCS#12 parser needs the key SafeContents first."""
    r = svc.enroll(body(Password="layout-pass-123"))
    assert r.status_code == 200, r.text
    der = base64.b64decode(r.json()["CertificateInformation"]["Pkcs12Blob"])
    layout = pfx_layout(der)
    assert layout[0] == ("data", [OID_SHROUDED_KEY_BAG])
    assert [k for k, _ in layout] == ["data", "encrypted"]


def test_generated_password_and_friendly_name(svc):
    r = svc.enroll(body(CustomFriendlyName="My Web Cert"))
    assert r.status_code == 200, r.text
    ci = r.json()["CertificateInformation"]
    pw = ci["Password"]
    assert isinstance(pw, str) and len(pw) >= 12
    der, key, cert, chain = load_pfx(ci["Pkcs12Blob"], pw)
    from cryptography.hazmat.primitives.serialization import pkcs12
    p12 = pkcs12.load_pkcs12(der, pw.encode())
    assert p12.cert.friendly_name == b"My Web Cert"


def test_rsa_2048_on_rsa_template(svc):
    r = svc.enroll(body(Template="RsaOnly", CertificateAuthority=None,
                        KeyType="RSA", KeyLength=2048, Curve=None,
                        Password="rsa-password-1"))
    assert r.status_code == 200, r.text
    ci = r.json()["CertificateInformation"]
    _, key, cert, chain = load_pfx(ci["Pkcs12Blob"], "rsa-password-1")
    assert isinstance(key, rsa.RSAPrivateKey) and key.key_size == 2048
    verify_chain(cert, chain, roots(svc)["rsa"])
    ku = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    assert ku.digital_signature and ku.key_encipherment


@pytest.mark.parametrize("spec,check", [
    ({"KeyType": "ECC", "Curve": "P-384"}, lambda k: isinstance(k, ec.EllipticCurvePrivateKey) and k.curve.name == "secp384r1"),
    ({"KeyType": "ECC", "KeyLength": 521, "Curve": None}, lambda k: isinstance(k, ec.EllipticCurvePrivateKey) and k.curve.name == "secp521r1"),
    ({"KeyType": "Ed25519", "Curve": None}, lambda k: isinstance(k, ed25519.Ed25519PrivateKey)),
    ({"KeyType": "Ed448", "Curve": None}, lambda k: isinstance(k, ed448.Ed448PrivateKey)),
])
def test_key_types(svc, spec, check):
    r = svc.enroll(body(Password="keytype-pass-1", **spec))
    assert r.status_code == 200, r.text
    _, key, cert, chain = load_pfx(r.json()["CertificateInformation"]["Pkcs12Blob"], "keytype-pass-1")
    assert check(key)
    verify_chain(cert, chain, roots(svc)["root"])


def test_pem_format_end_entity_first(svc):
    r = svc.enroll(body(Password="pem-password-1"), fmt="PEM")
    assert r.status_code == 200, r.text
    text = base64.b64decode(r.json()["CertificateInformation"]["Pkcs12Blob"]).decode()
    assert text.index("-----BEGIN ENCRYPTED PRIVATE KEY-----") < text.index("-----BEGIN CERTIFICATE-----")
    certs = pem_certs(text.encode())
    assert len(certs) == 3
    assert cn_of(certs[0]) == "web1.example.com"
    assert certs[2].subject == roots(svc)["root"].subject
    assert "subject=" in text
    key = serialization.load_pem_private_key(
        text[text.index("-----BEGIN ENCRYPTED"):].encode(), b"pem-password-1")
    assert key.public_key().public_numbers() == certs[0].public_key().public_numbers()


def test_pem_root_first_without_headers(svc):
    r = svc.enroll(body(Password="pem-password-1", ChainOrder="RootFirst",
                        IncludeSubjectHeader=False), fmt="pem")
    assert r.status_code == 200, r.text
    text = base64.b64decode(r.json()["CertificateInformation"]["Pkcs12Blob"]).decode()
    certs = pem_certs(text.encode())
    assert certs[0].subject == roots(svc)["root"].subject
    assert cn_of(certs[-1]) == "web1.example.com"
    assert "subject=" not in text


def test_pem_without_chain(svc):
    r = svc.enroll(body(Password="pem-password-1", IncludeChain=False), fmt="PEM")
    text = base64.b64decode(r.json()["CertificateInformation"]["Pkcs12Blob"]).decode()
    assert len(pem_certs(text.encode())) == 1


def test_zip_format(svc):
    r = svc.enroll(body(Password="zip-password-1"), fmt="Zip")
    assert r.status_code == 200, r.text
    z = zipfile.ZipFile(io.BytesIO(base64.b64decode(r.json()["CertificateInformation"]["Pkcs12Blob"])))
    assert z.testzip() is None
    names = z.namelist()
    crt = [n for n in names if n.endswith(".crt") and "chain" not in n][0]
    keyf = [n for n in names if n.endswith(".key")][0]
    cert = x509.load_pem_x509_certificate(z.read(crt))
    key = serialization.load_pem_private_key(z.read(keyf), b"zip-password-1")
    assert key.public_key().public_numbers() == cert.public_key().public_numbers()


def test_store_format_keeps_key_server_side(svc):
    r = svc.enroll(body(Password="store-password-1"), fmt="STORE")
    assert r.status_code == 200, r.text
    ci = r.json()["CertificateInformation"]
    assert ci["Pkcs12Blob"] is None
    assert ci["RequestDisposition"] == "ISSUED"
    # The staging record exists and holds no readable key material.
    raw = svc.raw_state()
    assert b"store-password-1" not in raw
    assert b"PRIVATE KEY" not in raw


def test_legacy_encryption_algorithms(svc):
    import subprocess
    out = {}
    for legacy in (False, True):
        r = svc.enroll(body(Password="legacy-pass-1", UseLegacyEncryption=legacy))
        assert r.status_code == 200, r.text
        der, key, cert, chain = load_pfx(r.json()["CertificateInformation"]["Pkcs12Blob"], "legacy-pass-1")
        p = subprocess.run(["openssl", "pkcs12", "-info", "-noout", "-legacy",
                            "-passin", "pass:legacy-pass-1"], input=der,
                           capture_output=True, check=True)
        out[legacy] = (p.stdout + p.stderr).decode()
    assert "PBES2" in out[False] and "AES-256-CBC" in out[False], out[False]
    assert "pbeWithSHA1And3-KeyTripleDES-CBC" in out[True], out[True]
    assert "pbeWithSHA1And40BitRC2-CBC" in out[True]
    assert "PBES2" not in out[True]


def test_api_v2_answer_shape(svc):
    r = svc.enroll(body(Password="v2-password-1"), version="2.0")
    assert r.status_code == 200, r.text
    j = r.json()
    assert j["SuccessfulStores"] == []
    assert set(j) == {"SuccessfulStores", "CertificateInformation", "Metadata"}


def test_v1_answer_shape_and_nulls(svc):
    r = svc.enroll(body(Password="v1-password-1"), version="1")
    j = r.json()
    assert set(j) == {"CertificateInformation", "Metadata"}
    ci = j["CertificateInformation"]
    for k in ("SerialNumber", "IssuerDN", "Thumbprint", "KeyfactorId", "Pkcs12Blob",
              "Password", "WorkflowInstanceId", "WorkflowReferenceId",
              "StoreIdsInvalidForRenewal", "KeyfactorRequestId",
              "RequestDisposition", "DispositionMessage", "EnrollmentContext"):
        assert k in ci


def test_case_insensitive_fields_and_lenient_types(svc):
    b = {"subject": "CN=lenient.example.com", "template": "webserver",
         "keyType": "ecc", "timestamp": "11/25/2026 19:57:29",
         "saNs": {"DNS": ["lenient.example.com"]}, "password": "lenient-pass-1",
         "includeChain": "false", "RenewalCertificateId": 0, "KeyLength": "256"}
    r = svc.enroll(b, fmt="pfx")
    assert r.status_code == 200, r.text
    _, key, cert, chain = load_pfx(r.json()["CertificateInformation"]["Pkcs12Blob"], "lenient-pass-1")
    assert chain == []
    assert x509.DNSName("lenient.example.com") in sans(cert)


def test_logical_ca_name_and_any_ca(svc):
    r = svc.enroll(body(CertificateAuthority="IssuingCA", Password="logical-pass-1"))
    assert r.status_code == 200, r.text
    r = svc.enroll(body(CertificateAuthority=None, Password="anyca-pass-12"))
    assert r.status_code == 200, r.text


def test_metadata_pattern(svc):
    r = svc.enroll(body(EnrollmentPatternId=5, Template=None, Password="meta-pass-123",
                        Metadata={"Owner": "ops@example.com", "CostCenter": 42, "Tier": "gold"},
                        AdditionalEnrollmentFields={"Ticket": "CHG-1"}))
    assert r.status_code == 200, r.text
    j = r.json()
    assert j["Metadata"] == {"Owner": "ops@example.com", "CostCenter": "42", "Tier": "gold"}
    assert j["CertificateInformation"]["EnrollmentContext"] == {"Ticket": "CHG-1"}


def test_pending_when_approval_required(svc):
    before = svc.tool("cert", "list").stdout.count("\n")
    r = svc.enroll(body(Template="NeedsApproval", Password="pending-pass-1"))
    assert r.status_code == 200, r.text
    ci = r.json()["CertificateInformation"]
    assert ci["RequestDisposition"] == "PENDING"
    assert ci["KeyfactorRequestId"] > 0
    assert ci["KeyfactorId"] == 0
    assert ci["Pkcs12Blob"] is None and ci["Thumbprint"] is None
    assert svc.tool("cert", "list").stdout.count("\n") == before
    assert '"state":"PENDING"' in svc.tool("request", "list").stdout


def test_concurrent_enrollments_get_distinct_ids(svc):
    def one(i):
        r = svc.enroll(body(Subject="CN=c%d.example.com" % i, SANs=None,
                            Password="concurrent-pw-1"))
        assert r.status_code == 200, r.text
        ci = r.json()["CertificateInformation"]
        return ci["KeyfactorId"], ci["KeyfactorRequestId"], ci["Thumbprint"]

    with concurrent.futures.ThreadPoolExecutor(max_workers=12) as ex:
        results = list(ex.map(one, range(48)))
    ids = [r[0] for r in results]
    assert len(set(ids)) == 48
    assert len(set(r[1] for r in results)) == 48
    listing = svc.tool("cert", "list").stdout
    for _, _, tp in results:
        assert tp in listing
