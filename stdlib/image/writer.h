/* writer.h: building a policy image (stdlib/image/format.h) in memory and
 * writing it atomically. The compiler (compiler/image/) fills sections
 * through this API; the writer owns the layout: string pool, alignment,
 * section directory, digests.
 *
 * Memory: sections that can grow with the size of a table (STRINGS, U32,
 * HASH_ENTRIES, HASH_SLOTS, CIDR_RULES, RX_RULES) spill to an unlinked
 * temporary file once they pass a few megabytes, so an image with a
 * million-entry table is built in bounded memory; records of those
 * sections can only be appended. The other sections stay in memory and
 * their records can be changed after they are added (imgw_at). */
#ifndef IMAGE_WRITER_H
#define IMAGE_WRITER_H
#include "stdlib/image/format.h"
#include "stdlib/util/strbuf.h"
#include <stddef.h>

typedef struct imgw imgw;

/* spill_dir: where temporary spill files go (the output's directory, so
 * that nothing large lands in a small /tmp); NULL: the current directory. */
imgw    *imgw_new(const char *spill_dir);
void     imgw_free(imgw *w);
/* The compiler name and version recorded in the header ("mtacc 0.2.0"). */
void     imgw_set_compiler(imgw *w, const char *version);

/* A string of the pool, stored once however often it is added (strings
 * longer than a few hundred bytes, and any after the intern set is full,
 * are stored again: deterministic either way). Returns its offset. */
uint32_t imgw_str(imgw *w, const char *s);
/* A string stored without interning (table keys: unique by nature). */
uint32_t imgw_str_unique(imgw *w, const char *s, size_t len);
/* Read back a pool string (also one that has spilled to disk): valid
 * until the next call with the same tmp. */
const char *imgw_str_get(imgw *w, uint32_t off, strbuf *tmp);
/* Append n values to the U32 pool; returns the index of the first. */
uint32_t imgw_u32(imgw *w, const uint32_t *v, size_t n);
/* Append n records (rec: n * record size bytes, or NULL for zeroed
 * records) to section sec; returns the index of the first. */
uint32_t imgw_append(imgw *w, enum img_sec sec, const void *rec, size_t n);
/* Record idx of an in-memory section (not a spilling one); the pointer is
 * valid until the next append to that section. */
void    *imgw_at(imgw *w, enum img_sec sec, uint32_t idx);
uint32_t imgw_count(const imgw *w, enum img_sec sec);

/* A source file: path as the configuration names it, and its content
 * (or, for a file read as a stream, its size and SHA-256). Returns its
 * 1-based FILES index; adding the same path again returns the first. */
uint32_t imgw_file(imgw *w, const char *path, const void *content, size_t len);
uint32_t imgw_file_digest(imgw *w, const char *path, const uint8_t sha256[32], uint64_t size);
/* The FILES index of a path already added, 0 if none. */
uint32_t imgw_file_find(const imgw *w, const char *path);

/* Write the image to path: a temporary file in the same directory,
 * fsync, rename over path, fsync of the directory. Returns 0, or -1 with
 * a one-line reason in err (nothing is left under path then). Sets
 * *size_out to the file size when not NULL. */
int      imgw_write(imgw *w, const char *path, strbuf *err, uint64_t *size_out);

/* Is there room for more (offsets stay below IMG_MAX_SIZE)? 0 with a
 * reason once any section has overflowed; imgw_write fails then too. */
int      imgw_ok(const imgw *w, strbuf *err);

#endif
