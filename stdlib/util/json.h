/* json.h: writing JSON strings safely (escapes, invalid UTF-8 replaced). */
#ifndef UTIL_JSON_H
#define UTIL_JSON_H
#include <stdio.h>
#include <stddef.h>

/* Print s (n bytes) as a quoted JSON string. */
void json_put_strn(FILE *out, const char *s, size_t n);
void json_put_str(FILE *out, const char *s);

#endif
