"""GET /metrics (issue 19): the Prometheus text format, read with the
Prometheus client's own parser (python3-prometheus-client); counters that
move by exactly the requests made, across processes and restarts;
histograms whose buckets are cumulative; gauges read from the database.
Who may read it is tested in test_security.py; /health in test_health.py."""
import datetime
import os
import signal
import subprocess
import time

import pytest
from prometheus_client.parser import text_string_to_metric_families

from conftest import (ISSUING_CA, RSA_CA, TOOL, WEB_RUNS_PROGRAMS, new_base,
                      started)

TS = "2026-12-07T10:00:00Z"
BODY = {"Template": "WebServer", "CertificateAuthority": ISSUING_CA,
        "KeyType": "ECC", "Curve": "P-256", "Password": "metrics-pass-1",
        "Timestamp": TS}


def scrape(svc, **kw):
    """Every sample of /metrics: {(name, ((label, value), ...)): value},
    and the families by name (their types)."""
    r = svc.plain("GET", "/metrics", **kw)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/plain; version=0.0.4")
    samples, types = {}, {}
    for fam in text_string_to_metric_families(r.text):
        types[fam.name] = fam.type
        for s in fam.samples:
            key = (s.name, tuple(sorted(s.labels.items())))
            assert key not in samples, key
            samples[key] = s.value
    return samples, types


def value(samples, name, **labels):
    return samples.get((name, tuple(sorted(labels.items()))), 0)


def requests_of(samples, program, endpoint, code):
    return value(samples, "certenroll_http_requests_total", program=program,
                 endpoint=endpoint, code=str(code))


def duration_count(samples, program, endpoint):
    return value(samples, "certenroll_http_request_duration_seconds_count",
                 program=program, endpoint=endpoint)


def enroll(svc, cn, **kw):
    body = dict(BODY, Subject="CN=%s" % cn, **kw)
    r = svc.enroll(body, fmt="PFX")
    return r


def test_the_families_parse_with_their_types(svc):
    enroll(svc, "families.example.com")
    _, types = scrape(svc)
    assert types["certenroll_http_requests"] == "counter"
    assert types["certenroll_http_request_duration_seconds"] == "histogram"
    assert types["certenroll_certificates_issued"] == "counter"
    assert types["certenroll_db_commit_duration_seconds"] == "histogram"
    assert types["certenroll_requests_pending"] == "gauge"
    assert types["certenroll_jobs_unfinished"] == "gauge"
    assert types["certenroll_keypool_keys"] == "gauge"
    if os.path.exists(os.path.join(svc.run, "signer.sock")):
        assert types["certenroll_signer_duration_seconds"] == "histogram"


def test_requests_move_the_counters_by_exactly_what_was_made(svc):
    before, _ = scrape(svc)
    for _ in range(5):
        assert svc.request("GET", "/Templates").status_code == 200
    for _ in range(3):
        assert svc.request("GET", "/Templates/999999").status_code == 404
    for _ in range(2):
        assert svc.request("GET", "/Templates", user="carol").status_code == 403
    assert svc.request("DELETE", "/Templates").status_code == 405
    after, _ = scrape(svc)

    def moved(endpoint, code):
        return requests_of(after, "catalog", endpoint, code) - \
            requests_of(before, "catalog", endpoint, code)
    assert moved("GET /Templates", 200) == 5
    assert moved("GET /Templates", 403) == 2
    assert moved("GET /Templates/{id}", 404) == 3
    assert moved("unmatched", 405) == 1
    assert duration_count(after, "catalog", "GET /Templates") - \
        duration_count(before, "catalog", "GET /Templates") == 7
    # The scrape before this one is counted, the one answering is not yet.
    assert requests_of(after, "status", "GET /metrics", 200) - \
        requests_of(before, "status", "GET /metrics", 200) == 1


def test_the_ocsp_responder_is_counted_too(svc):
    """It answers outside the endpoint runner, and is counted as it is."""
    before, _ = scrape(svc)
    for _ in range(2):
        r = svc.plain("POST", "/ocsp", data=b"not der at all",
                      headers={"Content-Type": "application/ocsp-request"})
        assert r.status_code == 200
    assert svc.plain("PUT", "/ocsp", data=b"x").status_code == 405
    after, _ = scrape(svc)
    assert requests_of(after, "ocsp", "POST /ocsp", 200) - \
        requests_of(before, "ocsp", "POST /ocsp", 200) == 2
    assert requests_of(after, "ocsp", "unmatched", 405) - \
        requests_of(before, "ocsp", "unmatched", 405) == 1
    assert duration_count(after, "ocsp", "POST /ocsp") - \
        duration_count(before, "ocsp", "POST /ocsp") == 2


def histograms(samples):
    """{(family, labels): ([(le, cumulative count)...], sum, count)}"""
    out = {}
    for (name, labels), v in samples.items():
        if name.endswith("_bucket"):
            rest = tuple(kv for kv in labels if kv[0] != "le")
            le = dict(labels)["le"]
            h = out.setdefault((name[:-7], rest), [[], None, None])
            h[0].append((float(le), v))
    for (fam, rest), h in out.items():
        h[0].sort()
        h[1] = samples[(fam + "_sum", rest)]
        h[2] = samples[(fam + "_count", rest)]
    return out


def test_histogram_buckets_are_cumulative_and_end_in_the_count(svc):
    enroll(svc, "histogram.example.com")
    svc.request("GET", "/Templates")
    samples, _ = scrape(svc)
    hs = histograms(samples)
    assert hs
    families = {fam for fam, _ in hs}
    assert "certenroll_http_request_duration_seconds" in families
    assert "certenroll_db_commit_duration_seconds" in families
    for key, (buckets, total, count) in hs.items():
        les = [le for le, _ in buckets]
        assert les[-1] == float("inf"), key
        assert len(les) == 14, key
        counts = [c for _, c in buckets]
        assert counts == sorted(counts), (key, counts)
        assert counts[-1] == count, key
        assert count > 0 and total > 0, key
        # Each observation is at most the +Inf bucket's; none below 0.
        assert total < count * 60, key


def test_an_enrollment_counts_its_certificate_commit_and_signature(svc):
    before, _ = scrape(svc)
    assert enroll(svc, "ecc.metrics.example.com").status_code == 200
    assert enroll(svc, "ecc2.metrics.example.com").status_code == 200
    r = svc.enroll({"Subject": "CN=rsa.metrics.example.com", "Template": "RsaOnly",
                    "CertificateAuthority": RSA_CA, "KeyType": "RSA",
                    "KeySize": 2048, "Password": "metrics-pass-1",
                    "Timestamp": TS}, fmt="PFX")
    assert r.status_code == 200, r.text
    after, _ = scrape(svc)

    def issued(s, ca, template, key):
        return value(s, "certenroll_certificates_issued_total", ca=ca,
                     template=template, key_type=key)
    assert issued(after, ISSUING_CA, "WebServer", "ECC-P-256") - \
        issued(before, ISSUING_CA, "WebServer", "ECC-P-256") == 2
    assert issued(after, RSA_CA, "RsaOnly", "RSA-2048") - \
        issued(before, RSA_CA, "RsaOnly", "RSA-2048") == 1
    backend = "postgresql" if svc.database else "lmdb"
    commits = "certenroll_db_commit_duration_seconds_count"
    assert value(after, commits, backend=backend) - \
        value(before, commits, backend=backend) >= 3
    if os.path.exists(os.path.join(svc.run, "signer.sock")):
        signs = "certenroll_signer_duration_seconds_count"
        assert value(after, signs, op="sign") - value(before, signs, op="sign") == 3


def test_pending_approvals_are_a_gauge_from_the_database(svc):
    before, _ = scrape(svc)
    r = svc.enroll({"Subject": "CN=pending.metrics.example.com",
                    "Template": "NeedsApproval", "KeyType": "ECC",
                    "Password": "metrics-pass-1", "Timestamp": TS}, fmt="PFX")
    assert r.status_code == 200, r.text
    after, _ = scrape(svc)
    assert value(after, "certenroll_requests_pending") - \
        value(before, "certenroll_requests_pending") == 1
    listed = svc.tool("request", "list").stdout
    assert value(after, "certenroll_requests_pending") == \
        sum(1 for l in listed.splitlines()
            if '"state":"PENDING"' in l.replace(" ", ""))


def test_jobs_queued_and_failed(svc, tmp_path):
    """A job is unfinished until the agent runs it; one whose certificate
    was revoked meanwhile fails, counted by the agent (its own process)."""
    tmp_path.chmod(0o755)
    store = svc.tool("store", "add", "--type", "PEM", "--path", str(tmp_path),
                     "--container", "1").stdout.strip()
    r = svc.enroll(dict(BODY, Subject="CN=job.metrics.example.com"),
                   fmt="STORE", user="storeops")
    assert r.status_code == 200, r.text
    cid = r.json()["CertificateInformation"]["KeyfactorId"]
    before, _ = scrape(svc)
    r = svc.request("POST", "/Enrollment/PFX/Deploy", user="storeops", json={
        "Stores": [{"StoreId": store, "Alias": "job"}], "CertificateId": cid,
        "Password": BODY["Password"]})
    assert r.status_code == 200 and r.json()["SuccessfulStores"] == [store], r.text
    queued, _ = scrape(svc)
    assert value(queued, "certenroll_jobs_unfinished") - \
        value(before, "certenroll_jobs_unfinished") == 1
    r = svc.request("POST", "/Certificates/Revoke", user="revoker", json={
        "CertificateIds": [cid], "Reason": 1, "Comment": "metrics"})
    assert r.status_code == 200, r.text
    svc.tool("agent", "--once")
    after, _ = scrape(svc)
    assert value(after, "certenroll_jobs_unfinished") == \
        value(before, "certenroll_jobs_unfinished")
    assert value(after, "certenroll_jobs_failed_total") - \
        value(before, "certenroll_jobs_failed_total") == 1


def worker_pids(s, program):
    """The FastCGI processes of program under certenroll-supervise."""
    sup = open(os.path.join(s.run, program + ".pid")).read().split()
    pids = []
    for p in sup:
        out = subprocess.run(["pgrep", "-P", p], capture_output=True, text=True)
        pids += [int(x) for x in out.stdout.split()]
    return pids


@pytest.mark.skipif(WEB_RUNS_PROGRAMS, reason="the web server runs the programs")
def test_counts_survive_killed_processes_and_add_up_across_them(supervised):
    s = supervised
    before, _ = scrape(s)
    for _ in range(6):
        assert s.request("GET", "/CertificateAuthority").status_code == 200
    old = worker_pids(s, "catalog")
    assert len(old) >= 2, old
    for p in old:
        os.kill(p, signal.SIGKILL)
    deadline = time.time() + 20
    while time.time() < deadline:
        new = worker_pids(s, "catalog")
        if len(new) >= len(old) and not set(new) & set(old):
            break
        time.sleep(0.2)
    assert not set(new) & set(old), (old, new)
    ok = 0
    for _ in range(40):
        if s.request("GET", "/CertificateAuthority").status_code == 200:
            ok += 1
        if ok == 4:
            break
    after, _ = scrape(s)
    assert requests_of(after, "catalog", "GET /CertificateAuthority", 200) - \
        requests_of(before, "catalog", "GET /CertificateAuthority", 200) == 6 + ok


def test_the_key_pool_level_per_spec(svc):
    """A service of its own whose certenroll.conf names pools."""
    base = new_base("certenroll-it-metrics-pool-")
    with started(base) as s:
        conf = s.use_conf(os.path.join(base, "pool.conf"),
                          "key_pool = ECC-P-256:3,RSA-2048:0\n")
        s.stop()
        s.start(conf=conf)
        samples, _ = scrape(s)
        assert value(samples, "certenroll_keypool_keys", spec="ECC-P-256") == 0
        assert value(samples, "certenroll_keypool_target", spec="ECC-P-256") == 3
        assert value(samples, "certenroll_keypool_target", spec="RSA-2048") == 0
        s.tool("keypool", "fill", "--spec", "ECC-P-256", "--size", "3")
        samples, _ = scrape(s)
        assert value(samples, "certenroll_keypool_keys", spec="ECC-P-256") == 3
