#!/usr/bin/env bash
# policy.sh: the policy engine against Postfix. The differential suite
# (tests/policy-diff.py: every probe of tests/policy/cases through mtacc
# simulate, compared with the replies Postfix 3.7 recorded), once with the
# fixture resolver reading the cases' zones and once with the real resolver
# asking tests/tools/fake-dns.py serving them on 127.0.0.1; and the example
# configuration's own policy tests through mtacc test. Prints PASS/FAIL
# lines.
cd "$(dirname "$0")/.."
python3 tests/policy-diff.py
python3 tests/policy-diff.py --real-dns
out=$("$MTACC" test -c examples/default examples/default/tests/*.test 2>&1)
if [ $? -eq 0 ] && [ "$(tail -1 <<<"$out")" != "0 passed, 0 failed" ]; then
    echo "PASS mtacc test examples/default: $(tail -1 <<<"$out")"
else
    echo "FAIL mtacc test examples/default"; echo "$out" | tail -20
fi
