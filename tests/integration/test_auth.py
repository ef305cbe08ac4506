"""Authentication and claims on /Enrollment/PFX."""
from test_enroll_pfx import body


def test_no_credentials_is_401_with_error_body(svc):
    r = svc.enroll(body(), user=None)
    assert r.status_code == 401
    assert r.json()["ErrorCode"].startswith("0xA011")
    assert "WWW-Authenticate" in r.headers


def test_wrong_password_is_401(svc):
    import requests
    r = requests.post(svc.url + "/KeyfactorAPI/Enrollment/PFX", json=body(),
                      auth=("alice", "wrong"), verify=svc.ca_bundle,
                      headers={"x-certificateformat": "PFX",
                               "x-keyfactor-requested-with": "APIClient"})
    assert r.status_code == 401


def test_user_without_claim_is_403_naming_it(svc):
    before = svc.db_digest()
    r = svc.enroll(body(), user="carol")
    assert r.status_code == 403
    assert "/certificates/enrollment/pfx/" in r.json()["Message"]
    assert svc.db_digest() == before


def test_status_endpoints(svc):
    r = svc.request("GET", "/Status/Endpoints", data="null")
    assert r.status_code == 200
    assert "POST /Enrollment/PFX" in r.json()
