"""POST /Certificates/Revoke through the web server (issue #15): what
Keyfactor's clients send (terraform's destroy, the Go client's RevokeCert,
the Python SDK), what GET /Certificates shows after, holds taken off, ids
that fail alone, and what a client without the claim or with bad input
gets: an error body and no change.  Then the CRL at the URL the
certificate itself carries (its CRL distribution point), fetched without
a login and read by Python's cryptography and by `openssl crl` and
`openssl verify -crl_check`; and, once the CRL is large, the delta CRL
beside it (`openssl verify -use_deltas`)."""
import base64
import datetime
import os
import subprocess

import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import ExtensionOID

from conftest import ISSUING_CA, ROOT_CA, TOOL
from test_stores import add_store, jobs

TS = "2026-11-25T10:00:00Z"


def issue(svc, cn):
    r = svc.enroll({"Subject": "CN=%s" % cn, "Template": "WebServer",
                    "CertificateAuthority": ISSUING_CA, "KeyType": "ECC",
                    "Timestamp": TS, "SANs": {"dns": [cn]}}, fmt="PEM")
    assert r.status_code == 200, r.text
    return r.json()["CertificateInformation"]["KeyfactorId"]


def revoke(svc, body, user="revoker"):
    return svc.request("POST", "/Certificates/Revoke", user=user, json=body)


def show(svc, cid):
    r = svc.request("GET", "/Certificates/%d" % cid, user="alice")
    assert r.status_code == 200, r.text
    return r.json()


def test_terraform_destroy_revokes(svc):
    cid = issue(svc, "destroy.revoke.example.com")
    when = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    r = revoke(svc, {"CertificateIds": [cid], "Reason": 5,
                     "Comment": "Terraform destroy called on provider with "
                                "revoke_on_destroy set to true",
                     "EffectiveDate": when.strftime("%Y-%m-%dT%H:%M:%SZ"),
                     "CollectionId": 0})
    assert r.status_code == 200, r.text
    assert r.json()["RevokedIds"] == [cid]
    assert r.json()["SuspendedCerts"] == []
    c = show(svc, cid)
    assert c["CertState"] == 2 and c["CertStateString"] == "Revoked"
    assert c["RevocationReason"] == 5
    assert c["RevocationComment"].startswith("Terraform destroy")
    got = datetime.datetime.fromisoformat(c["RevocationEffDate"].replace("Z", "+00:00"))
    assert abs((got - when).total_seconds()) < 1
    # Revoking twice is harmless: still revoked, as it was.
    r = revoke(svc, {"CertificateIDs": [cid], "Reason": 1, "Comment": "again"})
    assert r.status_code == 200 and r.json()["RevokedIds"] == [cid], r.text
    assert show(svc, cid)["RevocationReason"] == 5


def test_listing_hides_revoked_unless_asked(svc):
    cid = issue(svc, "listed.revoke.example.com")
    q = {"pq.queryString": 'IssuedCN -eq "listed.revoke.example.com"'}
    r = svc.request("GET", "/Certificates", user="alice", params=q)
    assert [c["Id"] for c in r.json()] == [cid]
    assert revoke(svc, {"CertificateIds": [cid], "Comment": "gone"}).status_code == 200
    r = svc.request("GET", "/Certificates", user="alice", params=q)
    assert r.json() == []
    for flag in ("includeRevoked", "pq.includeRevoked"):
        r = svc.request("GET", "/Certificates", user="alice", params=dict(q, **{flag: "true"}))
        assert [(c["Id"], c["CertState"]) for c in r.json()] == [(cid, 2)], flag


def test_hold_and_take_off_hold(svc):
    cid = issue(svc, "hold.revoke.example.com")
    assert revoke(svc, {"CertificateIds": [cid], "Reason": 6,
                        "Comment": "on hold"}).status_code == 200
    assert show(svc, cid)["RevocationReason"] == 6
    r = revoke(svc, {"CertificateIds": [cid], "Reason": -1, "Comment": "off hold"})
    assert r.status_code == 200 and r.json()["RevokedIds"] == [cid], r.text
    c = show(svc, cid)
    assert c["CertState"] == 1 and c["RevocationReason"] is None
    assert c["RevocationEffDate"] is None and c["RevocationComment"] is None
    # Not on hold now: taking it off again is refused, naming it.
    r = revoke(svc, {"CertificateIds": [cid], "Reason": 7, "Comment": "again"})
    assert r.status_code == 400, r.text
    assert r.json()["FailedOperations"] == [
        {"Id": cid, "Reason": "Certificate %d is not on hold." % cid}]


def test_unknown_ids_fail_alone(svc):
    cid = issue(svc, "partial.revoke.example.com")
    r = revoke(svc, {"CertificateIds": [2147483000, cid], "Comment": "some"})
    assert r.status_code == 200, r.text
    assert r.json()["RevokedIds"] == [cid]
    assert r.json()["FailedOperations"] == [
        {"Id": 2147483000, "Reason": "Certificate 2147483000 was not found."}]
    before = svc.db_digest()
    r = revoke(svc, {"CertificateIds": [2147483000, 2147483001], "Comment": "none"})
    assert r.status_code == 400, r.text
    assert r.json()["ErrorCode"] == "0xA0110001"
    assert "No certificate was revoked" in r.json()["Message"]
    assert len(r.json()["FailedOperations"]) == 2
    assert svc.db_digest() == before


STORE_PW = "Revoke-Pass-123"


def stored(svc, folder, cn):
    """A PEM store in folder and a STORE enrollment of cn: (store, id)."""
    folder.chmod(0o755)
    store = add_store(svc, "PEM", str(folder))
    r = svc.enroll({"Subject": "CN=%s" % cn, "Template": "WebServer",
                    "CertificateAuthority": ISSUING_CA, "KeyType": "ECC",
                    "Timestamp": TS, "Password": STORE_PW},
                   fmt="STORE", user="storeops")
    assert r.status_code == 200, r.text
    return store, r.json()["CertificateInformation"]["KeyfactorId"]


def test_a_revoked_certificate_is_not_deployed_or_renewed(svc, tmp_path):
    store, cid = stored(svc, tmp_path, "stored.revoke.example.com")
    assert revoke(svc, {"CertificateIds": [cid], "Reason": 1,
                        "Comment": "key compromise"}).status_code == 200
    r = svc.request("POST", "/Enrollment/PFX/Deploy", user="storeops", json={
        "Stores": [{"StoreId": store, "Alias": "revoked"}],
        "CertificateId": cid, "Password": STORE_PW})
    assert r.status_code == 400, r.text
    assert "revoked" in r.json()["Message"]
    r = svc.request("POST", "/Enrollment/Renew", user="storeops",
                    json={"CertificateId": cid, "Timestamp": TS})
    assert r.status_code == 400, r.text


def test_a_job_queued_before_the_revocation_delivers_nothing(svc, tmp_path):
    store, cid = stored(svc, tmp_path, "queued.revoke.example.com")
    r = svc.request("POST", "/Enrollment/PFX/Deploy", user="storeops", json={
        "Stores": [{"StoreId": store, "Alias": "queued"}],
        "CertificateId": cid, "Password": STORE_PW})
    assert r.status_code == 200 and r.json()["SuccessfulStores"] == [store], r.text
    assert revoke(svc, {"CertificateIds": [cid], "Reason": 1,
                        "Comment": "key compromise"}).status_code == 200
    svc.tool("agent", "--once")
    assert not os.path.exists(os.path.join(str(tmp_path), "queued.crt"))
    job = [j for j in jobs(svc).values() if j.get("cert_id") == cid][0]
    assert job["status"] == "failed", job
    assert "revoked" in job["last_error"], job
    assert job["attempts"] == 1, job


@pytest.mark.parametrize("body,needle", [
    ({"Comment": "x"}, "CertificateIds"),
    ({"CertificateIds": [], "Comment": "x"}, "CertificateIds"),
    ({"CertificateIds": "1", "Comment": "x"}, "CertificateIds"),
    ({"CertificateIds": [1, -4], "Comment": "x"}, "element 1"),
    ({"CertificateIds": [1]}, "Comment"),
    ({"CertificateIds": [1], "Comment": ""}, "Comment"),
    ({"CertificateIds": [1], "Comment": "x" * 1025}, "at most 1024 bytes"),
    ({"CertificateIds": [1], "Comment": "x", "Reason": 9}, "Reason: 9"),
    ({"CertificateIds": [1], "Comment": "x", "Reason": "soon"}, "Reason"),
    ({"CertificateIds": [1], "Comment": "x", "EffectiveDate": "yesterday"},
     "EffectiveDate"),
    ({"CertificateIds": [1], "Comment": "x", "EffectiveDate": "2999-01-01T00:00:00Z"},
     "future"),
    ({"CertificateIds": list(range(1, 1002)), "Comment": "x"}, "at most 1000"),
])
def test_bad_input_is_400_and_changes_nothing(svc, body, needle):
    issue(svc, "bad.revoke.example.com")
    before = svc.db_digest()
    r = revoke(svc, body)
    assert r.status_code == 400, r.text
    assert r.json()["ErrorCode"].startswith("0xA011")
    assert needle in r.json()["Message"], r.text
    assert svc.db_digest() == before


def test_markup_and_newlines_in_the_comment_stay_text(svc):
    cid = issue(svc, "markup.revoke.example.com")
    comment = "<script>alert(1)</script>\r\nforged: line"
    assert revoke(svc, {"CertificateIds": [cid], "Comment": comment}).status_code == 200
    assert show(svc, cid)["RevocationComment"] == comment


def test_without_the_claim_nothing_is_revoked(svc):
    cid = issue(svc, "claim.revoke.example.com")
    before = svc.db_digest()
    for user in ("alice", "storeops", "approver"):
        r = revoke(svc, {"CertificateIds": [cid], "Comment": "not mine"}, user=user)
        assert r.status_code == 403, r.text
        assert "/certificates/collections/revoke/" in r.json()["Message"]
    assert svc.db_digest() == before
    assert show(svc, cid)["CertState"] == 1


# -- CRLs ---------------------------------------------------------------------


def issue_pem(svc, cn):
    """A new certificate (cryptography's object) and its id."""
    r = svc.enroll({"Subject": "CN=%s" % cn, "Template": "WebServer",
                    "CertificateAuthority": ISSUING_CA, "KeyType": "ECC",
                    "Timestamp": TS, "SANs": {"dns": [cn]}}, fmt="PEM")
    assert r.status_code == 200, r.text
    ci = r.json()["CertificateInformation"]
    r2 = svc.request("GET", "/Certificates/%d" % ci["KeyfactorId"], user="alice")
    der = base64.b64decode(r2.json()["ContentBytes"])
    return x509.load_der_x509_certificate(der), ci["KeyfactorId"]


def cdp_url(cert):
    cdp = cert.extensions.get_extension_for_oid(ExtensionOID.CRL_DISTRIBUTION_POINTS).value
    return cdp[0].full_name[0].value


def fetch_crl(svc, url, pem=False):
    """The CRL at url, fetched as a relying party does: no login."""
    r = requests.get(url + (".pem" if pem else ""), verify=svc.ca_bundle, timeout=30)
    assert r.status_code == 200, (url, r.status_code, r.text[:200])
    return r


def issuing_ca(svc):
    return x509.load_pem_x509_certificate(svc.ca_pem(ISSUING_CA).encode())


def test_certificates_point_at_their_crl(svc):
    cert, _ = issue_pem(svc, "cdp.revoke.example.com")
    url = cdp_url(cert)
    assert url.startswith(svc.url.replace("localhost", "127.0.0.1") + "/crl/"), url
    assert url.endswith(".crl")
    # ... and its OCSP responder (test_ocsp.py).
    aia = cert.extensions.get_extension_for_oid(ExtensionOID.AUTHORITY_INFORMATION_ACCESS)
    assert aia.value[0].access_location.value == \
        svc.url.replace("localhost", "127.0.0.1") + "/ocsp"
    r = fetch_crl(svc, url)
    assert r.headers["Content-Type"].startswith("application/pkix-crl")
    crl = x509.load_der_x509_crl(r.content)
    ca = issuing_ca(svc)
    assert crl.issuer == ca.subject
    assert crl.is_signature_valid(ca.public_key())


def test_revocation_is_on_the_crl_at_the_certificates_cdp(svc, tmp_path):
    cert, cid = issue_pem(svc, "crl.revoke.example.com")
    good, _ = issue_pem(svc, "crl-good.revoke.example.com")
    url = cdp_url(cert)
    before = x509.load_der_x509_crl(fetch_crl(svc, url).content)
    n0 = before.extensions.get_extension_for_class(x509.CRLNumber).value.crl_number
    when = "2026-12-01T08:30:00Z"
    r = revoke(svc, {"CertificateIds": [cid], "Reason": 1, "Comment": "leaked",
                     "EffectiveDate": when})
    assert r.status_code == 200, r.text
    crl = x509.load_der_x509_crl(fetch_crl(svc, url).content)
    ca = issuing_ca(svc)
    assert crl.is_signature_valid(ca.public_key())
    n1 = crl.extensions.get_extension_for_class(x509.CRLNumber).value.crl_number
    assert n1 > n0
    aki = crl.extensions.get_extension_for_class(x509.AuthorityKeyIdentifier).value
    ski = ca.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    assert aki.key_identifier == ski.digest
    entry = crl.get_revoked_certificate_by_serial_number(cert.serial_number)
    assert entry is not None
    assert entry.revocation_date.strftime("%Y-%m-%dT%H:%M:%SZ") == when
    assert entry.extensions.get_extension_for_class(x509.CRLReason).value.reason == \
        x509.ReasonFlags.key_compromise
    assert crl.get_revoked_certificate_by_serial_number(good.serial_number) is None
    assert (crl.next_update - crl.last_update).total_seconds() == 604800
    # openssl verify -crl_check: the revoked one fails, the other passes.
    pem = fetch_crl(svc, url, pem=True).text
    assert pem.startswith("-----BEGIN X509 CRL-----")
    (tmp_path / "crl.pem").write_text(pem)
    (tmp_path / "cas.pem").write_text(svc.ca_pem(ROOT_CA) + svc.ca_pem(ISSUING_CA))
    for name, c in (("revoked", cert), ("good", good)):
        (tmp_path / (name + ".pem")).write_bytes(c.public_bytes(Encoding.PEM))
    v = subprocess.run(["openssl", "verify", "-crl_check", "-CAfile", str(tmp_path / "cas.pem"),
                        "-CRLfile", str(tmp_path / "crl.pem"), str(tmp_path / "revoked.pem")],
                       capture_output=True, text=True)
    assert v.returncode != 0 and "certificate revoked" in v.stdout + v.stderr, v
    v = subprocess.run(["openssl", "verify", "-crl_check", "-CAfile", str(tmp_path / "cas.pem"),
                        "-CRLfile", str(tmp_path / "crl.pem"), str(tmp_path / "good.pem")],
                       capture_output=True, text=True)
    assert v.returncode == 0, v
    out = subprocess.run(["openssl", "crl", "-noout", "-text", "-in", str(tmp_path / "crl.pem")],
                         capture_output=True, text=True, check=True).stdout
    assert ("%X" % cert.serial_number) in out.upper()
    assert "Key Compromise" in out


def test_off_hold_leaves_the_crl(svc):
    cert, cid = issue_pem(svc, "crl-hold.revoke.example.com")
    url = cdp_url(cert)
    assert revoke(svc, {"CertificateIds": [cid], "Reason": 6, "Comment": "hold"}).status_code == 200
    entry = x509.load_der_x509_crl(fetch_crl(svc, url).content) \
        .get_revoked_certificate_by_serial_number(cert.serial_number)
    assert entry.extensions.get_extension_for_class(x509.CRLReason).value.reason == \
        x509.ReasonFlags.certificate_hold
    assert revoke(svc, {"CertificateIds": [cid], "Reason": -1, "Comment": "off"}).status_code == 200
    crl = x509.load_der_x509_crl(fetch_crl(svc, url).content)
    assert crl.get_revoked_certificate_by_serial_number(cert.serial_number) is None


def test_the_agent_writes_the_recorded_crl_where_it_is_missing(svc):
    """A host whose file is gone (or another host's newer CRL): the agent
    writes the recorded one, not a new one, until it is due."""
    cert, _ = issue_pem(svc, "crl-agent.revoke.example.com")
    url = cdp_url(cert)
    number = lambda: x509.load_der_x509_crl(fetch_crl(svc, url).content) \
        .extensions.get_extension_for_class(x509.CRLNumber).value.crl_number
    first = number()
    path = os.path.join(svc.run, "crl", url.rsplit("/", 1)[1])
    os.unlink(path)
    os.unlink(path + ".pem")
    r = requests.get(url, verify=svc.ca_bundle, timeout=30)
    assert r.status_code == 404
    # The agent as a host runs it: with the programs' certenroll.conf.
    host = dict(svc.env(), CERTENROLL_CONF=os.path.join(svc.run, "certenroll.conf"))
    subprocess.run([TOOL, "-d", svc.data, "agent", "--once"], env=host, check=True)
    assert number() == first
    assert fetch_crl(svc, url, pem=True).text.startswith("-----BEGIN X509 CRL-----")
    subprocess.run([TOOL, "-d", svc.data, "crl", "publish"], env=host, check=True)
    assert number() == first + 1


def test_root_writing_crls_follows_no_link_the_service_user_plants(svc, tmp_path):
    """The admin command writes CRLs as root into a folder the service user
    owns: links planted at the CRL's or its lock's name aim no write."""
    cert, _ = issue_pem(svc, "crl-link.revoke.example.com")
    crl = os.path.join(svc.run, "crl", cdp_url(cert).rsplit("/", 1)[1])
    victim = tmp_path / "victim"
    victim.write_text("root's file\n")
    host = dict(svc.env(), CERTENROLL_CONF=os.path.join(svc.run, "certenroll.conf"))
    publish = [TOOL, "-d", svc.data, "crl", "publish", ISSUING_CA]
    if os.path.lexists(crl + ".lock"):
        os.unlink(crl + ".lock")
    os.symlink(str(victim), crl + ".lock")
    try:
        p = subprocess.run(publish, env=host, capture_output=True, text=True)
        assert p.returncode != 0, p
    finally:
        os.unlink(crl + ".lock")
    os.unlink(crl)
    os.symlink(str(victim), crl)
    subprocess.run(publish, env=host, check=True)
    assert not os.path.islink(crl)
    assert victim.read_text() == "root's file\n"
    x509.load_der_x509_crl(open(crl, "rb").read())


def crl_number(crl):
    return crl.extensions.get_extension_for_class(x509.CRLNumber).value.crl_number


def verify(tmp_path, cas, cert, *crls, deltas=False):
    """openssl verify -crl_check of cert under cas against crls (PEM texts)."""
    (tmp_path / "cas.pem").write_text(cas)
    (tmp_path / "leaf.pem").write_bytes(cert.public_bytes(Encoding.PEM))
    args = ["openssl", "verify", "-crl_check", "-CAfile", str(tmp_path / "cas.pem")]
    for i, c in enumerate(crls):
        (tmp_path / ("crl%d.pem" % i)).write_text(c)
        args += ["-CRLfile", str(tmp_path / ("crl%d.pem" % i))]
    if deltas:
        args.append("-use_deltas")
    v = subprocess.run(args + [str(tmp_path / "leaf.pem")], capture_output=True, text=True)
    return "revoked" if "certificate revoked" in v.stdout + v.stderr else \
        ("good" if v.returncode == 0 else v.stdout + v.stderr)


def test_a_large_crl_gets_delta_crls(svc, tmp_path):
    """From crl_delta_min entries on, a revocation publishes a delta CRL at
    the URL the full CRL's Freshest CRL names: the changes since the oldest
    full CRL still valid (a hold taken off as removeFromCRL), one number
    sequence; the full one stays until the next is made."""
    cas = svc.ca_pem(ROOT_CA) + svc.ca_pem(ISSUING_CA)
    a, ida = issue_pem(svc, "delta-a.revoke.example.com")
    b, idb = issue_pem(svc, "delta-b.revoke.example.com")
    c, _ = issue_pem(svc, "delta-c.revoke.example.com")
    url = cdp_url(a)
    delta_url = url[:-len(".crl")] + "-delta.crl"
    ca = issuing_ca(svc)
    host = dict(svc.env(), CERTENROLL_CONF=os.path.join(svc.run, "certenroll.conf"))
    publish = [TOOL, "-d", svc.data, "crl", "publish", ISSUING_CA]
    assert revoke(svc, {"CertificateIds": [idb], "Reason": 6, "Comment": "hold"}).status_code == 200
    try:
        svc.tool("setting", "set", "crl_delta_min", "1")
        subprocess.run(publish, env=host, check=True, capture_output=True)
        full = x509.load_der_x509_crl(fetch_crl(svc, url).content)
        n = crl_number(full)
        fresh = full.extensions.get_extension_for_class(x509.FreshestCRL).value
        assert fresh[0].full_name[0].value == delta_url
        d0 = x509.load_der_x509_crl(fetch_crl(svc, delta_url).content)
        assert d0.is_signature_valid(ca.public_key())
        ind = d0.extensions.get_extension_for_class(x509.DeltaCRLIndicator)
        base = ind.value.crl_number
        assert ind.critical and 1 <= base <= n
        assert crl_number(d0) == n
        assert d0.get_revoked_certificate_by_serial_number(a.serial_number) is None
        # a revocation: the delta alone, the full one as it was
        assert revoke(svc, {"CertificateIds": [ida], "Reason": 1, "Comment": "leaked"}).status_code == 200
        assert crl_number(x509.load_der_x509_crl(fetch_crl(svc, url).content)) == n
        d1 = x509.load_der_x509_crl(fetch_crl(svc, delta_url).content)
        assert crl_number(d1) == n + 1
        assert d1.extensions.get_extension_for_class(x509.DeltaCRLIndicator).value.crl_number == base
        e = d1.get_revoked_certificate_by_serial_number(a.serial_number)
        assert e.extensions.get_extension_for_class(x509.CRLReason).value.reason == \
            x509.ReasonFlags.key_compromise
        full_pem = fetch_crl(svc, url, pem=True).text
        delta_pem = fetch_crl(svc, delta_url, pem=True).text
        assert verify(tmp_path, cas, a, full_pem) == "good"       # the full one alone misses it
        assert verify(tmp_path, cas, a, full_pem, delta_pem, deltas=True) == "revoked"
        assert verify(tmp_path, cas, c, full_pem, delta_pem, deltas=True) == "good"
        # b's hold taken off: removeFromCRL in the delta, b good with it
        assert verify(tmp_path, cas, b, full_pem, delta_pem, deltas=True) == "revoked"
        assert revoke(svc, {"CertificateIds": [idb], "Reason": -1, "Comment": "found"}).status_code == 200
        d2 = x509.load_der_x509_crl(fetch_crl(svc, delta_url).content)
        assert crl_number(d2) == n + 2
        assert d2.get_revoked_certificate_by_serial_number(b.serial_number).extensions \
            .get_extension_for_class(x509.CRLReason).value.reason == x509.ReasonFlags.remove_from_crl
        delta_pem = fetch_crl(svc, delta_url, pem=True).text
        assert verify(tmp_path, cas, b, full_pem, delta_pem, deltas=True) == "good"
        assert verify(tmp_path, cas, a, full_pem, delta_pem, deltas=True) == "revoked"
        text = subprocess.run(["openssl", "crl", "-noout", "-text"], input=delta_pem,
                              capture_output=True, text=True, check=True).stdout
        assert "Delta CRL Indicator" in text and "Remove From CRL" in text
    finally:
        svc.tool("setting", "set", "crl_delta_min", "10000")
        subprocess.run(publish, env=host, check=True, capture_output=True)
    # deltas off again: the next full one lists a and names no delta; the
    # delta goes on for the full CRLs that named it while they are valid
    full = x509.load_der_x509_crl(fetch_crl(svc, url).content)
    assert full.get_revoked_certificate_by_serial_number(a.serial_number) is not None
    assert full.get_revoked_certificate_by_serial_number(b.serial_number) is None
    with pytest.raises(x509.ExtensionNotFound):
        full.extensions.get_extension_for_class(x509.FreshestCRL)
    last = x509.load_der_x509_crl(fetch_crl(svc, delta_url).content)
    assert crl_number(last) == crl_number(full)


def test_crls_need_no_login_but_nothing_else_is_open(svc):
    cert, _ = issue_pem(svc, "crl-open.revoke.example.com")
    url = cdp_url(cert)
    base = url.rsplit("/", 1)[0]
    # What the service user (who owns the folder) links there is not served.
    link = os.path.join(svc.run, "crl", "99.crl")
    os.symlink(os.path.join(svc.run, "htpasswd"), link)
    try:
        for path in ("/../certenroll.conf", "/../htpasswd", "/x.crl", "/1.pem",
                     "/99.crl", "/1.crl.lock"):
            r = requests.get(base + path, verify=svc.ca_bundle, timeout=30)
            assert r.status_code in (401, 403, 404), (path, r.status_code)
            assert "apr1" not in r.text
    finally:
        os.unlink(link)
