/* sha256.h: SHA-256 through OpenSSL's EVP interface, in one small
 * wrapper: incremental (init/update/final) and one-shot. */
#ifndef UTIL_SHA256_H
#define UTIL_SHA256_H
#include <stddef.h>
#include <stdint.h>

typedef struct sha256_ctx {
    void *md;     /* EVP_MD_CTX */
} sha256_ctx;

void sha256_init(sha256_ctx *c);
void sha256_update(sha256_ctx *c, const void *p, size_t n);
void sha256_final(sha256_ctx *c, uint8_t out[32]);   /* also frees the context */
void sha256(const void *p, size_t n, uint8_t out[32]);
/* Of a file, read in big blocks; *size gets its length and, when lines is
 * not NULL, *lines its line count (a last line without a newline
 * counts). Returns 0, or -1 with errno set. */
int  sha256_file(const char *path, uint8_t out[32], uint64_t *size, uint64_t *lines);
/* Lowercase hex of a digest (65 bytes with the NUL). */
void sha256_hex(const uint8_t d[32], char out[65]);

#endif
