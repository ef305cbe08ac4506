"""Certificate stores end to end: STORE enrollment -> Deploy / Replace ->
the store agent writes real PEM and PKCS#12 stores -> locations."""
import datetime
import hashlib
import json
import os
import subprocess
import time

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.serialization import pkcs12

from conftest import ISSUING_CA

TS = "2026-11-25T10:00:00Z"
PW = "deploy-pass-123"


def enroll_store(svc, user="storeops", cn="store1.example.com", fmt="STORE"):
    r = svc.enroll({"Subject": "CN=%s" % cn, "Template": "WebServer",
                    "CertificateAuthority": ISSUING_CA, "KeyType": "ECC",
                    "Timestamp": TS, "Password": PW,
                    "SANs": {"dns": [cn]}}, fmt=fmt, user=user)
    assert r.status_code == 200, r.text
    ci = r.json()["CertificateInformation"]
    assert ci["Pkcs12Blob"] is None
    return ci


def add_store(svc, kind, path, container=1, password=None, extra=()):
    args = ["store", "add", "--type", kind, "--path", path,
            "--container", str(container), "--machine", "web01.example.com"]
    if password:
        args += ["--password", password]
    args += list(extra)
    return svc.tool(*args).stdout.strip()


def agent(svc):
    return svc.tool("agent", "--once")


def jobs(svc):
    out = {}
    for line in svc.tool("job", "list").stdout.splitlines():
        rec = json.loads(line.split("\t", 1)[1])
        out[rec["id"]] = rec
    return out


def thumb(cert):
    return cert.fingerprint(hashes.SHA1()).hex().upper()


@pytest.fixture(scope="module")
def stores(svc, tmp_path_factory):
    base = tmp_path_factory.mktemp("stores")
    pem_dir = base / "pem"
    pem_dir.mkdir()
    p12 = base / "store.pfx"
    s = {
        "pem": add_store(svc, "PEM", str(pem_dir)),
        "p12": add_store(svc, "PKCS12", str(p12), password="store-pass-9",
                         extra=["--create-if-missing"]),
        "c7": add_store(svc, "PEM", str(base / "c7"), container=7),
        "missing": add_store(svc, "PEM", str(base / "does-not-exist")),
        "pem_dir": str(pem_dir), "p12_path": str(p12), "c7_dir": str(base / "c7"),
    }
    os.mkdir(s["c7_dir"])
    return s


def deploy(svc, body, user="storeops"):
    return svc.request("POST", "/Enrollment/PFX/Deploy", user=user, json=body)


def test_deploy_to_pem_and_pkcs12_and_locations(svc, stores):
    ci = enroll_store(svc)
    r = deploy(svc, {"Stores": [
        {"StoreId": stores["pem"], "Alias": "web", "Overwrite": False, "Properties": {}},
        {"StoreId": stores["p12"].upper(), "Alias": "web", "Overwrite": False}],
        "CertificateId": ci["KeyfactorId"], "Password": PW})
    assert r.status_code == 200, r.text
    assert sorted(r.json()["SuccessfulStores"]) == sorted([stores["pem"], stores["p12"]])
    assert r.json()["FailedStores"] == []
    # Nothing is written until the agent runs.
    assert not os.path.exists(os.path.join(stores["pem_dir"], "web.crt"))
    agent(svc)
    crt = x509.load_pem_x509_certificate(
        open(os.path.join(stores["pem_dir"], "web.crt"), "rb").read())
    assert thumb(crt) == ci["Thumbprint"]
    key = serialization.load_pem_private_key(
        open(os.path.join(stores["pem_dir"], "web.key"), "rb").read(), PW.encode())
    assert key.public_key().public_numbers() == crt.public_key().public_numbers()
    with pytest.raises(Exception):
        serialization.load_pem_private_key(
            open(os.path.join(stores["pem_dir"], "web.key"), "rb").read(), None)
    p = pkcs12.load_pkcs12(open(stores["p12_path"], "rb").read(), b"store-pass-9")
    tps = [thumb(c.certificate) for c in [p.cert] + p.additional_certs if c]
    assert ci["Thumbprint"] in tps
    r = svc.request("GET", "/Certificates/%d" % ci["KeyfactorId"],
                    params={"includeLocations": "true"}, user="storeops")
    assert r.status_code == 200, r.text
    locs = r.json()["Locations"]
    assert sorted(l["CertStoreId"] for l in locs) == sorted([stores["pem"], stores["p12"]])
    assert all(l["Alias"] == "web" for l in locs)
    assert all(l["StoreMachine"] == "web01.example.com" for l in locs)


def test_replace_swaps_every_location(svc, stores):
    # The certificate deployed by the previous test is in both stores as "web".
    old_tp = x509.load_pem_x509_certificate(
        open(os.path.join(stores["pem_dir"], "web.crt"), "rb").read())
    old = [l for l in svc.tool("cert", "list").stdout.splitlines() if thumb(old_tp) in l]
    old_id = json.loads(old[0].split("\t", 1)[1])["id"]
    ci = enroll_store(svc, cn="store2.example.com", fmt="REPLACE")
    r = svc.request("POST", "/Enrollment/PFX/Replace", user="storeops",
                    json={"ExistingCertificateId": old_id,
                          "CertificateId": ci["KeyfactorId"], "Password": PW})
    assert r.status_code == 200, r.text
    assert sorted(r.json()["SuccessfulStores"]) == sorted([stores["pem"], stores["p12"]])
    agent(svc)
    crt = x509.load_pem_x509_certificate(
        open(os.path.join(stores["pem_dir"], "web.crt"), "rb").read())
    assert thumb(crt) == ci["Thumbprint"]
    p = pkcs12.load_pkcs12(open(stores["p12_path"], "rb").read(), b"store-pass-9")
    tps = [thumb(c.certificate) for c in [p.cert] + p.additional_certs if c]
    assert ci["Thumbprint"] in tps and thumb(old_tp) not in tps
    r = svc.request("GET", "/Certificates/%d" % old_id,
                    params={"includeLocations": "true"}, user="storeops")
    assert r.json()["Locations"] == []
    r = svc.request("GET", "/Certificates/%d" % ci["KeyfactorId"],
                    params={"includeLocations": "true"}, user="storeops")
    assert len(r.json()["Locations"]) == 2
    # Replace used the staging data up.
    r = svc.request("POST", "/Enrollment/PFX/Deploy", user="storeops",
                    json={"Stores": [{"StoreId": stores["pem"], "Alias": "again"}],
                          "CertificateId": ci["KeyfactorId"], "Password": PW})
    assert r.status_code == 400


def test_obsolete_storeids_form_and_empty_stores(svc, stores):
    ci = enroll_store(svc, cn="legacyform.example.com")
    r = deploy(svc, {"Stores": [], "StoreIds": [stores["pem"]],
                     "StoreTypes": [{"StoreTypeId": 2, "Alias": "legacy",
                                     "Overwrite": "true", "Properties": []}],
                     "CertificateId": ci["KeyfactorId"], "RequestId": ci["KeyfactorRequestId"],
                     "Password": PW})
    assert r.status_code == 200, r.text
    assert r.json()["SuccessfulStores"] == [stores["pem"]]
    agent(svc)
    assert os.path.exists(os.path.join(stores["pem_dir"], "legacy.crt"))


def test_alias_exists_without_overwrite_fails(svc, stores):
    ci = enroll_store(svc, cn="dupe.example.com")
    r = deploy(svc, {"Stores": [{"StoreId": stores["pem"], "Alias": "web", "Overwrite": False}],
                     "CertificateId": ci["KeyfactorId"], "Password": PW})
    assert r.status_code == 200
    assert r.json() == {"SuccessfulStores": [], "FailedStores": [stores["pem"]]}


def test_scheduled_job_waits(svc, stores):
    ci = enroll_store(svc, cn="later.example.com")
    later = (datetime.datetime.utcnow() + datetime.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    r = deploy(svc, {"Stores": [{"StoreId": stores["pem"], "Alias": "later"}],
                     "CertificateId": ci["KeyfactorId"], "Password": PW, "JobTime": later})
    assert r.status_code == 200 and r.json()["SuccessfulStores"] == [stores["pem"]]
    agent(svc)
    assert not os.path.exists(os.path.join(stores["pem_dir"], "later.crt"))
    pending = [j for j in jobs(svc).values() if j["alias"] == "later"]
    assert pending and pending[0]["status"] == "scheduled"


def test_container_scoped_claim(svc, stores):
    ci = enroll_store(svc, user="container7", cn="c7.example.com")
    r = deploy(svc, {"Stores": [{"StoreId": stores["c7"], "Alias": "c7"},
                                {"StoreId": stores["pem"], "Alias": "c7"}],
                     "CertificateId": ci["KeyfactorId"], "Password": PW}, user="container7")
    assert r.status_code == 200, r.text
    assert r.json() == {"SuccessfulStores": [stores["c7"]], "FailedStores": [stores["pem"]]}
    agent(svc)
    assert os.path.exists(os.path.join(stores["c7_dir"], "c7.crt"))
    assert not os.path.exists(os.path.join(stores["pem_dir"], "c7.crt"))


def test_broken_store_job_fails_cleanly(svc, stores):
    ci = enroll_store(svc, cn="broken.example.com")
    r = deploy(svc, {"Stores": [{"StoreId": stores["missing"], "Alias": "x"}],
                     "CertificateId": ci["KeyfactorId"], "Password": PW})
    assert r.json()["SuccessfulStores"] == [stores["missing"]]
    agent(svc)
    job = [j for j in jobs(svc).values() if j["store_id"] == stores["missing"]][0]
    assert job["status"] in ("retry", "failed")
    assert "does not exist" in job["last_error"]
    assert job["attempts"] == 1


def test_wrong_store_password_leaves_store_unchanged(svc, stores, tmp_path):
    # A PKCS12 store registered with the wrong password for its file.
    path = stores["p12_path"]
    bad = add_store(svc, "PKCS12", path, password="not-the-password")
    before = hashlib.sha256(open(path, "rb").read()).hexdigest()
    ci = enroll_store(svc, cn="wrongpw.example.com")
    r = deploy(svc, {"Stores": [{"StoreId": bad, "Alias": "wrongpw"}],
                     "CertificateId": ci["KeyfactorId"], "Password": PW})
    assert r.json()["SuccessfulStores"] == [bad]
    agent(svc)
    assert hashlib.sha256(open(path, "rb").read()).hexdigest() == before
    job = [j for j in jobs(svc).values() if j["store_id"] == bad][0]
    assert job["status"] in ("retry", "failed") and job["last_error"]


def test_staging_is_bound_to_the_user(svc, stores):
    ci = enroll_store(svc, cn="mine.example.com")
    before = svc.db_digest()
    r = deploy(svc, {"Stores": [{"StoreId": stores["pem"], "Alias": "mine"}],
                     "CertificateId": ci["KeyfactorId"], "Password": PW}, user="container7")
    assert r.status_code == 400
    assert "another user" in r.json()["Message"]
    assert svc.db_digest() == before


def test_staging_expires(svc, stores):
    svc.tool("setting", "set", "staging_lifetime", "1")
    try:
        ci = enroll_store(svc, cn="expired.example.com")
    finally:
        svc.tool("setting", "set", "staging_lifetime", "300")
    time.sleep(2.1)
    r = deploy(svc, {"Stores": [{"StoreId": stores["pem"], "Alias": "expired"}],
                     "CertificateId": ci["KeyfactorId"], "Password": PW})
    assert r.status_code == 400
    assert "expired" in r.json()["Message"]
    # The agent purges it; afterwards the answer says it is gone.
    agent(svc)
    r = deploy(svc, {"Stores": [{"StoreId": stores["pem"], "Alias": "expired"}],
                     "CertificateId": ci["KeyfactorId"], "Password": PW})
    assert r.status_code == 400
    assert "No private key" in r.json()["Message"]


@pytest.mark.parametrize("case,body_fn,status,needle", [
    ("malformed guid", lambda s, c: {"Stores": [{"StoreId": "not-a-guid"}], "CertificateId": c, "Password": PW}, 400, "GUID"),
    ("no stores", lambda s, c: {"CertificateId": c, "Password": PW}, 400, "Stores"),
    ("no password", lambda s, c: {"Stores": [{"StoreId": s}], "CertificateId": c}, 400, "Password"),
    ("wrong password", lambda s, c: {"Stores": [{"StoreId": s}], "CertificateId": c, "Password": "nope-nope-nope"}, 400, "Password"),
    ("no cert id", lambda s, c: {"Stores": [{"StoreId": s}], "Password": PW}, 400, "CertificateId"),
    ("unknown cert", lambda s, c: {"Stores": [{"StoreId": s}], "CertificateId": 999999, "Password": PW}, 400, "No private key"),
    ("unknown request", lambda s, c: {"Stores": [{"StoreId": s}], "RequestId": 999999, "Password": PW}, 404, "999999"),
    ("bad jobtime", lambda s, c: {"Stores": [{"StoreId": s}], "CertificateId": c, "Password": PW, "JobTime": "soon"}, 400, "JobTime"),
    ("bad alias", lambda s, c: {"Stores": [{"StoreId": s, "Alias": "../etc/passwd"}], "CertificateId": c, "Password": PW}, 400, "Alias"),
    ("stores not array", lambda s, c: {"Stores": "x", "CertificateId": c, "Password": PW}, 400, "Stores"),
])
def test_deploy_bad_input(svc, stores, case, body_fn, status, needle):
    ci = enroll_store(svc, cn="bad.example.com")
    before = svc.db_digest()
    r = deploy(svc, body_fn(stores["pem"], ci["KeyfactorId"]))
    assert r.status_code == status, r.text
    assert r.json()["ErrorCode"].startswith("0xA011")
    assert needle in r.json()["Message"]
    assert svc.db_digest() == before


def test_deploy_without_schedule_claim_is_403(svc, stores):
    ci = enroll_store(svc, user="alice", cn="noclaim.example.com")
    r = deploy(svc, {"Stores": [{"StoreId": stores["pem"]}], "CertificateId": ci["KeyfactorId"],
                     "Password": PW}, user="alice")
    assert r.status_code == 403
    assert "/certificate_stores/schedule/" in r.json()["Message"]


def test_replace_bad_input(svc, stores):
    ci = enroll_store(svc, cn="rbad.example.com")
    before = svc.db_digest()
    r = svc.request("POST", "/Enrollment/PFX/Replace", user="storeops",
                    json={"ExistingCertificateId": ci["KeyfactorId"], "CertificateId": ci["KeyfactorId"],
                          "RequestId": ci["KeyfactorRequestId"], "Password": PW})
    assert r.status_code == 400 and "not both" in r.json()["Message"]
    r = svc.request("POST", "/Enrollment/PFX/Replace", user="storeops",
                    json={"ExistingCertificateId": ci["KeyfactorId"], "CertificateId": ci["KeyfactorId"],
                          "Password": PW})
    assert r.status_code == 400 and "not in any certificate store" in r.json()["Message"]
    r = svc.request("POST", "/Enrollment/PFX/Replace", user="storeops",
                    json={"ExistingCertificateId": 987654, "CertificateId": ci["KeyfactorId"],
                          "Password": PW})
    assert r.status_code == 404
    assert svc.db_digest() == before


def test_inventory_and_job_history(svc, stores):
    """GET /CertificateStores/{id}/Inventory (Keyfactor's inventory model,
    from the agent's last look at the store) and GET
    /OrchestratorJobs/JobHistory (each management job: Status 3 and Result
    1 once it succeeded, 3 once it failed), queried as the console does."""
    ci = enroll_store(svc, cn="inv.example.com")
    r = deploy(svc, {"Stores": [{"StoreId": stores["pem"], "Alias": "inv"}],
                     "CertificateId": ci["KeyfactorId"], "Password": PW})
    assert r.status_code == 200, r.text
    q = {"pq.queryString": 'CertStoreId -eq "%s" AND CertificateId -eq %d' % (
        stores["pem"], ci["KeyfactorId"])}
    h = svc.request("GET", "/OrchestratorJobs/JobHistory", user="storeops", params=q)
    assert h.status_code == 200, h.text
    [job] = h.json()
    assert (job["Status"], job["Result"], job["OperationEnd"]) == (1, 0, None)
    agent(svc)
    [job] = svc.request("GET", "/OrchestratorJobs/JobHistory", user="storeops",
                        params=q).json()
    assert (job["Status"], job["Result"], job["StatusString"]) == (3, 1, "succeeded")
    assert job["JobType"] == "Management" and job["Alias"] == "inv"
    assert job["StorePath"] == stores["pem_dir"] and job["ClientMachine"] == "web01.example.com"
    assert job["OperationStart"] <= job["OperationEnd"]
    assert len(job["JobId"]) == 36 and job["JobHistoryId"] > 0
    inv = svc.request("GET", "/CertificateStores/%s/Inventory" % stores["pem"],
                      user="storeops")
    assert inv.status_code == 200, inv.text
    items = {i["Name"]: i for i in inv.json()}
    assert set(items["inv"]) == {"Name", "CertStoreInventoryItemId", "Certificates",
                                 "Parameters"}
    [c] = items["inv"]["Certificates"]
    assert (c["Id"], c["Thumbprint"], c["CertState"]) == (ci["KeyfactorId"], ci["Thumbprint"], 1)
    assert c["IssuedDN"].startswith("CN=inv.example.com") and c["SerialNumber"]
    assert c["NotAfter"].endswith("Z") and c["SigningAlgorithm"]
    # the failed jobs, as the console's overview counts them
    failed = svc.request("GET", "/OrchestratorJobs/JobHistory", user="storeops",
                         params={"pq.queryString": "Result -eq 3", "ReturnLimit": "5000"})
    assert failed.status_code == 200, failed.text
    assert all(j["Result"] == 3 and j["StatusString"] == "failed" for j in failed.json())
    # refusals
    for path, user, status in [
            ("/CertificateStores/%s/Inventory" % stores["pem"], "alice", 403),
            ("/CertificateStores/not-a-guid/Inventory", "storeops", 400),
            ("/CertificateStores/3f2504e0-4f89-11d3-9a0c-0305e82c3399/Inventory",
             "storeops", 404),
            ("/OrchestratorJobs/JobHistory", "bob", 403)]:
        r = svc.request("GET", path, user=user)
        assert r.status_code == status, (path, r.text)
    r = svc.request("GET", "/OrchestratorJobs/JobHistory", user="storeops",
                    params={"pq.queryString": "Colour -eq red"})
    assert r.status_code == 400 and "unknown field 'Colour'" in r.json()["Message"]
