#!/usr/bin/env bash
# postmap-regex.sh: differential test of regexp: and pcre: lookups against
# Postfix's `postmap -q` (the oracle): generated tables (mixed case, flags,
# negation, if/endif nesting, substitutions, continuation lines, comments,
# and rules Postfix skips) with generated keys, and every regexp/pcre-like
# table of ../shared/corpus (as both types). Same stdout and exit status
# for `-q -` over all keys, and for single `-q KEY` lookups.
# Prints PASS/FAIL lines.
set -u
cd "$(dirname "$0")/../.."
MTACC=${MTACC:-build/mtacc}
command -v postmap >/dev/null || { echo "FAIL postmap not installed"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/cf"
: > "$tmp/cf/main.cf"
postconf -c "$tmp/cf" -m 2>/dev/null | grep -qx pcre || { echo "FAIL postfix-pcre not installed"; exit 1; }
SEED=${SEED:-1}

python3 - "$tmp" "$SEED" <<'PY'
import random, sys, os
tmp, seed = sys.argv[1], int(sys.argv[2])
rnd = random.Random(seed)
words = ["abc", "Mail", "example", "spam", "x1", "Subject", "from", "ZZ", "q", "user"]
chars = "abcxyzABCXYZ019.@-: "
def lit():
    w = rnd.choice(words)
    return "".join(c.upper() if rnd.random() < .3 else c for c in w)
def atom(pcre, depth=0):
    r = rnd.random()
    if r < .35: return lit()
    if r < .45: return "."
    if r < .55: return "[a-c0-9]"
    if r < .62: return "\\."
    if r < .68 and pcre: return rnd.choice(["\\d", "\\w", "\\s", "(?:ab|c)", "(?i)x", "(?!zz)"])
    if r < .80 and depth < 2: return "(" + seq(pcre, depth + 1) + ")"
    if r < .88 and depth < 2: return "(" + seq(pcre, depth + 1) + "|" + seq(pcre, depth + 1) + ")"
    return rnd.choice(chars.strip() or "a")
def seq(pcre, depth=0):
    s = ""
    for _ in range(rnd.randint(1, 3)):
        a = atom(pcre, depth)
        if rnd.random() < .2: a += rnd.choice(["*", "+", "?", "{1,2}"])
        s += a
    return s
def pattern(pcre):
    p = seq(pcre)
    if rnd.random() < .3: p = "^" + p
    if rnd.random() < .2: p += "$"
    if rnd.random() < .05: p = rnd.choice([".", "^", "(", "[a", "a**", "x{2,1}"])
    return p
def groups(p):
    return p.count("(") - p.count("(?") - p.count("\\(")
def result(p, neg):
    r = rnd.choice(["OK", "REJECT spam", "r$$x", "val"]) + str(rnd.randint(0, 99))
    g = groups(p)
    if not neg and g > 0 and rnd.random() < .6:
        n = rnd.randint(1, g + (1 if rnd.random() < .1 else 0))
        r += rnd.choice(["[$%d]", "${%d}", "$(%d)", "<$%d>"]) % n
    if rnd.random() < .03: r += rnd.choice([" $", " $a", " ${1", " $0"])
    return r
def table(pcre):
    flagset = "imsxAEU" if pcre else "imx"
    out, depth = [], 0
    for _ in range(rnd.randint(5, 40)):
        r = rnd.random()
        if r < .08 and depth < 3:
            out.append("if " + ("!" if rnd.random() < .3 else "") + "/" + pattern(pcre) + "/"); depth += 1; continue
        if r < .16 and depth > 0:
            out.append("endif"); depth -= 1; continue
        if r < .18: out.append("# a comment"); continue
        if r < .19: out.append(""); continue
        neg = rnd.random() < .15
        p = pattern(pcre)
        fl = "".join(rnd.choice(flagset) for _ in range(rnd.randint(0, 2))) if rnd.random() < .3 else ""
        if rnd.random() < .02: fl += "Q"
        d = "/" if rnd.random() < .85 else rnd.choice("|#%,")
        if d in p: d = "/"
        line = ("!" if neg else "") + d + p.replace("/", "\\/") + d + fl + "\t" + result(p, neg)
        if rnd.random() < .05:
            cut = rnd.randint(1, len(line) - 1); line = line[:cut] + "\n  " + line[cut:]
        out.append(line)
    if rnd.random() < .7:
        out += ["endif"] * depth
    return "\n".join(out) + "\n"
def key():
    s = "".join(rnd.choice(chars) for _ in range(rnd.randint(0, 8)))
    if rnd.random() < .7:
        s = s[:rnd.randint(0, len(s))] + lit() + s[rnd.randint(0, len(s)):]
    if rnd.random() < .3:
        s += lit()
    return s.strip() or "k"
os.makedirs(tmp + "/gen", exist_ok=True)
for i in range(60):
    for t in ("regexp", "pcre"):
        with open(f"{tmp}/gen/{t}{i}", "w") as f: f.write(table(t == "pcre"))
with open(tmp + "/keys", "w") as f:
    for _ in range(400): f.write(key() + "\n")
# hand-written cases: Postfix's parsing corners
cases = {
 "corners": "if/a/\n/b/ in\nendif junk\nIF !/q/\n/(x)(y)/ $2-${1}-$(1)-$$\n  cont\nENDIF\n! ! /zz/ double\n!!x! bad\n"
            "ifx/a/ r\n/x/ii case\n/a\\/b/ slash\n|a\\|b| bar\nendif\n  /lead/ ws\n/(u)?v/ [$1]\n/(w)/ $1x\n/(w)/ ${ 1 }\n"
            "/e/\n/f/   \n!/(n)/ $1\nif\n/g/ g\nendif\n/h/ a$ b\n/k/ $01\n",
}
for n, s in cases.items():
    for t in ("regexp", "pcre"):
        with open(f"{tmp}/gen/{t}-{n}", "w") as f: f.write(s)
PY

# corpus tables: every file that looks like a regexp/pcre table, as both types
corpus=${CORPUS:-$(cd .. && pwd)/shared/corpus}
ncorpus=0
if [ -d "$corpus" ]; then
    while IFS= read -r f; do
        ncorpus=$((ncorpus + 1))
        for t in regexp pcre; do cp "$f" "$tmp/gen/$t-corpus$ncorpus"; done
        echo "$f" > "$tmp/gen/corpus$ncorpus.src"
    done < <(find "$corpus" -type f ! -name 'main.cf*' ! -name 'master.cf*' ! -name '*.md' ! -name '*.json' \
                 -exec grep -lE '^!?/.*/|^if [!]?/' {} + | sort)
fi
# keys for the corpus: typical header lines, addresses, hosts, and the words of the tables
{
    cat "$tmp/keys"
    printf '%s\n' "Subject: make money fast" "To: friend@public.com" "Received: from mail.example.com (localhost [127.0.0.1])" \
        "X-Mailer: PHP/7.4" "User-Agent: Mozilla/5.0" "X-Originating-IP: [10.0.0.1]" "Received: from [192.168.1.1] by mx" \
        "postmaster@example.com" "owner-list@example.com" "list-outgoing@example.com" "localhost" "unknown" \
        "mail.example.com" "192.168.1.1" "EHLO localhost" "AUTH PLAIN" "X-Spam-Flag: YES" "Content-Type: text/html" \
        "Message-ID: <a@b>" "From: \"Bob\" <bob@example.com>" "MIME-Version: 1.0" "X-Mailer: The Bat!" "root@localhost"
    cat "$tmp"/gen/*corpus* 2>/dev/null | grep -oE '[A-Za-z][A-Za-z0-9_-]{2,}:?( [A-Za-z0-9.@-]+)?' | sort -u | head -600
} > "$tmp/allkeys"

fails=0 files=0 lookups=0
for tab in "$tmp"/gen/regexp* "$tmp"/gen/pcre*; do
    t=$(basename "$tab"); t=${t%%[0-9-]*}
    files=$((files + 1))
    keys=$tmp/keys
    case $tab in *corpus*) keys=$tmp/allkeys ;; esac
    exp=$(postmap -c "$tmp/cf" -q - "$t:$tab" < "$keys" 2>/dev/null); erc=$?
    act=$("$MTACC" check-table -q - other "$t:$tab" < "$keys" 2>/dev/null); arc=$?
    lookups=$((lookups + $(wc -l < "$keys")))
    if [ "$exp" != "$act" ] || [ $erc -ne $arc ]; then
        fails=$((fails + 1))
        echo "FAIL $t:$(basename "$tab") differs (postmap exit $erc, mtacc exit $arc)"
        [ -f "${tab#*-}.src" ] && cat "${tab#*-}.src"
        diff <(echo "$exp") <(echo "$act") | head -5
    fi
done
# single-key lookups: output and exit status
singles=0
for tab in "$tmp"/gen/regexp-corners "$tmp"/gen/pcre-corners "$tmp"/gen/regexp1 "$tmp"/gen/pcre1; do
    t=$(basename "$tab"); t=${t%%[0-9-]*}
    for k in "" a ab b x xy XY zz y ABc v uv w e f n g h k "a|b" "a/b" lead; do
        singles=$((singles + 1))
        exp=$(postmap -c "$tmp/cf" -q "$k" "$t:$tab" 2>/dev/null); erc=$?
        act=$("$MTACC" check-table -q "$k" other "$t:$tab" 2>/dev/null); arc=$?
        if [ "$exp" != "$act" ] || [ $erc -ne $arc ]; then
            fails=$((fails + 1))
            echo "FAIL $t:$(basename "$tab") -q '$k': postmap [$exp] exit $erc, mtacc [$act] exit $arc"
        fi
    done
done
if [ $fails -eq 0 ]; then
    echo "PASS postmap-regex: $files tables ($ncorpus corpus files as regexp and pcre), $lookups keyed lookups, $singles single lookups, 0 differences"
fi
