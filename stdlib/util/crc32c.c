/* crc32c.c: CRC-32C, with the SSE4.2 instruction where the CPU has it and
 * a table (made once) elsewhere. Both give the same value. */
#include "stdlib/util/crc32c.h"

#include <pthread.h>
#include <string.h>

#define POLY 0x82F63B78u   /* Castagnoli, reflected */

static uint32_t table[256];
static pthread_once_t table_once = PTHREAD_ONCE_INIT;

static void table_make(void)
{
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++)
            c = (c >> 1) ^ (POLY & (0u - (c & 1)));
        table[i] = c;
    }
}

uint32_t crc32c_sw(uint32_t crc, const void *p, size_t n)
{
    const unsigned char *s = p;
    uint32_t c = ~crc;
    pthread_once(&table_once, table_make);
    while (n--)
        c = table[(c ^ *s++) & 0xff] ^ (c >> 8);
    return ~c;
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
__attribute__((target("sse4.2")))
static uint32_t crc_sse42(uint32_t c, const unsigned char *s, size_t n)
{
    uint64_t c64 = c;
    for (; n >= 8; s += 8, n -= 8) {
        uint64_t w;
        memcpy(&w, s, 8);
        c64 = __builtin_ia32_crc32di(c64, w);
    }
    c = (uint32_t)c64;
    for (; n; s++, n--)
        c = __builtin_ia32_crc32qi(c, *s);
    return c;
}

static int have_sse42(void)
{
    static _Atomic int known = -1;
    if (known < 0) {
        __builtin_cpu_init();
        known = __builtin_cpu_supports("sse4.2") ? 1 : 0;
    }
    return known;
}
#endif

uint32_t crc32c(uint32_t crc, const void *p, size_t n)
{
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
    if (have_sse42())
        return ~crc_sse42(~crc, p, n);
#endif
    return crc32c_sw(crc, p, n);
}
