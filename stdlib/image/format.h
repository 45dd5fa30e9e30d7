/* format.h: the on-disk layout of a policy image, the contract between
 * mtacc (which writes it) and mtad (which runs from it). doc/mta-image.5
 * describes the same thing for people.
 *
 * A file is a header, a section directory and the sections. Everything is
 * little-endian, fixed width, and position independent: records refer to
 * each other by index and to strings by offset into the STRINGS section,
 * never by pointer. Sections start at multiples of IMG_ALIGN. The
 * SHA-256 in the header covers every byte from IMG_DIGEST_FROM to the end
 * of the file (the rest of the header included), so any change after the
 * magic, version, sentinel and size is caught by the digest; the loader
 * still checks every offset and index, since a file can be made to match
 * its digest.
 *
 * Conventions used by the records below:
 *   str    offset into STRINGS of a NUL-terminated string (0 is "")
 *   list   first index into the U32 pool; the count is the next field
 *   src    provenance: 1-based index into FILES (0: none, e.g. a default)
 *          followed by a 1-based line number (0: none)
 * Records are plain structs with explicit padding, so that their size is
 * the same on every ABI the project builds for; IMG_RECSIZE lists them and
 * the header stores them, so a reader built with other sizes refuses the
 * file. */
#ifndef IMAGE_FORMAT_H
#define IMAGE_FORMAT_H
#include <stdint.h>

#define IMG_MAGIC        "MTAIMG\r\n"   /* 8 bytes; \r\n catches text-mode copies */
#define IMG_VERSION      1u
#define IMG_SENTINEL     0x0807060504030201ull  /* bytes 01..08 on disk: little-endian */
#define IMG_ALIGN        8u
#define IMG_HEADER_SIZE  192u
#define IMG_DIGEST_FROM  64u           /* payload_sha256 covers [64, file_size) */
#define IMG_MAX_SIZE     (1ull << 32)  /* offsets and indexes are 32-bit */

typedef struct img_header {
    char     magic[8];            /*   0 IMG_MAGIC */
    uint32_t version;             /*   8 IMG_VERSION */
    uint32_t header_size;         /*  12 IMG_HEADER_SIZE */
    uint64_t sentinel;            /*  16 IMG_SENTINEL */
    uint64_t file_size;           /*  24 size of the whole file */
    uint8_t  payload_sha256[32];  /*  32 SHA-256 of bytes [IMG_DIGEST_FROM, file_size) */
    uint8_t  source_sha256[32];   /*  64 digest of the source inputs (see FILES) */
    char     compiler[32];        /*  96 "mtacc X.Y.Z", NUL-padded */
    char     pcre2[32];           /* 128 PCRE2 version mtacc was built against */
    uint32_t nsections;           /* 160 IMG_SEC_COUNT - 1 (every section, in id order) */
    uint32_t flags;               /* 164 0 */
    uint8_t  recsize[24];         /* 168 record size of section id i (IMG_RECSIZE) */
} img_header;                     /* 192 */

/* The directory follows the header: one entry per section, ids 1.. in
 * order, sections laid out in the same order without overlap. */
typedef struct img_section {
    uint32_t id;                  /* enum img_sec */
    uint32_t count;               /* number of records */
    uint64_t offset;              /* from the start of the file, IMG_ALIGN-aligned */
    uint64_t size;                /* bytes = count * record size */
} img_section;

enum img_sec {
    IMG_SEC_STRINGS = 1,   /* bytes: NUL-terminated strings; starts and ends with NUL */
    IMG_SEC_U32,           /* uint32_t pool: lists of strings, tables, ... */
    IMG_SEC_FILES,         /* img_file: the source files, for provenance */
    IMG_SEC_PARAMS,        /* img_param: every main.cf parameter, sorted by name */
    IMG_SEC_SERVICES,      /* img_service: master.cf entries, in file order */
    IMG_SEC_SVC_PARAMS,    /* img_param: per-service values (after -o), sorted per service */
    IMG_SEC_TABLES,        /* img_table: every referenced table, by spec */
    IMG_SEC_HASH_ENTRIES,  /* img_hash_entry: exact-match entries, per table, source order */
    IMG_SEC_HASH_SLOTS,    /* img_hash_slot: open-addressing index, per table */
    IMG_SEC_CIDR_RULES,    /* img_cidr_rule */
    IMG_SEC_RX_RULES,      /* img_rx_rule: regexp:/pcre: rules */
    IMG_SEC_PROGRAMS,      /* img_program: restriction lists and classes */
    IMG_SEC_INSNS,         /* img_insn: the instructions of every program */
    IMG_SEC_CLASSES,       /* img_class: address classes and their routing */
    IMG_SEC_COUNT
};

/* ---- FILES --------------------------------------------------------------
 * One per source file read (main.cf, master.cf, table sources), in the
 * order the compiler read them; path as the configuration names it
 * ("main.cf", "/etc/postfix/access"), never where mtacc happened to find
 * it, so building from another directory gives the same image. The
 * source digest in the header is SHA-256 over, for each file in order,
 * its path, a NUL and the SHA-256 of its content. */
typedef struct img_file {
    uint32_t path;                /* str */
    uint32_t size;                /* bytes of content */
    uint8_t  sha256[32];
} img_file;                       /* 40 */

/* ---- PARAMS and SVC_PARAMS ---------------------------------------------
 * Every parameter Postfix knows plus the user-defined ones, with its value
 * expanded ($name resolved, host defaults computed) and typed. */
enum img_param_kind {
    IMG_PK_STRING = 0,     /* text only */
    IMG_PK_BOOL,           /* num: 0 or 1 */
    IMG_PK_INT,            /* num: the number (counts, sizes in bytes) */
    IMG_PK_TIME,           /* num: seconds */
    IMG_PK_LIST,           /* list of str: the value split as Postfix splits lists */
    IMG_PK_TABLES,         /* list of table indexes (*_maps, *_checks) */
    IMG_PK_RESTRICTIONS,   /* num: program index (smtpd_*_restrictions, classes) */
    IMG_PK_COUNT
};

enum img_param_flags {
    IMG_PF_SET      = 1u << 0,    /* set in main.cf (or by -o), not a default */
    IMG_PF_OVERRIDE = 1u << 1,    /* SVC_PARAMS: set by this service's -o */
    IMG_PF_USER     = 1u << 2,    /* not a Postfix parameter (user-defined) */
};

typedef struct img_param {
    uint32_t name;                /* str */
    uint32_t text;                /* str: expanded value */
    uint16_t kind;                /* enum img_param_kind */
    uint16_t flags;               /* enum img_param_flags */
    uint32_t file, line;          /* src of the setting (0 0: default) */
    uint32_t list, nlist;         /* IMG_PK_LIST / IMG_PK_TABLES */
    uint32_t pad;                 /* 0 */
    int64_t  num;                 /* BOOL / INT / TIME / RESTRICTIONS */
} img_param;                      /* 40 */

/* ---- SERVICES ------------------------------------------------------------ */
enum img_svc_flags {
    IMG_SVC_PRIVATE   = 1u << 0,  /* private: y (after defaults) */
    IMG_SVC_UNPRIV    = 1u << 1,  /* unpriv: y */
    IMG_SVC_CHROOT    = 1u << 2,  /* chroot: y */
    IMG_SVC_WAKEUP_COND = 1u << 3,/* wakeup with '?': only when used */
};

typedef struct img_service {
    uint32_t name;                /* str: "smtp", "127.0.0.1:2525", "submission" */
    uint32_t type;                /* str: inet, unix, unix-dgram, fifo, pass */
    uint32_t command;             /* str: smtpd, cleanup, ... */
    uint32_t args, nargs;         /* list of str: arguments after the command, -o removed */
    uint32_t params, nparams;     /* range of SVC_PARAMS: values this service changes, by name */
    uint32_t maxproc;             /* process limit after defaults (0: no limit) */
    uint32_t wakeup;              /* seconds, 0: none */
    uint32_t flags;               /* enum img_svc_flags */
    uint32_t file, line;          /* src of the master.cf entry */
} img_service;                    /* 48 */

/* ---- TABLES --------------------------------------------------------------
 * Every table a parameter, restriction or -o names, once per spec, in
 * first-reference order. Lookups go through stdlib/image's maps. */
enum img_table_kind {
    IMG_TK_HASH = 0,       /* exact match: hash, btree, texthash, inline (entries + slots) */
    IMG_TK_CIDR,           /* ordered rules, first match wins */
    IMG_TK_REGEXP,         /* ordered POSIX ERE rules */
    IMG_TK_PCRE,           /* ordered PCRE2 rules */
    IMG_TK_STATIC,         /* every key finds `value` */
    IMG_TK_FAIL,           /* every lookup fails */
    IMG_TK_ENVIRON,        /* keys are environment variables of the process */
    IMG_TK_UNION,          /* members: list of table indexes, results joined with "," */
    IMG_TK_PIPE,           /* members: the result of one is the key of the next */
    IMG_TK_UNAVAILABLE,    /* cannot be served (type not served, file missing): value = why */
    IMG_TK_UNIX,           /* unix:passwd.byname / unix:group.byname of the running host: value = name */
    IMG_TK_COUNT
};

typedef struct img_table {
    uint32_t spec;                /* str: as the configuration names it ("hash:/etc/postfix/access") */
    uint32_t type;                /* str: "hash" (after proxy: unwrapping) */
    uint16_t kind;                /* enum img_table_kind */
    uint16_t flags;               /* MAP_FL_* of stdlib/maps/map.h used for lookups */
    uint32_t file;                /* src: 1-based FILES index of the source (0: none) */
    uint32_t first, count;        /* entries / rules (HASH, CIDR, REGEXP, PCRE) or
                                     members as a list in U32 (UNION, PIPE) */
    uint32_t slots, nslots;       /* HASH: range of HASH_SLOTS; nslots a power of two */
    uint32_t value;               /* str: STATIC value, UNAVAILABLE reason */
    uint32_t pad;                 /* 0 */
} img_table;                      /* 40 */

typedef struct img_hash_entry {
    uint32_t key;                 /* str, folded as stored by postmap */
    uint32_t value;               /* str */
    uint32_t line;                /* source line (0: from a .db without source) */
} img_hash_entry;                 /* 12 */

/* Slot i of a table holds entry (index - 1) of its range; linear probing
 * from img_hash(key) & (nslots - 1); an empty slot (index 0) ends a probe. */
typedef struct img_hash_slot {
    uint32_t hash;                /* img_hash() of the entry's key */
    uint32_t index;               /* 1-based entry index within the table, 0: empty */
} img_hash_slot;                  /* 8 */

enum img_rule_op { IMG_RULE_MATCH = 0, IMG_RULE_IF, IMG_RULE_ENDIF };

typedef struct img_cidr_rule {
    uint8_t  op;                  /* enum img_rule_op */
    uint8_t  family;              /* 4 or 6 */
    uint8_t  negate;              /* !pattern */
    uint8_t  prefix;              /* bits */
    uint8_t  addr[16];            /* network, host bits zero */
    uint32_t skip;                /* IF: rule index (in the table) after the matching ENDIF */
    uint32_t result;              /* str (MATCH) */
    uint32_t line;
} img_cidr_rule;                  /* 32 */

typedef struct img_rx_rule {
    uint8_t  op;                  /* enum img_rule_op */
    uint8_t  negate;
    uint16_t nlits;               /* prefilter: number of required literals */
    uint32_t flags;               /* enum map_rx_flags */
    uint32_t pattern;             /* str, between the delimiters */
    uint32_t result;              /* str, as written ($n expanded at lookup) */
    uint32_t line;
    uint32_t lits;                /* list of str: literals, lowercase (prefilter) */
    uint32_t all_required;        /* 1: every literal occurs; 0: at least one */
    uint32_t pad;                 /* 0 */
} img_rx_rule;                    /* 32 */

/* ---- PROGRAMS and INSNS --------------------------------------------------
 * A restriction list lowered to instructions (stdlib/image/opcodes.def),
 * evaluated in order by stdlib/policy. */
typedef struct img_program {
    uint32_t name;                /* str: parameter or class name */
    uint32_t first, count;        /* range of INSNS */
    uint32_t file, line;          /* src of the setting (0 0: default) */
} img_program;                    /* 20 */

enum img_insn_flags {
    IMG_IF_DEPRECATED = 1u << 0,  /* written with an old name (reject_unknown_client, ...) */
};

typedef struct img_insn {
    uint16_t op;                  /* enum img_op */
    uint16_t flags;               /* enum img_insn_flags */
    uint32_t a, b;                /* operands, as the opcode says */
    uint32_t file, line, col;     /* src of the restriction word (col 1-based) */
} img_insn;                       /* 24 */

#define IMG_OP(e, name, operands, meaning) e,
enum img_op {
#include "stdlib/image/opcodes.def"
    IMG_OP_COUNT
};
#undef IMG_OP

/* What operands a and b hold. */
enum img_operands {
    IMG_OPND_NONE = 0,     /* a = b = 0 */
    IMG_OPND_TABLE,        /* a = table index */
    IMG_OPND_DOMAIN,       /* a = str: DNS list domain; b = str: "=d.d.d.d" reply filter or "" */
    IMG_OPND_SECONDS,      /* a = seconds */
    IMG_OPND_SERVICE,      /* a = str: policy service endpoint; b = str: attributes "{...}" or "" */
    IMG_OPND_PROGRAM,      /* a = program index (a restriction class) */
    IMG_OPND_WORD,         /* a = str: the word as written (unknown restriction) */
};

/* ---- CLASSES --------------------------------------------------------------
 * ADDRESS_CLASS_README: which domains belong to which class, and where mail
 * for the class goes. Derived from the parameters, for the router. */
enum img_class_id {
    IMG_CLASS_LOCAL = 0,          /* mydestination, inet_interfaces ...: local_transport */
    IMG_CLASS_VIRTUAL_ALIAS,      /* virtual_alias_domains: no transport (aliased away) */
    IMG_CLASS_VIRTUAL_MAILBOX,    /* virtual_mailbox_domains: virtual_transport */
    IMG_CLASS_RELAY,              /* relay_domains: relay_transport */
    IMG_CLASS_DEFAULT,            /* everything else: default_transport, relayhost */
    IMG_CLASS_COUNT
};

typedef struct img_class {
    uint32_t id;                  /* enum img_class_id */
    uint32_t domains, ndomains;   /* list of str: domain names (and patterns as written) */
    uint32_t tables, ntables;     /* list of table indexes: domains given as tables */
    uint32_t transport;           /* str: the transport name ("local", "smtp", "" for none) */
    uint32_t nexthop;             /* str: its next hop ("" : the recipient domain);
                                     DEFAULT: $relayhost unless default_transport names one */
    uint32_t recipients, nrecipients; /* list of table indexes: valid recipients
                                         (local_recipient_maps, virtual_mailbox_maps, ...) */
    uint32_t pad;                 /* 0 */
} img_class;                      /* 40 */

/* Record sizes by section id (0 for ids without records). */
#define IMG_RECSIZE { 0, 1, 4, sizeof(img_file), sizeof(img_param), sizeof(img_service), \
                      sizeof(img_param), sizeof(img_table), sizeof(img_hash_entry),     \
                      sizeof(img_hash_slot), sizeof(img_cidr_rule), sizeof(img_rx_rule),\
                      sizeof(img_program), sizeof(img_insn), sizeof(img_class) }

/* The hash of exact-match keys: FNV-1a (64 bit) folded to 32 bits. Fixed
 * here because it is part of the format; the steps are given so that a
 * reader can hash while it folds a key. */
#define IMG_HASH_INIT 0xcbf29ce484222325ull
static inline uint64_t img_hash_step(uint64_t h, unsigned char c)
{
    return (h ^ c) * 0x100000001b3ull;
}
static inline uint32_t img_hash_final(uint64_t h)
{
    return (uint32_t)(h ^ (h >> 32));
}
static inline uint32_t img_hash(const char *s, uint64_t len)
{
    uint64_t h = IMG_HASH_INIT;
    for (uint64_t i = 0; i < len; i++)
        h = img_hash_step(h, (unsigned char)s[i]);
    return img_hash_final(h);
}

#endif
