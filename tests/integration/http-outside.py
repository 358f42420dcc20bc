#!/usr/bin/env python3
"""http-outside.py PORT: a slowloris from outside the allow-list. From
127.0.0.2 and 127.0.0.3 (two "outside" addresses; the daemon's [status]
allow is 127.0.0.1 only) it keeps 48 connections each open with
half-sent requests (holding any the daemon keeps, reopening any it
closes), while the allowed
client (127.0.0.1) makes 10 requests one after another (5 s each at most). Prints one line
per figure and exits 0 only when all 10 allowed requests were answered
200 and every outside connection was closed by the daemon without one
byte of answer (refused at accept time, never holding a slot).
Bounded: at most 60 s whatever happens."""
import socket
import sys
import threading
import time

PORT = int(sys.argv[1])
OUTSIDE = ["127.0.0.2", "127.0.0.3"]
PER_ADDRESS = 48
DEADLINE = time.monotonic() + 60
HALF = b"GET /status.json HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nX-Slow: " % PORT

stop = threading.Event()
lock = threading.Lock()
figures = {"outside_opened": 0, "outside_closed": 0, "outside_answered": 0, "outside_still_open": 0}


def hold(source):
    """Opens a connection from source with a half-sent request and waits
    (at most 3 s) to see whether the daemon closes it."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.settimeout(3)
    try:
        s.bind((source, 0))
        s.connect(("127.0.0.1", PORT))
        with lock:
            figures["outside_opened"] += 1
        try:
            s.sendall(HALF)
        except OSError:
            pass
        try:
            data = s.recv(4096)
            key = "outside_answered" if data else "outside_closed"
        except ConnectionResetError:
            key = "outside_closed"
        except socket.timeout:
            key = "outside_still_open"
        with lock:
            figures[key] += 1
        # a connection the daemon kept is held on, as an attacker would
        s.settimeout(0.5)
        while key == "outside_still_open" and not stop.is_set() and time.monotonic() < DEADLINE:
            try:
                if not s.recv(4096):
                    break
            except socket.timeout:
                continue
            except OSError:
                break
    except OSError:
        with lock:
            figures["outside_closed"] += 1
    finally:
        s.close()


def attacker(source):
    while not stop.is_set() and time.monotonic() < DEADLINE:
        threads = [threading.Thread(target=hold, args=(source,)) for _ in range(PER_ADDRESS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()


def allowed_request():
    s = socket.create_connection(("127.0.0.1", PORT), timeout=5)
    try:
        s.sendall(b"GET /status.json HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nConnection: close\r\n\r\n" % PORT)
        data = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
        return data.split(b" ", 2)[1].decode() if data.startswith(b"HTTP/1.1 ") else "none"
    except OSError as e:
        return type(e).__name__
    finally:
        s.close()


attackers = [threading.Thread(target=attacker, args=(a,)) for a in OUTSIDE]
for t in attackers:
    t.start()
# the allowed client starts once the outside connections are in place
while figures["outside_opened"] < len(OUTSIDE) * PER_ADDRESS and time.monotonic() < DEADLINE:
    time.sleep(0.05)
codes = [allowed_request() for _ in range(10)]
stop.set()
for t in attackers:
    t.join()
ok = sum(1 for c in codes if c == "200")
print("allowed client: %d of 10 answered 200 (codes %s)" % (ok, " ".join(codes)))
print("outside: %(outside_opened)d connections opened, %(outside_closed)d closed by the daemon, "
      "%(outside_answered)d answered, %(outside_still_open)d still open after 3 s" % figures)
sys.exit(0 if ok == 10 and figures["outside_answered"] == 0 and figures["outside_still_open"] == 0
         and figures["outside_opened"] > 0 else 1)
