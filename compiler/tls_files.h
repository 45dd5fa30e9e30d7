/* tls_files.h: the certificate, key and CA files that the TLS-enabled
 * services of a configuration load, and where mtacc reads each of them.
 *
 * Which files. Every smtpd service (inet, or pass behind postscreen) that
 * offers TLS (compiler/smtpd_tls.h) loads smtpd_tls_chain_files or, when
 * that is empty, the pairs smtpd_tls_cert_file/key_file, dcert/dkey and
 * eccert/eckey; and smtpd_tls_CAfile, smtpd_tls_CApath. Every smtp or
 * lmtp delivery service whose client TLS is on (a security level other
 * than none, the obsolete use/enforce switches, or a TLS policy table)
 * loads the same with the smtp_ or lmtp_ prefix. Values are taken with
 * the service's -o overrides. Without master.cf, main.cf as Postfix's
 * stock smtp services see it.
 *
 * Where (tlsf_resolve). A configuration directory is often checked away
 * from its mail host, without the certificates (they are secrets):
 *   - a name under $config_directory (/etc/postfix/) is read from the
 *     checked directory, like tables (config_table_file);
 *   - a relative name is relative to $queue_directory, where Postfix's
 *     daemons run;
 *   - any other absolute name is a file of this machine.
 * A file that is not there is an error when the directory checked is the
 * mail host's own configuration directory (it resolves to
 * $config_directory), when the name points inside the checked directory,
 * or when it is named under $config_directory and the checked directory
 * holds other TLS files named so (it is a full copy). Otherwise the file
 * lives on the mail host and is not checked (tls-files says so once, as
 * a note). */
#ifndef COMPILER_TLS_FILES_H
#define COMPILER_TLS_FILES_H
#include "compiler/config.h"

typedef enum tlsf_kind { TLSF_CERT, TLSF_KEY, TLSF_CHAIN, TLSF_CAFILE, TLSF_CAPATH } tlsf_kind;

typedef struct tlsf_file {
    tlsf_kind   kind;
    char        param[48];/* the parameter that names it ("smtpd_tls_cert_file") */
    char       *path;     /* the name, expanded */
    loc         at;       /* where the name is written (LOC_NONE: a default) */
} tlsf_file;

/* The files one side of one service loads: pairs TLSF_CERT, TLSF_KEY
 * (adjacent, the key after its certificate), or TLSF_CHAIN files in
 * order; then at most one TLSF_CAFILE and one TLSF_CAPATH. */
typedef struct tlsf_set {
    char        service[160];  /* "smtp/inet", or "main.cf" without master.cf */
    loc         service_at;
    const char *side;          /* "smtpd", "smtp" or "lmtp" */
    tlsf_file  *files;
    size_t      nfiles;
} tlsf_set;

typedef void (*tlsf_fn)(void *ctx, const tlsf_set *s);
/* Call fn for every TLS-enabled side of every service, in master.cf order. */
void tlsf_each(config *c, tlsf_fn fn, void *ctx);

typedef enum tlsf_status {
    TLSF_HERE,       /* *fs is the file to read */
    TLSF_ELSEWHERE,  /* not on this machine: on the mail host, not checked */
    TLSF_NOT_COPIED, /* named under $config_directory, not in the checked
                        directory: an error when the directory holds other
                        such TLS files (it is a full copy), else as
                        TLSF_ELSEWHERE */
    TLSF_MISSING,    /* should be here and is not: an error */
} tlsf_status;

/* Where mtacc reads path (*fs, malloc'ed: the file, or where it was
 * looked for). */
tlsf_status tlsf_resolve(const config *c, const char *path, char **fs);

/* The settings already checked, so that a file named once in main.cf is
 * reported once, not once per service. */
typedef struct tlsf_seen {
    char  **v;
    size_t  n, cap;
} tlsf_seen;
/* 1 the first time this name of this setting is seen. */
int  tlsf_first(tlsf_seen *s, const tlsf_file *f);
void tlsf_seen_free(tlsf_seen *s);

#endif
