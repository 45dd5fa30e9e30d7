#!/usr/bin/env bash
# mtad-reload-load.sh: `mtad reload` under load. tests/tools/smtpload.py
# sends continuously (10 parallel sessions, 3 messages each) while mtad is
# reloaded 20 times, alternating a good image (two valid images with
# different banners) and a corrupt one (a byte flipped in the payload, in
# the header, truncated, empty, not an image at all). Checks:
#   - every good reload exits 0, every corrupt one exits non-zero and says
#     why on stderr (and the daemon keeps serving the old image);
#   - zero failed sessions in the load client's output;
#   - zero lost messages: the queue holds exactly the messages that got a
#     250, every one of their queue ids is listed;
#   - the banner afterwards is the last good image's.
# Prints PASS/FAIL lines.
cd "$(dirname "$0")/.." || exit 2
exec python3 - "$@" <<'EOF'
import json, os, shutil, subprocess, sys, time
sys.path.insert(0, "tests/lib")
import mtadtest as mt


rep = mt.Report("mtad-reload-load").need(mt.bin_path("mtad"))
result = rep.result
tmp = mt.tempdir("mtad-reload-")
port = mt.free_port()
imgs = {}
for gen in ("A", "B"):
    conf = mt.write_config(os.path.join(tmp, "conf" + gen), port,
                           "smtpd_banner = $myhostname ESMTP generation-%s\n" % gen)
    imgs[gen] = mt.build_image(conf, os.path.join(tmp, "%s.img" % gen))
raw = open(imgs["A"], "rb").read()


def corrupt(name, data):
    p = os.path.join(tmp, "bad-%s.img" % name)
    with open(p, "wb") as f:
        f.write(data)
    return p


def flip(data, at):
    b = bytearray(data)
    b[at] ^= 0x5A
    return bytes(b)


bad = [corrupt("payload-flip", flip(raw, len(raw) * 2 // 3)),
       corrupt("header-flip", flip(raw, 9)),
       corrupt("truncated", raw[:len(raw) // 2]),
       corrupt("empty", b""),
       corrupt("text", b"main.cf is not an image\n" * 10),
       corrupt("tail-cut", raw[:-1]),
       corrupt("magic", b"XXXX" + raw[4:]),
       corrupt("payload-flip2", flip(raw, len(raw) - 7)),
       corrupt("zeros", b"\0" * len(raw)),
       corrupt("last-byte", flip(raw, len(raw) - 1))]
d = mt.Mtad(imgs["A"], os.path.join(tmp, "queue"), log=os.path.join(tmp, "mtad.log"))
load = None
try:
    d.start(port)
    out = os.path.join(tmp, "accepted.jsonl")
    load = subprocess.Popen([sys.executable, "tests/tools/smtpload.py", "--port", str(port),
                             "--sessions", "10", "--per-session", "3", "--duration", "8",
                             "--out", out], stdout=subprocess.PIPE, text=True)
    time.sleep(0.5)
    good_ok, bad_ok, notes = 0, 0, []
    last_good = "A"
    for i in range(20):
        if i % 2 == 0:
            gen = "B" if last_good == "A" else "A"
            p = d.reload(imgs[gen])
            if p.returncode == 0:
                good_ok += 1
                last_good = gen
            else:
                notes.append("good reload %d (%s) exit %d: %s" % (i, gen, p.returncode, p.stderr.strip()))
        else:
            b = bad[i // 2]
            p = d.reload(b)
            if p.returncode != 0 and p.stderr.strip():
                bad_ok += 1
            else:
                notes.append("corrupt reload %s: exit %d, stderr %r" % (os.path.basename(b), p.returncode,
                                                                       p.stderr.strip()))
        time.sleep(0.3)
    result(good_ok == 10, "10 reloads of a good image exit 0 (%d did)" % good_ok, notes)
    result(bad_ok == 10, "10 reloads of a corrupt image exit non-zero and say why (%d did)" % bad_ok, notes)
    summary = json.loads(load.communicate(timeout=60)[0])
    load = None
    result(summary["failed_sessions"] == 0 and summary["accepted"] > 0,
           "no failed session during the reloads (%d sessions, %d messages accepted)"
           % (summary["sessions"], summary["accepted"]), summary)
    accepted = [json.loads(l) for l in open(out) if l.strip()]
    time.sleep(0.3)
    n = d.queue_count()
    result(n == len(accepted), "queue count %d == messages that got a 250 (%d)" % (n, len(accepted)))
    listed = d.queue_ids()
    missing = [a["id"] for a in accepted if a["id"] not in listed]
    result(not missing, "every accepted queue id is in the queue", missing[:10])
    c = mt.Smtp(port)
    code, text = c.reply()
    c.close()
    result(code == 220 and ("generation-%s" % last_good) in text[-1],
           "the banner is the last good image's (generation-%s)" % last_good, text)
    st = d.status()
    result(st is not None, "status answers after the reloads", st)
finally:
    if load:
        load.kill()
    d.stop()
    if rep.failures:
        print("  mtad log tail:\n" + d.log_tail(20))
    shutil.rmtree(tmp, ignore_errors=True)
sys.exit(rep.status())
EOF
