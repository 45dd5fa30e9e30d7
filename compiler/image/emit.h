/* emit.h: lowering a checked configuration into a policy image. One
 * emit_ctx carries the writer and what has been emitted so far (tables
 * and programs by name, source files) so that every part of the image is
 * written once and referred to by index. The parts, one file each:
 *   emit.c           the driver: order of the parts, files, the write
 *   emit_params.c    parameters resolved and typed, globally and per service
 *   emit_services.c  master.cf entries
 *   emit_tables.c    tables compiled (hash index, cidr, regexp, pcre, ...)
 *   lower.c          restriction lists lowered to programs of opcodes
 *   emit_classes.c   address classes and their routing */
#ifndef COMPILER_IMAGE_EMIT_H
#define COMPILER_IMAGE_EMIT_H
#include "compiler/config.h"
#include "stdlib/image/writer.h"

typedef struct emit_named {
    char    *name;
    uint32_t index;
} emit_named;

struct emit_globals;   /* emit_params.c: names and global values */

typedef struct emit_ctx {
    config     *c;
    imgw       *w;
    emit_named *tables;      /* spec -> TABLES index */
    size_t      ntables, captables;
    emit_named *programs;    /* "service\0param" or class name -> PROGRAMS index */
    size_t      nprograms, capprograms;
    uint32_t   *file_index;  /* srcset id -> 1-based FILES index (0: not yet) */
    size_t      nfile_index;
    /* Expanded parameter values of the context being emitted (global, or
     * one service with its -o applied): set by emit_params.c for lower.c. */
    const char *(*value)(void *ctx, const char *name);
    void       *value_ctx;
    /* The master.cf service whose -o values are being emitted (NULL: the
     * global context): where lower.c finds a class set by -o. */
    const master_service *service;
    struct emit_globals *globals;
} emit_ctx;

/* Emit the whole image of a configuration already loaded and checked;
 * problems that only show while emitting (table contents) are reported
 * in c->d. Returns the filled writer: the caller writes it (imgw_write)
 * only when the diagnostics allow, and frees it. spill_dir: where large
 * sections may spill (the output's directory). */
imgw    *emit_image(config *c, const char *spill_dir);
/* The same, and for each FILES index (1-based; [0] unused) the srcset id
 * of the file (*file_sid, malloc'ed, *n entries): how the verifier turns
 * an instruction's file:line:col back into a location. */
imgw    *emit_image_files(config *c, const char *spill_dir, int **file_sid, size_t *n);

/* The 1-based FILES index of srcset file id (added on first use), with
 * the path the configuration uses for it. */
uint32_t emit_file(emit_ctx *e, int srcset_id);
/* The configuration-relative name of a path mtacc read ("main.cf",
 * "/etc/postfix/access" for DIR/access named as such). malloc'ed. */
char    *emit_display_path(const emit_ctx *e, const char *path);

/* How a table's source text is read: postmap(1) "key value" lines, or
 * aliases(5) "name: value" (alias_maps, alias_database). */
enum emit_table_src { EMIT_TABLE_POSTMAP = 0, EMIT_TABLE_ALIASES };

/* The TABLES index of "type:name" as the configuration names it,
 * compiling the table the first time (emit_tables.c). at: the reference.
 * Members of unionmap:/pipemap: are emitted before the composite, so a
 * table only ever refers to tables with smaller indexes. */
uint32_t emit_table(emit_ctx *e, const char *spec, loc at, enum emit_table_src src);
/* Is spec one of the tables of alias_maps or alias_database (after
 * emit_params has started)? Such a table is an alias database (postalias
 * builds it) whichever parameter names it: emit_table reads its source
 * as aliases(5) even when asked for EMIT_TABLE_POSTMAP. */
int      emit_is_alias_table(const emit_ctx *e, const char *spec);

/* The PROGRAMS index of restriction list `name` (a parameter or a class)
 * whose expanded value is `value`, lowering it (lower.c). at: where the
 * value is written (for provenance of its words); `raw` is the value as
 * written there when it has no $name (so word offsets map back), else
 * NULL. Programs are shared when name, value and what lowering reads in
 * the context (classes, $maps_rbl_domains) are the same; the index
 * is reserved before the body is lowered, so a class that names itself
 * (directly or not) becomes a call to itself rather than endless work. */
uint32_t emit_program(emit_ctx *e, const char *name, const char *value, loc at,
                      const char *raw);

/* Is `name` a restriction list (smtpd_*_restrictions or a class)? */
int      emit_is_restriction_list(const emit_ctx *e, const char *name);
/* Would a restriction list be lowered differently in the current context
 * than globally, even with the same text (a class or $maps_rbl_domains
 * changed by -o)? */
int      emit_lowering_differs(const emit_ctx *e);
/* Is `name` a list of tables (*_maps, *_checks, ...)? */
int      emit_is_table_list(const char *name);

/* The parts. */
void     emit_params(emit_ctx *e);        /* PARAMS; first, the others use its values */
void     emit_services(emit_ctx *e);
void     emit_classes(emit_ctx *e);
void     emit_params_free(emit_ctx *e);

/* The values of one service with its -o overrides applied that differ
 * from the global ones (or are overridden): appended to SVC_PARAMS, sorted
 * by name. Returns the index of the first; *count receives how many. */
uint32_t emit_service_params(emit_ctx *e, const master_service *svc, uint32_t *count);
/* Is name a value the runtime expands with session macros (stored as written)? */
int      emit_runtime_template(const char *name);
/* The global expanded value of a parameter (after emit_params), or NULL. */
const char *emit_global_value(const emit_ctx *e, const char *name);

/* Split a list value as Postfix splits lists: commas and whitespace
 * separate, braces group ("{ a b }" stays one word); pf_word_next
 * (stdlib/util/pfvalue.h) gives one word at a time. */
void     emit_split(const char *v, char ***out, size_t *n);
void     emit_split_free(char **v, size_t n);

#endif
