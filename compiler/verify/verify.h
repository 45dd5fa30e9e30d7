/* verify.h: the checks that need the configuration as mtad will run it.
 * The configuration is compiled into a scratch policy image (in memory
 * terms: a temporary file, opened and removed), and the checks read its
 * programs, tables and classes and run sessions through the policy
 * engine (stdlib/policy), the code mtad runs. Each check is one file of
 * compiler/verify/ and adds diagnostics to the configuration; an
 * instruction's file:line:col becomes a location in the sources. */
#ifndef COMPILER_VERIFY_VERIFY_H
#define COMPILER_VERIFY_VERIFY_H
#include "compiler/config.h"
#include "stdlib/policy/policy.h"

typedef struct verify_ctx {
    config    *c;
    img        im;          /* the scratch image */
    pol_image  pi;
    int       *file_sid;    /* FILES index (1-based) -> srcset id, -1: none */
    size_t     nfile_sid;
} verify_ctx;

/* Compile c into a scratch image and open it; -1 (nothing reported) when
 * that is not possible. Problems emitting would report (table contents)
 * are not reported again: the other checks report them. */
int  verify_open(verify_ctx *v, config *c);
void verify_close(verify_ctx *v);

/* The location of an instruction's restriction word (LOC_NONE for a
 * default setting), and of the setting of a program (parameter or class). */
loc  verify_insn_loc(const verify_ctx *v, const img_insn *x);
loc  verify_program_loc(const verify_ctx *v, const img_program *p);
/* The location of line `line` (whole line) of FILES index f. */
loc  verify_line_loc(const verify_ctx *v, uint32_t f, uint32_t line);

/* Every verifier check, in order (verify.c); called by run_checks. */
void verify_checks(config *c);

/* The checks, one file each. */
void verify_open_relay(verify_ctx *v);      /* open_relay.c: open-relay, relay-trusts-sender */
void verify_class_clash(verify_ctx *v);     /* class_clash.c: domain-class-clash */
void verify_mail_loop(verify_ctx *v);       /* mail_loop.c: mail-loop */
void verify_backscatter(verify_ctx *v);     /* backscatter.c: backscatter */
void verify_masquerade(verify_ctx *v);      /* masquerade.c: masquerade-order */
void verify_queue_timing(verify_ctx *v);    /* queue_timing.c: queue-timing */
void verify_size_limits(verify_ctx *v);     /* size_limits.c: size-limits */
void verify_soft_bounce(verify_ctx *v);     /* soft_bounce.c: soft-bounce */
void verify_unknown_transport(verify_ctx *v); /* unknown_transport.c: unknown-transport */
void verify_deprecated(verify_ctx *v);      /* deprecated.c: deprecated (restriction names) */
void verify_unknown_restriction(verify_ctx *v);   /* unknown_restriction.c */
void verify_restriction_argument(verify_ctx *v);  /* restriction_argument.c */
void verify_restriction_context(verify_ctx *v);   /* restriction_context.c */
void verify_unreachable(verify_ctx *v);     /* unreachable.c: unreachable-restriction */
void verify_whitelist_order(verify_ctx *v); /* whitelist_order.c: whitelist-after-block */
void verify_ineffective(verify_ctx *v);     /* ineffective.c: ineffective-restriction */
void verify_no_relay(verify_ctx *v);        /* no_relay.c: no-relay-restriction */
void verify_mx_backup(verify_ctx *v);       /* mx_backup.c: mx-backup-unrestricted */
void verify_mynetworks(verify_ctx *v);      /* mynetworks.c: mynetworks-too-broad */

/* Does program p hold a relay control (reject_unauth_destination, ...)
 * as Postfix's smtpd requires one at start-up (no_relay.c)? */
int  verify_relay_control(const img *im, uint32_t p);

#endif
