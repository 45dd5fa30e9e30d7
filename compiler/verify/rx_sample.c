/* rx_sample.c: a short string a regular expression matches, for the
 * verifier's attackers (a sender that a pcre: whitelist rule accepts, a
 * HELO a regexp: rule answers OK for). Covers what access tables use:
 * literals and escapes, ., classes, groups with alternatives (the first
 * is taken), ?, *, + and {n,m} (the fewest repetitions), anchors, (?i)
 * style options and (?: groups. Anything else (back-references,
 * look-around, conditionals) gives up: the caller treats the rule as one
 * it could not sample. The result is a candidate; the caller checks it
 * against the real table. */
#include "compiler/verify/rx_sample.h"

#include <ctype.h>
#include <string.h>

typedef struct rx_in {
    const char *p;
    int         bad;
} rx_in;

static void alternatives(rx_in *in, strbuf *out, int depth);

/* The character a class [...] surely contains (the first listed, or for
 * [^...] a letter or digit it does not list). */
static int class_char(rx_in *in)
{
    const char *p = in->p;   /* after '[' */
    int neg = *p == '^';
    if (neg)
        p++;
    const char *start = p;
    int first = -1;
    char listed[256] = { 0 };
    while (*p && (*p != ']' || p == start)) {
        int c = (unsigned char)*p;
        if (*p == '\\' && p[1]) {
            p++;
            c = *p == 'd' ? '0' : *p == 'w' ? 'a' : *p == 's' ? ' ' : (unsigned char)*p;
        } else if (*p == '[' && p[1] == ':') {
            const char *e = strstr(p, ":]");
            if (!e) {
                in->bad = 1;
                return 'a';
            }
            c = strncmp(p + 2, "digit", 5) == 0 ? '0' : strncmp(p + 2, "space", 5) == 0 ? ' ' : 'a';
            p = e + 1;
        }
        if (p[1] == '-' && p[2] && p[2] != ']') {
            int hi = (unsigned char)p[2];
            for (int k = c; k <= hi && k < 256; k++)
                listed[k] = 1;
            p += 2;
        } else {
            listed[c] = 1;
        }
        if (first < 0)
            first = c;
        p++;
    }
    if (*p != ']') {
        in->bad = 1;
        return 'a';
    }
    in->p = p + 1;
    if (!neg)
        return first < 0 ? 'a' : first;
    for (const char *try = "ax0-._"; *try; try++)
        if (!listed[(unsigned char)*try])
            return *try;
    in->bad = 1;
    return 'a';
}

/* One atom into out; 0 when there is none here (end, '|' or ')'). */
static int atom(rx_in *in, strbuf *out, int depth)
{
    char c = *in->p;
    if (!c || c == '|' || c == ')')
        return 0;
    in->p++;
    switch (c) {
    case '^':
    case '$':
        return 1;
    case '.':
        sb_addc(out, 'a');
        return 1;
    case '[':
        sb_addc(out, (char)class_char(in));
        return 1;
    case '(':
        if (*in->p == '?') {
            in->p++;
            if (*in->p == ':') {
                in->p++;
            } else {
                /* (?i) (?-i) (?x): options change nothing a sample needs */
                while (*in->p && strchr("imsx-", *in->p))
                    in->p++;
                if (*in->p == ')') {
                    in->p++;
                    return 1;
                }
                if (*in->p == ':')
                    in->p++;
                else
                    in->bad = 1;   /* look-around, named groups, conditionals */
            }
        }
        alternatives(in, out, depth + 1);
        if (*in->p != ')')
            in->bad = 1;
        else
            in->p++;
        return 1;
    case '\\':
        c = *in->p ? *in->p++ : '\\';
        if (isdigit((unsigned char)c) && c != '0')
            in->bad = 1;   /* a back-reference */
        else if (c == 'd')
            sb_addc(out, '0');
        else if (c == 'w' || c == 'S' || c == 'D' || c == 'W')
            sb_addc(out, c == 'W' ? '-' : 'a');
        else if (c == 's')
            sb_addc(out, ' ');
        else if (c == 'b' || c == 'B' || c == 'A' || c == 'z' || c == 'Z' || c == 'G')
            ;   /* assertions */
        else if (c == 'n')
            sb_addc(out, '\n');
        else if (c == 't')
            sb_addc(out, '\t');
        else
            sb_addc(out, c);
        return 1;
    default:
        sb_addc(out, c);
        return 1;
    }
}

/* A quantifier after an atom: how many times it must occur (its least). */
static unsigned quantifier(rx_in *in)
{
    unsigned n = 1;
    char c = *in->p;
    if (c == '?' || c == '*') {
        n = 0;
        in->p++;
    } else if (c == '+') {
        in->p++;
    } else if (c == '{' && isdigit((unsigned char)in->p[1])) {
        const char *p = in->p + 1;
        n = 0;
        while (isdigit((unsigned char)*p))
            n = n * 10 + (unsigned)(*p++ - '0');
        while (*p && *p != '}')
            p++;
        if (*p != '}' || n > 64) {
            in->bad = 1;
            return 1;
        }
        in->p = p + 1;
    } else {
        return 1;
    }
    if (*in->p == '?' || *in->p == '+')   /* lazy, possessive */
        in->p++;
    return n;
}

/* A sequence of atoms up to '|', ')' or the end. */
static void sequence(rx_in *in, strbuf *out, int depth)
{
    strbuf a;
    sb_init(&a);
    while (!in->bad) {
        sb_clear(&a);
        if (!atom(in, &a, depth))
            break;
        unsigned n = quantifier(in);
        for (unsigned k = 0; k < n; k++)
            sb_addn(out, sb_str(&a), a.len);
    }
    sb_free(&a);
}

/* Alternatives: the first one is the sample; the others are skipped. */
static void alternatives(rx_in *in, strbuf *out, int depth)
{
    if (depth > 32) {
        in->bad = 1;
        return;
    }
    sequence(in, out, depth);
    while (!in->bad && *in->p == '|') {
        in->p++;
        strbuf skip;
        sb_init(&skip);
        sequence(in, &skip, depth);
        sb_free(&skip);
    }
}

int rx_sample(const char *pattern, strbuf *out)
{
    rx_in in = { pattern, 0 };
    sb_clear(out);
    alternatives(&in, out, 0);
    if (*in.p)   /* an unbalanced ')' */
        in.bad = 1;
    return in.bad ? -1 : 0;
}
