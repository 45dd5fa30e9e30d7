#!/usr/bin/env bash
# mtad-dns.sh: a decision that waits on DNS holds only its own session.
# mtad's resolver is pointed (MTAD_DNS_SERVER) at a UDP socket on
# 127.0.0.1 that never answers; reject_unknown_sender_domain then waits
# 2 s x 2 tries for a sender's domain. While one client waits so, twenty
# other sessions (null sender: no lookup) must each get their message
# queued within a second, and the waiting client must then get Postfix's
# temporary reply 450 4.1.8 ... Domain not found.
cd "$(dirname "$0")/.." || exit 2
exec python3 - "$@" <<'EOF_PY'
import os, shutil, socket, sys, threading, time
sys.path.insert(0, "tests/lib")
import mtadtest as mt

rep = mt.Report("mtad-dns").need(mt.bin_path("mtad"))
tmp = mt.tempdir("mtad-dns-")
sink = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)   # a name server that never answers
sink.bind(("127.0.0.1", 0))
port = mt.free_port()
conf = mt.write_config(os.path.join(tmp, "conf"), port,
                       main_extra="smtpd_recipient_restrictions = reject_unknown_sender_domain\n")
img = mt.build_image(conf, os.path.join(tmp, "dns.img"))
os.environ["MTAD_DNS_SERVER"] = "127.0.0.1:%d" % sink.getsockname()[1]
d = mt.Mtad(img, os.path.join(tmp, "queue"), log=os.path.join(tmp, "mtad.log")).start(port)


def session(sender, out, key):
    t0 = time.time()
    s = socket.create_connection(("127.0.0.1", port), timeout=20)
    f = s.makefile("rb")

    def reply():
        line = f.readline()
        while line[3:4] == b"-":
            line = f.readline()
        return line.decode().strip()
    replies = [reply()]
    for c in ["EHLO client.example", "MAIL FROM:<%s>" % sender, "RCPT TO:<user@%s>" % mt.DOMAIN]:
        s.sendall((c + "\r\n").encode())
        replies.append(reply())
    if replies[-1].startswith("250"):
        s.sendall(b"DATA\r\n")
        replies.append(reply())
        s.sendall(b"Subject: t\r\n\r\nbody\r\n.\r\n")
        replies.append(reply())
    s.sendall(b"QUIT\r\n")
    reply()
    s.close()
    out[key] = (time.time() - t0, replies)


try:
    out = {}
    slow = threading.Thread(target=session, args=("someone@slow.example", out, "slow"))
    slow.start()
    time.sleep(0.3)
    t0 = time.time()
    fast = [threading.Thread(target=session, args=("", out, i)) for i in range(20)]
    for t in fast:
        t.start()
    for t in fast:
        t.join(10)
    fast_done = time.time() - t0
    slow_pending = slow.is_alive()
    slow.join(30)
    times = sorted(out[i][0] for i in range(20) if i in out)
    queued = sum(1 for i in range(20) if i in out and out[i][1][-1].startswith("250 2.0.0 Ok: queued"))
    rep.result(queued == 20, "20 sessions queued their message while another waited on DNS (%d)" % queued,
               [out.get(i) for i in range(20)])
    rep.result(times and times[-1] < 1.5 and slow_pending,
               "none of them waited for it (slowest %.2f s, all done after %.2f s, DNS still pending: %s)"
               % (times[-1] if times else -1, fast_done, slow_pending))
    r = out.get("slow", (0, ["?"]))
    rep.result(r[1][-1].startswith("450 4.1.8 <someone@slow.example>: Sender address rejected: Domain not found")
               and 3.0 < r[0] < 12, "the waiting client got 450 4.1.8 after the resolver's timeouts (%.1f s)" % r[0],
               r[1])
    st = d.status()
    rep.result(st is not None, "the daemon still answers status")
finally:
    d.stop()
    shutil.rmtree(tmp, ignore_errors=True)
sys.exit(rep.status())
EOF_PY
