"""Bad requests to POST /Enrollment/PFX: each one is refused with the exact
status of DECISIONS.md "Status codes", the API's error body
{"ErrorCode": "0xA011....", "Message": ...} whose Message names the problem,
and leaves LMDB exactly as it was.

One table (CASES) drives one test.  A case whose answer is wrong today is
marked xfail(strict=True) with the reason "BUG: ..." -- the expectation in
the table stays what the contract says.
"""
import json

import pytest
import requests

from conftest import ISSUING_CA, RSA_CA

ENDPOINT = "/Enrollment/PFX"
TS = "2026-11-25T10:00:00Z"

MISSING_FORMAT_MSG = ("You must supply a certificate format in the "
                      "'X-CertificateFormat' header of the request.")

# status -> the ErrorCode the README's error table gives it
CODES = {400: "0xA0110001", 401: "0xA0110003", 403: "0xA0110004",
         405: "0xA0110006", 413: "0xA0110009", 415: "0xA011000A"}

DROP = object()  # good(Key=DROP) removes Key from the body


def good(**kw):
    """A body the service accepts (test_control_bodies_are_accepted proves
    it); each case breaks exactly one thing in it."""
    b = {"Subject": "CN=bad-input.example.com,O=certenroll tests,C=US",
         "Template": "WebServer", "CertificateAuthority": ISSUING_CA,
         "KeyType": "ECC", "Curve": "P-256", "Timestamp": TS,
         "SANs": {"dns": ["bad-input.example.com"]},
         "IncludeChain": True, "Password": "Good-Password-123"}
    for k, v in kw.items():
        if v is DROP:
            b.pop(k, None)
        else:
            b[k] = v
    return b


def good_rsa(**kw):
    """A body the RsaOnly template (RSA-2048/3072 on RsaCA) accepts."""
    base = dict(Template="RsaOnly", CertificateAuthority=RSA_CA,
                KeyType="RSA", KeyLength=2048, Curve=DROP)
    base.update(kw)
    return good(**base)


def good_meta(**kw):
    """A body for pattern 5 (WebServer; Owner:email:required, CostCenter:int,
    Tier:choice:gold|silver, field Ticket)."""
    base = dict(Template=DROP, EnrollmentPatternId=5,
                Metadata={"Owner": "ops@example.com", "CostCenter": 42,
                          "Tier": "gold"})
    base.update(kw)
    return good(**base)


def raw(obj):
    return json.dumps(obj).encode()


OVERLONG = b"\xc0\xaf"            # '/' in two bytes
SURROGATE = b"\xed\xa0\x80"       # U+D800 encoded as if it were a character
ABOVE_MAX = b"\xf4\x90\x80\x80"   # U+110000, past the last code point
UTF8_BUG = ("the body's UTF-8 check lets overlong forms, encoded surrogates "
            "and code points above U+10FFFF through (only bytes like 0xFF "
            "are refused)")


SCALAR_BUG = ("a top-level JSON scalar (42, true, null) is parsed without "
              "finishing the tokenizer: the answer is 'The request body is "
              "not valid JSON (continue at offset N).' although the text is "
              "valid JSON, instead of naming the real problem (not a JSON "
              "object / no body)")


def utf8(body, bad):
    """The JSON of body with the placeholder @@ replaced by raw bytes."""
    out = raw(body)
    assert out.count(b"@@") == 1
    return out.replace(b"@@", bad)


def chunks(total, size=65536):
    """A chunked body (no Content-Length) of `total` bytes of JSON."""
    head = b'{"Subject": "'
    tail = b'"}'
    yield head
    left = total - len(head) - len(tail)
    while left > 0:
        n = min(size, left)
        yield b"a" * n
        left -= n
    yield tail


def case(cid, status, needles, *, body=None, data=None, headers=None,
         fmt="PFX", version=None, requested_with=True, user="alice",
         method="POST", settings=None, code=None, exact=None, not_needles=(),
         bug=None):
    """One row: the request, then what the answer must be.

    needles: substrings (case-insensitive) the Message must contain.
    not_needles: substrings it must not contain.
    exact:   the Message must be exactly this.
    settings: {name: value} set with the admin command before the request
             (the digest is taken after it) and restored afterwards.
    bug:     marks the row xfail(strict=True) with reason "BUG: <bug>".
    """
    if body is None and data is None and method == "POST":
        body = good()
    row = dict(status=status, code=code or CODES[status],
               needles=[needles] if isinstance(needles, str) else list(needles),
               exact=exact, not_needles=list(not_needles),
               settings=settings or {}, method=method,
               kw=dict(json=body, data=data, headers=headers, fmt=fmt,
                       version=version, requested_with=requested_with,
                       user=user))
    marks = [pytest.mark.xfail(reason="BUG: " + bug, strict=True)] if bug else []
    return pytest.param(row, id=cid, marks=marks)


# -- the table --------------------------------------------------------------
CASES = [
    # The body is not JSON at all (sent as application/json).
    case("not-json-text", 400, "JSON", data=b"this is not json"),
    case("not-json-truncated", 400, "JSON", data=raw(good())[:-5]),
    case("not-json-trailing-garbage", 400, "JSON",
         data=raw(good()) + b" trailing"),
    case("not-json-single-quotes", 400, "JSON",
         data=b"{'Subject': 'CN=bad-input.example.com'}"),
    case("not-json-trailing-comma", 400, "JSON",
         data=raw(good())[:-1] + b",}"),
    case("not-json-empty-body", 400, "body", data=b""),

    # JSON, but not an object.
    case("json-array-empty", 400, "object", data=b"[]"),
    case("json-array-of-good-body", 400, "object", data=raw([good()])),
    case("json-string", 400, "object", data=b'"CN=bad-input.example.com"'),
    case("json-number", 400, "object", data=b"42"),
    case("json-true", 400, "object", data=b"true"),
    case("json-null", 400, "body", data=b"null",
         not_needles=["not valid JSON"]),
    case("json-number-with-space", 400, "object", data=b"42 "),

    # Deep nesting and invalid UTF-8.
    case("nesting-200-arrays", 400, "nesting",
         data=b"[" * 200 + b"]" * 200),
    case("nesting-200-arrays-in-field", 400, "nesting",
         data=raw(good(SANs=DROP))[:-1] + b', "SANs": ' + b"[" * 200 +
         b"]" * 200 + b"}"),
    case("utf8-invalid-byte-ff", 400, "UTF-8",
         data=raw(good(Subject="CN=@@.example.com")).replace(b"@@", b"\xff\xfe")),
    case("utf8-overlong-in-Subject", 400, "UTF-8",
         data=utf8(good(Subject="CN=@@.example.com"), OVERLONG)),
    case("utf8-truncated-sequence", 400, "UTF-8",
         data=raw(good(Subject="CN=@@.example.com")).replace(b"@@", b"a\xe2\x82")),
    case("utf8-surrogate-in-Subject", 400, "UTF-8",
         data=utf8(good(Subject="CN=@@.example.com"), SURROGATE)),
    case("utf8-above-10FFFF-in-Subject", 400, "UTF-8",
         data=utf8(good(Subject="CN=@@.example.com"), ABOVE_MAX)),
    case("utf8-overlong-in-CustomFriendlyName", 400, "UTF-8",
         data=utf8(good(CustomFriendlyName="@@"), OVERLONG)),
    case("utf8-surrogate-in-CustomFriendlyName", 400, "UTF-8",
         data=utf8(good(CustomFriendlyName="@@"), SURROGATE)),
    case("utf8-overlong-in-Password", 400, "UTF-8",
         data=utf8(good(Password="@@Good-Password-123"), OVERLONG)),
    case("utf8-overlong-in-AdditionalEnrollmentFields", 400, "UTF-8",
         data=utf8(good_meta(AdditionalEnrollmentFields={"Ticket": "@@"}),
                   OVERLONG)),
    case("utf8-overlong-in-unknown-key", 400, "UTF-8",
         data=raw(good())[:-1] + b', "x' + OVERLONG + b'": 1}'),
    case("utf8-overlong-in-Metadata", 400, "UTF-8",
         data=utf8(good_meta(Metadata={"Owner": "ops@example.com",
                                       "Tier": "@@"}), OVERLONG)),
    case("utf8-surrogate-in-Template", 400, "UTF-8",
         data=utf8(good(Template="@@"), SURROGATE)),
    case("utf8-above-10FFFF-in-SANs-dns", 400, "UTF-8",
         data=utf8(good(SANs={"dns": ["@@.example.com"]}), ABOVE_MAX)),
    case("string-with-nul", 400, "Subject",
         body=good(Subject="CN=bad\u0000input.example.com")),

    # Wrong JSON type for a field: 400 naming the field.
    case("type-Subject-number", 400, "Subject", body=good(Subject=123)),
    case("type-Subject-array", 400, "Subject",
         body=good(Subject=["CN=bad-input.example.com"])),
    case("type-Subject-object", 400, "Subject",
         body=good(Subject={"CN": "bad-input.example.com"})),
    case("type-Subject-bool", 400, "Subject", body=good(Subject=True)),
    case("type-Template-number", 400, "Template", body=good(Template=42)),
    case("type-Template-array", 400, "Template",
         body=good(Template=["WebServer"])),
    case("type-Template-bool", 400, "Template", body=good(Template=False)),
    case("type-KeyLength-word", 400, "KeyLength",
         body=good_rsa(KeyLength="abc")),
    case("type-KeyLength-fraction", 400, "KeyLength",
         body=good_rsa(KeyLength=2048.5)),
    case("type-KeyLength-array", 400, "KeyLength",
         body=good_rsa(KeyLength=[2048])),
    case("type-KeyLength-object", 400, "KeyLength",
         body=good_rsa(KeyLength={"bits": 2048})),
    case("type-KeyLength-bool", 400, "KeyLength",
         body=good_rsa(KeyLength=True)),
    case("type-IncludeChain-word", 400, "IncludeChain",
         body=good(IncludeChain="yes")),
    case("type-IncludeChain-number-2", 400, "IncludeChain",
         body=good(IncludeChain=2)),
    case("type-IncludeChain-array", 400, "IncludeChain",
         body=good(IncludeChain=[True])),
    case("type-IncludeChain-object", 400, "IncludeChain",
         body=good(IncludeChain={})),
    case("type-SANs-string", 400, "SANs",
         body=good(SANs="dns:bad-input.example.com")),
    case("type-SANs-array", 400, "SANs",
         body=good(SANs=["bad-input.example.com"])),
    case("type-SANs-number", 400, "SANs", body=good(SANs=5)),
    case("type-SANs-bool", 400, "SANs", body=good(SANs=True)),
    case("type-SANs-dns-object", 400, "dns",
         body=good(SANs={"dns": {"name": "bad-input.example.com"}})),
    case("type-Metadata-string", 400, "Metadata",
         body=good_meta(Metadata="Owner=ops@example.com")),
    case("type-Metadata-array", 400, "Metadata",
         body=good_meta(Metadata=["ops@example.com"])),
    case("type-Metadata-number", 400, "Metadata", body=good_meta(Metadata=7)),
    case("type-Metadata-value-object", 400, ["Metadata", "Owner"],
         body=good_meta(Metadata={"Owner": {"mail": "ops@example.com"}})),
    case("type-Metadata-value-array", 400, ["Metadata", "Owner"],
         body=good_meta(Metadata={"Owner": ["ops@example.com"]})),
    case("type-Timestamp-number", 400, "Timestamp",
         body=good(Timestamp=1764064800)),
    case("type-Timestamp-bool", 400, "Timestamp", body=good(Timestamp=True)),
    case("type-Timestamp-object", 400, "Timestamp", body=good(Timestamp={})),
    case("type-Timestamp-array", 400, "Timestamp", body=good(Timestamp=[TS])),
    case("type-EnrollmentPatternId-word", 400, "EnrollmentPatternId",
         body=good_meta(EnrollmentPatternId="five")),
    case("type-EnrollmentPatternId-fraction", 400, "EnrollmentPatternId",
         body=good_meta(EnrollmentPatternId=5.5)),
    case("type-EnrollmentPatternId-array", 400, "EnrollmentPatternId",
         body=good_meta(EnrollmentPatternId=[5])),
    case("type-EnrollmentPatternId-object", 400, "EnrollmentPatternId",
         body=good_meta(EnrollmentPatternId={"id": 5})),
    case("type-EnrollmentPatternId-bool", 400, "EnrollmentPatternId",
         body=good_meta(EnrollmentPatternId=True)),
    case("type-Password-number", 400, "Password",
         body=good(Password=123456789012345)),
    case("type-CertificateAuthority-number", 400, "CertificateAuthority",
         body=good(CertificateAuthority=7)),
    case("type-CustomFriendlyName-array", 400, "CustomFriendlyName",
         body=good(CustomFriendlyName=["name"])),
    case("type-RenewalCertificateId-word", 400, "RenewalCertificateId",
         body=good(RenewalCertificateId="abc")),
    case("type-UseLegacyEncryption-word", 400, "UseLegacyEncryption",
         body=good(UseLegacyEncryption="maybe")),
    case("type-AdditionalEnrollmentFields-string", 400,
         "AdditionalEnrollmentFields",
         body=good_meta(AdditionalEnrollmentFields="Ticket=CHG-1")),
    case("type-KeyLength-overflow", 400, "KeyLength",
         data=raw(good_rsa(KeyLength=12345)).replace(
             b"12345", b"99999999999999999999999")),
    case("type-OwnerRoleId-word", 400, "OwnerRoleId",
         body=good(OwnerRoleId="admins")),
    case("type-Stores-v2-string", 400, "Stores",
         body=good(Stores="not-a-list"), version=2),
    case("type-Stores-v2-element-string", 400, "Stores",
         body=good(Stores=["3f2504e0-4f89-11d3-9a0c-0305e82c3301"]),
         version=2),
    case("stores-v2-storeid-not-guid", 400, "StoreId",
         body=good(Stores=[{"StoreId": "not-a-guid"}]), version=2),

    # Body size: nginx (or the program) answers 413 with the API's body.
    case("body-over-1MiB", 413, "limit",
         data=b'{"Subject": "' + b"a" * (1 << 20) + b'"}'),
    case("body-over-1MiB-chunked", 413, "limit",
         data=lambda: chunks((1 << 20) + 100)),

    # Content-Type that is not JSON: 415.
    case("content-type-text-plain", 415, "application/json",
         data=raw(good()), headers={"content-type": "text/plain"}),
    case("content-type-form", 415, "application/json",
         data=raw(good()),
         headers={"content-type": "application/x-www-form-urlencoded"}),
    case("content-type-xml", 415, "application/json",
         data=raw(good()), headers={"content-type": "application/xml"}),
    case("content-type-missing", 415, "application/json",
         data=raw(good()), headers={"content-type": None}),

    # Headers.
    case("format-missing", 400, [], fmt=None, code="0xA0110007",
         exact=MISSING_FORMAT_MSG),
    case("format-empty", 400, [], fmt="", code="0xA0110007",
         exact=MISSING_FORMAT_MSG),
    case("format-unknown-DER", 400, ["x-CertificateFormat", "DER"], fmt="DER"),
    case("format-unknown-word", 400, ["x-CertificateFormat", "PKCS7"],
         fmt="PKCS7"),
    case("api-version-3", 400, "x-keyfactor-api-version", version="3"),
    case("api-version-abc", 400, "x-keyfactor-api-version", version="abc"),
    case("api-version-2.1", 400, "x-keyfactor-api-version", version="2.1"),
    case("requested-with-missing", 400, "x-keyfactor-requested-with",
         requested_with=False),
    case("requested-with-empty", 400, "x-keyfactor-requested-with",
         requested_with=False,
         headers={"x-keyfactor-requested-with": ""}),

    # Wrong method: 405.
    case("method-GET", 405, "GET", method="GET"),
    case("method-PUT", 405, "PUT", method="PUT", body=good()),
    case("method-DELETE", 405, "DELETE", method="DELETE"),
    case("method-PATCH", 405, "PATCH", method="PATCH", body=good()),

    # Authentication and claims.
    case("auth-none", 401, "credentials", user=None),
    case("auth-wrong-password", 401, "credentials", user=None,
         headers={"Authorization": requests.auth._basic_auth_str(
             "alice", "not-alices-password")}),
    case("auth-unknown-user", 401, "credentials", user=None,
         headers={"Authorization": requests.auth._basic_auth_str(
             "mallory", "mallory-pass-1")}),
    case("auth-no-claim", 403, "/certificates/enrollment/pfx/", user="carol"),

    # Template, enrollment pattern, CA.
    case("template-unknown", 400, ["Template", "NoSuchTemplate"],
         body=good(Template="NoSuchTemplate")),
    case("pattern-unknown", 400, ["EnrollmentPatternId", "999"],
         body=good_meta(EnrollmentPatternId=999)),
    case("pattern-negative", 400, "EnrollmentPatternId",
         body=good_meta(EnrollmentPatternId=-1)),
    case("pattern-template-mismatch", 400, ["Template", "RsaOnly"],
         body=good(EnrollmentPatternId=1, Template="RsaOnly")),
    case("template-and-pattern-missing", 400, "Template",
         body=good(Template=DROP)),
    case("ca-unknown", 400, ["CertificateAuthority", "NoSuchCA"],
         body=good(CertificateAuthority="nohost.example\\NoSuchCA")),
    case("ca-unknown-logical-name", 400, ["CertificateAuthority", "NoSuchCA"],
         body=good(CertificateAuthority="NoSuchCA")),
    case("ca-does-not-issue-template", 400, ["CertificateAuthority", "RsaOnly"],
         body=good_rsa(CertificateAuthority=ISSUING_CA)),

    # Keys the template does not allow; bad key specifications.
    case("key-ecc-on-rsa-only", 400, ["RSA-2048", "RSA-3072"],
         body=good_rsa(KeyType="ECC", KeyLength=DROP, Curve="P-256")),
    case("key-rsa4096-on-rsa-only", 400, ["RSA-2048", "RSA-3072"],
         body=good_rsa(KeyLength=4096)),
    case("key-ed25519-on-rsa-only", 400, ["RSA-2048", "RSA-3072"],
         body=good_rsa(KeyType="Ed25519", KeyLength=DROP)),
    case("key-rsa-length-1000", 400, ["KeyLength", "1000"],
         body=good_rsa(KeyLength=1000)),
    case("key-rsa-length-negative", 400, "KeyLength",
         body=good_rsa(KeyLength=-2048)),
    case("key-ecc-length-300", 400, "KeyLength",
         body=good(Curve=DROP, KeyLength=300)),
    case("key-curve-unknown-name", 400, ["Curve", "P-999"],
         body=good(Curve="P-999")),
    case("key-curve-unknown-oid", 400, ["Curve", "1.2.3.4"],
         body=good(Curve="1.2.3.4")),
    case("key-type-unknown", 400, ["KeyType", "DSA"],
         body=good(KeyType="DSA", Curve=DROP)),
    case("key-type-nonsense", 400, ["KeyType", "Quantum"],
         body=good(KeyType="Quantum", Curve=DROP)),

    # Subject.
    case("subject-unterminated-quote", 400, "Subject",
         body=good(Subject='CN=bad-input.example.com,O="Key Example, Inc.')),
    case("subject-unknown-attribute", 400, ["Subject", "XYZ"],
         body=good(Subject="XYZ=foo,CN=bad-input.example.com")),
    case("subject-empty-value", 400, ["Subject", "CN"],
         body=good(Subject="CN=")),
    case("subject-empty-value-O", 400, "Subject",
         body=good(Subject="CN=bad-input.example.com,O=")),
    case("subject-country-three-letters", 400, ["Subject", "country"],
         body=good(Subject="CN=bad-input.example.com,C=USA")),
    case("subject-cn-too-long", 400, ["Subject", "CN"],
         body=good(Subject="CN=" + "a" * 300, SANs=DROP)),
    case("subject-no-equals", 400, "Subject",
         body=good(Subject="CN bad-input.example.com")),
    case("subject-fails-template-regex", 400, ["Subject", "Bad_Host"],
         body=good(Template="Restricted", Subject="CN=Bad_Host.other.org",
                   SANs=DROP)),
    case("subject-empty-no-sans", 400, "Subject",
         body=good(Subject="", SANs=DROP)),
    case("subject-absent-empty-sans", 400, "Subject",
         body=good(Subject=DROP, SANs={})),
    case("subject-null-null-sans", 400, "Subject",
         body=good(Subject=None, SANs=None)),

    # SANs.
    case("san-ip4-out-of-range", 400, ["ip4", "300.1.1.1"],
         body=good(SANs={"ip4": ["300.1.1.1"]})),
    case("san-ip4-given-ipv6", 400, ["ip4", "2001:db8::1"],
         body=good(SANs={"ip4": ["2001:db8::1"]})),
    case("san-ip6-garbage", 400, ["ip6", "zz::1"],
         body=good(SANs={"ip6": ["zz::1"]})),
    case("san-dns-empty-label", 400, ["dns", "a..b"],
         body=good(SANs={"dns": ["a..b"]})),
    case("san-dns-leading-hyphen", 400, ["dns", "-bad.example.com"],
         body=good(SANs={"dns": ["-bad.example.com"]})),
    case("san-dns-space", 400, ["dns", "bad host.example.com"],
         body=good(SANs={"dns": ["bad host.example.com"]})),
    case("san-key-x400", 400, "x400",
         body=good(SANs={"x400": ["C=US;A=;P=Example"]})),
    case("san-key-unknown", 400, "foo",
         body=good(SANs={"foo": ["bar"]})),
    case("san-value-number", 400, "dns",
         body=good(SANs={"dns": [123]})),
    case("san-value-object", 400, "dns",
         body=good(SANs={"dns": [{"name": "bad-input.example.com"}]})),
    case("san-ip-truncated", 400, ["ip", "1.2.3"],
         body=good(SANs={"ip": ["1.2.3"]})),
    case("san-uri-with-spaces", 400, ["uri", "not a uri"],
         body=good(SANs={"uri": ["not a uri"]})),
    case("san-registeredid-not-oid", 400, ["registeredid", "abc"],
         body=good(SANs={"registeredid": ["abc"]})),
    case("san-directory-unknown-attribute", 400, ["directory", "XYZ"],
         body=good(SANs={"directory": ["XYZ=foo"]})),
    case("san-rfc822-not-email", 400, ["rfc822", "not-an-email"],
         body=good(SANs={"rfc822": ["not-an-email"]})),

    # Timestamp.
    case("timestamp-word", 400, ["Timestamp", "yesterday"],
         body=good(Timestamp="yesterday")),
    case("timestamp-month-13", 400, "Timestamp",
         body=good(Timestamp="2026-13-01T00:00:00Z")),
    case("timestamp-feb-30", 400, "Timestamp",
         body=good(Timestamp="2026-02-30T00:00:00Z")),
    case("timestamp-hour-25", 400, "Timestamp",
         body=good(Timestamp="2026-11-25T25:00:00Z")),
    case("timestamp-offset-25h", 400, "Timestamp",
         body=good(Timestamp="2026-11-25T10:00:00+25:00")),
    case("timestamp-us-form-month-13", 400, "Timestamp",
         body=good(Timestamp="13/45/2026 19:57:29")),
    case("timestamp-missing", 400, "Timestamp", body=good(Timestamp=DROP)),
    case("timestamp-null", 400, "Timestamp", body=good(Timestamp=None)),
    case("timestamp-empty", 400, "Timestamp", body=good(Timestamp="")),

    # Password shorter than password_length (default 12).
    case("password-5-chars", 400, ["Password", "12"],
         body=good(Password="short")),
    case("password-11-chars", 400, ["Password", "12"],
         body=good(Password="elevenchars")),
    case("password-5000-chars", 400, "Password",
         body=good(Password="p" * 5000)),

    # require_friendly_name = 1.
    case("friendly-name-required-missing", 400, "CustomFriendlyName",
         settings={"require_friendly_name": "1"}),
    case("friendly-name-required-empty", 400, "CustomFriendlyName",
         body=good(CustomFriendlyName=""),
         settings={"require_friendly_name": "1"}),

    # Metadata and additional fields of pattern 5.
    case("metadata-undefined-field", 400, "Color",
         body=good_meta(Metadata={"Owner": "ops@example.com",
                                  "Color": "blue"})),
    case("metadata-on-pattern-without-metadata", 400, "Owner",
         body=good(Metadata={"Owner": "ops@example.com"})),
    case("metadata-owner-not-email", 400, ["Owner", "not-an-email"],
         body=good_meta(Metadata={"Owner": "not-an-email"})),
    case("metadata-costcenter-not-int", 400, ["CostCenter", "abc"],
         body=good_meta(Metadata={"Owner": "ops@example.com",
                                  "CostCenter": "abc"})),
    case("metadata-costcenter-fraction", 400, "CostCenter",
         body=good_meta(Metadata={"Owner": "ops@example.com",
                                  "CostCenter": 4.5})),
    case("metadata-tier-not-a-choice", 400, ["Tier", "bronze"],
         body=good_meta(Metadata={"Owner": "ops@example.com",
                                  "Tier": "bronze"})),
    case("metadata-required-missing", 400, "Owner",
         body=good_meta(Metadata={"Tier": "gold"})),
    case("metadata-required-null", 400, "Owner",
         body=good_meta(Metadata={"Owner": None, "Tier": "gold"})),
    case("metadata-absent-with-required", 400, "Owner",
         body=good_meta(Metadata=DROP)),
    case("additional-field-undefined", 400, "Foo",
         body=good_meta(AdditionalEnrollmentFields={"Foo": "x"})),

    # Options.
    case("jobtime-v2-past", 400, "JobTime",
         body=good(JobTime="2020-01-01T00:00:00Z"), version=2),
    case("jobtime-v2-garbage", 400, "JobTime",
         body=good(JobTime="next tuesday"), version=2),
    case("renewal-of-unknown-certificate", 400,
         ["RenewalCertificateId", "987654"],
         body=good(RenewalCertificateId=987654)),
    case("renewal-negative-id", 400, "RenewalCertificateId",
         body=good(RenewalCertificateId=-5)),
    case("renewal-id-over-int32", 400, "RenewalCertificateId: an id from 1",
         body=good(RenewalCertificateId=2 ** 31)),
    case("chain-order-unknown", 400, ["ChainOrder", "Sideways"],
         body=good(ChainOrder="Sideways")),
]


def _settings(svc):
    out = {}
    for line in svc.tool("setting", "list").stdout.splitlines():
        name, _, value = line.partition(" = ")
        out[name.strip()] = value.strip()
    return out


def _send(svc, row):
    kw = dict(row["kw"])
    if callable(kw["data"]):
        kw["data"] = kw["data"]()
    return svc.request(row["method"], ENDPOINT, **kw)


@pytest.mark.parametrize("row", CASES)
def test_bad_request_refused_and_nothing_stored(svc, row):
    old = {}
    try:
        if row["settings"]:
            current = _settings(svc)
            for name, value in row["settings"].items():
                old[name] = current[name]
                svc.tool("setting", "set", name, value)
        before = svc.db_digest()  # after the settings: they live in LMDB too
        r = _send(svc, row)
        after = svc.db_digest()

        assert r.status_code == row["status"], (r.status_code, r.text)
        assert r.headers.get("content-type") == \
            "application/json; charset=utf-8", r.headers
        # The answer itself must be valid UTF-8 JSON (requests' r.json()
        # would silently repair it).
        err = json.loads(r.content.decode("utf-8"))
        assert isinstance(err, dict), r.text
        assert err.get("ErrorCode") == row["code"], r.text
        msg = err.get("Message")
        assert isinstance(msg, str) and msg, r.text
        if row["exact"] is not None:
            assert msg == row["exact"]
        for needle in row["needles"]:
            assert needle.lower() in msg.lower(), (needle, msg)
        for needle in row["not_needles"]:
            assert needle.lower() not in msg.lower(), (needle, msg)
        assert after == before, "LMDB changed: %s" % r.text
    finally:
        for name, value in old.items():
            svc.tool("setting", "set", name, value)


def test_control_bodies_are_accepted(svc):
    """The bodies the cases break are themselves good, so every refusal
    above is caused by the one thing the case changed."""
    for b, kw in ((good(), {}), (good(), {"version": 2}), (good_rsa(), {}),
                  (good_meta(AdditionalEnrollmentFields={"Ticket": "CHG-9"}), {}),
                  (good(Template="Restricted", Subject="CN=ok.example.com",
                        SANs=DROP), {})):
        r = svc.enroll(b, **kw)
        assert r.status_code == 200, (b, r.text)
        assert r.json()["CertificateInformation"]["RequestDisposition"] == "ISSUED"
    # The raw-bytes path (data=) the malformed cases use.
    r = svc.request("POST", ENDPOINT, data=raw(good()), fmt="PFX")
    assert r.status_code == 200, r.text
