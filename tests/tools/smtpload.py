#!/usr/bin/env python3
"""smtpload.py: an SMTP load client that remembers what the server
promised to keep.

Runs S sessions in parallel (asyncio); each sends K messages (a new
connection after K, default 1 as smtp-source does) until M messages have
been tried or the time is up. Every message has its own Message-ID and
body; for each 250 answer to end-of-data it records the queue id from
"queued as ID" and the SHA-256 of the body as the server must store it
(after the header's blank line, dot-stuffing undone, lines joined with
"\\n"). A session that fails (refused, closed, a reply other than the
expected one, a timeout) is counted with its reason; the message it was
sending is not counted as accepted.

  smtpload.py --port P [--sessions S] [--messages M] [--per-session K]
              [--duration SEC] [--size BYTES] [--out accepted.jsonl]
              [--retry-connect]

Prints one JSON summary line: tried, accepted, failed_sessions, errors
({reason: count}), elapsed, rate. --out writes one JSON line per accepted
message: {"id", "sha256", "msgid", "seq"}."""
import argparse
import asyncio
import hashlib
import json
import re
import sys
import time

QUEUED_RE = re.compile(rb"^250[ -].*queued as ([0-9A-Za-z]+)")


def make_message(seq, size, tag):
    """(wire bytes after DATA incl. the final dot, body sha256, msgid)."""
    msgid = "<load.%s.%d@client.example>" % (tag, seq)
    head = ("From: <sender@client.example>\r\nTo: <user@example.test>\r\n"
            "Subject: load %d\r\nMessage-ID: %s\r\n\r\n" % (seq, msgid))
    lines, n, i = [], 0, 0
    while n < size:
        # every 7th line starts with a dot: the server must undo our stuffing
        line = ("%s%s seq %d line %d " % ("." if i % 7 == 3 else "", tag, seq, i)).ljust(76, "x")
        lines.append(line)
        n += len(line) + 2
        i += 1
    body = "\n".join(lines)
    wire = head + "".join(("." + l if l.startswith(".") else l) + "\r\n" for l in lines) + ".\r\n"
    return wire.encode(), hashlib.sha256(body.encode()).hexdigest(), msgid


class SessionError(Exception):
    pass


async def reply(reader, timeout):
    """One SMTP reply: (code, [lines])."""
    lines = []
    while True:
        line = await asyncio.wait_for(reader.readline(), timeout)
        if not line:
            raise SessionError("closed")
        lines.append(line.rstrip(b"\r\n"))
        if len(line) < 4 or line[3:4] != b"-":
            break
    try:
        return int(lines[-1][:3]), lines
    except ValueError:
        raise SessionError("garbled reply")


async def expect(reader, want, what, timeout):
    code, lines = await reply(reader, timeout)
    if code != want:
        raise SessionError("%s %d" % (what, code))
    return lines


class Load:
    def __init__(self, a):
        self.a = a
        self.seq = 0
        self.tried = 0
        self.accepted = []
        self.errors = {}
        self.failed_sessions = 0
        self.sessions = 0
        self.tag = "%x" % int(time.time() * 1000)
        self.deadline = time.monotonic() + a.duration if a.duration else None
        self.out = open(a.out, "w") if a.out else None

    def more(self):
        if self.deadline and time.monotonic() >= self.deadline:
            return False
        return self.a.messages == 0 or self.seq < self.a.messages

    def fail(self, why):
        self.failed_sessions += 1
        self.errors[why] = self.errors.get(why, 0) + 1

    async def session(self):
        a, t = self.a, self.a.timeout
        try:
            reader, writer = await asyncio.wait_for(
                asyncio.open_connection(a.host, a.port), t)
        except (OSError, asyncio.TimeoutError) as e:
            self.fail("connect: %s" % (e.strerror if isinstance(e, OSError) and e.strerror else type(e).__name__))
            if a.retry_connect:
                await asyncio.sleep(0.05)
            return
        self.sessions += 1
        try:
            await expect(reader, 220, "banner", t)
            writer.write(b"EHLO client.example\r\n")
            await expect(reader, 250, "EHLO", t)
            for _ in range(a.per_session):
                if not self.more():
                    break
                self.seq += 1
                seq = self.seq
                wire, sha, msgid = make_message(seq, a.size, self.tag)
                self.tried += 1
                writer.write(b"MAIL FROM:<sender@client.example>\r\n")
                await expect(reader, 250, "MAIL", t)
                writer.write(b"RCPT TO:<user@example.test>\r\n")
                await expect(reader, 250, "RCPT", t)
                writer.write(b"DATA\r\n")
                await expect(reader, 354, "DATA", t)
                writer.write(wire)
                lines = await expect(reader, 250, "end-of-data", t)
                m = QUEUED_RE.match(lines[-1])
                if not m:
                    raise SessionError("250 without queue id")
                rec = {"id": m.group(1).decode(), "sha256": sha, "msgid": msgid, "seq": seq}
                self.accepted.append(rec)
                if self.out:
                    self.out.write(json.dumps(rec) + "\n")
                    self.out.flush()
            writer.write(b"QUIT\r\n")
            await expect(reader, 221, "QUIT", t)
        except SessionError as e:
            self.fail(str(e))
        except asyncio.TimeoutError:
            self.fail("timeout")
        except OSError as e:
            self.fail("io: %s" % (e.strerror or type(e).__name__))
        finally:
            writer.close()
            try:
                await writer.wait_closed()
            except OSError:
                pass

    async def worker(self):
        while self.more():
            await self.session()

    async def run(self):
        t = time.monotonic()
        await asyncio.gather(*(self.worker() for _ in range(self.a.sessions)))
        el = time.monotonic() - t
        if self.out:
            self.out.close()
        return {"tried": self.tried, "accepted": len(self.accepted),
                "sessions": self.sessions, "failed_sessions": self.failed_sessions,
                "errors": self.errors, "elapsed": round(el, 3),
                "rate": round(len(self.accepted) / el, 1) if el > 0 else 0}


def parse(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--sessions", type=int, default=10)
    p.add_argument("--messages", type=int, default=0, help="0: until --duration")
    p.add_argument("--per-session", type=int, default=1)
    p.add_argument("--duration", type=float, default=0)
    p.add_argument("--size", type=int, default=2048)
    p.add_argument("--timeout", type=float, default=30)
    p.add_argument("--out")
    p.add_argument("--retry-connect", action="store_true")
    a = p.parse_args(argv)
    if not a.messages and not a.duration:
        p.error("--messages or --duration")
    return a


def run(argv=None):
    """(summary dict, [accepted records])."""
    load = Load(parse(argv))
    return asyncio.run(load.run()), load.accepted


if __name__ == "__main__":
    print(json.dumps(run()[0]))
