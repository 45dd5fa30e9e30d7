#!/usr/bin/env python3
"""lookup_orders.py: the lookup orders of access(5), transport(5),
virtual(5)/canonical(5)/relocated(5) and aliases(5), written again from the
man pages (independently of stdlib/maps/lookup_order.c), as candidate key
lists for the differential test tests/diff/lookup-orders.sh.

  lookup_orders.py gen DIR SEED   write DIR/t<i>.src tables, DIR/<case>.q queries
                                  and DIR/cands (every candidate key)
  lookup_orders.py expect DIR TABLE HITS CASE
                                  print "query<TAB>key<TAB>value" for the first
                                  candidate of each query of CASE found in HITS
                                  (postmap -q - output for TABLE)
"""
import random, sys

CASES = {
    # name: (order, {params})
    "client-parent": ("access-client", {}),
    "client-dot": ("access-client", {"parent_domain_matches_subdomains": ""}),
    "sender-plus": ("access-sender", {"recipient_delimiter": "+"}),
    "recipient-multi": ("access-recipient", {"recipient_delimiter": "+-",
                                             "parent_domain_matches_subdomains": ""}),
    "sender-nodelim": ("access-sender", {}),
    "transport-dot": ("transport", {"recipient_delimiter": "+"}),
    "transport-parent": ("transport", {"recipient_delimiter": "+",
                                       "parent_domain_matches_subdomains": "transport_maps"}),
    "virtual": ("virtual", {"recipient_delimiter": "+", "myorigin": "local.test",
                            "mydestination": "local.test, other.test",
                            "propagate_unmatched_extensions": ""}),
    "canonical": ("canonical", {"recipient_delimiter": "-", "myorigin": "local.test",
                                "mydestination": "", "propagate_unmatched_extensions": ""}),
    "relocated": ("relocated", {"recipient_delimiter": "+", "myorigin": "nowhere.test",
                                "mydestination": ""}),
    "aliases": ("aliases", {"recipient_delimiter": "+", "propagate_unmatched_extensions": ""}),
}

SPECIAL = {"postmaster", "mailer-daemon", "double-bounce"}


def split_ext(local, delim, owner_special=True):
    if not delim or local.lower() in SPECIAL:
        return None
    if owner_special and "-" in delim and (local.lower().startswith("owner-")
                                           or (len(local) > 8 and local.lower().endswith("-request"))):
        return None
    for i, c in enumerate(local):
        if c in delim:
            return local[:i] if i > 0 else None
    return None


def domain_keys(domain, parent_style):
    keys = [domain]
    labels = domain.split(".")
    for i in range(1, len(labels)):
        rest = ".".join(labels[i:])
        keys.append(rest if parent_style else "." + rest)
    return keys


def addr_keys(addr):
    delim = ":" if ":" in addr else "."
    keys = [addr]
    a = addr
    while delim in a:
        a = a[:a.rindex(delim)]
        if not a:
            break
        keys.append(a)
    return keys


def listed(params, feature, default):
    v = params.get("parent_domain_matches_subdomains", default)
    return feature in v.replace(",", " ").split()


DEFAULT_PDMS = "debug_peer_list,fast_flush_domains,mynetworks,permit_mx_backup_networks," \
    "qmqpd_authorized_clients,relay_domains,smtpd_access_maps"


def candidates(order, params, q):
    """The keys Postfix asks for query q, in order (one table)."""
    delim = params.get("recipient_delimiter", "")
    if order == "access-client":
        parent = listed(params, "smtpd_access_maps", DEFAULT_PDMS)
        if "[" in q and q.endswith("]"):
            name, addr = q[:-1].split("[", 1)
            return domain_keys(name, parent) + addr_keys(addr)
        if any(c.isalpha() for c in q) and ":" not in q:
            return domain_keys(q, parent)
        return addr_keys(q)
    if order in ("access-sender", "access-recipient"):
        if q in ("", "<>"):
            return ["<>"]
        local, domain = q.rsplit("@", 1)
        base = split_ext(local, delim)
        keys = [q] + ([base + "@" + domain] if base else [])
        keys += domain_keys(domain, listed(params, "smtpd_access_maps", DEFAULT_PDMS))
        keys += [local + "@"] + ([base + "@"] if base else [])
        return keys
    if order == "transport":
        local, domain = q.rsplit("@", 1)
        base = split_ext(local, delim)
        keys = [q] + ([base + "@" + domain] if base else [])
        keys += domain_keys(domain, listed(params, "transport_maps", DEFAULT_PDMS))
        return keys + ["*"]
    if order in ("virtual", "canonical", "relocated"):
        local, domain = q.rsplit("@", 1)
        base = split_ext(local, delim)
        localdoms = [params.get("myorigin", "")] + \
            params.get("mydestination", "").replace(",", " ").split()
        keys = [q] + ([base + "@" + domain] if base else [])
        if domain in localdoms:
            keys += [local] + ([base] if base else [])
        return keys + ["@" + domain]
    if order == "aliases":
        local = q.rsplit("@", 1)[0].lower()
        base = split_ext(local, delim)
        return [local] + ([base] if base else [])
    raise SystemExit("unknown order " + order)


def queries(order, rnd):
    users = ["joe", "Joe.Smith", "joe+list", "joe-list", "a+b+c", "+x", "owner-list",
             "list-request", "postmaster", "MAILER-DAEMON", "user+", "x-y+z"]
    doms = ["example.com", "mail.example.com", "a.b.example.org", "local.test", "other.test",
            "nowhere.test", "Example.COM"]
    hosts = ["mail.example.com", "a.b.example.org", "unknown", "host.local.test"]
    ips = ["192.0.2.10", "192.0.2.200", "198.51.100.7", "10.1.2.3", "2001:db8::1",
           "2001:db8:0:1::5", "fe80::1:2:3:4"]
    out = []
    if order == "access-client":
        out += hosts + ips + [h + "[" + i + "]" for h in hosts for i in ips]
    elif order == "aliases":
        out += users + [u + "@" + d for u in users for d in doms[:2]]
    else:
        out += [u + "@" + d for u in users for d in doms]
        if order.startswith("access"):
            out.append("<>")
    return out


def gen(d, seed):
    rnd = random.Random(seed)
    universe = set()
    for name, (order, params) in CASES.items():
        qs = queries(order, rnd)
        with open(f"{d}/{name}.q", "w") as f:
            for q in qs:
                f.write(q + "\n")
                universe.update(candidates(order, params, q))
    universe = sorted(k for k in universe if k and not any(c.isspace() for c in k))
    with open(f"{d}/cands", "w") as f:
        f.write("".join(k + "\n" for k in universe))
    # tables: random subsets of the candidate keys (folded keys collide: fine)
    for t, frac in enumerate([0.05, 0.15, 0.3, 0.6]):
        with open(f"{d}/t{t}.src", "w") as f:
            for i, k in enumerate(universe):
                if rnd.random() < frac:
                    f.write(f"{k} V{t}.{i}\n")


def expect(d, hits_file, case):
    order, params = CASES[case]
    hits = {}
    for line in open(hits_file):
        k, v = line.rstrip("\n").split("\t", 1)
        hits[k] = v
    for q in open(f"{d}/{case}.q"):
        q = q.rstrip("\n")
        for k in candidates(order, params, q):
            if k in hits:
                print(f"{q}\t{k}\t{hits[k]}")
                break


if __name__ == "__main__":
    if sys.argv[1] == "gen":
        gen(sys.argv[2], int(sys.argv[3]))
    elif sys.argv[1] == "expect":
        expect(sys.argv[2], sys.argv[4], sys.argv[5])
    elif sys.argv[1] == "params":
        print("\n".join(f"{k}={v}" for k, v in CASES[sys.argv[2]][1].items()))
    elif sys.argv[1] == "order":
        print(CASES[sys.argv[2]][0])
    elif sys.argv[1] == "cases":
        print(" ".join(CASES))
