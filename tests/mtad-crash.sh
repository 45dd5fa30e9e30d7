#!/usr/bin/env bash
# mtad-crash.sh: kill -9 of the whole daemon (its process group and every
# process of its tree) at a random moment of a load, 50 times (MTAD_CRASH_
# ROUNDS), on one queue directory. The load client (tests/tools/
# smtpload.py, 4 sessions, 2 messages each) records the queue id and the
# body's SHA-256 of every message that got a 250. After each kill the
# daemon is started again (recovery) and every message acknowledged so far
# must be in the queue, intact: listed by `mtad queue list`, and for a
# sample (the last three acknowledged before the kill and two at random)
# `mtad queue show` gives the body that was sent. No message may land in
# corrupt/ (an acknowledged file that does not verify). Prints the
# figures and PASS/FAIL lines.
cd "$(dirname "$0")/.." || exit 2
exec python3 - "$@" <<'EOF'
import json, os, random, shutil, signal, subprocess, sys, time, hashlib
sys.path.insert(0, "tests/lib")
import mtadtest as mt
import queue_json as qj


rep = mt.Report("mtad-crash").need(mt.bin_path("mtad"))
result = rep.result
ROUNDS = int(os.environ.get("MTAD_CRASH_ROUNDS", "50"))
rnd = random.Random(int(os.environ.get("MTAD_CRASH_SEED", str(int(time.time())))))
tmp = mt.tempdir("mtad-crash-")
port = mt.free_port()
conf = mt.write_config(os.path.join(tmp, "conf"), port)
img = mt.build_image(conf, os.path.join(tmp, "crash.img"))
qdir = os.path.join(tmp, "queue")
d = mt.Mtad(img, qdir, log=os.path.join(tmp, "mtad.log"))
acked = {}            # id -> sha256
checked = 0
lost, damaged, start_fail = [], [], []
kills = 0


def body_sha(qid):
    try:
        return hashlib.sha256(qj.split(qj.content(d.queue_show(qid)))[1].encode()).hexdigest()
    except Exception as e:
        return "error: %s" % e


def verify(sample):
    """Every acknowledged id listed; the sample's bodies intact."""
    global checked
    listed = d.queue_ids()
    for qid in acked:
        if qid not in listed and qid not in lost:
            lost.append(qid)
    for qid in sample:
        checked += 1
        got = body_sha(qid)
        if got != acked[qid]:
            damaged.append((qid, got))


t0 = time.monotonic()
load = None
try:
    last = []
    for rnd_i in range(ROUNDS + 1):
        try:
            d.start(port, timeout=20)
        except RuntimeError as e:
            start_fail.append(str(e)[-500:])
            break
        others = [q for q in acked if q not in last]
        verify(last[-3:] + rnd.sample(others, min(2, len(others))))
        if rnd_i == ROUNDS:
            break
        out = os.path.join(tmp, "acc-%d.jsonl" % rnd_i)
        load = subprocess.Popen([sys.executable, "tests/tools/smtpload.py", "--port", str(port),
                                 "--sessions", "4", "--per-session", "2", "--duration", "5",
                                 "--timeout", "5", "--out", out],
                                stdout=subprocess.DEVNULL)
        ready = time.monotonic() + 5
        while not os.path.exists(out) and time.monotonic() < ready:
            time.sleep(0.01)         # the client is running: it opened its output
        time.sleep(rnd.uniform(0.02, 0.3))
        d.kill(signal.SIGKILL)
        kills += 1
        left = [p for p in mt.pids_named(d.bin) if open("/proc/%d/cmdline" % p).read().find(qdir) >= 0]
        if left:
            start_fail.append("processes left after kill: %s" % left)
        load.terminate()
        load.wait(10)
        load = None
        last = []
        for l in (open(out) if os.path.exists(out) else []):
            try:
                a = json.loads(l)
            except ValueError:
                continue            # a line cut by the client's own end
            acked[a["id"]] = a["sha256"]
            last.append(a["id"])
    el = time.monotonic() - t0
    counts = None
    try:
        p = d.cmd("queue", "-q", qdir, "count", "--format", "json")
        counts = p.stdout.strip()
    except Exception:
        pass
    n = d.queue_count() if not start_fail else -1
    print("mtad-crash: %d kills in %.0fs, %d messages acknowledged, %d in the queue, "
          "%d bodies compared; queue count %s" % (kills, el, len(acked), n, checked, counts))
    result(not start_fail, "the daemon restarts after every kill -9 and leaves no process behind",
           start_fail[:3])
    result(kills == ROUNDS and len(acked) > 0, "%d kills during loads that had acknowledged messages" % kills)
    result(not lost, "every acknowledged message is in the queue after recovery (%d lost)" % len(lost),
           lost[:10])
    result(not damaged, "sampled bodies are intact (%d of %d differ)" % (len(damaged), checked), damaged[:5])
    result(n >= len(acked), "queue holds at least the acknowledged messages (%d >= %d)" % (n, len(acked)))
    corrupt = os.path.join(qdir, "corrupt")
    nc = len(os.listdir(corrupt)) if os.path.isdir(corrupt) else 0
    result(nc == 0, "no queue file moved to corrupt/ (%d)" % nc)
finally:
    if load:
        load.kill()
    d.stop()
    if rep.failures:
        print("  mtad log tail:\n" + d.log_tail(20))
    shutil.rmtree(tmp, ignore_errors=True)
sys.exit(rep.status())
EOF
