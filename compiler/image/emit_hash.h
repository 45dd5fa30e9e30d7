/* emit_hash.h: the index of one exact-match table in an image
 * (stdlib/image/format.h: img_hash_entry records and an img_hash_slot
 * open-addressing index, linear probing from img_hash(), a power of two
 * of slots at most about half full), built while the entries stream in.
 *
 * Memory is bounded for tables of any size the format allows: keys and
 * values go to the writer's string pool at once (keys unique, values
 * interned), entries to HASH_ENTRIES in batches. What stays in memory is
 * the slots as entry numbers (4 bytes each, at most half full), and per
 * entry its hash and the pool offset of its key (8 bytes): about 16 bytes
 * per entry in all, half of what 8-byte slots plus key offsets would
 * take. A key is compared with an entry's only when their 32-bit hashes
 * are equal (through imgw_str_get). The slots are written out at the end
 * in batches, as the format has them (hash, entry number). */
#ifndef COMPILER_IMAGE_EMIT_HASH_H
#define COMPILER_IMAGE_EMIT_HASH_H
#include "stdlib/image/writer.h"

#define EMIT_HASH_BATCH 1024

typedef struct emit_hash {
    imgw          *w;
    uint32_t      *slot;       /* 1-based entry number, 0: empty */
    uint32_t       nslots;     /* a power of two */
    uint32_t       n;          /* entries so far */
    uint32_t      *hash;       /* img_hash() of the key of entry i */
    uint32_t      *keyoff;     /* pool offset of the key of entry i */
    size_t         cap;
    uint32_t       first;      /* HASH_ENTRIES index of entry 0 */
    img_hash_entry buf[EMIT_HASH_BATCH];
    size_t         nbuf;
    strbuf         tmp;
} emit_hash;

/* expect: about how many entries will come (an upper bound saves
 * growing the index; 0 when unknown). */
void emit_hash_init(emit_hash *h, imgw *w, size_t expect);
/* Add key (klen bytes, no NUL inside, as stored: folded already) ->
 * value, from source line `line` (0: none). Returns 1, or 0 when the key
 * is there already (the first entry wins; this one is dropped) with the
 * 0-based index of that entry in *winner (when not NULL). */
int  emit_hash_add(emit_hash *h, const char *key, size_t klen, const char *value,
                   uint32_t line, uint32_t *winner);
/* Write out what is left, fill t->first, count, slots and nslots, and
 * free the memory. */
void emit_hash_finish(emit_hash *h, img_table *t);

#endif
