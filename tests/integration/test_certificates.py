"""GET /Certificates/{id}, GET /Certificates?pq.queryString=... (the query
language as the Go and Python SDKs and scripts write it) and
GET /CertificateStores[/{id}] through nginx; every field of the answers is
checked against the certificate itself with Python's cryptography."""
import base64
import datetime
import hashlib
import json
import os
import subprocess

import pytest
from cryptography import x509
from cryptography.x509.oid import ExtendedKeyUsageOID

from conftest import ISSUING_CA
from test_enroll_pfx import body

CN = "certview1.example.com"
PAGER_CN = "pager.certview.example.com"
METADATA = {"Owner": "ops@example.com", "CostCenter": "42", "Tier": "gold"}
UNKNOWN_GUID = "0b7f1a52-3c4d-4e5f-8a9b-0c1d2e3f4a5b"

CERT_KEYS = {
    "Id", "Thumbprint", "SerialNumber", "IssuedDN", "IssuedCN", "ImportDate",
    "NotBefore", "NotAfter", "IssuerDN", "PrincipalId", "TemplateId",
    "CertState", "KeySizeInBits", "KeyType", "IssuedOU", "IssuedEmail",
    "KeyUsage", "SigningAlgorithm", "CertStateString", "KeyTypeString",
    "RevocationEffDate", "RevocationReason", "RevocationComment",
    "CertificateAuthorityId", "CertificateAuthorityName", "TemplateName",
    "ArchivedKey", "HasPrivateKey", "PrincipalName", "CertRequestId",
    "RequesterName", "ContentBytes", "ExtendedKeyUsages",
    "SubjectAltNameElements", "CRLDistributionPoints", "LocationsCount",
    "SSLLocations", "Locations", "Metadata", "CertificateKeyId", "CARowIndex",
    "CARecordId", "DetailedKeyUsage", "KeyRecoverable", "Curve",
}
STORE_KEYS = {
    "Id", "ContainerId", "ClientMachine", "Storepath",
    "CertStoreInventoryJobId", "CertStoreType", "Approved", "CreateIfMissing",
    "Properties", "AgentId", "AgentAssigned", "ContainerName",
    "InventorySchedule", "ReenrollmentStatus", "SetNewPasswordAllowed",
    "Password", "DisplayName",
}
# X509KeyUsageFlags values, as the API's KeyUsage number uses them.
KU_FLAGS = {
    "digital_signature": 0x80, "content_commitment": 0x40,
    "key_encipherment": 0x20, "data_encipherment": 0x10,
    "key_agreement": 0x08, "key_cert_sign": 0x04, "crl_sign": 0x02,
}


def get(svc, path, user="alice", **params):
    return svc.request("GET", path, user=user, params=params or None)


def parse_date(s):
    assert s.endswith("Z"), s
    return datetime.datetime.strptime(s, "%Y-%m-%dT%H:%M:%SZ")


def enroll(svc, cn, **kw):
    b = body(Subject="CN=%s,OU=IT,O=certenroll tests" % cn,
             SANs={"dns": [cn, "www." + cn], "ip4": ["192.0.2.10"]},
             Password="certview-pass-1", **kw)
    r = svc.enroll(b)
    assert r.status_code == 200, r.text
    ci = r.json()["CertificateInformation"]
    assert ci["RequestDisposition"] == "ISSUED"
    return ci


@pytest.fixture(scope="module")
def issued(svc):
    """A certificate from enrollment pattern 5, which records metadata."""
    return enroll(svc, CN, EnrollmentPatternId=5, Template=None,
                  Metadata={"Owner": "ops@example.com", "CostCenter": 42,
                            "Tier": "gold"},
                  AdditionalEnrollmentFields={"Ticket": "CHG-7"})


@pytest.fixture(scope="module")
def paged(svc):
    """Three certificates sharing one CN, in issuance (id) order."""
    return [enroll(svc, PAGER_CN)["KeyfactorId"] for _ in range(3)]


def key_usage_of(cert):
    try:
        ku = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        return 0
    n = sum(v for k, v in KU_FLAGS.items() if getattr(ku, k))
    if ku.key_agreement:
        n |= 0x01 if ku.encipher_only else 0
        n |= 0x8000 if ku.decipher_only else 0
    return n


# -- GET /Certificates/{id} ---------------------------------------------------

def test_certificate_every_field(svc, issued):
    r = get(svc, "/Certificates/%d" % issued["KeyfactorId"])
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/json; charset=utf-8"
    c = r.json()
    assert CERT_KEYS <= set(c), CERT_KEYS - set(c)

    der = base64.b64decode(c["ContentBytes"], validate=True)
    cert = x509.load_der_x509_certificate(der)
    assert hashlib.sha1(der).hexdigest().upper() == c["Thumbprint"]
    assert c["Thumbprint"] == issued["Thumbprint"]
    assert c["Id"] == issued["KeyfactorId"]
    assert c["CertRequestId"] == issued["KeyfactorRequestId"]
    assert c["SerialNumber"] == issued["SerialNumber"]
    assert int(c["SerialNumber"], 16) == cert.serial_number
    assert c["IssuerDN"] == issued["IssuerDN"]
    assert c["IssuedCN"] == CN
    assert c["IssuedDN"].startswith("CN=%s" % CN) and "OU=IT" in c["IssuedDN"]
    assert c["IssuedOU"] == "IT"
    assert c["IssuedEmail"] is None

    # Dates: RFC 3339 with Z, equal to the certificate's.
    assert parse_date(c["NotBefore"]) == cert.not_valid_before
    assert parse_date(c["NotAfter"]) == cert.not_valid_after
    now = datetime.datetime.utcnow()
    assert abs((parse_date(c["ImportDate"]) - now).total_seconds()) < 600

    assert (c["CertState"], c["CertStateString"]) == (1, "Active")
    assert (c["KeyType"], c["KeyTypeString"]) == (3, "ECC")
    assert c["KeySizeInBits"] == 256
    assert c["Curve"] == "1.2.840.10045.3.1.7"
    assert c["SigningAlgorithm"] == "sha256ECDSA"

    ku = key_usage_of(cert)
    assert ku != 0 and c["KeyUsage"] == ku
    d = c["DetailedKeyUsage"]
    assert d["DigitalSignature"] is bool(ku & 0x80)
    assert d["KeyEncipherment"] is bool(ku & 0x20)
    assert d["KeyAgreement"] is bool(ku & 0x08)
    assert d["KeyCertSign"] is False and d["CrlSign"] is False
    assert d["HexCode"] == "%02x" % ku
    assert set(d) == {"CrlSign", "DataEncipherment", "DecipherOnly",
                      "DigitalSignature", "EncipherOnly", "KeyAgreement",
                      "KeyCertSign", "KeyEncipherment", "NonRepudiation",
                      "HexCode"}

    ekus = {e["Oid"]: e for e in c["ExtendedKeyUsages"]}
    assert set(ekus) == {ExtendedKeyUsageOID.SERVER_AUTH.dotted_string,
                         ExtendedKeyUsageOID.CLIENT_AUTH.dotted_string}
    assert ekus["1.3.6.1.5.5.7.3.1"]["DisplayName"] == "Server Authentication"
    assert ekus["1.3.6.1.5.5.7.3.2"]["DisplayName"] == "Client Authentication"
    assert sorted(e["Id"] for e in c["ExtendedKeyUsages"]) == [1, 2]

    sans = c["SubjectAltNameElements"]
    assert {(s["Value"], s["Type"]) for s in sans} == {
        (CN, 2), ("www." + CN, 2), ("192.0.2.10", 7)}
    assert all(s["ValueHash"] is None and isinstance(s["Id"], int) for s in sans)

    assert c["CertificateAuthorityName"] == ISSUING_CA
    assert isinstance(c["CertificateAuthorityId"], int) and c["CertificateAuthorityId"] > 0
    assert c["TemplateName"] == "WebServer"
    assert c["TemplateId"] > 0     # its template's (test_catalog.py)
    assert c["RequesterName"] == "alice"
    # users are numbered as the admin command adds them (conftest USERS)
    from conftest import USERS
    assert c["RequesterId"] == list(USERS).index("alice") + 1
    assert c["HasPrivateKey"] is c["KeyRecoverable"]
    assert isinstance(c["HasPrivateKey"], bool)
    assert c["ArchivedKey"] is False
    for k in ("PrincipalId", "PrincipalName", "RevocationEffDate",
              "RevocationReason", "RevocationComment"):
        assert c[k] is None, k
    assert (c["CertificateKeyId"], c["CARowIndex"], c["CARecordId"]) == (0, 0, "")
    assert c["CRLDistributionPoints"] == [] and c["SSLLocations"] == []
    # Without the flags: no metadata, no locations (and none exist).
    assert c["Metadata"] == {}
    assert c["Locations"] == [] and c["LocationsCount"] == []


@pytest.mark.parametrize("flag", ["true", "TRUE", "True", "1"])
def test_include_metadata(svc, issued, flag):
    r = get(svc, "/Certificates/%d" % issued["KeyfactorId"], includeMetadata=flag)
    assert r.status_code == 200, r.text
    assert r.json()["Metadata"] == METADATA


@pytest.mark.parametrize("flag", ["false", "FALSE", "0", ""])
def test_include_metadata_off(svc, issued, flag):
    r = get(svc, "/Certificates/%d" % issued["KeyfactorId"], includeMetadata=flag)
    assert r.status_code == 200, r.text
    assert r.json()["Metadata"] == {}


def test_include_flags_case_insensitive_names(svc, issued):
    r = get(svc, "/Certificates/%d" % issued["KeyfactorId"],
            INCLUDEMETADATA="true", includelocations="true")
    assert r.status_code == 200, r.text
    assert r.json()["Metadata"] == METADATA
    assert r.json()["Locations"] == []


@pytest.mark.parametrize("name", ["includeMetadata", "includeLocations"])
def test_bad_flag_is_400(svc, issued, name):
    r = get(svc, "/Certificates/%d" % issued["KeyfactorId"], **{name: "maybe"})
    assert r.status_code == 400
    assert name in r.json()["Message"]


def test_trailing_slash_and_path_case(svc, issued):
    r = svc.request("GET", "/Certificates/%d/" % issued["KeyfactorId"])
    assert r.status_code == 200 and r.json()["Id"] == issued["KeyfactorId"]
    r = svc.request("GET", "/certificates/%d" % issued["KeyfactorId"])
    assert r.status_code == 200 and r.json()["Id"] == issued["KeyfactorId"]


def test_head(svc, issued):
    r = svc.request("HEAD", "/Certificates/%d" % issued["KeyfactorId"])
    assert r.status_code == 200
    assert r.content == b""


def test_unknown_id_is_404(svc):
    r = get(svc, "/Certificates/987654321")
    assert r.status_code == 404
    j = r.json()
    assert j["ErrorCode"] == "0xA0110005"
    assert "987654321" in j["Message"]


@pytest.mark.parametrize("bad", ["abc", "0", "-1", "1.5", "0x10", "1e3",
                                 "99999999999999999999"])
def test_malformed_id_is_400(svc, bad):
    r = get(svc, "/Certificates/" + bad)
    assert r.status_code == 400, r.text
    j = r.json()
    assert j["ErrorCode"] == "0xA0110001"
    assert bad in j["Message"]


def test_claims(svc, issued):
    path = "/Certificates/%d" % issued["KeyfactorId"]
    for user in ("bob", "carol"):
        r = get(svc, path, user=user)
        assert r.status_code == 403, user
        assert "/certificates/collections/read/" in r.json()["Message"]
    r = get(svc, "/Certificates", user="bob", **{"pq.queryString": "Id -eq 1"})
    assert r.status_code == 403
    r = get(svc, path, user=None)
    assert r.status_code == 401
    # storeops holds the read claim through the Schedulers role.
    assert get(svc, path, user="storeops").status_code == 200


def test_wrong_method_is_405(svc, issued):
    r = svc.request("DELETE", "/Certificates/%d" % issued["KeyfactorId"])
    assert r.status_code == 405
    assert r.json()["ErrorCode"] == "0xA0110006"


def test_requested_with_required(svc, issued):
    r = svc.request("GET", "/Certificates/%d" % issued["KeyfactorId"],
                    requested_with=False)
    assert r.status_code == 400
    assert "x-keyfactor-requested-with" in r.json()["Message"]


# -- GET /Certificates?pq.queryString= ----------------------------------------

def ids_of(r):
    assert r.status_code == 200, r.text
    assert isinstance(r.json(), list)
    return [c["Id"] for c in r.json()]


def query(svc, q, user="alice", **params):
    params["pq.queryString"] = q
    return get(svc, "/Certificates", user=user, **params)


def test_query_by_thumbprint(svc, issued):
    tp = issued["Thumbprint"]
    for q in ('Thumbprint -eq "%s"' % tp, "Thumbprint -eq %s" % tp,
              'thumbprint -EQ "%s"' % tp.lower()):
        r = query(svc, q)
        assert ids_of(r) == [issued["KeyfactorId"]], q
    c = r.json()[0]
    assert CERT_KEYS <= set(c)
    assert c["Thumbprint"] == tp and c["Metadata"] == {}


def test_query_by_cert_request_id(svc, issued):
    r = query(svc, "CertRequestId -eq %d" % issued["KeyfactorRequestId"])
    assert ids_of(r) == [issued["KeyfactorId"]]
    r = query(svc, 'CertRequestId -eq "%d"' % issued["KeyfactorRequestId"])
    assert ids_of(r) == [issued["KeyfactorId"]]


def test_query_by_issued_cn(svc, issued):
    assert ids_of(query(svc, 'IssuedCN -eq "%s"' % CN)) == [issued["KeyfactorId"]]
    assert ids_of(query(svc, "IssuedCN -eq %s" % CN.upper())) == [issued["KeyfactorId"]]


def test_query_by_serial_and_id(svc, issued):
    sn = issued["SerialNumber"]
    assert ids_of(query(svc, 'SerialNumber -eq "%s"' % sn)) == [issued["KeyfactorId"]]
    assert ids_of(query(svc, "SerialNumber -eq 00%s" % sn.lower())) == [issued["KeyfactorId"]]
    assert ids_of(query(svc, "Id -eq %d" % issued["KeyfactorId"])) == [issued["KeyfactorId"]]


def test_query_and(svc, issued):
    q = 'IssuedCN -eq "%s" AND Thumbprint -eq "%s"' % (CN, issued["Thumbprint"])
    assert ids_of(query(svc, q)) == [issued["KeyfactorId"]]
    q = 'IssuedCN -eq "%s" and CertRequestId -eq %d' % (
        "other.example.com", issued["KeyfactorRequestId"])
    assert ids_of(query(svc, q)) == []


def test_query_with_metadata(svc, issued):
    r = query(svc, 'Thumbprint -eq "%s"' % issued["Thumbprint"],
              includeMetadata="true")
    assert r.json()[0]["Metadata"] == METADATA


def test_query_prefixes(svc, issued):
    q = 'Thumbprint -eq "%s"' % issued["Thumbprint"]
    for name in ("pq.queryString", "pagedQuery.queryString", "QueryString",
                 "PQ.QUERYSTRING"):
        r = get(svc, "/Certificates", **{name: q})
        assert ids_of(r) == [issued["KeyfactorId"]], name


def test_query_no_match_is_empty_array(svc):
    assert ids_of(query(svc, 'Thumbprint -eq "%s"' % ("0" * 40))) == []
    assert ids_of(query(svc, 'Thumbprint -eq "not-a-thumbprint"')) == []
    assert ids_of(query(svc, "CertRequestId -eq 987654321")) == []
    assert ids_of(query(svc, 'IssuedCN -eq "nobody.example.com"')) == []
    assert ids_of(query(svc, "Id -eq 987654321")) == []


@pytest.mark.parametrize("q,msg", [
    ("Foo -eq 1", "unknown field 'Foo'"),
    ('Thumbprint -eq "AB', "unterminated quote"),
    ("Thumbprint -like AB", "operator '-like' at position 12 is not supported"),
    ("CertRequestId -eq abc", "is not a positive integer"),
    ("Id -eq 1 XOR Id -eq 2", "expected AND or OR at position 10"),
    ("Id -eq", "value is missing"),
    ('CertState -eq "Revoked"', "Invalid CertState value: Revoked."),
    ("NotAfter -gt %TODAY+x%", "is not a date"),
    ("Id -contains 1", "does not apply to Id, a number"),
    ("(Id -eq 1", "expected ')' at position 10"),
    ("Id -eq 1)", "')' at position 9 has no '('"),
    ("(" * 9 + "Id -eq 1" + ")" * 9, "deeper than 8"),
    (" OR ".join(["Id -eq 1"] * 33), "more than 32 terms"),
    ("IssuedCN -eq " + "x" * 257, "longer than 256 bytes"),
])
def test_bad_query_is_400(svc, q, msg):
    r = query(svc, q)
    assert r.status_code == 400, r.text
    j = r.json()
    assert j["ErrorCode"] == "0xA0110001"
    assert j["Message"].startswith("pq.queryString: ")
    assert msg in j["Message"]


# -- the query language as Keyfactor's clients write it ----------------------

QL_CNS = ("a.query.example.com", "b.query.example.com", "c.query.example.com")


@pytest.fixture(scope="module")
def ql(svc):
    """Three certificates a, b, c (ids in that order); c revoked."""
    ids = [enroll(svc, cn)["KeyfactorId"] for cn in QL_CNS]
    r = svc.request("POST", "/Certificates/Revoke", user="revoker",
                    json={"CertificateIds": [ids[2]], "Comment": "x"})
    assert r.status_code == 200, r.text
    assert r.json()["RevokedIds"] == [ids[2]]
    return ids


def test_query_go_sdk_contains(svc, ql):
    a, b, c = ql
    assert ids_of(query(svc, 'IssuedCN -contains "QUERY.example"')) == [a, b]
    assert ids_of(query(svc, 'IssuedCN -contains "query.example"',
                        includeRevoked="true")) == [a, b, c]
    assert ids_of(query(svc, 'IssuedCN -contains "query.example" AND '
                        'IssuedCN -notcontains "a."')) == [b]
    assert ids_of(query(svc, 'CN -startswith "b.query" OR '
                        'CN -endswith "c.query.example.com"',
                        includeRevoked="true")) == [b, c]


def test_query_python_sdk_cert_id(svc, ql):
    a, b, _ = ql
    assert ids_of(query(svc, 'CertID -eq "%d"' % a)) == [a]
    assert ids_of(query(svc, 'certid -ne "%d" AND IssuedCN -contains '
                        '"query.example"' % a)) == [b]


def test_query_cert_state_after_revocation(svc, ql):
    a, b, c = ql
    q = 'CertState -eq "2" AND IssuedCN -contains "query.example"'
    assert ids_of(query(svc, q, includeRevoked="true")) == [c]
    assert ids_of(query(svc, q)) == []      # revoked ones need the flag
    q = 'CertState -eq 1 AND IssuedCN -contains "query.example"'
    assert ids_of(query(svc, q, includeRevoked="true")) == [a, b]
    r = query(svc, 'Id -eq %d' % c, includeRevoked="true")
    assert r.json()[0]["CertState"] == 2


def test_query_or_and_parentheses(svc, ql):
    a, b, c = ql
    q = '(IssuedCN -eq "%s" OR IssuedCN -eq "%s") AND Id -eq %d' % (
        QL_CNS[0], QL_CNS[1], b)
    assert ids_of(query(svc, q)) == [b]
    # AND binds tighter: a, or (b and an id that is not b's)
    q = 'IssuedCN -eq "%s" OR IssuedCN -eq "%s" AND Id -eq %d' % (
        QL_CNS[0], QL_CNS[1], a)
    assert ids_of(query(svc, q)) == [a]
    q = 'Id -eq %d or Id -eq %d or Id -eq %d' % (a, b, c)
    assert ids_of(query(svc, q, includeRevoked="true")) == [a, b, c]
    assert ids_of(query(svc, q, includeRevoked="true", ReturnLimit="1",
                        PageReturned="2")) == [b]


def test_query_go_client_parentheses_without_space(svc, ql):
    a, b, _ = ql
    q = '(IssuedCN -eq "%s")AND Id -eq %d' % (QL_CNS[0], a)
    assert ids_of(query(svc, q)) == [a]
    q = '(IssuedCN -eq "%s")AND Id -eq %d' % (QL_CNS[0], b)
    assert ids_of(query(svc, q)) == []


def test_query_dates(svc, ql):
    a, b, _ = ql
    cn = 'IssuedCN -contains "query.example"'
    assert ids_of(query(svc, cn + " AND NotAfter -gt %TODAY%")) == [a, b]
    assert ids_of(query(svc, cn + " AND ExpirationDate -lt %TODAY%")) == []
    assert ids_of(query(svc, cn + " AND NotBefore -le %TODAY+1% AND "
                        "ImportDate -ge %TODAY-1%")) == [a, b]
    na = parse_date(query(svc, "Id -eq %d" % a).json()[0]["NotAfter"])
    q = 'Id -eq %d AND NotAfter -eq "%s"' % (a, na.strftime("%Y-%m-%d"))
    assert ids_of(query(svc, q)) == [a]
    q = 'Id -eq %d AND NotAfter -gt "%s"' % (a, na.strftime(
        "%Y-%m-%dT%H:%M:%SZ"))
    assert ids_of(query(svc, q)) == []


def test_query_other_fields(svc, ql, issued):
    a, b, _ = ql
    cn = 'IssuedCN -contains "query.example"'
    c = query(svc, "Id -eq %d" % a).json()[0]
    ca = c["CertificateAuthorityName"].replace("\\", "\\\\")
    for q, want in (('IssuedDN -startswith "CN=%s"' % QL_CNS[0], [a]),
                    ('IssuerDN -eq "%s"' % c["IssuerDN"], [a, b]),
                    ('CA -eq "%s"' % ca, [a, b]),
                    ('CertificateAuthorityName -ne "%s"' % ca, []),
                    ('TemplateShortName -eq "%s"' % c["TemplateName"], [a, b]),
                    ('RequesterName -eq "%s"' % c["RequesterName"], [a, b]),
                    ('KeyType -eq "%s"' % c["KeyTypeString"], [a, b]),
                    ("KeySize -eq %d" % c["KeySizeInBits"], [a, b]),
                    ("KeySize -gt %d" % c["KeySizeInBits"], []),
                    ('SerialNumber -eq "00%s"' % c["SerialNumber"].lower(),
                     [a]),
                    ("IssuedCN -notnull", [a, b]),
                    ("IssuedCN -eq NULL", [])):
        assert ids_of(query(svc, cn + " AND " + q)) == want, q
    assert ids_of(query(svc, 'Metadata.Owner -eq "OPS@example.com"')) == \
        [issued["KeyfactorId"]]
    assert ids_of(query(svc, cn + " AND Metadata.Owner -isnull")) == [a, b]


def test_bad_queries_change_nothing(svc, ql):
    q = 'IssuedCN -contains "query.example"'
    before = query(svc, q, includeRevoked="true").json()
    for bad in ('CertState -eq "Revoked"', "Id -eq 1 OR", "((Id -eq 1)"):
        r = query(svc, bad)
        assert r.status_code == 400, r.text
        assert r.json()["ErrorCode"] == "0xA0110001"
        assert r.json()["Message"].startswith("pq.queryString: ")
    assert query(svc, q, includeRevoked="true").json() == before
    assert [c["CertState"] for c in before] == [1, 1, 2]


def test_paging(svc, paged):
    q = 'IssuedCN -eq "%s"' % PAGER_CN
    assert ids_of(query(svc, q)) == paged
    assert ids_of(query(svc, q, ReturnLimit="2")) == paged[:2]
    assert ids_of(query(svc, q, ReturnLimit="2", PageReturned="2")) == paged[2:]
    assert ids_of(query(svc, q, ReturnLimit="2", PageReturned="3")) == []
    assert ids_of(query(svc, q, **{"pagedQuery.returnLimit": "1",
                                   "pagedQuery.pageReturned": "3"})) == paged[2:]
    assert ids_of(query(svc, q, **{"pq.ReturnLimit": "1"})) == paged[:1]
    assert ids_of(query(svc, q, ReturnLimit="0")) == paged  # 0 = default


def test_listing_without_query_is_paged(svc, paged):
    everything = ids_of(get(svc, "/Certificates", ReturnLimit="1000"))
    assert everything == sorted(everything)
    assert set(paged) <= set(everything)
    assert len(ids_of(get(svc, "/Certificates", ReturnLimit="1"))) == 1
    if len(everything) <= 50:
        assert ids_of(get(svc, "/Certificates")) == everything


@pytest.mark.parametrize("name,value", [("ReturnLimit", "abc"),
                                        ("PageReturned", "-1"),
                                        ("pagedQuery.returnLimit", "1.5")])
def test_bad_paging_is_400(svc, name, value):
    r = get(svc, "/Certificates", **{name: value})
    assert r.status_code == 400
    assert value in r.json()["Message"]


# -- GET /CertificateStores ---------------------------------------------------

def store_tool_works(svc):
    return svc.tool("store", "list", check=False).returncode == 0


def test_store_list(svc):
    r = get(svc, "/CertificateStores", user="storeops")
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/json; charset=utf-8"
    listed = r.json()
    assert isinstance(listed, list)
    known = []
    if store_tool_works(svc):
        known = [l.split("\t", 1)[0] for l in
                 svc.tool("store", "list").stdout.splitlines() if l.strip()]
    if not known:
        assert listed == []
    else:
        assert [s["Id"] for s in listed] == known[:50]


@pytest.mark.parametrize("bad", ["abc", "0b7f1a52-3c4d-4e5f-8a9b-0c1d2e3f4a5",
                                 "0b7f1a52x3c4d-4e5f-8a9b-0c1d2e3f4a5b",
                                 "{0b7f1a52-3c4d-4e5f-8a9b-0c1d2e3f4a5b}"])
def test_store_malformed_guid_is_400(svc, bad):
    r = get(svc, "/CertificateStores/" + bad, user="storeops")
    assert r.status_code == 400, r.text
    assert r.json()["ErrorCode"] == "0xA0110001"


def test_store_unknown_guid_is_404(svc):
    r = get(svc, "/CertificateStores/" + UNKNOWN_GUID, user="storeops")
    assert r.status_code == 404, r.text
    assert UNKNOWN_GUID in r.json()["Message"]
    r = get(svc, "/CertificateStores/" + UNKNOWN_GUID.upper(), user="storeops")
    assert r.status_code == 404


def test_store_claims(svc):
    r = get(svc, "/CertificateStores", user="alice")
    assert r.status_code == 403
    assert "/certificate_stores/read/" in r.json()["Message"]
    assert get(svc, "/CertificateStores/" + UNKNOWN_GUID,
               user="alice").status_code == 403
    assert get(svc, "/CertificateStores", user=None).status_code == 401
    r = svc.request("POST", "/CertificateStores", user="storeops", json={})
    assert r.status_code == 405


@pytest.fixture(scope="module")
def pem_store(svc, tmp_path_factory):
    if not store_tool_works(svc):
        pytest.skip("certenroll store admin is not available")
    path = tmp_path_factory.mktemp("certview-stores") / "pem"
    path.mkdir()
    p = svc.tool("store", "add", "--type", "PEM", "--path", str(path),
                 "--container", "3", "--container-name", "Web servers",
                 "--machine", "web09.example.com",
                 "--property", "EncryptKeys=false", check=False)
    if p.returncode != 0:
        pytest.skip("store add failed: %s" % p.stderr)
    return {"id": p.stdout.strip(), "path": str(path)}


def test_store_by_id_every_field(svc, pem_store):
    for guid in (pem_store["id"], pem_store["id"].upper()):
        r = get(svc, "/CertificateStores/" + guid, user="storeops")
        assert r.status_code == 200, r.text
        s = r.json()
        assert set(s) == STORE_KEYS
        assert s["Id"] == pem_store["id"]
    assert s["ContainerId"] == 3 and s["ContainerName"] == "Web servers"
    assert s["ClientMachine"] == "web09.example.com"
    assert s["Storepath"] == pem_store["path"]
    assert s["CertStoreType"] == 2          # PEM
    assert s["Approved"] is True and s["AgentAssigned"] is True
    assert s["CreateIfMissing"] is False
    assert s["SetNewPasswordAllowed"] is False
    assert s["CertStoreInventoryJobId"] is None and s["AgentId"] is None
    assert s["InventorySchedule"] == {} and s["ReenrollmentStatus"] == {}
    assert s["Password"] == {}
    assert isinstance(s["Properties"], str)
    props = json.loads(s["Properties"])
    assert props == {"EncryptKeys": "false"}
    assert all(isinstance(v, str) for v in props.values())
    assert isinstance(s["DisplayName"], str) and "web09.example.com" in s["DisplayName"]
    assert "password_sealed" not in r.text


def test_store_in_listing(svc, pem_store):
    r = get(svc, "/CertificateStores", user="storeops", ReturnLimit="1000")
    assert r.status_code == 200
    mine = [s for s in r.json() if s["Id"] == pem_store["id"]]
    assert len(mine) == 1 and set(mine[0]) == STORE_KEYS
    one = get(svc, "/CertificateStores", user="storeops", ReturnLimit="1").json()
    assert len(one) == 1
    ids = [s["Id"] for s in r.json()]
    assert ids == sorted(ids)
    past = get(svc, "/CertificateStores", user="storeops",
               **{"pq.returnLimit": "1000", "pq.pageReturned": "2"})
    assert past.status_code == 200 and past.json() == []


def test_the_go_clients_store_listing_ends(svc, pem_store):
    """keyfactor-go-client's ListCertificateStores: GET CertificateStores/
    with only certificateStoreQuery.pageReturned=N, from 1 until a page is
    empty.  Every store comes once, and the loop ends."""
    want = [s["Id"] for s in get(svc, "/CertificateStores", user="storeops",
                                 ReturnLimit="5000").json()]
    assert pem_store["id"] in want
    seen, page = [], 1
    while page < 1000:
        r = svc.request("GET", "/CertificateStores/", user="storeops",
                        params={"certificateStoreQuery.pageReturned": str(page)})
        assert r.status_code == 200, r.text
        if r.json() == []:
            break
        seen += [s["Id"] for s in r.json()]
        page += 1
    assert page < 1000 and seen == want
    # the other prefixes the clients send page the same way
    for prefix in ("sq.", "query.", "pagedQuery.", "CERTIFICATESTOREQUERY."):
        r = get(svc, "/CertificateStores", user="storeops",
                **{prefix + "returnLimit": "1", prefix + "pageReturned": "100000"})
        assert r.status_code == 200 and r.json() == [], prefix


def test_locations_after_deploy(svc, pem_store):
    """A certificate deployed to the store: Locations with includeLocations,
    LocationsCount always."""
    r = svc.enroll({"Subject": "CN=located.example.com", "Template": "WebServer",
                    "CertificateAuthority": ISSUING_CA, "KeyType": "ECC",
                    "Timestamp": "2026-11-25T10:00:00Z", "Password": "located-pass-1",
                    "SANs": {"dns": ["located.example.com"]}},
                   fmt="STORE", user="storeops")
    if r.status_code != 200:
        pytest.skip("STORE enrollment unavailable: %s" % r.text)
    cid = r.json()["CertificateInformation"]["KeyfactorId"]
    r = svc.request("POST", "/Enrollment/PFX/Deploy", user="storeops",
                    json={"Stores": [{"StoreId": pem_store["id"], "Alias": "located"}],
                          "CertificateId": cid, "Password": "located-pass-1"})
    if r.status_code != 200 or r.json().get("SuccessfulStores") != [pem_store["id"]]:
        pytest.skip("Deploy unavailable: %s" % r.text)
    if svc.tool("agent", "--once", check=False).returncode != 0:
        pytest.skip("store agent unavailable")
    assert os.path.exists(os.path.join(pem_store["path"], "located.crt"))
    r = get(svc, "/Certificates/%d" % cid, user="storeops", includeLocations="true")
    assert r.status_code == 200, r.text
    c = r.json()
    assert c["Locations"] == [{"StoreMachine": "web09.example.com",
                               "StorePath": pem_store["path"], "StoreType": 2,
                               "Alias": "located", "ChainLevel": 0,
                               "CertStoreId": pem_store["id"]}]
    assert c["LocationsCount"] == [{"Type": "PEM", "Count": 1}]
    r = get(svc, "/Certificates/%d" % cid, user="storeops")
    assert r.json()["Locations"] == []
    assert r.json()["LocationsCount"] == [{"Type": "PEM", "Count": 1}]


# ---- records written before certificate views ---------------------------

def _certs_dump(svc):
    """The certs table: (header, [(key line, value line)...]) in mdb_dump's
    default format, each key and value a line of hex."""
    dump = subprocess.run(["mdb_dump", "-s", "certs",
                           os.path.join(svc.data, "db")],
                          capture_output=True, check=True).stdout
    head, rest = dump.split(b"HEADER=END\n", 1)
    lines = rest.split(b"\n")
    return head, [(lines[i], lines[i + 1])
                  for i in range(0, len(lines) - 1, 2)
                  if lines[i].startswith(b" ")]


def _record(svc, cert_id):
    for k, v in _certs_dump(svc)[1]:
        if bytes.fromhex(k[1:].decode()).lstrip(b"0") == str(cert_id).encode():
            return k, json.loads(bytes.fromhex(v[1:].decode()))
    raise AssertionError("record %d not found" % cert_id)


def _strip_view(svc, cert_id):
    """Rewrites certificate record cert_id without its stored "view", as an
    older certenroll wrote it (mdb_load, LMDB's own tool; psql)."""
    if svc.database is not None:
        rec = json.loads(svc.sql("SELECT doc FROM certs WHERE id = %d" % cert_id))
        assert isinstance(rec.pop("view"), dict)
        val = json.dumps(rec, separators=(",", ":")).replace("'", "''")
        svc.sql("UPDATE certs SET doc = '%s' WHERE id = %d" % (val, cert_id))
        assert "view" not in json.loads(
            svc.sql("SELECT doc FROM certs WHERE id = %d" % cert_id))
        return
    head = _certs_dump(svc)[0]
    key, rec = _record(svc, cert_id)
    assert isinstance(rec.pop("view"), dict)
    val = json.dumps(rec, separators=(",", ":")).encode()
    subprocess.run(["mdb_load", "-s", "certs", os.path.join(svc.data, "db")],
                   input=head + b"HEADER=END\n" + key + b"\n " +
                   val.hex().encode() + b"\nDATA=END\n", check=True)
    assert "view" not in _record(svc, cert_id)[1]


def test_record_without_view_answers_the_same(svc):
    """GET parses the certificate itself when the record has no view: the
    answer is the same either way."""
    got = enroll(svc, "noview.certview.example.com")
    path = "/Certificates/%d?includeMetadata=true" % got["KeyfactorId"]
    with_view = get(svc, path)
    assert with_view.status_code == 200, with_view.text
    _strip_view(svc, got["KeyfactorId"])
    without = get(svc, path)
    assert without.status_code == 200, without.text
    assert without.json() == with_view.json()
    assert list(without.json()) == list(with_view.json())  # same order
