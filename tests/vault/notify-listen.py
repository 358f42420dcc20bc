#!/usr/bin/env python3
"""The service manager's side of sd_notify for a test: binds a datagram
socket at PATH and appends every message to OUT as "<CLOCK_MONOTONIC>
<message>" (one line per message line), flushed at once, until killed.

  notify-listen.py PATH OUT

Run the daemon with NOTIFY_SOCKET=PATH and WATCHDOG_USEC; the test reads
OUT for the WATCHDOG=1 pings and when they came (the same clock as
lying-s3.py's events)."""
import os
import socket
import sys
import time


def main():
    path, out = sys.argv[1], sys.argv[2]
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.bind(path)
    open(out + ".ready", "w").close()
    with open(out, "a") as f:
        while True:
            data = s.recv(4096).decode("utf-8", "replace")
            now = time.monotonic()
            for line in data.split("\n"):
                f.write("%.3f %s\n" % (now, line))
            f.flush()


if __name__ == "__main__":
    sys.exit(main())
