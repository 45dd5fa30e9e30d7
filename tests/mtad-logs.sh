#!/usr/bin/env bash
# mtad-logs.sh: mtad's log read by the tools that read Postfix's logs.
# The same sessions (4 accepted messages, rejected clients, senders,
# recipients and relay attempts, a session with too many errors) go to
# mtad (started in the background, so logging to maillog_file) and, when we are root and Postfix is
# installed, to a private Postfix with the same main.cf. Then:
#   - pflogsumm --syslog-name=mtad counts the messages received (4) and
#     rejected (one per rejected RCPT) as on Postfix's log, reject by
#     reject reason;
#   - fail2ban's postfix filter (/etc/fail2ban/filter.d/postfix.conf,
#     package fail2ban), through fail2ban-regex with _daemon widened to
#     mtad's name, matches as many lines, for the same client addresses,
#     as on Postfix's log; without fail2ban-regex its failregex for
#     "NOQUEUE: reject: RCPT from" is tried with Python's re.
# Prints PASS/FAIL lines.
cd "$(dirname "$0")/.." || exit 2
exec python3 - "$@" <<'EOF'
import os, re, shutil, subprocess, sys, time
sys.path.insert(0, "tests/lib")
import mtadtest as mt



EXTRA = """\
smtpd_error_sleep_time = 0
smtpd_hard_error_limit = 5
smtpd_client_restrictions = check_client_access cidr:$config_directory/clients.cidr
smtpd_sender_restrictions = check_sender_access inline:{ spammer@bad.example=REJECT }
smtpd_recipient_restrictions = check_recipient_access regexp:$config_directory/rcpt.regexp
"""
ACCEPTED = 4
F2B_FILTER = "/etc/fail2ban/filter.d/postfix.conf"


def make_conf(dirname, port, maillog):
    conf = mt.write_config(dirname, port, EXTRA + "maillog_file = %s\n" % maillog)
    with open(os.path.join(conf, "main.cf")) as f:
        mc = f.read().replace("mynetworks = 127.0.0.0/8", "mynetworks = 127.0.0.1/32")
    with open(os.path.join(conf, "main.cf"), "w") as f:
        f.write(mc)
    with open(os.path.join(conf, "clients.cidr"), "w") as f:
        f.write("127.0.0.3 REJECT\n")
    with open(os.path.join(conf, "rcpt.regexp"), "w") as f:
        f.write("/^nobody@/ REJECT no such user here\n")
    return conf


def sessions(port):
    """The same sessions for both servers; returns the replies."""
    out = []
    for i in range(ACCEPTED):
        out += mt.session(port, ["EHLO client.example", "MAIL FROM:<s%d@client.example>" % i,
                                 "RCPT TO:<u@example.test>", "RCPT TO:<nobody@example.test>",
                                 "DATA", "QUIT"],
                          data=b"Subject: log %d\r\n\r\nbody\r\n.\r\n" % i)
    out += mt.session(port, ["EHLO client.example", "MAIL FROM:<a@client.example>",
                             "RCPT TO:<x@foreign.example>", "QUIT"], source="127.0.0.2")
    out += mt.session(port, ["EHLO client.example", "MAIL FROM:<a@client.example>",
                             "RCPT TO:<u@example.test>", "QUIT"], source="127.0.0.3")
    out += mt.session(port, ["EHLO client.example", "MAIL FROM:<spammer@bad.example>",
                             "RCPT TO:<u@example.test>", "QUIT"], source="127.0.0.4")
    out += mt.session(port, ["BOGUS"] * 6, source="127.0.0.5")
    return out


def pflogsumm(log, name):
    p = subprocess.run(["pflogsumm", "--syslog-name=%s" % name, "--detail", "20", log],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    text = p.stdout
    def tot(what):
        m = re.search(r"^\s*(\d+)\s+%s\b" % what, text, re.M)
        return int(m.group(1)) if m else None
    sec = re.search(r"^message reject detail\n-+\n(.*?)\n\n", text, re.S | re.M)
    reasons = sec.group(1) if sec else None
    return {"received": tot("received"), "rejected": tot("rejected"), "reasons": reasons}, text


def f2b(log, daemon):
    """Matched line count and banned hosts by fail2ban-regex, or by re."""
    if shutil.which("fail2ban-regex"):
        flt = "%s[_daemon=%s]" % (F2B_FILTER, daemon) if daemon else F2B_FILTER
        p = subprocess.run(["fail2ban-regex", "--print-all-matched", log, flt],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        m = re.search(r"^Lines: \d+ lines, \d+ ignored, (\d+) matched", p.stdout, re.M)
        hosts = sorted(set(re.findall(r"\[(127\.0\.0\.\d+)\]", "\n".join(
            l for l in p.stdout.splitlines() if l.startswith("|  ")))))
        return (int(m.group(1)) if m else None), hosts, p.stdout
    # the failregex for "NOQUEUE: reject: RCPT from" in Python
    rx = re.compile(r"NOQUEUE: reject: RCPT from [^[]*\[(?P<host>[^\]]+)\](?::\d+)?: [45][50][04] "
                    r"[45]\.\d\.\d+ (?:(?:<[^>]*>)?: )?(?:(?:Helo command|(?:Sender|Recipient) address)"
                    r" rejected: )?(?:Service unavailable|(?:Client host|Command|Data command) rejected|"
                    r"Relay access denied|(?:Host|Domain) not found|need fully-qualified hostname|match|"
                    r"[Uu](?:ser unknown|ndeliverable address))\b")
    hosts, n = set(), 0
    for l in open(log, errors="replace"):
        m = rx.search(l)
        if m:
            n += 1
            hosts.add(m.group("host"))
    return n, sorted(hosts), ""


SMTPD_LINE = re.compile(r"/smtpd\[\d+\]: (?:[0-9A-F]{6,}: |NOQUEUE: )?(.*)$")
KINDS = ("reject: ", "too many errors after", "disconnect from", "client=")


def smtpd_lines(log):
    """The smtpd lines pflogsumm and fail2ban read, queue ids left out."""
    out = []
    for l in open(log, errors="replace"):
        m = SMTPD_LINE.search(l.rstrip("\n"))
        if m and m.group(1).startswith(KINDS):
            out.append(m.group(1))
    return sorted(out)


def find_log(maillog, d):
    for _ in range(50):
        if os.path.exists(maillog) and os.path.getsize(maillog) > 0:
            return maillog
        time.sleep(0.1)
    return d.log      # the foreground log on stderr


rep = mt.Report("mtad-logs").need(mt.bin_path("mtad"))
result = rep.result
tmp = mt.tempdir("mtad-logs-")
pf = None
d = None
try:
    port = mt.free_port()
    maillog = os.path.join(tmp, "mtad-maillog")
    conf = make_conf(os.path.join(tmp, "conf"), port, maillog)
    img = mt.build_image(conf, os.path.join(tmp, "logs.img"))
    d = mt.Mtad(img, os.path.join(tmp, "queue"), log=os.path.join(tmp, "mtad.stderr"))
    d.start(port, foreground=False)      # maillog_file is for the background
    ours_replies = sessions(port)
    time.sleep(0.5)
    d.stop()
    log = find_log(maillog, d)
    result(log == maillog, "mtad in the background writes maillog_file",
           "no %s; using the stderr log" % maillog)
    lines = open(log, errors="replace").read().splitlines()
    syslike = [l for l in lines if re.match(r"^\w{3} [ \d]\d \d\d:\d\d:\d\d \S+ mtad/\w+\[\d+\]: ", l)]
    result(lines and len(syslike) == len(lines),
           "every log line is 'Mon DD HH:MM:SS host mtad/role[pid]: ...' (%d of %d)" % (len(syslike), len(lines)),
           [l for l in lines if l not in syslike][:5])
    ours, ours_text = pflogsumm(log, "mtad")
    n_rej_rcpt = sum(1 for c, code, _ in ours_replies if c.startswith("RCPT") and code and code >= 400)
    result(ours["received"] == ACCEPTED, "pflogsumm: %s received (want %d)" % (ours["received"], ACCEPTED),
           ours_text[:1500])
    result(ours["rejected"] == n_rej_rcpt, "pflogsumm: %s rejected (want %d, one per rejected RCPT)"
           % (ours["rejected"], n_rej_rcpt), ours)
    n_f2b, hosts, f2b_text = f2b(log, r"mtad/\w+")
    # relay denied, client rejected, too many errors (the filter's list of
    # reasons has neither "Access denied" for senders nor our own texts)
    want_hosts = ["127.0.0.2", "127.0.0.3", "127.0.0.5"]
    result(n_f2b is not None and hosts == want_hosts,
           "fail2ban postfix filter finds the rejected and erring clients %s (%s lines)" % (hosts, n_f2b),
           f2b_text[-2000:])

    if os.geteuid() == 0 and shutil.which("postfix"):
        pport = mt.free_port()
        pconf = make_conf(os.path.join(tmp, "pconf"), pport, "/dev/null")
        pf = mt.PrivatePostfix(pconf, os.path.join(tmp, "postfix"),
                               extra=[("smtpd_client_connection_count_limit", "0")]).start(pport)
        theirs_replies = sessions(pport)
        time.sleep(1)
        pf.stop()
        pf_sum, pf_text = pflogsumm(pf.maillog, "postfix")
        result(ours["received"] == pf_sum["received"] and ours["rejected"] == pf_sum["rejected"],
               "pflogsumm totals as on Postfix's log of the same sessions (received %s/%s, rejected %s/%s)"
               % (ours["received"], pf_sum["received"], ours["rejected"], pf_sum["rejected"]))
        result(ours["reasons"] == pf_sum["reasons"], "pflogsumm reject detail as on Postfix's log",
               "mtad:\n%s\nPostfix:\n%s" % (ours["reasons"], pf_sum["reasons"]))
        pn, phosts, _ = f2b(pf.maillog, None)
        result((n_f2b, hosts) == (pn, phosts),
               "fail2ban matches as on Postfix's log (%s lines %s vs %s lines %s)" % (n_f2b, hosts, pn, phosts))
        ours_l, theirs_l = smtpd_lines(log), smtpd_lines(pf.maillog)
        result(ours_l == theirs_l, "smtpd's reject, client=, too-many-errors and disconnect lines "
               "read as Postfix's (%d lines)" % len(theirs_l),
               "only mtad:\n%s\nonly Postfix:\n%s" % ("\n".join(x for x in ours_l if x not in theirs_l),
                                                      "\n".join(x for x in theirs_l if x not in ours_l)))
        strip = lambda rs: [(c, code) for c, code, _ in rs]
        result(strip(ours_replies) == strip(theirs_replies), "the sessions got Postfix's reply codes",
               "\n".join("%s: mtad %s postfix %s" % (a[0], a[1], b[1])
                         for a, b in zip(ours_replies, theirs_replies) if a[1] != b[1]))
finally:
    if pf:
        pf.stop()
    if d:
        d.stop()
    if rep.failures and d:
        print("  mtad log tail:\n" + d.log_tail(15))
    shutil.rmtree(tmp, ignore_errors=True)
sys.exit(rep.status())
EOF
