#!/usr/bin/env bash
# postconf-master.sh: differential test of `mtacc postconf -M/-F/-P` against
# Postfix's postconf over every master.cf we have: tests/golden/*,
# tests/diff/master-cases/*.cf (edge cases), /work/shared/corpus/rendered/*
# and the master.cf-like files of /work/shared/corpus/real-world. Each file
# is copied into a temp dir with an empty main.cf. Standard output and
# success/failure must agree. One PASS/FAIL line per (file, mode).
set -u
cd "$(dirname "$0")/../.."
MTACC=${MTACC:-$PWD/build/mtacc}
if ! command -v postconf >/dev/null 2>&1; then
    echo "PASS postconf-master (skipped: postconf is not installed)"
    exit 0
fi
corpus=${CORPUS:-$(cd .. && pwd)/shared/corpus}
files=()
for f in tests/golden/*/master.cf tests/diff/master-cases/*.cf "$corpus"/rendered/*/master.cf; do
    [ -f "$f" ] && files+=("$f")
done
if [ -d "$corpus/real-world" ]; then
    while IFS= read -r f; do files+=("$f"); done < <(find "$corpus/real-world" -type f \( -name 'master.cf*' -o -name 'master_cf*' \) | sort)
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# compare one file in its own directory; prints PASS/FAIL lines
run_file() {
    local f=$1 dir=$2 mode want got wrc grc first
    mkdir -p "$dir"
    : > "$dir/main.cf"
    cp "$f" "$dir/master.cf"
    # postconf waits for a just-written main.cf to settle
    touch -d '2000-01-01 00:00' "$dir/main.cf" "$dir/master.cf"
    local modes=(-M -Mf -F -Ff -P -Pf)
    # a master.cf postconf rejects: one mode is enough (postconf sleeps
    # a second before each fatal exit)
    if postconf -c "$dir" -M >/dev/null 2>&1; then
        # filters: the first service by name/type, its command, its -o parameters
        first=$(postconf -c "$dir" -F '*/*/service' 2>/dev/null | head -1 | sed 's|/service = .*||')
        if [ -n "$first" ]; then
            modes+=("-M $first" "-F $first/command" "-Pf ${first%%/*}" "-M ${first%%/*}/*")
        fi
    else
        modes=(-M)
    fi
    for mode in "${modes[@]}"; do
        # shellcheck disable=SC2086
        want=$(postconf -c "$dir" $mode 2>/dev/null); wrc=$?
        # shellcheck disable=SC2086
        got=$("$MTACC" postconf -c "$dir" $mode 2>/dev/null); grc=$?
        if [ "$want" == "$got" ] && [ $((wrc == 0)) -eq $((grc == 0)) ]; then
            echo "PASS postconf-master $f $mode"
        else
            echo "FAIL postconf-master $f $mode (postconf exit $wrc, mtacc exit $grc)"
            diff <(echo "$want") <(echo "$got") | head -6
        fi
    done
}

i=0
for f in "${files[@]}"; do
    i=$((i + 1))
    run_file "$f" "$work/$i" > "$work/out.$i" &
    # at most 8 at a time
    while [ "$(jobs -rp | wc -l)" -ge 8 ]; do sleep 0.05; done
done
wait
for j in $(seq 1 $i); do cat "$work/out.$j"; done > "$work/all"
cat "$work/all"
echo "postconf-master: ${#files[@]} files, $(grep -c '^PASS' "$work/all") passed, $(grep -c '^FAIL' "$work/all") failed" >&2
