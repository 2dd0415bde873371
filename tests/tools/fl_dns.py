#!/usr/bin/env python3
"""A minimal DNS pair for the DNS fault tests, used only inside namespaces the test made:
  fl_dns.py serve ADDR...         prints "ready"; answers every A query with 192.0.2.99 and logs
                                  each query's name on stderr
  fl_dns.py query ADDR NAME [S]   prints "answer MS" (milliseconds), "nxdomain MS", "servfail MS",
                                  "rcode N MS" or "timeout" (after S s, default 1); an answer whose
                                  question is not the one asked prints "mismatch"
"""
import select
import socket
import struct
import sys
import time


def question(name):
    return b"".join(bytes([len(p)]) + p.encode() for p in name.split(".")) + b"\0"


def serve(addrs):
    """One socket per address (IPv4 and IPv6), answered in turn."""
    socks = []
    for addr in addrs:
        s = socket.socket(socket.AF_INET6 if ":" in addr else socket.AF_INET, socket.SOCK_DGRAM)
        s.bind((addr, 53))
        socks.append(s)
    print("ready", flush=True)
    while True:
        for s in select.select(socks, [], [])[0]:
            answer_one(s)


def answer_one(s):
    data, peer = s.recvfrom(512)
    if len(data) < 12:
        return
    qid = data[:2]
    end = 12
    while end < len(data) and data[end] != 0:
        end += data[end] + 1
    q = data[12:end + 5]
    print(".".join(n.decode(errors="replace") for n in names(data[12:end + 1])), file=sys.stderr, flush=True)
    answer = b"\xc0\x0c" + struct.pack(">HHIH", 1, 1, 60, 4) + socket.inet_aton("192.0.2.99")
    s.sendto(qid + b"\x81\x80" + struct.pack(">HHHH", 1, 1, 0, 0) + q + answer, peer)


def names(wire):
    out, i = [], 0
    while i < len(wire) and wire[i]:
        out.append(wire[i + 1:i + 1 + wire[i]])
        i += 1 + wire[i]
    return out


RCODES = {0: "answer", 2: "servfail", 3: "nxdomain"}


def query(addr, name, timeout):
    s = socket.socket(socket.AF_INET6 if ":" in addr else socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(timeout)
    qid = 0x1234
    q = question(name) + struct.pack(">HH", 1, 1)
    msg = struct.pack(">HHHHHH", qid, 0x0100, 1, 0, 0, 0) + q
    t = time.monotonic()
    s.sendto(msg, (addr, 53))
    try:
        while True:
            data, _ = s.recvfrom(512)
            if data[:2] == struct.pack(">H", qid):
                ms = (time.monotonic() - t) * 1000
                flags = struct.unpack(">H", data[2:4])[0]
                if not flags & 0x8000 or data[12:12 + len(q)] != q:
                    print("mismatch")
                    return 0
                rcode = flags & 0xF
                print(f"{RCODES.get(rcode, f'rcode {rcode}')} {ms:.1f}")
                return 0
    except socket.timeout:
        print("timeout")
        return 0


if __name__ == "__main__":
    if len(sys.argv) >= 3 and sys.argv[1] == "serve":
        serve(sys.argv[2:])
    elif len(sys.argv) >= 4 and sys.argv[1] == "query":
        sys.exit(query(sys.argv[2], sys.argv[3], float(sys.argv[4]) if len(sys.argv) > 4 else 1.0))
    else:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
