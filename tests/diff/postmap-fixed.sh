#!/usr/bin/env bash
# postmap-fixed.sh: differential test of `mtacc query` / `mtacc postmap`
# against Postfix's postmap for hash, btree, texthash, cidr, inline,
# static, unionmap and pipemap: generated tables (thousands of random keys)
# and every hash/btree/texthash/cidr table that the corpus configurations
# reference. Stdout and exit status must be identical. Prints PASS/FAIL.
cd "$(dirname "$0")/../.." || exit 2
MTACC=${MTACC:-$PWD/build/mtacc}
command -v postmap >/dev/null || { echo "FAIL postmap not installed"; exit 1; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/cf"; : > "$tmp/cf/main.cf"
export MAIL_CONFIG=$tmp/cf
cases=0 diffs=0

# same(name, postmap args..., --, mtacc query args...): compare stdout + status
same() {
    local name=$1; shift
    local pa=() ma=()
    while [ "$1" != -- ]; do pa+=("$1"); shift; done; shift
    ma=("$@")
    local po mo prc mrc
    po=$(postmap "${pa[@]}" < "${STDIN:-/dev/null}" 2>/dev/null); prc=$?
    mo=$("$MTACC" query "${ma[@]}" < "${STDIN:-/dev/null}" 2>/dev/null); mrc=$?
    cases=$((cases + 1))
    if [ "$po" != "$mo" ] || [ $prc != $mrc ]; then
        diffs=$((diffs + 1))
        echo "FAIL postmap-fixed $name (postmap exit $prc, mtacc exit $mrc)"
        diff <(echo "$po") <(echo "$mo") | head -5
        return 1
    fi
    return 0
}

# stream(name, keys, table...): every key of a key file through "-q -", and
# the first $SINGLE (default 40) keys one by one (exit status per key).
# Postfix sleeps a second after a fatal error: error cases use SINGLE=0.
stream() {
    local name=$1 keys=$2 max=${SINGLE:-40}; shift 2
    local n; n=$(wc -l < "$keys")
    STDIN=$keys same "$name stream ($n keys)" -q - "$@" -- -q - "$@"
    local i=0
    while IFS= read -r k && [ $i -lt "$max" ]; do
        i=$((i + 1))
        same "$name key '$k'" -q "$k" "$@" -- -q "$k" "$@" || break
    done < "$keys"
}

python3 tests/lib/gen_tables.py "$tmp" "${SEED:-42}" || { echo "FAIL generator"; exit 1; }
cp "$tmp/kv.src" "$tmp/ours"; cp "$tmp/kv.src" "$tmp/theirs"
ok=1
for type in hash btree; do
    for flags in "" "-n" "-f" "-N"; do
        postmap $flags $type:"$tmp/theirs" 2>/dev/null
        "$MTACC" postmap $flags $type:"$tmp/ours" 2>/dev/null || { echo "FAIL mtacc postmap $flags $type"; ok=0; }
        qf=${flags/-N/}
        # Postfix's database read by mtacc, and mtacc's database read by Postfix
        STDIN=$tmp/kv.keys same "$type$flags: mtacc reads postmap's db" $qf -q - $type:"$tmp/theirs" -- $qf -q - $type:"$tmp/theirs" || ok=0
        STDIN=$tmp/kv.keys same "$type$flags: postmap reads mtacc's db" $qf -q - $type:"$tmp/ours" -- $qf -q - $type:"$tmp/theirs" || ok=0
    done
    # NUL forms: a db without NULs asked for keys with NULs and vice versa
    postmap -n $type:"$tmp/theirs" 2>/dev/null
    STDIN=$tmp/kv.keys same "$type -n db, -N query" -N -q - $type:"$tmp/theirs" -- -N -q - $type:"$tmp/theirs" || ok=0
    postmap $type:"$tmp/theirs" 2>/dev/null
    STDIN=$tmp/kv.keys same "$type db, -n query" -n -q - $type:"$tmp/theirs" -- -n -q - $type:"$tmp/theirs" || ok=0
    stream "$type" "$tmp/kv.keys" $type:"$tmp/theirs" || ok=0
done
[ $ok = 1 ] && echo "PASS postmap-fixed hash/btree build and read (4000-line source, $(wc -l < "$tmp/kv.keys") keys x 12 runs)"

ok=1
stream texthash "$tmp/kv.keys" texthash:"$tmp/kv.src" || ok=0
STDIN=$tmp/kv.keys same "texthash -f" -f -q - texthash:"$tmp/kv.src" -- -f -q - texthash:"$tmp/kv.src" || ok=0
[ $ok = 1 ] && echo "PASS postmap-fixed texthash"

ok=1
stream cidr "$tmp/cidr.keys" cidr:"$tmp/cidr.src" || ok=0
[ $ok = 1 ] && echo "PASS postmap-fixed cidr (1500 rules, $(wc -l < "$tmp/cidr.keys") addresses)"

# inline, static, unionmap, pipemap and several tables at once
printf '%s\n' a A b c 'd e' x '' 1.2.3.4 > "$tmp/few.keys"
ok=1
for spec in 'inline:{a=1, {b = 2 3}, c=}' 'inline:{A=1,a=2}' 'inline:{ {a=1},b=2 }' 'inline:{{ a = x y }}' \
            'inline:{a==1}' 'inline:{a=1,b={x}}' 'static:hello' 'static:{ a  b }' 'static:A' \
            'unionmap:{inline:{b=2},static:x,inline:{a=1}}' 'unionmap:{inline:{b=2}, inline:{c=3}}' \
            'pipemap:{inline:{a=B},inline:{b=2}}' 'pipemap:{inline:{a=b},inline:{c=2}}' \
            'cidr:{{1.0.0.0/8 y z}, {0.0.0.0/0 all}}'; do
    stream "$spec" "$tmp/few.keys" "$spec" || ok=0
done
for spec in 'texthash:{{a 1}, {b 2}}' 'inline:{a=1}x' 'static:{a' 'nosuchtype:x' 'texthash:/nonexistent' \
            'hash:/nonexistent' 'cidr:/nonexistent' 'fail:x' 'unionmap:{fail:x,static:y}' 'unionmap:{}' \
            'inline:{}'; do
    SINGLE=0 stream "$spec" "$tmp/few.keys" "$spec" || ok=0
done
STDIN=$tmp/few.keys same "two tables" -q - 'inline:{a=1}' 'inline:{a=2,b=3}' -- -q - 'inline:{a=1}' 'inline:{a=2,b=3}' || ok=0
[ $ok = 1 ] && echo "PASS postmap-fixed inline/static/unionmap/pipemap/errors"

# every table the corpus configurations reference
ntables=0 ok=1
while IFS=$'\t' read -r type file; do
    ntables=$((ntables + 1))
    t=$tmp/corpus$ntables
    cp "$file" "$t"
    # keys: first word of each line, folded variants, parents
    awk '!/^[ \t]*(#|$)/ && !/^[ \t]/ {print $1; print toupper($1); sub(/^[^.@]*[.@]/, "", $1); print $1}' "$file" \
        | sort -u > "$t.keys"
    echo nonexistent.example >> "$t.keys"
    case $type in
        hash|btree)
            postmap $type:"$t" 2>/dev/null
            "$MTACC" postmap $type:"$t.ours" 2>/dev/null  # (no source: must fail like postmap)
            cp "$file" "$t.m"; "$MTACC" postmap $type:"$t.m" 2>/dev/null
            STDIN=$t.keys same "corpus $file ($type, postmap's db)" -q - $type:"$t" -- -q - $type:"$t" || ok=0
            STDIN=$t.keys same "corpus $file ($type, mtacc's db)" -q - $type:"$t.m" -- -q - $type:"$t" || ok=0 ;;
        cidr)
            grep -oE '[0-9a-fA-F:.]+' "$file" | grep -E '[.:]' | sort -u >> "$t.keys"
            STDIN=$t.keys same "corpus $file (cidr)" -q - cidr:"$t" -- -q - cidr:"$t" || ok=0 ;;
        texthash)
            STDIN=$t.keys same "corpus $file (texthash)" -q - texthash:"$t" -- -q - texthash:"$t" || ok=0 ;;
    esac
done < <(python3 - <<'PY'
import os, re
seen = set()
corpus = os.environ.get("CORPUS") or os.path.join(os.path.dirname(os.getcwd()), "shared", "corpus")
for top in (os.path.join(corpus, "rendered"), os.path.join(corpus, "real-world")):
    if not os.path.isdir(top):
        continue
    for s in sorted(os.listdir(top)):
        d = os.path.join(top, s)
        if not os.path.isdir(d):
            continue
        refs = set()
        for root, _, files in os.walk(d):
            for f in files:
                if f.startswith(("main.cf", "master.cf")):
                    for m in re.finditer(r"\b(hash|btree|texthash|cidr):(/[^\s,$}]+)",
                                         open(os.path.join(root, f), errors="replace").read()):
                        refs.add((m.group(1), m.group(2)))
        for typ, path in sorted(refs):
            for cand in (os.path.join(d, "ext", path.lstrip("/")), os.path.join(d, os.path.basename(path))):
                if os.path.isfile(cand) and (typ, cand) not in seen:
                    seen.add((typ, cand))
                    print("%s\t%s" % (typ, cand))
                    break
PY
)
[ $ok = 1 ] && echo "PASS postmap-fixed corpus tables ($ntables tables)"
echo "# postmap-fixed: $cases comparisons, $diffs differences"
[ $diffs = 0 ]
