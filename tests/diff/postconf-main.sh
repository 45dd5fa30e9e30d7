#!/usr/bin/env bash
# postconf-main.sh: `mtacc postconf` against Postfix's postconf for main.cf
# views: -n, -nx, -d, -x and NAME queries, comparing stdout, stderr and
# the exit status. Inputs: every tests/golden case with a main.cf, every
# /work/shared/corpus/rendered/*/ and each real-world set (its main.cf-like
# file copied into a temp dir as main.cf, with its master.cf).
# postconf prints its warnings in hash-table order, so stderr is compared
# sorted; process_id (the pid) is left out. One PASS/FAIL line per
# (dir, mode); skips cleanly without postconf.
set -u
cd "$(dirname "$0")/../.."
MTACC=${MTACC:-$PWD/build/mtacc}
if ! command -v postconf >/dev/null 2>&1; then
    echo "SKIP postconf-main: postconf is not installed"
    exit 0
fi
CORPUS=${CORPUS:-$(cd .. && pwd)/shared/corpus}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

dirs=()
for d in tests/golden/*/; do
    [ -f "$d/main.cf" ] && dirs+=("$PWD/${d%/}")
done
for d in "$CORPUS"/rendered/*/; do
    [ -f "$d/main.cf" ] && dirs+=("${d%/}")
done
# real-world sets: the first main.cf-like and master.cf-like file of each
for d in "$CORPUS"/real-world/*/; do
    set_name=$(basename "$d")
    mainf=$(find "$d" -type f -iname 'main.cf*' | sort | head -1)
    [ -n "$mainf" ] || continue
    masterf=$(find "$d" -type f -iname 'master.cf*' | sort | head -1)
    t=$work/real-world/$set_name
    mkdir -p "$t"
    cp "$mainf" "$t/main.cf"
    if [ -n "$masterf" ]; then cp "$masterf" "$t/master.cf"; else : > "$t/master.cf"; fi
    dirs+=("$t")
done

run() {  # tool dir args... -> $work/out.$tool, $work/err.$tool, $work/rc.$tool
    local tool=$1 dir=$2
    shift 2
    if [ "$tool" = postconf ]; then
        postconf -c "$dir" "$@" >"$work/out.$tool" 2>"$work/err.raw.$tool"
    else
        "$MTACC" postconf -c "$dir" "$@" >"$work/out.$tool" 2>"$work/err.raw.$tool"
    fi
    echo $? >"$work/rc.$tool"
    grep -v '^process_id = ' "$work/out.$tool" |
        sed 's|^\(debugger_command = .*/postconf\) [0-9][0-9]* |\1 PID |' >"$work/out.f.$tool"
    sort "$work/err.raw.$tool" >"$work/err.$tool"
}

pass=0 fail=0 skip=0
for dir in "${dirs[@]}"; do
    name=${dir#"$PWD"/}
    name=${name#"$CORPUS"/}
    name=${name#"$work"/}
    [ -f "$dir/master.cf" ] || continue   # postconf needs one; the golden cases without it are skipped
    for mode in "-n" "-nx" "-d" "-x" "-h myhostname mydomain myorigin mynetworks mydestination relayhost nosuch_param" \
                "-x smtpd_banner mynetworks inet_interfaces smtpd_recipient_restrictions"; do
        # shellcheck disable=SC2086
        run postconf "$dir" $mode
        # shellcheck disable=SC2086
        run mtacc "$dir" $mode
        what=""
        cmp -s "$work/out.f.postconf" "$work/out.f.mtacc" || what="$what stdout"
        cmp -s "$work/err.postconf" "$work/err.mtacc" || what="$what stderr"
        cmp -s "$work/rc.postconf" "$work/rc.mtacc" || what="$what exit"
        if [ -z "$what" ]; then
            echo "PASS postconf-main $name $mode"
            pass=$((pass + 1))
        else
            echo "FAIL postconf-main $name $mode:$what"
            fail=$((fail + 1))
            if [ -n "${VERBOSE:-}" ]; then
                diff "$work/out.f.postconf" "$work/out.f.mtacc" | head -10
                diff "$work/err.postconf" "$work/err.mtacc" | head -10
            fi
        fi
    done
done
echo "postconf-main: $pass passed, $fail failed" >&2
[ "$fail" -eq 0 ]
