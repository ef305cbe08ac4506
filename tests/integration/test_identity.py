"""Only the web server speaks for a user (issue #12, findings 1, 2, 8).

The programs believe the REMOTE_USER of whoever reaches their sockets, so
only the web server's user (and the service's own) may reach them: a raw
FastCGI request from any other uid must not even connect.  The data
directory and certenroll.conf belong to the process, fixed at start: a
peer's CERTENROLL_DATA parameter moves nothing, and a data directory that
someone else could have planted files in is refused.
"""
import datetime
import grp
import json
import os
import pathlib
import pwd
import shutil
import stat
import subprocess
import tempfile

import pytest

import fcgi
from conftest import ISSUING_CA, ROOT, TOOL, WEB_RUNS_PROGRAMS

ROOT_ONLY = pytest.mark.skipif(os.getuid() != 0, reason="needs root to switch uids")
OWN_SOCKETS = pytest.mark.skipif(WEB_RUNS_PROGRAMS,
                                 reason="Apache runs the programs on sockets of its own")
FCGI_SRC = open(os.path.join(os.path.dirname(__file__), "fcgi.py")).read()
NOBODY = 65534


def as_uid(uid, gid, *args, stdin=b"", env=None):
    """Runs a command as uid:gid with no supplementary groups."""
    return subprocess.run(["setpriv", "--reuid=%d" % uid, "--regid=%d" % gid,
                           "--clear-groups", *args], input=stdin,
                          capture_output=True, env=env, timeout=60)


def raw_fcgi_as(uid, gid, sock, method, path, **params):
    """A raw FastCGI request sent by a process of uid: (exit code, output)."""
    p = as_uid(uid, gid, "/usr/bin/python3", "-c", FCGI_SRC, sock, method,
               path, *["%s=%s" % kv for kv in params.items()])
    return p.returncode, p.stdout.decode(errors="replace")


@pytest.fixture
def open_dir():
    """A folder every uid may reach (pytest's tmp_path is root's alone)."""
    d = tempfile.mkdtemp(prefix="certenroll-identity-")
    os.chmod(d, 0o755)
    yield pathlib.Path(d)
    shutil.rmtree(d, ignore_errors=True)


def service_user(svc):
    st = os.stat(svc.data)
    return st.st_uid, st.st_gid


def uid_of(pid):
    for line in open("/proc/%d/status" % pid):
        if line.startswith("Uid:"):
            return int(line.split()[1])
    raise AssertionError("no Uid line")


def children(ppid):
    out = []
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                fields = open("/proc/%s/stat" % d).read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == ppid:
                out.append(int(d))
    return out


def program_sockets(svc):
    return sorted(os.path.join(svc.run, f) for f in os.listdir(svc.run)
                  if f.endswith(".sock") and f != "signer.sock")


def enroll_cert(svc, cn):
    r = svc.enroll({"Subject": "CN=%s" % cn, "Template": "WebServer",
                    "CertificateAuthority": ISSUING_CA, "KeyType": "ECC",
                    "Password": "identity-pass-1",
                    "Timestamp": datetime.datetime.utcnow().strftime("%Y-%m-%dT%H:%M:%SZ")})
    assert r.status_code == 200, r.text
    return r.json()["CertificateInformation"]["KeyfactorId"]


@ROOT_ONLY
def test_each_process_runs_as_its_own_user(svc):
    """Programs and signer as the service user (who owns the data), web
    server workers as www-data, never nobody or root."""
    uid, _ = service_user(svc)
    www = pwd.getpwnam("www-data").pw_uid
    assert uid != 0
    if WEB_RUNS_PROGRAMS:
        assert uid == www
    else:
        assert pwd.getpwuid(uid).pw_name == "certenroll"
        pids = []
        for f in os.listdir(svc.run):
            if f.endswith(".pid") and f not in ("nginx.pid", "apache.pid", "signer.pid"):
                pids += [int(p) for p in open(os.path.join(svc.run, f)).read().split()]
        assert pids
        for pid in pids:
            assert uid_of(pid) == uid, pid
    signer_pid = os.path.join(svc.run, "signer.pid")
    if os.path.exists(signer_pid):
        assert uid_of(int(open(signer_pid).read())) == uid
    master = os.path.join(svc.run, "nginx.pid" if svc.web == "nginx" else "apache.pid")
    workers = children(int(open(master).read()))
    assert workers
    web_workers = [p for p in workers if open("/proc/%d/comm" % p).read().strip()
                   in ("nginx", "apache2")]
    assert web_workers
    for pid in web_workers:
        assert uid_of(pid) == www, pid


@ROOT_ONLY
@OWN_SOCKETS
def test_sockets_belong_to_the_service_and_the_web_server(svc):
    uid, gid = service_user(svc)
    www_gid = grp.getgrnam("www-data").gr_gid
    st = os.stat(svc.run)
    assert (st.st_uid, st.st_gid) == (0, www_gid)
    assert stat.S_IMODE(st.st_mode) == 0o751
    socks = program_sockets(svc)
    assert len(socks) >= 8
    for s in socks:
        st = os.stat(s)
        assert stat.S_ISSOCK(st.st_mode)
        assert (st.st_uid, st.st_gid, stat.S_IMODE(st.st_mode)) == (uid, www_gid, 0o660), s
    signer = os.path.join(svc.run, "signer.sock")
    if os.path.exists(signer):
        st = os.stat(signer)
        assert (st.st_uid, stat.S_IMODE(st.st_mode)) == (uid, 0o600)


@ROOT_ONLY
def test_the_service_user_plants_nothing_where_root_writes(svc):
    """Root writes pid files, logs and nginx.conf in the run folder and
    kills the pids it reads back: the service user may not create, replace
    or link anything there (a symlink would aim root's writes anywhere)."""
    uid, gid = service_user(svc)
    target = os.path.join(svc.run, "planted")
    for args in (["touch", target],
                 ["ln", "-s", "/etc/shadow", target],
                 ["mv", "-f", os.path.join(svc.run, "certenroll.log"),
                  os.path.join(svc.run, "moved.log")]):
        p = as_uid(uid, gid, *args)
        assert p.returncode != 0, args
        assert not os.path.lexists(target)
    for name in os.listdir(svc.run):
        st = os.lstat(os.path.join(svc.run, name))
        if name.endswith(".pid") or name.endswith(".conf"):
            assert st.st_uid == 0, name
        assert not stat.S_ISLNK(st.st_mode) or name == "certenroll.log", name


@ROOT_ONLY
@OWN_SOCKETS
def test_another_uid_cannot_speak_for_any_user(svc):
    """A raw FastCGI request naming REMOTE_USER=alice from uid nobody: no
    connection to any program, even with the run folder opened up (the
    sockets' own mode holds); the web server's user does connect."""
    www = pwd.getpwnam("www-data")
    status = os.path.join(svc.run, "status.sock")
    rc, out = raw_fcgi_as(www.pw_uid, www.pw_gid, status, "GET", "/health")
    assert rc == 0 and out.startswith("200"), out
    for opened in (False, True):
        mode = stat.S_IMODE(os.stat(svc.run).st_mode)
        if opened:
            os.chmod(svc.run, 0o755)
        try:
            for sock in program_sockets(svc):
                rc, out = raw_fcgi_as(NOBODY, NOBODY, sock, "GET",
                                      "/KeyfactorAPI/Certificates",
                                      REMOTE_USER="alice")
                assert rc == 3 and "PermissionError" in out, (sock, out)
            signer = os.path.join(svc.run, "signer.sock")
            if os.path.exists(signer):
                rc, out = raw_fcgi_as(www.pw_uid, www.pw_gid, signer, "GET", "/")
                assert rc == 3 and "PermissionError" in out, out
        finally:
            os.chmod(svc.run, mode)


@OWN_SOCKETS
def test_fastcgi_parameters_do_not_move_the_data_directory(svc, open_dir):
    """CERTENROLL_DATA / CERTENROLL_CONF sent by a peer (here: root, who
    may connect) are ignored: the answer comes from the real data, nothing
    is created where they point, a planted lock.mdb symlink's target is
    untouched, and the log says so once per process, not per request."""
    tmp_path = open_dir
    cert_id = enroll_cert(svc, "params.example.com")
    elsewhere = tmp_path / "elsewhere"
    (elsewhere / "db").mkdir(parents=True)
    os.chmod(elsewhere, 0o777)  # the programs could create files here
    os.chmod(elsewhere / "db", 0o777)
    victim = tmp_path / "victim"
    victim.write_bytes(b"precious\n")
    os.chmod(victim, 0o666)
    os.symlink(str(victim), str(elsewhere / "db" / "lock.mdb"))
    conf = tmp_path / "evil.conf"
    conf.write_text("data_dir = %s\nrequire_requested_with = 0\n" % elsewhere)
    sock = os.path.join(svc.run, "certificates.sock")
    log = os.path.join(svc.run, "certenroll.log")
    before = open(log).read().count("ignoring the FastCGI parameter")
    for _ in range(12):
        st, _, body = fcgi.request(sock, "GET", "/KeyfactorAPI/Certificates/%d" % cert_id,
                                   {"REMOTE_USER": "alice",
                                    "HTTP_X_KEYFACTOR_REQUESTED_WITH": "APIClient",
                                    "CERTENROLL_DATA": str(elsewhere),
                                    "CERTENROLL_CONF": str(conf)})
        assert st == 200, body
        assert json.loads(body)["Id"] == cert_id
    assert victim.read_bytes() == b"precious\n"
    assert sorted(os.listdir(elsewhere / "db")) == ["lock.mdb"]
    assert os.path.islink(elsewhere / "db" / "lock.mdb")
    said = open(log).read().count("ignoring the FastCGI parameter") - before
    assert 1 <= said <= 3, said  # 3 processes at most, never per request


def run_status_cgi(data, uid, gid, conf="/nonexistent/certenroll.conf"):
    """The status program started as plain CGI on data, as uid."""
    env = {"PATH": "/usr/bin:/bin", "CERTENROLL_DATA": str(data),
           "CERTENROLL_CONF": str(conf),
           "REQUEST_METHOD": "GET", "DOCUMENT_URI": "/health",
           "REQUEST_URI": "/health", "SCRIPT_NAME": "/health",
           "GATEWAY_INTERFACE": "CGI/1.1", "QUERY_STRING": ""}
    return as_uid(uid, gid, os.path.join(ROOT, "cgi", "status"), env=env)


@ROOT_ONLY
def test_a_data_directory_others_could_plant_in_is_refused(open_dir):
    tmp_path = open_dir
    svc_user = pwd.getpwnam("certenroll")
    uid, gid = svc_user.pw_uid, svc_user.pw_gid
    data = tmp_path / "data"
    subprocess.run([TOOL, "-d", str(data), "init"], check=True, capture_output=True)
    subprocess.run(["chown", "-R", "%d:%d" % (uid, gid), str(data)], check=True)
    os.chmod(data, 0o700)
    good = run_status_cgi(data, uid, gid)
    # It starts and answers (503: a data directory with no CA yet).
    assert good.returncode == 0 and b"{\"Status\":" in good.stdout, good
    # Not the service user's own.
    os.chown(data, 0, 0)
    p = run_status_cgi(data, uid, gid)
    assert p.returncode != 0 and b"not to this service's uid" in p.stderr, p
    os.chown(data, uid, gid)
    # Writable by others.
    os.chmod(data, 0o777)
    p = run_status_cgi(data, uid, gid)
    assert p.returncode != 0 and b"writable by group or others" in p.stderr, p
    os.chmod(data, 0o700)
    # A planted symlink in place of LMDB's lock file.
    victim = tmp_path / "victim"
    victim.write_bytes(b"precious\n")
    os.chmod(victim, 0o666)
    lock = data / "db" / "lock.mdb"
    os.unlink(lock)
    os.symlink(str(victim), str(lock))
    p = run_status_cgi(data, uid, gid)
    assert p.returncode != 0 and b"symlink is refused" in p.stderr, p
    assert victim.read_bytes() == b"precious\n"


@ROOT_ONLY
def test_a_key_folder_others_could_plant_in_is_refused(open_dir):
    """key_dir (dek.key, CA keys outside the data directory) is held to the
    data directory's rules: the service's own, writable by no one else."""
    svc_user = pwd.getpwnam("certenroll")
    uid, gid = svc_user.pw_uid, svc_user.pw_gid
    data, keys = open_dir / "data", open_dir / "keys"
    conf = open_dir / "certenroll.conf"
    conf.write_text("key_dir = %s\n" % keys)
    os.chmod(conf, 0o644)
    env = dict(os.environ, CERTENROLL_CONF=str(conf))
    subprocess.run([TOOL, "-d", str(data), "init"], check=True,
                   capture_output=True, env=env)
    assert (keys / "dek.key").exists() and not (data / "dek.key").exists()
    for d in (data, keys):
        subprocess.run(["chown", "-R", "%d:%d" % (uid, gid), str(d)], check=True)
    good = run_status_cgi(data, uid, gid, conf)
    assert good.returncode == 0 and b"{\"Status\":" in good.stdout, good
    os.chmod(keys, 0o777)
    p = run_status_cgi(data, uid, gid, conf)
    assert p.returncode != 0 and b"writable by group or others" in p.stderr, p
    os.chmod(keys, 0o700)
    os.chown(keys, 0, 0)
    p = run_status_cgi(data, uid, gid, conf)
    assert p.returncode != 0 and b"not to this service's uid" in p.stderr, p


@ROOT_ONLY
def test_password_file_is_for_the_web_server_only(svc):
    st = os.stat(os.path.join(svc.run, "htpasswd"))
    assert stat.S_IMODE(st.st_mode) & 0o007 == 0
    assert st.st_gid == grp.getgrnam("www-data").gr_gid


@ROOT_ONLY
def test_admin_command_gives_its_files_to_the_service_user(svc):
    """Run as root (as operators do), what it creates in the data directory
    belongs to the service user, or the programs could not read it."""
    svc.tool("ca", "create", "owner.certenroll.test\\OwnerCA", "--key", "ECC-P-256")
    out = svc.tool("ca", "list").stdout
    ca_id = [l.split("\t")[0] for l in out.splitlines() if "OwnerCA" in l][0]
    st = os.stat(os.path.join(svc.data, "ca", "%s.key" % ca_id))
    assert (st.st_uid, st.st_gid) == service_user(svc)
    assert stat.S_IMODE(st.st_mode) == 0o600
    for dirpath, dirs, files in os.walk(svc.data):
        for f in dirs + files:
            assert os.lstat(os.path.join(dirpath, f)).st_uid == service_user(svc)[0], f


@ROOT_ONLY
@OWN_SOCKETS
def test_supervised_sockets_are_closed_to_other_uids(supervised):
    """certenroll-supervise (the other process manager) sets the same
    owners and mode, and its children run as the service user."""
    uid, _ = service_user(supervised)
    www_gid = grp.getgrnam("www-data").gr_gid
    socks = program_sockets(supervised)
    assert socks
    for sock in socks:
        st = os.stat(sock)
        assert (st.st_uid, st.st_gid, stat.S_IMODE(st.st_mode)) == (uid, www_gid, 0o660)
        rc, out = raw_fcgi_as(NOBODY, NOBODY, sock, "GET", "/health")
        assert rc == 3 and "PermissionError" in out, (sock, out)
    sup = int(open(os.path.join(supervised.run, "status.pid")).read().split()[0])
    kids = children(sup)
    assert kids and all(uid_of(k) == uid for k in kids)
    r = supervised.request("GET", "/Status/Endpoints")
    assert r.status_code == 200, r.text
