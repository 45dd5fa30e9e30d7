#!/usr/bin/env bash
# mtad-control.sh: the mtad master's commands against real daemons on
# 127.0.0.1 (random free ports, bounded waits, every daemon stopped in a
# trap): start/status/stop, a second start refused, commands without a
# daemon, reloads (generation, listeners added/removed, an unchanged
# listener never refusing a connection during 20 reloads), refused reloads
# (corrupt image, port taken) leaving the old image serving, a killed
# worker replaced, control permissions. Run with build/mtad and, when
# built, build/asan/mtad. Prints PASS/FAIL lines.
cd "$(dirname "$0")/.."
ROOT=$PWD
BUILD=${BUILD:-build}
MTACC=${MTACC:-$ROOT/$BUILD/mtacc}
T=$(mktemp -d)
chmod 755 "$T"                 # workers may run as mail_owner when we are root
QUEUES=()

cleanup() {
    for q in "${QUEUES[@]}"; do
        "$ROOT/$BUILD/mtad" stop -q "$q" >/dev/null 2>&1
        pid=$(cat "$q/pid/master.pid" 2>/dev/null | tr -d ' ')
        [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null
    done
    [ -n "${HOLDER:-}" ] && kill "$HOLDER" 2>/dev/null
    [ -n "${KEEP:-}" ] && echo "kept $T" || rm -rf "$T"
}
trap cleanup EXIT

pass() { echo "PASS $1"; }
fail() { echo "FAIL $1"; }
check() {  # name, then a command that must succeed
    local name=$1; shift
    if "$@"; then pass "$name"; else fail "$name"; fi
}

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# greets PORT: a connection gets a 220 greeting within 5 s
greets() {
    python3 - "$1" <<'EOF'
import socket, sys
try:
    s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
    sys.exit(0 if s.recv(4).startswith(b"220") else 1)
except OSError:
    sys.exit(1)
EOF
}

# refused PORT: connections are refused within 5 s
refused() {
    python3 - "$1" <<'EOF'
import socket, sys, time
end = time.time() + 5
while time.time() < end:
    try:
        socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=1).close()
    except ConnectionRefusedError:
        sys.exit(0)
    except OSError:
        pass
    time.sleep(0.05)
sys.exit(1)
EOF
}

# hold_port PORT: another process listens on it (HOLDER) until release_port
hold_port() {
    rm -f "$T/holder.out"
    python3 - "$1" > "$T/holder.out" <<'EOF' &
import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(1)
print("ready", flush=True); time.sleep(60)
EOF
    HOLDER=$!
    for _ in $(seq 1 50); do grep -qs ready "$T/holder.out" && break; sleep 0.1; done
}
release_port() { kill "$HOLDER" 2>/dev/null; wait "$HOLDER" 2>/dev/null; HOLDER=; }

# one_line_error CMD...: fails (non-zero) with exactly one line on stderr
one_line_error() {
    local err rc
    err=$("$@" 2>&1 >/dev/null); rc=$?
    [ "$rc" -ne 0 ] && [ "$(printf '%s\n' "$err" | wc -l)" -eq 1 ] && [ -n "$err" ] ||
        { echo "  ($*: exit $rc, stderr: $err)"; return 1; }
}

json_get() {  # file, python expression over j
    python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"
}

config() {  # dir, port... : the example configuration listening on those ports
    local dir=$1; shift
    mkdir -p "$dir"
    cp examples/default/main.cf "$dir/"
    echo "maillog_file = $(dirname "$dir")/maillog" >> "$dir/main.cf"
    grep -v '^127\.0\.0\.1:2525' examples/default/master.cf > "$dir/master.cf"
    for p in "$@"; do
        echo "127.0.0.1:$p inet n - n - - smtpd" >> "$dir/master.cf"
    done
}

suite() {  # the mtad binary, a tag for the test names
    local MTAD=$1 tag=$2
    local Q=$T/$tag/queue P1 P2 P3
    mkdir -p "$T/$tag"; chmod 755 "$T/$tag"
    QUEUES+=("$Q")
    P1=$(free_port); P2=$(free_port); P3=$(free_port)
    while [ "$P2" = "$P1" ]; do P2=$(free_port); done
    while [ "$P3" = "$P1" ] || [ "$P3" = "$P2" ]; do P3=$(free_port); done
    config "$T/$tag/a" "$P1"
    config "$T/$tag/b" "$P1" "$P2"
    config "$T/$tag/c" "$P1" "$P3"
    for c in a b c; do
        "$MTACC" build -c "$T/$tag/$c" -o "$T/$tag/$c.img" >/dev/null 2>&1 ||
            { fail "$tag: mtacc build $c"; return; }
    done
    local A=$T/$tag/a.img B=$T/$tag/b.img C=$T/$tag/c.img

    # ---- no daemon yet ----
    check "$tag: status without a daemon fails with one line" one_line_error "$MTAD" status -q "$Q"
    check "$tag: stop without a daemon fails with one line" one_line_error "$MTAD" stop -q "$Q"
    check "$tag: reload without a daemon fails with one line" one_line_error "$MTAD" reload -q "$Q" -i "$A"
    check "$tag: start with a missing image fails with one line" one_line_error "$MTAD" start -q "$Q" -i "$T/none.img"
    mkdir -p "$T/$tag/pfq/maildrop"
    check "$tag: start on a Postfix queue refused with one line" one_line_error "$MTAD" start -q "$T/$tag/pfq" -i "$A"

    # ---- start ----
    local out
    if out=$("$MTAD" start -i "$A" -q "$Q" 2>&1); then pass "$tag: start"
    else fail "$tag: start ($out)"; return; fi
    check "$tag: listening once start returns" greets "$P1"
    check "$tag: second start on the queue refused with one line" one_line_error "$MTAD" start -i "$A" -q "$Q"
    grep -q "already running" <<<"$("$MTAD" start -i "$A" -q "$Q" 2>&1)" &&
        pass "$tag: second start says a master is running" || fail "$tag: second start says a master is running"
    check "$tag: pid file and control socket exist" test -s "$Q/pid/master.pid" -a -S "$Q/pid/mtad.ctl"
    local LOG=$T/$tag/maillog
    grep -Eq '^[A-Z][a-z]{2} [ 0-9]{2} [0-9:]{8} [^ ]+ mtad/master\[[0-9]+\]: daemon started -- image ' "$LOG" &&
        pass "$tag: Postfix-format start line in maillog_file" || fail "$tag: start line in maillog_file ($(cat "$LOG"))"

    "$MTAD" status -q "$Q" --format json > "$T/s1.json" 2>&1
    local digest_a gen worker
    digest_a=$(json_get "$T/s1.json" 'j["digest"]')
    gen=$(json_get "$T/s1.json" 'j["generation"]')
    worker=$(json_get "$T/s1.json" '[w["pid"] for w in j["workers"] if not w["draining"]][0]')
    [ "$gen" = 1 ] && [ ${#digest_a} = 64 ] && [ -n "$worker" ] &&
        [ "$(json_get "$T/s1.json" '[l["endpoint"] for l in j["listeners"]]')" = "['127.0.0.1:$P1']" ] &&
        [ "$(json_get "$T/s1.json" 'sorted(j["queue"])')" = "['active', 'corrupt', 'deferred', 'hold', 'incoming']" ] &&
        pass "$tag: status json (generation 1, digest, listener, worker, queue counts)" ||
        fail "$tag: status json ($(cat "$T/s1.json"))"
    "$MTACC" inspect "$A" | grep -q "$digest_a" && pass "$tag: status digest is the image's" ||
        fail "$tag: status digest is the image's"
    "$MTAD" status -q "$Q" | grep -q "^generation  1$" && pass "$tag: status text" || fail "$tag: status text"

    # ---- a message through the worker: counted by status and in the queue ----
    python3 - "$P1" > "$T/$tag/smtp.out" 2>&1 <<'EOF'
import smtplib, sys
with smtplib.SMTP("127.0.0.1", int(sys.argv[1]), timeout=10) as c:
    c.ehlo("client.example.org")
    refused = c.sendmail("someone@example.org", ["postmaster@mail.example.com"],
                         b"Subject: test\r\n\r\nhello\r\n")
    print("accepted" if not refused else "refused %r" % refused)
EOF
    grep -q "^accepted$" "$T/$tag/smtp.out" && pass "$tag: a message accepted over SMTP" ||
        fail "$tag: a message accepted over SMTP ($(cat "$T/$tag/smtp.out"))"
    "$MTAD" status -q "$Q" --format json > "$T/s1m.json"
    [ "$(json_get "$T/s1m.json" 'sum(w["messages_accepted"] for w in j["workers"])')" = 1 ] &&
        [ "$(json_get "$T/s1m.json" 'sum(j["queue"].values())')" = 1 ] &&
        pass "$tag: status counts the message (worker, queue)" ||
        fail "$tag: status counts the message ($(cat "$T/s1m.json"))"
    "$MTAD" queue -q "$Q" count | grep -q "^total *1$" && pass "$tag: mtad queue count" ||
        fail "$tag: mtad queue count ($("$MTAD" queue -q "$Q" count 2>&1))"

    # ---- reload: listener added, unchanged one kept ----
    if out=$("$MTAD" reload -q "$Q" -i "$B" 2>&1); then pass "$tag: reload B"; else fail "$tag: reload B ($out)"; fi
    "$MTAD" status -q "$Q" --format json > "$T/s2.json"
    [ "$(json_get "$T/s2.json" 'j["generation"]')" = 2 ] && pass "$tag: reload increments the generation" ||
        fail "$tag: reload increments the generation"
    check "$tag: added listener reachable" greets "$P2"
    check "$tag: unchanged listener still serving" greets "$P1"

    # ---- reload: listener removed ----
    "$MTAD" reload -q "$Q" -i "$A" >/dev/null 2>&1
    check "$tag: removed listener closed" refused "$P2"
    check "$tag: kept listener serving after removal" greets "$P1"

    # ---- 20 reloads under a connection loop: nothing refused ----
    python3 - "$P1" "$T/$tag/loop.stop" > "$T/$tag/loop.out" <<'EOF' &
import os, socket, sys, time
port, stop = int(sys.argv[1]), sys.argv[2]
ok = refused = other = 0
why = set()
while not os.path.exists(stop):
    try:
        s = socket.create_connection(("127.0.0.1", port), timeout=5)
        s.settimeout(5)
        got = s.recv(4)
        if got.startswith(b"220"): ok += 1
        else: other += 1; why.add(repr(got))
        s.close()
    except ConnectionRefusedError:
        refused += 1
    except OSError as e:
        other += 1; why.add(repr(e))
    time.sleep(0.003)
print(ok, refused, other, " ".join(sorted(why)))
EOF
    local loop=$! bad=0
    sleep 0.2
    for i in $(seq 1 20); do
        img=$A; [ $((i % 2)) = 1 ] && img=$B
        "$MTAD" reload -q "$Q" -i "$img" >/dev/null 2>&1 || bad=$((bad + 1))
        sleep 0.05
    done
    sleep 0.2
    touch "$T/$tag/loop.stop"
    wait $loop
    local ok nref other
    local why
    read -r ok nref other why < "$T/$tag/loop.out"
    [ "$bad" = 0 ] && pass "$tag: 20 reloads accepted" || fail "$tag: 20 reloads accepted ($bad refused)"
    [ "${nref:-1}" = 0 ] && [ "${other:-1}" = 0 ] && [ "${ok:-0}" -gt 20 ] &&
        pass "$tag: no connection refused during 20 reloads ($ok served)" ||
        fail "$tag: connections during 20 reloads: $ok served, $nref refused, $other failed ($why)"
    "$MTAD" status -q "$Q" --format json > "$T/s3.json"
    gen=$(json_get "$T/s3.json" 'j["generation"]')
    [ "$gen" = 23 ] && pass "$tag: generation 23 after 22 reloads" || fail "$tag: generation $gen after 22 reloads"
    # the drained workers of the old generations exit
    local n=99
    for _ in $(seq 1 50); do
        "$MTAD" status -q "$Q" --format json > "$T/s4.json"
        n=$(json_get "$T/s4.json" 'len(j["workers"])')
        [ "$n" = 1 ] && break
        sleep 0.1
    done
    [ "$n" = 1 ] && pass "$tag: drained workers exit" || fail "$tag: drained workers exit ($n workers left)"

    # ---- refused reloads leave the old image serving ----
    "$MTAD" status -q "$Q" --format json > "$T/s5.json"
    local digest_before gen_before
    digest_before=$(json_get "$T/s5.json" 'j["digest"]')
    gen_before=$(json_get "$T/s5.json" 'j["generation"]')
    cp "$B" "$T/corrupt.img"
    python3 - "$T/corrupt.img" <<'EOF'
import sys
p = sys.argv[1]
b = bytearray(open(p, "rb").read())
for i in range(len(b) // 2, len(b) // 2 + 16):
    b[i] ^= 0xA5
open(p, "wb").write(b)
EOF
    err=$("$MTAD" reload -q "$Q" -i "$T/corrupt.img" 2>&1 >/dev/null); rc=$?
    [ $rc -ne 0 ] && [ "$(wc -l <<<"$err")" = 1 ] && grep -q "reload refused: .*corrupt.img" <<<"$err" &&
        pass "$tag: corrupt image refused with the reason" || fail "$tag: corrupt image refused (exit $rc: $err)"
    head -c 100 "$B" > "$T/short.img"
    one_line_error "$MTAD" reload -q "$Q" -i "$T/short.img" && pass "$tag: truncated image refused" ||
        fail "$tag: truncated image refused"
    hold_port "$P3"
    err=$("$MTAD" reload -q "$Q" -i "$C" 2>&1 >/dev/null); rc=$?
    [ $rc -ne 0 ] && grep -q "cannot bind" <<<"$err" && pass "$tag: reload refused when a new port is taken" ||
        fail "$tag: reload refused when a new port is taken (exit $rc: $err)"
    release_port
    "$MTAD" status -q "$Q" --format json > "$T/s6.json"
    [ "$(json_get "$T/s6.json" 'j["digest"]')" = "$digest_before" ] &&
        [ "$(json_get "$T/s6.json" 'j["generation"]')" = "$gen_before" ] &&
        pass "$tag: refused reloads keep the old image (digest, generation)" ||
        fail "$tag: refused reloads keep the old image"
    check "$tag: still serving after refused reloads" greets "$P1"

    # ---- a killed worker is replaced ----
    worker=$(json_get "$T/s6.json" '[w["pid"] for w in j["workers"] if not w["draining"]][0]')
    kill -9 "$worker"
    local replaced=
    for _ in $(seq 1 100); do
        "$MTAD" status -q "$Q" --format json > "$T/s7.json"
        replaced=$(json_get "$T/s7.json" '[w["pid"] for w in j["workers"] if not w["draining"]]')
        [ "$replaced" != "[]" ] && [ "$replaced" != "[$worker]" ] && break
        replaced=
        sleep 0.1
    done
    [ -n "$replaced" ] && pass "$tag: killed worker replaced" || fail "$tag: killed worker replaced"
    grep -q "mtad/master\[[0-9]*\]: warning: smtpd worker pid $worker killed by signal 9$" "$LOG" &&
        pass "$tag: killed worker logged as a warning" || fail "$tag: killed worker logged ($(tail -3 "$LOG"))"
    grep -q "warning: reload refused, generation $gen_before keeps serving: .*corrupt.img" "$LOG" &&
        pass "$tag: refused reload logged" || fail "$tag: refused reload logged"
    check "$tag: replacement serves" greets "$P1"

    # ---- only root or the master's uid may stop or reload ----
    if [ "$(id -u)" = 0 ] && command -v runuser >/dev/null; then
        err=$(runuser -u nobody -- "$MTAD" stop -q "$Q" 2>&1); rc=$?
        [ $rc -ne 0 ] && grep -q "permission denied" <<<"$err" && pass "$tag: stop by another user refused" ||
            fail "$tag: stop by another user refused (exit $rc: $err)"
        runuser -u nobody -- "$MTAD" status -q "$Q" >/dev/null 2>&1 && pass "$tag: status by another user" ||
            fail "$tag: status by another user"
    fi

    # ---- a session in progress: counted by status, told 421 by stop ----
    python3 - "$P1" > "$T/$tag/session.out" <<'EOF' &
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=30)
f = s.makefile("rb")
print(f.readline().decode().strip(), flush=True)
print(f.readline().decode().strip(), flush=True)   # what stop says
EOF
    local session=$! now=
    for _ in $(seq 1 50); do
        grep -q "^220" "$T/$tag/session.out" && break; sleep 0.1
    done
    for _ in $(seq 1 50); do
        "$MTAD" status -q "$Q" --format json > "$T/s8.json"
        now=$(json_get "$T/s8.json" 'j["sessions_now"]')
        [ "$now" = 1 ] && break; sleep 0.1
    done
    [ "$now" = 1 ] && pass "$tag: status counts the session in progress" ||
        fail "$tag: status counts the session in progress ($now)"
    "$MTAD" status -q "$Q" | grep -q "^sessions    1 now$" && pass "$tag: status text sessions" ||
        fail "$tag: status text sessions"

    # ---- stop ----
    local t0=$SECONDS
    if out=$("$MTAD" stop -q "$Q" 2>&1); then pass "$tag: stop"; else fail "$tag: stop ($out)"; fi
    [ $((SECONDS - t0)) -lt 5 ] && pass "$tag: stop with a session open is quick" ||
        fail "$tag: stop took $((SECONDS - t0)) s"
    wait "$session"
    grep -q "^421 4.3.2 " "$T/$tag/session.out" && pass "$tag: the open session got 421 at stop" ||
        fail "$tag: the open session got 421 at stop ($(cat "$T/$tag/session.out"))"
    check "$tag: listener closed after stop" refused "$P1"
    check "$tag: pid file and socket removed" test ! -e "$Q/pid/master.pid" -a ! -e "$Q/pid/mtad.ctl"
    check "$tag: status after stop fails with one line" one_line_error "$MTAD" status -q "$Q"
    pgrep -f "$MTAD start -i $A" >/dev/null && fail "$tag: no process left after stop" ||
        pass "$tag: no process left after stop"

    # ---- start refused when a port is taken ----
    hold_port "$P1"
    err=$("$MTAD" start -i "$A" -q "$Q" 2>&1 >/dev/null); rc=$?
    [ $rc -ne 0 ] && [ "$(wc -l <<<"$err")" = 1 ] && grep -q "cannot bind" <<<"$err" &&
        pass "$tag: start refused with one line when the port is taken" ||
        fail "$tag: start refused when the port is taken (exit $rc: $err)"
    release_port
    check "$tag: no master left after a refused start" test ! -e "$Q/pid/mtad.ctl"
}

# ---- the command line ----
MTAD=$ROOT/$BUILD/mtad
"$MTAD" --help | grep -q "^  reload" && pass "mtad --help" || fail "mtad --help"
"$MTAD" --version | grep -q "^mtad [0-9]" && pass "mtad --version" || fail "mtad --version"
for c in start stop reload status; do
    "$MTAD" $c --help | grep -q "^usage: mtad $c" && pass "mtad $c --help" || fail "mtad $c --help"
done
"$MTAD" frob >/dev/null 2>&1; [ $? = 2 ] && pass "unknown command: exit 2" || fail "unknown command: exit 2"
"$MTAD" status --bogus >/dev/null 2>&1; [ $? = 2 ] && pass "unknown option: exit 2" || fail "unknown option: exit 2"

suite "$ROOT/$BUILD/mtad" mtad
[ -x "$ROOT/$BUILD/asan/mtad" ] && suite "$ROOT/$BUILD/asan/mtad" asan
exit 0
