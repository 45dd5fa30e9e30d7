#!/usr/bin/env bash
# policy-client.sh: the policy delegation client against a recording
# policy server and against what Postfix 3.7 sent (tests/policy-client.py).
# Prints PASS/FAIL lines.
cd "$(dirname "$0")/.."
python3 tests/policy-client.py
