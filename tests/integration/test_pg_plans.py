"""The read endpoints' queries run on indexes at 100k certificates
(issue #14): a PostgreSQL installation of this module's own is filled to
100,000 certificates, requests, jobs and their index rows (cloned in SQL
from certificates issued through the API), analysed, and then asked through
nginx what clients ask; auto_explain logs the plan of every statement the
programs run with its actual row counts.  No plan may read a large table
with a sequential scan, and no request may read more rows of one than a
page needs."""
import json
import os
import re
import shutil

import pytest

from conftest import DB, ISSUING_CA, WEB, Service, new_base, own_cluster, psql
from test_stores import add_store, agent

pytestmark = pytest.mark.skipif(
    DB != "postgresql" or WEB != "nginx",
    reason="PostgreSQL's plans, behind nginx (CERTENROLL_DB=postgresql)")

N = 100_000
# The tables that grow with the certificates issued.
LARGE = {"certs", "by_thumbprint", "by_serial", "requests", "serials",
         "locations", "jobs"}
# Rows one request may read of a large table: a page of a walk (db_pg.c's
# WALK_PAGE, 256) and the records a page of 50 looks up beside it.
ROWS_MAX = 400
PW = "plans-pass-1"
TS = "2026-11-25T10:00:00Z"


def body(cn, template="WebServer"):
    return {"Subject": "CN=%s" % cn, "Template": template,
            "CertificateAuthority": ISSUING_CA, "KeyType": "ECC",
            "Timestamp": TS, "Password": PW, "SANs": {"dns": [cn]}}


@pytest.fixture(scope="module")
def cluster():
    with own_cluster("certenroll-plans-pg-") as d:
        yield d


def clone_sql(base):
    """SQL that clones certificate 1 (with its request, index rows and
    serial reservation) and job 1 into N of each, ids from base + 1."""
    g = "generate_series(%d, %d) g" % (base + 1, base + N)
    tp = "upper(substr(encode(sha256(('tp' || g)::bytea), 'hex'), 1, 40))"
    serial = "('C1' || lpad(upper(to_hex(g)), 8, '0'))"
    k = "lpad(g::text, 20, '0')"
    return """
INSERT INTO certs (k, doc) SELECT {k}, (c.doc::jsonb || jsonb_build_object(
    'id', g, 'request_id', g, 'thumbprint', {tp}, 'serial', {serial},
    'cn', 'host' || g || '.example.com', 'not_after',
    (c.doc->>'not_after')::bigint + g))::json
  FROM certs c, {g} WHERE c.id = 1;
INSERT INTO by_thumbprint (k, doc) SELECT {tp}, json_build_object('id', g) FROM {g};
INSERT INTO by_serial (k, doc) SELECT {serial}, json_build_object('id', g) FROM {g};
INSERT INTO serials (k, doc) SELECT {serial}, s.doc FROM serials s, {g}
  WHERE s.k = (SELECT serial FROM certs WHERE id = 1);
INSERT INTO requests (k, doc) SELECT {k}, (r.doc::jsonb || jsonb_build_object(
    'id', g, 'cert_id', g))::json
  FROM requests r, {g} WHERE r.id = (SELECT request_id FROM certs WHERE id = 1);
INSERT INTO jobs (k, doc) SELECT {k}, (j.doc::jsonb || jsonb_build_object(
    'id', g, 'cert_id', g))::json FROM jobs j, {g} WHERE j.id = 1;
INSERT INTO locations (k, doc) SELECT {k}, l.doc FROM locations l, {g}
  WHERE l.k = lpad('1', 20, '0') AND g % 10 = 0;
SELECT setval('counter_certificate', {top}), setval('counter_request', {top}),
    setval('counter_job', {top});
""".format(k=k, tp=tp, serial=serial, g=g, top=base + N)


@pytest.fixture(scope="module")
def big(cluster):
    psql(cluster, "postgres", "CREATE DATABASE plans")
    uri = "postgresql:///plans?host=%s&user=certenroll" % cluster
    s = Service(new_base("certenroll-plans-"), database=uri)
    try:
        s.setup_data()
        s.start()
        store_dir = os.path.join(s.base, "pem")
        os.mkdir(store_dir)
        store = add_store(s, "PEM", store_dir)
        # What the API writes: an issued certificate (id 1) deployed to a
        # store by the agent (job 1), a pending and a denied request.
        r = s.enroll(body("seed.example.com"), fmt="STORE", user="storeops")
        assert r.status_code == 200, r.text
        first = r.json()["CertificateInformation"]
        assert first["KeyfactorId"] == 1
        r = s.request("POST", "/Enrollment/PFX/Deploy", user="storeops", json={
            "Stores": [{"StoreId": store, "Alias": "seed", "Overwrite": False}],
            "CertificateId": 1, "Password": PW})
        assert r.status_code == 200, r.text
        agent(s)
        pending = []
        for cn in ("wait1.example.com", "wait2.example.com"):
            r = s.enroll(body(cn, "NeedsApproval"), user="approver")
            assert r.status_code == 200, r.text
            pending.append(r.json()["CertificateInformation"]["KeyfactorRequestId"])
        r = s.request("POST", "/Workflow/Certificates/Deny", user="approver",
                      json={"CertificateRequestIds": [pending[1]],
                            "Comment": "no"})
        assert r.status_code == 200, r.text
        base = 1000
        s.sql(clone_sql(base))
        counts = {t: int(s.sql("SELECT count(*) FROM %s" % t)) for t in LARGE}
        assert counts["certs"] > N and counts["requests"] > N, counts
        s.sql("ANALYZE")
        # Every statement of a new connection to this database has its
        # plan logged with actual rows (superuser settings: as postgres).
        for setting in ("session_preload_libraries = 'auto_explain'",
                        "auto_explain.log_min_duration = 0",
                        "auto_explain.log_analyze = on",
                        "auto_explain.log_timing = off",
                        "auto_explain.log_format = json"):
            psql(cluster, "postgres", "ALTER DATABASE plans SET " + setting,
                 user="postgres")
        s.stop()
        s.start()
        yield {"svc": s, "log": os.path.join(cluster, "postgres.log"),
               "store": store, "first": first, "pending": pending[0],
               "denied": pending[1], "base": base}
    finally:
        s.stop()
        shutil.rmtree(s.base, ignore_errors=True)


def plans_since(log, offset):
    """The plans auto_explain logged after offset: (query, plan) pairs."""
    with open(log, encoding="utf-8", errors="replace") as f:
        f.seek(offset)
        text = f.read()
    out, dec = [], json.JSONDecoder()
    for m in re.finditer(r"plan:\s*", text):
        try:
            doc, _ = dec.raw_decode(text, m.end())
        except ValueError:
            continue
        out.append((doc.get("Query Text", ""), doc["Plan"]))
    return out


def nodes(plan):
    yield plan
    for p in plan.get("Plans", ()):
        yield from nodes(p)


def reads(plan):
    """Per large table: the rows the plan read of it, and its seq scans."""
    rows, seq = {}, []
    for n in nodes(plan):
        rel = n.get("Relation Name")
        if rel not in LARGE:
            continue
        if n["Node Type"] == "Seq Scan":
            seq.append(rel)
        got = n.get("Actual Rows", 0) * n.get("Actual Loops", 1)
        got += n.get("Rows Removed by Filter", 0) + n.get(
            "Rows Removed by Index Recheck", 0)
        rows[rel] = rows.get(rel, 0) + got
    return rows, seq


def check(big, what, call):
    """Runs call (one API request) and checks the plans it caused."""
    offset = os.path.getsize(big["log"])
    r = call()
    assert r.status_code < 300, (what, r.status_code, r.text)
    plans = plans_since(big["log"], offset)
    assert plans, "%s: no plan was logged" % what
    total = {}
    for query, plan in plans:
        rows, seq = reads(plan)
        assert not seq, "%s: sequential scan of %s by %r" % (what, seq, query)
        for rel, n in rows.items():
            total[rel] = total.get(rel, 0) + n
    over = {rel: n for rel, n in total.items() if n > ROWS_MAX}
    assert not over, "%s read %s rows (at most %d)" % (what, over, ROWS_MAX)
    return r


def get(big, path, user="alice", **params):
    return big["svc"].request("GET", path, user=user, params=params or None)


def q(query, **paging):
    return dict({"pq.queryString": query}, **paging)


def test_the_table_is_large(big):
    assert int(big["svc"].sql("SELECT count(*) FROM certs")) > N


CLONE = 1000 + 54321          # a certificate of the cloned ones


@pytest.mark.parametrize("what,path,params,want", [
    ("by id", "/Certificates/%d" % CLONE,
     {"includeLocations": "true", "includeMetadata": "true"}, CLONE),
    ("IssuedCN", "/Certificates", q('IssuedCN -eq "host%d.example.com"' % CLONE), CLONE),
    ("IssuedCN in capitals", "/Certificates",
     q('IssuedCN -eq "HOST%d.EXAMPLE.COM"' % CLONE), CLONE),
    ("Thumbprint", "/Certificates", q('Thumbprint -eq "%s"' % "X"), None),
    ("SerialNumber", "/Certificates",
     q('SerialNumber -eq "C1%08X"' % CLONE), CLONE),
    ("CertRequestId", "/Certificates", q("CertRequestId -eq %d" % CLONE), CLONE),
    ("Id", "/Certificates", q("Id -eq %d" % CLONE), CLONE),
    ("IssuedCN and SerialNumber", "/Certificates",
     q('IssuedCN -eq "host%d.example.com" AND SerialNumber -eq "C1%08X"'
       % (CLONE, CLONE)), CLONE),
    ("first page", "/Certificates", {"pq.returnLimit": "50"}, 1),
    ("third page", "/Certificates",
     {"pq.returnLimit": "50", "pq.pageReturned": "3"}, None),
])
def test_certificate_lookups_use_indexes(big, what, path, params, want):
    r = check(big, what, lambda: get(big, path, **params))
    got = r.json()
    ids = [got["Id"]] if isinstance(got, dict) else [c["Id"] for c in got]
    if what == "Thumbprint":
        assert ids == []
    elif what == "third page":
        assert len(ids) == 50
    elif path == "/Certificates" and what != "first page":
        assert ids == [want]
    else:
        assert ids[0] == want


def test_lookup_by_thumbprint_of_a_clone(big):
    tp = big["svc"].sql("SELECT thumbprint FROM certs WHERE id = %d" % CLONE).strip()
    r = check(big, "Thumbprint", lambda: get(
        big, "/Certificates", **q('Thumbprint -eq "%s"' % tp.lower())))
    assert [c["Id"] for c in r.json()] == [CLONE]


def test_workflow_and_store_reads_use_indexes(big):
    r = check(big, "pending", lambda: get(
        big, "/Workflow/Certificates/Pending", user="approver"))
    assert [x["Id"] for x in r.json()] == [big["pending"]]
    r = check(big, "denied", lambda: get(
        big, "/Workflow/Certificates/Denied", user="approver"))
    assert [x["Id"] for x in r.json()] == [big["denied"]]
    check(big, "request", lambda: get(
        big, "/Workflow/Certificates/%d" % big["pending"], user="approver"))
    check(big, "stores", lambda: get(big, "/CertificateStores", user="storeops"))
    check(big, "store", lambda: get(
        big, "/CertificateStores/%s" % big["store"], user="storeops"))


def test_writes_use_indexes(big):
    """Enrollment, deploy, the agent, renewal and approval at 100k."""
    s = big["svc"]
    r = check(big, "enroll", lambda: s.enroll(
        body("new.example.com"), fmt="STORE", user="storeops"))
    new = r.json()["CertificateInformation"]
    check(big, "deploy", lambda: s.request(
        "POST", "/Enrollment/PFX/Deploy", user="storeops", json={
            "Stores": [{"StoreId": big["store"], "Alias": "new",
                        "Overwrite": False}],
            "CertificateId": new["KeyfactorId"], "Password": PW}))
    offset = os.path.getsize(big["log"])
    agent(s)
    for query, plan in plans_since(big["log"], offset):
        rows, seq = reads(plan)
        assert not seq, "agent: sequential scan of %s by %r" % (seq, query)
    check(big, "renew", lambda: s.request(
        "POST", "/Enrollment/Renew", user="storeops",
        json={"CertificateId": new["KeyfactorId"], "Timestamp": TS}))
    check(big, "approve", lambda: s.request(
        "POST", "/Workflow/Certificates/Approve", user="approver",
        json=[big["pending"]]))
