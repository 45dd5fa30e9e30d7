#!/usr/bin/env python3
"""fake-dns.py: a small authoritative DNS server for tests, serving zone
files in the fixture format of stdlib/policy/dns.h (the format of the
Postfix oracle's zones), so that the real resolver (stdlib/policy/
dns_real.c) can be compared with the fixture resolver (dns_fixture.c)
on the same zones:

    name [ttl] [IN] TYPE data     TYPE: A AAAA MX NS CNAME PTR TXT
    name SERVFAIL                 every query for name fails temporarily
    *.suffix TYPE data            names below suffix not listed themselves

"; comments", "# comments" and blank lines are ignored; records of a name
that a later file lists replace the earlier files' records of that name.
The answers are those of the oracle's fake DNS server: SERVFAIL first
(for the listed name only), then the name's records or those of the
wildcard of its longest parent suffix; with no record of the asked type,
the name's CNAME and the answer for its target (at most 8 of them, the
rcode the last name's); a name above a listed one exists without records
(NODATA); every other name is NXDOMAIN. TXT text (quotes at either end
removed) goes out as character-strings of at most 255 bytes.

It listens on 127.0.0.1 only, UDP and TCP on one port (--port, default:
one chosen by the system), and prints the port on a line of its own once
it answers. An answer longer than 512 bytes goes over UDP truncated (TC,
no records), as a server without EDNS sends it; the whole answer comes
over TCP. It exits when its standard input is closed or after --lifetime
seconds (default 120), whichever comes first.

For the resolver's error handling:
    --no-chase            answer a CNAME alone, without its target's answer
    --quirk NAME=KIND     queries for NAME are answered wrongly, KIND one of
        refused   rcode REFUSED
        short     the header counts one more answer than there is
        badrdata  an A record of 3 bytes
        garbage   one answer record whose owner name points past the message
        tc        UDP answers truncated (TC) and TCP connections closed

Usage: fake-dns.py [--port N] [--lifetime S] [--no-chase] [--quirk NAME=KIND]... ZONE...
"""
import argparse
import os
import select
import socket
import struct
import sys
import threading

TYPES = {"A": 1, "NS": 2, "CNAME": 5, "PTR": 12, "MX": 15, "TXT": 16, "AAAA": 28}
NOERROR, SERVFAIL, NXDOMAIN, REFUSED = 0, 2, 3, 5
MAX_CNAMES = 8
UDP_LIMIT = 512


class ZoneError(Exception):
    pass


def norm(name):
    return name.lower().rstrip(".")


def encode_name(name):
    out = b""
    for label in name.rstrip(".").split("."):
        if label:
            out += bytes([len(label.encode())]) + label.encode()
    return out + b"\0"


class Zone:
    def __init__(self):
        self.records = {}          # name -> [(type name, data text)]
        self.servfail = set()

    def load(self, path):
        seen = set()
        with open(path, encoding="utf-8", errors="surrogateescape") as fh:
            for n, raw in enumerate(fh, 1):
                w = raw.split(";", 1)[0].split("#", 1)[0].split()
                if not w:
                    continue
                name, rest = norm(w[0]), w[1:]
                if rest and rest[0][:1].isdigit():
                    rest = rest[1:]                       # ttl
                if rest and rest[0].upper() == "IN":
                    rest = rest[1:]
                typ = rest[0].upper() if rest else ""
                if typ != "SERVFAIL" and (typ not in TYPES or len(rest) < 2 or
                                          (typ == "MX" and (len(rest) < 3 or not rest[1].isdigit()))):
                    raise ZoneError("%s:%d: expected \"name [ttl] [IN] TYPE data\" or "
                                    "\"name SERVFAIL\"" % (path, n))
                if name not in seen:                      # a later file replaces
                    self.records.pop(name, None)
                    self.servfail.discard(name)
                    seen.add(name)
                if typ == "SERVFAIL":
                    self.servfail.add(name)
                else:
                    self.records.setdefault(name, []).append((typ, rest[1:]))

    @staticmethod
    def rdata(typ, data):
        if typ == "A":
            return socket.inet_pton(socket.AF_INET, data[0])
        if typ == "AAAA":
            return socket.inet_pton(socket.AF_INET6, data[0])
        if typ == "MX":
            return struct.pack(">H", int(data[0])) + encode_name(data[1])
        if typ in ("NS", "CNAME", "PTR"):
            return encode_name(data[0])
        s = " ".join(data).strip('"').encode("utf-8", "surrogateescape")
        return b"".join(bytes([len(s[i:i + 255])]) + s[i:i + 255]
                        for i in range(0, max(len(s), 1), 255))

    def find(self, name):
        """The records that answer for name: its own or a wildcard's."""
        if name in self.records:
            return self.records[name]
        labels = name.split(".")
        for i in range(1, len(labels)):
            wc = "*." + ".".join(labels[i:])
            if wc in self.records:
                return self.records[wc]
        return None

    def lookup(self, name, qtype, chase=True, depth=0):
        """(rcode, [(owner, type, rdata bytes)]) for a query."""
        name = norm(name)
        if name in self.servfail:
            return SERVFAIL, []
        recs = self.find(name)
        if recs is None:
            ent = any(k.endswith("." + name) for k in self.records)
            return (NOERROR if ent else NXDOMAIN), []
        ans = [(name, t, self.rdata(t, d)) for t, d in recs if TYPES[t] == qtype]
        cname = [d for t, d in recs if t == "CNAME"]
        if not ans and cname and qtype != TYPES["CNAME"] and depth < MAX_CNAMES:
            first = [(name, "CNAME", self.rdata("CNAME", cname[0]))]
            if not chase:
                return NOERROR, first
            rc, more = self.lookup(cname[0][0], qtype, chase, depth + 1)
            return rc, first + more
        return NOERROR, ans


def parse_query(q):
    """(id, flags, question bytes, name, qtype, qclass) of a query."""
    qid, flags, qdcount = struct.unpack(">HHH", q[:6])
    if qdcount != 1 or flags & 0x8000:
        raise ValueError("not a query")
    pos, labels = 12, []
    while q[pos]:
        ln = q[pos]
        if ln > 63:
            raise ValueError("compressed question")
        labels.append(q[pos + 1:pos + 1 + ln].decode("ascii", "replace"))
        pos += 1 + ln
    pos += 1
    qtype, qclass = struct.unpack(">HH", q[pos:pos + 4])
    return qid, flags, q[12:pos + 4], ".".join(labels), qtype, qclass


class Server:
    def __init__(self, zone, chase, quirks):
        self.zone, self.chase, self.quirks = zone, chase, quirks

    def answer(self, q, tcp):
        """The reply to query q (None: send nothing)."""
        qid, flags, question, name, qtype, qclass = parse_query(q)
        quirk = self.quirks.get(norm(name))
        if quirk == "tc" and tcp:
            return None
        rcode, ans = self.zone.lookup(name, qtype, self.chase) if qclass == 1 else (REFUSED, [])
        count = len(ans)
        if quirk == "refused":
            rcode, ans, count = REFUSED, [], 0
        elif quirk == "short":
            rcode, count = NOERROR, count + 1
        elif quirk == "badrdata":
            rcode, ans, count = NOERROR, [(norm(name), "A", b"\x7f\0\0")], 1
        elif quirk == "garbage":
            rcode, ans, count = NOERROR, [], 1
        rflags = 0x8000 | (flags & 0x7900) | 0x0400 | rcode      # QR, opcode, RD, AA
        body = b"".join(encode_name(o) + struct.pack(">HHIH", TYPES[t], 1, 300, len(rd)) + rd
                        for o, t, rd in ans)
        if quirk == "garbage":      # a record whose owner points past the message
            body = b"\xc0\xff" + struct.pack(">HHIH", 1, 1, 300, 4) + b"\x7f\0\0\x01"
        out = struct.pack(">HHHHHH", qid, rflags, 1, count, 0, 0) + question + body
        if not tcp and (len(out) > UDP_LIMIT or quirk == "tc"):
            out = struct.pack(">HHHHHH", qid, rflags | 0x0200, 1, 0, 0, 0) + question
        return out

    def serve_udp(self, sock):
        q, peer = sock.recvfrom(4096)
        try:
            a = self.answer(q, False)
        except (ValueError, IndexError, struct.error):
            return                                          # not a query: ignore it
        if a is not None:
            sock.sendto(a, peer)

    def serve_tcp(self, conn):
        conn.settimeout(10)
        try:
            while True:
                head = recv_all(conn, 2)
                if not head:
                    break
                q = recv_all(conn, struct.unpack(">H", head)[0])
                a = self.answer(q, True)
                if a is None:
                    break
                conn.sendall(struct.pack(">H", len(a)) + a)
        except (OSError, ValueError, IndexError, struct.error):
            pass
        finally:
            conn.close()


def recv_all(conn, n):
    buf = b""
    while len(buf) < n:
        b = conn.recv(n - len(buf))
        if not b:
            return b""
        buf += b
    return buf


def bind(port):
    """A UDP and a TCP socket on 127.0.0.1, the same port."""
    for _ in range(50):
        udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        udp.bind(("127.0.0.1", port))
        tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            tcp.bind(("127.0.0.1", udp.getsockname()[1]))
        except OSError:
            udp.close()
            tcp.close()
            if port:
                raise
            continue
        tcp.listen(16)
        return udp, tcp
    raise OSError("no port free for both UDP and TCP")


def exit_on_eof():
    while sys.stdin.buffer.read(4096):
        pass
    os._exit(0)


def main():
    ap = argparse.ArgumentParser(description="a fake authoritative DNS server for tests")
    ap.add_argument("zones", nargs="+", metavar="ZONE")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--lifetime", type=float, default=120)
    ap.add_argument("--no-chase", action="store_true")
    ap.add_argument("--quirk", action="append", default=[], metavar="NAME=KIND")
    a = ap.parse_args()
    quirks = {}
    for q in a.quirk:
        name, _, kind = q.partition("=")
        if kind not in ("refused", "short", "badrdata", "garbage", "tc"):
            ap.error("--quirk %s: unknown kind" % q)
        quirks[norm(name)] = kind
    zone = Zone()
    try:
        for z in a.zones:
            zone.load(z)
    except (OSError, ZoneError) as e:
        sys.exit("fake-dns: %s" % e)
    server = Server(zone, not a.no_chase, quirks)
    udp, tcp = bind(a.port)
    threading.Thread(target=exit_on_eof, daemon=True).start()
    threading.Timer(a.lifetime, lambda: os._exit(0)).start()
    print(udp.getsockname()[1], flush=True)
    while True:
        ready, _, _ = select.select([udp, tcp], [], [])
        if udp in ready:
            server.serve_udp(udp)
        if tcp in ready:
            conn, _ = tcp.accept()
            threading.Thread(target=server.serve_tcp, args=(conn,), daemon=True).start()


if __name__ == "__main__":
    main()
