#!/usr/bin/env bash
# lookup-orders.sh: differential tests of the lookup orders and of aliases(5).
#  1. `mtacc query --as ORDER` against Postfix: for every query, the key
#     forms of the order (tests/lib/lookup_orders.py, written from the man
#     pages) are looked up with `postmap -q -` in hash tables with random
#     subsets of those keys; the first key postmap finds must be the key
#     mtacc reports, with the same value. Several parameter settings.
#  2. aliases(5): every alias file of the corpus and generated probes:
#     `mtacc postalias --source -s` equals `postalias -s` (less the YP_
#     entries), `mtacc postalias -q -` reads postalias's .db as
#     `postalias -q -` does, and `mtacc query --as aliases --source` finds
#     what `postalias -q` finds for the local part, then the unextended one.
cd "$(dirname "$0")/../.." || exit 2
MTACC=${MTACC:-$PWD/build/mtacc}
command -v postmap >/dev/null && command -v postalias >/dev/null ||
    { echo "FAIL postmap/postalias not installed"; exit 1; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/cf"; : > "$tmp/cf/main.cf"
export MAIL_CONFIG=$tmp/cf
G=tests/lib/lookup_orders.py
cases=0 fails=0

fail() { fails=$((fails + 1)); echo "FAIL lookup-orders $*"; }

python3 $G gen "$tmp" "${SEED:-7}" || { echo "FAIL generator"; exit 1; }
for t in "$tmp"/t*.src; do
    tb=${t%.src}
    cp "$t" "$tb"
    postmap hash:"$tb" 2>/dev/null || { fail "postmap $tb"; continue; }
    postmap -q - hash:"$tb" < "$tmp/cands" > "$tb.hits" 2>/dev/null
    for c in $(python3 $G cases); do
        order=$(python3 $G order "$c")
        mapfile -t ps < <(python3 $G params "$c")
        oargs=()
        for p in "${ps[@]}"; do [ -n "$p" ] && oargs+=(-o "$p"); done
        python3 $G expect "$tmp" hash:"$tb" "$tb.hits" "$c" > "$tmp/want"
        "$MTACC" query --as "$order" "${oargs[@]}" -q - hash:"$tb" < "$tmp/$c.q" 2>"$tmp/err" |
            awk -F'\t' '{ print $1 "\t" $3 "\t" $5 }' > "$tmp/got"
        n=$(wc -l < "$tmp/$c.q")
        cases=$((cases + n))
        if ! cmp -s "$tmp/want" "$tmp/got"; then
            fail "$c on $(basename "$tb") ($n queries)"
            diff "$tmp/want" "$tmp/got" | head -6
        else
            echo "PASS lookup-orders $c on $(basename "$tb"): $n queries, $(wc -l < "$tmp/got") hits"
        fi
    done
done

# ---- aliases(5) ----
aliases_files=()
while IFS= read -r f; do aliases_files+=("$f"); done < <(
    find /work/shared/corpus -type f \( -name aliases -o -name 'aliases.*' \) \
        ! -name '*.cf' ! -name '*.db' 2>/dev/null | sort -u)
# probes: every special after/inside atoms, quoting, comments, continuations
python3 - "$tmp/probe.aliases" <<'PY'
import sys, itertools
toks = ['a', '"q"', '(c)', '[d]', '!', '%', '|', ')', '.', ':', ';', '<', '>', '@', ']', ',',
        '\\x', 'a\\ b', '"x\\"y"', '(n(e)st)', '"open', '(open', '[open']
out = []
for i, (x, y) in enumerate(itertools.product(toks, toks)):
    out.append(f"k{i}: {x}{y}\n")
    out.append(f"s{i}: {x} {y}\n")
out += ['Root: Admin,  bob ,"|/usr/bin/cmd arg"\n', '"Quoted Name": /var/file\n',
        'multi: a,\n  b,\n\tc\n', '# comment\n', 'cont: x\n # inside\n  y\n',
        'a"b"c: r\n', '"MiXed"X: s\n', 'dup: one\n', 'dup: two\n', 'empty:\n', 'noval\n',
        'user@dom: x\n', 's%t: y\n', '"a@b": ok\n', 'v,w: z\n', 'tab:\t t\tu  \n',
        'inc: :include:/etc/x, /dev/null, "|exit 67"\n', '"": emptykey\n']
open(sys.argv[1], 'w').write(''.join(out))
PY
aliases_files+=("$tmp/probe.aliases")
na=0
for f in "${aliases_files[@]}"; do
    na=$((na + 1))
    a=$tmp/al$na
    cp "$f" "$a"
    postalias hash:"$a" 2>/dev/null || { fail "postalias $f"; continue; }
    postalias -s hash:"$a" 2>/dev/null | grep -v '^YP_' | LC_ALL=C sort > "$a.theirs"
    "$MTACC" postalias --source -s hash:"$a" 2>/dev/null | LC_ALL=C sort > "$a.ours"
    n=$(wc -l < "$a.theirs")
    cases=$((cases + n))
    if cmp -s "$a.theirs" "$a.ours"; then
        echo "PASS lookup-orders aliases entries $f ($n)"
    else
        fail "aliases entries $f"; diff "$a.theirs" "$a.ours" | head -6
    fi
    # keys: the stored ones, upper-cased ones, extensions and misses
    { cut -f1 "$a.theirs" | sed 's/:$//'; cut -f1 "$a.theirs" | sed 's/:$//' | tr a-z A-Z
      cut -f1 "$a.theirs" | sed 's/:$/+ext/'; echo nosuchalias; } | grep -v '^$' > "$a.keys"
    postalias -q - hash:"$a" < "$a.keys" > "$a.q1" 2>/dev/null
    "$MTACC" postalias -q - hash:"$a" < "$a.keys" > "$a.q2" 2>/dev/null
    "$MTACC" postalias --source -q - hash:"$a" < "$a.keys" > "$a.q3" 2>/dev/null
    cases=$((cases + 2 * $(wc -l < "$a.keys")))
    cmp -s "$a.q1" "$a.q2" || { fail "postalias -q reads postalias's db: $f"; diff "$a.q1" "$a.q2" | head -4; }
    cmp -s "$a.q1" "$a.q3" || { fail "postalias --source -q: $f"; diff "$a.q1" "$a.q3" | head -4; }
    # the aliases order: local part lowercased, then without the extension
    grep -v '@' "$a.keys" > "$a.lkeys"
    python3 - "$a.lkeys" "$a.q1" > "$a.want" <<'PY'
import sys
hits = {}
for l in open(sys.argv[2]):
    k, v = l.rstrip('\n').split(':\t', 1)
    hits[k] = v
for q in open(sys.argv[1]):
    q = q.rstrip('\n'); l = q.lower()
    cands = [l] + ([l.split('+', 1)[0]] if '+' in l[1:] and l.lower() not in ('postmaster', 'mailer-daemon', 'double-bounce') and l.index('+') > 0 else [])
    for c in cands:
        if c in hits:
            print(f"{q}\t{c}\t{hits[c]}"); break
PY
    "$MTACC" query --as aliases --source -o recipient_delimiter=+ \
        -o propagate_unmatched_extensions= -q - hash:"$a" < "$a.lkeys" 2>/dev/null |
        awk -F'\t' '{ print $1 "\t" $3 "\t" $5 }' > "$a.got"
    cases=$((cases + $(wc -l < "$a.lkeys")))
    cmp -s "$a.want" "$a.got" || { fail "query --as aliases: $f"; diff "$a.want" "$a.got" | head -4; }
done
echo "lookup-orders: $cases comparisons, $na alias files, $fails failures"
[ $fails -eq 0 ] && echo "PASS lookup-orders all" || echo "FAIL lookup-orders all"
[ $fails -eq 0 ]
