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

/* The command arguments as postconf -M shows them, after Postfix's
 * option normalisation ("-vo x=y" becomes "-v", "-o", "x=y"; a -o value in
 * braces becomes "name=value", wrapped in braces again when it contains
 * whitespace). MS_ARG_OPTION is "-o" (or "-") followed by its value. */
typedef enum ms_argkind { MS_ARG_WORD, MS_ARG_OPTION, MS_ARG_VALUE } ms_argkind;

typedef struct ms_shown {
    char       *text;
    loc         at;
    ms_argkind  kind;
    int         wrapped;             /* text is "{...}" added by postconf */
} ms_shown;

/* A -o whose value is not name=value (the daemon refuses it). */
typedef struct ms_badopt {
    ms_word     w;                   /* the value, braces removed */
    const char *why;                 /* "missing '='", "missing parameter name" */
} ms_badopt;

typedef struct master_service {
    ms_word      field[MS_NFIELDS];  /* field[MS_COMMAND]: the command name */
    ms_word     *args;               /* arguments after the command, -o removed */
    size_t       nargs;
    ms_override *overrides;
    size_t       noverrides;
    loc          at;                 /* the whole logical line */
    /* added: */
    ms_shown    *shown;              /* every argument after the command, as postconf shows it */
    size_t       nshown;
    ms_badopt   *badopts;
    size_t       nbadopts;
    unsigned     bad_fields;         /* bit (1u << field) for a field Postfix rejects */
} master_service;

typedef struct mastercf {
    int             file;            /* srcset id, -1 if there is no master.cf */
    master_service *v;
    size_t          n, cap;
    /* added: logical lines with fewer than eight fields (not in v) */
    loc            *bad_lines;
    size_t          nbad_lines;
} mastercf;

/* Does text satisfy Postfix's syntax for field f (private: y, n or -;
 * wakeup: digits or - with an optional ?; ...)? Name and command always do. */
int mastercf_field_ok(enum ms_field f, const char *text);
/* The master.cf name of a field ("private", "wakeup", ...) as postconf -F prints it. */
const char *mastercf_field_name(enum ms_field f);
/* Would postconf stop with a fatal error on this master.cf (bad field
 * count or a field value it rejects)? */
int mastercf_fatal(const mastercf *m);
/* Split text at the first '=' the way Postfix reads "name = value":
 * blanks around the name and the value are dropped. Returns 0 (and sets
 * *why) when there is no name or no '='; name and value are malloc'ed. */
int mastercf_split_nameval(const char *text, char **name, char **value, const char **why);

void mastercf_parse(mastercf *m, int file, diags *d);
void mastercf_free(mastercf *m);
/* The service "name/type" (e.g. "smtp/inet"), or NULL. */
const master_service *mastercf_find(const mastercf *m, const char *name, const char *type);

#endif
