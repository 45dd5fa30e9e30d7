#!/bin/bash
# bad-value.sh: differential test of the bad-value check against Postfix.
# postmap reads main.cf and validates the parameters all Postfix programs
# share; it stops with "fatal:" on a value it rejects. For each case below
# (one main.cf line), mtacc must report a bad-value error exactly when
# postmap dies. Cases run in parallel (each fatal costs Postfix 1 s).
cd "$(dirname "$0")/../.." || exit 1
MTACC=${MTACC:-build/mtacc}
command -v postmap >/dev/null || { echo "FAIL diff/bad-value: postmap not installed"; exit 1; }

cases=(
  'soft_bounce = yes' 'soft_bounce = No' 'soft_bounce = true' 'soft_bounce = 1' 'soft_bounce ='
  'smtputf8_enable = maybe' 'smtputf8_enable = YES'
  'message_size_limit = 10240000' 'message_size_limit = 10k' 'message_size_limit = -1'
  'message_size_limit = +5' 'message_size_limit = 1e3' 'message_size_limit = 5 6'
  'message_size_limit =' 'message_size_limit = 99999999999999999999'
  'default_process_limit = 0' 'default_process_limit = 1' 'default_process_limit = 2147483648'
  'header_size_limit = -1' 'line_length_limit = 511' 'line_length_limit = 512'
  'delay_logging_resolution_limit = 6' 'delay_logging_resolution_limit = 7'
  'ipc_timeout = 5 s' 'ipc_timeout = 10x' 'ipc_timeout = 4H' 'ipc_timeout = 1.5h'
  'ipc_timeout = 0' 'ipc_timeout = 1' 'ipc_timeout = -1s' 'ipc_timeout =' 'ipc_timeout = 1h30m'
  'ipc_timeout = 9999999w' 'ipc_idle = 100s' 'in_flow_delay = 0' 'in_flow_delay = 11s'
  'inet_protocols = ipv4' 'inet_protocols = IPV4' 'inet_protocols = ipv4, ipv5'
  'inet_protocols =' 'inet_protocols = all'
  'mynetworks_style = host' 'mynetworks_style = HOST' 'mynetworks_style = foo'
  'compatibility_level = 2' 'compatibility_level = 3.6' 'compatibility_level = 3.x'
  'compatibility_level = abc'
)

probe() {  # one case -> "case|postmap-fatal(0/1)|mtacc-error(0/1)"
    local line=$1 d
    d=$(mktemp -d)
    printf '%s\n' "$line" > "$d/main.cf"; : > "$d/master.cf"
    local pf=0 mf=0
    postmap -c "$d" -q x static:y </dev/null 2>&1 | grep -q 'fatal:' && pf=1
    "$MTACC" check -c "$d" --format=json 2>/dev/null \
        | grep -q '"id": "bad-value", "severity": "error"' && mf=1
    rm -rf "$d"
    echo "$line|$pf|$mf"
}
export -f probe
export MTACC

printf '%s\0' "${cases[@]}" | xargs -0 -P 32 -I{} bash -c 'probe "$1"' _ {} | sort |
while IFS='|' read -r line pf mf; do
    if [ "$pf" = "$mf" ]; then
        echo "PASS diff/bad-value: $line (postmap fatal=$pf)"
    else
        echo "FAIL diff/bad-value: $line: postmap fatal=$pf, mtacc bad-value error=$mf"
    fi
done
