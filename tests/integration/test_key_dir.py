"""key_dir: the key files (dek.key, CA keys) in a folder of their own, as
hosts sharing one database each hold them; the data directory then holds
none, and the admin command, the programs and the signer all find them
through certenroll.conf."""
import os
import pwd
import shutil
import subprocess
import time

import pytest

from certs import load_pfx, verify_signed_by
from conftest import ISSUING_CA, ROOT, TOOL, Service, new_base

SIGNER = os.path.join(ROOT, "tools", "certenroll-signer")


@pytest.fixture(scope="module")
def keyed():
    base = new_base("certenroll-keydir-")
    s = Service(base)
    keys = os.path.join(base, "keys")
    conf = s.use_conf(os.path.join(base, "certenroll.conf"),
                      "key_dir = %s\nclient_cert_auth = 1\n"
                      "trusted_proxy_param = CERTENROLL_PROXY_USER\n" % keys)
    saved = os.environ.get("CERTENROLL_CONF")
    os.environ["CERTENROLL_CONF"] = conf
    try:
        s.setup_data()
        if os.getuid() == 0:
            # The operator gives the key folder to the service user, as
            # certenroll-serve does the data directory.
            svc = pwd.getpwnam("certenroll")
            for d, _, files in os.walk(keys):
                os.chown(d, svc.pw_uid, svc.pw_gid)
                for f in files:
                    os.chown(os.path.join(d, f), svc.pw_uid, svc.pw_gid)
        s.start(conf=conf)
        yield s, keys, conf
    finally:
        s.stop()
        if saved is None:
            os.environ.pop("CERTENROLL_CONF", None)
        else:
            os.environ["CERTENROLL_CONF"] = saved
        shutil.rmtree(base, ignore_errors=True)


def test_keys_live_in_key_dir_only(keyed):
    s, keys, _ = keyed
    assert os.path.isfile(os.path.join(keys, "dek.key"))
    assert [f for f in os.listdir(os.path.join(keys, "ca")) if f.endswith(".key")]
    assert not os.path.exists(os.path.join(s.data, "dek.key"))
    assert not os.path.exists(os.path.join(s.data, "ca"))
    assert oct(os.stat(keys).st_mode & 0o777) == "0o700"


def test_programs_issue_with_the_keys_of_key_dir(keyed):
    s, _, _ = keyed
    r = s.enroll({"Subject": "CN=keydir.example.com", "Template": "WebServer",
                  "CertificateAuthority": ISSUING_CA, "KeyType": "ECC",
                  "KeyLength": 256, "Timestamp": "2026-11-25T10:00:00Z",
                  "Password": "keydir-pass-123"})
    assert r.status_code == 200, r.text
    _, key, cert, chain = load_pfx(r.json()["CertificateInformation"]["Pkcs12Blob"],
                                   "keydir-pass-123")
    verify_signed_by(cert, chain[0])


def test_without_the_conf_the_keys_are_not_found(keyed):
    s, _, _ = keyed
    env = {k: v for k, v in os.environ.items() if k != "CERTENROLL_CONF"}
    env["CERTENROLL_CONF"] = "/nonexistent/certenroll.conf"
    p = subprocess.run([TOOL, "-d", s.data, "tls-cert", "--ca", ISSUING_CA,
                        "--cn", "x.example.com", "--cert", "/dev/null",
                        "--key", "/dev/null"], env=env, capture_output=True,
                       text=True, timeout=60)
    assert p.returncode != 0
    if s.database is None:
        assert "dek.key" in p.stderr or "ca/" in p.stderr, p.stderr
    else:   # nor the database (an empty LMDB in the data directory)
        assert "not a known certificate authority" in p.stderr, p.stderr


def test_signer_loads_the_keys_of_key_dir(keyed, tmp_path):
    s, _, conf = keyed
    os.chmod(tmp_path, 0o755)
    sock = str(tmp_path / "signer.sock")
    p = subprocess.Popen([SIGNER, "-d", s.data, "-s", sock],
                         env=dict(os.environ, CERTENROLL_CONF=conf),
                         stderr=subprocess.PIPE, text=True)
    try:
        for _ in range(100):
            if os.path.exists(sock) or p.poll() is not None:
                break
            time.sleep(0.05)
        assert os.path.exists(sock)
    finally:
        p.terminate()
        err = p.communicate(timeout=10)[1]
    assert "loaded 3 CA key(s)" in err, err
