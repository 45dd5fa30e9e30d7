/* alloc.h: the one allocator wrapper; out-of-memory exits cleanly.
 * fatal() is for a bad environment (I/O, memory), panic() for a bug. */
#ifndef UTIL_ALLOC_H
#define UTIL_ALLOC_H
#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* Grow *p (an array of elemsize-byte elements with capacity *cap) to hold need. */
void  xgrow(void *pp, size_t *cap, size_t need, size_t elemsize);

_Noreturn void fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
_Noreturn void panic(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
extern const char *progname;

#endif
