"""The key pool: pre-generated RSA keys are taken one per enrollment, never
reused, sealed at rest; an empty pool falls back to generating."""
from cryptography.hazmat.primitives import serialization

from certs import load_pfx
from conftest import RSA_CA


def pool(svc):
    return int(svc.tool("keypool", "status", "--spec", "RSA-2048").stdout)


def enroll_rsa(svc, i):
    r = svc.enroll({"Subject": "CN=pool%d.example.com" % i, "Template": "RsaOnly",
                    "CertificateAuthority": RSA_CA, "KeyType": "RSA", "KeyLength": 2048,
                    "Timestamp": "2026-11-25T10:00:00Z", "Password": "pool-pass-123"})
    assert r.status_code == 200, r.text
    _, key, cert, _ = load_pfx(r.json()["CertificateInformation"]["Pkcs12Blob"],
                               "pool-pass-123")
    assert key.key_size == 2048
    assert key.public_key().public_numbers() == cert.public_key().public_numbers()
    return key.public_key().public_bytes(serialization.Encoding.DER,
                                         serialization.PublicFormat.SubjectPublicKeyInfo)


def test_pool_keys_are_taken_once(svc):
    start = pool(svc)
    svc.tool("keypool", "fill", "--spec", "RSA-2048", "--size", str(start + 4))
    assert pool(svc) == start + 4
    raw = svc.raw_state()
    assert b"PRIVATE KEY" not in raw
    keys = [enroll_rsa(svc, i) for i in range(3)]
    assert pool(svc) == start + 1
    assert len(set(keys)) == 3


def test_empty_pool_falls_back_to_generation(svc):
    n = pool(svc)
    keys = [enroll_rsa(svc, 100 + i) for i in range(n + 2)]
    assert pool(svc) == 0
    assert len(set(keys)) == n + 2


def test_agent_fills_the_pool_certenroll_conf_names(svc, tmp_path):
    """key_pool in certenroll.conf: the agent keeps that many keys ready
    (the admin command reads the same file as the programs)."""
    import os
    import subprocess
    from conftest import TOOL

    def ecc_pool():
        return int(svc.tool("keypool", "status", "--spec", "ECC-P-256").stdout)

    conf = tmp_path / "certenroll.conf"
    conf.write_text(svc.conf_lines() +
                    "key_pool = ECC-P-256:%d\n" % (ecc_pool() + 3))
    os.chmod(tmp_path, 0o755)
    os.chmod(conf, 0o644)
    want = ecc_pool() + 3
    p = subprocess.run([TOOL, "-d", svc.data, "agent", "--once"],
                       env=dict(os.environ, CERTENROLL_CONF=str(conf)),
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    assert ecc_pool() == want
    # A malformed file is refused, naming the line.
    conf.write_text("key_pool ECC-P-256\n" + svc.conf_lines())
    p = subprocess.run([TOOL, "-d", svc.data, "keypool", "status", "--spec",
                        "ECC-P-256"], env=dict(os.environ, CERTENROLL_CONF=str(conf)),
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 1
    assert "line 1" in p.stderr, p.stderr
