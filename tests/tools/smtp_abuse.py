#!/usr/bin/env python3
"""smtp_abuse.py: hostile SMTP clients against a server on 127.0.0.1, each
checked against what Postfix 3.7.11 does (recorded with a private
instance: `smtp_abuse.py --postfix` runs them against one).

The server's configuration (tests/lib/mtadtest.py's plus ABUSE_MAIN_CF):
mynetworks = 127.0.0.1/32, message_size_limit = 100000,
smtpd_error_sleep_time = 0, smtpd_peername_lookup = no (without it every
connection from a stranger waits for a PTR lookup, 5 s each where no DNS
server answers); clients at 127.0.0.2 are strangers, so connection limits
apply to them. A second listener (ABUSE_MASTER_CF) sets
smtpd_forbid_bare_newline = yes.

What Postfix 3.7.11 does, and what is checked:
  long-command   MAIL FROM of 5,000 bytes: Postfix cuts the request at
                 line_length_limit (2048), logs "request longer than 2048",
                 answers the cut command (501 5.1.7 Bad sender address
                 syntax) and goes on. Checked: a 5xx, then NOOP gets 250.
  long-junk      a 10,000-byte unknown command: 500 5.5.2 Error: command
                 not recognized, session goes on. A 1 MB line without LF:
                 answered once the LF comes, session goes on.
  nul-command    NUL bytes in EHLO and MAIL: Postfix answers 250 to both.
                 Checked: each gets a reply, NOOP still gets 250.
  nul-data       a NUL in the body: Postfix queues it, NUL kept. Checked:
                 250 (then the NUL is in the queued body) or a 5xx.
  bare-lf        CVE-2023-51764 smuggling: "\\n.\\n" then MAIL/RCPT/DATA
                 inside the message. Postfix 3.7 with its default
                 smtpd_forbid_bare_newline = no ends DATA at the bare-LF
                 dot and queues the smuggled second message (then 500 for
                 "tail"). Checked: that, or no smuggled message. On the
                 listener with smtpd_forbid_bare_newline = yes Postfix
                 queues one message only; checked: no smuggled message.
  non-smtp       one line after EHLO, each on a new connection, reply as
                 Postfix's: "Subject: hello" and "\\x01\\x02 garbage" are
                 non-SMTP commands (221 2.7.0 Error: I can break rules,
                 too. Goodbye.), "garbage\\xff" gets 500 5.5.2 Error: bad
                 UTF-8 syntax, "BOGUS" 500 5.5.2 Error: command not
                 recognized, "GET / HTTP/1.0" 221 2.7.0.
  flood-noop     5,000 NOOPs in one write: after smtpd_junk_command_limit
                 (100) each NOOP counts as an error; at the hard error limit
                 Postfix answers 421 4.7.0 ... too many errors and closes.
                 Checked: replies in order, 250s then (optionally) one 421
                 that is the last reply before the close, within the
                 timeout.
  flood-messages 200 complete pipelined transactions in one write: 200
                 "250 2.0.0 Ok: queued as" replies.
  rcpt-limit     1,001 RCPTs in one write: 1,000 x 250, then 452 4.5.3
                 Error: too many recipients; DATA queues 1,000 recipients.
  size-limit     MAIL FROM SIZE=200000: 552 5.3.4 Message size exceeds
                 fixed limit (Postfix then refuses a MAIL without SIZE in
                 the same session too: it keeps the size); a 200 KB body
                 in a new session: 552 5.3.4 (Postfix: "Error: message
                 file too big"); nothing queued; NOOP gets 250.
  errors         21 unknown commands: 20 x 500 5.5.2, then 421 4.7.0
                 mx.example.test Error: too many errors, and the close.
  garbage-data   bytes 01 02 ff after end-of-data: a 5xx (Postfix: 500
                 5.5.2 Error: bad UTF-8 syntax); QUIT gets 221.
  mid-data-drop  the client closes in the middle of DATA: nothing queued.
  slow-drip      a whole session, 1 byte every 50 ms: queued.
  many-idle      1,000 connections from 127.0.0.2 (a stranger), kept open:
                 each gets a 220 banner or 421 4.7.0 ... too many
                 connections from 127.0.0.2 (smtpd_client_connection_count
                 _limit, 50); no more 220s than the limit; meanwhile a
                 normal session from 127.0.0.1 is queued. (Postfix needs
                 one smtpd process per connection, also to say 421: with
                 a process limit of 200 some of the 1,000 wait past 15 s.)

Usage: smtp_abuse.py --port P [--queue-count CMD] [--only NAME,...]
       smtp_abuse.py --postfix            (private Postfix; needs root)
Prints PASS/FAIL lines (prefix --prefix)."""
import os
import re
import resource
import shutil
import socket
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "lib"))
import mtadtest as mt  # noqa: E402

ABUSE_MAIN_CF = """\
message_size_limit = 100000
smtpd_error_sleep_time = 0
smtpd_peername_lookup = no
"""
# a second listener that refuses bare-LF line ends (Postfix 3.7.9+)
ABUSE_MASTER_CF = "127.0.0.1:{port} inet n - n - - smtpd -o smtpd_forbid_bare_newline=yes\n"
STRANGER = "127.0.0.2"


class Run(mt.Report):
    """The server under test: its ports, how to count and read its queue."""

    def __init__(self, port, count_fn, prefix, show_fn=None, port_strict=None):
        mt.Report.__init__(self, prefix)
        self.port, self.count, self.show = port, count_fn, show_fn
        self.port_strict = port_strict
        self.nrcpt = None
        self.lock = threading.Lock()

    def result(self, ok, what, detail=""):
        with self.lock:      # slow-drip reports from its own thread
            return mt.Report.result(self, ok, what, detail)

    def conn(self, source="127.0.0.1", timeout=20):
        c = mt.Smtp(self.port, source, timeout=timeout)
        c.banner = c.reply()
        return c

    def ehlo_mail_rcpt(self, c, sender="a@client.example", rcpt="u@example.test"):
        return [c.cmd("EHLO client.example"), c.cmd("MAIL FROM:<%s>" % sender),
                c.cmd("RCPT TO:<%s>" % rcpt)]

    def settle(self, n, timeout=3.0):
        """Queue count once it stops changing (a session just closed)."""
        deadline = time.monotonic() + timeout
        last = self.count()
        while time.monotonic() < deadline:
            time.sleep(0.2)
            now = self.count()
            if now == last and now == n:
                break
            last = now
        return last


def recv_replies(c, n, timeout):
    """Up to n final reply codes; stops at close/timeout."""
    codes = []
    c.s.settimeout(timeout)
    deadline = time.monotonic() + timeout
    while len(codes) < n and time.monotonic() < deadline:
        code, text = c.reply()
        if code is None:
            codes.append(None)
            break
        codes.append((code, text[-1]))
    return codes


# ---- scenarios ------------------------------------------------------------

def long_command(r):
    c = r.conn()
    c.cmd("EHLO client.example")
    code, text = c.cmd("MAIL FROM:<" + "a" * 5000 + "@b.example>")
    after = c.cmd("NOOP")
    c.close()
    r.result(code is not None and 500 <= code < 600 and after[0] == 250,
             "long-command: MAIL FROM of 5,000 bytes gets a 5xx, session goes on (Postfix: 501 5.1.7)",
             (code, text, after))
    c = r.conn()
    code, text = c.cmd("X" * 10000)
    after = c.cmd("NOOP")
    r.result(code is not None and 500 <= code < 600 and after[0] == 250,
             "long-junk: 10,000-byte unknown command gets a 5xx (Postfix: 500 5.5.2), session goes on",
             (code, text, after))
    try:
        c.send(b"Y" * (1 << 20))
        code, text = c.cmd("")
        after = c.cmd("NOOP")
    except OSError as e:
        code, text, after = None, [str(e)], (None, [])
    c.close()
    r.result(code is not None and after[0] in (250, None) and (after[0] == 250 or code == 421 or code >= 500),
             "long-junk: a 1 MB line is answered once its LF comes", (code, text, after))


def nul_command(r):
    c = r.conn()
    c.send(b"EHLO client\x00.example\r\n")
    a = c.reply()
    c.send(b"MAIL FROM:<a@client.example>\x00 junk\r\n")
    b = c.reply()
    after = c.cmd("NOOP")
    c.close()
    r.result(a[0] is not None and b[0] is not None and after[0] == 250,
             "nul-command: NUL in EHLO and MAIL answered (Postfix: 250, 250), NOOP gets 250",
             (a, b, after))


def nul_data(r):
    n0 = r.count()
    c = r.conn()
    r.ehlo_mail_rcpt(c)
    c.cmd("DATA")
    c.send(b"Subject: nul\r\n\r\nnul\x00here\r\n.\r\n")
    code, text = c.reply()
    after = c.cmd("NOOP")
    c.close()
    qid = mt.queued_id(text[-1] if text else "")
    ok = code is not None and (code == 250 and qid or 500 <= code < 600) and after[0] == 250
    detail = (code, text, after)
    if ok and qid and r.show:
        body = r.show(qid)
        ok = body is not None and "nul\x00here" in body
        detail = "stored body %r" % body
    r.result(ok, "nul-data: NUL in the body: 250 with the NUL kept (as Postfix) or a 5xx", detail)
    r.result(r.settle(n0 + (1 if qid else 0)) == n0 + (1 if qid else 0),
             "nul-data: queue count as answered")


SMUGGLE = (b"Subject: bare lf\r\n\r\nbare\nlf\n.\nMAIL FROM:<smuggled@evil.example>\n"
           b"RCPT TO:<u@example.test>\nDATA\nSubject: smuggled\n\nsmuggled\n.\n"
           b"tail\r\n.\r\n")
POSTFIX_37_SMUGGLED = [250, 250, 250, 354, 250, 500]


def bare_lf_on(r, port):
    n0 = r.count()
    c = mt.Smtp(port, STRANGER, timeout=20)
    c.reply()
    r.ehlo_mail_rcpt(c, sender="bare@client.example")
    c.cmd("DATA")
    c.send(SMUGGLE)
    codes = recv_replies(c, 6, 3)
    c.cmd("QUIT")
    c.close()
    time.sleep(0.3)
    return codes, r.count() - n0


def bare_lf(r):
    codes, n = bare_lf_on(r, r.port)
    seq = [x[0] if x else None for x in codes]
    smuggled = sum(1 for x in codes if x and x[0] == 250 and "queued as" in x[1]) > 1
    as_postfix = seq[:5] == POSTFIX_37_SMUGGLED[:5] and len(seq) == 6 and 500 <= (seq[5] or 0) < 600
    r.result(n <= 1 or as_postfix,
             "bare-lf: smtpd_forbid_bare_newline = no: DATA ends at \\n.\\n as in Postfix 3.7 "
             "(replies %s, the last any 5xx), or nothing is smuggled%s" % (POSTFIX_37_SMUGGLED,
                                                         " [smuggled, as Postfix]" if smuggled else ""),
             "replies %s, %d queued" % (codes, n))
    if r.port_strict:
        codes, n = bare_lf_on(r, r.port_strict)
        r.result(n <= 1 and sum(1 for x in codes if x and x[0] == 250 and "queued as" in x[1]) <= 1,
                 "bare-lf: smtpd_forbid_bare_newline = yes: no smuggled second message "
                 "(Postfix 3.7.11 queues one)", "replies %s, %d queued" % (codes, n))


NON_SMTP = [(b"Subject: hello", "221 2.7.0 Error: I can break rules, too. Goodbye."),
            (b"\x01\x02 garbage", "221 2.7.0 Error: I can break rules, too. Goodbye."),
            (b"garbage\xff", "500 5.5.2 Error: bad UTF-8 syntax"),
            (b"BOGUS", "500 5.5.2 Error: command not recognized"),
            (b"GET / HTTP/1.0", "221 2.7.0 Error: I can break rules, too. Goodbye.")]


def non_smtp(r):
    for line, want in NON_SMTP:
        c = r.conn()
        c.cmd("EHLO client.example")
        c.send(line + b"\r\n")
        code, text = c.reply()
        c.close()
        got = "%s %s" % (code, text[-1] if text else "")
        r.result(got == want, "non-smtp: %r gets %s as from Postfix" % (line, want), got)


def flood_noop(r):
    c = r.conn()
    c.cmd("EHLO client.example")
    t = time.monotonic()
    c.send(b"NOOP\r\n" * 5000)
    codes = recv_replies(c, 5000, 30)
    el = time.monotonic() - t
    c.close()
    seq = [x[0] if x else None for x in codes]
    ok250 = 0
    while ok250 < len(seq) and seq[ok250] == 250:
        ok250 += 1
    rest = seq[ok250:]
    # Postfix: 100 junk commands are free, the next 20 count as errors, the
    # 121st command finds the hard error limit reached
    good = (ok250 == 5000) or (ok250 == 120 and rest[:1] == [421] and rest[1:] in ([], [None]))
    r.result(good and el < 30, "flood-noop: 5,000 NOOPs in one write: %d x 250, then 421 as the last "
             "reply before the close (Postfix: 120 x 250, 421)" % ok250,
             "after the 250s: %s" % rest[:5])


def flood_messages(r):
    n0 = r.count()
    c = r.conn()
    c.cmd("EHLO client.example")
    one = (b"MAIL FROM:<flood@client.example>\r\nRCPT TO:<u@example.test>\r\nDATA\r\n"
           b"Subject: flood\r\n\r\nflood body\r\n.\r\n")
    c.send(one * 200)
    codes = recv_replies(c, 800, 60)
    queued = [x for x in codes if x and x[0] == 250 and "queued as" in x[1]]
    q = c.cmd("QUIT")
    c.close()
    r.result(len(queued) == 200 and q[0] == 221,
             "flood-messages: 200 pipelined transactions in one write: 200 queued",
             "%d queued; other replies %s" % (len(queued), [x for x in codes if not x or x[0] not in (250, 354)][:5]))
    r.result(r.settle(n0 + 200) == n0 + 200, "flood-messages: queue holds 200 more")


def rcpt_limit(r):
    n0 = r.count()
    c = r.conn()
    c.cmd("EHLO client.example")
    c.cmd("MAIL FROM:<many@client.example>")
    c.send(b"".join(b"RCPT TO:<u%d@example.test>\r\n" % i for i in range(1001)))
    codes = recv_replies(c, 1001, 30)
    n250 = sum(1 for x in codes if x and x[0] == 250)
    last = codes[-1] if codes else None
    r.result(n250 == 1000 and last and last[0] == 452 and "4.5.3" in last[1],
             "rcpt-limit: 1,001 RCPTs: 1,000 x 250 then 452 4.5.3 Error: too many recipients",
             "%d x 250, last %s" % (n250, last))
    c.cmd("DATA")
    c.send(b"Subject: many\r\n\r\nmany\r\n.\r\n")
    code, text = c.reply()
    c.close()
    qid = mt.queued_id(text[-1] if text else "")
    r.result(code == 250 and qid, "rcpt-limit: the message is queued", (code, text))
    if qid and r.nrcpt:
        r.result(r.nrcpt(qid) == 1000, "rcpt-limit: with 1,000 recipients", r.nrcpt(qid))
    r.settle(n0 + 1)


def size_limit(r):
    n0 = r.count()
    c = r.conn()
    c.cmd("EHLO client.example")
    a = c.cmd("MAIL FROM:<big@client.example> SIZE=200000")
    r.result(a[0] == 552 and a[1][-1].startswith("5.3.4"),
             "size-limit: MAIL SIZE=200000 gets 552 5.3.4 Message size exceeds fixed limit", a)
    # a new connection: Postfix 3.7 keeps the refused SIZE for the next MAIL
    c.close()
    c = r.conn()
    c.cmd("EHLO client.example")
    c.cmd("MAIL FROM:<big@client.example>")
    c.cmd("RCPT TO:<u@example.test>")
    c.cmd("DATA")
    c.send(b"Subject: big\r\n\r\n" + (b"y" * 998 + b"\r\n") * 200 + b".\r\n")
    b = c.reply()
    after = c.cmd("NOOP")
    c.close()
    r.result(b[0] == 552 and b[1][-1].startswith("5.3.4") and after[0] == 250,
             "size-limit: a 200 KB message gets 552 5.3.4, session goes on", (b, after))
    r.result(r.settle(n0) == n0, "size-limit: nothing queued")


def errors(r):
    c = r.conn()
    replies = [c.cmd("BOGUS%d" % i) for i in range(21)]
    tail = c.reply()
    c.close()
    codes = [x[0] for x in replies]
    r.result(codes[:20] == [500] * 20 or all(500 <= (x or 0) < 600 for x in codes[:20]),
             "errors: 20 unknown commands get 5xx", codes[:20])
    r.result(codes[20] == 421 and "too many errors" in replies[20][1][-1] and tail[0] is None,
             "errors: the 21st gets 421 4.7.0 mx.example.test Error: too many errors and the close",
             (replies[20], tail))


def garbage_data(r):
    c = r.conn()
    r.ehlo_mail_rcpt(c)
    c.cmd("DATA")
    c.send(b"Subject: g\r\n\r\nok\r\n.\r\n")
    ok = c.reply()
    c.send(b"\x01\x02\xff garbage\r\n")
    g = c.reply()
    q = c.cmd("QUIT")
    c.close()
    r.result(ok[0] == 250 and g[0] is not None and 500 <= g[0] < 600 and q[0] == 221,
             "garbage-data: garbage after end-of-data gets a 5xx (Postfix: 500 5.5.2 bad UTF-8 syntax), "
             "QUIT gets 221", (ok, g, q))


def mid_data_drop(r):
    n0 = r.count()
    c = r.conn()
    r.ehlo_mail_rcpt(c)
    c.cmd("DATA")
    c.send(b"Subject: dropped\r\n\r\n" + b"half a message\r\n" * 100)
    c.s.shutdown(socket.SHUT_RDWR)
    c.close()
    time.sleep(0.5)
    r.result(r.settle(n0) == n0, "mid-data-drop: a client gone mid-DATA leaves nothing queued")


def slow_drip(r):
    n0 = r.count()
    c = r.conn(timeout=30)
    t = time.monotonic()
    msg = (b"HELO slow.example\r\nMAIL FROM:<slow@client.example>\r\nRCPT TO:<u@example.test>\r\n"
           b"DATA\r\nSubject: s\r\n\r\nslow\r\n.\r\n")
    try:
        for i in range(len(msg)):
            c.send(msg[i:i + 1])
            time.sleep(0.05)
        codes = recv_replies(c, 5, 10)
    except OSError as e:
        codes = [str(e)]
    c.close()
    last = codes[-1] if codes else None
    r.result(last and last[0] == 250 and "queued as" in last[1],
             "slow-drip: a session at 1 byte per 50 ms (%.1fs) is queued" % (time.monotonic() - t), codes)


def many_idle(r, n=1000, limit=50, wait=20.0):
    import select
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < n + 200:
        resource.setrlimit(resource.RLIMIT_NOFILE, (max(n + 200, 4096), max(hard, n + 200, 4096)))
    socks, counts, bad = [], {"220": 0, "421": 0}, []
    t = time.monotonic()
    for i in range(n):
        try:
            socks.append(socket.create_connection(("127.0.0.1", r.port), timeout=10,
                                                  source_address=(STRANGER, 0)))
        except OSError as e:
            bad.append("connect %d: %s" % (i, e))
    pending = list(socks)
    deadline = time.monotonic() + wait
    while pending and time.monotonic() < deadline:
        ready = set()
        for i in range(0, len(pending), 500):          # select() takes fds < 1024 only
            chunk = pending[i:i + 500]
            rr = select.select(chunk, [], [], 0.05)[0]
            ready.update(rr)
        for s in ready:
            try:
                data = s.recv(512)
            except OSError as e:
                data = str(e).encode()
            code = data[:3].decode(errors="replace")
            if code in counts:
                counts[code] += 1
            else:
                bad.append(data[:80])
        pending = [s for s in pending if s not in ready]
    answered_in = time.monotonic() - t
    if pending:
        bad.append("%d connections unanswered after %.0fs" % (len(pending), wait))
    # a normal session meanwhile
    try:
        out = mt.session(r.port, ["EHLO client.example", "MAIL FROM:<normal@client.example>",
                                  "RCPT TO:<u@example.test>", "DATA", "QUIT"],
                         data=b"Subject: normal\r\n\r\nwhile 1000 idle\r\n.\r\n")
        normal = out[-2][1] == 250
    except OSError as e:
        out, normal = str(e), False
    for s in socks:
        s.close()
    r.result(not bad and counts["220"] + counts["421"] == n,
             "many-idle: %d connections each got a banner or a 421 (220: %d, 421: %d) in %.1fs"
             % (n, counts["220"], counts["421"], answered_in), bad[:5])
    r.result(counts["220"] <= limit, "many-idle: no more 220s than smtpd_client_connection_count_limit (%d)"
             % limit, counts)
    r.result(normal, "many-idle: meanwhile a normal session is queued", out)


SCENARIOS = [("long-command", long_command), ("nul-command", nul_command), ("nul-data", nul_data),
             ("bare-lf", bare_lf), ("non-smtp", non_smtp), ("flood-noop", flood_noop), ("flood-messages", flood_messages),
             ("rcpt-limit", rcpt_limit), ("size-limit", size_limit), ("errors", errors),
             ("garbage-data", garbage_data), ("mid-data-drop", mid_data_drop),
             ("many-idle", many_idle)]


def run_all(r, only=None):
    """slow-drip (~5 s) runs beside many-idle, the last one, which counts
    nothing in the queue."""
    th = None
    for name, fn in SCENARIOS:
        if only and name not in only:
            continue
        if name == "many-idle" and (not only or "slow-drip" in only):
            th = threading.Thread(target=slow_drip, args=(r,))
            th.start()
        try:
            fn(r)
        except Exception as e:  # a scenario that broke is a failure, the rest go on
            r.result(False, "%s: raised %s: %s" % (name, type(e).__name__, e))
    if only and "slow-drip" in only and not th:
        slow_drip(r)
    if th:
        th.join(60)


def postfix_main():
    tmp = mt.tempdir("abuse-postfix-")
    port = mt.free_port()
    strict = mt.free_port()
    conf = mt.write_config(os.path.join(tmp, "conf"), port, ABUSE_MAIN_CF,
                           master_extra=ABUSE_MASTER_CF.format(port=strict))
    mc = open(os.path.join(conf, "main.cf")).read().replace("127.0.0.0/8", "127.0.0.1/32")
    open(os.path.join(conf, "main.cf"), "w").write(mc)
    pf = mt.PrivatePostfix(conf, os.path.join(tmp, "pf"), extra=[("default_process_limit", "200")]).start(port)

    def show(qid):
        return subprocess.run(["postcat", "-c", pf.conf, "-b", "-q", qid], stdout=subprocess.PIPE,
                              text=True, errors="surrogateescape").stdout

    def nrcpt(qid):
        out = subprocess.run(["postcat", "-c", pf.conf, "-e", "-q", qid], stdout=subprocess.PIPE,
                             text=True).stdout
        return len(re.findall(r"^recipient: ", out, re.M))
    r = Run(port, pf.queue_count, "postfix-abuse", show, strict)
    r.nrcpt = nrcpt
    try:
        run_all(r, os.environ.get("ONLY", "").split(",") if os.environ.get("ONLY") else None)
    finally:
        pf.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    return r.failures


if __name__ == "__main__":
    if "--postfix" in sys.argv:
        sys.exit(1 if postfix_main() else 0)
    sys.exit("use from tests/mtad-abuse.sh, or --postfix")
