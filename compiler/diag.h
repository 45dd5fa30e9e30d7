/* diag.h: diagnostics as records (id, severity, location, message, notes,
 * hint), collected during a run and printed as text, JSON or SARIF. */
#ifndef COMPILER_DIAG_H
#define COMPILER_DIAG_H
#include "compiler/source.h"
#include <stdio.h>

typedef enum severity { SEV_NOTE, SEV_WARNING, SEV_ERROR } severity;

typedef enum diag_id {
#define D(e, name, sev, summary, explain) DIAG_##e,
#include "compiler/diag_ids.def"
#undef D
    DIAG__COUNT
} diag_id;

typedef struct diag_info {
    const char *name;
    severity    sev;
    const char *summary;
    const char *explain;
} diag_info;

const diag_info *diag_info_of(diag_id id);
/* Look an id up by its name ("open-relay"); -1 when there is none. */
int diag_lookup(const char *name);
const char *severity_name(severity s);

#define DIAG_MAX_NOTES 3

typedef struct diag_note {
    loc   at;
    char *msg;
} diag_note;

typedef struct diag {
    diag_id   id;
    severity  sev;
    loc       at;
    char     *msg;
    diag_note notes[DIAG_MAX_NOTES];
    int       nnotes;
    char     *hint;
    unsigned  seq;     /* order of reporting, for a stable sort */
} diag;

typedef struct diags {
    diag   *v;
    size_t  n, cap;
    srcset *src;
    unsigned char allowed[DIAG__COUNT];   /* --allow ID */
    size_t  allow_scanned;                /* files already scanned for "# mtacc:" comments */
} diags;

void  diags_init(diags *d, srcset *src);
void  diags_free(diags *d);
/* Report with the id's default severity; returns the record to add notes to. */
diag *diag_add(diags *d, diag_id id, loc at, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
diag *diag_add_sev(diags *d, diag_id id, severity sev, loc at, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
void  diag_note_add(diag *g, loc at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void  diag_hint(diag *g, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Apply "# mtacc: allow ID -- reason" comments and --allow, then sort by
 * file, position and order of report. Reports bad suppressions. */
void  diags_finish(diags *d);
size_t diags_count(const diags *d, severity s);

typedef enum diag_format { FMT_TEXT, FMT_JSON, FMT_SARIF } diag_format;
void  diags_print(const diags *d, diag_format fmt, FILE *out);

#endif
