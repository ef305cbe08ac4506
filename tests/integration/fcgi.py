"""A raw FastCGI client: what any local process that reaches a program's
socket could send, with whatever parameters it likes (REMOTE_USER,
CERTENROLL_DATA, ...).  Run as a script it sends one request and prints
the answer, so that a test can run it as another uid (setpriv):

    fcgi.py SOCKET METHOD PATH [NAME=VALUE ...] < body
"""
import socket
import struct
import sys

BEGIN, END, PARAMS, STDIN, STDOUT, STDERR = 1, 3, 4, 5, 6, 7


def _record(kind, content, req=1):
    return struct.pack(">BBHHBB", 1, kind, req, len(content), 0, 0) + content


def _length(n):
    return bytes([n]) if n < 128 else struct.pack(">I", n | 0x80000000)


def _pairs(params):
    out = b""
    for k, v in params.items():
        k, v = k.encode(), v.encode()
        out += _length(len(k)) + _length(len(v)) + k + v
    return out


def request(sock_path, method, path, params=None, body=b"", timeout=30):
    """Sends one request; returns (status, headers text, body bytes)."""
    p = {"REQUEST_METHOD": method, "DOCUMENT_URI": path, "REQUEST_URI": path,
         "SCRIPT_NAME": path, "QUERY_STRING": "", "SERVER_PROTOCOL": "HTTP/1.1",
         "CONTENT_LENGTH": str(len(body)), "GATEWAY_INTERFACE": "CGI/1.1"}
    if body:
        p["CONTENT_TYPE"] = "application/json"
    p.update(params or {})
    s = socket.socket(socket.AF_UNIX)
    s.settimeout(timeout)
    s.connect(sock_path)
    msg = _record(BEGIN, struct.pack(">HB5x", 1, 0))
    msg += _record(PARAMS, _pairs(p)) + _record(PARAMS, b"")
    for i in range(0, len(body), 65535):
        msg += _record(STDIN, body[i:i + 65535])
    msg += _record(STDIN, b"")
    s.sendall(msg)
    buf, out = b"", b""
    while True:
        chunk = s.recv(65536)
        if not chunk:
            break
        buf += chunk
        done = False
        while len(buf) >= 8:
            _, kind, _, n, pad, _ = struct.unpack(">BBHHBB", buf[:8])
            if len(buf) < 8 + n + pad:
                break
            if kind == STDOUT:
                out += buf[8:8 + n]
            if kind == END:
                done = True
            buf = buf[8 + n + pad:]
        if done:
            break
    s.close()
    head, _, rest = out.partition(b"\r\n\r\n")
    status = 200
    for line in head.decode(errors="replace").splitlines():
        if line.lower().startswith("status:"):
            status = int(line.split()[1])
    return status, head.decode(errors="replace"), rest


if __name__ == "__main__":
    sock, method, path = sys.argv[1:4]
    extra = dict(a.split("=", 1) for a in sys.argv[4:])
    try:
        st, _, b = request(sock, method, path, extra, sys.stdin.buffer.read())
    except OSError as e:
        print("ERROR %s" % e.__class__.__name__)
        sys.exit(3)
    print(st)
    sys.stdout.write(b.decode(errors="replace"))
