/* policy_cfg.c: the settings of one check_policy_service (pol_policy_cfg
 * in policy.h): the smtpd_policy_service_* parameters of the session's
 * service, overridden by the attributes of Postfix 3.x's braced form
 *
 *     check_policy_service { inet:host:port, timeout=10s, default_action=DUNNO,
 *                            { default_action = 451 4.3.5 See http://x/, y } }
 *
 * whose attributes carry the parameter names without the
 * "smtpd_policy_service_" prefix. An attribute is name=value, or
 * "{ name = value }" when the value has spaces or commas (SMTPD_POLICY_README). */
#include "stdlib/policy/policy.h"
#include "stdlib/util/alloc.h"
#include "stdlib/util/editdist.h"
#include "stdlib/util/pfvalue.h"

#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

enum { KIND_TIME, KIND_INT, KIND_STR };

#define PREFIX "smtpd_policy_service_"
#define NAME(d) ((d)->param + sizeof PREFIX - 1)   /* the attribute: without the prefix */

static const struct setting {
    const char *param;     /* a string constant: pol_param caches by address */
    int         kind;
    long long   min;
    const char *def;       /* Postfix's default, if the image lacks the parameter */
    size_t      off;
} settings[] = {
    { PREFIX "timeout",        KIND_TIME, 1, "100", offsetof(pol_policy_cfg, timeout) },
    { PREFIX "max_idle",       KIND_TIME, 1, "300", offsetof(pol_policy_cfg, max_idle) },
    { PREFIX "max_ttl",        KIND_TIME, 1, "1000", offsetof(pol_policy_cfg, max_ttl) },
    { PREFIX "retry_delay",    KIND_TIME, 1, "1", offsetof(pol_policy_cfg, retry_delay) },
    { PREFIX "request_limit",  KIND_INT,  0, "0", offsetof(pol_policy_cfg, request_limit) },
    { PREFIX "try_limit",      KIND_INT,  1, "2", offsetof(pol_policy_cfg, try_limit) },
    { PREFIX "default_action", KIND_STR,  0, "451 4.3.5 Server configuration problem",
      offsetof(pol_policy_cfg, default_action) },
    { PREFIX "policy_context", KIND_STR,  0, "", offsetof(pol_policy_cfg, policy_context) },
};
#define NSETTINGS (sizeof settings / sizeof *settings)

static const struct setting *setting_find(const char *name)
{
    for (size_t i = 0; i < NSETTINGS; i++)
        if (strcmp(NAME(&settings[i]), name) == 0)
            return &settings[i];
    return NULL;
}

/* Store value (text) as setting d of c; -1 with why in err. */
static int setting_set(pol_policy_cfg *c, const struct setting *d, const char *value,
                       strbuf *err)
{
    void *field = (char *)c + d->off;
    if (d->kind == KIND_STR) {
        free(*(char **)field);
        *(char **)field = xstrdup(value);
        return 0;
    }
    long long x;
    char *end = NULL;
    int ok;
    if (d->kind == KIND_TIME) {
        ok = pf_time(value, 's', &x);
    } else {
        errno = 0;
        x = strtoll(value, &end, 10);
        ok = *value && !errno && !*end;
    }
    if (!ok || x < d->min) {
        sb_addf(err, "bad %s value \"%s\" (expecting %s of at least %lld)", NAME(d), value,
                d->kind == KIND_TIME ? "a time" : "a number", d->min);
        return -1;
    }
    *(long long *)field = x;
    return 0;
}

/* The text between the first and last byte, trimmed, into a fresh string. */
static char *trimmed(const char *p, size_t n)
{
    while (n && isspace((unsigned char)*p))
        p++, n--;
    while (n && isspace((unsigned char)p[n - 1]))
        n--;
    return xstrndup(p, n);
}

/* One attribute word, "name=value" or "{ name = value }", applied to c. */
static int apply_word(pol_policy_cfg *c, const char *w, size_t n, strbuf *err)
{
    if (n >= 2 && w[0] == '{' && w[n - 1] == '}')
        w++, n -= 2;
    const char *eq = memchr(w, '=', n);
    if (!eq) {
        sb_addf(err, "missing '=' in policy attribute \"%.*s\"", (int)n, w);
        return -1;
    }
    char *name = trimmed(w, (size_t)(eq - w));
    char *value = trimmed(eq + 1, n - (size_t)(eq + 1 - w));
    const struct setting *d = setting_find(name);
    int r = -1;
    if (d) {
        r = setting_set(c, d, value, err);
    } else {
        const char *names[NSETTINGS];
        for (size_t i = 0; i < NSETTINGS; i++)
            names[i] = NAME(&settings[i]);
        const char *best = suggest_best(name, names, NSETTINGS);
        sb_addf(err, "unknown policy attribute \"%s\"", name);
        if (best)
            sb_addf(err, " (did you mean \"%s\"?)", best);
    }
    free(name);
    free(value);
    return r;
}

int pol_policy_cfg_apply(pol_policy_cfg *c, const char *attrs, strbuf *err)
{
    size_t n = strlen(attrs), pos = 0, start, len;
    if (n >= 2 && attrs[0] == '{' && attrs[n - 1] == '}') {
        char *inner = xstrndup(attrs + 1, n - 2);
        int r = pol_policy_cfg_apply(c, inner, err);
        free(inner);
        return r;
    }
    while (pf_word_next(attrs, &pos, &start, &len))
        if (apply_word(c, attrs + start, len, err) < 0)
            return -1;
    return 0;
}

int pol_policy_cfg_init(pol_policy_cfg *c, const pol_session *s, const char *endpoint,
                        const char *attrs, strbuf *err)
{
    memset(c, 0, sizeof *c);
    c->endpoint = endpoint;
    c->attrs = attrs;
    for (size_t i = 0; i < NSETTINGS; i++) {
        const struct setting *d = &settings[i];
        const img_param *p = pol_param(s, d->param);
        void *field = (char *)c + d->off;
        if (d->kind == KIND_STR)
            *(char **)field = xstrdup(p ? pol_param_str(s, d->param) : d->def);
        else
            *(long long *)field = p ? pol_param_num(s, d->param) : atoll(d->def);
    }
    return pol_policy_cfg_apply(c, attrs, err);
}

void pol_policy_cfg_free(pol_policy_cfg *c)
{
    free(c->default_action);
    free(c->policy_context);
    c->default_action = c->policy_context = NULL;
}
