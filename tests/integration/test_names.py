"""Name policy on every name, on every path (issue 12, finding 5 and the name
cases of finding 3).  A template's subject regex holds every CN and every DNS
SAN; templates and patterns restrict SAN types, DNS suffixes, wildcards and
IP ranges; a wildcard under a public suffix and 0.0.0.0 / :: are refused by
default.  Checked at enrollment, approval and renewal through the API, and
again by the signer when a forger sends it a to-be-signed certificate
directly."""
import ipaddress
import os
import uuid

import pytest
from cryptography import x509
from cryptography.x509.oid import ObjectIdentifier

from conftest import ISSUING_CA
from forge import ask, sign_request, signed, tbs
from test_renew import enroll_ok, renew
from test_workflow import approve, pending, request_view, result_ids

TS = "2026-11-25T10:00:00Z"
PW = "names-pass-12345"
UPN_OID = ObjectIdentifier("1.3.6.1.4.1.311.20.2.3")


def uniq(prefix):
    return "%s%s" % (prefix, uuid.uuid4().hex[:8])


def body(cn, template="WebServer", sans=None, subject=None, **extra):
    b = {"Subject": subject or "CN=%s" % cn, "Template": template,
         "CertificateAuthority": ISSUING_CA, "KeyType": "ECC", "Timestamp": TS,
         "Password": PW}
    if sans is not None:
        b["SANs"] = sans
    b.update(extra)
    return b


def refused(svc, b, *says):
    """Enrolls b, expects a 400 whose message has each of says, and the
    database unchanged."""
    before = svc.db_digest()
    r = svc.enroll(b)
    assert r.status_code == 400, r.text
    err = r.json()
    assert set(err) >= {"ErrorCode", "Message"}, err
    for s in says:
        assert s in err["Message"], (s, err["Message"])
    assert svc.db_digest() == before
    return err["Message"]


def issued(svc, b):
    r = svc.enroll(b)
    assert r.status_code == 200, r.text
    assert r.json()["CertificateInformation"]["RequestDisposition"] == "ISSUED"
    return r.json()


def template(svc, *opts, prefix="Names"):
    name = uniq(prefix)
    svc.tool("template", "add", name, "--ca", ISSUING_CA, *opts)
    return name


# -- the Restricted template (subject regex) through the API ------------------
@pytest.mark.parametrize("sans,subject,says", [
    ({"dns": ["ok.example.com", "www.evil.com"]}, None,
     ["SANs.dns", "'www.evil.com'", "subject pattern", "Restricted"]),
    (None, "CN=ok.example.com,CN=Domain Admins",
     ["Subject", "'Domain Admins'", "does not match"]),
    ({"dns": ["ok.example.com", "www.evil.com"]}, "CN=ok.example.com,CN=www.evil.com",
     ["'www.evil.com'", "does not match"]),
    ({"ms_ntprincipalname": ["admin@corp.example.com"]}, None,
     ["SANs.ms_ntprincipalname", "'admin@corp.example.com'", "upn"]),
    ({"uri": ["spiffe://example.com/ns/prod/sa/admin"]}, None,
     ["SANs.uri", "spiffe://example.com/ns/prod/sa/admin"]),
    ({"rfc822": ["ceo@evil.com"]}, None, ["SANs.rfc822", "ceo@evil.com"]),
    ({"ip4": ["10.0.0.1"]}, None, ["SANs.ip", "10.0.0.1"]),
    ({"dns": ["*.example.com.evil.org"]}, None, ["SANs.dns", "*.example.com.evil.org"]),
], ids=["dns-san", "second-cn", "second-cn-and-san", "upn", "uri", "email", "ip", "wildcard-elsewhere"])
def test_restricted_refuses_a_name_outside_its_regex(svc, sans, subject, says):
    refused(svc, body("ok.example.com", "Restricted", sans=sans, subject=subject),
            *says)


def test_restricted_issues_names_inside_its_regex(svc):
    ans = issued(svc, body("in-a.example.com", "Restricted",
                           sans={"dns": ["in-a.example.com", "in-b.example.com"]},
                           subject="CN=in-a.example.com,CN=in-b.example.com"))
    assert ans["CertificateInformation"]["KeyfactorId"] > 0


# -- defaults on a template without rules (WebServer) --------------------------
@pytest.mark.parametrize("sans,subject,says", [
    ({"dns": ["*.com"]}, None, ["SANs.dns", "'*.com'", "public suffix"]),
    ({"dns": ["*.co.uk"]}, None, ["'*.co.uk'", "public suffix"]),
    (None, "CN=*.com", ["Subject", "'*.com'", "public suffix"]),
    ({"ip4": ["0.0.0.0"]}, None, ["SANs.ip", "'0.0.0.0'", "unspecified"]),
    ({"ip6": ["::"]}, None, ["SANs.ip", "'::'", "unspecified"]),
    ({"ms_ntprincipalname": ["a@corp.example"]}, None, ["upn", "WebServer"]),
    ({"directory": ["CN=Administrator,O=Example"]}, None, ["SANs.directory"]),
], ids=["wildcard-com", "wildcard-co-uk", "cn-wildcard-com", "ip-zero",
        "ip6-zero", "upn", "dirname"])
def test_defaults_refuse_the_dangerous_names(svc, sans, subject, says):
    refused(svc, body("x.example.com", sans=sans, subject=subject), *says)


def test_defaults_keep_dns_ip_email_uri_and_wildcards(svc):
    issued(svc, body("defaults.example.com", sans={
        "dns": ["defaults.example.com", "*.defaults.example.com"],
        "ip4": ["192.0.2.10"], "ip6": ["2001:db8::10"],
        "rfc822": ["ops@example.com"], "uri": ["https://defaults.example.com/"]}))


# -- explicit rules -----------------------------------------------------------
def test_no_wildcards_template_refuses_a_wildcard(svc):
    t = template(svc, "--no-wildcards")
    refused(svc, body("w.example.com", t, sans={"dns": ["*.example.com"]}),
            "SANs.dns", "'*.example.com'", "not allowed by template '%s'" % t)
    issued(svc, body("w.example.com", t, sans={"dns": ["w.example.com"]}))


def test_wildcards_template_still_refuses_public_suffix(svc):
    t = template(svc, "--wildcards")
    issued(svc, body("w2.example.com", t, sans={"dns": ["*.example.com"]}))
    refused(svc, body("w2.example.com", t, sans={"dns": ["*.com"]}), "public suffix")


def test_ip_ranges(svc):
    t = template(svc, "--ip-ranges", "10.0.0.0/8,2001:db8::/32")
    issued(svc, body("ip.example.com", t, sans={"ip4": ["10.1.2.3"],
                                                  "ip6": ["2001:db8::7"]}))
    refused(svc, body("ip.example.com", t, sans={"ip4": ["192.0.2.1"]}),
            "SANs.ip", "'192.0.2.1'", "outside the IP ranges of template '%s'" % t)
    refused(svc, body("ip.example.com", t, sans={"ip6": ["2001:db9::1"]}),
            "'2001:db9::1'", "outside the IP ranges")


def test_dns_suffix_holds_sans_and_dns_like_cns(svc):
    t = template(svc, "--dns-suffix", "corp.example", "--dns-suffix", "lab.example")
    issued(svc, body("a.corp.example", t, sans={"dns": ["a.corp.example",
                                                        "b.lab.example"]}))
    refused(svc, body("a.corp.example", t, sans={"dns": ["a.badcorp.example"]}),
            "SANs.dns", "'a.badcorp.example'", "outside the DNS suffixes")
    refused(svc, body("a.evil.example", t, sans={"dns": ["a.corp.example"]}),
            "Subject", "'a.evil.example'", "outside the DNS suffixes")


def test_dns_regex(svc):
    t = template(svc, "--dns-regex", "^web[0-9]+\\.example\\.com$")
    issued(svc, body("web1.example.com", t))
    refused(svc, body("web1.example.com", t, sans={"dns": ["db1.example.com"]}),
            "'db1.example.com'", "DNS pattern")


def test_san_types_allow_upn_when_asked(svc):
    t = template(svc, "--san-types", "dns,upn")
    issued(svc, body("u.example.com", t, sans={"ms_ntprincipalname": ["ann@corp"]}))
    refused(svc, body("u.example.com", t, sans={"uri": ["https://u.example.com/"]}),
            "SANs.uri", "(allowed: dns,upn)")


def test_pattern_narrows_its_template(svc):
    out = svc.tool("pattern", "add", "--template", "WebServer", "--name",
                   uniq("names pattern "), "--dns-suffix", "corp.example").stdout
    pid = int(out.split()[-1])
    issued(svc, body("p.corp.example", EnrollmentPatternId=pid,
                     sans={"dns": ["p.corp.example"]}))
    refused(svc, body("p.corp.example", EnrollmentPatternId=pid,
                      sans={"dns": ["p.example.com"]}),
            "'p.example.com'", "enrollment pattern %d" % pid)


@pytest.mark.parametrize("opts,says", [
    (["--ip-ranges", "10.0.0.0/33"], "10.0.0.0/33"),
    (["--ip-ranges", "10.0.0.1/8"], "10.0.0.1/8"),
    (["--ip-ranges", "not-an-ip"], "not-an-ip"),
    (["--dns-regex", "([a-z"], "([a-z"),
    (["--subject-regex", "([a-z"], "([a-z"),
    (["--san-types", "dns,x400"], "x400"),
    (["--dns-suffix", "*.example.com"], "*.example.com"),
    (["--wildcards", "--no-wildcards"], "--no-wildcards"),
], ids=["cidr-prefix", "cidr-host-bits", "cidr-garbage", "dns-regex",
        "subject-regex", "san-type", "suffix-wildcard", "both-switches"])
def test_admin_refuses_bad_rules(svc, opts, says):
    name = uniq("BadNames")
    p = svc.tool("template", "add", name, "--ca", ISSUING_CA, *opts, check=False)
    assert p.returncode != 0
    assert says in p.stderr, p.stderr
    assert name.lower() not in svc.tool("template", "list").stdout.lower()
    p = svc.tool("pattern", "add", "--template", "WebServer", *opts, check=False)
    if opts[0] != "--subject-regex":	# not a pattern option
        assert p.returncode != 0 and says in p.stderr, p.stderr


# -- renewal ------------------------------------------------------------------
def test_renewal_into_restricted_is_held_to_its_regex(svc):
    """A CN=www.evil.com certificate (WebServer) renewed with
    Template=Restricted is refused; renewed into its own template it is
    not."""
    ci = enroll_ok(svc, "www.evil.com")
    before = svc.db_digest()
    r = renew(svc, {"CertificateId": ci["KeyfactorId"], "Template": "Restricted",
                    "CertificateAuthority": ISSUING_CA})
    assert r.status_code == 400, r.text
    assert "www.evil.com" in r.json()["Message"], r.text
    assert svc.db_digest() == before
    r = renew(svc, {"CertificateId": ci["KeyfactorId"]})
    assert r.status_code == 200, r.text


def test_renewal_is_held_to_the_current_policy(svc):
    """A certificate whose template's name policy tightened since it was
    issued is not renewed with names the template no longer allows."""
    t = template(svc, "--dns-suffix", "example.com")
    ci = enroll_ok(svc, "renew-names.example.com", template=t)
    svc.tool("template", "set", t, "--dns-suffix", "example.org")
    before = svc.db_digest()
    r = renew(svc, {"CertificateId": ci["KeyfactorId"]})
    assert r.status_code == 400, r.text
    assert "renew-names.example.com" in r.json()["Message"]
    assert "outside the DNS suffixes" in r.json()["Message"]
    assert svc.db_digest() == before


# -- approval -----------------------------------------------------------------
def test_approval_checks_names_against_the_current_template(svc):
    """A request that was within policy when made, whose template's policy
    tightened before approval, is not issued; it stays pending and is issued
    once the policy allows it again."""
    t = template(svc, "--require-approval", "--dns-suffix", "example.com",
                 prefix="NamesApproval")
    r = svc.enroll(body("wf-names.example.com", t,
                        sans={"dns": ["wf-names.example.com"]}))
    assert r.status_code == 200, r.text
    ci = r.json()["CertificateInformation"]
    assert ci["RequestDisposition"] == "PENDING", ci
    rid = ci["KeyfactorRequestId"]

    svc.tool("template", "set", t, "--dns-suffix", "example.org")
    r = approve(svc, [rid])
    assert r.status_code == 200, r.text
    assert result_ids(r.json(), "Failures") == [rid], r.text
    assert r.json()["Successes"] == []
    why = r.json()["Failures"][0]["Comment"]
    assert "wf-names.example.com" in why and "outside the DNS suffixes" in why, why
    assert request_view(svc, rid)["State"] == 1	 # still pending

    svc.tool("template", "set", t, "--dns-suffix", "example.com")
    r = approve(svc, [rid])
    assert result_ids(r.json(), "Successes") == [rid], r.text


def test_template_set_unknown_template(svc):
    p = svc.tool("template", "set", uniq("Nope"), "--no-wildcards", check=False)
    assert p.returncode != 0 and "does not exist" in p.stderr


# -- the signer, asked directly -----------------------------------------------
def signer_log(svc):
    with open(os.path.join(svc.run, "signer.log")) as f:
        return f.read()


def upn(value):
    der = b"\x0c" + bytes([len(value)]) + value.encode()	# UTF8String
    return x509.OtherName(UPN_OID, der)


OK_CN = "forged-ok.example.com"
FORGED = [
    ("dns-google", dict(sans=[x509.DNSName(OK_CN), x509.DNSName("www.google.com")]),
     "www.google.com"),
    ("dns-wildcard-bank", dict(sans=[x509.DNSName(OK_CN),
                                     x509.DNSName("*.bank.example")]), "*.bank.example"),
    ("ip", dict(sans=[x509.DNSName(OK_CN),
                      x509.IPAddress(ipaddress.ip_address("10.0.0.1"))]), "10.0.0.1"),
    ("email", dict(sans=[x509.DNSName(OK_CN), x509.RFC822Name("ceo@evil.com")]),
     "ceo@evil.com"),
    ("spiffe-uri", dict(sans=[x509.DNSName(OK_CN), x509.UniformResourceIdentifier(
        "spiffe://example.com/ns/prod/sa/admin")]), "spiffe://example.com"),
    ("second-cn", dict(cns=[OK_CN, "Domain Admins"], sans=[x509.DNSName(OK_CN)]),
     "Domain Admins"),
    ("second-cn-in-san", dict(cns=[OK_CN, "www.evil.com"], sans=[
        x509.DNSName(OK_CN), x509.DNSName("www.evil.com")]), "www.evil.com"),
    ("cn-outside", dict(cn="Domain Admins", sans=[x509.DNSName(OK_CN)]),
     "Domain Admins"),
    ("upn", dict(sans=[x509.DNSName(OK_CN), upn("admin@corp.example.com")]),
     "admin@corp.example.com"),
]


@pytest.mark.parametrize("kw,name", [f[1:] for f in FORGED],
                         ids=[f[0] for f in FORGED])
def test_signer_refuses_forged_names_for_restricted(svc, signer, kw, name):
    requester = uniq("mallory-")
    kw = dict(kw)
    kw.setdefault("cn", OK_CN)
    a = ask(signer, sign_request(tbs(svc, **kw), template="Restricted",
                                 requester=requester))
    assert a.get("ok") is False, a
    assert not a.get("fault"), a
    assert name in a["error"], a
    lines = [l for l in signer_log(svc).splitlines()
             if "refused" in l and requester in l]
    assert len(lines) == 1 and name in lines[0], lines


@pytest.mark.parametrize("san,name", [
    (x509.DNSName("*.com"), "*.com"),
    (x509.IPAddress(ipaddress.ip_address("0.0.0.0")), "0.0.0.0"),
    (x509.IPAddress(ipaddress.ip_address("::")), "::"),
    (x509.DirectoryName(x509.Name([x509.NameAttribute(
        x509.oid.NameOID.COMMON_NAME, "Administrator")])), "Administrator"),
], ids=["wildcard-com", "ip-zero", "ip6-zero", "dirname"])
def test_signer_refuses_default_dangers_for_webserver(svc, signer, san, name):
    requester = uniq("mallory-")
    a = ask(signer, sign_request(tbs(svc, sans=[x509.DNSName("forged.example.com"),
                                                 san]), requester=requester))
    assert a.get("ok") is False and name in a["error"], a
    assert any("refused" in l and requester in l
               for l in signer_log(svc).splitlines())


def test_signer_signs_a_forged_tbs_within_policy(svc, signer):
    """The baseline: the same forger's TBS with names inside Restricted's
    regex is signed, so each refusal above is the names' doing."""
    cert = signed(ask(signer, sign_request(
        tbs(svc, cns=[OK_CN, "forged-two.example.com"],
            sans=[x509.DNSName(OK_CN), x509.DNSName("forged-two.example.com")]),
        template="Restricted")))
    assert cert.subject.get_attributes_for_oid(
        x509.oid.NameOID.COMMON_NAME)[0].value == OK_CN


def test_application_cn_regex_holds_for_every_cn(svc):
    """The application-wide cn_regex setting, like a template's regex, is
    checked against a second CN too, not only the first."""
    svc.tool("setting", "set", "cn_regex", "^[a-z0-9.-]+\\.example\\.com$")
    try:
        refused(svc, body(None, subject="CN=%s.example.com,CN=www.evil.test" % uniq("app-cn")),
                "www.evil.test", "required pattern")
        b = body(uniq("app-cn2") + ".example.com")
        issued(svc, b)
    finally:
        svc.tool("setting", "set", "cn_regex", ".+")
