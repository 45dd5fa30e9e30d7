/* check_values.c: main.cf values against the parameter registry:
 * bad-value (booleans, numbers, times, enumerations, compatibility_level)
 * and hostname (myhostname a valid fully-qualified name, smtpd_banner
 * starting with it). Forms accepted follow what Postfix 3.7 accepts (see
 * tools/gen-registry for how the table was derived and probed). */
#include "compiler/checks.h"
#include "compiler/expand.h"
#include "compiler/registry.h"
#include "stdlib/util/strbuf.h"

#include <ctype.h>
#include <stdlib.h>
#include <limits.h>
#include <string.h>
#include <strings.h>

static const char *unit_name(char u)
{
    switch (u) {
    case 'm': return "m (minutes)";
    case 'h': return "h (hours)";
    case 'd': return "d (days)";
    case 'w': return "w (weeks)";
    default:  return "s (seconds)";
    }
}

static long long unit_seconds(char u)
{
    switch (u) {
    case 'm': return 60;
    case 'h': return 3600;
    case 'd': return 86400;
    case 'w': return 604800;
    default:  return 1;
    }
}

/* "a, b or c" of an enum's words, into a fresh string. */
static char *words_text(const param_def *p)
{
    strbuf b;
    sb_init(&b);
    for (size_t i = 0; p->words[i]; i++) {
        if (i)
            sb_adds(&b, p->words[i + 1] ? ", " : " or ");
        sb_adds(&b, p->words[i]);
    }
    return sb_take(&b);
}

static int word_ok(const param_def *p, const char *w, size_t n)
{
    for (size_t i = 0; p->words[i]; i++) {
        if (strlen(p->words[i]) != n)
            continue;
        if ((p->flags & PF_CASE) ? strncmp(p->words[i], w, n) == 0
                                 : strncasecmp(p->words[i], w, n) == 0)
            return 1;
    }
    return 0;
}

/* Parse [+-]digits into *out; 0 when it is not that or overflows. */
static int parse_number(const char *v, size_t n, long long *out)
{
    size_t i = 0;
    int neg = 0;
    if (i < n && (v[i] == '+' || v[i] == '-'))
        neg = v[i++] == '-';
    if (i == n)
        return 0;
    long long x = 0;
    for (; i < n; i++) {
        if (!isdigit((unsigned char)v[i]))
            return 0;
        int d = v[i] - '0';
        if (x > (LLONG_MAX - d) / 10)
            return 0;
        x = x * 10 + d;
    }
    *out = neg ? -x : x;
    return 1;
}

static void check_range(config *c, const cf_setting *s, const param_def *p,
                        long long x, const char *shown)
{
    size_t vl = strlen(s->value);
    if (p->min != LLONG_MIN && x < p->min) {
        diag *g = diag_add(&c->d, DIAG_BAD_VALUE, cf_value_loc(s, 0, vl),
                           "\"%s = %s\" is below the minimum %lld%s",
                           s->name, s->value, p->min, p->type == PT_TIME ? "s" : "");
        diag_hint(g, "specify %s of at least %lld%s", shown, p->min,
                  p->type == PT_TIME ? "s" : "");
    } else if (p->max && x > p->max) {
        diag *g = diag_add(&c->d, DIAG_BAD_VALUE, cf_value_loc(s, 0, vl),
                           "\"%s = %s\" is above the maximum %lld%s",
                           s->name, s->value, p->max, p->type == PT_TIME ? "s" : "");
        diag_hint(g, "specify %s of at most %lld%s", shown, p->max,
                  p->type == PT_TIME ? "s" : "");
    }
}

static void check_bool(config *c, const cf_setting *s)
{
    if (strcasecmp(s->value, "yes") == 0 || strcasecmp(s->value, "no") == 0)
        return;
    size_t n = strlen(s->value);
    diag *g = diag_add(&c->d, DIAG_BAD_VALUE, cf_value_loc(s, 0, n ? n : 1),
                       "\"%s\" must be yes or no, not \"%s\"", s->name, s->value);
    diag_hint(g, "write \"yes\" or \"no\"; Postfix stops with \"bad boolean configuration\" otherwise");
}

static void check_number(config *c, const cf_setting *s, const param_def *p)
{
    const char *v = s->value;
    size_t n = strlen(v);
    long long x;
    if (!parse_number(v, n, &x)) {
        int digits = n > 0 && strspn(v + (v[0] == '+' || v[0] == '-'), "0123456789")
                                  == n - (v[0] == '+' || v[0] == '-');
        diag *g = diag_add(&c->d, DIAG_BAD_VALUE, cf_value_loc(s, 0, n ? n : 1),
                           digits ? "\"%s = %s\" is too large"
                                  : "\"%s\" must be a whole number, not \"%s\"",
                           s->name, v);
        diag_hint(g, "write the number in digits only, without units or spaces%s%s%s",
                  isdigit((unsigned char)p->def[0]) ? " (default: " : "",
                  isdigit((unsigned char)p->def[0]) ? p->def : "",
                  isdigit((unsigned char)p->def[0]) ? ")" : "");
        return;
    }
    if (p->type == PT_INT && (x > INT_MAX || x < INT_MIN)) {
        diag *g = diag_add(&c->d, DIAG_BAD_VALUE, cf_value_loc(s, 0, n),
                           "\"%s = %s\" is too large", s->name, v);
        diag_hint(g, "Postfix keeps %s in a 32-bit int: specify at most %d", s->name, INT_MAX);
        return;
    }
    check_range(c, s, p, x, "a number");
}

static void check_time(config *c, const cf_setting *s, const param_def *p)
{
    const char *v = s->value;
    size_t n = strlen(v), i = 0;
    char unit = p->unit ? p->unit : 's';
    if (i < n && v[i] == '+')
        i++;
    size_t ds = i;
    long long x = 0;
    int overflow = 0;
    while (i < n && isdigit((unsigned char)v[i])) {
        if (x > (LLONG_MAX - 9) / 10)
            overflow = 1;
        else
            x = x * 10 + (v[i] - '0');
        i++;
    }
    const char *form = "write a number with an optional unit s, m, h, d or w and no "
                       "space, e.g. \"%s\"; without a unit it means %s";
    if (i == ds || (i < n && !strchr("smhdw", v[i]))) {
        size_t at = i == ds ? 0 : i;
        diag *g = diag_add(&c->d, DIAG_BAD_VALUE, cf_value_loc(s, at, n - at ? n - at : 1),
                           "\"%s = %s\" is not a time value", s->name, v);
        diag_hint(g, form, p->def[0] && p->def[0] != '$' ? p->def : "300s", unit_name(unit));
        return;
    }
    if (i < n) {
        unit = v[i++];
        if (i < n) {
            diag *g = diag_add_sev(&c->d, DIAG_BAD_VALUE, SEV_WARNING,
                                   cf_value_loc(s, i, n - i),
                                   "Postfix ignores \"%s\" after the time unit in \"%s = %s\"",
                                   v + i, s->name, v);
            diag_hint(g, "a time value has one number and one unit; write it in a single unit "
                      "(e.g. 90m, not 1h30m)");
        }
    }
    if (overflow || x > LLONG_MAX / 604800) {
        diag *g = diag_add(&c->d, DIAG_BAD_VALUE, cf_value_loc(s, 0, n),
                           "\"%s = %s\" is too large", s->name, v);
        diag_hint(g, "specify a smaller time value");
        return;
    }
    check_range(c, s, p, x * unit_seconds(unit), "a time");
}

static void check_enum(config *c, const cf_setting *s, const param_def *p)
{
    const char *v = s->value;
    size_t n = strlen(v);
    if (p->type == PT_ENUM) {
        if (n == 0 && p->def[0] == '\0')
            return;
        if (n && word_ok(p, v, n))
            return;
        char *w = words_text(p);
        diag *g = diag_add(&c->d, DIAG_BAD_VALUE, cf_value_loc(s, 0, n ? n : 1),
                           "\"%s\" does not accept \"%s\"", s->name, v);
        diag_hint(g, "specify one of: %s%s", w, p->def[0] == '\0' ? " (or leave it empty)" : "");
        free(w);
        return;
    }
    for (size_t i = 0; i < n;) {
        while (i < n && (v[i] == ',' || isspace((unsigned char)v[i])))
            i++;
        size_t st = i;
        while (i < n && v[i] != ',' && !isspace((unsigned char)v[i]))
            i++;
        if (i == st || word_ok(p, v + st, i - st))
            continue;
        char *w = words_text(p);
        diag *g = diag_add(&c->d, DIAG_BAD_VALUE, cf_value_loc(s, st, i - st),
                           "\"%s\" does not accept \"%.*s\"", s->name, (int)(i - st), v + st);
        diag_hint(g, "specify zero or more of: %s, separated by commas or spaces", w);
        free(w);
    }
}

/* compatibility_level: a number or a release "major.minor[.patch]". */
static void check_compat(config *c, const cf_setting *s)
{
    const char *v = s->value;
    size_t n = strlen(v);
    int ok = n > 0, digits = 0;
    for (size_t i = 0; i < n && ok; i++) {
        if (isdigit((unsigned char)v[i]))
            digits++;
        else if (v[i] == '.' && digits)
            digits = 0;
        else
            ok = 0;
    }
    if (ok && digits)
        return;
    diag *g = diag_add(&c->d, DIAG_BAD_VALUE, cf_value_loc(s, 0, n ? n : 1),
                       "\"compatibility_level = %s\" is not a compatibility level", v);
    diag_hint(g, "specify a level such as 2 or 3.6 (the newest for Postfix 3.7 is 3.6)");
}

/* The registry entry for a name: a global, or a per-service template when
 * the name ends in a template suffix after a non-empty service name. */
static const param_def *lookup(const char *name)
{
    const param_def *p = registry_find(name);
    return p ? p : registry_find_service(name);
}

static void check_setting(config *c, const cf_setting *s, const param_def *p)
{
    if (strcmp(s->name, "compatibility_level") == 0) {
        check_compat(c, s);
        return;
    }
    switch (p->type) {
    case PT_BOOL:
        check_bool(c, s);
        break;
    case PT_INT:
    case PT_LONG:
        check_number(c, s, p);
        break;
    case PT_TIME:
        check_time(c, s, p);
        break;
    case PT_ENUM:
    case PT_ENUM_LIST:
        check_enum(c, s, p);
        break;
    case PT_STRING:
        break;
    }
}

/* $name in values: main.cf settings, then the defaults. */
static const char *value_lookup(void *ctx, const char *name)
{
    const config *c = ctx;
    const cf_setting *s = maincf_find(&c->main, name);
    if (s)
        return s->value;
    const param_def *d = registry_find(name);
    return d ? d->def : NULL;
}

/* Does the value depend on a host-computed parameter (myhostname, ...)? */
static void note_host(void *ctx, const char *name, size_t off, size_t len)
{
    const param_def *d = registry_find(name);
    if (d && (d->flags & PF_HOST))
        *(int *)ctx = 1;
}

/* Check one name = value, written at `value_at` (a main.cf setting or a
 * master.cf -o override). A value with $name is checked as Postfix sees
 * it, after expansion, and the report says so. */
static void check_one_value(config *c, const char *name, const char *value, loc name_at,
                            loc value_at, const cf_setting *src)
{
    const param_def *p = lookup(name);
    if (!p || (p->flags & PF_READONLY))
        return;
    cf_piece whole = { 0, value_at.off, value_at.len };
    cf_setting tmp = { (char *)name, (char *)value, name_at, value_at, &whole, 1 };
    if (!strchr(value, '$')) {
        check_setting(c, src ? src : &tmp, p);
        return;
    }
    int host = 0;
    expand_error err;
    if (expand_scan(value, note_host, &host, &err) != EXPAND_OK || host) {
        expand_error_free(&err);
        return;   /* malformed (another check says so) or host-dependent */
    }
    expand_error_free(&err);
    strbuf out;
    sb_init(&out);
    if (expand_text(value, value_lookup, c, &out, &err) == EXPAND_OK) {
        size_t before = c->d.n;
        tmp.value = out.s ? out.s : (char *)"";
        check_setting(c, &tmp, p);
        for (size_t i = before; i < c->d.n; i++) {
            c->d.v[i].at = value_at;   /* offsets in the expansion are not in the file */
            diag_note_add(&c->d.v[i], LOC_NONE, "\"%s\" expands to \"%s\"", value, tmp.value);
        }
    }
    expand_error_free(&err);
    sb_free(&out);
}

void check_values(config *c)
{
    const maincf *m = &c->main;
    for (size_t i = 0; i < m->n; i++) {
        const cf_setting *s = &m->v[i];
        check_one_value(c, s->name, s->value, s->name_loc, s->value_loc, s);
    }
    for (size_t i = 0; i < c->master.n; i++) {
        const master_service *sv = &c->master.v[i];
        for (size_t k = 0; k < sv->noverrides; k++) {
            const ms_override *o = &sv->overrides[k];
            check_one_value(c, o->name, o->value, o->name_loc, o->value_loc, NULL);
        }
    }
}

/* ---- hostname ---------------------------------------------------------- */

/* Why name is not a usable fully-qualified host name, with the offending
 * byte range in at/len; NULL when it is fine. */
static const char *hostname_problem(const char *h, size_t *at, size_t *len)
{
    size_t n = strlen(h);
    *at = 0;
    *len = n ? n : 1;
    if (n == 0)
        return "is empty";
    if (n > 255)
        return "is longer than 255 characters";
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)h[i];
        if (!isalnum(ch) && ch != '-' && ch != '.' && ch != '_') {
            *at = i;
            *len = 1;
            return "contains a character that is not allowed in a host name";
        }
    }
    size_t st = 0, labels = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i < n && h[i] != '.')
            continue;
        size_t ll = i - st;
        if (ll == 0) {
            *at = i < n ? i : n - 1;
            *len = 1;
            return i == n ? "ends with a dot" : "has an empty label (a misplaced dot)";
        }
        if (ll > 63) {
            *at = st;
            *len = ll;
            return "has a label longer than 63 characters";
        }
        if (h[st] == '-' || h[i - 1] == '-') {
            *at = h[st] == '-' ? st : i - 1;
            *len = 1;
            return "has a label that starts or ends with a hyphen";
        }
        labels++;
        if (i == n) {
            int numeric = 1;
            for (size_t k = st; k < i; k++)
                numeric &= isdigit((unsigned char)h[k]) != 0;
            if (numeric) {
                *at = st;
                *len = ll;
                return "ends in a numeric label (an address is not a host name)";
            }
        }
        st = i + 1;
    }
    if (labels < 2)
        return "is not fully qualified (it has no domain part)";
    return NULL;
}

void check_hostname(config *c)
{
    const cf_setting *h = maincf_find(&c->main, "myhostname");
    if (h && !strchr(h->value, '$')) {
        size_t at, len;
        const char *why = hostname_problem(h->value, &at, &len);
        if (why) {
            diag *g = diag_add(&c->d, DIAG_HOSTNAME, cf_value_loc(h, at, len),
                               "myhostname \"%s\" %s", h->value, why);
            diag_hint(g, "set myhostname to this host's fully-qualified domain name, "
                      "e.g. mail.example.com");
        }
    }
    const cf_setting *b = maincf_find(&c->main, "smtpd_banner");
    if (b) {
        const char *v = b->value;
        if (strncmp(v, "$myhostname", 11) == 0 && !(isalnum((unsigned char)v[11]) || v[11] == '_'))
            return;
        if (strncmp(v, "${myhostname}", 13) == 0 || strncmp(v, "$(myhostname)", 13) == 0)
            return;
        size_t n = strlen(v);
        size_t w = strcspn(v, " \t");
        /* the host name written out literally is as good as $myhostname */
        if (h && !strchr(h->value, '$') && h->value[0] && strlen(h->value) == w
            && strncasecmp(v, h->value, w) == 0)
            return;
        diag *g = diag_add_sev(&c->d, DIAG_HOSTNAME, SEV_WARNING,
                               cf_value_loc(b, 0, w ? w : (n ? n : 1)),
                               "smtpd_banner does not start with $myhostname");
        diag_hint(g, "RFC 5321 wants the greeting to start with the server's name: "
                  "write \"smtpd_banner = $myhostname%s%s\"",
                  n ? " " : "", v);
    }
}
