#!/usr/bin/env bash
# relay-suite.sh: the verdict of `mtacc check` on relay safety against what
# a real Postfix 3.7 did (tests/relay/cases, recorded by tools/record-relay:
# an untrusted client at 127.66.0.1 tried the hand-written attacks of each
# case's probes.txt and mtacc's own counter-example). For every case:
#   - Postfix relayed (accepted a recipient outside the case's domains:
#     outside.example, victim.com, attacker.example) exactly when mtacc
#     reports open-relay: no missed open relay, no relay Postfix refuses;
#   - mtacc's counter-example is the probe recorded under "# mtacc's
#     counter-example", and Postfix accepted it (else re-record).
# At least 30 cases. Needs no Postfix. Prints PASS/FAIL lines.
cd "$(dirname "$0")/.." || exit 2
exec python3 - "${MTACC:-build/mtacc}" tests/relay/cases <<'EOF'
import json, os, re, subprocess, sys

mtacc, cases_dir = sys.argv[1], sys.argv[2]
FOREIGN = re.compile(r"(outside\.example|victim\.com|attacker\.example)>?$")
SESSION = re.compile(r"HELO (\S+), MAIL FROM:<(.*?)>, RCPT TO:<(.*)> gets ")
MARK = "# mtacc's counter-example (tools/record-relay)"
failures = 0


def result(ok, what):
    global failures
    print("%s %s" % ("PASS" if ok else "FAIL", what))
    failures += not ok


def foreign(rcpt):
    """A recipient outside the case's domains, routed forms included."""
    r = rcpt.strip("<>").lower()
    return bool(FOREIGN.search(r)) or any(h in r.split("@")[0] for h in
                                          ("outside.example", "victim.com", "attacker.example"))


cases = sorted(os.listdir(cases_dir))
result(len(cases) >= 30, "relay suite: %d cases (at least 30)" % len(cases))
opened = 0
for name in cases:
    d = os.path.join(cases_dir, name)
    with open(os.path.join(d, "probes.txt")) as f:
        lines = f.read().splitlines()
    with open(os.path.join(d, "oracle.jsonl")) as f:
        rec = [json.loads(l) for l in f if l.strip()]
    probes = [l for l in lines if l.strip() and not l.startswith("#")]
    if len(rec) != len(probes) or any(o["probe"] != p for o, p in zip(rec, probes)):
        result(False, "relay %s: oracle.jsonl does not match probes.txt (tools/record-relay %s)"
               % (name, name))
        continue
    relayed = []
    for o in rec:
        rcpts = o["probe"].split()[3:]
        for r, (code, _) in zip(rcpts, o["rcpt"]):
            if code and code // 100 == 2 and foreign(r):
                relayed.append("%s -> %s" % (o["probe"], r))
    p = subprocess.run([mtacc, "check", "-c", d, "--attacker", "127.66.0.1", "--format", "json"],
                       capture_output=True, text=True)
    diags = json.loads(p.stdout)["diagnostics"]
    found = [g for g in diags if g["id"] == "open-relay"]
    ours = bool(found)
    theirs = bool(relayed)
    opened += theirs
    if ours != theirs:
        result(False, "relay %s: mtacc says %s, Postfix %s" % (
            name, "open relay" if ours else "closed",
            "relayed: " + "; ".join(relayed[:2]) if theirs else "refused every attempt"))
        continue
    if ours:
        m = SESSION.search(found[0]["message"])
        want = m and "127.66.0.1 %s <%s> %s" % (m.group(1), m.group(2), m.group(3))
        recorded = lines[lines.index(MARK) + 1] if MARK in lines else None
        if want != recorded:
            result(False, "relay %s: counter-example %r is not the recorded one %r "
                   "(tools/record-relay %s)" % (name, want, recorded, name))
            continue
        o = rec[probes.index(recorded)]
        if not any(c and c // 100 == 2 for c, _ in o["rcpt"]):
            result(False, "relay %s: Postfix refused mtacc's counter-example %s: %s"
                   % (name, recorded, o["rcpt"]))
            continue
    result(True, "relay %s: %s, as Postfix" % (name, "open relay" if ours else "closed"))
print("# %d cases, %d open relays" % (len(cases), opened))
sys.exit(1 if failures else 0)
EOF
