#!/usr/bin/env python3
"""A small S3 server of the test's own on 127.0.0.1 that misbehaves on
demand, where Ceph RGW cannot: it stores what is PUT (in memory) and
answers like an Object Lock bucket, except where told to lie.

  lying-s3.py --port-file FILE --events FILE [--lie MODE]

MODE (what it does wrong; "honest" by default):
  version-404     a HEAD of a given version (?versionId=) answers 404
  version-size    … answers with another size
  version-nolock  … answers without the lock headers
  drip-put        a PUT's reply drips at 5 bytes/s, for ever (a body that never ends)
  cut-put         a PUT's reply is cut right after its status line
  delete-locked   a DELETE of a locked version deletes it (honest: 403 AccessDenied)
A HEAD of the latest version (no versionId) is always honest, so the
uploader's own PUT-then-HEAD succeeds and only a later proof can catch the
lie. Every request is appended to the events file as one line, after the
CLOCK_MONOTONIC time ("12.345 PUT /bucket/key", "… HEAD
/bucket/key?versionId=v1", "… drip-start", "… cut"), flushed at once,
so the test waits for events, not time.
Requests are not authenticated: the test is about what the uploader
believes, not about SigV4.
"""
import argparse
import hashlib
import http.server
import itertools
import socketserver
import sys
import threading
import time
import urllib.parse

store = {}  # path -> dict(size, sha256, md5, version, until)
versions = itertools.count(1)
lock = threading.Lock()
args = None


def event(text):
    with lock, open(args.events, "a") as f:
        f.write("%.3f %s\n" % (time.monotonic(), text))


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def split(self):
        u = urllib.parse.urlsplit(self.path)
        q = urllib.parse.parse_qs(u.query)
        return u.path, q.get("versionId", [None])[0]

    def do_PUT(self):
        path, _ = self.split()
        event("PUT " + self.path)
        n = int(self.headers.get("Content-Length", "0"))
        data = b""
        while len(data) < n:
            chunk = self.rfile.read(min(65536, n - len(data)))
            if not chunk:
                return
            data += chunk
        if args.lie == "cut-put":  # nothing stored: only the status line, then the cut
            self.wfile.write(b"HTTP/1.1 200 OK\r\n")
            self.wfile.flush()
            event("cut")
            self.close_connection = True
            return
        version = "v%d" % next(versions)
        with lock:
            store[path] = {
                "size": len(data),
                "sha256": self.headers.get("x-amz-meta-sha256", ""),
                "md5": hashlib.md5(data).hexdigest(),
                "version": version,
                "until": self.headers.get("x-amz-object-lock-retain-until-date", ""),
                "mode": self.headers.get("x-amz-object-lock-mode", ""),
            }
        reply = ("HTTP/1.1 200 OK\r\nETag: \"%s\"\r\nx-amz-version-id: %s\r\n"
                 "Content-Length: 0\r\n\r\n" % (store[path]["md5"], version)).encode()
        if args.lie == "drip-put":
            event("drip-start")
            # the whole answer a byte each 0.2 s: its headers, then a body that
            # never ends (bytes that arrive, so a stall check that counts any
            # progress as life is never met)
            drip = itertools.chain(b"HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\n\r\n",
                                   itertools.repeat(ord("a")))
            try:
                for byte in drip:
                    self.wfile.write(bytes([byte]))
                    self.wfile.flush()
                    time.sleep(0.2)
            except (BrokenPipeError, ConnectionResetError, OSError):
                pass
            event("drip-end")
            self.close_connection = True
            return
        self.wfile.write(reply)
        self.wfile.flush()

    def do_HEAD(self):
        path, version = self.split()
        event("HEAD " + self.path)
        with lock:
            o = dict(store[path]) if path in store else None
        if o and version is not None:
            if version != o["version"] or args.lie == "version-404":
                o = None
            elif args.lie == "version-size":
                o["size"] += 1
            elif args.lie == "version-nolock":
                o["mode"] = o["until"] = ""
        if o is None:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Length", str(o["size"]))
        self.send_header("ETag", '"%s"' % o["md5"])
        self.send_header("x-amz-version-id", o["version"])
        self.send_header("x-amz-meta-sha256", o["sha256"])
        if o["mode"]:
            self.send_header("x-amz-object-lock-mode", o["mode"])
            self.send_header("x-amz-object-lock-retain-until-date", o["until"])
        self.end_headers()


    def do_DELETE(self):
        path, version = self.split()
        event("DELETE " + self.path)
        with lock:
            o = store.get(path)
            found = o is not None and o["version"] == version
            if found and args.lie == "delete-locked":
                del store[path]
        if not found:
            status, body = 404, b"<Error><Code>NoSuchVersion</Code></Error>"
        elif args.lie == "delete-locked" or not o["mode"]:
            status, body = 204, b""
        else:
            status, body = 403, b"<Error><Code>AccessDenied</Code></Error>"
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    global args
    p = argparse.ArgumentParser()
    p.add_argument("--port-file", required=True)
    p.add_argument("--events", required=True)
    p.add_argument("--lie", default="honest",
                   choices=["honest", "version-404", "version-size", "version-nolock",
                            "drip-put", "cut-put", "delete-locked"])
    args = p.parse_args()
    srv = Server(("127.0.0.1", 0), Handler)
    with open(args.port_file + ".tmp", "w") as f:
        f.write("%d\n" % srv.server_address[1])
    import os
    os.rename(args.port_file + ".tmp", args.port_file)
    srv.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
