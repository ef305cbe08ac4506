"""The approval workflow end to end through nginx (issue #4): a NeedsApproval
enrollment waits as PENDING, is listed, approved (issued then, staged for
Deploy; v2 Stores get their jobs then) or denied, and the admin tool
approves too.  Certificates are checked with Python's cryptography."""
import base64
import concurrent.futures
import datetime
import json
import os
import time

import pytest
from cryptography import x509
from cryptography.x509.oid import NameOID

from conftest import ISSUING_CA
from test_renew import (PW, agent, deployed, deploy, enroll, get_cert, jobs,
                        locations, p12_entries, pem_cert, pem_key, public_der,
                        stores, thumb)  # noqa: F401 (stores is a fixture)

P_KEYS = {"CARowId", "CARequestId", "CAHost", "CALogicalName", "KeyfactorRequestId",
          "Comment"}
VIEW_KEYS = {"Id", "CARequestId", "CommonName", "DistinguishedName", "SubmissionDate",
             "CertificateAuthority", "Template", "Requester", "State", "StateString",
             "Metadata"}
MANAGE = "/certificates/requests/manage/"
ALERTS = "/monitoring/alerts/read/"


def pending(svc, cn, user="alice", fmt="PFX", version=None, password=PW, **extra):
    r = enroll(svc, cn, user=user, fmt=fmt, version=version, template="NeedsApproval",
               password=password, **extra)
    assert r.status_code == 200, r.text
    body = r.json()
    ci = body["CertificateInformation"]
    assert ci["RequestDisposition"] == "PENDING", ci
    assert isinstance(ci["KeyfactorRequestId"], int) and ci["KeyfactorRequestId"] > 0
    assert ci["KeyfactorId"] == 0
    assert ci["Thumbprint"] is None and ci["SerialNumber"] is None
    assert ci["Pkcs12Blob"] is None
    return body


def wf(svc, method, path, user="approver", **kw):
    return svc.request(method, "/Workflow/Certificates" + path, user=user, **kw)


def approve(svc, ids, user="approver"):
    return wf(svc, "POST", "/Approve", user=user, json=ids)


def deny(svc, ids, comment=None, user="approver"):
    b = {"CertificateRequestIds": ids}
    if comment is not None:
        b["Comment"] = comment
    return wf(svc, "POST", "/Deny", user=user, json=b)


def listing(svc, which, params=None, user="approver"):
    """A listing; without params, one page large enough for everything."""
    r = wf(svc, "GET", "/" + which, user=user,
           params=params if params is not None else {"pq.returnLimit": "1000"})
    assert r.status_code == 200, r.text
    assert isinstance(r.json(), list)
    return r.json()


def ids_in(items):
    return [i["Id"] for i in items]


def request_view(svc, rid, user="approver"):
    r = wf(svc, "GET", "/%d" % rid, user=user)
    assert r.status_code == 200, r.text
    return r.json()


def result_ids(ans, key):
    return [p["KeyfactorRequestId"] for p in ans[key]]


def issued_cert(svc, rid):
    v = request_view(svc, rid)
    assert v["State"] == 2 and v["StateString"] == "Issued", v
    c = get_cert(svc, v["CertificateId"])
    return c, x509.load_der_x509_certificate(base64.b64decode(c["ContentBytes"]))


# -- pending, listed, approved, deployed --------------------------------------
def test_pending_is_listed_with_request_details(svc):
    cn = "wf-listed.example.com"
    body = pending(svc, cn, Metadata={})
    rid = body["CertificateInformation"]["KeyfactorRequestId"]
    items = [i for i in listing(svc, "Pending") if i["Id"] == rid]
    assert len(items) == 1
    it = items[0]
    assert VIEW_KEYS <= set(it), it
    assert it["State"] == 1 and it["StateString"] == "Pending"
    # what the approver decides on: the names asked for
    assert it["SANs"] == {"dns": [cn]}, it
    assert it["CommonName"] == cn
    assert "CN=%s" % cn in it["DistinguishedName"]
    assert it["Template"] == "NeedsApproval"
    assert it["CertificateAuthority"] == ISSUING_CA
    assert it["Requester"] == "alice"
    assert it["CARequestId"] == str(rid)
    assert it["SubmissionDate"].endswith("Z")
    # Not in the denied list, and its own view says the same.
    assert rid not in ids_in(listing(svc, "Denied"))
    v = request_view(svc, rid)
    assert v["State"] == 1 and v["Id"] == rid and "CertificateId" not in v


@pytest.mark.parametrize("prefix", ["", "pq.", "pagedQuery.", "PQ."])
def test_pending_paging_query_names(svc, prefix):
    for n in range(3):
        pending(svc, "wf-page%d.example.com" % n)
    full = ids_in(listing(svc, "Pending", {prefix + "returnLimit": "1000"}))
    assert len(full) >= 3
    one = ids_in(listing(svc, "Pending", {prefix + "returnLimit": "1"}))
    assert one == full[:1]
    two = ids_in(listing(svc, "Pending", {prefix + "returnLimit": "2",
                                          prefix + "pageReturned": "2"}))
    assert two == full[2:4]


@pytest.mark.parametrize("name,value", [("pq.returnLimit", "-1"),
                                        ("pagedQuery.returnLimit", "many"),
                                        ("pq.pageReturned", "x")])
def test_pending_bad_paging_is_400(svc, name, value):
    r = wf(svc, "GET", "/Pending", params={name: value})
    assert r.status_code == 400, r.text
    assert r.json()["ErrorCode"] == "0xA0110001"


@pytest.mark.parametrize("fmt,version,password", [
    ("PFX", None, PW), ("STORE", None, PW), ("STORE", 2, PW), ("PFX", None, None)],
    ids=["v1-pfx", "v1-store", "v2-store", "v1-generated-password"])
def test_approve_then_deploy_with_request_id(svc, stores, fmt, version, password):
    cn = "wf-approve-%s-%s.example.com" % (fmt.lower(), version or 1)
    if password is None:
        cn = "wf-genpw.example.com"
    body = pending(svc, cn, user="storeops", fmt=fmt, version=version,
                   password=password)
    ci = body["CertificateInformation"]
    rid = ci["KeyfactorRequestId"]
    pw = password if password is not None else ci["Password"]
    if password is None:
        assert isinstance(pw, str) and len(pw) >= 12
    else:
        assert ci["Password"] is None
    if version == 2:
        assert body["SuccessfulStores"] == []
    # Deploy before approval: nothing to deploy yet.
    before = svc.db_digest()
    r = deploy(svc, {"Stores": [{"StoreId": stores["pem"], "Alias": "early"}],
                     "RequestId": rid, "Password": pw})
    assert r.status_code == 400 and "RequestId" in r.json()["Message"], r.text
    assert svc.db_digest() == before

    r = approve(svc, [rid])
    assert r.status_code == 200, r.text
    ans = r.json()
    assert set(ans) == {"Failures", "Denials", "Successes"}
    assert ans["Failures"] == [] and ans["Denials"] == []
    assert result_ids(ans, "Successes") == [rid]
    p = ans["Successes"][0]
    assert set(p) == P_KEYS
    assert p["CAHost"] == "ca.certenroll.test" and p["CALogicalName"] == "IssuingCA"
    assert p["CARequestId"] == str(rid)

    c, cert = issued_cert(svc, rid)
    assert p["CARowId"] == c["Id"]
    assert cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == cn
    assert c["CertRequestId"] == rid
    assert c["TemplateName"] == "NeedsApproval"
    assert rid not in ids_in(listing(svc, "Pending"))

    r = deploy(svc, {"Stores": [{"StoreId": stores["pem"], "Alias": "approved"}],
                     "RequestId": rid, "Password": pw})
    assert r.status_code == 200, r.text
    assert r.json() == {"SuccessfulStores": [stores["pem"]], "FailedStores": []}
    agent(svc)
    crt = pem_cert(stores["pem_dir"], "approved")
    assert thumb(crt) == c["Thumbprint"]
    key = pem_key(stores["pem_dir"], "approved", pw)
    assert public_der(key.public_key()) == public_der(crt.public_key())


def test_approved_staging_is_the_requesters(svc, stores):
    body = pending(svc, "wf-owner.example.com", user="storeops", fmt="STORE")
    rid = body["CertificateInformation"]["KeyfactorRequestId"]
    assert result_ids(approve(svc, [rid]).json(), "Successes") == [rid]
    before = svc.db_digest()
    r = deploy(svc, {"Stores": [{"StoreId": stores["c7"], "Alias": "notmine"}],
                     "RequestId": rid, "Password": PW}, user="container7")
    assert r.status_code == 400 and "another user" in r.json()["Message"], r.text
    r = deploy(svc, {"Stores": [{"StoreId": stores["pem"], "Alias": "wrongpw"}],
                     "RequestId": rid, "Password": "not-the-password"})
    assert r.status_code == 400 and "Password" in r.json()["Message"], r.text
    assert svc.db_digest() == before


def test_v2_pending_with_stores_delivered_after_approval(svc, stores):
    cn = "wf-v2stores.example.com"
    body = pending(svc, cn, user="storeops", fmt="PFX", version=2,
                   Stores=[{"StoreId": stores["pem"], "Alias": "v2approved",
                            "Overwrite": False}])
    rid = body["CertificateInformation"]["KeyfactorRequestId"]
    assert body["SuccessfulStores"] == []
    assert not [j for j in jobs(svc) if j.get("store_id") == stores["pem"]]
    agent(svc)
    assert not [j for j in jobs(svc) if j.get("store_id") == stores["pem"]]

    r = approve(svc, [rid])
    assert result_ids(r.json(), "Successes") == [rid], r.text
    c, cert = issued_cert(svc, rid)
    mine = [j for j in jobs(svc) if j.get("store_id") == stores["pem"]]
    assert len(mine) == 1
    assert mine[0]["cert_id"] == c["Id"] and mine[0]["alias"] == "v2approved"
    assert mine[0]["status"] == "scheduled"
    agent(svc)
    crt = pem_cert(stores["pem_dir"], "v2approved")
    assert thumb(crt) == c["Thumbprint"] == thumb(cert)
    key = pem_key(stores["pem_dir"], "v2approved", PW)
    assert public_der(key.public_key()) == public_der(crt.public_key())
    r = svc.request("GET", "/Certificates/%d" % c["Id"], user="storeops",
                    params={"includeLocations": "true"})
    assert [(l["CertStoreId"], l["Alias"]) for l in r.json()["Locations"]] == \
        [(stores["pem"], "v2approved")]


# -- deny, refusals -----------------------------------------------------------
def test_deny_with_comment_then_approve_is_refused(svc):
    body = pending(svc, "wf-denied.example.com")
    rid = body["CertificateInformation"]["KeyfactorRequestId"]
    r = deny(svc, [rid], comment="not for production")
    assert r.status_code == 200, r.text
    ans = r.json()
    assert result_ids(ans, "Successes") == [rid]
    assert ans["Failures"] == [] and ans["Denials"] == []
    assert ans["Successes"][0]["Comment"] == "not for production"
    items = [i for i in listing(svc, "Denied", {"pq.returnLimit": "1000"}) if i["Id"] == rid]
    assert len(items) == 1
    assert items[0]["State"] == 3 and items[0]["StateString"] == "Denied"
    assert items[0]["Comment"] == "not for production"
    assert rid not in ids_in(listing(svc, "Pending", {"pq.returnLimit": "1000"}))
    v = request_view(svc, rid)
    assert v["State"] == 3 and v["Comment"] == "not for production"

    before = svc.db_digest()
    r = approve(svc, [rid])
    assert r.status_code == 200, r.text
    assert result_ids(r.json(), "Failures") == [rid]
    assert r.json()["Successes"] == [] and r.json()["Denials"] == []
    assert "not pending" in r.json()["Failures"][0]["Comment"]
    # Denying again is refused too.
    r = deny(svc, [rid], comment="again")
    assert result_ids(r.json(), "Failures") == [rid]
    assert svc.db_digest() == before
    assert request_view(svc, rid)["State"] == 3


def test_approving_an_issued_request_is_refused(svc):
    body = pending(svc, "wf-twice.example.com")
    rid = body["CertificateInformation"]["KeyfactorRequestId"]
    assert result_ids(approve(svc, [rid]).json(), "Successes") == [rid]
    cid = request_view(svc, rid)["CertificateId"]
    before = svc.db_digest()
    r = approve(svc, [rid])
    assert r.status_code == 200
    assert result_ids(r.json(), "Failures") == [rid] and r.json()["Successes"] == []
    r = deny(svc, [rid], comment="too late")
    assert result_ids(r.json(), "Failures") == [rid] and r.json()["Successes"] == []
    assert svc.db_digest() == before
    assert request_view(svc, rid)["CertificateId"] == cid
    # An immediately issued (non-approval) request cannot be approved either.
    ci = enroll(svc, "wf-direct.example.com", user="alice", fmt="PFX").json()[
        "CertificateInformation"]
    r = approve(svc, [ci["KeyfactorRequestId"]])
    assert result_ids(r.json(), "Failures") == [ci["KeyfactorRequestId"]]


def test_self_approval_is_a_denial(svc):
    body = pending(svc, "wf-self.example.com", user="approver")
    rid = body["CertificateInformation"]["KeyfactorRequestId"]
    before = svc.db_digest()
    r = approve(svc, [rid], user="approver")
    assert r.status_code == 200, r.text
    assert result_ids(r.json(), "Denials") == [rid]
    assert r.json()["Successes"] == [] and r.json()["Failures"] == []
    assert "approver" in r.json()["Denials"][0]["Comment"]
    assert svc.db_digest() == before
    assert request_view(svc, rid)["State"] == 1


def test_mixed_batch(svc):
    a = pending(svc, "wf-batch-a.example.com")["CertificateInformation"]["KeyfactorRequestId"]
    own = pending(svc, "wf-batch-own.example.com", user="approver")[
        "CertificateInformation"]["KeyfactorRequestId"]
    r = approve(svc, [a, 987654, own])
    assert r.status_code == 200, r.text
    assert result_ids(r.json(), "Successes") == [a]
    assert result_ids(r.json(), "Failures") == [987654]
    assert result_ids(r.json(), "Denials") == [own]
    assert request_view(svc, a)["State"] == 2


@pytest.mark.parametrize("body", [[], "x", {"x": 1}, [0], [-1], ["abc"], [1.5], None],
                         ids=["empty", "string", "object", "zero", "negative",
                              "word", "fraction", "null"])
def test_approve_bad_body_is_400(svc, body):
    before = svc.db_digest()
    r = approve(svc, body)
    assert r.status_code == 400, r.text
    assert r.json()["ErrorCode"].startswith("0xA011")
    assert svc.db_digest() == before


def test_approve_not_json_is_rejected(svc):
    before = svc.db_digest()
    r = wf(svc, "POST", "/Approve", data="[1, 2")
    assert r.status_code in (400, 415), r.text
    assert svc.db_digest() == before


@pytest.mark.parametrize("body", [{}, {"CertificateRequestIds": []},
                                  {"CertificateRequestIds": "1"}, [1],
                                  {"CertificateRequestIds": [1], "Comment": 5}],
                         ids=["no ids", "empty", "string", "array", "comment type"])
def test_deny_bad_body_is_400(svc, body):
    before = svc.db_digest()
    r = wf(svc, "POST", "/Deny", json=body)
    assert r.status_code == 400, r.text
    assert svc.db_digest() == before


def test_unknown_ids_are_failures(svc):
    before = svc.db_digest()
    r = approve(svc, [987654, 987655])
    assert r.status_code == 200, r.text
    assert result_ids(r.json(), "Failures") == [987654, 987655]
    assert r.json()["Successes"] == [] and r.json()["Denials"] == []
    assert all("not found" in p["Comment"] for p in r.json()["Failures"])
    r = deny(svc, [987654], comment="x")
    assert result_ids(r.json(), "Failures") == [987654]
    assert svc.db_digest() == before
    r = wf(svc, "GET", "/987654")
    assert r.status_code == 404, r.text
    r = wf(svc, "GET", "/abc")
    assert r.status_code == 400, r.text


@pytest.mark.parametrize("user", ["alice", "storeops", "carol"])
def test_workflow_needs_claim(svc, user):
    rid = pending(svc, "wf-claim-%s.example.com" % user, user="bob")[
        "CertificateInformation"]["KeyfactorRequestId"]
    before = svc.db_digest()
    for method, path, kw, claim in [
            ("POST", "/Approve", {"json": [rid]}, MANAGE),
            ("POST", "/Deny", {"json": {"CertificateRequestIds": [rid]}}, MANAGE),
            ("GET", "/Pending", {}, ALERTS), ("GET", "/Denied", {}, ALERTS),
            ("GET", "/%d" % rid, {}, ALERTS)]:
        r = wf(svc, method, path, user=user, **kw)
        assert r.status_code == 403, (method, path, r.text)
        assert claim in r.json()["Message"]
    assert svc.db_digest() == before
    assert request_view(svc, rid)["State"] == 1


def test_terraforms_pending_sequence(svc):
    """terraform's provider after a PENDING enrollment: it lists the pending
    requests as the requester, and when refused with Keyfactor's words for
    the missing claim ("... Alerts - Read") it polls GET /Certificates by
    CertRequestId until an approver has approved."""
    rid = pending(svc, "tf-pending.example.com")["CertificateInformation"][
        "KeyfactorRequestId"]
    r = wf(svc, "GET", "/Pending", user="alice", params={"pagedQuery.returnLimit": "1000"})
    assert r.status_code == 403, r.text
    assert "does not have any of the required permissions: Alerts - Read" in \
        r.json()["Message"]
    q = {"pq.queryString": "CertRequestId -eq %d" % rid}
    r = svc.request("GET", "/Certificates", user="alice", params=q)
    assert r.status_code == 200 and r.json() == [], r.text
    # who may list may not approve
    assert rid in ids_in(listing(svc, "Pending", user="watcher"))
    r = approve(svc, [rid], user="watcher")
    assert r.status_code == 403 and MANAGE in r.json()["Message"], r.text
    assert approve(svc, [rid]).status_code == 200
    r = svc.request("GET", "/Certificates", user="alice", params=q)
    assert r.status_code == 200, r.text
    assert [c["CertRequestId"] for c in r.json()] == [rid]


def test_the_old_workflow_claim_still_approves(svc):
    """Roles made before Keyfactor's names hold /workflow/instances/manage/:
    it stands for both new claims."""
    rid = pending(svc, "old-claim.example.com", user="bob")["CertificateInformation"][
        "KeyfactorRequestId"]
    assert rid in ids_in(listing(svc, "Pending", user="oldapprover"))
    r = approve(svc, [rid], user="oldapprover")
    assert r.status_code == 200, r.text
    assert result_ids(r.json(), "Successes") == [rid]


def test_external_validation_is_an_empty_list(svc):
    assert listing(svc, "ExternalValidation", {"pagedQuery.returnLimit": "1000"}) == []


# -- the admin tool -------------------------------------------------------------
def test_tool_approves(svc):
    rid = pending(svc, "wf-tool.example.com")["CertificateInformation"]["KeyfactorRequestId"]
    p = svc.tool("request", "approve", str(rid), "--as", "someone")
    assert p.returncode == 0, p.stderr
    ans = json.loads(p.stdout)
    assert result_ids(ans, "Successes") == [rid]
    c, cert = issued_cert(svc, rid)
    assert cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == \
        "wf-tool.example.com"
    # Again: refused, with a failing exit status.
    p = svc.tool("request", "approve", str(rid), "--as", "someone", check=False)
    assert p.returncode != 0
    assert result_ids(json.loads(p.stdout), "Failures") == [rid]


def test_tool_refuses_self_approval_and_denies(svc):
    rid = pending(svc, "wf-tool-self.example.com")["CertificateInformation"]["KeyfactorRequestId"]
    p = svc.tool("request", "approve", str(rid), "--as", "alice", check=False)
    assert p.returncode != 0
    assert result_ids(json.loads(p.stdout), "Denials") == [rid]
    p = svc.tool("request", "deny", str(rid), "--as", "someone", "--comment", "by tool")
    assert p.returncode == 0, p.stderr
    v = request_view(svc, rid)
    assert v["State"] == 3 and v["Comment"] == "by tool"


def test_pending_listing_past_the_end_is_empty(svc):
    pending(svc, "wf-end.example.com")
    assert listing(svc, "Pending", {"pq.returnLimit": "1", "pq.pageReturned": "100000"}) == []
    assert listing(svc, "Denied", {"ReturnLimit": "5", "PageReturned": "100000"}) == []


def test_approve_details_record_requester_not_approver(svc):
    rid = pending(svc, "wf-requester.example.com", user="bob")[
        "CertificateInformation"]["KeyfactorRequestId"]
    assert result_ids(approve(svc, [rid]).json(), "Successes") == [rid]
    c, cert = issued_cert(svc, rid)
    assert c["RequesterName"] == "bob"
    v = request_view(svc, rid)
    assert v["Requester"] == "bob" and v["CertificateId"] == c["Id"]


def test_duplicate_id_in_one_batch_is_issued_once(svc):
    rid = pending(svc, "wf-dupe.example.com")["CertificateInformation"]["KeyfactorRequestId"]
    r = approve(svc, [rid, rid])
    assert r.status_code == 200, r.text
    assert result_ids(r.json(), "Successes") == [rid]
    assert result_ids(r.json(), "Failures") == [rid]
    assert certs_of_request(svc, rid) == 1


def test_deny_without_comment(svc):
    rid = pending(svc, "wf-nocomment.example.com")["CertificateInformation"]["KeyfactorRequestId"]
    r = deny(svc, [rid])
    assert result_ids(r.json(), "Successes") == [rid], r.text
    items = [i for i in listing(svc, "Denied", {"pq.returnLimit": "1000"}) if i["Id"] == rid]
    assert len(items) == 1 and items[0]["Comment"] == ""
    # A denied request has nothing to deploy.
    r = deploy(svc, {"Stores": [{"StoreId": "0b7f1a52-3c4d-4e5f-8a9b-0c1d2e3f4a5b"}],
                     "RequestId": rid, "Password": PW}, user="storeops")
    assert r.status_code == 400 and "RequestId" in r.json()["Message"], r.text


def test_v2_pending_stores_outside_requesters_container(svc, stores):
    """container7 asks for a container-7 and a container-1 store; after
    approval only the container-7 store gets a job."""
    body = pending(svc, "wf-c7.example.com", user="container7", fmt="STORE", version=2,
                   Stores=[{"StoreId": stores["c7"], "Alias": "c7ok"},
                           {"StoreId": stores["pem"], "Alias": "c7ok"}])
    rid = body["CertificateInformation"]["KeyfactorRequestId"]
    assert result_ids(approve(svc, [rid]).json(), "Successes") == [rid]
    c, cert = issued_cert(svc, rid)
    mine = [j for j in jobs(svc) if j.get("cert_id") == c["Id"]]
    assert [j["store_id"] for j in mine] == [stores["c7"]]
    agent(svc)
    assert thumb(pem_cert(stores["c7_dir"], "c7ok")) == c["Thumbprint"]
    assert not os.path.exists(os.path.join(stores["pem_dir"], "c7ok.crt"))


def test_v2_pending_renewal_goes_into_existing_stores_after_approval(svc, stores):
    cn = "wf-renewal.example.com"
    old_ci = deployed(svc, stores, cn, "wfrenew")
    body = pending(svc, cn, user="storeops", fmt="STORE", version=2,
                   RenewalCertificateId=old_ci["KeyfactorId"])
    rid = body["CertificateInformation"]["KeyfactorRequestId"]
    assert body["SuccessfulStores"] == []
    assert result_ids(approve(svc, [rid]).json(), "Successes") == [rid]
    c, cert = issued_cert(svc, rid)
    assert sorted(j["store_id"] for j in jobs(svc) if j.get("cert_id") == c["Id"]) == \
        sorted([stores["pem"], stores["p12"]])
    agent(svc)
    assert thumb(pem_cert(stores["pem_dir"], "wfrenew")) == c["Thumbprint"]
    entries = p12_entries(stores["p12_path"])
    assert entries.get(c["Thumbprint"]) == "wfrenew"
    assert old_ci["Thumbprint"] not in entries
    assert locations(svc, old_ci["KeyfactorId"]) == []


def test_v2_pending_with_passed_jobtime_is_delivered_now(svc, stores):
    # Accepted at submission (within the 60 s tolerance), in the past by the
    # time an approver gets to it.
    jt = (datetime.datetime.now(datetime.timezone.utc) -
          datetime.timedelta(seconds=50)).strftime("%Y-%m-%dT%H:%M:%SZ")
    body = pending(svc, "wf-jobtime.example.com", user="storeops", fmt="STORE", version=2,
                   JobTime=jt, Stores=[{"StoreId": stores["pem"], "Alias": "jobtime"}])
    rid = body["CertificateInformation"]["KeyfactorRequestId"]
    time.sleep(12)
    r = approve(svc, [rid])
    assert r.status_code == 200, r.text
    assert result_ids(r.json(), "Successes") == [rid], r.text
    c, cert = issued_cert(svc, rid)
    agent(svc)
    assert thumb(pem_cert(stores["pem_dir"], "jobtime")) == c["Thumbprint"]


# -- concurrency: one request, one decision -----------------------------------------
def certs_of_request(svc, rid):
    n = 0
    for line in svc.tool("cert", "list").stdout.splitlines():
        if json.loads(line.split("\t", 1)[1]).get("request_id") == rid:
            n += 1
    return n


# RSA-4096 makes the key generation of an approval slow, so that concurrent
# decisions on the same request overlap.
SLOW_KEY = {"KeyType": "RSA", "KeyLength": 4096}


def test_concurrent_approvals_issue_once(svc):
    for n in range(3):
        rid = pending(svc, "wf-race%d.example.com" % n, key=SLOW_KEY)[
            "CertificateInformation"]["KeyfactorRequestId"]
        with concurrent.futures.ThreadPoolExecutor(4) as ex:
            answers = list(ex.map(lambda _: approve(svc, [rid]).json(), range(4)))
        successes = sum(len(a["Successes"]) for a in answers)
        assert successes == 1, answers
        assert certs_of_request(svc, rid) == 1


def test_deny_during_approval_is_one_decision(svc):
    for n in range(3):
        rid = pending(svc, "wf-race-deny%d.example.com" % n, key=SLOW_KEY)[
            "CertificateInformation"]["KeyfactorRequestId"]
        with concurrent.futures.ThreadPoolExecutor(2) as ex:
            fa = ex.submit(lambda: approve(svc, [rid]).json())
            time.sleep(0.05)
            fd = ex.submit(lambda: deny(svc, [rid], comment="race").json())
            a, d = fa.result(), fd.result()
        assert len(a["Successes"]) + len(d["Successes"]) == 1, (a, d)
        state = request_view(svc, rid)["StateString"]
        if d["Successes"]:
            assert state == "Denied" and certs_of_request(svc, rid) == 0
        else:
            assert state == "Issued" and certs_of_request(svc, rid) == 1
