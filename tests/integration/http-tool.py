#!/usr/bin/env python3
"""http-tool.py: raw HTTP requests for the status daemon's tests, to
127.0.0.1 (or ::1) only, each bounded in size and time.

  http-tool.py port                      a free TCP port on 127.0.0.1
  http-tool.py code PORT KIND N [HOST]   sends one crafted request, prints the status code
      KIND line:    a GET whose request line ("GET /… HTTP/1.1") is exactly N bytes
      KIND hbytes:  a GET / whose header lines ("Name: value\\r\\n") total exactly N bytes
      KIND hcount:  a GET / with exactly N small headers
      KIND raw:     N is the request itself (Python escapes, e.g. 'GET / HTTP/1.1\\r\\n\\r\\n')
"""
import socket
import sys


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def exchange(host, port, data, timeout=5.0):
    """Sends data, reads the answer until the server closes or timeout; b'' if none."""
    fam = socket.AF_INET6 if ":" in host else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_STREAM)
    s.settimeout(timeout)
    s.connect((host, port))
    try:
        s.sendall(data)
    except OSError:
        pass  # the server may answer and close before reading everything
    out = b""
    try:
        while len(out) < 1 << 20:
            chunk = s.recv(65536)
            if not chunk:
                break
            out += chunk
    except OSError:
        pass
    s.close()
    return out


def request(kind, n):
    base = b"Host: 127.0.0.1\r\nConnection: close\r\n"
    if kind == "line":
        pre, post = b"GET /", b" HTTP/1.1"
        return pre + b"a" * (n - len(pre) - len(post)) + post + b"\r\n" + base + b"\r\n"
    if kind == "hbytes":
        filler = n - len(base) - len(b"X-Fill: \r\n")
        return b"GET / HTTP/1.1\r\n" + base + b"X-Fill: " + b"f" * filler + b"\r\n\r\n"
    if kind == "hcount":
        extra = b"".join(b"X-H%d: v\r\n" % i for i in range(n - 2))
        return b"GET / HTTP/1.1\r\n" + base + extra + b"\r\n"
    raise SystemExit(f"unknown kind {kind}")


def main():
    if sys.argv[1] == "port":
        print(free_port())
        return
    if sys.argv[1] == "code":
        port, kind, arg = int(sys.argv[2]), sys.argv[3], sys.argv[4]
        host = sys.argv[5] if len(sys.argv) > 5 else "127.0.0.1"
        if kind == "raw":
            data = arg.encode("latin-1").decode("unicode_escape").encode("latin-1")
        else:
            data = request(kind, int(arg))
        answer = exchange(host, port, data)
        parts = answer.split(b" ", 2)
        print(parts[1].decode() if len(parts) > 1 else "none")
        return
    raise SystemExit(__doc__)


if __name__ == "__main__":
    main()
