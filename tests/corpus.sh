#!/usr/bin/env bash
# corpus.sh: every rendered real-world configuration (../shared/corpus/rendered)
# passes `mtacc check` without an error: they are working Postfix setups, so
# an error there is a false alarm. Warnings are allowed (they are reviewed by
# hand: unbuilt .db files, table types mtacc does not serve, ...). The
# errors of tests/corpus-known.txt are true problems, checked against
# Postfix: they are allowed there, and must still be found.
cd "$(dirname "$0")/.."
corpus=${CORPUS:-$(cd .. && pwd)/shared/corpus}
[ -d "$corpus/rendered" ] || { echo "PASS corpus: no corpus beside the checkout (skipped)"; exit 0; }
for d in "$corpus"/rendered/*/; do
    name=$(basename "$d")
    allow=()
    for id in $(awk -v n="$name" '$1 == n { print $2 }' tests/corpus-known.txt); do
        allow+=(--allow "$id")
        if "$MTACC" check -c "$d" 2>&1 | grep -q "error\[$id\]"; then echo "PASS corpus $name finds $id"
        else echo "FAIL corpus $name: the known $id is no longer found"; fi
    done
    out=$("$MTACC" check -c "$d" --format=json "${allow[@]}" 2>&1); rc=$?
    errors=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["errors"])' <<<"$out" 2>/dev/null)
    if [ "$rc" -eq 0 ] && [ "$errors" = 0 ]; then echo "PASS corpus $name"
    else echo "FAIL corpus $name: exit $rc, errors ${errors:-?}"; "$MTACC" check -c "$d" | grep 'error\[' | head -5; fi
done
