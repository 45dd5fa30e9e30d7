/* mastercf.h: the syntax tree of master.cf: one entry per service with
 * its eight fields, its -o overrides and its command arguments, each with
 * the source location of the text it came from. */
#ifndef COMPILER_MASTERCF_H
#define COMPILER_MASTERCF_H
#include "compiler/diag.h"

enum ms_field { MS_NAME, MS_TYPE, MS_PRIVATE, MS_UNPRIV, MS_CHROOT, MS_WAKEUP,
                MS_MAXPROC, MS_COMMAND, MS_NFIELDS };

typedef struct ms_word {
    char *text;          /* braces of a { ... } group removed, as Postfix passes it */
    loc   at;
} ms_word;

typedef struct ms_override {     /* -o name=value  or  -o { name = value } */
    char *name;
    char *value;
    loc   at;                    /* the whole override, from "-o" */
    loc   name_loc, value_loc;
} ms_override;

typedef struct master_service {
    ms_word      field[MS_NFIELDS];  /* field[MS_COMMAND]: the command name */
    ms_word     *args;               /* arguments after the command, -o removed */
    size_t       nargs;
    ms_override *overrides;
    size_t       noverrides;
    loc          at;                 /* the whole logical line */
} master_service;

typedef struct mastercf {
    int             file;            /* srcset id, -1 if there is no master.cf */
    master_service *v;
    size_t          n, cap;
} mastercf;

void mastercf_parse(mastercf *m, int file, diags *d);
void mastercf_free(mastercf *m);
/* The service "name/type" (e.g. "smtp/inet"), or NULL. */
const master_service *mastercf_find(const mastercf *m, const char *name, const char *type);

#endif
