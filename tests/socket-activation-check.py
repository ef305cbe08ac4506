#!/usr/bin/python3
"""Runs an installed FastCGI program under socket activation the way the
installed systemd units configure it, and checks real answers.

    socket-activation-check.py [--handover=stdin|listen-fds] DESTDIR UNITDIR
                               PROGRAM [CA_PEM USER]

Reads UNITDIR/certenroll@.service and certenroll@.socket: ExecStart= (with
%i = PROGRAM) and Environment= give the command line and environment (paths
of installed files taken under DESTDIR, / for a package's); with Accept=no systemd hands the
listening socket over as fd 3 with LISTEN_FDS and LISTEN_PID (what
systemd-socket-activate does), or, with StandardInput=socket, as standard
input (systemd-socket-activate --inetd).  --handover= tries the other way
than the unit's (the programs take both).  Like systemd,
systemd-socket-activate starts the program at the first connection.  (Where
the systemd package is missing, this script hands the socket over as
standard input itself.)
Then FastCGI requests go straight to the socket (a small client below):
  status      GET /health answers 200 {"Status": "OK", "Database": "OK", ...} (the data directory
              of the configuration named by the unit has a CA), twice, from
              the same process (FastCGI, not a one-shot CGI run)
  enroll_pfx  POST /KeyfactorAPI/Enrollment/PFX as USER answers ISSUED with
              a PKCS#12 holding a key and a certificate signed by CA_PEM
Finally SIGTERM (systemd's stop) ends the program with status 0.
"""
import base64
import json
import os
import shlex
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time

FCGI_BEGIN, FCGI_END, FCGI_PARAMS, FCGI_STDIN, FCGI_STDOUT, FCGI_STDERR = \
    1, 3, 4, 5, 6, 7


def unit_settings(path):
    """key -> [values] of a unit file (sections ignored)."""
    out = {}
    for line in open(path):
        line = line.strip()
        if line and line[0] not in "#;[" and "=" in line:
            k, v = line.split("=", 1)
            out.setdefault(k.strip(), []).append(v.strip())
    return out


def record(rtype, content):
    return struct.pack("!BBHHBx", 1, rtype, 1, len(content), 0) + content


def name_value(k, v):
    k, v = k.encode(), v.encode()
    out = b""
    for n in (len(k), len(v)):
        out += bytes([n]) if n < 128 else struct.pack("!I", n | 0x80000000)
    return out + k + v


def fcgi(sock_path, params, body=b""):
    """One FastCGI responder request; (status, headers, body, stderr)."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(60)
    s.connect(sock_path)
    pairs = b"".join(name_value(k, v) for k, v in params.items())
    msg = record(FCGI_BEGIN, struct.pack("!HB5x", 1, 0))
    for i in range(0, len(pairs), 65535):
        msg += record(FCGI_PARAMS, pairs[i:i + 65535])
    msg += record(FCGI_PARAMS, b"")
    for i in range(0, len(body), 65535):
        msg += record(FCGI_STDIN, body[i:i + 65535])
    msg += record(FCGI_STDIN, b"")
    s.sendall(msg)
    buf, out, err, ended = b"", b"", b"", False
    while not ended:
        d = s.recv(65536)
        if not d:
            break
        buf += d
        while len(buf) >= 8:
            _, rtype, _, clen, plen = struct.unpack("!BBHHBx", buf[:8])
            if len(buf) < 8 + clen + plen:
                break
            content, buf = buf[8:8 + clen], buf[8 + clen + plen:]
            if rtype == FCGI_STDOUT:
                out += content
            elif rtype == FCGI_STDERR:
                err += content
            elif rtype == FCGI_END:
                ended = True
    s.close()
    if not ended:
        raise AssertionError("no FCGI_END_REQUEST (answer so far: %r)" % out[:300])
    head, _, payload = out.partition(b"\r\n\r\n")
    headers = dict(l.split(": ", 1) for l in head.decode().split("\r\n") if ": " in l)
    status = int(headers.get("Status", "200").split()[0])
    return status, headers, payload, err


def check_status(sock, pid):
    seen = set()
    for _ in range(2):
        st, h, body, _ = fcgi(sock, {"REQUEST_METHOD": "GET",
                                     "REQUEST_URI": "/health",
                                     "DOCUMENT_URI": "/health",
                                     "SCRIPT_NAME": "/health"})
        assert st == 200, (st, body)
        assert h["Content-Type"].startswith("application/json"), h
        assert json.loads(body)["Status"] == "OK", body
        assert json.loads(body)["Database"] == "OK", body
        seen.add(os.readlink("/proc/%d/exe" % pid))
    return seen


def check_enroll(sock, ca_pem, user):
    from cryptography import x509
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.serialization import pkcs12
    pw = "socket-pass-123"
    body = json.dumps({"Subject": "CN=socket.example.com", "Template": "Web",
                       "KeyType": "ECC", "Password": pw,
                       "Timestamp": "2026-11-25T10:00:00Z"}).encode()
    uri = "/KeyfactorAPI/Enrollment/PFX"
    st, _, out, _ = fcgi(sock, {
        "REQUEST_METHOD": "POST", "REQUEST_URI": uri, "DOCUMENT_URI": uri,
        "SCRIPT_NAME": uri, "REMOTE_USER": user,
        "CONTENT_TYPE": "application/json", "CONTENT_LENGTH": str(len(body)),
        "HTTP_X_KEYFACTOR_REQUESTED_WITH": "APIClient",
        "HTTP_X_CERTIFICATEFORMAT": "PFX"}, body)
    assert st == 200, (st, out)
    info = json.loads(out)["CertificateInformation"]
    assert info["RequestDisposition"] == "ISSUED", info
    key, cert, _ = pkcs12.load_key_and_certificates(
        base64.b64decode(info["Pkcs12Blob"]), pw.encode())
    assert key is not None and cert is not None
    assert cert.subject.rfc4514_string() == "CN=socket.example.com"
    ca = x509.load_pem_x509_certificate(open(ca_pem, "rb").read())
    assert cert.issuer == ca.subject
    ca.public_key().verify(cert.signature, cert.tbs_certificate_bytes,
                           ec.ECDSA(cert.signature_hash_algorithm))


def main():
    args = sys.argv[1:]
    handover = None
    if args and args[0].startswith("--handover="):
        handover = args.pop(0).split("=", 1)[1]
        assert handover in ("stdin", "listen-fds"), handover
    dest, unitdir, prog = args[0:3]
    dest = dest.rstrip("/")	# "/": the installed package's own paths
    ca_pem, user = (args[3:5] + [None, None])[:2]
    svc = unit_settings(os.path.join(unitdir, "certenroll@.service"))
    sck = unit_settings(os.path.join(unitdir, "certenroll@.socket"))
    assert sck.get("ListenStream", [""])[0].endswith("/%i.sock"), sck
    inetd = svc.get("StandardInput") == ["socket"]
    if handover is not None:
        inetd = handover == "stdin"
    assert sck.get("Accept", ["no"]) == ["no"], sck
    argv = shlex.split(svc["ExecStart"][0].replace("%i", prog))
    argv[0] = dest + argv[0]
    program = os.path.realpath(argv[0])
    if os.getuid() == 0 and svc.get("User"):
        # As the unit's User= and Group= (the data directory's owner).
        argv = ["setpriv", "--reuid", svc["User"][0], "--regid",
                svc.get("Group", svc["User"])[0], "--init-groups", "--"] + argv
    env = []
    for e in svc.get("Environment", []):
        for kv in shlex.split(e):
            k, v = kv.split("=", 1)
            if v.startswith("/") and os.path.exists(dest + v):
                v = dest + v
            env += ["-E", "%s=%s" % (k, v)]
    run = tempfile.mkdtemp(prefix="sa-", dir=dest or None)
    sock = os.path.join(run, prog + ".sock")
    errlog = open(os.path.join(run, "stderr.log"), "w+")
    if shutil.which("systemd-socket-activate"):
        cmd = ["systemd-socket-activate", "-l", sock] + \
            (["--inetd"] if inetd else []) + env + ["--"] + argv
        print("$ " + " ".join(shlex.quote(a) for a in cmd))
        p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL,
                             stdout=subprocess.DEVNULL, stderr=errlog)
    else:
        # No systemd package: hand the socket over ourselves, as
        # StandardInput=socket does (the program started at once).
        assert inetd, "LISTEN_FDS needs systemd-socket-activate"
        print("(no systemd-socket-activate: the listening socket as stdin)")
        lsock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        lsock.bind(sock)
        lsock.listen(16)
        p = subprocess.Popen(argv, stdin=lsock.fileno(),
                             stdout=subprocess.DEVNULL, stderr=errlog,
                             env=dict(e.split("=", 1) for e in env[1::2]))
        lsock.close()
    try:
        deadline = time.time() + 10
        while not os.path.exists(sock):
            assert p.poll() is None and time.time() < deadline, \
                "no socket from systemd-socket-activate"
            time.sleep(0.05)
        if prog == "status":
            exes = check_status(sock, p.pid)
        else:
            check_enroll(sock, ca_pem, user)
            exes = {os.readlink("/proc/%d/exe" % p.pid)}
        # The program, exec'd in place of systemd-socket-activate (the pid
        # systemd would stop), served it.
        assert exes == {program}, exes
        p.send_signal(signal.SIGTERM)
        assert p.wait(10) == 0, "exit status %s" % p.returncode
    except BaseException:
        errlog.seek(0)
        sys.stderr.write("program's stderr:\n" + errlog.read())
        raise
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
        errlog.close()
        shutil.rmtree(run, ignore_errors=True)
    print("%s: socket-activated %s answered" % (prog, "on stdin" if inetd
                                                 else "with LISTEN_FDS"))


if __name__ == "__main__":
    main()
