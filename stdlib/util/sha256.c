/* sha256.c: SHA-256 via OpenSSL EVP (see sha256.h). Out of memory in
 * OpenSSL is fatal, like every other allocation of the tools. */
#include "stdlib/util/sha256.h"
#include "stdlib/util/alloc.h"

#include <errno.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void sha256_init(sha256_ctx *c)
{
    EVP_MD_CTX *m = EVP_MD_CTX_new();
    if (!m || EVP_DigestInit_ex(m, EVP_sha256(), NULL) != 1)
        fatal("out of memory (SHA-256)");
    c->md = m;
}

void sha256_update(sha256_ctx *c, const void *p, size_t n)
{
    if (n && EVP_DigestUpdate(c->md, p, n) != 1)
        fatal("SHA-256 update failed");
}

void sha256_final(sha256_ctx *c, uint8_t out[32])
{
    unsigned int len = 32;
    if (EVP_DigestFinal_ex(c->md, out, &len) != 1)
        fatal("SHA-256 final failed");
    EVP_MD_CTX_free(c->md);
    c->md = NULL;
}

void sha256(const void *p, size_t n, uint8_t out[32])
{
    sha256_ctx c;
    sha256_init(&c);
    sha256_update(&c, p, n);
    sha256_final(&c, out);
}

int sha256_file(const char *path, uint8_t out[32], uint64_t *size, uint64_t *lines)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return -1;
    sha256_ctx c;
    sha256_init(&c);
    char *buf = xmalloc(1u << 16);
    size_t n;
    uint64_t total = 0, nl = 0;
    char last = '\n';
    while ((n = fread(buf, 1, 1u << 16, fp)) > 0) {
        sha256_update(&c, buf, n);
        for (const char *p = buf, *end = buf + n; lines && (p = memchr(p, '\n', (size_t)(end - p)));
             p++)
            nl++;
        total += n;
        last = buf[n - 1];
    }
    int bad = ferror(fp);
    fclose(fp);
    free(buf);
    sha256_final(&c, out);
    if (bad) {
        errno = EIO;
        return -1;
    }
    *size = total;
    if (lines)
        *lines = nl + (last != '\n');
    return 0;
}

void sha256_hex(const uint8_t d[32], char out[65])
{
    static const char hex[] = "0123456789abcdef";
    for (int i = 0; i < 32; i++) {
        out[2 * i] = hex[d[i] >> 4];
        out[2 * i + 1] = hex[d[i] & 15];
    }
    out[64] = 0;
}
