#!/usr/bin/env python3
"""A real RFC 3161 TSA for the intake's tests: OpenSSL's own `openssl ts
-reply` behind a small HTTP handler on 127.0.0.1 (Debian packages no TSA
server).

    tsa-server.py DIR [PORT]

DIR holds tsa.cnf (the [tsa] section `openssl ts -reply -config` reads) and
the TSA's key and certificates, as tsa-make-ca.sh writes them. PORT 0 (the
default) picks a free port. The port is written to DIR/port once the
server listens (tests wait for that file), and each POST is logged to
DIR/requests (one line: its Content-Type).
"""
import http.server
import os
import subprocess
import sys
import tempfile

DIR = sys.argv[1]


class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        query = self.rfile.read(min(n, 1 << 16))
        with open(os.path.join(DIR, "requests"), "a") as f:
            f.write(self.headers.get("Content-Type", "") + "\n")
        with tempfile.TemporaryDirectory() as t:
            q, r = os.path.join(t, "q.tsq"), os.path.join(t, "r.tsr")
            with open(q, "wb") as f:
                f.write(query)
            p = subprocess.run(["openssl", "ts", "-reply", "-config", os.path.join(DIR, "tsa.cnf"),
                                "-queryfile", q, "-out", r], capture_output=True)
            if p.returncode != 0:
                self.send_error(500, "openssl ts -reply failed")
                return
            with open(r, "rb") as f:
                body = f.read()
        self.send_response(200)
        self.send_header("Content-Type", "application/timestamp-reply")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


http.server.HTTPServer.allow_reuse_address = True
srv = http.server.HTTPServer(("127.0.0.1", int(sys.argv[2]) if len(sys.argv) > 2 else 0), Handler)
tmp = os.path.join(DIR, "port.tmp")
with open(tmp, "w") as f:
    f.write(str(srv.server_address[1]))
os.rename(tmp, os.path.join(DIR, "port"))
srv.serve_forever()
