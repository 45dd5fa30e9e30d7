/* fuzz_image.c: libFuzzer target for the image loader. The digest in
 * the header is recomputed over the input first, so that mutations reach
 * the structural checks instead of stopping at the SHA-256; whatever the
 * loader accepts is walked in full (tests/unit/image_walk.h) and its
 * tables opened and asked a key. */
#include "stdlib/image/image.h"
#include "stdlib/util/alloc.h"
#include "stdlib/util/sha256.h"
#include "tests/unit/image_walk.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    unsigned char *copy = xmalloc(size + 1);
    memcpy(copy, data, size);
    if (size >= IMG_HEADER_SIZE)
        sha256(copy + IMG_DIGEST_FROM, size - IMG_DIGEST_FROM, copy + 32);
    img im;
    strbuf err;
    sb_init(&err);
    if (img_open_mem(&im, copy, size, 0, &err) == 0) {
        image_walk(&im);
        img_close(&im);
    } else if (!sb_str(&err)[0] || strchr(sb_str(&err), '\n')) {
        __builtin_trap();   /* a refusal is exactly one line */
    }
    sb_free(&err);
    free(copy);
    return 0;
}
