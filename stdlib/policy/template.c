/* template.c: the runtime expansion of reply templates
 * (smtpd_reject_footer, default_rbl_reply, rbl_reply_maps results):
 * $name, ${name}, $(name), ${name?text}, ${name:text} and $$, where a name
 * is a session macro (client_address, client_name, reverse_client_name,
 * helo_name, sender, recipient, ...) given by the caller, or else a
 * parameter of the image (already expanded by mtacc). */
#include "stdlib/policy/internal.h"
#include "stdlib/util/alloc.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

static const char *macro(pol_session *s, const pol_macro *m, size_t nm, const char *name)
{
    for (size_t i = 0; i < nm; i++)
        if (strcmp(m[i].name, name) == 0)
            return m[i].value;
    const img_param *p = pol_param_dyn(s, name);
    return p ? img_str(s->pi->im, p->text) : NULL;
}

void pol_expand(pol_session *s, const char *t, const pol_macro *m, size_t nm, strbuf *out)
{
    while (*t) {
        if (*t != '$') {
            sb_addc(out, *t++);
            continue;
        }
        t++;
        if (*t == '$') {
            sb_addc(out, *t++);
            continue;
        }
        char close = *t == '{' ? '}' : *t == '(' ? ')' : 0;
        if (close)
            t++;
        const char *n0 = t;
        while (isalnum((unsigned char)*t) || *t == '_')
            t++;
        char *name = xstrndup(n0, (size_t)(t - n0));
        const char *v = macro(s, m, nm, name);
        free(name);
        if (close && (*t == '?' || *t == ':')) {
            int want_set = *t == '?';
            t++;
            /* the text runs to the matching close bracket */
            int depth = 0;
            const char *b = t;
            while (*t && !(*t == close && depth == 0)) {
                if (*t == '{' || *t == '(')
                    depth++;
                else if ((*t == '}' || *t == ')') && depth > 0)
                    depth--;
                t++;
            }
            char *alt = xstrndup(b, (size_t)(t - b));
            if ((v && *v) == want_set)
                pol_expand(s, alt, m, nm, out);
            free(alt);
        } else if (v) {
            sb_adds(out, v);
        }
        if (close && *t == close)
            t++;
    }
}
