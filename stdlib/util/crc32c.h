/* crc32c.h: CRC-32C (Castagnoli, the iSCSI/ext4 polynomial), incremental.
 * Used where a persistent format wants to tell a damaged byte from an
 * intact file (the queue files of doc/mta-queue.5). */
#ifndef UTIL_CRC32C_H
#define UTIL_CRC32C_H
#include <stddef.h>
#include <stdint.h>

/* Start with crc = 0; feed the bytes in any number of pieces:
 *   crc = crc32c(crc, a, na); crc = crc32c(crc, b, nb);
 * crc32c(0, "123456789", 9) == 0xE3069283. */
uint32_t crc32c(uint32_t crc, const void *p, size_t n);
/* The same by table only, whatever the CPU (for tests). */
uint32_t crc32c_sw(uint32_t crc, const void *p, size_t n);

#endif
