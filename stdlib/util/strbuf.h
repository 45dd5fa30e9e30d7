/* strbuf.h: a growable NUL-terminated byte string. */
#ifndef UTIL_STRBUF_H
#define UTIL_STRBUF_H
#include <stddef.h>

typedef struct strbuf {
    char  *s;      /* always NUL-terminated once anything was added */
    size_t len;
    size_t cap;
} strbuf;

void  sb_init(strbuf *b);
void  sb_free(strbuf *b);
void  sb_clear(strbuf *b);
void  sb_addn(strbuf *b, const char *s, size_t n);
void  sb_adds(strbuf *b, const char *s);
void  sb_addc(strbuf *b, char c);
void  sb_addf(strbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The content (never NULL), and a malloc'ed copy the caller owns. */
const char *sb_str(strbuf *b);
char *sb_dup(const strbuf *b);
/* Take the buffer: the caller owns the returned string; b is reset. */
char *sb_take(strbuf *b);

#endif
