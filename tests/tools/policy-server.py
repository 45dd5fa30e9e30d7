#!/usr/bin/env python3
"""policy-server.py: a small Postfix policy delegation server for tests.

It listens on 127.0.0.1 (--inet PORT, 0: any free port) and/or a UNIX-domain
socket (--unix PATH), records every request it receives and answers by a
rule table. It exits by itself after --lifetime seconds (default 60), on
SIGTERM, or when --stop-file appears.

    --log FILE     one JSON line per request:
                   {"conn": N, "listener": "inet"|"unix", "seq": K,
                    "attrs": [[name, value], ...]}   (in the order received)
                   conn counts accepted connections from 1; seq counts the
                   requests of that connection from 1.
    --port-file F  write the inet port chosen to F (for --inet 0)
    --rules FILE   the rule table, first match wins; a request matching no
                   rule is answered "action=DUNNO". Lines:
                       MATCH  REPLY
                   MATCH: "*", or name=value conditions joined by "&"
                   (value "*" matches anything present). REPLY:
                       action=...     sent as "action=...\\n\\n"
                       raw:TEXT       TEXT sent as is, "\\n" read as a newline
                       last:REPLY     REPLY, then close the connection
                       sleep:SECONDS  wait, then close without a reply
                       close          close without a reply
                   In a reply, {conn} and {seq} stand for the connection's
                   and the request's numbers.
                   "#" starts a comment line.
    --chmod MODE   octal mode for the UNIX socket (e.g. 666 for another user)
"""
import argparse
import json
import os
import signal
import socket
import sys
import threading
import time

LOCK = threading.Lock()
COUNT = {"conn": 0}


def parse_rules(path):
    rules = []
    if not path:
        return rules
    with open(path, encoding="utf-8") as fh:
        for raw in fh:
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            match, _, reply = line.partition(" ")
            conds = []
            if match != "*":
                for c in match.split("&"):
                    name, _, value = c.partition("=")
                    conds.append((name, value))
            rules.append((conds, reply.strip()))
    return rules


def matches(conds, attrs):
    d = dict(attrs)
    for name, value in conds:
        if name not in d or (value != "*" and d[name] != value):
            return False
    return True


def answer(rules, attrs):
    for conds, reply in rules:
        if matches(conds, attrs):
            return reply
    return "action=DUNNO"


def record(log, conn, listener, seq, attrs):
    if not log:
        return
    with LOCK, open(log, "a", encoding="utf-8") as fh:
        fh.write(json.dumps({"conn": conn, "listener": listener, "seq": seq,
                             "attrs": attrs}) + "\n")


def read_request(f):
    """The attributes of one request, or None at the end of the input."""
    attrs = []
    while True:
        line = f.readline()
        if not line:
            return None
        line = line.decode("utf-8", "surrogateescape").rstrip("\n")
        if line == "":
            return attrs
        name, _, value = line.partition("=")
        attrs.append([name, value])


def serve_conn(sock, listener, opts, rules):
    with LOCK:
        COUNT["conn"] += 1
        conn = COUNT["conn"]
    f = sock.makefile("rb")
    seq = 0
    try:
        while True:
            attrs = read_request(f)
            if attrs is None:
                return
            seq += 1
            record(opts.log, conn, listener, seq, attrs)
            reply = answer(rules, attrs).replace("{conn}", str(conn)).replace("{seq}", str(seq))
            last = reply.startswith("last:")
            if last:
                reply = reply[5:]
            if reply == "close":
                return
            if reply.startswith("sleep:"):
                time.sleep(float(reply[6:]))
                return
            if reply.startswith("raw:"):
                sock.sendall(reply[4:].replace("\\n", "\n").encode())
            else:
                sock.sendall((reply + "\n\n").encode())
            if last:
                return
    except OSError:
        pass
    finally:
        f.close()
        sock.close()


def accept_loop(lsock, listener, opts, rules):
    while True:
        try:
            s, _ = lsock.accept()
        except OSError:
            return
        threading.Thread(target=serve_conn, args=(s, listener, opts, rules),
                         daemon=True).start()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--inet", type=int)
    ap.add_argument("--unix")
    ap.add_argument("--log")
    ap.add_argument("--port-file")
    ap.add_argument("--rules")
    ap.add_argument("--chmod")
    ap.add_argument("--lifetime", type=float, default=60)
    ap.add_argument("--stop-file")
    opts = ap.parse_args()
    rules = parse_rules(opts.rules)
    listeners = []
    if opts.inet is not None:
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("127.0.0.1", opts.inet))
        s.listen(16)
        listeners.append((s, "inet"))
        if opts.port_file:
            tmp = opts.port_file + ".tmp"
            with open(tmp, "w") as fh:
                fh.write("%d\n" % s.getsockname()[1])
            os.rename(tmp, opts.port_file)
    if opts.unix:
        if os.path.exists(opts.unix):
            os.unlink(opts.unix)
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.bind(opts.unix)
        if opts.chmod:
            os.chmod(opts.unix, int(opts.chmod, 8))
        s.listen(16)
        listeners.append((s, "unix"))
    if not listeners:
        ap.error("give --inet and/or --unix")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    for s, name in listeners:
        threading.Thread(target=accept_loop, args=(s, name, opts, rules), daemon=True).start()
    end = time.time() + opts.lifetime
    while time.time() < end:
        if opts.stop_file and os.path.exists(opts.stop_file):
            break
        time.sleep(0.05)
    if opts.unix and os.path.exists(opts.unix):
        os.unlink(opts.unix)


if __name__ == "__main__":
    main()
