"""What one user can make certenroll keep is bounded, and what a client
sends cannot forge a log line (issue #12, findings 6, 7 and 8).

Each limit (certenroll.conf or `certenroll setting set`) is refused with a
400 that names it, with the database unchanged; at the limit the request
goes through."""
import datetime
import json
import os
import subprocess

import pytest

from conftest import ISSUING_CA
from test_stores import add_store, agent, deploy, enroll_store, jobs, PW

TS = "2026-11-25T10:00:00Z"


def body(cn, template="WebServer", **extra):
    b = {"Subject": "CN=%s" % cn, "Template": template,
         "CertificateAuthority": ISSUING_CA, "KeyType": "ECC", "Timestamp": TS,
         "Password": "bounds-pass-1"}
    b.update(extra)
    return b


def refused(svc, r_fn, *says):
    before = svc.db_digest()
    r = r_fn()
    assert r.status_code == 400, r.text
    assert r.json()["ErrorCode"] == "0xA0110001", r.text
    for s in says:
        assert s in r.json()["Message"], (s, r.json()["Message"])
    assert svc.db_digest() == before
    return r


@pytest.fixture
def setting(svc):
    """setting(name, value): set for this test, back to the default after."""
    names = []

    def set_(name, value):
        names.append(name)
        svc.tool("setting", "set", name, str(value))
    yield set_
    defaults = {"max_sans": 100, "max_rdns": 32, "max_pending_per_user": 100,
                "max_queued_jobs_per_user": 1000, "max_job_delay_days": 366}
    for n in names:
        svc.tool("setting", "set", n, str(defaults[n]))


def program_log(svc):
    return open(os.path.join(svc.run, "certenroll.log"), errors="replace").read()


def test_client_text_cannot_forge_a_log_line(svc):
    forged = "enroll-pfx[audit] req=- user=admin action=sign serial=FORGED"
    r = svc.enroll(body("log.example.com", template="No\n" + forged + "\x1b[2J"))
    assert r.status_code == 400, r.text
    r = svc.enroll(body("log.example.com", template="No\r\n" + forged))
    assert r.status_code == 400, r.text
    log = program_log(svc)
    assert "serial=FORGED" in log
    for line in log.splitlines():
        if "serial=FORGED" in line:
            # The forged text stays inside the line that reports it.
            assert not line.startswith("enroll-pfx[audit]"), line
            assert "\\n" + forged in line, line
    assert "\x1b" not in log


def test_ten_thousand_sans_answer_400_naming_the_limit(svc):
    sans = {"dns": ["n%d.example.com" % i for i in range(10000)]}
    refused(svc, lambda: svc.enroll(body("many.example.com", SANs=sans)),
            "10000 names", "max_sans")


def test_sans_at_and_over_the_limit(svc, setting):
    setting("max_sans", 3)
    three = {"dns": ["a.example.com", "b.example.com", "c.example.com"]}
    r = svc.enroll(body("a.example.com", SANs=three))
    assert r.status_code == 200, r.text
    four = {"dns": three["dns"] + ["d.example.com"]}
    refused(svc, lambda: svc.enroll(body("a.example.com", SANs=four)),
            "limit of 3", "max_sans")


def test_thousand_rdns_refused(svc):
    subject = ",".join(["OU=u%d" % i for i in range(1000)] + ["CN=rdn.example.com"])
    refused(svc, lambda: svc.enroll(dict(body("x"), Subject=subject)),
            "Subject", "1001 attributes", "max_rdns")


def test_rdns_at_the_limit(svc, setting):
    setting("max_rdns", 3)
    r = svc.enroll(dict(body("x"), Subject="CN=rdn3.example.com,O=o,C=DE"))
    assert r.status_code == 200, r.text
    refused(svc, lambda: svc.enroll(dict(body("x"),
            Subject="CN=rdn4.example.com,OU=u,O=o,C=DE")), "max_rdns")


def pending_request(svc, cn, **extra):
    return svc.enroll(body(cn, template="NeedsApproval", **extra), user="bob")


def test_pending_requests_per_user(svc, setting):
    setting("max_pending_per_user", 0)
    refused(svc, lambda: pending_request(svc, "pend.example.com"),
            "max_pending_per_user")
    setting("max_pending_per_user", 100)
    r = pending_request(svc, "pend.example.com")
    assert r.status_code == 200, r.text
    assert r.json()["CertificateInformation"]["RequestDisposition"] == "PENDING"


def test_pending_count_moves_with_decisions(svc, setting):
    """The bound counts requests awaiting a decision: a denial and an
    approval each free a place, a refusal takes none."""
    setting("max_pending_per_user", 0)
    msg = refused(svc, lambda: pending_request(svc, "count.example.com"),
                  "max_pending_per_user").json()["Message"]
    waiting = int(msg.split(": ")[1].split()[0])
    setting("max_pending_per_user", waiting + 1)

    def one(cn):
        r = pending_request(svc, cn)
        assert r.status_code == 200, r.text
        info = r.json()["CertificateInformation"]
        assert info["RequestDisposition"] == "PENDING"
        return info["KeyfactorRequestId"]

    def full():
        refused(svc, lambda: pending_request(svc, "over.example.com"),
                "%d already wait" % (waiting + 1))

    rid = one("count-1.example.com")
    full()
    r = svc.request("POST", "/Workflow/Certificates/Deny", user="approver",
                    json={"CertificateRequestIds": [rid], "Comment": "no"})
    assert r.status_code == 200 and not r.json()["Failures"], r.text
    rid = one("count-2.example.com")
    full()
    r = svc.request("POST", "/Workflow/Certificates/Approve", user="approver",
                    json=[rid])
    assert r.status_code == 200 and r.json()["Successes"], r.text
    one("count-3.example.com")
    full()


def db_bytes(svc):
    return len(svc.dump())


def test_pending_records_keep_only_declared_fields(svc):
    """Ten pending requests with a 900 kB unknown field each: the database
    keeps none of it (it grew 10 MB before)."""
    before = db_bytes(svc)
    for i in range(10):
        r = pending_request(svc, "big%d.example.com" % i, Junk="x" * 900000)
        assert r.status_code == 200, r.text
        assert r.json()["CertificateInformation"]["RequestDisposition"] == "PENDING"
    grown = db_bytes(svc) - before
    assert grown < 200000, grown


@pytest.fixture(scope="module")
def pem_store(svc, tmp_path_factory):
    d = tmp_path_factory.mktemp("bounds") / "pem"
    d.mkdir()
    return add_store(svc, "PEM", str(d)), str(d)


def future(days):
    return (datetime.datetime.utcnow() + datetime.timedelta(days=days)).strftime(
        "%Y-%m-%dT%H:%M:%SZ")


def test_job_time_too_far_ahead(svc, pem_store):
    ci = enroll_store(svc, cn="far.example.com")
    for when in ("9999-12-31T00:00:00Z", future(400)):
        refused(svc, lambda: deploy(svc, {
            "Stores": [{"StoreId": pem_store[0], "Alias": "far"}],
            "CertificateId": ci["KeyfactorId"], "Password": PW, "JobTime": when}),
            "JobTime", "max_job_delay_days")
    r = deploy(svc, {"Stores": [{"StoreId": pem_store[0], "Alias": "far"}],
                     "CertificateId": ci["KeyfactorId"], "Password": PW,
                     "JobTime": future(300)})
    assert r.status_code == 200, r.text


def test_queued_jobs_per_user(svc, pem_store, setting):
    ci = enroll_store(svc, cn="queued.example.com")
    setting("max_queued_jobs_per_user", 0)
    refused(svc, lambda: deploy(svc, {
        "Stores": [{"StoreId": pem_store[0], "Alias": "queued"}],
        "CertificateId": ci["KeyfactorId"], "Password": PW}),
        "max_queued_jobs_per_user")


def payloads(svc):
    """Sealed job payloads in the whole database."""
    return svc.dump().count(b'"payload"')


def test_a_queued_job_can_be_cancelled(svc, pem_store):
    ci = enroll_store(svc, cn="cancel.example.com")
    r = deploy(svc, {"Stores": [{"StoreId": pem_store[0], "Alias": "cancelme"}],
                     "CertificateId": ci["KeyfactorId"], "Password": PW,
                     "JobTime": future(30)})
    assert r.status_code == 200, r.text
    job = [j for j in jobs(svc).values() if j["alias"] == "cancelme"][0]
    assert job["status"] == "scheduled"
    sealed_keys = payloads(svc)
    out = svc.tool("job", "cancel", str(job["id"])).stdout
    assert "cancelled" in out
    job = jobs(svc)[job["id"]]
    assert job["status"] == "cancelled"
    assert payloads(svc) == sealed_keys - 1  # its sealed key is gone
    agent(svc)
    assert jobs(svc)[job["id"]]["status"] == "cancelled"
    assert not os.path.exists(os.path.join(pem_store[1], "cancelme.crt"))
    again = svc.tool("job", "cancel", str(job["id"]), check=False)
    assert again.returncode != 0 and "only a job that waits" in again.stderr
    gone = svc.tool("job", "cancel", "99999999", check=False)
    assert gone.returncode != 0 and "no job" in gone.stderr


def test_replace_with_no_permitted_location_is_403_and_keeps_staging(svc, pem_store):
    # storeops puts certificate A in a container-1 store.
    a = enroll_store(svc, cn="replaced.example.com")
    r = deploy(svc, {"Stores": [{"StoreId": pem_store[0], "Alias": "replaced"}],
                     "CertificateId": a["KeyfactorId"], "Password": PW})
    assert r.status_code == 200, r.text
    agent(svc)
    # container7 may schedule in container 7 only.
    b = enroll_store(svc, user="container7", cn="replacer.example.com")
    before = svc.db_digest()
    r = svc.request("POST", "/Enrollment/PFX/Replace", user="container7",
                    json={"ExistingCertificateId": a["KeyfactorId"],
                          "CertificateId": b["KeyfactorId"], "Password": PW})
    assert r.status_code == 403, r.text
    assert r.json()["ErrorCode"] == "0xA0110004"
    assert "/certificate_stores/schedule/1/" in r.json()["Message"]
    assert svc.db_digest() == before
    # The staging data is still there for the same user's Deploy.
    c7 = add_store(svc, "PEM", pem_store[1] + "-c7", container=7,
                   extra=["--create-if-missing"])
    r = deploy(svc, {"Stores": [{"StoreId": c7, "Alias": "replacer"}],
                     "CertificateId": b["KeyfactorId"], "Password": PW}, user="container7")
    assert r.status_code == 200, r.text
    assert r.json()["SuccessfulStores"] == [c7]


def test_pem_store_folder_created_if_missing(svc, tmp_path):
    os.chmod(tmp_path, 0o755)
    folder = tmp_path / "new" / "pem"
    os.makedirs(folder.parent)
    if os.getuid() == 0:
        os.chown(folder.parent, os.stat(svc.data).st_uid, -1)
    sid = add_store(svc, "PEM", str(folder), extra=["--create-if-missing"])
    ci = enroll_store(svc, cn="created.example.com")
    r = deploy(svc, {"Stores": [{"StoreId": sid, "Alias": "created"}],
                     "CertificateId": ci["KeyfactorId"], "Password": PW})
    assert r.status_code == 200, r.text
    agent(svc)
    job = [j for j in jobs(svc).values() if j["store_id"] == sid][0]
    assert job["status"] == "succeeded", job
    assert os.stat(folder).st_mode & 0o777 == 0o700
    assert (folder / "created.crt").exists() and (folder / "created.key").exists()


def test_path_is_decoded_once(svc):
    """%2531 is '%31' once decoded, never certificate 1."""
    cid = enroll_store(svc, cn="decode.example.com")["KeyfactorId"]
    r = svc.request("GET", "/Certificates/%d" % cid)
    assert r.status_code == 200, r.text
    enc = "".join("%25{:02X}".format(ord(ch)) for ch in str(cid))
    r = svc.request("GET", "/Certificates/" + enc)
    assert r.status_code in (400, 404), r.text
    assert r.json().get("Id") != cid


def test_queued_job_count_follows_the_queue(svc, pem_store, setting):
    """The per-user count rises with each job queued and falls when a job
    runs or is cancelled: storeops may queue exactly max jobs again once
    its earlier ones have run."""
    agent(svc)
    for j in jobs(svc).values():  # nothing of storeops' left waiting
        if j.get("requester") == "storeops" and j["status"] in ("scheduled", "retry"):
            svc.tool("job", "cancel", str(j["id"]))
    setting("max_queued_jobs_per_user", 2)
    ids = []
    for i in range(2):
        ci = enroll_store(svc, cn="count%d.example.com" % i)
        r = deploy(svc, {"Stores": [{"StoreId": pem_store[0], "Alias": "count%d" % i}],
                         "CertificateId": ci["KeyfactorId"], "Password": PW,
                         "JobTime": future(10)})
        assert r.status_code == 200, r.text
        ids.append(ci["KeyfactorId"])
    ci = enroll_store(svc, cn="count2.example.com")
    third = {"Stores": [{"StoreId": pem_store[0], "Alias": "count2"}],
             "CertificateId": ci["KeyfactorId"], "Password": PW}
    refused(svc, lambda: deploy(svc, third), "2 queued jobs", "max_queued_jobs_per_user")
    waiting = [j for j in jobs(svc).values()
               if j["alias"] in ("count0", "count1") and j["status"] == "scheduled"]
    assert len(waiting) == 2
    svc.tool("job", "cancel", str(waiting[0]["id"]))
    r = deploy(svc, third)
    assert r.status_code == 200, r.text
    agent(svc)  # runs count2 now; count1 waits ten days
    ci = enroll_store(svc, cn="count3.example.com")
    r = deploy(svc, {"Stores": [{"StoreId": pem_store[0], "Alias": "count3"}],
                     "CertificateId": ci["KeyfactorId"], "Password": PW})
    assert r.status_code == 200, r.text
    svc.tool("job", "cancel", str(waiting[1]["id"]))
    agent(svc)
