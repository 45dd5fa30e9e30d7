/* rxcheck.c: lint checks on a loaded regexp:/pcre: table (rxtable.h):
 * regex-dialect (PCRE habits in POSIX patterns), regex-redos (nested
 * unbounded repetition in PCRE), regex-shadowed (rules an earlier rule
 * always beats), regex-unanchored (address patterns without anchors) and
 * header-action (results of header/body checks). */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "compiler/tables/rxtable.h"
#include "stdlib/util/alloc.h"

#include <ctype.h>
#include <pcre2.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static loc at(const rxtable *t, const rxt_rule *r, size_t off, size_t len)
{
    return rxtable_loc(t, r->pat_first + (unsigned)off, r->pat_first + (unsigned)(off + len));
}

/* Index after a bracket expression starting at p[i] == '[' (or n). */
static size_t skip_brackets(const char *p, size_t i, size_t n, int pcre)
{
    size_t j = rx_bracket_end(p, i, n, pcre);
    return j < n ? j + 1 : n;
}

/* ---- regex-dialect ------------------------------------------------------------ */

static void check_dialect(const rxtable *t, const rxt_rule *r, diags *d)
{
    const char *p = r->r.pattern;
    size_t n = strlen(p);
    if (!(r->r.flags & MAP_RX_EXTENDED))
        return;
    for (size_t i = 0; i < n; i++) {
        char c = p[i];
        if (c == '[') {
            size_t e = skip_brackets(p, i, n, 0);
            for (size_t k = i + 1; k + 1 < e; k++)
                if (p[k] == '\\' && strchr("dDwWsS", p[k + 1])) {
                    diag *g = diag_add(d, DIAG_REGEX_DIALECT, at(t, r, k, 2),
                                       "\"\\%c\" inside [...] is a backslash and a '%c' in a POSIX regexp: table",
                                       p[k + 1], p[k + 1]);
                    diag_hint(g, "use a character class such as [[:digit:]], [[:alnum:]_] or [[:space:]], or a pcre: table");
                    return;
                }
            i = e - 1;
            continue;
        }
        if (c == '\\' && i + 1 < n) {
            char e = p[i + 1];
            if (e == 'd' || e == 'D') {
                diag *g = diag_add(d, DIAG_REGEX_DIALECT, at(t, r, i, 2),
                                   "\"\\%c\" is not a digit class in a POSIX regexp: table", e);
                diag_hint(g, "write %s, or make this a pcre: table", e == 'd' ? "[0-9]" : "[^0-9]");
                return;
            }
            if (strchr("wWsSbB", e)) {
                diag *g = diag_add(d, DIAG_REGEX_DIALECT, at(t, r, i, 2),
                                   "\"\\%c\" is a GNU extension, not POSIX; it works with glibc only", e);
                diag_hint(g, "write %s, or make this a pcre: table",
                          e == 'w' ? "[[:alnum:]_]" : e == 'W' ? "[^[:alnum:]_]" : e == 's' ? "[[:space:]]"
                          : e == 'S' ? "[^[:space:]]" : "an explicit boundary such as (^|[^[:alnum:]_])");
                return;
            }
            i++;
            continue;
        }
        if ((c == '*' || c == '+' || c == '?' || c == '}') && i + 1 < n && (p[i + 1] == '?' || p[i + 1] == '+')) {
            diag *g = diag_add(d, DIAG_REGEX_DIALECT, at(t, r, i, 2),
                               "\"%c%c\" is a PCRE %s quantifier; POSIX has none and reads it as two quantifiers",
                               c, p[i + 1], p[i + 1] == '?' ? "lazy" : "possessive");
            diag_hint(g, "drop the second '%c' (POSIX matching takes the longest match anyway), or use a pcre: table",
                      p[i + 1]);
            return;
        }
    }
}

/* ---- regex-redos (pcre) ------------------------------------------------------- */

/* Unbounded quantifier at p[i] ('*', '+', '{n,}'), not possessive; its length or 0. */
static size_t unbounded_at(const char *p, size_t i, size_t n)
{
    if (i >= n)
        return 0;
    size_t j;
    if (p[i] == '*' || p[i] == '+') {
        j = i + 1;
    } else if (p[i] == '{') {
        j = i + 1;
        while (j < n && isdigit((unsigned char)p[j]))
            j++;
        if (j == i + 1 || j >= n || p[j] != ',' || j + 1 >= n || p[j + 1] != '}')
            return 0;
        j += 2;
    } else {
        return 0;
    }
    if (j < n && p[j] == '+')
        return 0;   /* possessive: no backtracking into it */
    return j - i;
}

/* Does p[b, e) contain an unbounded quantifier (outside classes)? */
static int has_unbounded(const char *p, size_t b, size_t e)
{
    for (size_t i = b; i < e; i++) {
        if (p[i] == '\\') { i++; continue; }
        if (p[i] == '[') { i = skip_brackets(p, i, e, 1) - 1; continue; }
        if (unbounded_at(p, i, e) && i > b)
            return 1;
    }
    return 0;
}

/* Two identical top-level alternatives in p[b, e), or one that is '.'. */
static int overlapping_alternatives(const char *p, size_t b, size_t e)
{
    size_t cut[64], nc = 0, depth = 0;
    cut[nc++] = b;
    for (size_t i = b; i < e; i++) {
        if (p[i] == '\\') { i++; continue; }
        if (p[i] == '[') { i = skip_brackets(p, i, e, 1) - 1; continue; }
        if (p[i] == '(') depth++;
        else if (p[i] == ')') depth--;
        else if (p[i] == '|' && depth == 0 && nc < 63) cut[nc++] = i + 1;
    }
    if (nc < 2)
        return 0;
    cut[nc] = e + 1;
    for (size_t a = 0; a < nc; a++) {
        size_t la = cut[a + 1] - 1 - cut[a];
        if (la == 1 && p[cut[a]] == '.')
            return 1;
        for (size_t c = a + 1; c < nc; c++) {
            size_t lc = cut[c + 1] - 1 - cut[c];
            if (la == lc && memcmp(p + cut[a], p + cut[c], la) == 0)
                return 1;
        }
    }
    return 0;
}

static void check_redos(const rxtable *t, const rxt_rule *r, diags *d)
{
    const char *p = r->r.pattern;
    size_t n = strlen(p);
    size_t stack[64];
    int depth = 0;
    for (size_t i = 0; i < n; i++) {
        if (p[i] == '\\') { i++; continue; }
        if (p[i] == '[') { i = skip_brackets(p, i, n, 1) - 1; continue; }
        if (p[i] == '(') {
            if (depth < 64)
                stack[depth] = i;
            depth++;
            continue;
        }
        if (p[i] != ')' || depth == 0)
            continue;
        depth--;
        if (depth >= 64)
            continue;
        size_t open = stack[depth], body = open + 1;
        if (body + 1 < n && p[body] == '?') {
            if (p[body + 1] == '>' || p[body + 1] == '=' || p[body + 1] == '!' || p[body + 1] == '<')
                continue;   /* atomic groups and lookaround */
            if (p[body + 1] == ':')
                body += 2;
        }
        size_t q = unbounded_at(p, i + 1, n);
        if (!q)
            continue;
        int nested = has_unbounded(p, body, i);
        if (nested || overlapping_alternatives(p, body, i)) {
            diag *g = diag_add(d, DIAG_REGEX_REDOS, at(t, r, open, i + 1 + q - open),
                               nested ? "a repeated group whose body repeats too: backtracking can take exponential time"
                                      : "a repeated group with overlapping alternatives: backtracking can take exponential time");
            diag_hint(g, "repeat once (e.g. (a+)+ -> a+, (\\w+\\s*)+ -> [\\w\\s]+), or make the group atomic with (?>...)");
            return;
        }
    }
}

/* ---- regex-shadowed ------------------------------------------------------------ */

static int matches_empty(const rxtable *t, const rxt_rule *r)
{
    unsigned f = r->r.flags;
    if (t->type == RXT_PCRE) {
        uint32_t opt = 0;
        if (f & MAP_RX_ICASE) opt |= PCRE2_CASELESS;
        if (f & MAP_RX_DOTALL) opt |= PCRE2_DOTALL;
        if (f & MAP_RX_MULTILINE) opt |= PCRE2_MULTILINE;
        if (f & MAP_RX_EXTENDED) opt |= PCRE2_EXTENDED;
        if (f & MAP_RX_ANCHORED) opt |= PCRE2_ANCHORED;
        if (f & MAP_RX_DOLLAR_ENDONLY) opt |= PCRE2_DOLLAR_ENDONLY;
        if (f & MAP_RX_UNGREEDY) opt |= PCRE2_UNGREEDY;
        int ec;
        PCRE2_SIZE eo;
        pcre2_code *c = pcre2_compile((PCRE2_SPTR)r->r.pattern, PCRE2_ZERO_TERMINATED, opt, &ec, &eo, NULL);
        if (!c)
            return 1;
        pcre2_match_data *md = pcre2_match_data_create_from_pattern(c, NULL);
        int rc = pcre2_match(c, (PCRE2_SPTR)"", 0, 0, 0, md, NULL);
        pcre2_match_data_free(md);
        pcre2_code_free(c);
        return rc != PCRE2_ERROR_NOMATCH;
    }
    regex_t re;
    int cf = REG_NOSUB;
    if (f & MAP_RX_EXTENDED) cf |= REG_EXTENDED;
    if (f & MAP_RX_ICASE) cf |= REG_ICASE;
    if (f & MAP_RX_MULTILINE) cf |= REG_NEWLINE;
    if (regcomp(&re, r->r.pattern, cf) != 0)
        return 1;
    int rc = regexec(&re, "", 0, NULL, 0);
    regfree(&re);
    return rc == 0;
}

int rx_catch_all(int pcre, const map_rx_rule *r)
{
    const char *p = r->pattern;
    unsigned f = r->flags;
    if (r->negate || (pcre && (f & MAP_RX_EXTENDED)))
        return 0;
    if (!pcre && !(f & MAP_RX_EXTENDED))
        return 0;
    static const char *const all[] = { "", "^", "$", ".*", "^.*", ".*$" };
    for (size_t i = 0; i < sizeof all / sizeof *all; i++)
        if (strcmp(p, all[i]) == 0)
            return 2;
    /* '.' matches a newline: pcre with s (default), regexp without m */
    int dot_nl = pcre ? (f & MAP_RX_DOTALL) != 0 : !(f & MAP_RX_MULTILINE);
    if (strcmp(p, "^.*$") == 0 && (dot_nl || (f & MAP_RX_MULTILINE)))
        return 2;
    if (dot_nl && (!strcmp(p, ".") || !strcmp(p, "^.") || !strcmp(p, ".+") || !strcmp(p, "^.+")))
        return 1;
    return 0;
}

static int catch_all(const rxtable *t, const rxt_rule *r)
{
    return rx_catch_all(t->type == RXT_PCRE, &r->r);
}

/* Does the earlier rule i run whenever rule j is reached (same block or
 * an enclosing one)? */
static int dominates(const rxtable *t, size_t i, size_t j)
{
    size_t want = t->v[i].parent;
    for (size_t p = t->v[j].parent;; p = t->v[p].parent) {
        if (p == want)
            return 1;
        if (p == (size_t)-1)
            return 0;
    }
}

typedef struct pent { const char *pat; unsigned flags; int negate; size_t rule; } pent;

static size_t phash(const char *s, size_t n, unsigned flags, int negate)
{
    size_t h = 1469598103934665603ull ^ flags ^ ((size_t)negate << 20);
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
    return h;
}

/* Is p[0, k) a prefix ending at an atom boundary of p (so that p = prefix . rest)? */
static int clean_split(const char *p, size_t k, int pcre)
{
    char nx = p[k];
    if (strchr("*+?{}|", nx))
        return 0;
    if (k == 0)
        return 0;
    /* no '|' at the top level of p, no \Q, and we are not inside a group or class */
    int depth = 0;
    size_t n = strlen(p);
    for (size_t i = 0; i < n; i++) {
        if (p[i] == '\\') {
            if (pcre && i + 1 < n && p[i + 1] == 'Q')
                return 0;
            if (i + 1 == k)
                return 0;
            i++;
            continue;
        }
        if (p[i] == '[') {
            size_t e = skip_brackets(p, i, n, pcre);
            if (k > i && k < e)
                return 0;
            i = e - 1;
            continue;
        }
        if (p[i] == '(') depth++;
        else if (p[i] == ')') depth--;
        else if (p[i] == '|' && depth == 0) return 0;
        if (i + 1 == k && depth != 0)
            return 0;
    }
    /* an escape just before the split could take more characters (\x4 + 1) */
    for (size_t i = k >= 6 ? k - 6 : 0; i < k; i++)
        if (p[i] == '\\' && isalnum((unsigned char)nx))
            return 0;
    return 1;
}

static void check_shadowed(const rxtable *t, diags *d)
{
    size_t cap = 16;
    while (cap < 4 * t->n)
        cap <<= 1;
    pent *h = xcalloc(cap, sizeof *h);
    size_t *alls = xcalloc(t->n + 1, sizeof *alls), nall = 0;
    int pcre = t->type == RXT_PCRE;
    for (size_t j = 0; j < t->n; j++) {
        const rxt_rule *r = &t->v[j];
        if (r->r.op != MAP_RX_MATCH)
            continue;
        size_t by = (size_t)-1;
        const char *why = NULL;
        for (size_t a = 0; a < nall && by == (size_t)-1; a++) {
            size_t i = alls[a];
            if (dominates(t, i, j) && (catch_all(t, &t->v[i]) == 2 || !matches_empty(t, r))) {
                by = i;
                why = "matches every key";
            }
        }
        const char *p = r->r.pattern;
        size_t n = strlen(p);
        int analysable = !(pcre && (r->r.flags & MAP_RX_EXTENDED)) &&
                         (pcre || (r->r.flags & MAP_RX_EXTENDED));
        for (size_t k = n; k > 0 && by == (size_t)-1; k--) {
            if (k < n && (r->r.negate || !analysable || !clean_split(p, k, pcre)))
                continue;
            for (int pass = 0; pass < 2 && by == (size_t)-1; pass++) {
                unsigned fl = pass ? (r->r.flags | MAP_RX_ICASE) : r->r.flags;
                if (pass && fl == r->r.flags)
                    break;
                for (size_t s = phash(p, k, fl, r->r.negate) & (cap - 1); h[s].pat; s = (s + 1) & (cap - 1)) {
                    if (h[s].flags == fl && h[s].negate == r->r.negate && strlen(h[s].pat) == k &&
                        memcmp(h[s].pat, p, k) == 0 && dominates(t, h[s].rule, j)) {
                        by = h[s].rule;
                        why = k == n && !pass ? "has the same pattern" : "matches every key this rule matches";
                        break;
                    }
                }
            }
        }
        if (by != (size_t)-1) {
            unsigned ln = 0, col = 0;
            src_linecol(d->src, t->file, t->v[by].line_loc.off, &ln, &col);
            diag *g = diag_add(d, DIAG_REGEX_SHADOWED, r->pat_loc,
                               "this rule never fires: the rule on line %u %s and comes first", ln, why);
            diag_note_add(g, t->v[by].pat_loc, "the earlier rule");
            diag_hint(g, "move this rule above line %u, or remove it", ln);
            continue;   /* do not index a rule that never fires */
        }
        if (catch_all(t, r))
            alls[nall++] = j;
        size_t s = phash(p, n, r->r.flags, r->r.negate) & (cap - 1);
        int dup = 0;
        for (; h[s].pat; s = (s + 1) & (cap - 1))
            if (h[s].flags == r->r.flags && h[s].negate == r->r.negate && strcmp(h[s].pat, p) == 0)
                dup = 1;
        if (!dup)
            h[s] = (pent){ p, r->r.flags, r->r.negate, j };
    }
    free(h);
    free(alls);
}

/* ---- regex-unanchored ------------------------------------------------------------ */

static void check_unanchored(const rxtable *t, const rxt_rule *r, diags *d)
{
    const char *p = r->r.pattern;
    size_t n = strlen(p);
    if (r->r.negate || n == 0 || p[0] == '^' || (r->r.flags & MAP_RX_ANCHORED))
        return;
    if (p[n - 1] == '$' && (n < 2 || p[n - 2] != '\\'))
        return;
    if (!strstr(p, "\\.") && !strchr(p, '@'))
        return;
    if (t->use == TABLE_USE_ACCESS) {
        /* a substring REJECT is usually meant; an OK on a substring is the danger */
        const char *res = r->r.result ? r->r.result : "";
        if (!(strncasecmp(res, "OK", 2) == 0 || strncasecmp(res, "RELAY", 5) == 0 ||
              strncasecmp(res, "PERMIT", 6) == 0 || isdigit((unsigned char)res[0])))
            return;
    }
    diag *g;
    if (t->use == TABLE_USE_ACCESS) {
        const char *res = r->r.result;
        int wl = (int)strcspn(res, " \t");
        g = diag_add(d, DIAG_REGEX_UNANCHORED, r->pat_loc,
                     "this access pattern is not anchored: its %.*s also applies to keys that only contain it",
                     wl, res);
    } else {
        g = diag_add(d, DIAG_REGEX_UNANCHORED, r->pat_loc,
                     "this %s pattern is not anchored: it also matches keys that only contain it",
                     table_use_name(t->use));
    }
    diag_hint(g, "anchor it: /^user@example\\.com$/ for one address, /(^|[.@])example\\.com$/ for a domain");
}

/* ---- header-action -------------------------------------------------------------- */

static const char *const actions[] = {
    "BCC", "DISCARD", "DUNNO", "FILTER", "HOLD", "IGNORE", "INFO", "OK", "PASS",
    "PREPEND", "REDIRECT", "REPLACE", "REJECT", "STRIP", "WARN",
};

static size_t edit_distance(const char *a, size_t la, const char *b)
{
    size_t lb = strlen(b), row[32];
    if (la > 30 || lb > 30)
        return 99;
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t prev = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t cur = row[j];
            size_t sub = prev + (toupper((unsigned char)a[i - 1]) != b[j - 1]);
            size_t best = row[j] + 1 < row[j - 1] + 1 ? row[j] + 1 : row[j - 1] + 1;
            row[j] = sub < best ? sub : best;
            prev = cur;
        }
    }
    return row[lb];
}

static void check_action(const rxtable *t, const rxt_rule *r, diags *d)
{
    const char *s = r->r.result ? r->r.result : "";
    size_t wl = 0;
    while (s[wl] && !isspace((unsigned char)s[wl]))
        wl++;
    const char *arg = s + wl;
    while (*arg && isspace((unsigned char)*arg))
        arg++;
    loc wloc = rxtable_loc(t, r->res_first, r->res_first + (unsigned)wl);
    if (wl == 0) {
        diag *g = diag_add(d, DIAG_HEADER_ACTION, r->line_loc, "rule without an action");
        diag_hint(g, "write an action after the pattern, such as REJECT, WARN or IGNORE");
        return;
    }
    const char *act = NULL;
    for (size_t i = 0; i < sizeof actions / sizeof *actions; i++)
        if (strlen(actions[i]) == wl && strncasecmp(s, actions[i], wl) == 0)
            act = actions[i];
    if (!act) {
        const char *best = NULL;
        size_t bd = 3;
        for (size_t i = 0; i < sizeof actions / sizeof *actions; i++) {
            size_t e = edit_distance(s, wl, actions[i]);
            if (e < bd && (e <= 1 || wl >= 5)) {
                bd = e;
                best = actions[i];
            }
        }
        diag *g = diag_add(d, DIAG_HEADER_ACTION, wloc, "\"%.*s\" is not a %s action; Postfix logs it and does nothing",
                           (int)wl, s, t->use == TABLE_USE_BODY || t->use == TABLE_USE_SMTP_BODY ? "body_checks" : "header_checks");
        if (best)
            diag_hint(g, "did you mean %s?", best);
        else
            diag_hint(g, "actions are BCC, DISCARD, DUNNO, FILTER, HOLD, IGNORE, INFO, OK, PASS, PREPEND, "
                         "REDIRECT, REPLACE, REJECT, STRIP and WARN (header_checks(5))");
        return;
    }
    int smtp = t->use == TABLE_USE_SMTP_HEADER || t->use == TABLE_USE_SMTP_BODY;
    if (smtp && (!strcmp(act, "BCC") || !strcmp(act, "DISCARD") || !strcmp(act, "FILTER") || !strcmp(act, "HOLD") ||
                 !strcmp(act, "PASS") || !strcmp(act, "REDIRECT") || !strcmp(act, "REJECT"))) {
        diag *g = diag_add(d, DIAG_HEADER_ACTION, wloc, "%s is not supported in smtp_header_checks or smtp_body_checks", act);
        diag_hint(g, "use it in header_checks/body_checks (cleanup), or use WARN, INFO, PREPEND, REPLACE, IGNORE or STRIP here");
        return;
    }
    if (t->use == TABLE_USE_MILTER_HEADER && !strcmp(act, "PREPEND")) {
        diag *g = diag_add(d, DIAG_HEADER_ACTION, wloc, "PREPEND is not supported in milter_header_checks");
        diag_hint(g, "use REPLACE, or PREPEND in header_checks");
        return;
    }
    if (!*arg && (!strcmp(act, "BCC") || !strcmp(act, "REDIRECT") || !strcmp(act, "FILTER") ||
                  !strcmp(act, "PREPEND") || !strcmp(act, "REPLACE"))) {
        diag *g = diag_add(d, DIAG_HEADER_ACTION, wloc, "%s needs %s", act,
                           !strcmp(act, "FILTER") ? "transport:destination" :
                           (!strcmp(act, "PREPEND") || !strcmp(act, "REPLACE")) ? "the text" : "an address");
        diag_hint(g, "%s", !strcmp(act, "FILTER") ? "write FILTER transport:destination, e.g. FILTER smtp:[127.0.0.1]:10025"
                          : !strcmp(act, "BCC") || !strcmp(act, "REDIRECT") ? "write the address after the action: user@domain"
                          : "write the text after the action");
        return;
    }
    loc aloc = rxtable_loc(t, r->res_first + (unsigned)(arg - s), r->res_first + (unsigned)strlen(s));
    if (!strcmp(act, "FILTER") && !strchr(arg, ':')) {
        diag *g = diag_add(d, DIAG_HEADER_ACTION, aloc, "FILTER needs transport:destination, not \"%s\"", arg);
        diag_hint(g, "write e.g. FILTER smtp:[127.0.0.1]:10025, or FILTER %s: for the transport's default next hop", arg);
        return;
    }
    if (!strcmp(act, "BCC") && !strchr(arg, '@') && !strchr(arg, '$')) {
        diag *g = diag_add(d, DIAG_HEADER_ACTION, aloc, "BCC needs an address with a local part and a domain");
        diag_hint(g, "write BCC user@domain");
        return;
    }
    int header = t->use == TABLE_USE_HEADER || t->use == TABLE_USE_SMTP_HEADER || t->use == TABLE_USE_MILTER_HEADER;
    if (header && (!strcmp(act, "PREPEND") || !strcmp(act, "REPLACE"))) {
        size_t k = 0;
        while (arg[k] && arg[k] > ' ' && arg[k] < 127 && arg[k] != ':' && arg[k] != '$')
            k++;
        if (arg[k] != '$' && (k == 0 || arg[k] != ':')) {
            diag *g = diag_add(d, DIAG_HEADER_ACTION, aloc, "%s text for a header must start with a header label (\"Name:\")", act);
            diag_hint(g, "write e.g. %s X-Filtered: yes", act);
        }
    }
}

void rxtable_check(const rxtable *t, diags *d)
{
    for (size_t i = 0; i < t->n; i++) {
        const rxt_rule *r = &t->v[i];
        if (r->r.op == MAP_RX_ENDIF)
            continue;
        if (t->type == RXT_REGEXP)
            check_dialect(t, r, d);
        else
            check_redos(t, r, d);
        if (r->r.op != MAP_RX_MATCH)
            continue;
        if (t->use == TABLE_USE_ACCESS || t->use == TABLE_USE_ADDRESS || t->use == TABLE_USE_TRANSPORT)
            check_unanchored(t, r, d);
        if (t->use >= TABLE_USE_HEADER)
            check_action(t, r, d);
    }
    check_shadowed(t, d);
}
