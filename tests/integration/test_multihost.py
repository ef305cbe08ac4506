"""Many hosts sharing one PostgreSQL (issue #14): three certenroll hosts on
this machine, each with its own loopback address, run folder, nginx,
FastCGI programs, signer and agent, and a data directory holding only the
files every host holds (the data-encryption key and the CA keys); the state
is one database in a cluster of this module's own (it is restarted here).
What one host commits the others answer; ids, approvals, staging data and
jobs stay one each across hosts; a host killed with kill -9 and a restart
of PostgreSQL under load lose nothing a client was told was done."""
import concurrent.futures
import contextlib
import json
import os
import re
import shutil
import signal
import subprocess
import threading
import time

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes

from certs import load_pfx, verify_signed_by
from conftest import (DB, ISSUING_CA, PG_CLUSTER, TOOL, WEB, Service,
                      new_base, own_cluster, psql)
from secrets_scan import leaks, log_files
from test_stores import jobs

pytestmark = pytest.mark.skipif(
    DB != "postgresql" or WEB != "nginx",
    reason="hosts sharing PostgreSQL, behind nginx (CERTENROLL_DB=postgresql)")

PW = "multihost-pass-1"
TS = "2026-11-25T10:00:00Z"
ADDRS = ("127.0.1.1", "127.0.1.2", "127.0.1.3")


@pytest.fixture(scope="module")
def cluster():
    with own_cluster("certenroll-mh-pg-") as d:
        yield d


def copy_host_files(src, dst):
    """What each host holds itself: the data directory's files (dek.key,
    the CA keys), nothing of the database."""
    shutil.copytree(src.data, dst.data, symlinks=False,
                    ignore=shutil.ignore_patterns("db"))
    os.makedirs(dst.run, exist_ok=True)
    shutil.copy(os.path.join(src.run, "htpasswd"), os.path.join(dst.run, "htpasswd"))
    shutil.copy(src.ca_bundle, dst.ca_bundle)


@pytest.fixture(scope="module")
def hosts(cluster):
    psql(cluster, "postgres", "CREATE DATABASE shared")
    uri = "postgresql:///shared?host=%s&user=certenroll" % cluster
    hs = [Service(new_base("certenroll-mh-%d-" % i), database=uri)
          for i in range(len(ADDRS))]
    try:
        hs[0].setup_data()
        # A killed agent's jobs wait for the lease to end: a short one.
        hs[0].tool("setting", "set", "job_lease", "2")
        hs[0].tool("setting", "set", "max_queued_jobs_per_user", "100000")
        for h in hs[1:]:
            copy_host_files(hs[0], h)
        for h, addr in zip(hs, ADDRS):
            h.start(listen=addr)
        yield hs
    finally:
        for h in hs:
            h.stop()
        found = [(f, s) for h in hs for f in log_files(h)
                 for s in leaks(open(f, "rb").read())]
        for h in hs:
            if os.environ.get("KEEP_TEST_DIRS") is None:
                shutil.rmtree(h.base, ignore_errors=True)
        assert not found, "secrets in the hosts' logs: %s" % found[:5]


def body(cn, **kw):
    b = {"Subject": "CN=%s" % cn, "Template": "WebServer",
         "CertificateAuthority": ISSUING_CA, "KeyType": "ECC", "Timestamp": TS,
         "Password": PW, "SANs": {"dns": [cn]}}
    b.update(kw)
    return b


def enroll(h, cn, fmt="PFX", user="storeops", **kw):
    return h.enroll(body(cn, **kw), fmt=fmt, user=user)


def get(h, cid, user="storeops"):
    return h.request("GET", "/Certificates/%d" % cid, user=user,
                     params={"includeLocations": "true"})


def pem_store(h, tmp_path, machine):
    """(id, folder): a new PEM store on machine."""
    store_dir = tmp_path / "pem"
    store_dir.mkdir()
    os.chmod(tmp_path, 0o755)
    return h.tool("store", "add", "--type", "PEM", "--path", str(store_dir),
                  "--machine", machine).stdout.strip(), store_dir


def agent_log_runs(text):
    """job ids an agent's log says it ran (succeeded or failed)."""
    return [int(m) for m in re.findall(r"job (\d+) \(.*\): (?:succeeded|failed)", text)]


def test_hosts_listen_on_their_own_addresses(hosts):
    for h, addr in zip(hosts, ADDRS):
        assert h.url.startswith("https://%s:" % addr)
        r = h.request("GET", "/Certificates/0", user="storeops")
        assert r.status_code in (400, 404), r.text
    assert len({h.run for h in hosts}) == len(hosts)


def test_enroll_on_one_host_read_on_the_others(hosts):
    a, b, c = hosts
    r = enroll(a, "one.multihost.example.com")
    assert r.status_code == 200, r.text
    ci = r.json()["CertificateInformation"]
    views = [get(h, ci["KeyfactorId"]) for h in hosts]
    assert all(v.status_code == 200 for v in views), [v.text for v in views]
    assert views[1].json() == views[0].json() == views[2].json()
    assert views[1].json()["Thumbprint"] == ci["Thumbprint"]
    # Every host signs with the same CA keys (the files each holds): what b
    # issues verifies under the CA certificate a and c show.
    r = enroll(b, "two.multihost.example.com")
    assert r.status_code == 200, r.text
    _, _, cert, _ = load_pfx(r.json()["CertificateInformation"]["Pkcs12Blob"], PW)
    for h in (a, c):
        verify_signed_by(cert, x509.load_pem_x509_certificate(
            h.ca_pem(ISSUING_CA).encode()))


def test_concurrent_enrollments_over_the_hosts_get_distinct_ids(hosts):
    def one(i):
        return enroll(hosts[i % len(hosts)], "c%d.multihost.example.com" % i,
                      user="alice")

    with concurrent.futures.ThreadPoolExecutor(max_workers=12) as ex:
        rs = list(ex.map(one, range(100)))
    assert [r.status_code for r in rs] == [200] * 100, \
        [r.text for r in rs if r.status_code != 200][:3]
    cis = [r.json()["CertificateInformation"] for r in rs]
    ids = [ci["KeyfactorId"] for ci in cis]
    serials = [ci["SerialNumber"] for ci in cis]
    assert len(set(ids)) == 100 and len(set(serials)) == 100
    assert all(0 < i < 2 ** 31 for i in ids)
    # Each is answered by a host that did not issue it.
    for i, ci in enumerate(cis[:30]):
        r = get(hosts[(i + 1) % len(hosts)], ci["KeyfactorId"], user="alice")
        assert r.status_code == 200 and r.json()["Thumbprint"] == ci["Thumbprint"]


def test_staging_data_from_one_host_is_deployed_on_another(hosts, tmp_path):
    a, b, c = hosts
    store, store_dir = pem_store(a, tmp_path, "web01.example.com")
    ci = enroll(a, "staged.multihost.example.com", fmt="STORE").json()["CertificateInformation"]
    # By no one else, on any host.
    r = c.request("POST", "/Enrollment/PFX/Deploy", user="container7",
                  json={"Stores": [{"StoreId": store, "Alias": "theirs"}],
                        "CertificateId": ci["KeyfactorId"], "Password": PW})
    assert r.status_code == 400 and "another user" in r.json()["Message"], r.text
    r = b.request("POST", "/Enrollment/PFX/Deploy", user="storeops",
                  json={"Stores": [{"StoreId": store, "Alias": "staged"}],
                        "CertificateId": ci["KeyfactorId"], "Password": PW})
    assert r.status_code == 200 and r.json()["SuccessfulStores"] == [store], r.text
    c.tool("agent", "--once")
    crt = x509.load_pem_x509_certificate((store_dir / "staged.crt").read_bytes())
    assert crt.fingerprint(hashes.SHA1()).hex().upper() == ci["Thumbprint"]
    locs = get(a, ci["KeyfactorId"]).json()["Locations"]
    assert [l["CertStoreId"] for l in locs] == [store]


def test_agents_on_every_host_run_each_job_once(hosts, tmp_path):
    a = hosts[0]
    store, store_dir = pem_store(a, tmp_path, "web02.example.com")
    before = set(jobs(a))
    n = 30
    for i in range(n):
        h = hosts[i % len(hosts)]
        ci = enroll(h, "job%d.multihost.example.com" % i, fmt="STORE").json()[
            "CertificateInformation"]
        r = h.request("POST", "/Enrollment/PFX/Deploy", user="storeops",
                      json={"Stores": [{"StoreId": store, "Alias": "j%d" % i}],
                            "CertificateId": ci["KeyfactorId"], "Password": PW})
        assert r.status_code == 200, r.text
    new = set(jobs(a)) - before
    assert len(new) == n
    def agent_loop(h):
        out = []
        for _ in range(20):
            p = subprocess.run([TOOL, "-d", h.data,
                                "agent", "--once"], env=h.env(),
                               capture_output=True, text=True, timeout=120)
            assert p.returncode == 0, p.stderr
            out.append(p.stderr)
            if all(j["status"] not in ("scheduled", "running", "retry")
                   for jid, j in jobs(h).items() if jid in new):
                break
        return "".join(out)

    with concurrent.futures.ThreadPoolExecutor(max_workers=3) as ex:
        logs = list(ex.map(agent_loop, hosts))
    ran = [jid for text in logs for jid in agent_log_runs(text) if jid in new]
    assert sorted(ran) == sorted(new), "each job once: %s" % sorted(ran)
    assert sum(1 for text in logs if any(j in new for j in agent_log_runs(text))) >= 2, \
        "the agents shared the work"
    final = jobs(a)
    assert all(final[j]["status"] == "succeeded" for j in new), \
        [final[j] for j in new if final[j]["status"] != "succeeded"][:3]
    assert sorted(f.name for f in store_dir.glob("*.crt")) == \
        sorted("j%d.crt" % i for i in range(n))


def test_an_approval_is_claimed_once(hosts):
    a = hosts[0]
    r = a.enroll(body("approve.multihost.example.com", Template="NeedsApproval"),
                 fmt="PFX", user="alice")
    assert r.status_code == 200, r.text
    ci = r.json()["CertificateInformation"]
    assert ci["RequestDisposition"] == "PENDING"
    rid = ci["KeyfactorRequestId"]
    barrier = threading.Barrier(len(hosts) * 2)

    def approve(i):
        barrier.wait()
        return hosts[i % len(hosts)].request(
            "POST", "/Workflow/Certificates/Approve", user="approver", json=[rid])

    with concurrent.futures.ThreadPoolExecutor(max_workers=len(hosts) * 2) as ex:
        rs = list(ex.map(approve, range(len(hosts) * 2)))
    assert all(r.status_code == 200 for r in rs), [r.text for r in rs]
    successes = sum(len(r.json()["Successes"]) for r in rs)
    assert successes == 1, [r.json() for r in rs]
    issued = [json.loads(l.split("\t", 1)[1]) for l in
              a.tool("cert", "list").stdout.splitlines()]
    assert sum(1 for c in issued if c.get("request_id") == rid) == 1


def workers(h):
    """The FastCGI programs' processes of host h (spawn-fcgi's)."""
    pids = []
    for f in os.listdir(h.run):
        if f.endswith(".pid") and not f.startswith(("nginx", "apache", "signer")):
            pids += [int(p) for p in open(os.path.join(h.run, f)).read().split()]
    return pids


def load(hs, stop, acked, failures, lock, store=None):
    """Clients enrolling (and deploying) on hosts hs until stop is set."""
    def client(k):
        n = 0
        while not stop.is_set():
            n += 1
            h = hs[(k + n) % len(hs)]
            fmt = "STORE" if store and n % 2 == 0 else "PFX"
            try:
                r = enroll(h, "l%d-%d.multihost.example.com" % (k, n), fmt=fmt)
            except Exception as e:  # a killed host drops its connections
                with lock:
                    failures.append(("conn", str(e)[:80]))
                continue
            with lock:
                if r.status_code == 200:
                    ci = r.json()["CertificateInformation"]
                    acked.append((ci["KeyfactorId"], ci["Thumbprint"]))
                else:
                    failures.append((r.status_code, r.text[:200]))
            if fmt == "STORE" and r.status_code == 200:
                try:
                    h.request("POST", "/Enrollment/PFX/Deploy", user="storeops",
                              json={"Stores": [{"StoreId": store, "Alias": "k%d-%d" % (k, n % 5),
                                                "Overwrite": True}],
                                    "CertificateId": ci["KeyfactorId"], "Password": PW})
                except Exception:
                    pass
    return client


@contextlib.contextmanager
def clients(client, n, stop):
    """n threads running client(k) until stop is set: set when the block
    ends, also by a failed assertion (the threads would run for ever)."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=n) as ex:
        futs = [ex.submit(client, k) for k in range(n)]
        try:
            yield
        finally:
            stop.set()
        for f in futs:
            f.result()


def assert_all_present(h, acked):
    listed = {}
    for line in h.tool("cert", "list").stdout.splitlines():
        rec = json.loads(line.split("\t", 1)[1])
        assert rec["id"] not in listed
        listed[rec["id"]] = rec["thumbprint"]
    assert len({i for i, _ in acked}) == len(acked)
    missing = [(i, t) for i, t in acked if listed.get(i) != t]
    assert not missing, missing[:5]


def test_kill_9_of_one_host_under_load(hosts, tmp_path):
    a, b, c = hosts
    store, store_dir = pem_store(a, tmp_path, "web03.example.com")
    stop, lock = threading.Event(), threading.Lock()
    acked, failures = [], []
    held = []
    with clients(load([a, b], stop, acked, failures, lock, store), 4, stop):
        time.sleep(3)
        # Host a's agent is killed in the middle of its jobs (tried until
        # one is caught holding a job), then its programs.
        for _ in range(20):
            p = subprocess.Popen([TOOL, "-d", a.data, "agent", "--once"], env=a.env(),
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(0.15)
            p.kill()
            p.wait()
            held = [j for j in jobs(b).values() if j["status"] == "running"]
            if held:
                break
            time.sleep(0.5)
        for pid in workers(a):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        time.sleep(3)
    assert held, "the agent was never caught holding a job"
    assert len(acked) > 20, (len(acked), failures[:5])
    # Host a's clients failed from the kill on; the other host went on.
    r = enroll(b, "after-kill.multihost.example.com")
    assert r.status_code == 200, r.text
    assert_all_present(b, acked)
    # The jobs a's agent held are taken over once their lease is over.
    time.sleep(2.5)
    for _ in range(5):
        b.tool("agent", "--once")
        if not [j for j in jobs(b).values()
                if j["status"] in ("running", "scheduled")]:
            break
        time.sleep(1)
    final = jobs(b)
    for j in held:
        assert final[j["id"]]["status"] == "succeeded", final[j["id"]]
        assert final[j["id"]]["attempts"] >= 2
    assert not [j for j in final.values() if j["status"] == "running"]
    # Host a comes back (the operator restarts it) and answers as before.
    a.stop()
    a.start(listen=ADDRS[0])
    assert get(a, acked[0][0]).json()["Thumbprint"] == acked[0][1]


def pg_ctl(cluster, what):
    subprocess.run([PG_CLUSTER, what, cluster], check=True, stdout=subprocess.DEVNULL)


def test_postgresql_restart_under_load(hosts, cluster):
    stop, lock = threading.Event(), threading.Lock()
    acked, failures = [], []
    try:
        with clients(load(hosts, stop, acked, failures, lock), 4, stop):
            time.sleep(2)
            before_down = len(acked)
            pg_ctl(cluster, "stop")
            time.sleep(3)
            during = list(failures)
            down_acked = len(acked)
            # While it is down: the API's clear answer, from every host.
            for h in hosts:
                r = enroll(h, "down.multihost.example.com")
                assert r.status_code == 503, r.text
                assert r.json()["Message"] == \
                    "The database is unavailable; try again later.", r.text
                assert r.json()["ErrorCode"].startswith("0xA011")
                r = get(h, 1)
                assert r.status_code == 503, r.text
            pg_ctl(cluster, "start")
            time.sleep(3)
    finally:
        if not os.path.exists(os.path.join(cluster, "data", "postmaster.pid")):
            pg_ctl(cluster, "start")
    assert before_down > 0
    assert down_acked - before_down <= 4, "acknowledged while the database was down"
    statuses = {f[0] for f in failures}
    assert statuses <= {503}, [f for f in failures if f[0] != 503][:5]
    assert during, "no request failed while the database was down"
    # Recovery: every host enrolls and reads again; nothing acknowledged lost.
    for h in hosts:
        r = enroll(h, "recovered.multihost.example.com")
        assert r.status_code == 200, r.text
    assert len(acked) > down_acked
    assert_all_present(hosts[1], acked)
