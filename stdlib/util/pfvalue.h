/* pfvalue.h: reading Postfix value syntax that compiler and runtime both
 * meet: the words of a list (commas and whitespace separate, braces
 * group) and time values ("30s", "5m"). */
#ifndef UTIL_PFVALUE_H
#define UTIL_PFVALUE_H
#include <stddef.h>

/* The word after byte *pos of v (its start and length), *pos moved past
 * it; 0 when there is none. Commas and whitespace separate words, braces
 * group ("{ a b }" is one word; an unclosed '{' runs to the end). */
int pf_word_next(const char *v, size_t *pos, size_t *start, size_t *len);

/* "30", "30s", "5m", "+1d": seconds, as Postfix's conv_time reads them;
 * unit is the unit of a bare number ('s', 'm', 'h', 'd' or 'w'). One
 * unit: what follows it is ignored, as Postfix does with a warning.
 * 1, or 0 when v is no time value or too large. */
int pf_time(const char *v, char unit, long long *out);

#endif
