#!/usr/bin/env python3
"""A minimal DNS pair for the DNS fault tests, used only inside namespaces the test made:
  fl_dns.py serve ADDR            prints "ready"; answers every A query with 192.0.2.99
  fl_dns.py query ADDR NAME [S]   prints "answer MS" (milliseconds) or "timeout" (after S s, default 1)
"""
import socket
import struct
import sys
import time


def question(name):
    return b"".join(bytes([len(p)]) + p.encode() for p in name.split(".")) + b"\0"


def serve(addr):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((addr, 53))
    print("ready", flush=True)
    while True:
        data, peer = s.recvfrom(512)
        if len(data) < 12:
            continue
        qid = data[:2]
        end = 12
        while end < len(data) and data[end] != 0:
            end += data[end] + 1
        q = data[12:end + 5]
        answer = b"\xc0\x0c" + struct.pack(">HHIH", 1, 1, 60, 4) + socket.inet_aton("192.0.2.99")
        s.sendto(qid + b"\x81\x80" + struct.pack(">HHHH", 1, 1, 0, 0) + q + answer, peer)


def query(addr, name, timeout):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(timeout)
    qid = 0x1234
    msg = struct.pack(">HHHHHH", qid, 0x0100, 1, 0, 0, 0) + question(name) + struct.pack(">HH", 1, 1)
    t = time.monotonic()
    s.sendto(msg, (addr, 53))
    try:
        while True:
            data, _ = s.recvfrom(512)
            if data[:2] == struct.pack(">H", qid):
                print(f"answer {(time.monotonic() - t) * 1000:.1f}")
                return 0
    except socket.timeout:
        print("timeout")
        return 0


if __name__ == "__main__":
    if len(sys.argv) >= 3 and sys.argv[1] == "serve":
        serve(sys.argv[2])
    elif len(sys.argv) >= 4 and sys.argv[1] == "query":
        sys.exit(query(sys.argv[2], sys.argv[3], float(sys.argv[4]) if len(sys.argv) > 4 else 1.0))
    else:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
