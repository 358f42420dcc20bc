#!/usr/bin/env python3
"""Runs a daemon as systemd would for Type=notify with a watchdog, on a
datagram socket this script owns, and checks the protocol:

  notify-run.py [--watchdog-usec N] [--pings N] [--env NAME=VALUE]... -- CMD ARGS...

READY=1 must arrive (before the daemon exits; --ready-check CMD must then
succeed, showing that the daemon serves), then at least --pings
WATCHDOG=1 messages after READY=1; then SIGTERM; STOPPING=1 must arrive
and the daemon must exit with status 0. Every message is printed as
"notify: <text>" (the test greps them). Waits have generous bounds, which
are not speed assertions: a message that never comes fails the run.
Exit status 0 when all of it held, 1 otherwise (the reason on stderr)."""
import argparse
import os
import select
import signal
import socket
import subprocess
import sys
import tempfile
import time


def receive(sock, proc, deadline, want, seen):
    """Collects messages until one holds `want` (a line), the daemon exits
    or the deadline passes. Returns True when `want` arrived."""
    while time.monotonic() < deadline:
        r, _, _ = select.select([sock], [], [], 0.2)
        if r:
            data = sock.recv(4096).decode("utf-8", "replace")
            for line in data.split("\n"):
                print("notify: " + line.encode("unicode_escape").decode(), flush=True)
            seen.append(data)
            if want in data.split("\n"):
                return True
        elif proc.poll() is not None:
            return False
    return False


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--watchdog-usec", type=int, default=1000000)
    ap.add_argument("--pings", type=int, default=3)
    ap.add_argument("--ready-within", type=float, default=120)
    ap.add_argument("--env", action="append", default=[])
    ap.add_argument("--ready-check", help="a shell command that must succeed when READY=1 arrives")
    ap.add_argument("cmd", nargs=argparse.REMAINDER)
    a = ap.parse_args()
    cmd = a.cmd[1:] if a.cmd and a.cmd[0] == "--" else a.cmd
    tmp = tempfile.mkdtemp(prefix="notify.")
    path = os.path.join(tmp, "notify.sock")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(path)
    env = dict(os.environ, NOTIFY_SOCKET=path, WATCHDOG_USEC=str(a.watchdog_usec))
    for kv in a.env:
        k, v = kv.split("=", 1)
        env[k] = v
    proc = subprocess.Popen(cmd, env=env)
    seen = []
    ok = True
    try:
        if not receive(sock, proc, time.monotonic() + a.ready_within, "READY=1", seen):
            print("notify-run: no READY=1 (daemon exit status %s)" % proc.poll(), file=sys.stderr)
            return 1
        if a.ready_check and subprocess.call(a.ready_check, shell=True) != 0:
            print("notify-run: READY=1 came before the daemon served: '%s' failed" % a.ready_check, file=sys.stderr)
            ok = False
        pings = 0
        deadline = time.monotonic() + 30 + a.pings * a.watchdog_usec / 1e6
        while pings < a.pings:
            if not receive(sock, proc, deadline, "WATCHDOG=1", seen):
                print("notify-run: %d WATCHDOG=1 after READY=1, wanted %d" % (pings, a.pings), file=sys.stderr)
                return 1
            pings += 1
        print("notify-run: %d watchdog pings after READY=1" % pings, flush=True)
        proc.send_signal(signal.SIGTERM)
        if not receive(sock, proc, time.monotonic() + 60, "STOPPING=1", seen):
            print("notify-run: no STOPPING=1 after SIGTERM", file=sys.stderr)
            ok = False
        try:
            rc = proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            print("notify-run: the daemon did not exit after SIGTERM", file=sys.stderr)
            return 1
        print("notify-run: exit status %d" % rc, flush=True)
        return 0 if ok and rc == 0 else 1
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        sock.close()
        os.unlink(path)
        os.rmdir(tmp)


if __name__ == "__main__":
    sys.exit(main())
