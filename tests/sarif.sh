#!/usr/bin/env bash
# sarif.sh: `mtacc check --format=sarif` and `--format=json` on every golden
# case produce valid SARIF 2.1.0 / JSON with the documented fields.
cd "$(dirname "$0")/.."
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
for dir in tests/golden/*/; do
    [ -f "$dir/main.cf" ] || continue
    name=$(basename "$dir")
    (cd "$dir" && "$MTACC" check -c . --format=sarif) > "$tmp/out.sarif" 2>/dev/null
    if out=$(python3 tests/lib/sarif_validate.py "$tmp/out.sarif" 2>&1); then echo "PASS sarif $name"
    else echo "FAIL sarif $name: $out" | head -5; fi
    (cd "$dir" && "$MTACC" check -c . --format=json) > "$tmp/out.json" 2>/dev/null
    if python3 - "$tmp/out.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert set(d) == {"diagnostics", "errors", "warnings"}
for g in d["diagnostics"]:
    assert {"id", "severity", "file", "line", "column", "message"} <= set(g), g
    assert set(g) <= {"id", "severity", "file", "line", "column", "message", "notes", "hint"}, g
    assert g["severity"] in ("error", "warning", "note")
assert d["errors"] == sum(g["severity"] == "error" for g in d["diagnostics"])
assert d["warnings"] == sum(g["severity"] == "warning" for g in d["diagnostics"])
PY
    then echo "PASS json $name"; else echo "FAIL json $name"; fi
done
