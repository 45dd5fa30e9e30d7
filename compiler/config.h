/* config.h: one configuration directory as loaded for a run: its source
 * files, the parsed main.cf (and master.cf), and the diagnostics so far. */
#ifndef COMPILER_CONFIG_H
#define COMPILER_CONFIG_H
#include "compiler/diag.h"
#include "compiler/maincf.h"
#include "compiler/mastercf.h"

typedef struct config {
    char   *dir;          /* config directory as given (-c) */
    srcset  src;
    diags   d;
    maincf  main;
    int     master_file;  /* srcset id of master.cf, -1 if none */
    mastercf master;      /* parsed master.cf (file -1 and no services if none) */
    int     for_image;    /* loaded to build an image (see config_opts) */
    const char *attacker; /* --attacker ADDR: the relay checks' client address */
    const char *target_version; /* --target-version VERSION: compat-level's upgrade
                                   (NULL: the Postfix release mtacc follows) */
} config;

typedef struct config_opts {
    const char *dir;          /* default "." */
    const char *main_path;    /* --main FILE: in place of DIR/main.cf */
    const char *master_path;  /* --master FILE: in place of DIR/master.cf */
    int         for_image;    /* mtacc build: tables are compiled from their source
                                 text, so hash:/btree: tables with a source are not
                                 checked against their .db (the image compiler
                                 reports problems in their content instead) */
    const char *attacker;     /* --attacker ADDR (NULL: addresses the checks pick) */
    const char *target_version; /* --target-version VERSION (NULL: Postfix 3.7) */
} config_opts;

/* Load and parse; a missing or unreadable main.cf is reported through
 * fatal() (exit 2), a syntax problem as a diagnostic. */
void config_load(config *c, const config_opts *o);
void config_free(config *c);
/* Is DIR/main.cf readable? If not, says so as "mtacc CMD: cannot open ..." on
 * stderr (for commands that take -c DIR only for its parameters). */
int   config_require_main(const char *dir, const char *cmd);
/* "DIR/name", or just "name" when DIR is "." */
char *config_path(const config *c, const char *name);
/* Where mtacc reads the file of table "type:path": relative names and
 * names under /etc/postfix/ are taken from DIR (when the file or its .db
 * is there); other absolute names are files of this machine. NULL when
 * the type names no file (inline:{...}, static:, ...). *external is set
 * for a file outside DIR. malloc'ed. */
char *config_table_file(const config *c, const char *type, const char *path, int *external);

#endif
