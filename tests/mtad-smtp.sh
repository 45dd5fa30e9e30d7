#!/usr/bin/env bash
# mtad-smtp.sh: SMTP sessions against a running mtad (127.0.0.1, a free
# port, its own queue directory), checked against what it queued and
# against `mtacc simulate` and a private Postfix:
#   - swaks and smtp-source sessions are accepted and queued (queue count);
#   - the envelope is kept: sender, recipients, DSN NOTIFY/ORCPT/RET/ENVID;
#   - the content is intact (dot-stuffed lines undone), a Received: header
#     is prepended, Message-ID/Date (and From) are added when missing and
#     left alone when present, as Postfix's cleanup does (compared with
#     what the private Postfix queued for the same session, via postcat,
#     when Postfix is installed and we are root);
#   - rejected clients, senders and recipients get the reply lines
#     `mtacc simulate` gives for the same session on the same config;
#     sessions without a valid recipient queue nothing.
# Prints PASS/FAIL lines.
cd "$(dirname "$0")/.." || exit 2
exec python3 - "$@" <<'EOF'
import os, re, shutil, subprocess, sys, time
sys.path.insert(0, "tests/lib")
import mtadtest as mt
import queue_json as qj



EXTRA = """\
smtpd_client_restrictions = check_client_access cidr:$config_directory/clients.cidr
smtpd_sender_restrictions = check_sender_access inline:{ spammer@bad.example=REJECT, {blocked@bad.example=550 5.7.1 go away} }
smtpd_recipient_restrictions = check_recipient_access regexp:$config_directory/rcpt.regexp
"""
rep = mt.Report("mtad-smtp").need(mt.bin_path("mtad"))
result = rep.result
tmp = mt.tempdir("mtad-smtp-")
port = mt.free_port()
conf = mt.write_config(os.path.join(tmp, "conf"), port, EXTRA)
with open(os.path.join(conf, "main.cf")) as f:
    text = f.read().replace("mynetworks = 127.0.0.0/8", "mynetworks = 127.0.0.1/32")
with open(os.path.join(conf, "main.cf"), "w") as f:
    f.write(text)
with open(os.path.join(conf, "clients.cidr"), "w") as f:
    f.write("127.0.0.3 REJECT\n127.0.0.4 554 5.7.1 not you\n")
with open(os.path.join(conf, "rcpt.regexp"), "w") as f:
    f.write("/^nobody@/ REJECT no such user here\n/^later@/ 450 4.2.0 try later\n")
img = mt.build_image(conf, os.path.join(tmp, "smtp.img"))
d = mt.Mtad(img, os.path.join(tmp, "queue"), log=os.path.join(tmp, "mtad.log"))
pf = None


def show(qid):
    try:
        return d.queue_show(qid)
    except Exception as e:
        return {"error": str(e)}


try:
    d.start(port)
    c = mt.Smtp(port)
    code, text = c.reply()
    result(code == 220 and text[0].startswith("mx.example.test"), "banner 220 mx.example.test", text)
    c.close()
    n0 = d.queue_count()

    # ---- swaks, two recipients ---------------------------------------------
    sw = subprocess.run(["swaks", "--server", "127.0.0.1", "--port", str(port),
                         "--helo", "client.example", "--from", "s1@client.example",
                         "--to", "a@example.test,b@example.test",
                         "--header", "Subject: swaks test", "--body", "hello from swaks\n.leading dot\n"],
                        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=30)
    qid = None
    for l in sw.stdout.splitlines():
        qid = qid or mt.queued_id(l)
    result(sw.returncode == 0 and qid, "swaks gets 250 queued as ID", sw.stdout[-1500:])
    if qid:
        j = show(qid)
        result(qj.sender(j) == "s1@client.example"
               and [r[0] for r in qj.rcpts(j)] == ["a@example.test", "b@example.test"],
               "swaks message: sender and both recipients in the queue file", j)
        heads, body = qj.split(qj.content(j))
        result("hello from swaks\n.leading dot" in body and ("subject", "swaks test") in
               [(n.lower(), v) for n, v in heads], "swaks message: subject and body intact", j)

    # ---- DSN parameters and content ------------------------------------------
    BODY = ["first line", "..two dots sent (one kept)", ".", " .space dot", "", "last line"]
    data = ("Subject: dsn test\r\nX-Test: kept\r\n\r\n" +
            "".join(("." + l if l.startswith(".") else l) + "\r\n" for l in BODY) + ".\r\n").encode()
    out = mt.session(port, ["EHLO client.example",
                            "MAIL FROM:<s2@client.example> RET=HDRS ENVID=env+2Bid42",
                            "RCPT TO:<u@example.test> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;u+2Bx@example.test",
                            "RCPT TO:<v@example.test> NOTIFY=NEVER",
                            "RCPT TO:<w@example.test>",
                            "DATA"], data=data)
    qid = mt.queued_id(out[-1][2])
    result(out[-1][1] == 250 and qid, "DSN session accepted", out)
    dsn_qid = qid
    if qid:
        j = show(qid)
        a = qj.attrs(j)
        rc = qj.rcpts(j)
        result(qj.sender(j) == "s2@client.example", "DSN: sender kept", j)
        result([r[0] for r in rc] == ["u@example.test", "v@example.test", "w@example.test"],
               "DSN: three recipients in order", rc)
        result(len(rc) == 3 and rc[0][2] == 6 and rc[1][2] == 1 and rc[2][2] == 0,
               "DSN: NOTIFY=SUCCESS,FAILURE / NEVER / none kept", rc)
        result(len(rc) == 3 and rc[0][1] in ("rfc822;u+x@example.test", "rfc822;u+2Bx@example.test")
               and rc[1][1] in (None, "", "rfc822;v@example.test"),
               "DSN: ORCPT kept (xtext decoded or as received)", rc)
        result(a.get("dsn_envid") in ("env+id42", "env+2Bid42"), "DSN: ENVID kept", a)
        result(str(a.get("dsn_ret", "")).upper() in ("HDRS", "2"), "DSN: RET=HDRS kept", a)
        heads, body = qj.split(qj.content(j))
        names = [n.lower() for n, _ in heads]
        result(body == "\n".join(BODY), "content: body intact, dot-stuffing undone",
               "%r\n!=\n%r" % (body, "\n".join(BODY)))
        rec = heads[0][1] if heads and names[0] == "received" else ""
        result(rec.startswith("from client.example (localhost [127.0.0.1])")
               and "by mx.example.test" in rec and ("id " + qid) in rec,
               "content: Received: header first (from HELO (name [addr]) by myhostname id QID)", heads[:1])
        result("message-id" in names and "date" in names and "from" in names
               and names.count("message-id") == 1,
               "content: Message-ID, Date and From added when missing", names)
        mid = dict((n.lower(), v) for n, v in heads).get("message-id", "")
        result(re.match(r"<[^@>]*%s[^@>]*@mx\.example\.test>$" % qid, mid) is not None,
               "content: added Message-ID is <...QID@myhostname> as Postfix's", mid)
        result(("x-test", "kept") in [(n.lower(), v) for n, v in heads], "content: own headers kept", heads)

    out = mt.session(port, ["EHLO client.example", "MAIL FROM:<s3@client.example>",
                            "RCPT TO:<u@example.test>", "DATA"],
                     data=b"Message-ID: <mine@client.example>\r\nDate: Mon, 1 Jan 2024 00:00:00 +0000\r\n"
                          b"From: <s3@client.example>\r\nSubject: has all\r\n\r\nbody\r\n.\r\n")
    qid = mt.queued_id(out[-1][2])
    full_qid = qid
    if qid:
        heads, body = qj.split(qj.content(show(qid)))
        hv = [(n.lower(), v) for n, v in heads]
        result(("message-id", "<mine@client.example>") in hv
               and [n for n, _ in hv].count("message-id") == 1
               and [n for n, _ in hv].count("date") == 1
               and ("date", "Mon, 1 Jan 2024 00:00:00 +0000") in hv,
               "content: Message-ID and Date present are kept, not added again", hv)
    else:
        result(False, "session with full headers accepted", out)

    # ---- compare with a private Postfix: which headers were added ----------
    if os.geteuid() == 0 and shutil.which("postfix") and dsn_qid:
        pport = mt.free_port()
        pconf = mt.write_config(os.path.join(tmp, "pconf"), pport, EXTRA)
        for f in ("clients.cidr", "rcpt.regexp"):
            shutil.copy(os.path.join(conf, f), pconf)
        with open(os.path.join(conf, "main.cf")) as f:
            mc = f.read()
        with open(os.path.join(pconf, "main.cf"), "w") as f:
            f.write(mc)
        pf = mt.PrivatePostfix(pconf, os.path.join(tmp, "postfix")).start(pport)
        for label, ours, sess in (
                ("missing headers", dsn_qid, (["EHLO client.example", "MAIL FROM:<s2@client.example>",
                                               "RCPT TO:<u@example.test>", "DATA"], data)),
                ("all headers", full_qid, (["EHLO client.example", "MAIL FROM:<s3@client.example>",
                                            "RCPT TO:<u@example.test>", "DATA"],
                                           b"Message-ID: <mine@client.example>\r\nDate: Mon, 1 Jan 2024 00:00:00 +0000\r\n"
                                           b"From: <s3@client.example>\r\nSubject: has all\r\n\r\nbody\r\n.\r\n"))):
            pout = mt.session(pport, sess[0], data=sess[1])
            pq = mt.queued_id(pout[-1][2])
            pc = subprocess.run(["postcat", "-c", pf.conf, "-bh", "-q", pq], stdout=subprocess.PIPE,
                                text=True).stdout if pq else ""
            pc = "\n".join(l for l in pc.splitlines() if not l.startswith("*** "))
            theirs = qj.header_names(pc)
            mine = qj.header_names(qj.content(show(ours))) if ours else []
            result(sorted(mine) == sorted(theirs),
                   "content (%s): the header names Postfix's cleanup stores" % label,
                   "mtad %s\nPostfix %s" % (mine, theirs))
            result(qj.split(pc)[1] == qj.split(qj.content(show(ours)))[1] if ours else False,
                   "content (%s): body as Postfix stores it" % label)
        pf.stop()
        pf = None

    # ---- smtp-source ---------------------------------------------------------
    n1 = d.queue_count()
    ss = subprocess.run(["/usr/sbin/smtp-source", "-s", "5", "-m", "50", "-l", "1024",
                         "-M", "client.example", "-f", "s4@client.example", "-t", "u@example.test",
                         "127.0.0.1:%d" % port], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                        text=True, timeout=60)
    n2 = d.queue_count()
    result(ss.returncode == 0 and n2 - n1 == 50,
           "smtp-source -s 5 -m 50: 50 more messages queued (%d)" % (n2 - n1), ss.stdout[-1000:])

    # ---- rejects: the same reply lines as mtacc simulate -------------------------
    cases = [
        ("127.0.0.2", "a@b.example", ["x@foreign.example", "u@example.test"]),
        ("127.0.0.3", "a@b.example", ["u@example.test"]),
        ("127.0.0.4", "a@b.example", ["u@example.test"]),
        ("127.0.0.1", "spammer@bad.example", ["u@example.test"]),
        ("127.0.0.1", "blocked@bad.example", ["u@example.test", "v@example.test"]),
        ("127.0.0.1", "a@b.example", ["nobody@example.test", "later@example.test", "ok@example.test"]),
        ("127.0.0.1", "<>", ["nobody@example.test"]),
    ]
    import json
    n3 = d.queue_count()
    for client, sender, rcpts in cases:
        args = [mt.bin_path("mtacc"), "simulate", "-i", img, "--client", client,
                "--helo", "client.example", "--sender", sender, "--format", "json"] + \
            sum((["--rcpt", r] for r in rcpts), [])
        sim = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        try:
            sj = json.loads(sim.stdout)
        except ValueError:
            result(False, "mtacc simulate %s %s gives JSON" % (client, sender),
                   "exit %d: %r" % (sim.returncode, sim.stdout[-2000:]))
            continue
        want = ["%d %s" % (sj["mail"]["code"], sj["mail"]["text"])] + \
               ["%d %s" % (r["code"], r["text"]) for r in sj["rcpt"]]
        s = "<>" if sender == "<>" else "<%s>" % sender
        try:
            got = mt.session(port, ["EHLO client.example", "MAIL FROM:%s" % s] +
                             ["RCPT TO:<%s>" % r for r in rcpts] + ["RSET", "QUIT"], source=client)
        except OSError as e:
            result(False, "session from %s" % client, e)
            continue
        got = ["%s %s" % (c, t) for _, c, t in got[2:3 + len(rcpts)]]
        result(got == want, "rejects from %s MAIL FROM:%s: replies as mtacc simulate" % (client, s),
               "mtad:     %s\nsimulate: %s" % (got, want))
    # DATA without a valid recipient
    got = mt.session(port, ["EHLO client.example", "MAIL FROM:<a@b.example>",
                            "RCPT TO:<nobody@example.test>", "DATA", "QUIT"])
    result(got[4][1] == 554 and "no valid recipients" in got[4][2],
           "DATA without a valid recipient: 554 5.5.1 Error: no valid recipients", got)
    result(d.queue_count() == n3, "rejected sessions queued nothing")
    st = d.status()
    result(st is not None, "mtad status --format json works", st)
finally:
    if pf:
        pf.stop()
    d.stop()
    if rep.failures:
        print("  mtad log tail:\n" + d.log_tail(15))
    shutil.rmtree(tmp, ignore_errors=True)
sys.exit(rep.status())
EOF
