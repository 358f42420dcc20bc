#!/usr/bin/env python3
"""qmp.py SOCKET COMMAND [ARGUMENTS-JSON]: one QMP command to a running QEMU,
printing its "return" as JSON; exits 1 on an error reply or no connection.
  qmp.py SOCKET keys KEY…   presses and releases each key in turn
                            (QEMU qcode names: kp_add, 1, kp_enter, …);
                            KEY:SECONDS holds it down that long."""
import json
import socket
import sys
import time


def connect(path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(30)
    s.connect(path)
    f = s.makefile("rw", encoding="utf-8")
    json.loads(f.readline())  # the greeting
    call(f, "qmp_capabilities")
    return f


def call(f, command, arguments=None):
    msg = {"execute": command}
    if arguments is not None:
        msg["arguments"] = arguments
    f.write(json.dumps(msg) + "\n")
    f.flush()
    while True:
        line = f.readline()
        if not line:
            if command == "quit":
                return {}
            sys.exit(f"qmp.py: QEMU closed the connection during {command}")
        reply = json.loads(line)
        if "event" in reply:
            continue
        if "error" in reply:
            sys.exit(f"qmp.py: {command}: {reply['error'].get('desc')}")
        return reply.get("return", {})


def key(f, qcode, down):
    event = {"type": "key", "data": {"down": down, "key": {"type": "qcode", "data": qcode}}}
    call(f, "input-send-event", {"events": [event]})


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    try:
        f = connect(sys.argv[1])
    except OSError as e:
        sys.exit(f"qmp.py: cannot reach QEMU at {sys.argv[1]}: {e}")
    if sys.argv[2] == "keys":
        for k in sys.argv[3:]:
            qcode, _, hold = k.partition(":")
            key(f, qcode, True)
            time.sleep(float(hold) if hold else 0.1)
            key(f, qcode, False)
            time.sleep(0.1)
        return
    args = json.loads(sys.argv[3]) if len(sys.argv) > 3 else None
    print(json.dumps(call(f, sys.argv[2], args)))


if __name__ == "__main__":
    main()
