#!/usr/bin/env python3
"""policy-diff.py: the differential test of the policy engine. For every
case of tests/policy/cases (a Postfix oracle case: main.cf, tables,
probes.txt, optional dns.zone, and oracle.jsonl, the replies a real
Postfix 3.7 smtpd gave, recorded by tools/record-oracle), build the
configuration with `mtacc build`, run each probe through `mtacc simulate`
with the same DNS zones, and compare every reply (banner, EHLO, MAIL and
each RCPT: code and text) with Postfix's.

A case may hold a file mtacc-allow: diagnostic ids (such as regex-backref)
that `mtacc build` accepts for it, when the case exercises what Postfix does
with a mistake mtacc would refuse.

Probes listed in tests/policy/xfail.txt ("case: probe line") are known to
differ; they are reported as XFAIL, and one that starts to agree is a
failure (XPASS) until it is removed from the list, so the list stays true.
Prints PASS/FAIL lines and a summary; exit status 0 when nothing failed.

With --real-dns, mtacc simulate asks the real resolver (--dns-server,
stdlib/policy/dns_real.c) instead of reading the zones itself: each case's
zones are served by tests/tools/fake-dns.py on 127.0.0.1.

Usage: tests/policy-diff.py [-v] [--real-dns] [CASE_DIR...]"""
import contextlib, json, os, subprocess, sys, tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CASES = os.path.join(ROOT, "tests/policy/cases")
XFAIL = os.path.join(ROOT, "tests/policy/xfail.txt")
MTACC = os.environ.get("MTACC", os.path.join(ROOT, "build/mtacc"))
DEFAULT_ZONE = os.path.join(ROOT, "tests/policy/dns-default.zone")
FAKE_DNS = os.path.join(ROOT, "tests/tools/fake-dns.py")


@contextlib.contextmanager
def dns_options(zones, real):
    """The mtacc simulate options that answer DNS queries from zones."""
    if not real:
        yield [a for z in zones for a in ("--dns", z)]
        return
    p = subprocess.Popen([sys.executable, FAKE_DNS, "--lifetime", "600"] + zones,
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        port = p.stdout.readline().strip()
        if not port:
            raise RuntimeError("fake-dns.py did not start")
        yield ["--dns-server", "127.0.0.1:" + port]
    finally:
        p.stdin.close()
        p.wait(timeout=10)


def probes(case):
    out = []
    with open(os.path.join(case, "probes.txt")) as f:
        for line in f:
            line = line.split("#", 1)[0].strip()
            if line:
                out.append(line)
    return out


def expected(case):
    with open(os.path.join(case, "oracle.jsonl")) as f:
        return [json.loads(l) for l in f if l.strip()]


def oracle_view(o):
    """What Postfix answered, in the form we compare."""
    v = {"banner": o.get("banner"), "ehlo": o.get("ehlo"), "mail": o.get("mail")}
    for k in ("banner", "ehlo", "mail"):
        t = o.get(k + "_text")
        if t is not None:
            v[k + "_text"] = t
    v["rcpt"] = [[c, t] for c, t in o.get("rcpt", [])]
    for k in ("data", "eod", "etrn"):
        if k in o:
            v[k] = list(o[k])
    return v


def ours_view(j, o):
    """Our answer, with texts only where the oracle recorded them."""
    v = {"banner": j["banner"]["code"],
         "ehlo": j["helo"]["code"] if j.get("helo") else None,
         "mail": j["mail"]["code"]}
    for k, jk in (("banner", "banner"), ("ehlo", "helo"), ("mail", "mail")):
        if k + "_text" in o and j.get(jk):
            v[k + "_text"] = j[jk]["text"]
    v["rcpt"] = [[r["code"], r["text"]] for r in j["rcpt"]]
    for k, jk in (("data", "data"), ("eod", "end_of_data"), ("etrn", "etrn")):
        if k in o:
            v[k] = [j[jk]["code"], j[jk]["text"]] if j.get(jk) else None
    return v


def simulate(img, case, probe, dns, extra=()):
    """Run probe through mtacc simulate (dns: its DNS options, extra: more
    options); (JSON, error)."""
    w = probe.split()
    client, helo, sender = w[0], w[1], w[2]
    rcpts = [r for r in w[3:] if not r.startswith("+")]
    cmd = [MTACC, "simulate", "-i", img, "--client", client, "--format", "json"] + list(extra)
    # stage tokens (tools/oracle-stages): +data, +etrn=DOMAIN
    for t in w[3:]:
        if t == "+data":
            cmd.append("--data")
        elif t.startswith("+etrn="):
            cmd += ["--etrn", t[len("+etrn="):]]
        elif t.startswith("+etrn!="):
            cmd += ["--etrn-now", t[len("+etrn!="):]]
    cmd += dns
    if helo != "-":
        cmd += ["--helo", helo]
    s = sender[1:-1] if sender.startswith("<") and sender.endswith(">") else sender
    cmd += ["--sender", s if s else "<>"]
    for r in rcpts:
        cmd += ["--rcpt", r[1:-1] if r.startswith("<") and r.endswith(">") else r]
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        return None, p.stderr.strip()
    return json.loads(p.stdout), None


def compare(build, img, case, probe, o, dns):
    """(agrees, detail) for one probe and its recording o."""
    if build.returncode != 0:
        return False, "mtacc build failed: " + build.stdout.strip().splitlines()[-1]
    j, err = simulate(img, case, probe, dns)
    if j is None:
        return False, "mtacc simulate failed: " + err
    want, got = oracle_view(o), ours_view(j, o)
    return want == got, "postfix %s\n      mtacc   %s" % (json.dumps(want), json.dumps(got))


def main():
    verbose = "-v" in sys.argv
    real = "--real-dns" in sys.argv
    label = "policy[real-dns]" if real else "policy"
    args = [a for a in sys.argv[1:] if a not in ("-v", "--real-dns")]
    cases = args or sorted(os.path.join(CASES, d) for d in os.listdir(CASES)
                           if os.path.isfile(os.path.join(CASES, d, "oracle.jsonl")))
    xfail = set()
    if os.path.exists(XFAIL):
        with open(XFAIL) as f:
            xfail = {l.strip() for l in f if l.strip() and not l.startswith("#")}
    counts = {"pass": 0, "fail": 0, "xfail": 0, "xpass": 0}
    with tempfile.TemporaryDirectory() as tmp:
        for case in cases:
            name = os.path.basename(case.rstrip("/"))
            img = os.path.join(tmp, name + ".img")
            # a case may exercise what Postfix does with a mistake mtacc refuses
            # to build: mtacc-allow lists the diagnostic ids to accept
            allow = []
            if os.path.exists(os.path.join(case, "mtacc-allow")):
                with open(os.path.join(case, "mtacc-allow")) as f:
                    for w in f.read().split():
                        allow += ["--allow", w]
            b = subprocess.run([MTACC, "build", "-c", case, "-o", img] + allow,
                               capture_output=True, text=True)
            zones = [DEFAULT_ZONE] + ([os.path.join(case, "dns.zone")]
                                      if os.path.exists(os.path.join(case, "dns.zone")) else [])
            with dns_options(zones, real) as dns:
                for probe, o in zip(probes(case), expected(case)):
                    key = "%s: %s" % (name, probe)
                    ok, detail = compare(b, img, case, probe, o, dns)
                    if key in xfail:
                        if ok:
                            counts["xpass"] += 1
                            print("FAIL %s: agrees with Postfix now; remove it from "
                                  "tests/policy/xfail.txt" % key)
                        else:
                            counts["xfail"] += 1
                            if verbose:
                                print("XFAIL %s\n      %s" % (key, detail))
                    elif ok:
                        counts["pass"] += 1
                        print("PASS %s %s" % (label, key))
                    else:
                        counts["fail"] += 1
                        print("FAIL %s %s\n      %s" % (label, key, detail))
    print("policy-diff: %(pass)d agree, %(fail)d differ, %(xfail)d known to differ, "
          "%(xpass)d fixed but still listed" % counts)
    return 1 if counts["fail"] or counts["xpass"] else 0


if __name__ == "__main__":
    sys.exit(main())
