"""A forger's tools against the signer: a raw client of its socket protocol
(lib/pki/signer.h) and a builder of hand-made to-be-signed certificates.

A test starts from `tbs(svc)`, a certificate shaped exactly like one that
certenroll's own WebServer enrollment would send (so the signer signs it),
and changes one thing: a key, a validity, a name, an extension.  What the
signer answers to that one change is what the test asserts.
"""
import base64
import datetime
import json
import socket
import struct

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import (AuthorityInformationAccessOID, ExtendedKeyUsageOID,
                                   NameOID)

from conftest import ISSUING_CA


def ask(sock, msg, timeout=30):
    """Sends one framed JSON request to the signer's socket, returns its
    parsed answer."""
    s = socket.socket(socket.AF_UNIX)
    s.settimeout(timeout)
    try:
        s.connect(sock)
        data = json.dumps(msg).encode()
        s.sendall(struct.pack(">I", len(data)) + data)
        hdr = b""
        while len(hdr) < 4:
            chunk = s.recv(4 - len(hdr))
            if not chunk:
                raise ConnectionError("signer closed the connection")
            hdr += chunk
        n = struct.unpack(">I", hdr)[0]
        buf = b""
        while len(buf) < n:
            chunk = s.recv(n - len(buf))
            if not chunk:
                raise ConnectionError("signer closed the connection")
            buf += chunk
        return json.loads(buf)
    finally:
        s.close()


def ca_cert(svc, name=ISSUING_CA):
    return x509.load_pem_x509_certificate(svc.ca_pem(name).encode())


def crl_url(svc, ca=ISSUING_CA):
    """The CRL URL certenroll-serve gave CA ca (ca urls --base)."""
    ids = dict(reversed(l.split("\t", 1)) for l in svc.tool("ca", "list").stdout.splitlines())
    return "https://127.0.0.1:%d/crl/%s.crl" % (svc.port, ids[ca])


def revocation_exts(svc, ca=ISSUING_CA, crl=None, ocsp=None):
    """The CRL distribution point and the AIA (OCSP responder) our
    certificates carry, or others at crl and ocsp."""
    return [
        (x509.CRLDistributionPoints([x509.DistributionPoint(
            full_name=[x509.UniformResourceIdentifier(crl or crl_url(svc, ca))],
            relative_name=None, reasons=None, crl_issuer=None)]), False),
        (x509.AuthorityInformationAccess([x509.AccessDescription(
            AuthorityInformationAccessOID.OCSP, x509.UniformResourceIdentifier(
                ocsp or "https://127.0.0.1:%d/ocsp" % svc.port))]), False),
    ]


def tbs(svc, ca=ISSUING_CA, cn="forged.example.com", cns=None, sans=None,
        key=None, days=30, not_before=None, serial=None, extra_ext=(),
        ku=None, eku=None, drop=()):
    """A throwaway-signed certificate as certenroll's WebServer enrollment
    builds it: CN (or several, cns), DNS SAN = CN unless sans given (a
    list of x509.GeneralName), an EC P-256 key unless key, days of
    validity, basicConstraints CA:FALSE, KU digitalSignature, EKU
    serverAuth+clientAuth, SKI and AKI, the CA's CRL distribution point and
    OCSP responder.  extra_ext: (extension, critical)
    pairs to add; drop: extension classes to leave out."""
    issuer = ca_cert(svc, ca)
    key = key or ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.utcnow().replace(microsecond=0)
    nb = not_before or (now - datetime.timedelta(minutes=1))
    names = cns if cns is not None else [cn]
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, n) for n in names])
    if sans is None:
        sans = [x509.DNSName(names[0])]
    exts = [
        (x509.BasicConstraints(ca=False, path_length=None), True),
        (ku or x509.KeyUsage(digital_signature=True, content_commitment=False,
                             key_encipherment=isinstance(key, rsa.RSAPrivateKey),
                             data_encipherment=False, key_agreement=False,
                             key_cert_sign=False, crl_sign=False,
                             encipher_only=False, decipher_only=False), True),
        (eku or x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH,
                                       ExtendedKeyUsageOID.CLIENT_AUTH]), False),
        (x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False),
        (x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.public_key()), False),
    ] + revocation_exts(svc, ca)
    if sans:
        exts.append((x509.SubjectAlternativeName(sans), False))
    b = (x509.CertificateBuilder().subject_name(subject)
         .issuer_name(issuer.subject).public_key(key.public_key())
         .serial_number(serial or x509.random_serial_number())
         .not_valid_before(nb).not_valid_after(nb + datetime.timedelta(days=days)))
    for ext, critical in [e for e in exts if type(e[0]) not in drop] + list(extra_ext):
        b = b.add_extension(ext, critical=critical)
    throwaway = ec.generate_private_key(ec.SECP256R1())
    return b.sign(throwaway, hashes.SHA256())


def sign_request(cert, ca=ISSUING_CA, template="WebServer", requester="mallory",
                 **more):
    """The signer's request for cert, as a forger would send it."""
    msg = {"ca": ca, "template": template, "requester": requester,
           "tbs": base64.b64encode(cert.public_bytes(Encoding.DER)).decode()}
    msg.update(more)
    return msg


def signed(answer):
    """The certificate in a signer's answer (which must be ok)."""
    assert answer.get("ok") is True, answer
    return x509.load_der_x509_certificate(base64.b64decode(answer["cert"]))
