"""Ways to log in, behind the web server CERTENROLL_WEB names (nginx or
Apache, nginx/ and apache/ as they are):

- Basic auth: the web server checks the password, REMOTE_USER is the user;
- a TLS client certificate the web server verified against the test roots:
  its subject DN is the certenroll user, matched exactly -- the RFC 2253
  string nginx ($ssl_client_s_dn) and Apache (SSL_CLIENT_S_DN) both give,
  most specific RDN first: a subject encoded O then CN (X.509's usual order,
  written "O=certenroll,CN=client-alice" in the enrollment request, since
  certenroll encodes the RDNs in the order written) logs in as
  "CN=client-alice,O=certenroll"; one encoded CN then O as
  "O=certenroll,CN=client-alice";
- a trusted reverse proxy: from its address (PROXY_ADDR) only, the user in
  X-Remote-User, which the web server passes as CERTENROLL_PROXY_USER and
  certenroll honours because certenroll.conf says
  trusted_proxy_param = CERTENROLL_PROXY_USER.

And the ways a client might try to pass itself off as someone else.
Who the program saw is read back from the certificate's RequesterName.
"""
import pytest

from conftest import ISSUING_CA, PROXY_ADDR, USERS

TS = "2026-11-25T10:00:00Z"

ALICE_DN = "CN=client-alice,O=certenroll"     # role Enrollers
CAROL_DN = "CN=client-carol,O=certenroll"     # no roles
# Requested as "CN=client-bob,O=certenroll": encoded CN first.
BOB_DN = "O=certenroll,CN=client-bob"         # role Enrollers
BOB_DN_AS_WRITTEN = "CN=client-bob,O=certenroll"  # no roles


def body(cn="login.example.com"):
    return {"Subject": "CN=%s" % cn, "Template": "WebServer",
            "CertificateAuthority": ISSUING_CA, "KeyType": "ECC",
            "Curve": "P-256", "Timestamp": TS, "Password": "Login-Pass-1234"}


@pytest.fixture(scope="module")
def certs(svc):
    """Users named by DNs, and client certificates from the test CAs (plus
    a self-signed one that spells alice's DN)."""
    svc.tool("user", "add", ALICE_DN, "--role", "Enrollers")
    svc.tool("user", "add", CAROL_DN)
    svc.tool("user", "add", BOB_DN, "--role", "Enrollers")
    svc.tool("user", "add", BOB_DN_AS_WRITTEN)
    return {
        "alice": svc.client_cert("login-alice", "O=certenroll,CN=client-alice"),
        "carol": svc.client_cert("login-carol", "O=certenroll,CN=client-carol"),
        "bob": svc.client_cert("login-bob", "CN=client-bob,O=certenroll"),
        "nobody": svc.client_cert("login-nobody", "O=certenroll,CN=client-nobody"),
        "self-signed": svc.self_signed_cert("login-selfsigned", "client-alice"),
    }


def requester(svc, r):
    """The user the program saw for an enrollment answered 200."""
    assert r.status_code == 200, r.text
    cid = r.json()["CertificateInformation"]["KeyfactorId"]
    c = svc.request("GET", "/Certificates/%d" % cid, user="alice")
    assert c.status_code == 200, c.text
    return c.json()["RequesterName"]


def assert_web_401(r):
    """The web server's own refusal: 401, the challenge, the API's body."""
    assert r.status_code == 401, r.text
    assert r.headers.get("WWW-Authenticate", "").startswith("Basic")
    assert r.headers["content-type"].startswith("application/json")
    assert r.json()["ErrorCode"] == "0xA0110003"


# -- Basic auth --------------------------------------------------------------
def test_basic_auth_user_is_remote_user(svc):
    r = svc.enroll(body("basic.example.com"), user="bob")
    assert requester(svc, r) == "bob"


def test_basic_auth_wrong_password_is_401(svc):
    r = svc.enroll(body(), user=None,
                   headers={"Authorization": "Basic YWxpY2U6d3Jvbmc="})  # alice:wrong
    assert_web_401(r)


# -- TLS client certificates ---------------------------------------------------
def test_client_certificate_logs_in_as_its_dn(svc, certs):
    r = svc.enroll(body("cert.example.com"), user=None, cert=certs["alice"])
    assert requester(svc, r) == ALICE_DN


def test_dn_is_rfc2253_most_specific_first(svc, certs):
    """bob's certificate encodes CN before O: the DN string the web server
    gives lists O first, and only the user spelled that way matches."""
    r = svc.enroll(body("bob-cert.example.com"), user=None, cert=certs["bob"])
    assert requester(svc, r) == BOB_DN


@pytest.mark.parametrize("who", ["carol", "nobody"])
def test_verified_certificate_without_claim_is_403(svc, certs, who):
    """A verified certificate is a login: a DN without the claim (or with no
    certenroll user at all) is 403, not a Basic auth challenge."""
    before = svc.db_digest()
    r = svc.enroll(body(), user=None, cert=certs[who])
    assert r.status_code == 403, r.text
    assert r.json()["ErrorCode"] == "0xA0110004"
    assert svc.db_digest() == before


def test_self_signed_certificate_is_no_login(svc, certs):
    """Not from a trusted CA: no login, even though its subject spells a
    user's DN -- Basic auth is demanded."""
    before = svc.db_digest()
    r = svc.enroll(body(), user=None, cert=certs["self-signed"])
    assert_web_401(r)
    assert svc.db_digest() == before


def test_self_signed_certificate_with_basic_auth_is_the_basic_user(svc, certs):
    r = svc.enroll(body("selfsigned-basic.example.com"), user="bob",
                   cert=certs["self-signed"])
    assert requester(svc, r) == "bob"


def test_certificate_login_does_not_take_an_unchecked_basic_name(svc, certs):
    """With a verified certificate the web server checks no password: the
    user named in an Authorization header must not become REMOTE_USER."""
    before = svc.db_digest()
    r = svc.enroll(body(), user=None, cert=certs["carol"],
                   headers={"Authorization": "Basic YWxpY2U6d3Jvbmc="})  # alice:wrong
    assert r.status_code in (401, 403), r.text
    assert svc.db_digest() == before


def test_certificate_login_ignores_forged_dn_headers(svc, certs):
    before = svc.db_digest()
    r = svc.enroll(body(), user=None, cert=certs["carol"], headers={
        "SSL-Client-S-DN": ALICE_DN, "SSL_CLIENT_S_DN": ALICE_DN,
        "Remote-User": "alice", "REMOTE_USER": "alice"})
    assert r.status_code == 403, r.text
    assert svc.db_digest() == before


# -- the trusted reverse proxy -------------------------------------------------
def test_trusted_proxy_names_the_user(svc):
    r = svc.proxy_request("POST", "/Enrollment/PFX", "alice",
                          json=body("proxy.example.com"), fmt="PFX")
    assert requester(svc, r) == "alice"


def test_trusted_proxy_user_without_claim_is_403(svc):
    r = svc.proxy_request("POST", "/Enrollment/PFX", "carol", json=body(),
                          fmt="PFX")
    assert r.status_code == 403, r.text


def test_trusted_proxy_without_user_is_401(svc):
    r = svc.proxy_request("POST", "/Enrollment/PFX", None, json=body(),
                          fmt="PFX")
    assert r.status_code == 401, r.text
    assert r.json()["ErrorCode"] == "0xA0110003"


def test_trusted_proxy_unchecked_basic_name_does_not_count(svc):
    """The proxy is not Basic-authenticated: an Authorization header it
    passes along must not become REMOTE_USER over X-Remote-User."""
    r = svc.proxy_request("POST", "/Enrollment/PFX", "carol", json=body(),
                          fmt="PFX",
                          headers={"Authorization": "Basic YWxpY2U6d3Jvbmc="})
    assert r.status_code == 403, r.text


# -- a client pretending -------------------------------------------------------
def test_client_x_remote_user_without_credentials_is_401(svc):
    before = svc.db_digest()
    r = svc.enroll(body(), user=None, headers={"X-Remote-User": "alice"})
    assert_web_401(r)
    assert svc.db_digest() == before


def test_client_x_remote_user_does_not_override_basic_user(svc):
    before = svc.db_digest()
    r = svc.enroll(body(), user="carol", headers={"X-Remote-User": "alice"})
    assert r.status_code == 403, r.text
    assert svc.db_digest() == before


@pytest.mark.parametrize("headers", [
    {"Remote-User": "alice"},
    {"REMOTE_USER": "alice"},
    {"SSL-Client-Verify": "SUCCESS", "SSL-Client-S-DN": ALICE_DN},
    {"SSL_CLIENT_VERIFY": "SUCCESS", "SSL_CLIENT_S_DN": ALICE_DN},
    {"Certenroll-Proxy-User": "alice"},
    {"CERTENROLL_PROXY_USER": "alice"},
    {"X-Forwarded-For": PROXY_ADDR, "X-Real-IP": PROXY_ADDR,
     "Forwarded": "for=" + PROXY_ADDR, "X-Remote-User": "alice"},
], ids=["remote-user", "remote_user", "ssl-client", "ssl_client",
        "proxy-param", "proxy_param", "forwarded-for-proxy"])
def test_server_variables_sent_as_headers_are_no_login(svc, headers):
    before = svc.db_digest()
    r = svc.enroll(body(), user=None, headers=headers)
    assert_web_401(r)
    assert svc.db_digest() == before


def test_users_are_what_conftest_says(svc):
    """carol really is a Basic-auth user without claims (the 403s above
    mean 'carol', not 'nobody')."""
    assert USERS["carol"][1] == []
    r = svc.request("GET", "/Status/Endpoints", user="carol")
    assert r.status_code == 200, r.text
