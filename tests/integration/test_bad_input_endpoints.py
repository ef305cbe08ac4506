"""The bad-input matrix for every endpoint but /Enrollment/PFX (which has
its own table in test_bad_input.py): hostile and malformed requests get a
4xx with the API's error body -- never a 5xx, never a hang -- and leave
LMDB exactly as it was."""
import pytest

GUID = "3f2504e0-4f89-11d3-9a0c-0305e82c3301"
TS = "2026-11-25T10:00:00Z"
DEEP = b"[" * 300 + b"]" * 300
HUGE_NUM = b'{"CertificateId": 1' + b"0" * 400 + b', "Timestamp": "2026-11-25T10:00:00Z"}'
BAD_UTF8 = b'{"Comment": "\xc0\xaf", "CertificateRequestIds": [1]}'
NUL = b'{"Password": "ab\\u0000cd", "CertificateId": 1, "Stores": [{"StoreId": "' + GUID.encode() + b'"}]}'


def c(cid, method, path, status, *, body=None, data=None, user="storeops",
      requested_with=True, headers=None, needle=None):
    return pytest.param(dict(method=method, path=path, status=status, body=body,
                             data=data, user=user, requested_with=requested_with,
                             headers=headers, needle=needle), id=cid)


DEPLOY = "/Enrollment/PFX/Deploy"
REPLACE = "/Enrollment/PFX/Replace"
RENEW = "/Enrollment/Renew"
AVAIL = "/Enrollment/AvailableRenewal"
WF = "/Workflow/Certificates"

CASES = [
    # -- Deploy -------------------------------------------------------------
    c("deploy-not-json", "POST", DEPLOY, 400, data=b"{nope", needle="JSON"),
    c("deploy-array", "POST", DEPLOY, 400, data=b"[]", needle="object"),
    c("deploy-deep", "POST", DEPLOY, 400, data=DEEP, needle="JSON"),
    c("deploy-nul-password", "POST", DEPLOY, 400, data=NUL),
    c("deploy-bad-utf8", "POST", DEPLOY, 400, data=b'{"Password": "\xff\xfe"}', needle="UTF-8"),
    c("deploy-no-password", "POST", DEPLOY, 400, body={"Stores": [{"StoreId": GUID}], "CertificateId": 1}, needle="Password"),
    c("deploy-password-number", "POST", DEPLOY, 400, body={"Password": 5, "CertificateId": 1}, needle="Password"),
    c("deploy-stores-object", "POST", DEPLOY, 400, body={"Stores": {"StoreId": GUID}, "Password": "p" * 12, "CertificateId": 1}, needle="Stores"),
    c("deploy-store-guid-number", "POST", DEPLOY, 400, body={"Stores": [{"StoreId": 7}], "Password": "p" * 12, "CertificateId": 1}, needle="StoreId"),
    c("deploy-store-guid-short", "POST", DEPLOY, 400, body={"Stores": [{"StoreId": GUID[:-1]}], "Password": "p" * 12, "CertificateId": 1}, needle="GUID"),
    c("deploy-store-guid-braces", "POST", DEPLOY, 400, body={"Stores": [{"StoreId": "{" + GUID + "}"}], "Password": "p" * 12, "CertificateId": 1}, needle="GUID"),
    c("deploy-store-element-string", "POST", DEPLOY, 400, body={"Stores": [GUID], "Password": "p" * 12, "CertificateId": 1}, needle="Stores"),
    c("deploy-storeids-not-guid", "POST", DEPLOY, 400, body={"StoreIds": ["x"], "Password": "p" * 12, "CertificateId": 1}, needle="StoreIds"),
    c("deploy-storeids-string", "POST", DEPLOY, 400, body={"StoreIds": GUID, "Password": "p" * 12, "CertificateId": 1}, needle="StoreIds"),
    c("deploy-alias-traversal", "POST", DEPLOY, 400, body={"Stores": [{"StoreId": GUID, "Alias": "../x"}], "Password": "p" * 12, "CertificateId": 1}, needle="Alias"),
    c("deploy-alias-number", "POST", DEPLOY, 400, body={"Stores": [{"StoreId": GUID, "Alias": 5}], "Password": "p" * 12, "CertificateId": 1}, needle="Alias"),
    c("deploy-alias-long", "POST", DEPLOY, 400, body={"Stores": [{"StoreId": GUID, "Alias": "a" * 300}], "Password": "p" * 12, "CertificateId": 1}, needle="Alias"),
    c("deploy-overwrite-string", "POST", DEPLOY, 400, body={"Stores": [{"StoreId": GUID, "Overwrite": "maybe"}], "Password": "p" * 12, "CertificateId": 1}, needle="Overwrite"),
    c("deploy-certid-string", "POST", DEPLOY, 400, body={"Stores": [{"StoreId": GUID}], "Password": "p" * 12, "CertificateId": "one"}, needle="CertificateId"),
    c("deploy-certid-huge", "POST", DEPLOY, 400, data=b'{"Stores": [{"StoreId": "' + GUID.encode() + b'"}], "Password": "pppppppppppp", "CertificateId": 1' + b"0" * 40 + b'}', needle="CertificateId"),
    c("deploy-certid-negative", "POST", DEPLOY, 400, body={"Stores": [{"StoreId": GUID}], "Password": "p" * 12, "CertificateId": -3}),
    # Ids are the API's int32: a larger one is refused, not looked up.
    c("deploy-certid-over-int32", "POST", DEPLOY, 400, body={"Stores": [{"StoreId": GUID}], "Password": "p" * 12, "CertificateId": 2 ** 31}, needle="CertificateId: an id from 1 to 2147483647"),
    c("deploy-requestid-over-int32", "POST", DEPLOY, 400, body={"Stores": [{"StoreId": GUID}], "Password": "p" * 12, "RequestId": 2 ** 40}, needle="RequestId"),
    c("replace-existing-zero", "POST", REPLACE, 400, body={"ExistingCertificateId": 0, "CertificateId": 1, "Password": "p" * 12}, needle="ExistingCertificateId"),
    c("deploy-no-ids", "POST", DEPLOY, 400, body={"Stores": [{"StoreId": GUID}], "Password": "p" * 12}, needle="CertificateId"),
    c("deploy-unknown-cert", "POST", DEPLOY, 400, body={"Stores": [{"StoreId": GUID}], "Password": "p" * 12, "CertificateId": 987654}, needle="private key"),
    c("deploy-unknown-request", "POST", DEPLOY, 404, body={"Stores": [{"StoreId": GUID}], "Password": "p" * 12, "RequestId": 987654}),
    c("deploy-jobtime-bad", "POST", DEPLOY, 400, body={"Stores": [{"StoreId": GUID}], "Password": "p" * 12, "CertificateId": 1, "JobTime": "tomorrow"}, needle="JobTime"),
    c("deploy-jobtime-number", "POST", DEPLOY, 400, body={"Stores": [{"StoreId": GUID}], "Password": "p" * 12, "CertificateId": 1, "JobTime": 5}, needle="JobTime"),
    c("deploy-too-many-stores", "POST", DEPLOY, 400, body={"Stores": [{"StoreId": GUID}] * 65, "Password": "p" * 12, "CertificateId": 1}, needle="Stores"),
    c("deploy-get", "GET", DEPLOY, 405),
    c("deploy-no-requested-with", "POST", DEPLOY, 400, body={}, requested_with=False, needle="requested-with"),
    c("deploy-text-plain", "POST", DEPLOY, 415, data=b"{}", headers={"content-type": "text/plain"}),
    c("deploy-no-user", "POST", DEPLOY, 401, body={}, user=None),
    c("deploy-no-claim", "POST", DEPLOY, 403, body={}, user="carol"),
    # -- Replace ------------------------------------------------------------
    c("replace-not-json", "POST", REPLACE, 400, data=b"nope", needle="JSON"),
    c("replace-no-existing", "POST", REPLACE, 400, body={"CertificateId": 1, "Password": "p" * 12}, needle="ExistingCertificateId"),
    c("replace-existing-string", "POST", REPLACE, 400, body={"ExistingCertificateId": "x", "CertificateId": 1, "Password": "p" * 12}, needle="ExistingCertificateId"),
    c("replace-both-ids", "POST", REPLACE, 400, body={"ExistingCertificateId": 1, "CertificateId": 1, "RequestId": 1, "Password": "p" * 12}, needle="not both"),
    c("replace-neither-id", "POST", REPLACE, 400, body={"ExistingCertificateId": 1, "Password": "p" * 12}, needle="CertificateId"),
    c("replace-unknown-existing", "POST", REPLACE, 404, body={"ExistingCertificateId": 987654, "CertificateId": 1, "Password": "p" * 12}),
    c("replace-no-password", "POST", REPLACE, 400, body={"ExistingCertificateId": 1, "CertificateId": 1}, needle="Password"),
    c("replace-jobtime-bad", "POST", REPLACE, 400, body={"ExistingCertificateId": 1, "CertificateId": 1, "Password": "p" * 12, "JobTime": "13/45/2026 99:00:00"}, needle="JobTime"),
    c("replace-deep", "POST", REPLACE, 400, data=DEEP),
    c("replace-put", "PUT", REPLACE, 405, body={}),
    c("replace-no-claim", "POST", REPLACE, 403, body={}, user="carol"),
    # -- Renew --------------------------------------------------------------
    c("renew-not-json", "POST", RENEW, 400, data=b"{", needle="JSON"),
    c("renew-array", "POST", RENEW, 400, data=b"[1]", needle="object"),
    c("renew-no-timestamp", "POST", RENEW, 400, body={"CertificateId": 1}, needle="Timestamp"),
    c("renew-bad-timestamp", "POST", RENEW, 400, body={"CertificateId": 1, "Timestamp": "2026-02-30T00:00:00Z"}, needle="Timestamp"),
    c("renew-neither", "POST", RENEW, 400, body={"Timestamp": TS}, needle="CertificateId"),
    c("renew-both", "POST", RENEW, 400, body={"CertificateId": 1, "Thumbprint": "A" * 40, "Timestamp": TS}, needle="CertificateId"),
    c("renew-thumb-short", "POST", RENEW, 400, body={"Thumbprint": "ABC", "Timestamp": TS}, needle="Thumbprint"),
    c("renew-thumb-nonhex", "POST", RENEW, 400, body={"Thumbprint": "Z" * 40, "Timestamp": TS}, needle="Thumbprint"),
    c("renew-thumb-number", "POST", RENEW, 400, body={"Thumbprint": 12, "Timestamp": TS}, needle="Thumbprint"),
    c("renew-unknown-id", "POST", RENEW, 404, body={"CertificateId": 987654, "Timestamp": TS}),
    c("renew-unknown-thumb", "POST", RENEW, 404, body={"Thumbprint": "A" * 40, "Timestamp": TS}),
    c("renew-negative-id", "POST", RENEW, 400, body={"CertificateId": -1, "Timestamp": TS}),
    c("renew-id-over-int32", "POST", RENEW, 400, body={"CertificateId": 4294967297, "Timestamp": TS}, needle="CertificateId: an id"),
    c("renew-huge-id", "POST", RENEW, 400, data=HUGE_NUM, needle="CertificateId"),
    c("renew-ca-string", "POST", RENEW, 400, body={"CertificateId": 1, "Timestamp": TS, "CertificateAuthority": 5}, needle="CertificateAuthority"),
    c("renew-get", "GET", RENEW, 405),
    c("renew-no-user", "POST", RENEW, 401, body={}, user=None),
    c("renew-no-claim", "POST", RENEW, 403, body={}, user="carol"),
    # -- AvailableRenewal ---------------------------------------------------
    c("avail-id-letters", "GET", AVAIL + "/Id/abc", 400),
    c("avail-id-zero", "GET", AVAIL + "/Id/0", 400),
    c("avail-id-negative", "GET", AVAIL + "/Id/-5", 400),
    c("avail-id-huge", "GET", AVAIL + "/Id/" + "9" * 40, 400),
    c("avail-id-space", "GET", AVAIL + "/Id/%205", 400),
    c("avail-id-unknown", "GET", AVAIL + "/Id/987654", 404),
    c("avail-thumb-short", "GET", AVAIL + "/Thumbprint/ABCDEF", 400),
    c("avail-thumb-nonhex", "GET", AVAIL + "/Thumbprint/" + "G" * 40, 400),
    c("avail-thumb-unknown", "GET", AVAIL + "/Thumbprint/" + "B" * 40, 404),
    c("avail-post", "POST", AVAIL + "/Id/1", 405, body={}),
    c("avail-unknown-kind", "GET", AVAIL + "/Serial/1", 404),
    c("avail-no-claim", "GET", AVAIL + "/Id/1", 403, user="carol"),
    # -- Certificates -------------------------------------------------------
    c("cert-id-letters", "GET", "/Certificates/abc", 400),
    c("cert-id-zero", "GET", "/Certificates/0", 400),
    c("cert-id-huge", "GET", "/Certificates/" + "9" * 30, 400),
    c("cert-id-float", "GET", "/Certificates/1.5", 400),
    c("cert-unknown", "GET", "/Certificates/987654", 404),
    c("cert-post", "POST", "/Certificates/1", 405, body={}),
    c("cert-delete", "DELETE", "/Certificates/1", 405),
    # a word where the id goes is no declared path: 404, not "use GET"
    c("cert-undeclared-post", "POST", "/Certificates/Frobnicate", 404, body={},
      needle="No such endpoint"),
    c("cert-undeclared-delete", "DELETE", "/Certificates/Frobnicate", 404,
      needle="No such endpoint"),
    c("cert-query-unknown-field", "GET", "/Certificates?pq.queryString=Foo%20-eq%201", 400, needle="queryString"),
    c("cert-query-unterminated", "GET", "/Certificates?pq.queryString=IssuedCN%20-eq%20%22abc", 400, needle="queryString"),
    c("cert-query-bad-op", "GET", "/Certificates?pq.queryString=Id%20-contains%201", 400, needle="queryString"),
    c("cert-query-id-letters", "GET", "/Certificates?pq.queryString=Id%20-eq%20abc", 400),
    c("cert-limit-letters", "GET", "/Certificates?pq.returnLimit=abc", 400),
    c("cert-limit-negative", "GET", "/Certificates?pq.returnLimit=-1", 400),
    c("cert-page-letters", "GET", "/Certificates?pq.pageReturned=x", 400),
    c("cert-bool-bad", "GET", "/Certificates/1?includeLocations=perhaps", 400),
    c("cert-no-claim", "GET", "/Certificates/1", 403, user="bob"),
    c("cert-no-user", "GET", "/Certificates/1", 401, user=None),
    # -- CertificateStores --------------------------------------------------
    c("store-bad-guid", "GET", "/CertificateStores/not-a-guid", 400),
    c("store-guid-too-long", "GET", "/CertificateStores/" + GUID + "0", 400),
    c("store-unknown", "GET", "/CertificateStores/" + GUID, 404),
    c("store-post", "POST", "/CertificateStores", 405, body={}),
    c("store-limit-bad", "GET", "/CertificateStores?pagedQuery.returnLimit=zz", 400),
    c("store-no-claim", "GET", "/CertificateStores", 403, user="alice"),
    # -- Workflow -----------------------------------------------------------
    c("wf-undeclared-post", "POST", WF + "/Frobnicate", 404, body=[1],
      user="approver", needle="No such endpoint"),
    c("wf-approve-empty", "POST", WF + "/Approve", 400, body=[], user="approver"),
    c("wf-approve-object", "POST", WF + "/Approve", 400, body={"x": 1}, user="approver"),
    c("wf-approve-strings", "POST", WF + "/Approve", 400, body=["a"], user="approver"),
    c("wf-approve-negative", "POST", WF + "/Approve", 400, body=[-1], user="approver"),
    c("wf-approve-nested", "POST", WF + "/Approve", 400, body=[[1]], user="approver"),
    c("wf-approve-deep", "POST", WF + "/Approve", 400, data=DEEP, user="approver"),
    c("wf-approve-not-json", "POST", WF + "/Approve", 400, data=b"1,2", user="approver"),
    c("wf-approve-too-many", "POST", WF + "/Approve", 400, body=list(range(1, 1100)), user="approver"),
    c("wf-deny-no-ids", "POST", WF + "/Deny", 400, body={"Comment": "x"}, user="approver", needle="CertificateRequestIds"),
    c("wf-deny-ids-object", "POST", WF + "/Deny", 400, body={"CertificateRequestIds": {"a": 1}}, user="approver"),
    c("wf-deny-comment-number", "POST", WF + "/Deny", 400, body={"Comment": 5, "CertificateRequestIds": [1]}, user="approver", needle="Comment"),
    c("wf-deny-bad-utf8", "POST", WF + "/Deny", 400, data=BAD_UTF8, user="approver", needle="UTF-8"),
    c("wf-deny-array", "POST", WF + "/Deny", 400, body=[1], user="approver"),
    c("wf-pending-limit-bad", "GET", WF + "/Pending?pagedQuery.returnLimit=x", 400, user="approver"),
    c("wf-denied-page-bad", "GET", WF + "/Denied?pq.pageReturned=-2", 400, user="approver"),
    c("wf-get-letters", "GET", WF + "/abc", 400, user="approver"),
    c("wf-get-unknown", "GET", WF + "/987654", 404, user="approver"),
    c("wf-approve-get", "GET", WF + "/Approve", 405, user="approver"),
    c("wf-pending-post", "POST", WF + "/Pending", 405, body=[], user="approver"),
    c("wf-no-claim", "POST", WF + "/Approve", 403, body=[1], user="alice"),
    c("wf-no-user", "GET", WF + "/Pending", 401, user=None),
    # -- Routing ------------------------------------------------------------
    c("unknown-endpoint", "GET", "/NoSuchThing", 404),
    c("unknown-enrollment", "POST", "/Enrollment/Frobnicate", 404, body={}),
    # A program's own prefix with a path none of its endpoints declares.
    c("cert-extra-segment", "GET", "/Certificates/1/2", 404),
    c("store-extra-segment", "GET", "/CertificateStores/x/y", 404),
    c("wf-unknown", "GET", WF + "/Approve/1", 404, user="approver"),
    c("avail-no-id", "GET", AVAIL + "/Id", 404),
    c("avail-unknown-kind", "GET", AVAIL + "/Serial/1", 404),
    c("deploy-extra", "POST", DEPLOY + "/More", 404, body={}),
]

# A wrong method answers 405 with Allow naming what the path takes.
ALLOW = [
    ("GET", DEPLOY, "POST"),
    ("DELETE", "/Certificates/1", "GET, HEAD"),
    ("POST", "/Certificates", "GET, HEAD"),
    ("GET", WF + "/Approve", "POST"),
    ("POST", WF + "/Pending", "GET, HEAD"),
    ("PUT", AVAIL + "/Thumbprint/AB", "GET, HEAD"),
    ("POST", "/Status/Endpoints", "GET, HEAD"),
]


@pytest.mark.parametrize("method,path,allow", ALLOW)
def test_wrong_method_names_the_allowed(svc, method, path, allow):
    before = svc.db_digest()
    r = svc.request(method, path, user="approver", json={} if method != "GET" else None)
    assert r.status_code == 405, r.text
    assert r.headers.get("Allow") == allow
    assert allow in r.json()["Message"]
    assert svc.db_digest() == before


def test_status_lists_every_declared_endpoint(svc):
    r = svc.request("GET", "/Status/Endpoints")
    assert r.status_code == 200, r.text
    listed = r.json()
    for e in ("POST /Enrollment/PFX", "POST /Enrollment/PFX/Deploy",
              "POST /Enrollment/PFX/Replace", "POST /Enrollment/Renew",
              "GET /Enrollment/AvailableRenewal/Id/{id}",
              "GET /Enrollment/AvailableRenewal/Thumbprint/{thumbprint}",
              "GET /Certificates/{id}", "GET /Certificates",
              "GET /CertificateStores", "GET /CertificateStores/{id}",
              "POST /Workflow/Certificates/Approve",
              "POST /Workflow/Certificates/Deny",
              "GET /Workflow/Certificates/Pending",
              "GET /Workflow/Certificates/Denied",
              "GET /Workflow/Certificates/{id}", "GET /Status/Endpoints"):
        assert e in listed, e
    assert len(listed) == len(set(listed))
    assert not [e for e in listed if "health" in e or ":" in e]


@pytest.mark.parametrize("case", CASES)
def test_bad_request(svc, case):
    before = svc.db_digest()
    r = svc.request(case["method"], case["path"], user=case["user"], json=case["body"],
                    data=case["data"], headers=case["headers"],
                    requested_with=case["requested_with"])
    assert r.status_code == case["status"], r.text
    assert 400 <= r.status_code < 500
    j = r.json()
    assert j["ErrorCode"].startswith("0xA011") and j["Message"]
    if case["needle"]:
        assert case["needle"].lower() in j["Message"].lower(), j["Message"]
    assert svc.db_digest() == before
