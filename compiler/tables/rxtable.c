/* rxtable.c: load a regexp: or pcre: table as Postfix does (see rxtable.h).
 *
 * Postfix reads the file as logical lines (a line starting with whitespace
 * continues the previous one, blank and comment lines are dropped even
 * between continuation lines), parses each line, and skips with a warning
 * every rule it cannot use: an unknown flag, a pattern that does not
 * compile, bad or out-of-range $n in the result, an IF without pattern, an
 * ENDIF without IF. An IF without ENDIF extends to the end of the file.
 * We do the same and report each as a diagnostic; the rules that remain
 * are what stdlib/maps runs. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "compiler/tables/rxtable.h"
#include "compiler/grammar/rxtable_scan.h"
#include "stdlib/util/alloc.h"

#include <ctype.h>
#include <errno.h>
#include <pcre2.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>

static const char *const use_names[] = {
    [TABLE_USE_OTHER] = "other",       [TABLE_USE_ACCESS] = "access",
    [TABLE_USE_ADDRESS] = "address",   [TABLE_USE_TRANSPORT] = "transport",
    [TABLE_USE_HEADER] = "header",     [TABLE_USE_BODY] = "body",
    [TABLE_USE_SMTP_HEADER] = "smtp-header", [TABLE_USE_SMTP_BODY] = "smtp-body",
    [TABLE_USE_MILTER_HEADER] = "milter-header",
};

int table_use_lookup(const char *name)
{
    for (size_t i = 0; i < sizeof use_names / sizeof *use_names; i++)
        if (strcmp(name, use_names[i]) == 0)
            return (int)i;
    /* the tables' own names, for convenience */
    static const struct { const char *n; table_use u; } alias[] = {
        { "virtual", TABLE_USE_ADDRESS },   { "canonical", TABLE_USE_ADDRESS },
        { "generic", TABLE_USE_ADDRESS },   { "relocated", TABLE_USE_ADDRESS },
        { "header_checks", TABLE_USE_HEADER }, { "body_checks", TABLE_USE_BODY },
    };
    for (size_t i = 0; i < sizeof alias / sizeof *alias; i++)
        if (strcmp(name, alias[i].n) == 0)
            return (int)alias[i].u;
    return -1;
}

const char *table_use_name(table_use u)
{
    return use_names[u];
}

const char *table_use_names(void)
{
    return "access, address (virtual, canonical, generic, relocated), transport, header, "
           "body, smtp-header, smtp-body, milter-header, other";
}

/* ---- logical lines ---------------------------------------------------- */

static void add_piece(rxtable *t, strbuf *lt, size_t *cap, const char *s, size_t foff, size_t len)
{
    xgrow(&t->pieces, cap, t->npieces + 1, sizeof *t->pieces);
    t->pieces[t->npieces++] = (struct rxt_piece){ (unsigned)lt->len, (unsigned)foff, (unsigned)len };
    sb_addn(lt, s, len);
}

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

static void build_logical(rxtable *t, const src_file *f, diags *d)
{
    strbuf lt;
    sb_init(&lt);
    sb_adds(&lt, "");
    size_t cap = 0;
    int open = 0;
    for (size_t b = 0; b < f->len;) {
        size_t e = b;
        while (e < f->len && f->text[e] != '\n')
            e++;
        size_t k = b;
        while (k < e && is_space(f->text[k]))
            k++;
        if (k == e || f->text[k] == '#') {
            /* blank or comment: dropped, also between continuation lines */
        } else if (k > b) {
            if (open) {
                add_piece(t, &lt, &cap, f->text + b, b, e - b);
            } else {
                diag *g = diag_add(d, DIAG_SYNTAX, loc_make(t->file, b, e - b),
                                   "a table line must not start with whitespace; Postfix ignores it");
                diag_hint(g, "remove the leading whitespace; indented lines only continue the line above");
            }
        } else {
            if (open) {
                xgrow(&t->pieces, &cap, t->npieces + 1, sizeof *t->pieces);
                t->pieces[t->npieces++] = (struct rxt_piece){ (unsigned)lt.len, (unsigned)b, 0 };
                sb_addc(&lt, '\n');
            }
            add_piece(t, &lt, &cap, f->text + b, b, e - b);
            open = 1;
        }
        b = e + 1;
    }
    if (open) {
        xgrow(&t->pieces, &cap, t->npieces + 1, sizeof *t->pieces);
        t->pieces[t->npieces++] = (struct rxt_piece){ (unsigned)lt.len, (unsigned)f->len, 0 };
        sb_addc(&lt, '\n');
    }
    t->len = lt.len;
    t->text = sb_take(&lt);
}

/* The file location of logical bytes [first, last): from the piece that
 * holds first, up to the end of that piece. */
loc rxtable_loc(const rxtable *t, unsigned first, unsigned last)
{
    size_t lo = 0, hi = t->npieces;
    while (hi - lo > 1) {
        size_t mid = (lo + hi) / 2;
        if (t->pieces[mid].loff <= first)
            lo = mid;
        else
            hi = mid;
    }
    if (t->npieces == 0)
        return loc_make(t->file, 0, 0);
    const struct rxt_piece *p = &t->pieces[lo];
    unsigned off = first - p->loff;
    if (off > p->len)
        off = p->len;
    unsigned end = last < p->loff + p->len ? last - p->loff : p->len;
    return loc_make(t->file, p->foff + off, end > off ? end - off : 0);
}

#define lloc rxtable_loc

/* ---- compiling for diagnostics -------------------------------------------- */

size_t rx_bracket_end(const char *p, size_t i, size_t n, int escapes)
{
    size_t j = i + 1;
    if (j < n && p[j] == '^')
        j++;
    if (j < n && p[j] == ']')
        j++;
    while (j < n && p[j] != ']') {
        if (p[j] == '[' && j + 1 < n && strchr(":.=", p[j + 1])) {
            char t = p[j + 1];
            j += 2;
            while (j + 1 < n && !(p[j] == t && p[j + 1] == ']'))
                j++;
            j += 2;
            continue;
        }
        if (escapes && p[j] == '\\')
            j++;
        j++;
    }
    return j < n ? j : n;
}

/* Where in a POSIX pattern regcomp's error is, or -1 for "the pattern". */
static long regcomp_fault(const char *p, int code, int ere)
{
    size_t n = strlen(p);
    long stack[256];
    int depth = 0;
    long last_brack = -1, last_brace = -1;
    for (size_t i = 0; i < n; i++) {
        char c = p[i];
        if (c == '\\') {
            if (i + 1 >= n)
                return code == REG_EESCAPE ? (long)i : -1;
            if (!ere && (p[i + 1] == '(' || p[i + 1] == ')')) {
                if (p[i + 1] == '(' && depth < 256)
                    stack[depth++] = (long)i;
                else if (p[i + 1] == ')' && depth > 0)
                    depth--;
                else if (code == REG_EPAREN)
                    return (long)i;
            }
            i++;
            continue;
        }
        if (c == '[') {
            size_t j = rx_bracket_end(p, i, n, 0);
            if (j >= n) {
                last_brack = (long)i;
                break;
            }
            i = j;
            continue;
        }
        if (ere && c == '(') {
            if (code == REG_BADRPT && i + 1 < n && p[i + 1] == '?')
                return (long)i + 1;
            if (depth < 256)
                stack[depth++] = (long)i;
        } else if (ere && c == ')') {
            if (depth > 0)
                depth--;
            else if (code == REG_EPAREN)
                return (long)i;
        } else if (ere && c == '{') {
            last_brace = (long)i;
        } else if (ere && c == '}') {
            last_brace = -1;
        } else if (code == REG_BADRPT && ere && strchr("*+?", c) &&
                   (i == 0 || p[i - 1] == '(' || p[i - 1] == '|' ||
                    strchr("*+?", p[i - 1]))) {
            return (long)i;
        }
    }
    if (code == REG_EPAREN && depth > 0)
        return stack[depth - 1];
    if (code == REG_EBRACK && last_brack >= 0)
        return last_brack;
    if ((code == REG_EBRACE || code == REG_BADBR) && last_brace >= 0)
        return last_brace;
    return -1;
}

/* Compile for the checks: 0 and *ngroups, or -1 with a diagnostic. */
static int compile_check(rxtable *t, const char *pat, unsigned flags, unsigned pat_first,
                         int *ngroups, diags *d)
{
    if (t->type == RXT_PCRE) {
        uint32_t opt = 0;
        if (flags & MAP_RX_ICASE) opt |= PCRE2_CASELESS;
        if (flags & MAP_RX_DOTALL) opt |= PCRE2_DOTALL;
        if (flags & MAP_RX_MULTILINE) opt |= PCRE2_MULTILINE;
        if (flags & MAP_RX_EXTENDED) opt |= PCRE2_EXTENDED;
        if (flags & MAP_RX_ANCHORED) opt |= PCRE2_ANCHORED;
        if (flags & MAP_RX_DOLLAR_ENDONLY) opt |= PCRE2_DOLLAR_ENDONLY;
        if (flags & MAP_RX_UNGREEDY) opt |= PCRE2_UNGREEDY;
        int ec;
        PCRE2_SIZE eo;
        pcre2_code *code = pcre2_compile((PCRE2_SPTR)pat, PCRE2_ZERO_TERMINATED, opt, &ec, &eo, NULL);
        if (!code) {
            PCRE2_UCHAR buf[256];
            pcre2_get_error_message(ec, buf, sizeof buf);
            size_t plen = strlen(pat);
            unsigned at = pat_first + (unsigned)(eo > plen ? plen : eo);
            diag *g = diag_add(d, DIAG_BAD_REGEX, lloc(t, at, at + (eo < plen ? 1 : 0)),
                               "pattern does not compile: %s (offset %zu); Postfix skips this rule",
                               (char *)buf, (size_t)eo);
            diag_note_add(g, lloc(t, pat_first, pat_first + (unsigned)plen), "the pattern");
            diag_hint(g, "fix the pattern; pcre2syntax(3) describes the syntax");
            return -1;
        }
        uint32_t cap = 0;
        pcre2_pattern_info(code, PCRE2_INFO_CAPTURECOUNT, &cap);
        pcre2_code_free(code);
        *ngroups = (int)cap;
        return 0;
    }
    regex_t re;
    int cf = 0;
    if (flags & MAP_RX_EXTENDED) cf |= REG_EXTENDED;
    if (flags & MAP_RX_ICASE) cf |= REG_ICASE;
    if (flags & MAP_RX_MULTILINE) cf |= REG_NEWLINE;
    int rc = regcomp(&re, pat, cf);
    if (rc != 0) {
        char buf[256];
        regerror(rc, &re, buf, sizeof buf);
        long at = regcomp_fault(pat, rc, (flags & MAP_RX_EXTENDED) != 0);
        unsigned plen = (unsigned)strlen(pat);
        loc l = at >= 0 ? lloc(t, pat_first + (unsigned)at, pat_first + (unsigned)at + 1)
                        : lloc(t, pat_first, pat_first + plen);
        diag *g = diag_add(d, DIAG_BAD_REGEX, l, "pattern does not compile: %s; Postfix skips this rule", buf);
        const char *pc = strstr(pat, "(?");
        if (pc && (flags & MAP_RX_EXTENDED)) {
            unsigned o = pat_first + (unsigned)(pc - pat);
            diag_note_add(g, lloc(t, o, o + 2), "\"(?\" is PCRE syntax; regexp: tables use POSIX regular expressions");
            diag_hint(g, "write the pattern in POSIX syntax, or use a pcre: table");
        } else {
            diag_hint(g, "fix the pattern; regex(7) describes POSIX extended regular expressions");
        }
        return -1;
    }
    *ngroups = (int)re.re_nsub;
    regfree(&re);
    return 0;
}

/* ---- one line at a time ------------------------------------------------------ */

static unsigned parse_flags(rxtable *t, const rxt_line *l, int *ok, diags *d)
{
    unsigned f = t->type == RXT_PCRE ? (MAP_RX_ICASE | MAP_RX_DOTALL)
                                     : (MAP_RX_ICASE | MAP_RX_EXTENDED);
    *ok = 1;
    for (unsigned i = l->flags.first; i < l->flags.last; i++) {
        char c = t->text[i];
        unsigned bit = 0;
        switch (c) {
        case 'i': bit = MAP_RX_ICASE; break;
        case 'm': bit = MAP_RX_MULTILINE; break;
        case 'x': bit = MAP_RX_EXTENDED; break;
        default:
            if (t->type == RXT_PCRE) {
                if (c == 's') bit = MAP_RX_DOTALL;
                else if (c == 'A') bit = MAP_RX_ANCHORED;
                else if (c == 'E') bit = MAP_RX_DOLLAR_ENDONLY;
                else if (c == 'U') bit = MAP_RX_UNGREEDY;
                else if (c == 'X') {
                    diag *g = diag_add_sev(d, DIAG_SYNTAX, SEV_WARNING, lloc(t, i, i + 1),
                                           "flag 'X' is obsolete with PCRE2; Postfix ignores it");
                    diag_hint(g, "remove the flag");
                    continue;
                }
            }
        }
        if (!bit) {
            diag *g = diag_add(d, DIAG_SYNTAX, lloc(t, i, i + 1),
                               "unknown %s flag '%c'; Postfix skips this rule",
                               t->type == RXT_PCRE ? "pcre" : "regexp", c);
            diag_hint(g, t->type == RXT_PCRE ? "pcre: flags are i, m, s, x, A, E and U (pcre_table(5)); "
                                               "put a space between the pattern and the result"
                                             : "regexp: flags are i, m and x (regexp_table(5)); "
                                               "put a space between the pattern and the result");
            *ok = 0;
            return f;
        }
        f ^= bit;
    }
    return f;
}

static void push_rule(rxtable *t, const rxt_rule *r)
{
    xgrow(&t->v, &t->cap, t->n + 1, sizeof *t->v);
    t->v[t->n++] = *r;
}

static const char *tmpl_problem(rx_tmpl_err e)
{
    switch (e) {
    case RX_TMPL_EMPTY_NAME: return "a '$' that starts no substitution";
    case RX_TMPL_TRUNCATED:  return "an unclosed substitution";
    case RX_TMPL_NONNUMERIC: return "a substitution that is not a group number";
    default:                 return "bad substitution";
    }
}

/* Check a rule's result: 0 to keep the rule, -1 when Postfix skips it. */
static int check_result(rxtable *t, const rxt_line *l, int ngroups, diags *d)
{
    if (l->text.last <= l->text.first)
        return 0;
    char *s = xstrndup(t->text + l->text.first, l->text.last - l->text.first);
    rx_tmpl tm;
    size_t eo = 0, el = 0;
    rx_tmpl_err e = rx_tmpl_parse(&tm, s, &eo, &el);
    int rc = 0;
    unsigned base = l->text.first;
    if (e == RX_TMPL_ZERO) {
        diag *g = diag_add(d, DIAG_REGEX_BACKREF, lloc(t, base + (unsigned)eo, base + (unsigned)(eo + el)),
                           "$0 is not a group; Postfix skips this rule");
        diag_hint(g, "groups are numbered from $1; write $$ for a literal '$'");
        rc = -1;
    } else if (e != RX_TMPL_OK) {
        diag *g = diag_add(d, DIAG_SYNTAX, lloc(t, base + (unsigned)eo, base + (unsigned)(eo + el)),
                           "%s in the result; Postfix skips this rule", tmpl_problem(e));
        diag_hint(g, "write $1, ${1} or $(1) for a group and $$ for a literal '$'");
        rc = -1;
    } else if (tm.max_group > 0) {
        /* the first offending $n */
        size_t at = 0, len = 1;
        for (size_t i = 0; s[i]; i++) {
            if (s[i] != '$')
                continue;
            if (s[i + 1] == '$') { i++; continue; }
            size_t j = i + 1;
            int br = s[j] == '{' || s[j] == '(';
            if (br) j++;
            int g = 0;
            while (isdigit((unsigned char)s[j]))
                g = g < 100000 ? g * 10 + (s[j] - '0') : g, j++;
            if (br) j++;
            if (l->negate || g > ngroups) {
                at = i;
                len = j - i;
                break;
            }
        }
        loc where = lloc(t, base + (unsigned)at, base + (unsigned)(at + len));
        if (l->negate) {
            diag *g = diag_add(d, DIAG_REGEX_BACKREF, where,
                               "$n in the result of a negated rule (nothing matched); Postfix skips this rule");
            diag_hint(g, "remove the '!' or the substitution");
            rc = -1;
        } else if (tm.max_group > ngroups) {
            diag *g = diag_add(d, DIAG_REGEX_BACKREF, where,
                               "$%d but the pattern has %d group%s; Postfix skips this rule",
                               tm.max_group, ngroups, ngroups == 1 ? "" : "s");
            diag_hint(g, "add parentheses around the part of the pattern to insert, or fix the number");
            rc = -1;
        }
    }
    rx_tmpl_free(&tm);
    free(s);
    return rc;
}

void rxtable_load(rxtable *t, int file, rxt_type type, table_use use, diags *d)
{
    memset(t, 0, sizeof *t);
    t->type = type;
    t->use = use;
    t->file = file;
    build_logical(t, src_get(d->src, file), d);
    struct rxt_scan ps;
    rxt_parse_text(&ps, t->text, t->len);
    size_t *open = xcalloc(ps.n + 1, sizeof *open), depth = 0;   /* indices in t->v */
    for (size_t i = 0; i < ps.n; i++) {
        const rxt_line *l = &ps.v[i];
        loc line = lloc(t, l->line.first, l->line.last);
        rxt_rule r;
        memset(&r, 0, sizeof r);
        r.line_loc = line;
        unsigned ln = 0, col = 0;
        src_linecol(d->src, file, line.off, &ln, &col);
        r.r.line = ln;
        r.depth = (int)depth;
        r.parent = depth ? open[depth - 1] : (size_t)-1;
        if (l->kind == RXT_BAD) {
            diag *g = diag_add(d, DIAG_SYNTAX, line, "not a rule, \"if\" or \"endif\"; Postfix ignores this line");
            diag_hint(g, "a rule starts with a pattern in delimiters, such as /pattern/ result");
            continue;
        }
        if (l->kind == RXT_ENDIF) {
            if (l->text.last > l->text.first) {
                diag *g = diag_add_sev(d, DIAG_SYNTAX, SEV_WARNING, lloc(t, l->text.first, l->text.last),
                                       "text after ENDIF; Postfix ignores it");
                diag_hint(g, "remove the text, or make it a comment on a line of its own");
            }
            if (depth == 0) {
                diag *g = diag_add(d, DIAG_SYNTAX, line, "ENDIF without a matching IF; Postfix ignores it");
                diag_hint(g, "remove it, or fix the IF above (an IF whose pattern is skipped leaves its ENDIF alone)");
                continue;
            }
            r.r.op = MAP_RX_ENDIF;
            r.depth = (int)--depth;
            r.parent = depth ? open[depth - 1] : (size_t)-1;
            push_rule(t, &r);
            continue;
        }
        const char *what = l->kind == RXT_IF ? "IF" : "rule";
        if (l->pat.last <= l->pat.first) {
            diag *g = diag_add(d, DIAG_SYNTAX, line, "%s without a pattern; Postfix skips it", what);
            diag_hint(g, "write the pattern between delimiters, such as /pattern/");
            continue;
        }
        char delim = t->text[l->pat.first];
        if (!l->closed) {
            diag *g = diag_add(d, DIAG_SYNTAX, lloc(t, l->pat.first, l->pat.last),
                               "no closing delimiter '%c'; Postfix skips this %s", delim, what);
            diag_hint(g, "end the pattern with '%c'; inside it, write \\%c for a literal '%c'",
                      delim, delim, delim);
            continue;
        }
        int ok;
        unsigned flags = parse_flags(t, l, &ok, d);
        if (!ok)
            continue;
        unsigned pf = l->pat.first + 1, pl = l->pat.last - 1;
        char *pat = xstrndup(t->text + pf, pl - pf);
        int ngroups = 0;
        if (compile_check(t, pat, flags, pf, &ngroups, d) < 0) {
            free(pat);
            continue;
        }
        r.r.op = l->kind == RXT_IF ? MAP_RX_IF : MAP_RX_MATCH;
        r.r.negate = l->negate;
        r.r.flags = flags;
        r.ngroups = ngroups;
        r.pat_loc = lloc(t, pf, pl);
        r.pat_first = pf;
        r.res_first = l->text.first;
        if (l->kind == RXT_IF) {
            if (l->text.last > l->text.first) {
                diag *g = diag_add_sev(d, DIAG_SYNTAX, SEV_WARNING, lloc(t, l->text.first, l->text.last),
                                       "text after the IF pattern; Postfix ignores it");
                diag_hint(g, "IF takes no result; an indented line after IF continues the IF line, "
                             "so do not indent the rules inside");
            }
            r.r.pattern = pat;
            push_rule(t, &r);
            open[depth++] = t->n - 1;
            continue;
        }
        if (check_result(t, l, ngroups, d) < 0) {
            free(pat);
            continue;
        }
        r.r.pattern = pat;
        r.r.result = xstrndup(t->text + l->text.first, l->text.last - l->text.first);
        r.result_loc = lloc(t, l->text.first, l->text.last);
        if (l->text.last <= l->text.first) {
            r.result_loc = lloc(t, l->pat.last, l->pat.last);
            if (use < TABLE_USE_HEADER) {
                diag *g = diag_add_sev(d, DIAG_SYNTAX, SEV_WARNING, line,
                                       "rule without a result; Postfix uses an empty string, which lookups reject");
                diag_hint(g, "write the result after the pattern, separated by whitespace");
            }
        }
        push_rule(t, &r);
    }
    while (depth > 0) {
        rxt_rule *ifr = &t->v[open[--depth]];
        diag *g = diag_add(d, DIAG_SYNTAX, ifr->line_loc,
                           "IF without a matching ENDIF; it extends to the end of the table");
        diag_hint(g, "add ENDIF after the rules it should guard");
        rxt_rule r;
        memset(&r, 0, sizeof r);
        r.r.op = MAP_RX_ENDIF;
        r.implicit = 1;
        r.depth = (int)depth;
        r.parent = depth ? open[depth - 1] : (size_t)-1;
        r.line_loc = ifr->line_loc;
        push_rule(t, &r);
    }
    free(open);
    free(ps.v);
}

map *rxtable_open(const rxtable *t, const char *name, strbuf *err)
{
    map_rx_rule *v = xcalloc(t->n ? t->n : 1, sizeof *v);
    for (size_t i = 0; i < t->n; i++)
        v[i] = t->v[i].r;
    map *m = t->type == RXT_PCRE ? map_pcre_open(name, v, t->n, err)
                                 : map_regexp_open(name, v, t->n, err);
    free(v);
    return m;
}

void rxtable_free(rxtable *t)
{
    for (size_t i = 0; i < t->n; i++) {
        free((char *)t->v[i].r.pattern);
        free((char *)t->v[i].r.result);
    }
    free(t->v);
    free(t->text);
    free(t->pieces);
    memset(t, 0, sizeof *t);
}

