#!/usr/bin/env python3
"""policy-client.py: the policy delegation client (stdlib/policy/policy_client.c)
end to end: `mtacc simulate --policy-live` against tests/tools/policy-server.py
listening on 127.0.0.1 and on a UNIX-domain socket in a temporary directory.

- postfix: every probe of tests/policy-client/postfix through mtacc, each
  request the server receives compared with what Postfix 3.7 sent for the
  same probes (postfix-requests.jsonl: attribute names, order and values;
  ports, server address, instance and queue ids, and the message size
  normalised), and every reply with Postfix's (postfix-replies.jsonl);
  both recorded by tools/record-policy-requests.
- over inet: the actions applied (REJECT text, DUNNO, OK, 4xx, a
  restriction name), one connection for all requests of a session,
  request_limit, a timeout giving the default action within the bounded
  time, a refused connection after try_limit attempts, a server that closes
  without answering, a relative unix:private/NAME under queue_directory,
  and an unknown attribute in the braced form.

Runs with $MTACC and, if set, $MTACC_ASAN. Prints PASS/FAIL lines."""
import importlib.util
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CASE = os.path.join(ROOT, "tests", "policy-client", "postfix")
SERVER = os.path.join(ROOT, "tests", "tools", "policy-server.py")

_spec = importlib.util.spec_from_file_location("policy_diff",
                                               os.path.join(ROOT, "tests", "policy-diff.py"))
policy_diff = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(policy_diff)

failed = 0


def check(ok, name, detail=""):
    global failed
    print("%s policy-client %s" % ("PASS" if ok else "FAIL", name))
    if not ok:
        failed += 1
        if detail:
            print("      " + detail.replace("\n", "\n      "))


class Server:
    """tests/tools/policy-server.py on 127.0.0.1 (port chosen) or a socket."""

    count = 0

    def __init__(self, tmp, rules, unix=None):
        Server.count += 1
        self.log = os.path.join(tmp, "requests-%d.log" % Server.count)
        rules_file = self.log + ".rules"
        with open(rules_file, "w") as fh:
            fh.write(rules)
        args = [sys.executable, SERVER, "--log", self.log, "--rules", rules_file,
                "--lifetime", "120"]
        port_file = self.log + ".port"
        args += ["--unix", unix] if unix else ["--inet", "0", "--port-file", port_file]
        self.proc = subprocess.Popen(args)
        ready = unix or port_file
        for _ in range(200):
            if os.path.exists(ready):
                break
            time.sleep(0.02)
        self.port = None if unix else int(open(port_file).read())
        open(self.log, "a").close()

    def requests(self):
        with open(self.log) as fh:
            return [json.loads(l) for l in fh if l.strip()]

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait()


def write_conf(d, main_cf):
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "main.cf"), "w") as fh:
        fh.write(main_cf)
    with open(os.path.join(d, "master.cf"), "w") as fh:
        fh.write("smtp inet n - n - - smtpd\n")


def simulate(mtacc, conf, args):
    """Elapsed seconds and the JSON answer (None, with stderr, on failure)."""
    start = time.monotonic()
    p = subprocess.run([mtacc, "simulate", "-c", conf, "--policy-live", "--format", "json"]
                       + args, capture_output=True, text=True)
    took = time.monotonic() - start
    if p.returncode != 0:
        return took, None, p.stderr.strip()
    return took, json.loads(p.stdout), None


# ---- the Postfix recording ----------------------------------------------------

def sessions_of_postfix(reqs):
    """Postfix's requests by SMTP session (client_port), in order; the
    oracle's readiness check (a session of one CONNECT) dropped."""
    order, by_port = [], {}
    for attrs in reqs:
        port = dict(attrs)["client_port"]
        if port not in by_port:
            order.append(port)
            by_port[port] = []
        by_port[port].append(attrs)
    return [by_port[p] for p in order
            if not (len(by_port[p]) == 1 and dict(by_port[p][0])["protocol_state"] == "CONNECT")]


def normalised(session):
    """A session's requests with what differs run to run replaced."""
    out, instances = [], {}
    for attrs in session:
        state = dict(attrs)["protocol_state"]
        row = []
        for name, value in attrs:
            if name in ("client_port", "server_address", "server_port"):
                value = "*"
            elif name == "instance" and value:
                value = instances.setdefault(value, "I%d" % (len(instances) + 1))
            elif name == "queue_id" and value:
                value = "QUEUEID"
            elif name == "size" and state == "END-OF-MESSAGE":
                value = "*"   # the simulation has no message
            row.append([name, value])
        out.append(row)
    return out


def first_difference(want, got):
    for i, (w, g) in enumerate(zip(want, got)):
        if w != g:
            wd, gd = dict(w), dict(g)
            diffs = ["%s: postfix %r, mtacc %r" % (n, wd.get(n), gd.get(n))
                     for n in list(wd) + [n for n in gd if n not in wd] if wd.get(n) != gd.get(n)]
            if not diffs:
                diffs = ["order: postfix %s\n  mtacc   %s" % ([n for n, _ in w], [n for n, _ in g])]
            return "request %d (%s): %s" % (i + 1, wd.get("protocol_state"), "; ".join(diffs))
    return "postfix sent %d requests, mtacc %d" % (len(want), len(got))


def test_postfix(mtacc, tmp, label):
    with open(os.path.join(CASE, "postfix-requests.jsonl")) as fh:
        want = sessions_of_postfix([json.loads(l)["attrs"] for l in fh if l.strip()])
    with open(os.path.join(CASE, "postfix-replies.jsonl")) as fh:
        replies = [json.loads(l) for l in fh if l.strip()]
    sock = os.path.join(tmp, "policy")
    with open(os.path.join(CASE, "rules")) as fh:
        srv = Server(tmp, fh.read(), unix=sock)
    conf = os.path.join(tmp, "postfix-case")
    with open(os.path.join(CASE, "main.cf.in")) as fh:
        write_conf(conf, fh.read().replace("@SOCKET@", sock))
    img = os.path.join(tmp, "postfix-case.img")
    b = subprocess.run([mtacc, "build", "-c", conf, "-o", img], capture_output=True, text=True)
    check(b.returncode == 0, "%s postfix case builds" % label, b.stdout + b.stderr)
    policy_diff.MTACC = mtacc
    got, seen = [], 0
    for probe, o in zip(policy_diff.probes(CASE), replies):
        j, err = policy_diff.simulate(img, CASE, probe, [], extra=["--policy-live"])
        reqs = [r["attrs"] for r in srv.requests()]
        got.append(reqs[seen:])
        seen = len(reqs)
        if j is None:
            check(False, "%s reply %s" % (label, probe), err)
            continue
        w, g = policy_diff.oracle_view(o), policy_diff.ours_view(j, o)
        check(w == g, "%s replies as Postfix: %s" % (label, probe),
              "postfix %s\nmtacc   %s" % (json.dumps(w), json.dumps(g)))
    srv.stop()
    check(len(got) == len(want), "%s one session per probe" % label,
          "postfix %d sessions, mtacc %d" % (len(want), len(got)))
    for probe, w, g in zip(policy_diff.probes(CASE), want, got):
        w, g = normalised(w), normalised(g)
        check(w == g, "%s requests as Postfix: %s" % (label, probe), first_difference(w, g))


# ---- over inet ----------------------------------------------------------------

MAIN_CF = """compatibility_level = 3.6
myhostname = mx.example.com
mydestination = $myhostname
alias_maps =
alias_database =
mynetworks = 127.0.0.0/8
queue_directory = %(queue)s
smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination
smtpd_recipient_restrictions = check_policy_service %(service)s, reject
"""

RULES = """recipient=reject@example.net action=REJECT go away
recipient=ok@example.net action=OK
recipient=defer@example.net action=451 4.7.1 come back later
recipient=relay@example.org action=reject_unauth_destination
recipient=slow@example.net sleep:10
recipient=close@example.net close
* action=DUNNO
"""


def run_rcpts(mtacc, tmp, name, service, rcpts, queue=None):
    conf = os.path.join(tmp, name)
    write_conf(conf, MAIN_CF % {"service": service, "queue": queue or tmp})
    args = ["--client", "127.0.0.1", "--helo", "ws.example.com", "--sender", "a@example.com"]
    for r in rcpts:
        args += ["--rcpt", r]
    return simulate(mtacc, conf, args)


def replies(j):
    return [(r["code"], r["text"]) for r in j["rcpt"]] if j else None


def test_actions(mtacc, tmp, label):
    srv = Server(tmp, RULES)
    ep = "inet:127.0.0.1:%d" % srv.port
    rcpts = ["reject@example.net", "dunno@example.net", "ok@example.net", "defer@example.net",
             "relay@example.org"]
    _, j, err = run_rcpts(mtacc, tmp, "actions", ep, rcpts)
    want = [(554, "5.7.1 <reject@example.net>: Recipient address rejected: go away"),
            (554, "5.7.1 <dunno@example.net>: Recipient address rejected: Access denied"),
            (250, "2.1.5 Ok"),
            (451, "4.7.1 <defer@example.net>: Recipient address rejected: come back later"),
            (554, "5.7.1 <relay@example.org>: Relay access denied")]
    check(replies(j) == want, "%s actions REJECT, DUNNO, OK, 4xx, restriction" % label,
          err or "got %s" % replies(j))
    reqs = srv.requests()
    check([r["conn"] for r in reqs] == [1] * 5 and [r["seq"] for r in reqs] == [1, 2, 3, 4, 5],
          "%s one connection for the session's 5 requests" % label,
          "connections %s" % [(r["conn"], r["seq"]) for r in reqs])
    srv.stop()

    srv = Server(tmp, RULES)
    svc = "{ inet:127.0.0.1:%d, request_limit=2 }" % srv.port
    _, j, err = run_rcpts(mtacc, tmp, "limit", svc, ["dunno%d@example.net" % i for i in range(5)])
    conns = [r["conn"] for r in srv.requests()]
    check(conns == [1, 1, 2, 2, 3], "%s request_limit=2: a new connection every 2 requests"
          % label, err or "connections %s" % conns)
    srv.stop()


def test_failures(mtacc, tmp, label):
    srv = Server(tmp, RULES)
    svc = ("{ inet:127.0.0.1:%d, timeout=1s, retry_delay=1s, "
           "{ default_action = 450 4.7.1 policy slow } }" % srv.port)
    took, j, err = run_rcpts(mtacc, tmp, "timeout", svc, ["slow@example.net"])
    want = [(450, "4.7.1 <slow@example.net>: Recipient address rejected: policy slow")]
    check(replies(j) == want and 2.5 <= took <= 5,
          "%s timeout=1s, 2 tries, retry_delay=1s: default action after %.1fs" % (label, took),
          err or "got %s" % replies(j))
    check(j and "timeout reading the reply" in j["rcpt"][0]["trace"],
          "%s timeout: the trace says why" % label, j and j["rcpt"][0]["trace"])
    check(len(srv.requests()) == 2, "%s timeout: 2 attempts" % label,
          "server saw %d requests" % len(srv.requests()))

    svc = "{ inet:127.0.0.1:%d, try_limit=3, retry_delay=1s }" % srv.port
    took, j, err = run_rcpts(mtacc, tmp, "close", svc, ["close@example.net"])
    want = [(451, "4.3.5 <close@example.net>: Recipient address rejected: "
                  "Server configuration problem")]
    close_reqs = [r for r in srv.requests() if dict(r["attrs"])["recipient"] == "close@example.net"]
    check(replies(j) == want and len(close_reqs) == 3 and len({r["conn"] for r in close_reqs}) == 3,
          "%s try_limit=3: 3 connections, then smtpd_policy_service_default_action" % label,
          err or "got %s, %d requests" % (replies(j), len(close_reqs)))
    srv.stop()

    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()   # nothing listens there now
    svc = "{ inet:127.0.0.1:%d, try_limit=3, retry_delay=1s, default_action=DUNNO }" % port
    took, j, err = run_rcpts(mtacc, tmp, "refused", svc, ["any@example.net"])
    want = [(554, "5.7.1 <any@example.net>: Recipient address rejected: Access denied")]
    check(replies(j) == want and 1.8 <= took <= 4,
          "%s connection refused: default_action=DUNNO after 3 tries (%.1fs)" % (label, took),
          err or "got %s" % replies(j))
    check(j and "Connection refused" in j["rcpt"][0]["trace"],
          "%s connection refused: the trace says why" % label, j and j["rcpt"][0]["trace"])


def test_unix_relative(mtacc, tmp, label):
    queue = os.path.join(tmp, "queue")
    os.makedirs(os.path.join(queue, "private"), exist_ok=True)
    srv = Server(tmp, RULES, unix=os.path.join(queue, "private", "policy"))
    _, j, err = run_rcpts(mtacc, tmp, "relative", "unix:private/policy", ["reject@example.net"],
                          queue=queue)
    want = [(554, "5.7.1 <reject@example.net>: Recipient address rejected: go away")]
    check(replies(j) == want and len(srv.requests()) == 1,
          "%s unix:private/policy under queue_directory" % label, err or "got %s" % replies(j))
    srv.stop()

    # Postfix's smtpd exits on an unknown attribute (oracle): mtacc refuses
    # the configuration at build time (restriction-argument)
    _, j, err = run_rcpts(mtacc, tmp, "badattr", "{ inet:127.0.0.1:9, timeot=1s }",
                          ["any@example.net"])
    check(j is None and err and "error[restriction-argument]" in err and
          'unknown policy attribute "timeot" (did you mean "timeout"?)' in err,
          "%s an unknown attribute: refused at build time" % label,
          "got %s" % (j and j["rcpt"][0]) if j else err)


def main():
    binaries = [("mtacc", os.environ.get("MTACC", os.path.join(ROOT, "build", "mtacc")))]
    if os.environ.get("MTACC_ASAN"):
        binaries.append(("asan", os.environ["MTACC_ASAN"]))
    for label, mtacc in binaries:
        tmp = tempfile.mkdtemp(prefix="policy-client.")
        try:
            test_postfix(mtacc, tmp, label)
            test_actions(mtacc, tmp, label)
            test_failures(mtacc, tmp, label)
            test_unix_relative(mtacc, tmp, label)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
