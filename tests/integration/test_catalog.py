"""GET /Templates, /Templates/{id} and GET /CertificateAuthority through the
web server (issue #16), as keyfactor-go-client's GetTemplates, GetTemplate
and GetCAList call them: every template and CA with the fields the SDK
models decode (KeySize, KeyType and KeyRetention as strings), the ids a
certificate shows (TemplateId, CertificateAuthorityId) leading to them."""
import pytest

from conftest import ISSUING_CA, ROOT_CA

TS = "2026-11-25T10:00:00Z"
TEMPLATE_KEYS = {"Id", "CommonName", "TemplateName", "Oid", "KeySize", "KeyType",
                 "ForestRoot", "ConfigurationTenant", "FriendlyName", "KeyRetention",
                 "KeyRetentionDays", "KeyArchival", "EnrollmentFields",
                 "AllowedEnrollmentTypes", "TemplateRegexes", "UseAllowedRequesters",
                 "AllowedRequesters", "DisplayName", "RequiresApproval", "KeyUsage",
                 "ExtendedKeyUsages", "ValidityDays"}
DETAIL_KEYS = TEMPLATE_KEYS | {"MetadataFields", "TemplateDefaults", "TemplatePolicy",
                               "RFCEnforcement", "Curve"}


def get(svc, path, user="alice", **params):
    return svc.request("GET", path, user=user, params=params or None)


def templates(svc):
    r = get(svc, "/Templates/")          # the Go client's trailing slash
    assert r.status_code == 200, r.text
    return {t["CommonName"]: t for t in r.json()}


def test_every_template_decodes_as_the_go_client_reads_it(svc):
    ts = templates(svc)
    assert {"WebServer", "RsaOnly", "Restricted", "NeedsApproval"} <= set(ts)
    ids = [t["Id"] for t in ts.values()]
    assert len(set(ids)) == len(ids) and all(i > 0 for i in ids)
    for t in ts.values():
        assert set(t) == TEMPLATE_KEYS, t
        for k in ("KeySize", "KeyType", "KeyRetention"):
            assert isinstance(t[k], str), (k, t)
    web = ts["WebServer"]
    assert web["KeyType"] == "ECC" or web["KeyType"] == "RSA"
    assert [e["DisplayName"] for e in web["ExtendedKeyUsages"]] == \
        ["Server Authentication", "Client Authentication"]
    assert [e["Oid"] for e in web["ExtendedKeyUsages"]] == \
        ["1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2"]
    assert ts["NeedsApproval"]["RequiresApproval"] is True
    assert ts["WebServer"]["RequiresApproval"] is False
    assert ts["Restricted"]["TemplateRegexes"][0]["Regex"] == "^[a-z0-9.-]+\\.example\\.com$"


def test_a_certificates_template_id_leads_to_its_template(svc):
    r = svc.enroll({"Subject": "CN=catalog.example.com", "Template": "RsaOnly",
                    "KeyType": "RSA", "KeyLength": 2048, "Timestamp": TS,
                    "SANs": {"dns": ["catalog.example.com"]}}, fmt="PEM")
    assert r.status_code == 200, r.text
    cid = r.json()["CertificateInformation"]["KeyfactorId"]
    cert = get(svc, "/Certificates/%d" % cid).json()
    assert cert["TemplateId"] == templates(svc)["RsaOnly"]["Id"]
    r = get(svc, "/Templates/%d" % cert["TemplateId"])
    assert r.status_code == 200, r.text
    t = r.json()
    assert set(t) == DETAIL_KEYS
    assert t["CommonName"] == "RsaOnly" and t["KeyType"] == "RSA"
    assert t["TemplatePolicy"]["RSAValidKeySizes"] == [2048, 3072]
    assert t["TemplatePolicy"]["ECCValidCurves"] == []
    # ... and its CA id to the CA
    cas = {c["Id"]: c for c in get(svc, "/CertificateAuthority").json()}
    ca = cas[cert["CertificateAuthorityId"]]
    assert "%s\\%s" % (ca["HostName"], ca["LogicalName"]) == cert["CertificateAuthorityName"]


def test_metadata_of_the_default_pattern_and_curves(svc):
    web = templates(svc)["WebServer"]
    t = get(svc, "/Templates/%d" % web["Id"]).json()
    # the default pattern has no metadata (pattern 5 does)
    assert t["MetadataFields"] == []
    assert t["TemplatePolicy"]["TemplateId"] == web["Id"]


def test_the_ca_list(svc):
    r = get(svc, "/CertificateAuthority")
    assert r.status_code == 200, r.text
    names = ["%s\\%s" % (c["HostName"], c["LogicalName"]) for c in r.json()]
    assert ROOT_CA in names and ISSUING_CA in names
    for c in r.json():
        assert isinstance(c["Properties"], str) and isinstance(c["Id"], int)
        assert c["Id"] > 0


def test_pages(svc):
    n = len(templates(svc))
    one = get(svc, "/Templates", **{"sq.returnLimit": "1", "sq.pageReturned": "2"})
    assert one.status_code == 200 and len(one.json()) == 1
    assert get(svc, "/Templates", ReturnLimit="1", PageReturned=str(n + 1)).json() == []
    assert len(get(svc, "/CertificateAuthority", **{"pq.returnLimit": "1"}).json()) == 1


def test_queries(svc):
    """The queries Keyfactor's scripts and SDK send (sq. for the SDK's
    templates, bare for the scripts, pq. for CAs)."""
    names = lambda r: sorted(t["CommonName"] for t in r.json())  # noqa: E731
    every = names(get(svc, "/Templates", ReturnLimit="5000"))
    r = get(svc, "/Templates", QueryString='AllowedEnrollmentType -eq "2"', ReturnLimit="200")
    assert r.status_code == 200, r.text
    assert names(r) == every  # every template takes CSRs
    r = get(svc, "/Templates", **{"sq.queryString": 'ShortName -eq "restricted" OR '
                                  '(DisplayName -startswith "Rsa")'})
    assert names(r) == ["Restricted", "RsaOnly"], r.text
    r = get(svc, "/Templates", QueryString="RequiresApproval -eq true")
    assert names(r) == ["NeedsApproval"], r.text
    r = get(svc, "/Templates", QueryString="HasPrivateKeyRetention -eq true")
    assert r.json() == [], r.text
    cas = get(svc, "/CertificateAuthority", **{"pq.queryString": 'LogicalName -eq "IssuingCA"'})
    assert [c["LogicalName"] for c in cas.json()] == ["IssuingCA"], cas.text
    cas = get(svc, "/CertificateAuthority", **{"pq.queryString": 'HostName -endswith ".test"',
                                               "pq.returnLimit": "1", "pq.pageReturned": "3"})
    assert len(cas.json()) == 1, cas.text


def test_metadata_fields(svc):
    """cert-manager's command issuer checks GET /MetadataFields before it
    sends metadata: 200, an array, every Name a string."""
    r = get(svc, "/MetadataFields")
    assert r.status_code == 200, r.text
    fields = r.json()
    assert [f["Id"] for f in fields] == list(range(1, len(fields) + 1))
    by = {f["Name"]: f for f in fields}
    assert sorted(by) == sorted(by, key=str.lower) == ["CostCenter", "Owner", "Tier"]
    assert (by["Owner"]["DataType"], by["Owner"]["Enrollment"]) == (7, 1)
    assert (by["CostCenter"]["DataType"], by["CostCenter"]["Enrollment"]) == (2, 0)
    assert (by["Tier"]["DataType"], by["Tier"]["Options"]) == (5, "gold,silver")
    for f in fields:
        assert isinstance(f["Name"], str) and f["AllowAPI"] is True
    one = get(svc, "/MetadataFields", **{"pq.queryString": 'Name -eq "tier"'})
    assert [f["Name"] for f in one.json()] == ["Tier"], one.text
    assert get(svc, "/MetadataFields", user="bob").status_code == 403


@pytest.mark.parametrize("path,params,status,needle", [
    ("/Templates/987654", None, 404, "987654"),
    ("/Templates/abc", None, 400, None),
    ("/Templates", {"QueryString": 'IssuedCN -eq "x"'}, 400,
     "QueryString: unknown field 'IssuedCN'"),
    ("/Templates", {"sq.queryString": "HasPrivateKeyRetention -eq maybe"}, 400,
     "sq.QueryString: HasPrivateKeyRetention: 'maybe'"),
    ("/Templates", {"sq.returnLimit": "-1"}, 400, "ReturnLimit"),
    ("/CertificateAuthority", {"pq.queryString": 'LogicalName -eq "x'}, 400,
     "pq.QueryString: unterminated quote"),
])
def test_bad_requests(svc, path, params, status, needle):
    r = get(svc, path, **(params or {}))
    assert r.status_code == status, r.text
    assert r.json()["ErrorCode"].startswith("0xA01")
    if needle:
        assert needle in r.json()["Message"]


def test_claims(svc):
    r = get(svc, "/Templates", user="bob")
    assert r.status_code == 403
    assert "/certificate_templates/read/" in r.json()["Message"]
    r = get(svc, "/CertificateAuthority", user="bob")
    assert r.status_code == 403
    assert "Certificate Authorities - Read" in r.json()["Message"]
    assert get(svc, "/Templates", user=None).status_code == 401
    assert svc.request("POST", "/Templates", user="alice", json={}).status_code == 405
