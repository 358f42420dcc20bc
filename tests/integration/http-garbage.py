#!/usr/bin/env python3
"""http-garbage.py PORT COUNT DEADLINE_S: sends COUNT malformed or slow
requests to 127.0.0.1:PORT (never anywhere else), one connection each,
while a few slowloris connections dribble partial requests for a bounded
time. Stops at DEADLINE_S seconds whatever happens. Prints one line:
"sent N answered A codes {…} slowloris S" and exits 0 when N == COUNT.
Deterministic (seeded), so a failure can be replayed."""
import random
import socket
import struct
import sys
import threading
import time

HOST = "127.0.0.1"


# Kinds that may be an incomplete request: MHD 0.9.75 keeps such a
# connection until its timeout even after our FIN, so these are reset
# after a short look for an answer instead of waiting.
SHORT_WAIT = {0, 1, 5}


def garbage(i):
    k = i % 20
    r = random.Random(i)
    if k == 0:
        return bytes(r.getrandbits(8) for _ in range(r.randint(1, 700))), False
    if k == 1:
        return r.choice([b"GET\r\n\r\n", b"GET /\r\n\r\n", b"\r\n\r\n", b" / HTTP/1.1\r\n\r\n",
                         b"GET  /  HTTP/1.1\r\n\r\n", b"GET / HTTP/1.1 extra\r\n\r\n"]), False
    if k == 2:
        return b"GET /\x00status.json HTTP/1.1\r\nHost: x\r\n\r\n", False
    if k == 3:
        return b"GET / HTTP/1.1\r\nHost: x\x00y\r\nX-N\x00: 1\r\n\r\n", False
    if k == 4:
        return b"GET /" + b"a" * r.choice([5000, 40000, 102400]) + b" HTTP/1.1\r\n\r\n", False
    if k == 5:
        return r.choice([b"FOO / HTTP/1.1\r\n\r\n", b"get / HTTP/1.1\r\n\r\n", b"\x16\x03\x01\x02\x00\x01",
                         b"CONNECT 127.0.0.1:22 HTTP/1.1\r\n\r\n", b"G\xc3\xa9T / HTTP/1.1\r\n\r\n"]), False
    if k == 6:
        return r.choice([b"GET / HTTP/9.9\r\n\r\n", b"GET / HTTP/1\r\n\r\n", b"GET / FTP/1.1\r\n\r\n",
                         b"GET / HTTP/0.9\r\n\r\n", b"GET / http/1.1\r\n\r\n", b"GET /\r\n"]), False
    if k == 7:
        return b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n" + b"b" * 5000, False
    if k == 8:
        return b"GET /status.json HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n", False
    if k == 9:
        return b"GET / HTTP/1.1\r\n" + b"".join(b"X-%d: %s\r\n" % (j, b"v" * 50) for j in range(r.choice([40, 500, 3000]))) + b"\r\n", False
    if k == 10:
        return b"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n", False
    if k == 11:
        return b"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999\r\n\r\n", False
    if k == 12:
        return b"GET / HTTP/1.1\r\nHost: x\r\n folded: value\r\nNoColon\r\n\r\n", False
    if k == 13:
        return b"GET /status.json HTTP/1.1\r\nHost: x\r\n\r\n" * r.randint(2, 50), False
    if k == 14:
        return b"GET / HTTP/1.1\r\nHo", True  # cut mid-header, reset
    if k == 15:
        return b"", True  # connect, reset at once
    if k == 16:
        return b"GET /status.json HTTP/1.1\r\nHost: x\r\n\r\n", True  # asks, never reads
    if k == 17:
        return b"GET /../../etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n", False
    if k == 18:
        return b"GET / HTTP/1.1\n\n", False  # bare LF
    return b"\xff" * r.randint(1, 9000) + b"\r\n\r\n", False


def one(data, abrupt, wait, codes):
    s = socket.socket()
    s.settimeout(2)
    try:
        s.connect((HOST, PORT))
        if data:
            s.sendall(data)
        if abrupt or wait < 2:
            # closing with a reset: the server sees an abrupt close
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        if abrupt:
            return False
        s.shutdown(socket.SHUT_WR)
        s.settimeout(wait)
        answer = s.recv(64)
        code = answer.split(b" ")[1].decode("latin-1") if answer.startswith(b"HTTP/1.1 ") else "none"
        codes[code] = codes.get(code, 0) + 1
        return code != "none"
    except OSError:
        codes["error"] = codes.get("error", 0) + 1
        return False
    finally:
        s.close()


def slowloris(deadline, counter):
    """Holds partial requests open, one byte every 0.2 s, for a bounded time."""
    socks = []
    for _ in range(8):
        try:
            socks.append(socket.create_connection((HOST, PORT), timeout=2))
        except OSError:
            pass
    req = b"GET /status.json HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"s" * 200
    pos = 0
    while time.monotonic() < deadline and pos < len(req):
        for s in socks:
            try:
                s.send(req[pos:pos + 1])
            except OSError:
                pass
        pos += 1
        counter[0] += 1
        time.sleep(0.2)
    for s in socks:
        s.close()


PORT = int(sys.argv[1])
COUNT = int(sys.argv[2])
start = time.monotonic()
stop = start + float(sys.argv[3])
slow_counter = [0]
slow = threading.Thread(target=slowloris, args=(min(stop, start + 8), slow_counter))
slow.start()
codes, totals, lock = {}, [0, 0], threading.Lock()
WORKERS = 4  # with the slowloris 8, well inside the per-address limit of 32


def worker(w):
    mine, sent, answered = {}, 0, 0
    for i in range(w, COUNT, WORKERS):
        if time.monotonic() >= stop:
            break
        data, abrupt = garbage(i)
        answered += one(data, abrupt, 0.2 if i % 20 in SHORT_WAIT else 2, mine)
        sent += 1
    with lock:
        totals[0] += sent
        totals[1] += answered
        for k, v in mine.items():
            codes[k] = codes.get(k, 0) + v


threads = [threading.Thread(target=worker, args=(w,)) for w in range(WORKERS)]
for t in threads:
    t.start()
for t in threads:
    t.join()
slow.join()
sent, answered = totals
print(f"sent {sent} answered {answered} codes {dict(sorted(codes.items()))} slowloris {slow_counter[0]}")
sys.exit(0 if sent == COUNT else 1)
