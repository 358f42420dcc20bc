#!/usr/bin/env python3
"""sntp.py ADDRESS PORT: a minimal SNTP server (RFC 4330) answering with this
machine's clock, so that systemd-timesyncd in the VM really synchronises
(QEMU's user network takes the guest's 10.0.2.2:123 to the host's
127.0.0.1:123). Runs until killed; malformed requests are ignored."""
import socket
import struct
import sys
import time

NTP_EPOCH = 2208988800  # 1900-01-01 to 1970-01-01, in seconds


def ntp_time(t):
    return struct.pack("!II", int(t) + NTP_EPOCH, int((t % 1) * 2**32))


def main():
    addr, port = sys.argv[1], int(sys.argv[2])
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((addr, port))
    while True:
        data, peer = s.recvfrom(512)
        received = time.time()
        if len(data) < 48 or (data[0] & 0x7) != 3:  # client mode only
            continue
        version = (data[0] >> 3) & 0x7
        header = struct.pack("!BBbb", (version << 3) | 4, 1, 6, -20)  # server, stratum 1
        reply = header + struct.pack("!II", 0, 1 << 10) + b"LOCL" + ntp_time(received)
        reply += data[40:48] + ntp_time(received) + ntp_time(time.time())
        s.sendto(reply, peer)


if __name__ == "__main__":
    main()
