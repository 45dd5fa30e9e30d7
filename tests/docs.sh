#!/usr/bin/env bash
# docs.sh: every diagnostic id is documented in doc/diagnostics.7, explained
# by `mtacc explain` (with a wrong and a right example), and every mtacc
# subcommand is in doc/mtacc.1 and in `mtacc --help` (every mtad command in
# doc/mtad.8).
cd "$(dirname "$0")/.."
ids=$("$MTACC" explain --list | awk '{print $1}')
[ -n "$ids" ] || { echo "FAIL explain --list prints nothing"; exit 1; }
for id in $ids; do
    if grep -q "^\.SS $id\$" doc/diagnostics.7; then echo "PASS doc/diagnostics.7 documents $id"
    else echo "FAIL doc/diagnostics.7 lacks a '.SS $id' section"; fi
    out=$("$MTACC" explain "$id")
    if grep -q '^Wrong:' <<<"$out" && grep -q '^Right:' <<<"$out"; then echo "PASS explain $id"
    else echo "FAIL explain $id has no Wrong:/Right: example"; fi
done
for cmd in $("$MTACC" --help | awk '/^commands:/{on=1; next} on && /^  [a-z]/ {print $1}'); do
    if grep -q "^\.B mtacc $cmd" doc/mtacc.1 || grep -q "^\.B $cmd\$" doc/mtacc.1; then echo "PASS doc/mtacc.1 documents $cmd"
    else echo "FAIL doc/mtacc.1 does not document $cmd"; fi
done
MTAD=${MTAD:-$(dirname "$MTACC")/mtad}
if [ -x "$MTAD" ]; then
    for cmd in $("$MTAD" --help | awk '/^commands:/{on=1; next} on && /^  [a-z]/ {print $1}'); do
        if grep -q "^\.B mtad $cmd" doc/mtad.8; then echo "PASS doc/mtad.8 documents $cmd"
        else echo "FAIL doc/mtad.8 does not document $cmd"; fi
    done
fi
for f in doc/*.[1-8]; do
    if LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$f" 2>&1 >/dev/null | grep -q .; then
        echo "FAIL $f has man(7) warnings"; else echo "PASS $f renders"; fi
done
python3 tools/gen-insns-doc --check
