#!/usr/bin/env python3
"""gen_tables.py OUTDIR SEED: random table sources and key lists for the
differential test against Postfix's postmap (tests/diff/postmap-fixed.sh).

Writes OUTDIR/kv.src (key/value source with mixed case, parent-domain keys,
addresses with extensions, duplicates, continuation lines, comments, lines
without a value, backslashes), OUTDIR/kv.keys (present, case-folded,
absent keys), OUTDIR/cidr.src (IPv4/IPv6 rules, negation, if/endif, bad
rules) and OUTDIR/cidr.keys (addresses inside and outside the rules)."""
import ipaddress
import os
import random
import sys

out, seed = sys.argv[1], int(sys.argv[2])
R = random.Random(seed)
ALPHA = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_"


def word(n=None):
    return "".join(R.choice(ALPHA) for _ in range(n or R.randint(1, 10)))


def domain():
    return ".".join(word() for _ in range(R.randint(1, 4)))


def key():
    r = R.random()
    if r < 0.3:
        return domain()
    if r < 0.45:
        return "." + domain()
    if r < 0.65:
        return word() + "@" + domain()
    if r < 0.75:
        return word() + "+" + word() + "@" + domain()
    if r < 0.8:
        return word() + "@"
    if r < 0.85:
        return "%d.%d.%d" % (R.randint(0, 255), R.randint(0, 255), R.randint(0, 255))
    if r < 0.9:
        return word() + "\\ " + word()       # escaped space stays in the key
    return word()


def value():
    r = R.random()
    if r < 0.2:
        return R.choice(["OK", "REJECT", "DUNNO", "550", "450 4.7.1 later", "smtp:[relay]:25"])
    return " ".join(word() for _ in range(R.randint(1, 4)))


keys = []
lines = []
for i in range(4000):
    k = key()
    r = R.random()
    if keys and r < 0.05:
        k = R.choice(keys)
        k = k.upper() if R.random() < 0.5 else k   # duplicate, maybe other case
    keys.append(k)
    if r < 0.03:
        lines.append(k)                         # no value: skipped
    elif r < 0.08:
        lines.append("%s %s\n   %s" % (k, value(), value()))   # continuation
    elif r < 0.10:
        lines.append("# %s %s" % (k, value()))
    elif r < 0.12:
        lines.append("%s\t%s  \n\n  # comment between\n\t%s" % (k, value(), value()))
    else:
        lines.append("%s%s%s" % (k, R.choice([" ", "\t", "   ", " \t "]), value()))
with open(os.path.join(out, "kv.src"), "w") as f:
    f.write("  leading text is ignored\n")
    f.write("\n".join(lines) + "\n")
probe = set()
for k in keys:
    k = k.replace("\\ ", "\\")   # a key with an escaped space cannot be asked on one line as-is
    probe.update([k, k.lower(), k.upper(), k.swapcase()])
    if "@" in k:
        probe.add(k.split("@", 1)[1])
    if "." in k:
        probe.add(k.split(".", 1)[1])
for _ in range(1000):
    probe.add(key())
probe.add("")
with open(os.path.join(out, "kv.keys"), "w") as f:
    f.write("\n".join(sorted(p for p in probe if "\n" not in p)) + "\n")


def v4net():
    plen = R.choice([8, 12, 16, 20, 24, 28, 30, 32])
    a = ipaddress.IPv4Address(R.getrandbits(32))
    return ipaddress.IPv4Network("%s/%d" % (a, plen), strict=False)


def v6net():
    plen = R.choice([16, 32, 48, 64, 96, 112, 128])
    a = ipaddress.IPv6Address((0x2001 << 112) | R.getrandbits(112))
    return ipaddress.IPv6Network("%s/%d" % (a, plen), strict=False)


def pattern(net):
    s = str(net) if net.prefixlen != net.max_prefixlen or R.random() < 0.5 else str(net.network_address)
    if R.random() < 0.05:
        s = "[%s]" % s
    if R.random() < 0.05:
        s = "!" + s
    return s


nets = []
rules = []
depth = 0
for i in range(1500):
    r = R.random()
    net = v4net() if R.random() < 0.6 else v6net()
    nets.append(net)
    if r < 0.04:
        rules.append("if " + pattern(net))
        depth += 1
    elif r < 0.08 and depth:
        rules.append("endif")
        depth -= 1
    elif r < 0.09:
        rules.append(R.choice(["1.2.3.4/33", "10.1.2.3/8", "foo bar", "010.1.1.1 x", "::/129 y",
                               "1.2.3.4", "endif junk", "1.2.3.0/24\n  continued result"]))
    else:
        rules.append("%s %s" % (pattern(net), value()))
rules += ["endif"] * depth
rules.append("0.0.0.0/0 v4default")
with open(os.path.join(out, "cidr.src"), "w") as f:
    f.write("# generated\n" + "\n".join(rules) + "\n")
addrs = set()
for net in nets:
    base = int(net.network_address)
    size = net.num_addresses
    for _ in range(2):
        addrs.add(str(ipaddress.ip_address(base + R.randrange(size)) if net.version == 4
                      else ipaddress.IPv6Address(base + R.randrange(size))))
    addrs.add(str(net.network_address))
for _ in range(500):
    addrs.add(str(ipaddress.IPv4Address(R.getrandbits(32))))
    addrs.add(str(ipaddress.IPv6Address(R.getrandbits(128))))
addrs.update(["::1", "::ffff:1.2.3.4", "[1.2.3.4]", "01.2.3.4", "not-an-address", "",
              "2001:DB8::1", "1.2.3.4.5"])
with open(os.path.join(out, "cidr.keys"), "w") as f:
    f.write("\n".join(sorted(addrs)) + "\n")
