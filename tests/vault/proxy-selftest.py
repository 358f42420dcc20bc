#!/usr/bin/env python3
"""tests/vault/proxy.py against a small HTTP/1.1 keep-alive server of our own
(no Ceph needed): several requests on one connection pass through and are
counted, a 100 Continue before the final answer, a chunked answer, the lock
headers stripped from HEAD answers only, a connection cut after N bytes
from the client (then the next one whole), and malformed heads, lengths and
chunk sizes from either side ending only that connection."""

import os
import socket
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
LOCK = (b"x-amz-object-lock-mode: COMPLIANCE\r\n"
        b"x-amz-object-lock-retain-until-date: 2026-12-03T10:00:00.000000000Z\r\n")
failures = 0


def check(what, ok):
    global failures
    print(("ok: " if ok else "FAIL: ") + what, flush=True)
    failures += 0 if ok else 1


def read_head(f):
    lines = []
    while True:
        line = f.readline()
        if not line:
            return None
        if line == b"\r\n":
            return lines
        lines.append(line.rstrip(b"\r\n"))


def serve(conn):
    """Answers each request by its path; reads bodies by Content-Length."""
    f = conn.makefile("rb")
    try:
        while True:
            head = read_head(f)
            if head is None:
                return
            method, path = head[0].split(b" ")[:2]
            fields = {l.split(b":")[0].lower(): l.split(b":", 1)[1].strip() for l in head[1:]}
            if fields.get(b"expect") == b"100-continue":
                conn.sendall(b"HTTP/1.1 100 Continue\r\n\r\n")
            n = int(fields.get(b"content-length", b"0"))
            body = f.read(n) if n else b""
            if path == b"/chunked":
                conn.sendall(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                             b"5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n")
            elif path == b"/badlength":
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: x12\r\n\r\nabc")
            elif path == b"/badchunk":
                conn.sendall(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n")
            else:
                reply = b"got %d" % len(body)
                extra = LOCK if method in (b"HEAD", b"GET") else b""
                length = b"Content-Length: %d\r\n" % (len(reply) if method != b"HEAD" else 99)
                conn.sendall(b"HTTP/1.1 200 OK\r\n" + extra + length + b"\r\n" +
                             (reply if method != b"HEAD" else b""))
    except (OSError, ValueError):
        pass
    finally:
        conn.close()


def server():
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", 0))
    s.listen(16)

    def loop():
        while True:
            c, _ = s.accept()
            threading.Thread(target=serve, args=(c,), daemon=True).start()

    threading.Thread(target=loop, daemon=True).start()
    return s.getsockname()[1]


class Proxy:
    def __init__(self, target, *args):
        self.dir = tempfile.mkdtemp()
        self.port_file = os.path.join(self.dir, "port")
        self.count_file = os.path.join(self.dir, "count")
        self.err = open(os.path.join(self.dir, "err"), "w+")
        self.p = subprocess.Popen(
            [sys.executable, os.path.join(HERE, "proxy.py"), "--target", str(target),
             "--port-file", self.port_file, "--count-file", self.count_file, *args],
            stderr=self.err)
        for _ in range(100):
            if os.path.exists(self.port_file):
                break
            time.sleep(0.05)
        self.port = int(open(self.port_file).read())

    def count(self):
        return int(open(self.count_file).read())

    def log(self):
        self.err.flush()
        return open(self.err.name).read()

    def connect(self):
        c = socket.create_connection(("127.0.0.1", self.port), timeout=5)
        return c, c.makefile("rb")

    def alive(self):
        return self.p.poll() is None

    def stop(self):
        self.p.terminate()
        self.p.wait(5)


def answer(f, head_only=False):
    """(status, headers, body) of one answer; body None when the connection ended."""
    head = read_head(f)
    if head is None:
        return None, None, None
    status = int(head[0].split(b" ")[1])
    fields = {l.split(b":")[0].lower(): l.split(b":", 1)[1].strip() for l in head[1:]}
    if head_only or status == 100:
        return status, fields, b""
    if fields.get(b"transfer-encoding") == b"chunked":
        body = b""
        while True:
            size = int(f.readline().strip(), 16)
            if size == 0:
                f.readline()
                return status, fields, body
            body += f.read(size)
            f.readline()
    return status, fields, f.read(int(fields.get(b"content-length", b"0")))


def main():
    target = server()

    # pass-through: keep-alive, counting, 100 Continue, chunked
    p = Proxy(target)
    c, f = p.connect()
    c.sendall(b"GET /a HTTP/1.1\r\nHost: x\r\n\r\nHEAD /b HTTP/1.1\r\nHost: x\r\n\r\n")
    st1, h1, b1 = answer(f)
    st2, h2, _ = answer(f, head_only=True)
    check("two requests on one connection both answered", st1 == 200 and st2 == 200 and b1 == b"got 0")
    check("pass-through keeps the lock headers of a HEAD", b"x-amz-object-lock-mode" in h2)
    c.sendall(b"PUT /c HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n")
    st, _, _ = answer(f)
    c.sendall(b"hello")
    st3, _, b3 = answer(f)
    check("100 Continue, then the PUT's answer on the same connection", st == 100 and st3 == 200 and b3 == b"got 5")
    c.sendall(b"GET /chunked HTTP/1.1\r\nHost: x\r\n\r\nGET /d HTTP/1.1\r\nHost: x\r\n\r\n")
    _, _, b4 = answer(f)
    _, _, b5 = answer(f)
    check("a chunked answer relayed whole, and the next one after it", b4 == b"hello world" and b5 == b"got 0")
    check("every request counted (%d)" % p.count(), p.count() == 5)
    c.close()

    # malformed input ends that connection only
    for what, data in [
        ("a header line without a colon", b"GET /x HTTP/1.1\r\nnocolon\r\n\r\n"),
        ("a Content-Length that is not a number", b"PUT /x HTTP/1.1\r\nContent-Length: 5x\r\n\r\n"),
        ("a malformed chunk size", b"PUT /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nq\r\n"),
        ("a head over 64 KiB", b"GET /x HTTP/1.1\r\nA: " + b"a" * 70000 + b"\r\n\r\n"),
        ("an answer with a bad Content-Length", b"GET /badlength HTTP/1.1\r\n\r\n"),
        ("an answer with a bad chunk size", b"GET /badchunk HTTP/1.1\r\n\r\n"),
    ]:
        c, f = p.connect()
        try:
            c.sendall(data)
            ended = True
            while True:  # whatever came first, the connection must end
                if not c.recv(65536):
                    break
        except (ConnectionError, socket.timeout) as e:
            ended = not isinstance(e, socket.timeout)
        c.close()
        check("%s ends the connection" % what, ended)
        c, f = p.connect()
        c.sendall(b"GET /ok HTTP/1.1\r\n\r\n")
        st, _, _ = answer(f)
        check("and the proxy serves the next one (%s)" % what, st == 200 and p.alive())
        c.close()
    p.stop()

    # --strip-lock: HEAD answers lose the lock headers, GET answers keep them
    p = Proxy(target, "--strip-lock")
    c, f = p.connect()
    c.sendall(b"HEAD /a HTTP/1.1\r\n\r\nGET /a HTTP/1.1\r\n\r\n")
    _, h1, _ = answer(f, head_only=True)
    _, h2, b2 = answer(f)
    check("--strip-lock removes both lock headers from a HEAD answer",
          b"x-amz-object-lock-mode" not in h1 and b"x-amz-object-lock-retain-until-date" not in h1
          and h1.get(b"content-length") == b"99")
    check("and leaves a GET answer alone", b"x-amz-object-lock-mode" in h2 and b2 == b"got 0")
    c.close()
    p.stop()

    # --cut-after: the first connection is cut after N client bytes, the next is whole
    p = Proxy(target, "--cut-after", "100")
    c, f = p.connect()
    c.sendall(b"PUT /a HTTP/1.1\r\nContent-Length: 1000\r\n\r\n" + b"x" * 1000)
    st, _, _ = answer(f)
    check("--cut-after 100 cuts the PUT (no answer)", st is None)
    check("and says so", "cut a connection after 100 bytes" in p.log())
    c.close()
    c, f = p.connect()
    c.sendall(b"PUT /a HTTP/1.1\r\nContent-Length: 1000\r\n\r\n" + b"x" * 1000)
    st, _, body = answer(f)
    check("the next connection goes through whole", st == 200 and body == b"got 1000")
    c.close()
    p.stop()

    print("%d failed" % failures)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
