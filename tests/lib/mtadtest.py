"""mtadtest.py: what the mtad integration tests and benchmarks share.

- a configuration directory both mtacc and Postfix 3.7 accept (main.cf,
  master.cf with one smtpd on 127.0.0.1:PORT), built into an image;
- Mtad: start/stop/reload/status/queue commands of build/mtad on a queue
  directory of its own (background start, bounded waits, kill on cleanup);
- PrivatePostfix: a private Postfix instance (config_directory and
  queue_directory under a temp dir; /etc/postfix is never read or touched);
- free_port, wait_port, pids and memory (RSS/PSS) of process trees.

Every server binds 127.0.0.1 only."""
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.environ.get("BUILD", "build")
DOMAIN = "example.test"
SENDER = "sender@client.example"

MAIN_CF = """\
# written by tests/lib/mtadtest.py
compatibility_level = 3.6
myhostname = mx.{domain}
mydomain = {domain}
myorigin = $mydomain
mydestination = $myhostname, {domain}, localhost
mynetworks = 127.0.0.0/8
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
alias_maps =
alias_database =
local_recipient_maps =
smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination
{extra}"""

MASTER_CF = """\
# written by tests/lib/mtadtest.py
127.0.0.1:{port} inet n - n - - smtpd{opts}
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
tlsmgr    unix  -       -       n       1000?   1       tlsmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
proxywrite unix -       -       n       -       1       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
local     unix  -       n       n       -       -       local
virtual   unix  -       n       n       -       -       virtual
lmtp      unix  -       -       n       -       -       lmtp
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
"""


class Report:
    """PASS/FAIL lines of one test: "PASS name: what"; a failure prints
    its detail indented below."""

    def __init__(self, name):
        self.name, self.failures = name, 0

    def result(self, ok, what, detail=""):
        print("%s %s: %s" % ("PASS" if ok else "FAIL", self.name, what))
        if not ok:
            self.failures += 1
            if detail:
                print("  " + str(detail)[:3000].replace("\n", "\n  "))
        sys.stdout.flush()
        return ok

    def have(self, binary):
        """The binary is built (else a failure)."""
        if os.access(binary, os.X_OK):
            return True
        return self.result(False, "%s is built" % binary)

    def need(self, binary):
        """Exit failing unless the binary is built; self otherwise."""
        if not self.have(binary):
            sys.exit(1)
        return self

    def status(self):
        return 1 if self.failures else 0


def tail(path, n=30):
    """The last n lines of a log file ("" if there is none)."""
    try:
        with open(path, errors="replace") as f:
            return "".join(f.readlines()[-n:])
    except OSError:
        return ""


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def wait_port(port, timeout=15.0, host="127.0.0.1"):
    """True once something accepts connections on host:port."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection((host, port), timeout=1).close()
            return True
        except OSError:
            time.sleep(0.05)
    return False


def write_config(confdir, port, main_extra="", smtpd_opts=(), master_extra=""):
    """main.cf + master.cf accepting mail for example.test from 127.0.0.0/8;
    master_extra: more master.cf lines (another smtpd listener)."""
    os.makedirs(confdir, exist_ok=True)
    with open(os.path.join(confdir, "main.cf"), "w") as f:
        f.write(MAIN_CF.format(domain=DOMAIN, extra=main_extra))
    opts = "".join("\n  -o %s" % o for o in smtpd_opts)
    with open(os.path.join(confdir, "master.cf"), "w") as f:
        f.write(MASTER_CF.format(port=port, opts=opts) + master_extra)
    return confdir


def bin_path(name, asan=False):
    return os.path.join(ROOT, BUILD, "asan" if asan else "", name).replace("//", "/")


def build_image(confdir, img, mtacc=None):
    mtacc = mtacc or os.environ.get("MTACC") or bin_path("mtacc")
    p = subprocess.run([mtacc, "build", "-c", confdir, "-o", img],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if p.returncode != 0:
        raise RuntimeError("mtacc build failed (%d):\n%s" % (p.returncode, p.stdout))
    return img


# --------------------------------------------------------------------------
# processes and memory

def children(pid):
    """Direct children of pid (from /proc/PID/task/*/children)."""
    out = []
    try:
        for t in os.listdir("/proc/%d/task" % pid):
            with open("/proc/%d/task/%s/children" % (pid, t)) as f:
                out += [int(x) for x in f.read().split()]
    except OSError:
        pass
    return out


def tree(pid):
    """pid and all its descendants."""
    seen, todo = [], [pid]
    while todo:
        p = todo.pop()
        if p in seen:
            continue
        seen.append(p)
        todo += children(p)
    return seen


def mem_kb(pid):
    """(rss_kb, pss_kb) of one process from smaps_rollup; (0, 0) if gone."""
    rss = pss = 0
    try:
        with open("/proc/%d/smaps_rollup" % pid) as f:
            for line in f:
                if line.startswith("Rss:"):
                    rss = int(line.split()[1])
                elif line.startswith("Pss:"):
                    pss = int(line.split()[1])
    except OSError:
        pass
    return rss, pss


def tree_mem_kb(pids):
    rss = pss = 0
    for p in pids:
        r, s = mem_kb(p)
        rss += r
        pss += s
    return rss, pss


def pid_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def pids_named(exe_path):
    """pids whose /proc/PID/exe is exe_path (our own binary, by path)."""
    want = os.path.realpath(exe_path)
    out = []
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                if os.path.realpath("/proc/%s/exe" % d) == want:
                    out.append(int(d))
            except OSError:
                pass
    return out


# --------------------------------------------------------------------------
# mtad

class Mtad:
    """build/mtad on an image and a queue directory of its own."""

    def __init__(self, img, qdir, binary=None, asan=False, log=None):
        self.bin = binary or os.environ.get("MTAD") or bin_path("mtad", asan)
        self.img, self.qdir = img, qdir
        self.log = log or os.path.join(os.path.dirname(qdir.rstrip("/")), "mtad.log")
        self.proc = None

    def cmd(self, *args, timeout=30, check=False):
        p = subprocess.run([self.bin] + list(args), stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True, timeout=timeout)
        if check and p.returncode != 0:
            raise RuntimeError("mtad %s: exit %d\n%s%s" % (" ".join(args), p.returncode,
                                                            p.stdout, p.stderr))
        return p

    def start(self, port=None, timeout=20, foreground=True):
        """Start in the foreground (its stderr log goes to self.log), wait for
        the port (when given) to accept."""
        os.makedirs(self.qdir, exist_ok=True)
        if foreground:
            self.logf = open(self.log, "a")
            self.proc = subprocess.Popen([self.bin, "start", "-f", "-i", self.img, "-q", self.qdir],
                                         stdout=self.logf, stderr=subprocess.STDOUT,
                                         start_new_session=True)
        else:
            self.cmd("start", "-i", self.img, "-q", self.qdir, check=True, timeout=timeout)
        if port and not wait_port(port, timeout):
            self.kill()
            raise RuntimeError("mtad did not listen on %d within %ds:\n%s"
                               % (port, timeout, self.log_tail()))
        return self

    def master_pid(self):
        if self.proc and self.proc.poll() is None:
            return self.proc.pid
        st = self.status()
        if st:
            for k in ("pid", "master_pid"):
                if isinstance(st.get(k), int):
                    return st[k]
        return None

    def pids(self):
        mp = self.master_pid()
        return tree(mp) if mp else []

    def status(self):
        p = self.cmd("status", "-q", self.qdir, "--format", "json", timeout=10)
        if p.returncode != 0:
            return None
        try:
            return json.loads(p.stdout)
        except ValueError:
            return None

    def reload(self, img=None):
        return self.cmd("reload", "-i", img or self.img, "-q", self.qdir, timeout=30)

    def queue_count(self):
        p = self.cmd("queue", "-q", self.qdir, "count", "--format", "json", check=True)
        v = json.loads(p.stdout)
        if isinstance(v, int):
            return v
        if isinstance(v, dict):
            if "total" in v:
                return int(v["total"])
            return sum(int(x) for x in v.values() if isinstance(x, int))
        raise RuntimeError("queue count: unexpected %r" % v)

    def queue_list(self):
        p = self.cmd("queue", "-q", self.qdir, "list", "--format", "json", check=True, timeout=60)
        v = json.loads(p.stdout) if p.stdout.strip().startswith(("[", "{")) else [
            json.loads(l) for l in p.stdout.splitlines() if l.strip()]
        if isinstance(v, dict):
            for k in ("messages", "queue"):
                if k in v:
                    return v[k]
        return v

    def queue_ids(self):
        """The set of queue ids `mtad queue list` shows."""
        out = set()
        for m in self.queue_list():
            out.add(m["id"] if isinstance(m, dict) else str(m))
        return out

    def queue_show(self, qid):
        p = self.cmd("queue", "-q", self.qdir, "show", qid, "--format", "json", check=True)
        return json.loads(p.stdout)

    def stop(self, timeout=20):
        if self.proc is None and self.master_pid() is None:
            return
        self.cmd("stop", "-q", self.qdir, timeout=timeout)
        if self.proc:
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.kill()
            self.proc = None

    def kill(self, sig=signal.SIGKILL):
        """Signal every process of the daemon: its process group and every
        process running our binary on this queue (workers that left it)."""
        pids = set(self.pids())
        if self.proc:
            pids.add(self.proc.pid)
            try:
                os.killpg(self.proc.pid, sig)
            except OSError:
                pass
        for p in pids:
            try:
                os.kill(p, sig)
            except OSError:
                pass
        if self.proc:
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                pass
            self.proc = None
        deadline = time.monotonic() + 10
        while any(pid_alive(p) for p in pids) and time.monotonic() < deadline:
            time.sleep(0.02)

    def log_tail(self, n=30):
        return tail(self.log, n)


# --------------------------------------------------------------------------
# private Postfix

POSTFIX_OVERRIDES = [
    ("mail_owner", "postfix"),
    ("setgid_group", "postdrop"),
    ("multi_instance_enable", "no"),
    ("master_service_disable", ""),
    ("service_throttle_time", "1s"),
]


class PrivatePostfix:
    """A private Postfix instance on a copy of confdir: config_directory,
    queue_directory, data_directory and maillog_file under tmp.

    deliver=False runs no qmgr (and pickup): cleanup still writes and
    fsyncs every queue file as usual and wakes the queue manager through
    its fifo (public/qmgr, which we create and drain, so cleanup logs no
    "unable to look up public/qmgr" per message), then nothing moves the
    file, so the queue only fills. in_flow_delay is 0 then, since without
    qmgr no mail-flow tokens arrive and cleanup would pause 1 s per
    message."""

    def __init__(self, confsrc, tmp, deliver=False, extra=()):
        self.tmp = tmp
        self.conf = os.path.join(tmp, "conf")
        self.queue = os.path.join(tmp, "queue")
        self.maillog = os.path.join(tmp, "maillog")
        os.makedirs(tmp, mode=0o755, exist_ok=True)
        shutil.copytree(confsrc, self.conf)
        ov = POSTFIX_OVERRIDES + [
            ("queue_directory", self.queue),
            ("data_directory", os.path.join(tmp, "data")),
            ("maillog_file", self.maillog),
            ("maillog_file_prefixes", tmp),
        ] + list(extra)
        if not deliver:
            ov.append(("in_flow_delay", "0s"))
            with open(os.path.join(self.conf, "master.cf")) as f:
                lines = f.read().splitlines(True)
            with open(os.path.join(self.conf, "master.cf"), "w") as f:
                f.writelines(l for l in lines if not re.match(r"(qmgr|pickup)\s", l))
        subprocess.run(["postconf", "-c", self.conf, "-e"] + ["%s=%s" % kv for kv in ov],
                       check=True, stdout=subprocess.DEVNULL)
        past = time.time() - 60     # Postfix waits for a main.cf younger than 1 s
        for f in os.listdir(self.conf):
            os.utime(os.path.join(self.conf, f), (past, past))
        os.makedirs(self.queue, exist_ok=True)
        os.chmod(self.queue, 0o755)
        self.master_pid = None
        self.deliver = deliver
        self.fifo_fd = None

    def start(self, port=None, timeout=20):
        p = subprocess.run(["postfix", "-c", self.conf, "start"], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True)
        if p.returncode != 0:
            raise RuntimeError("postfix start failed:\n%s%s" % (p.stdout, self.log_tail()))
        if not self.deliver:
            self._idle_qmgr_fifo()
        try:
            with open(os.path.join(self.queue, "pid", "master.pid")) as f:
                self.master_pid = int(f.read().split()[0])
        except (OSError, ValueError, IndexError):
            pass
        if port and not wait_port(port, timeout):
            self.stop()
            raise RuntimeError("postfix did not listen on %d:\n%s" % (port, self.log_tail()))
        return self

    def _idle_qmgr_fifo(self):
        import pwd, grp, threading
        fifo = os.path.join(self.queue, "public", "qmgr")
        if not os.path.exists(fifo):
            os.mkfifo(fifo, 0o622)
            os.chown(fifo, pwd.getpwnam("postfix").pw_uid, grp.getgrnam("postdrop").gr_gid)
        self.fifo_fd = os.open(fifo, os.O_RDWR)
        self.fifo_stop = False

        # The thread must be gone before the fd is closed: a closed fd's
        # number is soon reused (by the next subprocess's stdout pipe), and
        # a reader still looping on it would swallow that output.
        def drain(fd):
            try:
                while os.read(fd, 4096) and not self.fifo_stop:
                    pass
            except OSError:
                pass
        self.fifo_thread = threading.Thread(target=drain, args=(self.fifo_fd,), daemon=True)
        self.fifo_thread.start()

    def pids(self):
        return tree(self.master_pid) if self.master_pid else []

    def queue_count(self):
        n = 0
        for sub in ("incoming", "active", "deferred", "hold", "maildrop"):
            for _, _, files in os.walk(os.path.join(self.queue, sub)):
                n += len(files)
        return n

    def stop(self):
        subprocess.run(["postfix", "-c", self.conf, "stop"], stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 15
        while self.master_pid and pid_alive(self.master_pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        if self.master_pid and pid_alive(self.master_pid):
            try:
                os.killpg(self.master_pid, signal.SIGKILL)
            except OSError:
                pass
        self.master_pid = None
        if self.fifo_fd is not None:
            self.fifo_stop = True
            os.write(self.fifo_fd, b"x")     # wakes the reader, which then ends
            self.fifo_thread.join(5)
            os.close(self.fifo_fd)
            self.fifo_fd = None

    def log_tail(self, n=30):
        return tail(self.maillog, n)


def tempdir(prefix):
    """A temp dir others can traverse (Postfix's daemons run as postfix)."""
    d = tempfile.mkdtemp(prefix=prefix, dir=os.environ.get("TMPDIR", "/tmp"))
    os.chmod(d, 0o755)
    return d


# --------------------------------------------------------------------------
# a plain SMTP client for scripted sessions

class Smtp:
    """One connection; reply() returns (code, [text lines]) or (None, why)."""

    def __init__(self, port, source="127.0.0.1", timeout=10, host="127.0.0.1"):
        self.s = socket.create_connection((host, port), timeout=timeout,
                                          source_address=(source, 0))
        self.buf = b""
        self.timeout = timeout

    def readline(self):
        while b"\n" not in self.buf:
            chunk = self.s.recv(65536)
            if not chunk:
                return None
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        return line.rstrip(b"\r")

    def reply(self):
        lines = []
        try:
            while True:
                line = self.readline()
                if line is None:
                    return (None, lines + ["<closed>"])
                lines.append(line.decode("utf-8", "replace"))
                if len(line) < 4 or line[3:4] != b"-":
                    break
            return (int(lines[-1][:3]), [l[4:] for l in lines])
        except socket.timeout:
            return (None, lines + ["<timeout>"])
        except (ValueError, OSError) as e:
            return (None, lines + ["<%s>" % e])

    def send(self, data):
        if isinstance(data, str):
            data = data.encode()
        self.s.sendall(data)

    def cmd(self, line):
        """Send one command line, return its reply."""
        try:
            self.send(line + "\r\n")
        except OSError as e:
            return (None, ["<%s>" % e])
        return self.reply()

    def line(self, line):
        """'CODE text' of the last reply line, as a string."""
        code, text = self.cmd(line)
        return "%s %s" % (code, text[-1] if text else "")

    def close(self):
        try:
            self.s.close()
        except OSError:
            pass


def session(port, commands, source="127.0.0.1", data=None):
    """Banner, then each command; with data (bytes incl. the final dot
    line) after a 354. Returns the list of (command, code, last text)."""
    c = Smtp(port, source)
    out = []
    code, text = c.reply()
    out.append(("CONNECT", code, text[-1] if text else ""))
    for cmd in commands:
        code, text = c.cmd(cmd)
        out.append((cmd, code, text[-1] if text else ""))
        if cmd == "DATA" and code == 354 and data is not None:
            c.send(data)
            code, text = c.reply()
            out.append(("END-OF-DATA", code, text[-1] if text else ""))
    c.close()
    return out


def queued_id(text):
    m = re.search(r"queued as ([0-9A-Za-z]+)", text or "")
    return m.group(1) if m else None
