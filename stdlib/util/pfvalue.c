/* pfvalue.c: Postfix list words and time values (see pfvalue.h). */
#include "stdlib/util/pfvalue.h"

#include <ctype.h>
#include <limits.h>
#include <string.h>

int pf_word_next(const char *v, size_t *pos, size_t *start, size_t *len)
{
    size_t i = *pos;
    while (v[i] && strchr(", \t\r\n", v[i]))
        i++;
    if (!v[i]) {
        *pos = i;
        return 0;
    }
    *start = i;
    int depth = 0;   /* an unclosed '{' runs to the end, as in Postfix */
    while (v[i] && (depth > 0 || !strchr(", \t\r\n", v[i]))) {
        if (v[i] == '{')
            depth++;
        else if (v[i] == '}' && depth > 0)
            depth--;
        i++;
    }
    *len = i - *start;
    *pos = i;
    return 1;
}

int pf_time(const char *v, char unit, long long *out)
{
    const char *p = v;
    if (*p == '+')
        p++;
    if (!isdigit((unsigned char)*p))
        return 0;
    long long x = 0;
    for (; isdigit((unsigned char)*p); p++) {
        if (x > (LLONG_MAX - 9) / 10)
            return 0;
        x = x * 10 + (*p - '0');
    }
    if (*p) {
        if (!strchr("smhdw", *p))
            return 0;
        unit = *p;
    }
    long long mul = unit == 'm' ? 60 : unit == 'h' ? 3600 : unit == 'd' ? 86400 :
                    unit == 'w' ? 604800 : 1;
    if (x > LLONG_MAX / mul)
        return 0;
    *out = x * mul;
    return 1;
}
