#!/usr/bin/env bash
# policy-cases.sh: sanity checks on the differential policy cases and their
# recorded Postfix answers (tests/policy/cases/*/oracle.jsonl, made by
# tools/record-oracle). Needs no Postfix. For every case: main.cf sets the
# host-independent basics, every probe line is well formed, oracle.jsonl has
# one reply line per probe in probe order with one reply per recipient (and
# DATA, end-of-data and ETRN replies for probes with +data / +etrn=), no
# probe broke (connect failure, timeout, dead smtpd), and the case is listed
# in tests/policy/README.md. At least 45 cases must exist. Prints PASS/FAIL.
cd "$(dirname "$0")/.." || exit 2
exec python3 - tests/policy/cases tests/policy/README.md <<'EOF'
import ipaddress, json, os, re, sys

cases_dir, readme = sys.argv[1], sys.argv[2]
MIN_CASES = 45
failures = 0


def result(ok, what):
    global failures
    print("%s %s" % ("PASS" if ok else "FAIL", what))
    failures += not ok


def main_cf_params(path):
    params = {}
    with open(path, encoding="utf-8") as fh:
        for raw in fh:
            m = re.match(r"^([A-Za-z0-9_]+)\s*=\s*(.*)$", raw)
            if m:
                params[m.group(1)] = m.group(2)
    return params


def probes(path):
    out = []
    with open(path, encoding="utf-8") as fh:
        for n, raw in enumerate(fh, 1):
            line = raw.strip()
            if line and not line.startswith("#"):
                out.append((n, line))
    return out


def check_case(case, indexed):
    d = os.path.join(cases_dir, case)
    errs = []
    if not os.path.isfile(os.path.join(d, "main.cf")):
        return ["no main.cf"]
    params = main_cf_params(os.path.join(d, "main.cf"))
    for must in ("myhostname", "mydomain", "mydestination", "alias_maps"):
        if must not in params:
            errs.append("main.cf does not set %s" % must)
    if os.path.exists(os.path.join(d, "master.cf")):
        errs.append("master.cf present (cases are main.cf only)")
    try:
        plist = probes(os.path.join(d, "probes.txt"))
    except OSError:
        return errs + ["no probes.txt"]
    if not plist:
        errs.append("probes.txt has no probes")
    for n, line in plist:
        f = line.split()
        if len(f) < 4:
            errs.append("probes.txt:%d: need client helo sender rcpt..." % n)
            continue
        try:
            ok = ipaddress.IPv4Address(f[0]) in ipaddress.IPv4Network("127.0.0.0/8")
        except ValueError:
            ok = False
        if not ok:
            errs.append("probes.txt:%d: client %s is not in 127.0.0.0/8" % (n, f[0]))
    try:
        with open(os.path.join(d, "oracle.jsonl"), encoding="utf-8") as fh:
            lines = [l for l in fh.read().splitlines() if l.strip()]
    except OSError:
        return errs + ["no oracle.jsonl (run tools/record-oracle %s)" % case]
    if len(lines) != len(plist):
        errs.append("oracle.jsonl has %d lines for %d probes" % (len(lines), len(plist)))
    for i, (raw, (n, line)) in enumerate(zip(lines, plist), 1):
        try:
            o = json.loads(raw)
        except ValueError as e:
            errs.append("oracle.jsonl:%d: not JSON: %s" % (i, e))
            continue
        where = "oracle.jsonl:%d (probes.txt:%d)" % (i, n)
        if o.get("probe") != line:
            errs.append("%s: recorded probe %r differs from %r" % (where, o.get("probe"), line))
            continue
        if "error" in o:
            errs.append("%s: session broke: %s" % (where, o["error"]))
        rcpts = [w for w in line.split()[3:] if not w.startswith("+")]
        stages = [w for w in line.split()[3:] if w.startswith("+")]
        if "+data" in stages and "data" not in o:
            errs.append("%s: +data without a DATA reply (record with tools/record-oracle)" % where)
        if any(w.startswith(("+etrn=", "+etrn!=")) for w in stages) and "etrn" not in o:
            errs.append("%s: +etrn without an ETRN reply" % where)
        got = o.get("rcpt")
        if not isinstance(got, list) or len(got) != len(rcpts):
            errs.append("%s: %s replies for %d recipients" % (
                where, len(got) if isinstance(got, list) else "no", len(rcpts)))
            continue
        if not isinstance(o.get("banner"), int):
            errs.append("%s: no banner reply" % where)
        for r in got:
            if not (isinstance(r, list) and len(r) == 2 and isinstance(r[0], int)
                    and isinstance(r[1], str)):
                errs.append("%s: recipient reply %r is not [code, text]" % (where, r))
                break
    if case not in indexed:
        errs.append("not described in tests/policy/README.md (\"- %s: ...\")" % case)
    return errs


try:
    with open(readme, encoding="utf-8") as fh:
        index_text = fh.read()
except OSError:
    index_text = ""
    result(False, "tests/policy/README.md exists")
result(os.path.isfile(os.path.join(os.path.dirname(cases_dir), "dns-default.zone")),
       "tests/policy/dns-default.zone (the oracle's built-in zone) exists")
# the case index: bullet lines "- name: text" or "- name1, name2: text"
indexed = set()
for m in re.finditer(r"^- ([a-z0-9][a-z0-9, -]*):", index_text, re.M):
    indexed.update(n.strip() for n in m.group(1).split(","))
cases = sorted(c for c in os.listdir(cases_dir)
               if os.path.isdir(os.path.join(cases_dir, c)))
result(len(cases) >= MIN_CASES, "policy cases: %d (at least %d)" % (len(cases), MIN_CASES))
nprobes = 0
for case in cases:
    errs = check_case(case, indexed)
    if errs:
        result(False, "policy case %s: %s" % (case, "; ".join(errs[:3])))
    else:
        nprobes += len(probes(os.path.join(cases_dir, case, "probes.txt")))
        result(True, "policy case %s" % case)
print("# %d probes recorded" % nprobes)
sys.exit(1 if failures else 0)
EOF
