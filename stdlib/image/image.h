/* image.h: a policy image loaded for use: mapped read-only and validated
 * in full before anything reads it (the header, the directory, the
 * digest, every string offset, index and range), so a bad file is a
 * one-line refusal and never a crash. After img_open succeeds, every
 * accessor below may trust the records.
 *
 * Shared by mtacc (inspect, disasm, simulate) and mtad. */
#ifndef IMAGE_IMAGE_H
#define IMAGE_IMAGE_H
#include "stdlib/image/format.h"
#include "stdlib/maps/map.h"
#include "stdlib/util/strbuf.h"
#include <stddef.h>

typedef struct img {
    const unsigned char *base;     /* the mapping */
    size_t               size;
    int                  mapped;   /* 1: munmap base; 0: free base */
    const img_header    *hdr;
    const img_section   *dir;      /* dir[i] describes section id i + 1 */
    /* the sections, as arrays */
    const char           *strings;   uint32_t nstrings;   /* bytes */
    const uint32_t       *u32;       uint32_t nu32;
    const img_file       *files;     uint32_t nfiles;
    const img_param      *params;    uint32_t nparams;
    const img_service    *services;  uint32_t nservices;
    const img_param      *svc_params; uint32_t nsvc_params;
    const img_table      *tables;    uint32_t ntables;
    const img_hash_entry *hash_entries; uint32_t nhash_entries;
    const img_hash_slot  *hash_slots;   uint32_t nhash_slots;
    const img_cidr_rule  *cidr_rules;   uint32_t ncidr_rules;
    const img_rx_rule    *rx_rules;     uint32_t nrx_rules;
    const img_program    *programs;  uint32_t nprograms;
    const img_insn       *insns;     uint32_t ninsns;
    const img_class      *classes;   uint32_t nclasses;
} img;

enum img_open_flags {
    IMG_OPEN_NO_DIGEST = 1u << 0,  /* skip the SHA-256 check (fuzzing reaches deeper) */
};

/* Map and validate path. Returns 0, or -1 with a one-line reason in err
 * ("image.img: truncated: section TABLES ends at 4096, the file at 4000"). */
int  img_open(img *im, const char *path, strbuf *err);
/* Validate a copy of data (any alignment) the same way. */
int  img_open_mem(img *im, const void *data, size_t size, unsigned flags, strbuf *err);
void img_close(img *im);

/* The name of a section id ("TABLES"), of a parameter kind ("time"), of a
 * table kind ("hash"), of a class ("virtual_mailbox"). */
const char *img_sec_name(unsigned id);
const char *img_param_kind_name(unsigned kind);
const char *img_table_kind_name(unsigned kind);
const char *img_class_name(unsigned id);
/* Opcodes: the restriction name, its operand kind, its meaning. */
const char *img_op_name(unsigned op);
unsigned    img_op_operands(unsigned op);
const char *img_op_meaning(unsigned op);
/* The opcode of a restriction name, or -1. */
int         img_op_lookup(const char *name);

static inline const char *img_str(const img *im, uint32_t off) { return im->strings + off; }

/* A global parameter by name (binary search), or NULL. */
const img_param *img_param_find(const img *im, const char *name);
/* The value a service sees: its -o override or the global one. */
const img_param *img_service_param(const img *im, const img_service *s, const char *name);
/* The i-th element of a parameter's list. */
static inline uint32_t img_list_at(const img *im, uint32_t list, uint32_t i)
{
    return im->u32[list + i];
}

/* Hex of the payload digest (65 bytes with the NUL). */
void img_digest_hex(const img *im, int source, char out[65]);

/* A lookup map over table index i of the image (stdlib/maps/map.h); the
 * image must stay open while the map is used. Regexp and pcre patterns
 * are compiled here. NULL with a reason in err on failure. */
map *img_table_map(const img *im, uint32_t i, strbuf *err);

#endif
