"""Integration test harness: a real certenroll behind a real nginx or Apache.

One service per test module (no module sees what another did): a fresh
data directory set up with the `certenroll` admin command (CAs, templates,
patterns, roles, users), Basic auth users in an htpasswd file, and the web
server on a free loopback port with TLS from the demo CA.  CERTENROLL_WEB
picks the web server:
  nginx (default)  the FastCGI programs under spawn-fcgi, nginx
  apache-proxy     the same programs, Apache with mod_proxy_fcgi
  apache-fcgid     Apache runs the programs (mod_fcgid)
  apache-cgi       Apache runs a program per request (mod_cgid, plain CGI)
Every web server also verifies TLS client certificates against the test
roots (the subject DN is the certenroll user) and trusts PROXY_ADDR as a
reverse proxy that names the user in X-Remote-User.
CERTENROLL_DB picks where the state lives:
  lmdb (default)   LMDB in the service's data directory
  postgresql       a database of its own per service, in a PostgreSQL 15
                   cluster on a unix socket: CERTENROLL_PG_HOST's (the
                   socket folder of tests/pg-cluster.sh), else one this
                   pytest run starts and stops
"""
import base64
import atexit
import contextlib
import datetime
import hashlib
import os
import re
import shutil
import socket
import subprocess
import tempfile
import time

import pytest
import requests
from requests.adapters import HTTPAdapter

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
TOOL = os.path.join(ROOT, "tools", "certenroll")
SERVE = os.path.join(ROOT, "tools", "certenroll-serve")
PG_CLUSTER = os.path.join(ROOT, "tests", "pg-cluster.sh")
PG_BIN = "/usr/lib/postgresql/15/bin"

ROOT_CA = "ca.certenroll.test\\RootCA"
ISSUING_CA = "ca.certenroll.test\\IssuingCA"
RSA_CA = "rsa.certenroll.test\\RsaCA"

# user -> (password, roles)
USERS = {
    "alice": ("alice-pass-1", ["Enrollers", "Readers", "Catalog", "CsrEnrollers"]),
    "bob": ("bob-pass-2", ["Enrollers"]),
    "carol": ("carol-pass-3", []),  # authenticated, no claims
    "approver": ("approver-pass-4", ["Approvers", "Enrollers"]),
    "storeops": ("storeops-pass-5", ["Enrollers", "Schedulers"]),
    "container7": ("container7-pass-6", ["Enrollers", "Container7"]),
    "revoker": ("revoker-pass-7", ["Revokers", "Readers"]),
    "watcher": ("watcher-pass-8", ["Watchers"]),
    "oldapprover": ("oldapprover-pass-9", ["OldApprovers"]),
    # terraform's user: enrolls, reads, reads templates and kept keys
    "keeper": ("keeper-pass-10", ["Enrollers", "Readers", "Catalog", "KeyReaders",
                                  "CsrEnrollers"]),
    "monitor": ("monitor-pass-10", ["Monitors"]),
}
ROLES = {
    "Enrollers": ["/certificates/enrollment/pfx/"],
    "Readers": ["/certificates/collections/read/"],
    "Approvers": ["/certificates/requests/manage/", "/monitoring/alerts/read/"],
    "Watchers": ["/monitoring/alerts/read/"],
    # certenroll's claim before Keyfactor's names: stands for both
    "OldApprovers": ["/workflow/instances/manage/"],
    "Schedulers": ["/certificate_stores/schedule/", "/certificate_stores/read/",
                   "/certificates/collections/read/"],
    "Container7": ["/certificate_stores/schedule/7/"],
    "Revokers": ["/certificates/collections/revoke/"],
    "Catalog": ["/certificate_templates/read/", "/certificate_authorities/read/",
                "/metadata/types/read/"],
    "CsrEnrollers": ["/certificates/enrollment/csr/"],
    "KeyReaders": ["/certificates/collections/private_key/read/"],
    # GET /metrics from elsewhere than the host itself
    "Monitors": ["/monitoring/metrics/read/"],
}


WEB = os.environ.get("CERTENROLL_WEB", "nginx")
WEB_SERVERS = ("nginx", "apache-proxy", "apache-fcgid", "apache-cgi")
if WEB not in WEB_SERVERS:
    raise RuntimeError("CERTENROLL_WEB=%s: one of %s" % (WEB, ", ".join(WEB_SERVERS)))
DB = os.environ.get("CERTENROLL_DB", "lmdb")
if DB not in ("lmdb", "postgresql"):
    raise RuntimeError("CERTENROLL_DB=%s: lmdb or postgresql" % DB)
# Apache runs the programs itself (as its user, www-data when root).
WEB_RUNS_PROGRAMS = WEB in ("apache-fcgid", "apache-cgi")
# The trusted reverse proxy's address (the web servers listen on 127.0.0.1
# and 127.0.0.2; a request from here may name its user in X-Remote-User).
PROXY_ADDR = "127.0.0.2"
CLIENT_ADDR = "127.0.0.1"


class SourceAddressAdapter(HTTPAdapter):
    """Connects from a given local address (e.g. the trusted proxy's)."""

    def __init__(self, address, **kw):
        self.source = (address, 0)
        super().__init__(**kw)

    def init_poolmanager(self, *args, **kw):
        kw["source_address"] = self.source
        super().init_poolmanager(*args, **kw)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


_pg_host = None


def pg_host():
    """The socket folder of the PostgreSQL cluster the services use."""
    global _pg_host
    if _pg_host is None:
        _pg_host = os.environ.get("CERTENROLL_PG_HOST") or None
    if _pg_host is None:
        d = tempfile.mkdtemp(prefix="certenroll-pg-")
        subprocess.run([PG_CLUSTER, "start", d], check=True,
                       stdout=subprocess.DEVNULL)
        atexit.register(lambda: (subprocess.run([PG_CLUSTER, "stop", d]),
                                 shutil.rmtree(d, ignore_errors=True)))
        _pg_host = d
    return _pg_host


@contextlib.contextmanager
def own_cluster(prefix):
    """A PostgreSQL cluster of a test module's own (restarted or watched
    by it): its socket folder, removed after."""
    d = tempfile.mkdtemp(prefix=prefix)
    os.chmod(d, 0o755)
    subprocess.run([PG_CLUSTER, "start", d], check=True, stdout=subprocess.DEVNULL)
    try:
        yield d
    finally:
        subprocess.run([PG_CLUSTER, "stop", d])
        shutil.rmtree(d, ignore_errors=True)


def psql(host, db, sql, user="certenroll"):
    """Runs sql in database db; its rows as text, one per line."""
    p = subprocess.run([os.path.join(PG_BIN, "psql"), "-h", host, "-U", user,
                        "-d", db, "-qAt", "-v", "ON_ERROR_STOP=1", "-c", sql],
                       capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError("psql: %s" % p.stderr)
    return p.stdout


class Service:
    def __init__(self, base, database=None):
        """database: a connection string to share with another Service
        (the hosts of one installation); else a new database per service on
        PostgreSQL, LMDB in the data directory otherwise."""
        self.base = base
        self.data = os.path.join(base, "data")
        self.run = os.path.join(base, "run")
        self.port = None
        self.url = None
        self.ca_bundle = os.path.join(base, "roots.pem")
        self.web = WEB
        self.proxy_addr = PROXY_ADDR
        self.database = database
        if database is None and DB == "postgresql":
            name = "it_" + re.sub(r"[^a-z0-9]", "_", os.path.basename(base).lower())
            psql(pg_host(), "postgres", 'CREATE DATABASE "%s"' % name)
            self.database = "postgresql:///%s?host=%s&user=certenroll" % (
                name, pg_host())
        # The certenroll.conf the admin command reads (and the programs,
        # once a test's own is given to use_conf).
        self.conf = os.path.join(base, "tool.conf")
        with open(self.conf, "w") as f:
            f.write(self.conf_lines())
        os.chmod(self.conf, 0o644)
        self.own_conf = False

    def conf_lines(self):
        """The certenroll.conf lines that name this service's database."""
        if self.database is None:
            return ""
        return "database = %s\n" % self.database

    def use_conf(self, path, text):
        """Writes path as a certenroll.conf of the test's own (text, the
        data directory and the database) for the admin command and, given
        to start(), the programs."""
        with open(path, "w") as f:
            f.write("data_dir = %s\n%s%s" % (self.data, self.conf_lines(), text))
        os.chmod(path, 0o644)
        self.conf = path
        self.own_conf = True
        return path

    def env(self, **kw):
        """The environment for a certenroll command on this service."""
        return dict(os.environ, CERTENROLL_CONF=self.conf, **kw)

    def tool(self, *args, check=True):
        """Runs the admin command on the service's data directory."""
        # Run as root, it gives what it creates to the data directory's
        # owner (the service user, once certenroll-serve started).
        p = subprocess.run([TOOL, "-d", self.data, *args], capture_output=True,
                           text=True, env=self.env())
        if check and p.returncode != 0:
            raise RuntimeError("certenroll %s failed: %s" % (args, p.stderr))
        return p

    def ca_pem(self, name):
        return self.tool("ca", "show", name).stdout

    def setup_data(self):
        self.tool("init")
        self.tool("ca", "create", ROOT_CA, "--key", "ECC-P-384",
                  "--subject", "CN=certenroll Test Root,O=certenroll")
        self.tool("ca", "create", ISSUING_CA, "--key", "ECC-P-256",
                  "--subject", "CN=certenroll Test Issuing,O=certenroll",
                  "--parent", ROOT_CA)
        self.tool("ca", "create", RSA_CA, "--key", "RSA-2048",
                  "--subject", "CN=certenroll RSA CA")
        self.tool("template", "add", "WebServer", "--ca", ISSUING_CA,
                  "--ca", RSA_CA, "--eku", "serverAuth,clientAuth")
        self.tool("template", "add", "RsaOnly", "--keys", "RSA-2048,RSA-3072",
                  "--ca", RSA_CA, "--eku", "serverAuth")
        self.tool("template", "add", "Restricted", "--ca", ISSUING_CA,
                  "--subject-regex", "^[a-z0-9.-]+\\.example\\.com$")
        self.tool("template", "add", "NeedsApproval", "--ca", ISSUING_CA,
                  "--require-approval")
        # Pattern 5 (after the four defaults): metadata rules on WebServer.
        self.tool("pattern", "add", "--template", "WebServer", "--name",
                  "WebServer with metadata",
                  "--metadata", "Owner:email:required",
                  "--metadata", "CostCenter:int",
                  "--metadata", "Tier:choice:gold|silver",
                  "--field", "Ticket")
        for role, claims in ROLES.items():
            args = ["role", "add", role]
            for c in claims:
                args += ["--claim", c]
            self.tool(*args)
        lines = []
        for user, (pw, roles) in USERS.items():
            args = ["user", "add", user]
            for r in roles:
                args += ["--role", r]
            self.tool(*args)
            h = subprocess.run(["openssl", "passwd", "-apr1", pw],
                               capture_output=True, text=True, check=True)
            lines.append("%s:%s" % (user, h.stdout.strip()))
        os.makedirs(self.run, exist_ok=True)
        with open(os.path.join(self.run, "htpasswd"), "w") as f:
            f.write("\n".join(lines) + "\n")
        with open(self.ca_bundle, "w") as f:
            f.write(self.ca_pem(ROOT_CA))
            f.write(self.ca_pem(RSA_CA))

    def start(self, conf=None, wrap=(), listen=None):
        """conf: a certenroll.conf of the test's own (certenroll-serve
        --conf; no signer then); wrap: a command prefix for certenroll-serve
        (e.g. unshare), whose environment the programs and the web server
        keep; listen: a loopback address of the service's own (one per
        host of a shared installation) rather than localhost."""
        self.port = free_port()
        self.url = "https://%s:%d" % (listen or "localhost", self.port)
        if conf is not None:
            extra = ["--conf", conf]
        elif self.database is not None:
            extra = ["--database", self.database]
        else:
            extra = []
        if listen is not None:
            extra += ["--listen", listen]
        subprocess.run([*wrap, SERVE, "start", "--data", self.data,
                        "--run", self.run,
                        "--port", str(self.port), "--workers", "3",
                        "--ca", RSA_CA, "--server", self.web,
                        "--client-ca", self.ca_bundle,
                        "--trusted-proxy", PROXY_ADDR,
                        "--htpasswd", os.path.join(self.run, "htpasswd"),
                        *extra],
                       check=True)
        deadline = time.time() + 10
        while time.time() < deadline:
            try:
                r = requests.get(self.url + "/health", verify=self.ca_bundle,
                                 timeout=2)
                if r.status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.1)
        raise RuntimeError("service did not become healthy")

    def stop(self):
        subprocess.run([SERVE, "stop", "--run", self.run], check=False)

    def stop_signer(self):
        """Stops the signer (SIGTERM) and waits until it is gone.  Its
        socket stays (a dropped signer may not unlink in root's folder):
        nothing answers on it."""
        pid = int(open(os.path.join(self.run, "signer.pid")).read())
        os.kill(pid, 15)
        for _ in range(50):
            if not os.path.exists("/proc/%d" % pid):
                break
            time.sleep(0.1)

    def start_signer(self):
        """Starts the signer again as certenroll-serve starts it: as the
        data's owner, on the same socket."""
        import pwd
        sock = os.path.join(self.run, "signer.sock")
        st = os.stat(self.data)
        as_user = ["-u", pwd.getpwuid(st.st_uid).pw_name] if os.getuid() == 0 else []
        if os.path.lexists(sock):
            os.unlink(sock)
        p = subprocess.Popen([os.path.join(ROOT, "tools", "certenroll-signer"),
                              "-d", self.data, "-s", sock, *as_user],
                             env=self.env(),
                             stderr=open(os.path.join(self.run, "signer.log"), "a"))
        open(os.path.join(self.run, "signer.pid"), "w").write("%d\n" % p.pid)
        for _ in range(50):
            if os.path.exists(sock) and os.stat(sock).st_uid == st.st_uid:
                break
            time.sleep(0.1)
        os.chmod(sock, 0o600)

    # -- HTTP helpers -------------------------------------------------------
    def session(self, source=None):
        """A new requests session, connecting from source (an address) if
        given.  (A fresh one each time: requests would otherwise reuse a
        kept-alive TLS connection made with another client certificate.)"""
        s = requests.Session()
        if source is not None:
            s.mount("https://", SourceAddressAdapter(source))
        return s

    def request(self, method, path, user="alice", json=None, data=None,
                headers=None, fmt=None, version=None, requested_with=True,
                params=None, cert=None, source=None):
        """user: a USERS name for Basic auth (None: no Authorization);
        cert: (crt, key) PEM files of a TLS client certificate; source:
        the local address to connect from (PROXY_ADDR: the trusted proxy)."""
        h = {}
        if requested_with:
            h["x-keyfactor-requested-with"] = "APIClient"
        if fmt is not None:
            h["x-certificateformat"] = fmt
        if version is not None:
            h["x-keyfactor-api-version"] = str(version)
        if data is not None:
            h["content-type"] = "application/json"
        h.update(headers or {})
        auth = (user, USERS[user][0]) if user in USERS else None
        with self.session(source) as s:
            return s.request(method, self.url + "/KeyfactorAPI" + path,
                             json=json, data=data, headers=h, auth=auth,
                             verify=self.ca_bundle, params=params, cert=cert,
                             timeout=60)

    def plain(self, method, path, user=None, source=None, headers=None,
              cert=None, data=None):
        """A request outside /KeyfactorAPI (/metrics, /health, /ocsp): no
        x-keyfactor-requested-with; user and source as for request()."""
        auth = (user, USERS[user][0]) if user in USERS else None
        with self.session(source) as s:
            return s.request(method, self.url + path, auth=auth,
                             headers=headers or {}, verify=self.ca_bundle,
                             cert=cert, data=data, timeout=60)

    def proxy_request(self, method, path, remote_user, **kw):
        """A request as the trusted reverse proxy sends it: from PROXY_ADDR,
        no Basic auth, the user in X-Remote-User."""
        h = dict(kw.pop("headers", None) or {})
        if remote_user is not None:
            h["X-Remote-User"] = remote_user
        kw.setdefault("user", None)
        return self.request(method, path, headers=h, source=PROXY_ADDR, **kw)

    def client_cert(self, name, subject, ca=None):
        """Enrolls (as alice, through the API) a WebServer certificate for
        subject (its EKU holds clientAuth) and writes base/name.crt (leaf
        and chain) and base/name.key (unencrypted PEM): cert= for requests."""
        from cryptography.hazmat.primitives.serialization import pkcs12
        body = {"Subject": subject, "Template": "WebServer",
                "CertificateAuthority": ca or ISSUING_CA, "KeyType": "ECC",
                "Curve": "P-256", "IncludeChain": True,
                "Password": "client-cert-pass-1",
                "Timestamp": datetime.datetime.utcnow().strftime(
                    "%Y-%m-%dT%H:%M:%SZ")}
        r = self.enroll(body, fmt="PFX")
        assert r.status_code == 200, r.text
        blob = base64.b64decode(r.json()["CertificateInformation"]["Pkcs12Blob"])
        key, cert, chain = pkcs12.load_key_and_certificates(
            blob, b"client-cert-pass-1")
        return self._write_pem(name, key, [cert] + list(chain or []))

    def self_signed_cert(self, name, subject_cn, org="certenroll"):
        """A self-signed client certificate (not from any test CA)."""
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
        key = ec.generate_private_key(ec.SECP256R1())
        subj = x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, org),
                          x509.NameAttribute(NameOID.COMMON_NAME, subject_cn)])
        now = datetime.datetime.utcnow()
        cert = (x509.CertificateBuilder().subject_name(subj).issuer_name(subj)
                .public_key(key.public_key()).serial_number(x509.random_serial_number())
                .not_valid_before(now - datetime.timedelta(minutes=5))
                .not_valid_after(now + datetime.timedelta(days=1))
                .add_extension(x509.ExtendedKeyUsage(
                    [ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
                .sign(key, hashes.SHA256()))
        return self._write_pem(name, key, [cert])

    def _write_pem(self, name, key, certs):
        from cryptography.hazmat.primitives import serialization
        crt = os.path.join(self.base, name + ".crt")
        keyf = os.path.join(self.base, name + ".key")
        with open(crt, "wb") as f:
            for c in certs:
                f.write(c.public_bytes(serialization.Encoding.PEM))
        with open(keyf, "wb") as f:
            f.write(key.private_bytes(serialization.Encoding.PEM,
                                      serialization.PrivateFormat.PKCS8,
                                      serialization.NoEncryption()))
        os.chmod(keyf, 0o600)
        return crt, keyf

    def enroll(self, body, fmt="PFX", user="alice", version=None, **kw):
        return self.request("POST", "/Enrollment/PFX", user=user, json=body,
                            fmt=fmt, version=version, **kw)

    def db_digest(self):
        """A digest of every record, to prove a request changed nothing:
        LMDB's own dump; on PostgreSQL every table's count and digest but
        the sequences (a rolled-back transaction's ids are gone, not
        reused: gaps are allowed)."""
        if self.database is None:
            p = subprocess.run(["mdb_dump", "-a", os.path.join(self.data, "db")],
                               capture_output=True, check=True)
            return hashlib.sha256(p.stdout).hexdigest()
        out = self.tool("db", "digest").stdout
        return [l for l in out.splitlines() if not l.startswith("counters\t")]

    def pg(self):
        """(socket folder, database name) of the service's PostgreSQL."""
        name = self.database.split("///", 1)[1].split("?", 1)[0]
        host = self.database.split("host=", 1)[1].split("&", 1)[0]
        return host, name

    def sql(self, query):
        """Runs query in the service's PostgreSQL database."""
        return psql(*self.pg(), query)

    def dump(self):
        """Every record as its backend's own dump tool prints it (LMDB's
        mdb_dump -p, PostgreSQL's pg_dump)."""
        if self.database is None:
            cmd = ["mdb_dump", "-a", "-p", os.path.join(self.data, "db")]
        else:
            host, name = self.pg()
            cmd = [os.path.join(PG_BIN, "pg_dump"), "-h", host, "-U",
                   "certenroll", "-a", name]
        return subprocess.run(cmd, capture_output=True, check=True).stdout

    def db_size(self):
        """The bytes the database takes on disk."""
        if self.database is None:
            return os.path.getsize(os.path.join(self.data, "db", "data.mdb"))
        return int(self.sql("SELECT pg_database_size(current_database())"))

    def raw_state(self):
        """The bytes the database holds, as an attacker who reads it
        sees them: LMDB's file; PostgreSQL's pg_dump with every bytea
        value decoded."""
        if self.database is None:
            with open(os.path.join(self.data, "db", "data.mdb"), "rb") as f:
                return f.read()
        dump = self.dump()
        raw = [dump]
        for h in re.findall(rb"\\\\x([0-9a-f]+)", dump):
            raw.append(bytes.fromhex(h.decode()))
        return b"\n".join(raw)


def new_base(prefix):
    """A fresh folder for a service's data and run directories."""
    base = tempfile.mkdtemp(prefix=prefix)
    os.chmod(base, 0o755)  # the service user and www-data reach their folders
    return base


@contextlib.contextmanager
def started(base):
    """A Service on base with the test data set up and started; stopped
    afterwards, also when setting it up failed."""
    s = Service(base)
    try:
        s.setup_data()
        s.start()
        yield s
    finally:
        s.stop()


@pytest.fixture(scope="module")
def svc(request):
    """The service of a test module: its own data, run folder and servers,
    so that no module sees what another did."""
    name = request.module.__name__.rsplit(".", 1)[-1].replace("test_", "")
    base = new_base("certenroll-it-%s-" % name)
    s = Service(base)
    s.setup_data()
    s.start()
    yield s
    s.stop()
    if os.environ.get("KEEP_TEST_DIRS") is None:
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(scope="module", autouse=True)
def no_secret_in_new_log_lines(request):
    """After each module: the lines it added to its service's logs
    hold no secret (secrets_scan.py), whichever order the modules run in."""
    from secrets_scan import leaks, log_files
    svc = request.getfixturevalue("svc")
    sizes = {f: os.path.getsize(f) for f in log_files(svc)}
    yield
    found = []
    for f in log_files(svc):
        with open(f, "rb") as fh:
            fh.seek(sizes.get(f, 0))
            found += [(f, s) for s in leaks(fh.read())]
    assert not found, "secrets in the logs after %s: %s" % (
        request.module.__name__, found[:10])


@pytest.fixture(scope="module")
def signer(svc):
    """The signer's socket (tests that ask it directly, as a forger would)."""
    sock = os.path.join(svc.run, "signer.sock")
    if not os.path.exists(sock):
        pytest.skip("the service runs without a signer")
    return sock


@pytest.fixture(scope="module")
def supervised(request):
    """A service of the module's own whose FastCGI programs run under
    certenroll-supervise (CERTENROLL_PM=supervise): a worker that exits or
    is killed is replaced."""
    name = request.module.__name__.rsplit(".", 1)[-1].replace("test_", "")
    base = new_base("certenroll-%s-" % name)
    old = os.environ.get("CERTENROLL_PM")
    os.environ["CERTENROLL_PM"] = "supervise"
    try:
        with started(base) as s:
            yield s
    finally:
        if old is None:
            os.environ.pop("CERTENROLL_PM", None)
        else:
            os.environ["CERTENROLL_PM"] = old
        shutil.rmtree(base, ignore_errors=True)
