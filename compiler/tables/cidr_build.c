/* cidr_build.c: cidr_table(5) source -> cidr rules (stdlib/maps/cidr.h).
 * A rule is "pattern result" or "!pattern result"; "if pattern" ...
 * "endif" blocks nest. A bad rule is reported (table-syntax) and skipped,
 * as Postfix does; an "if" without "endif" runs to the end of the file. */
#include "compiler/tables/build.h"
#include "compiler/tables/kvsrc.h"
#include "stdlib/maps/cidr.h"
#include "stdlib/util/alloc.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v' || c == '\n';
}

/* Parse a pattern into r; on failure a message in why. */
static int parse_pattern(const char *pat, cidr_rule *r, strbuf *why)
{
    const char *p = pat;
    r->negate = 0;
    if (*p == '!') {
        r->negate = 1;
        p++;
    }
    char *buf = xstrdup(p), *addr = buf, *mask = NULL;
    size_t n = strlen(buf);
    if (addr[0] == '[') {
        char *close = strchr(addr, ']');
        if (close && close[1] == 0) {           /* [addr] or [addr/len] */
            *close = 0;
            addr++;
        } else if (close && close[1] == '/') {  /* [addr]/len */
            *close = 0;
            addr++;
            mask = close + 2;
        }
    }
    (void)n;
    if (!mask) {
        char *slash = strchr(addr, '/');
        if (slash) {
            *slash = 0;
            mask = slash + 1;
        }
    }
    int ok = 0;
    int fam = cidr_parse_addr(addr, r->addr);
    if (!fam) {
        sb_addf(why, mask ? "bad network value in \"%s\"" : "bad address pattern: \"%s\"", p);
        goto out;
    }
    r->family = (unsigned char)fam;
    unsigned max = fam == 4 ? 32 : 128, len = max;
    if (mask) {
        if (!*mask || strspn(mask, "0123456789") != strlen(mask)) {
            sb_addf(why, "bad mask value in \"%s\"", p);
            goto out;
        }
        len = strlen(mask) > 3 ? 999 : (unsigned)atoi(mask);
        if (len > max) {
            sb_addf(why, "bad mask length in \"%s\"", p);
            goto out;
        }
    }
    r->prefix = (unsigned char)len;
    unsigned char net[16];
    memcpy(net, r->addr, 16);
    for (unsigned b = len; b < max; b++)
        net[b / 8] &= (unsigned char)~(0x80 >> (b % 8));
    if (memcmp(net, r->addr, 16) != 0) {
        char txt[64];
        inet_ntop(fam == 4 ? AF_INET : AF_INET6, net, txt, sizeof txt);
        sb_addf(why, "non-null host address bits in \"%s\", perhaps you should use \"%s/%u\" instead",
                p, txt, len);
        goto out;
    }
    ok = 1;
out:
    free(buf);
    return ok;
}

cidr_rule *tables_cidr_rules(int file, diags *d, size_t *nout)
{
    kvsrc s;
    kvsrc_parse(&s, file, d);
    cidr_rule *v = NULL;
    size_t n = 0, cap = 0;
    size_t *open = NULL, nopen = 0, opencap = 0;
    loc *open_at = NULL;
    size_t open_at_cap = 0;
    strbuf why;
    sb_init(&why);
    for (size_t i = 0; i < s.n; i++) {
        const kvsrc_line *l = &s.v[i];
        const char *t = l->text;
        size_t len = l->len, e = len;
        while (e > 0 && is_space(t[e - 1]))
            e--;
        size_t k = 0;
        while (k < e && !is_space(t[k]))
            k++;
        size_t rb = k;
        while (rb < e && is_space(t[rb]))
            rb++;
        loc line_at = kvsrc_loc(&s, l, 0, e);
        cidr_rule r;
        memset(&r, 0, sizeof r);
        r.line = 0;
        sb_clear(&why);
        if (k == 2 && strncasecmp(t, "if", 2) == 0) {
            char *pat = xstrndup(t + rb, e - rb);
            int ok = parse_pattern(pat, &r, &why);
            free(pat);
            if (!ok) {
                diag *g = diag_add(d, DIAG_TABLE_SYNTAX, kvsrc_loc(&s, l, rb, e - rb),
                                   "%s; Postfix skips this rule", sb_str(&why));
                diag_hint(g, "write \"if address/prefix\" with the host bits zero");
                continue;
            }
            r.kind = CIDR_IF;
            xgrow(&open, &opencap, nopen + 1, sizeof *open);
            xgrow(&open_at, &open_at_cap, nopen + 1, sizeof *open_at);
            open_at[nopen] = kvsrc_loc(&s, l, 0, 2);
            open[nopen++] = n;
        } else if (k == 5 && strncasecmp(t, "endif", 5) == 0) {
            if (rb < e) {
                diag *g = diag_add(d, DIAG_TABLE_SYNTAX, kvsrc_loc(&s, l, rb, e - rb),
                                   "garbage after ENDIF; Postfix skips this rule");
                diag_hint(g, "\"endif\" stands alone on its line; a line that starts with whitespace continues the line before it");
                continue;
            }
            if (!nopen) {
                diag *g = diag_add(d, DIAG_TABLE_SYNTAX, line_at, "ENDIF without IF; Postfix skips this rule");
                diag_hint(g, "remove the \"endif\", or add the \"if\" it closes");
                continue;
            }
            r.kind = CIDR_ENDIF;
            size_t ifi = open[--nopen];
            xgrow(&v, &cap, n + 1, sizeof *v);
            v[n++] = r;
            v[ifi].skip = n;
            continue;
        } else {
            char *pat = xstrndup(t, k);
            int ok = parse_pattern(pat, &r, &why);
            free(pat);
            if (!ok) {
                diag *g = diag_add(d, DIAG_TABLE_SYNTAX, kvsrc_loc(&s, l, 0, k),
                                   "%s; Postfix skips this rule", sb_str(&why));
                diag_hint(g, "patterns are address or address/prefix (IPv4 or IPv6, host bits zero, no leading zeros)");
                continue;
            }
            if (rb >= e) {
                diag *g = diag_add(d, DIAG_TABLE_SYNTAX, line_at,
                                   "no lookup result; Postfix skips this rule");
                diag_hint(g, "write \"address/prefix result\"");
                continue;
            }
            r.kind = CIDR_MATCH;
            r.result = xstrndup(t + rb, e - rb);
        }
        unsigned line, col;
        src_linecol(d->src, s.file, line_at.off, &line, &col);
        r.line = line;
        xgrow(&v, &cap, n + 1, sizeof *v);
        v[n++] = r;
    }
    while (nopen > 0) {
        nopen--;
        v[open[nopen]].skip = n;
        diag *g = diag_add(d, DIAG_TABLE_SYNTAX, open_at[nopen], "IF has no matching ENDIF");
        diag_hint(g, "add \"endif\" where the block ends; until then it runs to the end of the file");
    }
    free(open);
    free(open_at);
    sb_free(&why);
    kvsrc_free(&s);
    *nout = n;
    return v;
}

map *tables_build_cidr(const char *name, int file, diags *d)
{
    size_t n;
    cidr_rule *v = tables_cidr_rules(file, d, &n);
    return map_cidr_new(name, v, n);
}
