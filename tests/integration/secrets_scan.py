"""What a log must never hold: the passwords the tests send, their Basic
auth headers, private key material (test_secrets.py, and conftest.py after
each module)."""
import base64
import glob
import os

# Passwords the test modules send (and the generated ones never appear as
# such: they are random, and only PEM armour could show a key).
TEST_PASSWORDS = [
    "Sup3rSecretPw!", "layout-pass-123", "rsa-password-1", "keytype-pass-1",
    "pem-password-1", "zip-password-1", "store-password-1", "legacy-pass-1",
    "v2-password-1", "v1-password-1", "lenient-pass-1", "logical-pass-1",
    "anyca-pass-12", "meta-pass-123", "pending-pass-1", "concurrent-pw-1",
    "deploy-pass-123", "store-pass-9", "not-the-password", "lint-pass-1234",
    "pool-pass-123", "soak-pass-1234", "disk-pass-123", "kill-pass-1234",
    "signer-pass-1",
]


def secrets():
    from conftest import USERS      # conftest imports this module
    out = set(TEST_PASSWORDS)
    for user, (pw, _) in USERS.items():
        out.add(pw)
        out.add(base64.b64encode(("%s:%s" % (user, pw)).encode()).decode())
    return out


def log_files(svc):
    return [p for p in glob.glob(os.path.join(svc.run, "**", "*"), recursive=True)
            if os.path.isfile(p) and (p.endswith(".log") or
                                      "log" in os.path.basename(p))]


def leaks(text):
    """The secrets (and markers of secrets) that bytes text holds."""
    out = [s for s in secrets() if s.encode() in text]
    out += [m.decode() for m in (b"PRIVATE KEY", b"Authorization: Basic")
            if m in text]
    return out


