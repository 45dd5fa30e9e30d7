#!/usr/bin/env bash
# content.sh: differential test of cleanup(8)'s content processing. Each
# case of tests/content/cases (main.cf, tables, messages, probes.txt with
# "+msg=FILE" probes) was run through a real Postfix 3.7 by
# tools/oracle-stages, which recorded the end-of-data reply, what cleanup
# logged, and the queue file as cleanup wrote it (oracle.jsonl). For each
# probe this runs `mtacc simulate --message FILE --show-message` and
# compares: the reply; the queue the message went to (hold, or none for
# DISCARD and rejects); the stored message line by line (the dates and
# queue ids that differ between runs replaced); FILTER, REDIRECT and BCC
# records; and each logged action (reject, hold, replace, ...: header or
# body, the line, the text). Prints PASS/FAIL per probe.
cd "$(dirname "$0")/.." || exit 2
MTACC=${MTACC:-build/mtacc}
exec python3 - "$MTACC" tests/content/cases <<'EOF'
import json, os, re, subprocess, sys

mtacc, cases_dir = sys.argv[1], sys.argv[2]
failures = 0
DATE_RE = re.compile(r"[A-Z][a-z]{2}, [ \d]\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d [+-]\d{4} \(\w+\)")
MSGID_RE = re.compile(r"<\d{14}\.[0-9A-Za-z]+@")
QID_RE = re.compile(r"(with E?SMTPS?A? id |queued as )[0-9A-Za-z]+")
LOG_RE = re.compile(r"^postfix/cleanup: QUEUEID: (\w+): (header|body) (.*?) from [^;]*;"
                    r" from=<[^>]*> to=<[^>]*> proto=\w+ helo=<[^>]*>(?:: (.*))?$")


def norm(line):
    line = DATE_RE.sub("DATE", line)
    line = MSGID_RE.sub("<TIME.QUEUEID@", line)
    return QID_RE.sub(r"\1QUEUEID", line)


def queued_parts(lines):
    """The message lines, and the records after it (content_filter, ...)."""
    msg, extra, where = [], [], None
    for l in lines:
        if l.startswith("*** MESSAGE CONTENTS"):
            where = msg
        elif l.startswith("*** HEADER EXTRACTED"):
            where = extra
        elif l.startswith("*** MESSAGE FILE END"):
            where = None
        elif where is not None:
            where.append(l)
    return msg, extra


def log_key(action, where, line, text):
    # Postfix logs control characters as '?' and cuts long lines
    line = re.sub(r"[\x00-\x1f]", "?", line)[:60]
    return (action, where, line, text or "")


def run_case(case):
    global failures
    d = os.path.join(cases_dir, case)
    rec = [json.loads(l) for l in open(os.path.join(d, "oracle.jsonl"))]
    for n, o in enumerate(rec, 1):
        words = o["probe"].split()
        client, helo, sender = words[0], words[1], words[2].strip("<>")
        rcpts = [w for w in words[3:] if not w.startswith("+")]
        msg = [w for w in words if w.startswith("+msg=")][0][5:]
        cmd = [mtacc, "simulate", "-c", d, "--client", client, "--helo", helo,
               "--sender", sender or "<>", "--message", os.path.join(d, msg),
               "--show-message", "--format", "json"]
        for r in rcpts:
            cmd += ["--rcpt", r]
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           universal_newlines=True)
        what = "content/%s #%d %s" % (case, n, msg)
        errs = []
        try:
            j = json.loads(p.stdout)
        except ValueError:
            print("FAIL %s: mtacc simulate: %s%s" % (what, p.stderr.strip(), p.stdout[:200]))
            failures += 1
            continue
        eod = j.get("end_of_data") or {}
        want = [o["eod"][0], norm(o["eod"][1])]
        got = [eod.get("code"), norm(eod.get("text") or "")]
        if got != want:
            errs.append("reply %s, Postfix %s" % (got, want))
        c = j.get("content") or {}
        fx = {}
        for e in c.get("effects", []):
            fx.setdefault(e["kind"], []).append(e["text"])
        # where the message went
        if o["eod"][0] == 250:
            want_q = None if "postcat: fatal" in " ".join(o.get("queued", [])) else o.get("queue")
            got_q = None if "discard" in fx else "hold" if "hold" in fx else "incoming"
            if got_q != want_q:
                errs.append("queue %s, Postfix %s" % (got_q, want_q))
            if want_q:
                pmsg, extra = queued_parts(o["queued"])
                while pmsg and pmsg[-1] == "":
                    pmsg.pop()
                mine = [norm(l) for l in c.get("message", [])]
                while mine and mine[-1] == "":
                    mine.pop()
                pmsg = [norm(l) for l in pmsg]
                if mine != pmsg:
                    for i in range(max(len(mine), len(pmsg))):
                        a = mine[i] if i < len(mine) else "<none>"
                        b = pmsg[i] if i < len(pmsg) else "<none>"
                        if a != b:
                            errs.append("message line %d: %r, Postfix %r" % (i + 1, a, b))
                            break
                want_x = sorted(x for x in extra if x.startswith(("content_filter:", "redirect_to:",
                                                                  "recipient:")))
                got_x = sorted(["content_filter: " + t for t in fx.get("filter", [])] +
                               ["redirect_to: " + t for t in fx.get("redirect", [])] +
                               ["recipient: " + t for t in fx.get("bcc", [])])
                if want_x != got_x:
                    errs.append("records %s, Postfix %s" % (got_x, want_x))
        # logged actions
        want_l = []
        for l in o.get("log", []):
            m = LOG_RE.match(l)
            if m:
                act = m.group(1)
                want_l.append(log_key(act, m.group(2), m.group(3), m.group(4)))
        got_l = [log_key(x["action"], x["where"], x["line"], x["text"])
                 for x in c.get("log", [])]
        # after a reject Postfix inspects nothing more; logs of other
        # daemons are not ours
        if got_l != want_l:
            errs.append("logged %s, Postfix %s" % (got_l, want_l))
        if errs:
            failures += 1
            print("FAIL %s: %s" % (what, "; ".join(errs)))
        else:
            print("PASS %s" % what)


cases = sorted(c for c in os.listdir(cases_dir)
               if os.path.isfile(os.path.join(cases_dir, c, "oracle.jsonl")))
if len(cases) < 10:
    print("FAIL content: only %d cases with recordings" % len(cases))
    failures += 1
for case in cases:
    run_case(case)
sys.exit(1 if failures else 0)
EOF
