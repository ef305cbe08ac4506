"""GET /health (issue 19): the database and the signer, by name; 503 when
either is down, 200 again once it is back.  No login, from anywhere."""
import os
import subprocess

import pytest

from conftest import DB, PG_CLUSTER, Service, new_base, own_cluster, psql

OK = {"Status": "OK", "Database": "OK", "Signer": "OK"}


def health(svc, **kw):
    r = svc.plain("GET", "/health", **kw)
    assert r.headers["content-type"].startswith("application/json")
    return r


def has_signer(svc):
    return os.path.exists(os.path.join(svc.run, "signer.sock"))


def test_health_names_the_database_and_the_signer(svc):
    r = health(svc)
    assert r.status_code == 200, r.text
    assert r.json() == dict(OK, Signer="OK" if has_signer(svc) else "None")


def test_health_needs_no_login_from_elsewhere_either(svc):
    r = health(svc, source="127.0.0.3")
    assert r.status_code == 200, r.text
    r = health(svc, source="127.0.0.3", user="carol")
    assert r.status_code == 200, r.text


def test_a_stopped_signer_is_a_503_until_it_is_back(svc, signer):
    svc.stop_signer()
    try:
        r = health(svc)
        assert r.status_code == 503, r.text
        assert r.json() == dict(OK, Status="Unavailable", Signer="Unavailable")
        # A load balancer's HEAD sees the same.
        assert svc.plain("HEAD", "/health").status_code == 503
    finally:
        svc.start_signer()
    r = health(svc)
    assert r.status_code == 200, r.text
    assert r.json() == OK


@pytest.mark.skipif(DB != "postgresql",
                    reason="a database that can go away (CERTENROLL_DB=postgresql)")
def test_an_unreachable_database_is_a_503_until_it_is_back():
    """A service of its own on a cluster of its own, which is stopped."""
    with own_cluster("certenroll-health-pg-") as d:
        psql(d, "postgres", "CREATE DATABASE health")
        s = Service(new_base("certenroll-it-health-pg-"),
                    database="postgresql:///health?host=%s&user=certenroll" % d)
        try:
            s.setup_data()
            s.start()
            assert health(s).status_code == 200
            subprocess.run([PG_CLUSTER, "stop", d], check=True,
                           stdout=subprocess.DEVNULL)
            try:
                r = health(s)
                assert r.status_code == 503, r.text
                assert r.json()["Status"] == "Unavailable"
                assert r.json()["Database"] == "Unavailable"
            finally:
                subprocess.run([PG_CLUSTER, "start", d], check=True,
                               stdout=subprocess.DEVNULL)
            for _ in range(50):
                r = health(s)
                if r.status_code == 200:
                    break
            assert r.status_code == 200, r.text
            assert r.json()["Database"] == "OK"
        finally:
            s.stop()
