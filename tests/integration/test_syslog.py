"""The syslog log target (issue #5): with `log = syslog` in certenroll.conf
the FastCGI programs send their log lines to syslog(3), that is to the
datagram socket /dev/log, as daemon.* with the program name as ident and
the request id in every line; an issuance gives an audit line (notice);
nothing of it goes to stderr, and no password or private key is in it.
The same from the first line of every process that reads certenroll.conf
(issue #19): a program that cannot start, the signer, the agent and the
admin command (which also answers on stderr, being run by someone).

There is no syslog daemon in CI: the test listens on /dev/log itself.
When /dev/log is missing (CI, a fresh container) or dead, the test binds its
own socket there (as root) and removes it afterwards; when a live syslog
daemon holds /dev/log, the service runs in a private mount namespace
(unshare -m) with the test's socket bind-mounted over /dev/log.  A lock file
keeps two runs of this test on one machine apart."""
import base64
import fcntl
import os
import re
import shutil
import socket
import stat
import subprocess
import threading
import time

import pytest
from cryptography.hazmat.primitives import serialization

from certs import load_pfx
from conftest import ISSUING_CA, ROOT, TOOL, USERS, Service, new_base

DEV_LOG = "/dev/log"
LOCK = "/tmp/certenroll-test-syslog.lock"
PW = "syslog-pass-123"
LOG_DAEMON = 3
LOG_NOTICE, LOG_INFO = 5, 6
# glibc's syslog(3) with LOG_PID: "<PRI>Mmm dd hh:mm:ss ident[pid]: message"
LINE = re.compile(r"^<(\d+)>[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d "
                  r"([^\[\]: ]+)\[(\d+)\]: (.*)$", re.S)
# The names the programs log under (http_run): cgi/enroll_pfx is enroll-pfx.
PROGRAMS = {f.replace("_", "-") for f in os.listdir(os.path.join(ROOT, "cgi"))
            if "." not in f and os.access(os.path.join(ROOT, "cgi", f), os.X_OK)}
PROGRAMS |= {"certenroll", "certenroll-agent", "certenroll-signer"}
SIGNER = os.path.join(ROOT, "tools", "certenroll-signer")


class Collector:
    """A datagram socket in syslog's place; a thread keeps reading it (a
    full queue would block the programs' syslog())."""

    def __init__(self, path):
        self.path = path
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(path)
        self.ino = os.lstat(path).st_ino
        os.chmod(path, 0o666)  # the programs may run as the web server's user
        self.sock.settimeout(0.2)
        self.lines, self.lock, self.stop = [], threading.Lock(), False
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self):
        while not self.stop:
            try:
                d = self.sock.recv(65536)
            except socket.timeout:
                continue
            except OSError:
                return
            with self.lock:
                self.lines.append(d.decode("utf-8", "replace"))

    def ours(self):
        """(priority, ident, pid, message) of every line from a program."""
        out = []
        with self.lock:
            lines = list(self.lines)
        for d in lines:
            m = LINE.match(d)
            if m and m.group(2) in PROGRAMS:
                out.append((int(m.group(1)), m.group(2), int(m.group(3)),
                            m.group(4)))
        return out

    def wait_for(self, *parts, timeout=10):
        """The first line from a program holding every part."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            for line in self.ours():
                if all(p in line[3] for p in parts):
                    return line
            time.sleep(0.05)
        with self.lock:
            last = self.lines[-10:]
        raise AssertionError("no syslog line with %s; last lines: %s"
                             % (parts, last))

    def close(self):
        self.stop = True
        self.thread.join(5)
        self.sock.close()


def dev_log_state():
    """absent, dead (a socket or symlink nobody listens on) or live."""
    if not os.path.lexists(DEV_LOG):
        return "absent"
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    try:
        s.connect(DEV_LOG)
        return "live"
    except OSError:
        return "dead"
    finally:
        s.close()


def take_lock():
    f = open(LOCK, "w")
    deadline = time.time() + 600
    while True:
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return f
        except BlockingIOError:
            if time.time() > deadline:
                raise
            time.sleep(0.5)


@pytest.fixture(scope="module")
def syslog_svc():
    """(service, collector): a service of its own whose certenroll.conf
    says log = syslog, its programs' /dev/log being the collector."""
    lock = take_lock()
    base = new_base("certenroll-syslog-")
    s = Service(base)
    col = replaced = None
    try:
        s.setup_data()
        conf = s.use_conf(os.path.join(base, "certenroll.conf"),
                          "client_cert_auth = 1\n"
                          "trusted_proxy_param = CERTENROLL_PROXY_USER\n"
                          "log = syslog\n")
        state = dev_log_state()
        if state == "live":
            # A syslog daemon's socket: cover it in a namespace of our own.
            col = Collector(os.path.join(base, "log.sock"))
            wrap = ["unshare", "-m", "--propagation", "private", "--", "sh",
                    "-c", 'mount --bind "$0" /dev/log && exec "$@"', col.path]
        else:
            if state == "dead":
                st = os.lstat(DEV_LOG)
                if stat.S_ISLNK(st.st_mode):
                    replaced = os.readlink(DEV_LOG)
                os.unlink(DEV_LOG)
            col = Collector(DEV_LOG)
            wrap = ()
        print("syslog test: /dev/log was %s" % state)
        col.wrap = list(wrap)	# for the processes the tests start
        s.start(conf=conf, wrap=wrap)
        yield s, col
    finally:
        s.stop()
        if col is not None:
            col.close()
            if col.path == DEV_LOG:
                # Ours still (not a syslog daemon's that came meanwhile).
                if os.path.lexists(DEV_LOG) and \
                        os.lstat(DEV_LOG).st_ino == col.ino:
                    os.unlink(DEV_LOG)
                if replaced is not None and not os.path.lexists(DEV_LOG):
                    os.symlink(replaced, DEV_LOG)
        if os.environ.get("KEEP_TEST_DIRS") is None:
            shutil.rmtree(base, ignore_errors=True)
        lock.close()


def body(cn, **kw):
    b = {"Subject": "CN=%s" % cn, "Template": "WebServer",
         "CertificateAuthority": ISSUING_CA, "KeyType": "ECC",
         "Timestamp": "2026-11-25T10:00:00Z", "Password": PW}
    b.update(kw)
    return b


def request_id(message):
    m = re.search(r" req=(\S+) ", message)
    assert m, message
    return m.group(1)


def stderr_log(s):
    p = os.path.join(s.run, "certenroll.log")
    return open(p, errors="replace").read() if os.path.exists(p) else ""


ISSUED = {}


def test_issuance_audit_line_goes_to_syslog(syslog_svc):
    s, col = syslog_svc
    r = s.enroll(body("syslog.example.com"), fmt="PFX")
    assert r.status_code == 200, r.text
    info = r.json()["CertificateInformation"]
    ISSUED["blob"] = info["Pkcs12Blob"]
    cid = info["KeyfactorId"]
    prio, ident, pid, msg = col.wait_for("[audit]", "action=issue",
                                         "cert=%d " % cid)
    assert ident == "enroll-pfx"
    if os.path.exists("/proc/%d/exe" % pid):  # plain CGI: gone already
        assert os.readlink("/proc/%d/exe" % pid).endswith("/enroll_pfx")
    assert prio == LOG_DAEMON * 8 + LOG_NOTICE, prio
    assert msg.startswith("enroll-pfx[audit] req="), msg
    assert " user=alice action=issue " in msg
    rid = request_id(msg)
    assert re.fullmatch(r"[0-9a-f]{12,64}", rid), rid
    # Sent to syslog instead of stderr, not as well.
    assert rid not in stderr_log(s)


def test_refusals_carry_program_ident_and_own_request_id(syslog_svc):
    s, col = syslog_svc
    # A 4xx of enroll_pfx (the subject breaks the template's rule) and one
    # of another program, each logged at info with a request id of its own.
    r = s.enroll(body("not-allowed.invalid", Template="Restricted"))
    assert r.status_code == 400, r.text
    prio, ident, _, msg = col.wait_for("[info]", "400 /Enrollment/PFX")
    assert (ident, prio) == ("enroll-pfx", LOG_DAEMON * 8 + LOG_INFO)
    assert msg.startswith("enroll-pfx[info] req=")
    r = s.request("GET", "/Certificates/987654")
    assert r.status_code == 404, r.text
    prio2, ident2, _, msg2 = col.wait_for("[info]", "404 /Certificates/987654")
    assert (ident2, prio2) == ("certificates", LOG_DAEMON * 8 + LOG_INFO)
    assert msg2.startswith("certificates[info] req=")
    ids = {request_id(msg), request_id(msg2)}
    assert len(ids) == 2 and "-" not in ids
    for rid in ids:
        assert re.fullmatch(r"[0-9a-f]{12,64}", rid), rid
        assert rid not in stderr_log(s)


def test_no_password_or_key_in_syslog(syslog_svc):
    s, col = syslog_svc
    assert "blob" in ISSUED, "the issuance test did not run"
    # One more issuance, as another user, in another format.
    r = s.enroll(body("pem.example.com"), fmt="PEM", user="bob")
    assert r.status_code == 200, r.text
    col.wait_for("[audit]", "user=bob action=issue")
    _, key, _, _ = load_pfx(ISSUED["blob"], PW)
    der = key.private_bytes(serialization.Encoding.DER,
                            serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    secrets = [PW, ISSUED["blob"][:40], base64.b64encode(der).decode()[-40:],
               "%x" % key.private_numbers().private_value, "PRIVATE KEY",
               "Authorization: Basic"]
    for user, (pw, _) in USERS.items():
        secrets += [pw, base64.b64encode(("%s:%s" % (user, pw)).encode()).decode()]
    text = "\n".join(m for _, _, _, m in col.ours())
    assert text.count("[audit]") >= 2
    leaks = [x for x in secrets if x in text]
    assert not leaks, leaks


def run_logged(col, argv, env, timeout=30):
    """Runs argv (under the collector's wrap) to its end; its stderr."""
    p = subprocess.run(col.wrap + argv, env=env, capture_output=True,
                       text=True, timeout=timeout, stdin=subprocess.DEVNULL)
    return p.returncode, p.stderr


def test_program_that_cannot_start_says_so_in_syslog(syslog_svc):
    s, col = syslog_svc
    # Its first line: no data directory, and before that a socket hand-over
    # that is wrong (two sockets for one program).
    bad = os.path.join(s.base, "missing.conf")
    with open(bad, "w") as f:
        f.write("data_dir = %s/no-such-dir\nlog = syslog\n" % s.base)
    os.chmod(bad, 0o644)
    prog = os.path.join(ROOT, "cgi", "status")
    env = dict(os.environ, CERTENROLL_CONF=bad)
    rc, err = run_logged(col, [prog], env)
    assert rc != 0
    _, ident, pid, _ = col.wait_for("[error]", "data directory",
                                    "no-such-dir: No such file")
    assert ident == "status"
    assert col.wait_for("[error]", "not starting")[2] == pid
    rc2, err2 = run_logged(col, ["sh", "-c", 'LISTEN_PID=$$ exec "$0"', prog],
                           dict(env, LISTEN_FDS="2"))
    assert rc2 != 0
    col.wait_for("[error]", "not starting: LISTEN_FDS: 2 sockets")
    assert err == "" and err2 == "", (err, err2)


def test_signer_logs_to_syslog_from_its_first_line(syslog_svc):
    s, col = syslog_svc
    env = s.env()
    sock = os.path.join(s.base, "signer-syslog.sock")
    # A refusal before anything else: the -u user does not exist.
    rc, err = run_logged(col, [SIGNER, "-d", s.data, "-s", sock, "-u",
                               "no-such-user-19"], env)
    assert rc == 1 and err == "", err
    _, ident, _, _ = col.wait_for("[error]", "unknown user no-such-user-19")
    assert ident == "certenroll-signer"
    # A start: its key and sandbox lines, each in syslog, none on stderr.
    p = subprocess.Popen(col.wrap + [SIGNER, "-d", s.data, "-s", sock, "-u",
                                     "certenroll"], env=env,
                         stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE, text=True)
    try:
        col.wait_for("certenroll-signer[info]", "CA key(s)")
        col.wait_for("certenroll-signer[info]", "sandbox on")
    finally:
        p.terminate()
        _, err = p.communicate(timeout=20)
    assert p.returncode == 0 and err == "", (p.returncode, err)


def test_agent_and_admin_command_log_to_syslog(syslog_svc):
    s, col = syslog_svc
    env = s.env()
    missing = os.path.join(s.base, "no-data-here")
    rc, err = run_logged(col, [TOOL, "-d", missing, "agent", "--once"], env)
    assert rc == 1
    # the first thing it cannot do there (its metrics file, its lock, the
    # database), naming the folder and why
    _, ident, _, msg = col.wait_for("[error]", "no-data-here/",
                                    "No such file or directory")
    assert ident == "certenroll-agent", (ident, msg)
    # The admin command answers whoever ran it on stderr, and logs too: a
    # template that is not there (on PostgreSQL no data folder is opened
    # for the records, so a missing one is no error of its own).
    rc, err = run_logged(col, [TOOL, "-d", s.data, "template", "set",
                               "NoSuchTemplate9", "--subject-regex", "x"], env)
    assert rc == 1 and "does not exist" in err, err
    _, ident, _, _ = col.wait_for("[error]", "NoSuchTemplate9", "does not exist")
    assert ident == "certenroll"
