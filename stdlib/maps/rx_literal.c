/* rx_literal.c: required literals of a pattern, for the prefilter.
 *
 * For each top-level alternative we find the longest run of literal
 * characters every match must contain; the pattern can only match a
 * string that contains (ASCII case-folded) one of them. Anything we do not
 * fully understand makes us give up (no literal: the rule is always
 * tried), so a wrong answer can only cost time, never change a result.
 * Groups, classes, escapes other than escaped punctuation, '.', anchors
 * and optional atoms break a run. */
#include "stdlib/maps/rx.h"
#include "stdlib/util/alloc.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

typedef struct scan {
    const char *p;
    size_t      i, e;       /* position, end of the alternative */
    rx_dialect  d;
} scan;

/* Skip a bracket expression starting at p[i] == '['; returns the index
 * after the closing ']' or 0 when there is none. */
static size_t skip_class(const char *p, size_t i, size_t e, rx_dialect d)
{
    size_t j = i + 1;
    if (j < e && p[j] == '^')
        j++;
    if (j < e && p[j] == ']')
        j++;
    while (j < e) {
        if (p[j] == ']')
            return j + 1;
        if (p[j] == '[' && j + 1 < e && (p[j + 1] == ':' || p[j + 1] == '.' || p[j + 1] == '=')) {
            char t = p[j + 1];
            size_t k = j + 2;
            while (k + 1 < e && !(p[k] == t && p[k + 1] == ']'))
                k++;
            if (k + 1 >= e)
                return 0;
            j = k + 2;
            continue;
        }
        if (d == RX_DIALECT_PCRE && p[j] == '\\') {
            if (j + 1 < e && (p[j + 1] == 'Q' || p[j + 1] == 'E'))
                return 0;
            j += 2;
            continue;
        }
        j++;
    }
    return 0;
}

/* Skip a group starting at p[i] == '('; returns the index after its ')'
 * or 0. Sets *xflag when an inline option turns on extended mode. */
static size_t skip_group(const char *p, size_t i, size_t e, rx_dialect d, int *xflag)
{
    int depth = 0;
    size_t j = i;
    while (j < e) {
        char c = p[j];
        if (c == '\\') {
            if (j + 1 >= e)
                return 0;
            if (d == RX_DIALECT_PCRE && (p[j + 1] == 'Q' || p[j + 1] == 'E'))
                return 0;
            j += 2;
            continue;
        }
        if (c == '[') {
            size_t k = skip_class(p, j, e, d);
            if (!k)
                return 0;
            j = k;
            continue;
        }
        if (c == '(') {
            if (d == RX_DIALECT_PCRE && j + 1 < e && p[j + 1] == '?') {
                /* inline options (?x) (?-i:...) and comments (?#...) */
                size_t k = j + 2;
                if (k < e && p[k] == '#') {
                    while (k < e && p[k] != ')')
                        k++;
                    if (k >= e)
                        return 0;
                    j = k + 1;
                    continue;
                }
                int on = 1;
                while (k < e && (isalpha((unsigned char)p[k]) || p[k] == '-' || p[k] == '^')) {
                    if (p[k] == '-')
                        on = 0;
                    if (p[k] == 'x' && on)
                        *xflag = 1;
                    k++;
                }
            }
            depth++;
        } else if (c == ')') {
            if (--depth == 0)
                return j + 1;
        }
        j++;
    }
    return 0;
}

/* Length of an escape sequence at p[i] == '\\' that is not a literal,
 * or 0 when we do not understand it. */
static size_t escape_len(const char *p, size_t i, size_t e, rx_dialect d)
{
    if (i + 1 >= e)
        return 0;
    char c = p[i + 1];
    if (d == RX_DIALECT_ERE)
        return 2;
    if (c == 'Q' || c == 'E')
        return 0;
    size_t j = i + 2;
    if (c == 'c')
        return j < e ? 3 : 0;
    if (strchr("xopPNgk", c) && j < e && (p[j] == '{' || p[j] == '<' || p[j] == '\'')) {
        char close = p[j] == '{' ? '}' : p[j] == '<' ? '>' : '\'';
        while (j < e && p[j] != close)
            j++;
        return j < e ? j + 1 - i : 0;
    }
    if (c == 'x') {
        while (j < e && j < i + 4 && isxdigit((unsigned char)p[j]))
            j++;
        return j - i;
    }
    if (c == 'p' || c == 'P')
        return j < e ? 3 : 0;
    if (isdigit((unsigned char)c)) {
        while (j < e && isdigit((unsigned char)p[j]))
            j++;
        return j - i;
    }
    if (c == 'g' && j < e && (p[j] == '-' || p[j] == '+' || isdigit((unsigned char)p[j]))) {
        j++;
        while (j < e && isdigit((unsigned char)p[j]))
            j++;
        return j - i;
    }
    return 2;
}

/* Parse a quantifier at p[i]; returns its length and *min, 0 if none,
 * (size_t)-1 when the text looks like one we do not understand. */
static size_t quantifier(const char *p, size_t i, size_t e, rx_dialect d, long *min)
{
    if (i >= e)
        return 0;
    size_t j = i;
    char c = p[i];
    if (c == '*' || c == '?') {
        *min = 0;
        j++;
    } else if (c == '+') {
        *min = 1;
        j++;
    } else if (c == '{') {
        j++;
        if (j >= e || !isdigit((unsigned char)p[j]))
            return (size_t)-1;
        long n = 0;
        while (j < e && isdigit((unsigned char)p[j])) {
            if (n < 1000000)   /* saturate: only "zero or more than one" matters */
                n = n * 10 + (p[j] - '0');
            j++;
        }
        if (j < e && p[j] == ',') {
            j++;
            while (j < e && isdigit((unsigned char)p[j]))
                j++;
        }
        if (j >= e || p[j] != '}')
            return (size_t)-1;
        j++;
        *min = n;
    } else {
        return 0;
    }
    if (d == RX_DIALECT_PCRE && j < e && (p[j] == '?' || p[j] == '+'))
        j++;
    return j - i;
}

typedef struct run {
    char  *s;
    size_t n, cap;
} run;

typedef struct runs {
    char **v;
    size_t n, cap;
} runs;

/* End the current run: keep it in all (when given) and as best if longer. */
static void run_keep_best(run *cur, run *best, runs *all_runs)
{
    if (all_runs && cur->n > 0) {
        int dup = 0;
        for (size_t i = 0; i < all_runs->n && !dup; i++)
            dup = strlen(all_runs->v[i]) == cur->n && memcmp(all_runs->v[i], cur->s, cur->n) == 0;
        if (!dup) {
            xgrow(&all_runs->v, &all_runs->cap, all_runs->n + 1, sizeof *all_runs->v);
            all_runs->v[all_runs->n++] = xstrndup(cur->s, cur->n);
        }
    }
    if (cur->n > best->n) {
        xgrow(&best->s, &best->cap, cur->n + 1, 1);
        memcpy(best->s, cur->s, cur->n);
        best->n = cur->n;
    }
    cur->n = 0;
}

static void run_add(run *r, char c)
{
    xgrow(&r->s, &r->cap, r->n + 2, 1);
    r->s[r->n++] = c;
}

/* The best literal of one alternative [i, e); 0 on give-up. */
static int branch_literal(const char *p, size_t i, size_t e, rx_dialect d, run *best, runs *all)
{
    run cur = { 0 };
    best->n = 0;
    int ok = 1;
    while (i < e && ok) {
        char c = p[i];
        int lit = -1;            /* the literal byte, or -1 for another atom */
        size_t next;
        if (c == '\\') {
            if (i + 1 >= e) { ok = 0; break; }
            unsigned char n = (unsigned char)p[i + 1];
            if (isalnum(n) || (n >= 0x80)) {
                next = escape_len(p, i, e, d);
                if (!next) { ok = 0; break; }
                next += i;
            } else if (d == RX_DIALECT_ERE && strchr("`'<>", n)) {
                next = i + 2;    /* glibc anchors \` \' \< \> */
            } else {
                lit = n;
                next = i + 2;
            }
        } else if (c == '[') {
            next = skip_class(p, i, e, d);
            if (!next) { ok = 0; break; }
        } else if (c == '(') {
            int x = 0;
            next = skip_group(p, i, e, d, &x);
            if (!next || x) { ok = 0; break; }
        } else if (c == '.' || c == '^' || c == '$') {
            next = i + 1;
        } else if (c == '*' || c == '+' || c == '?' || c == '{' || c == ')' || c == '|') {
            ok = 0;
            break;
        } else {
            lit = (unsigned char)c;
            next = i + 1;
        }
        if (lit >= 0x80)
            lit = -1;    /* locale-dependent case folding: do not rely on it */
        i = next;
        long min = 1;
        int quantified = 0;
        for (;;) {
            long m;
            size_t q = quantifier(p, i, e, d, &m);
            if (q == (size_t)-1) { ok = 0; break; }
            if (q == 0)
                break;
            if (m < min)
                min = m;
            quantified = 1;
            i += q;
        }
        if (!ok)
            break;
        if (lit < 0 || (quantified && min == 0)) {
            run_keep_best(&cur, best, all);
        } else {
            run_add(&cur, (char)tolower(lit));
            if (quantified) {
                run_keep_best(&cur, best, all);
                run_add(&cur, (char)tolower(lit));
            }
        }
    }
    if (ok)
        run_keep_best(&cur, best, all);
    free(cur.s);
    return ok && best->n > 0;
}

size_t rx_required_literals(const char *p, unsigned flags, rx_dialect d, char ***lits, int *all_required)
{
    *lits = NULL;
    *all_required = 0;
    if (d == RX_DIALECT_ERE && !(flags & MAP_RX_EXTENDED))
        return 0;   /* basic regular expressions: not analysed */
    if (d == RX_DIALECT_PCRE && (flags & MAP_RX_EXTENDED))
        return 0;
    size_t e = strlen(p);
    /* split at top-level '|' */
    size_t *cuts = NULL, ncut = 0, capc = 0;
    xgrow(&cuts, &capc, 1, sizeof *cuts);
    cuts[ncut++] = 0;
    for (size_t i = 0; i < e;) {
        char c = p[i];
        if (c == '\\') {
            if (d == RX_DIALECT_PCRE && i + 1 < e && (p[i + 1] == 'Q' || p[i + 1] == 'E'))
                goto none;
            i += 2;
        } else if (c == '[') {
            size_t k = skip_class(p, i, e, d);
            if (!k)
                goto none;
            i = k;
        } else if (c == '(') {
            int x = 0;
            size_t k = skip_group(p, i, e, d, &x);
            if (!k || x)
                goto none;
            i = k;
        } else if (c == '|') {
            xgrow(&cuts, &capc, ncut + 1, sizeof *cuts);
            cuts[ncut++] = i + 1;
            i++;
        } else {
            i++;
        }
    }
    run best = { 0 };
    if (ncut == 1) {
        /* one branch: every run is required; the caller picks one */
        runs all = { 0 };
        int ok = branch_literal(p, 0, e, d, &best, &all);
        free(best.s);
        free(cuts);
        if (!ok) {
            for (size_t j = 0; j < all.n; j++)
                free(all.v[j]);
            free(all.v);
            return 0;
        }
        *lits = all.v;
        *all_required = 1;
        return all.n;
    }
    char **out = xcalloc(ncut, sizeof *out);
    size_t nout = 0;
    for (size_t k = 0; k < ncut; k++) {
        size_t b = cuts[k], end = k + 1 < ncut ? cuts[k + 1] - 1 : e;
        if (!branch_literal(p, b, end, d, &best, NULL)) {
            for (size_t j = 0; j < nout; j++)
                free(out[j]);
            free(out);
            free(best.s);
            goto none;
        }
        char *s = xstrndup(best.s, best.n);
        int dup = 0;
        for (size_t j = 0; j < nout && !dup; j++)
            dup = strcmp(out[j], s) == 0;
        if (dup)
            free(s);
        else
            out[nout++] = s;
    }
    free(best.s);
    free(cuts);
    *lits = out;
    return nout;
none:
    free(cuts);
    return 0;
}
