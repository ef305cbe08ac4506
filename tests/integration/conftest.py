"""Integration test harness: a real certenroll behind a real nginx.

One service per test session: a fresh data directory set up with the
`certenroll` admin command (CAs, templates, patterns, roles, users), Basic
auth users in an htpasswd file, the FastCGI programs under spawn-fcgi and
nginx on a free loopback port with TLS from the demo CA.
"""
import hashlib
import os
import shutil
import socket
import subprocess
import tempfile
import time

import pytest
import requests

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
TOOL = os.path.join(ROOT, "tools", "certenroll")
SERVE = os.path.join(ROOT, "tools", "certenroll-serve")

ROOT_CA = "ca.certenroll.test\\RootCA"
ISSUING_CA = "ca.certenroll.test\\IssuingCA"
RSA_CA = "rsa.certenroll.test\\RsaCA"

# user -> (password, roles)
USERS = {
    "alice": ("alice-pass-1", ["Enrollers", "Readers"]),
    "bob": ("bob-pass-2", ["Enrollers"]),
    "carol": ("carol-pass-3", []),  # authenticated, no claims
    "approver": ("approver-pass-4", ["Approvers", "Enrollers"]),
    "storeops": ("storeops-pass-5", ["Enrollers", "Schedulers"]),
    "container7": ("container7-pass-6", ["Enrollers", "Container7"]),
}
ROLES = {
    "Enrollers": ["/certificates/enrollment/pfx/"],
    "Readers": ["/certificates/collections/read/"],
    "Approvers": ["/workflow/instances/manage/"],
    "Schedulers": ["/certificate_stores/schedule/", "/certificate_stores/read/",
                   "/certificates/collections/read/"],
    "Container7": ["/certificate_stores/schedule/7/"],
}


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Service:
    def __init__(self, base):
        self.base = base
        self.data = os.path.join(base, "data")
        self.run = os.path.join(base, "run")
        self.port = None
        self.url = None
        self.ca_bundle = os.path.join(base, "roots.pem")

    def tool(self, *args, check=True):
        """Runs the admin command on the service's data directory."""
        p = subprocess.run([TOOL, "-d", self.data, *args], capture_output=True,
                           text=True)
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

    def start(self):
        self.port = free_port()
        self.url = "https://localhost:%d" % self.port
        subprocess.run([SERVE, "start", "--data", self.data, "--run", self.run,
                        "--port", str(self.port), "--workers", "3",
                        "--ca", RSA_CA,
                        "--htpasswd", os.path.join(self.run, "htpasswd")],
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

    # -- HTTP helpers -------------------------------------------------------
    def request(self, method, path, user="alice", json=None, data=None,
                headers=None, fmt=None, version=None, requested_with=True,
                params=None):
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
        return requests.request(method, self.url + "/KeyfactorAPI" + path,
                                json=json, data=data, headers=h, auth=auth,
                                verify=self.ca_bundle, params=params,
                                timeout=60)

    def enroll(self, body, fmt="PFX", user="alice", version=None, **kw):
        return self.request("POST", "/Enrollment/PFX", user=user, json=body,
                            fmt=fmt, version=version, **kw)

    def db_digest(self):
        """A digest of every LMDB record, to prove a request changed nothing."""
        p = subprocess.run(["mdb_dump", "-a", os.path.join(self.data, "db")],
                           capture_output=True, check=True)
        return hashlib.sha256(p.stdout).hexdigest()


@pytest.fixture(scope="session")
def svc():
    base = tempfile.mkdtemp(prefix="certenroll-it-")
    os.chmod(base, 0o755)  # nginx workers (nobody) reach the sockets
    s = Service(base)
    s.setup_data()
    s.start()
    yield s
    s.stop()
    if os.environ.get("KEEP_TEST_DIRS") is None:
        shutil.rmtree(base, ignore_errors=True)
