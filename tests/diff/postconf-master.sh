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
corpus=/work/shared/corpus
files=()
for f in tests/golden/*/master.cf tests/diff/master-cases/*.cf "$corpus"/rendered/*/master.cf; do
    [ -f "$f" ] && files+=("$f")
done
if [ -d "$corpus/real-world" ]; then
    while IFS= read -r f; do files+=("$f"); done < <(find "$corpus/real-world" -type f \( -name 'master.cf*' -o -name 'master_cf*' \) | sort)
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
: > "$work/main.cf"
pass=0 fail=0
for f in "${files[@]}"; do
    cp "$f" "$work/master.cf"
    # filters: the first service by name/type, its command field, its -o parameters
    first=$(postconf -c "$work" -F '*/*/service' 2>/dev/null | head -1 | sed 's|/service = .*||')
    modes=(-M -Mf -F -Ff -P -Pf)
    if [ -n "$first" ]; then
        modes+=("-M $first" "-F $first/command" "-Pf ${first%%/*}" "-M ${first%%/*}/*")
    fi
    for mode in "${modes[@]}"; do
        # shellcheck disable=SC2086
        want=$(postconf -c "$work" $mode 2>/dev/null); wrc=$?
        # shellcheck disable=SC2086
        got=$("$MTACC" postconf -c "$work" $mode 2>/dev/null); grc=$?
        if [ "$want" == "$got" ] && [ $((wrc == 0)) -eq $((grc == 0)) ]; then
            echo "PASS postconf-master $f $mode"; pass=$((pass + 1))
        else
            echo "FAIL postconf-master $f $mode (postconf exit $wrc, mtacc exit $grc)"
            diff <(echo "$want") <(echo "$got") | head -6
            fail=$((fail + 1))
        fi
    done
done
echo "postconf-master: ${#files[@]} files, $pass passed, $fail failed" >&2
