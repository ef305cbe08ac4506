"""Independent checks of what certenroll hands out, with Python's
cryptography (Debian's python3-cryptography) and a small DER walker."""
import base64
import datetime

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, ed448, padding, rsa
from cryptography.hazmat.primitives.serialization import pkcs12


def verify_signed_by(cert, issuer):
    """Raises unless cert's signature verifies with issuer's public key."""
    assert cert.issuer == issuer.subject
    pub = issuer.public_key()
    if isinstance(pub, rsa.RSAPublicKey):
        pub.verify(cert.signature, cert.tbs_certificate_bytes,
                   padding.PKCS1v15(), cert.signature_hash_algorithm)
    elif isinstance(pub, ec.EllipticCurvePublicKey):
        pub.verify(cert.signature, cert.tbs_certificate_bytes,
                   ec.ECDSA(cert.signature_hash_algorithm))
    else:
        pub.verify(cert.signature, cert.tbs_certificate_bytes)


def verify_chain(leaf, chain, root):
    """leaf <- chain[0] <- ... <- root, every signature and validity."""
    now = datetime.datetime.utcnow()
    certs = [leaf] + list(chain)
    if certs[-1].subject != root.subject:
        certs.append(root)
    for child, parent in zip(certs, certs[1:]):
        verify_signed_by(child, parent)
        assert child.not_valid_before <= now <= child.not_valid_after
    verify_signed_by(root, root)


def load_pfx(blob_b64, password):
    der = base64.b64decode(blob_b64, validate=True)
    key, cert, chain = pkcs12.load_key_and_certificates(der, password.encode())
    return der, key, cert, chain


def sans(cert):
    try:
        ext = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName)
    except x509.ExtensionNotFound:
        return []
    return list(ext.value)


# -- a minimal DER walker for the PKCS#12 layout -----------------------------
def der_read(buf, pos):
    """Returns (tag, content_start, content_end) of the TLV at pos."""
    tag = buf[pos]
    length = buf[pos + 1]
    pos += 2
    if length & 0x80:
        n = length & 0x7F
        length = int.from_bytes(buf[pos:pos + n], "big")
        pos += n
    return tag, pos, pos + length


def der_children(buf, start, end):
    out = []
    while start < end:
        tag, cs, ce = der_read(buf, start)
        out.append((tag, cs, ce))
        start = ce
    return out


OID_DATA = bytes.fromhex("2a864886f70d010701")
OID_ENCRYPTED_DATA = bytes.fromhex("2a864886f70d010706")
OID_SHROUDED_KEY_BAG = bytes.fromhex("2a864886f70d010c0a0102")


def pfx_layout(der):
    """Returns the list of ContentInfo types in the AuthenticatedSafe, and
    for the plain-data ones the bag type OIDs they hold."""
    _, s, e = der_read(der, 0)                      # PFX SEQUENCE
    version, auth_safe, *_ = der_children(der, s, e)
    _, s, e = auth_safe                              # ContentInfo
    oid, content = der_children(der, s, e)
    assert der[oid[1]:oid[2]] == OID_DATA
    _, s, e = der_read(der, content[1])              # OCTET STRING
    _, s, e = der_read(der, s)                       # AuthenticatedSafe SEQ
    layout = []
    for _, cs, ce in der_children(der, s, e):
        ci_oid, ci_content = der_children(der, cs, ce)[:2]
        kind = der[ci_oid[1]:ci_oid[2]]
        if kind == OID_DATA:
            _, os_s, os_e = der_read(der, ci_content[1])
            _, sc_s, sc_e = der_read(der, os_s)      # SafeContents
            bags = []
            for _, bs, be in der_children(der, sc_s, sc_e):
                bag_oid = der_children(der, bs, be)[0]
                bags.append(der[bag_oid[1]:bag_oid[2]])
            layout.append(("data", bags))
        elif kind == OID_ENCRYPTED_DATA:
            layout.append(("encrypted", None))
        else:
            layout.append(("other", None))
    return layout
