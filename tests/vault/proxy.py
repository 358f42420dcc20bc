#!/usr/bin/env python3
"""A TCP proxy on 127.0.0.1 in front of the test RGW, for the vault fault tests.

  proxy.py --target PORT --port-file FILE [--count-file FILE]
           [--cut-after N [--cut-connections K]] [--strip-lock]

It listens on a free loopback port (written to --port-file once it listens)
and forwards every connection to 127.0.0.1:PORT. It reads HTTP/1.1 enough to
follow keep-alive (curl reuses connections): each request's head and body
(Content-Length or chunked), each answer's head and body (none for HEAD, 1xx,
204 and 304), so that it can
  --count-file   write the number of requests it has seen (rewritten on each);
  --cut-after N  close the next K connections (--cut-connections, default 1)
                 both ways once N bytes have come from the client: a network
                 cut in the middle of a PUT;
  --strip-lock   remove x-amz-object-lock-mode and
                 x-amz-object-lock-retain-until-date from HEAD answers: a
                 server that accepts the PUT but does not lock the object.
Without a mode it passes everything through. SIGTERM ends it."""

import argparse
import asyncio
import os
import signal
import sys

HEAD_MAX = 64 * 1024
STRIPPED = (b"x-amz-object-lock-mode", b"x-amz-object-lock-retain-until-date")


class Cut(Exception):
    pass


class State:
    def __init__(self, args):
        self.args = args
        self.requests = 0
        self.cuts_left = args.cut_connections if args.cut_after is not None else 0

    def count(self):
        self.requests += 1
        if self.args.count_file:
            tmp = self.args.count_file + ".tmp"
            with open(tmp, "w") as f:
                f.write("%d\n" % self.requests)
            os.replace(tmp, self.args.count_file)


async def read_head(reader):
    """One message head (through the blank line), or b"" at a clean end."""
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError as e:
        if e.partial:
            raise ConnectionError("connection ended inside a message head")
        return b""
    except asyncio.LimitOverrunError:
        raise ConnectionError("message head over %d bytes" % HEAD_MAX)
    return head


def parse_head(head):
    lines = head[:-4].split(b"\r\n")
    fields = []
    for line in lines[1:]:
        name, sep, value = line.partition(b":")
        if not sep:
            raise ConnectionError("malformed header line %r" % line[:80])
        fields.append((name.strip().lower(), value.strip()))
    return lines[0], fields


def field(fields, name):
    for n, v in fields:
        if n == name:
            return v
    return None


def body_kind(fields):
    """("chunked", None), ("length", N) or ("close", None)."""
    te = field(fields, b"transfer-encoding")
    if te is not None and b"chunked" in te.lower():
        return "chunked", None
    cl = field(fields, b"content-length")
    if cl is not None:
        if not cl.isdigit():
            raise ConnectionError("malformed Content-Length %r" % cl[:40])
        return "length", int(cl)
    return "close", None


class Pipe:
    """One direction of a connection; send() may cut it (client side only)."""

    def __init__(self, reader, writer, budget=None):
        self.reader, self.writer, self.budget = reader, writer, budget

    async def send(self, data):
        if self.budget is not None:
            if len(data) >= self.budget:
                self.writer.write(data[: self.budget])
                await self.writer.drain()
                raise Cut()
            self.budget -= len(data)
        self.writer.write(data)
        await self.writer.drain()

    async def relay_exactly(self, n):
        while n > 0:
            data = await self.reader.read(min(n, 65536))
            if not data:
                raise ConnectionError("connection ended inside a body")
            n -= len(data)
            await self.send(data)

    async def relay_body(self, kind, length):
        if kind == "length":
            await self.relay_exactly(length)
        elif kind == "chunked":
            while True:
                line = await self.reader.readuntil(b"\r\n")
                await self.send(line)
                size_text = line.split(b";")[0].strip()
                try:
                    size = int(size_text, 16)
                except ValueError:
                    raise ConnectionError("malformed chunk size %r" % size_text[:40])
                if size == 0:
                    while True:  # trailers, then the blank line
                        t = await self.reader.readuntil(b"\r\n")
                        await self.send(t)
                        if t == b"\r\n":
                            return
                await self.relay_exactly(size + 2)
        else:
            while True:
                data = await self.reader.read(65536)
                if not data:
                    return
                await self.send(data)


async def requests(state, up, methods):
    while True:
        head = await read_head(up.reader)
        if not head:
            return
        start, fields = parse_head(head)
        method = start.split(b" ")[0]
        state.count()
        methods.put_nowait(method)
        await up.send(head)
        kind, length = body_kind(fields)
        if kind == "close":  # a request without a length has no body
            continue
        await up.relay_body(kind, length)


def strip_lock(head):
    lines = head[:-4].split(b"\r\n")
    kept = [lines[0]] + [
        l for l in lines[1:] if l.partition(b":")[0].strip().lower() not in STRIPPED
    ]
    return b"\r\n".join(kept) + b"\r\n\r\n"


async def answers(state, down, methods):
    while True:
        head = await read_head(down.reader)
        if not head:
            return
        start, fields = parse_head(head)
        parts = start.split(b" ")
        status = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0
        if 100 <= status < 200:  # 100 Continue: the final answer follows
            await down.send(head)
            continue
        method = methods.get_nowait() if not methods.empty() else b""
        if method == b"HEAD" and state.args.strip_lock:
            head = strip_lock(head)
        await down.send(head)
        if method == b"HEAD" or status in (204, 304):
            continue
        kind, length = body_kind(fields)
        await down.relay_body(kind, length)
        if kind == "close":
            return


async def handle(state, client_r, client_w):
    budget = None
    if state.cuts_left > 0:
        state.cuts_left -= 1
        budget = state.args.cut_after
    try:
        server_r, server_w = await asyncio.open_connection(
            "127.0.0.1", state.args.target, limit=HEAD_MAX
        )
    except OSError:
        client_w.close()
        return
    methods = asyncio.Queue()
    up = Pipe(client_r, server_w, budget)
    down = Pipe(server_r, client_w)
    tasks = [
        asyncio.ensure_future(requests(state, up, methods)),
        asyncio.ensure_future(answers(state, down, methods)),
    ]
    try:
        done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        for t in done:
            exc = t.exception()
            if isinstance(exc, Cut):
                print("proxy: cut a connection after %d bytes" % state.args.cut_after,
                      file=sys.stderr, flush=True)
            elif exc is None and t is tasks[0]:
                if server_w.can_write_eof():
                    server_w.write_eof()
                await asyncio.wait([tasks[1]])
    except (ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError) as e:
        print("proxy: %s" % e, file=sys.stderr, flush=True)
    finally:
        for t in tasks:
            t.cancel()
        for w in (client_w, server_w):
            try:
                w.transport.abort()
            except Exception:
                pass


async def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--target", type=int, required=True, help="RGW's port on 127.0.0.1")
    p.add_argument("--port-file", required=True)
    p.add_argument("--count-file")
    p.add_argument("--cut-after", type=int)
    p.add_argument("--cut-connections", type=int, default=1)
    p.add_argument("--strip-lock", action="store_true")
    args = p.parse_args()
    if args.cut_after is not None and args.cut_after < 0:
        p.error("--cut-after must be >= 0")
    state = State(args)
    if args.count_file:
        with open(args.count_file, "w") as f:
            f.write("0\n")
    server = await asyncio.start_server(
        lambda r, w: handle(state, r, w), "127.0.0.1", 0, limit=HEAD_MAX
    )
    port = server.sockets[0].getsockname()[1]
    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % port)
    os.replace(tmp, args.port_file)
    stop = asyncio.get_running_loop().create_future()
    for sig in (signal.SIGTERM, signal.SIGINT):
        asyncio.get_running_loop().add_signal_handler(sig, stop.set_result, None)
    async with server:
        await stop


if __name__ == "__main__":
    asyncio.run(main())
