"""queue_json.py: reading `mtad queue show ID --format json` output.

Tolerant accessors for the fields of a queue file (qs_file in
runtime/qmgr/store.h: sender, recipients with ORCPT and NOTIFY, named
attributes, content), and the split of the content into headers and
body the tests compare."""

NOTIFY_BITS = {"NEVER": 1, "SUCCESS": 2, "FAILURE": 4, "DELAY": 8}


def sender(j):
    return j.get("sender")


def rcpts(j):
    """[(address, orcpt or None, notify bits)]"""
    out = []
    for r in j.get("rcpts", j.get("recipients", [])):
        if isinstance(r, str):
            out.append((r, None, 0))
            continue
        addr = r.get("addr", r.get("address", r.get("recipient")))
        n = r.get("notify", 0)
        if isinstance(n, str):
            n = [w for w in n.replace(",", " ").split()]
        if isinstance(n, list):
            n = sum(NOTIFY_BITS.get(w.upper(), 0) for w in n)
        out.append((addr, r.get("orcpt"), int(n or 0)))
    return out


def attrs(j):
    a = j.get("attrs", j.get("attributes", {}))
    if isinstance(a, list):
        d = {}
        for x in a:
            if isinstance(x, dict):
                d[x.get("name")] = x.get("value")
            else:
                d[x[0]] = x[1]
        return d
    return dict(a)


def content(j):
    """The lines joined with "\n" (the file's records end each line with
    one; the last one is dropped here so that lines == content.split("\n"))."""
    c = j.get("content", "")
    if isinstance(c, list):
        return "\n".join(c)
    return c[:-1] if c.endswith("\n") else c


def split(c):
    """(header lines unfolded as [(name, value)], body text)."""
    lines = c.split("\n")
    heads, i = [], 0
    while i < len(lines) and lines[i] != "":
        if lines[i][:1] in (" ", "\t") and heads:
            n, v = heads[-1]
            heads[-1] = (n, v + "\n" + lines[i])
        elif ":" in lines[i]:
            n, v = lines[i].split(":", 1)
            heads.append((n, v.strip()))
        else:
            break
        i += 1
    return heads, "\n".join(lines[i + 1:])


def header_names(c):
    return [n.lower() for n, _ in split(c)[0]]
