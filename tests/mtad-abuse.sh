#!/usr/bin/env bash
# mtad-abuse.sh: hostile clients against mtad (tests/tools/smtp_abuse.py:
# overlong lines, NUL bytes, bare-LF smuggling, non-SMTP commands,
# pipelining floods, the
# recipient, size and error limits, garbage after DATA, a client gone
# mid-DATA, a slow drip, 1,000 idle connections), each checked against
# what Postfix 3.7 does (the tool's header; `smtp_abuse.py --postfix`
# replays them against a private Postfix). Then the daemon must have
# survived: same master, `mtad status` answers, a clean session is queued.
# Runs against build/mtad and build/asan/mtad; the ASan+UBSan build must
# report nothing in its log (stderr of the daemon and its workers).
# Prints PASS/FAIL lines.
cd "$(dirname "$0")/.." || exit 2
exec python3 - "$@" <<'EOF'
import os, shutil, sys
sys.path.insert(0, "tests/lib")
sys.path.insert(0, "tests/tools")
import mtadtest as mt
import queue_json as qj
import smtp_abuse as sa


SAN_RE = ("AddressSanitizer", "LeakSanitizer", "runtime error:", "UndefinedBehaviorSanitizer")


def one(asan):
    """Every scenario against build/mtad or build/asan/mtad; the number of
    failures."""
    name = "mtad-abuse" + ("(asan)" if asan else "")
    binary = mt.bin_path("mtad", asan)
    tmp = mt.tempdir("mtad-abuse-")
    port, strict = mt.free_port(), mt.free_port()
    conf = mt.write_config(os.path.join(tmp, "conf"), port, sa.ABUSE_MAIN_CF,
                           master_extra=sa.ABUSE_MASTER_CF.format(port=strict))
    with open(os.path.join(conf, "main.cf")) as f:
        mc = f.read().replace("mynetworks = 127.0.0.0/8", "mynetworks = 127.0.0.1/32")
    with open(os.path.join(conf, "main.cf"), "w") as f:
        f.write(mc)
    img = mt.build_image(conf, os.path.join(tmp, "abuse.img"))
    d = mt.Mtad(img, os.path.join(tmp, "queue"), binary=binary, log=os.path.join(tmp, "mtad.log"))

    def show(qid):
        try:
            return qj.split(qj.content(d.queue_show(qid)))[1]
        except Exception:
            return None

    def nrcpt(qid):
        try:
            return len(qj.rcpts(d.queue_show(qid)))
        except Exception as e:
            return str(e)
    r = sa.Run(port, d.queue_count, name, show, strict)
    r.nrcpt = nrcpt
    if not r.have(binary):
        return r.failures
    try:
        d.start(port, timeout=30)
        master = d.master_pid()
        sa.run_all(r)
        st = d.status()
        r.result(st is not None and d.master_pid() == master and mt.pid_alive(master),
                 "the daemon survived (same master, status answers)", st)
        n0 = d.queue_count()
        out = mt.session(port, ["EHLO client.example", "MAIL FROM:<after@client.example>",
                                "RCPT TO:<u@example.test>", "DATA", "QUIT"],
                         data=b"Subject: after\r\n\r\nafter the abuse\r\n.\r\n")
        r.result(out[-2][1] == 250 and d.queue_count() == n0 + 1,
                 "a clean session afterwards is queued", out)
    except Exception as e:
        r.result(False, "%s: %s" % (type(e).__name__, e))
    finally:
        d.stop()
        log = open(d.log, errors="replace").read() if os.path.exists(d.log) else ""
        if asan:
            bad = [l for l in log.splitlines() if any(s in l for s in SAN_RE)]
            r.result(not bad, "no sanitizer report in the daemon's log",
                     "\n".join(bad[:10]) + "\n" + log[-3000:])
        if r.failures:
            print("  %s log tail:\n%s" % (name, "\n".join(log.splitlines()[-15:])))
        shutil.rmtree(tmp, ignore_errors=True)
    return r.failures


failures = one(False) + one(True)
sys.exit(1 if failures else 0)
EOF
