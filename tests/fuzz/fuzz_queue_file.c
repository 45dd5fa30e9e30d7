/* fuzz_queue_file.c: libFuzzer target for the queue file decoder
 * (qs_decode_mem, mta-queue.5). When the input ends in something shaped
 * like an end record, its offset and CRC are recomputed over the input
 * first, so that mutations reach the record walk instead of stopping at
 * the checksum; the record count is left to the fuzzer. Whatever decodes
 * is walked in full; a refusal is one line. */
#include "runtime/qmgr/internal.h"
#include "runtime/qmgr/store.h"
#include "stdlib/util/alloc.h"
#include "stdlib/util/crc32c.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    unsigned char *copy = xmalloc(size + 1);
    memcpy(copy, data, size);
    if (size >= QR_END_SIZE && copy[size - QR_END_SIZE] == QR_END) {
        size_t body = size - QR_END_SIZE;
        uint32_t crc = crc32c(0, copy, body);
        copy[body + 1] = QR_END_PAYLOAD;
        for (int i = 0; i < 8; i++)
            copy[body + 6 + i] = (unsigned char)((uint64_t)body >> (8 * i));
        for (int i = 0; i < 4; i++)
            copy[body + 14 + i] = (unsigned char)(crc >> (8 * i));
    }
    qs_file f;
    strbuf err;
    sb_init(&err);
    int rc = qs_decode_mem(copy, size, &f, &err);
    if (rc == 0) {
        size_t sum = strlen(f.sender) + f.content.len;
        for (size_t i = 0; i < f.nrcpts; i++)
            sum += strlen(f.rcpts[i].addr) + (f.rcpts[i].orcpt ? strlen(f.rcpts[i].orcpt) : 0)
                   + f.rcpts[i].notify;
        for (size_t i = 0; i < f.nattrs; i++)
            sum += strlen(f.attrs[i].name) + strlen(f.attrs[i].value);
        if (!f.content.s || sum > 2 * size || err.len)
            __builtin_trap();
        qs_file_free(&f);
    } else if ((rc != -1 && rc != -2) || !sb_str(&err)[0] || strchr(sb_str(&err), '\n')) {
        __builtin_trap();
    }
    sb_free(&err);
    free(copy);
    return 0;
}
