#!/usr/bin/env python3
"""A TLS terminator in front of the test RGW: accepts TLS on 127.0.0.1 with
the given certificate and key, and pipes the plain bytes to RGW's port.
  tls-proxy.py CERT KEY BACKEND_PORT PORT_FILE
writes the port it listens on to PORT_FILE, then serves until killed."""
import socket
import ssl
import sys
import threading

cert, key, backend, port_file = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(cert, key)
listener = socket.socket()
listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
listener.bind(("127.0.0.1", 0))
listener.listen(32)
with open(port_file, "w") as f:
    f.write(str(listener.getsockname()[1]))


def pipe(src, dst):
    try:
        while True:
            data = src.recv(65536)
            if not data:
                break
            dst.sendall(data)
    except OSError:
        pass
    finally:
        for s in (src, dst):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def serve(raw):
    try:
        tls = ctx.wrap_socket(raw, server_side=True)
    except (ssl.SSLError, OSError):
        raw.close()  # a client that refused our certificate: what the test wants
        return
    plain = socket.create_connection(("127.0.0.1", backend))
    threading.Thread(target=pipe, args=(plain, tls), daemon=True).start()
    pipe(tls, plain)


while True:
    conn, _ = listener.accept()
    threading.Thread(target=serve, args=(conn,), daemon=True).start()
