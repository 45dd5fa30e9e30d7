/* lists.h: the restriction lists as the smtpd services run them, for the
 * restriction-list checks of compiler/verify/: which services there are,
 * the eight lists of each (with its -o values) and what a list can see
 * when it runs (smtpd_delay_reject decides when the client, HELO and
 * sender lists run), what each restriction looks at, the classes a list
 * reaches, and what the words of an instruction were. */
#ifndef COMPILER_VERIFY_LISTS_H
#define COMPILER_VERIFY_LISTS_H
#include "compiler/verify/verify.h"

/* The top-level lists, in the order smtpd runs them at RCPT. */
enum vl_list {
    VL_CLIENT, VL_HELO, VL_SENDER, VL_RELAY, VL_RECIPIENT, VL_DATA, VL_EOD, VL_ETRN,
    VL_COUNT
};

/* What a restriction looks at. */
enum vl_input {
    VL_IN_CLIENT = 1u << 0,   /* address and names: known in every list */
    VL_IN_HELO   = 1u << 1,
    VL_IN_SENDER = 1u << 2,   /* MAIL FROM (<> included) */
    VL_IN_RCPT   = 1u << 3,   /* RCPT TO */
    VL_IN_ETRN   = 1u << 4,   /* the ETRN domain */
    VL_IN_AUTH   = 1u << 5,   /* a SASL login (AUTH comes after EHLO) */
};

/* "smtpd_client_restrictions", ... */
const char *vl_list_param(unsigned list);
/* The list a program is (its name), or -1 for a class. */
int vl_list_of(const img *im, const img_program *p);
/* "smtpd_client_restrictions" or "restriction class \"name\"". */
void vl_program_label(const img *im, const img_program *p, char *buf, size_t n);

/* The value service svc sees (NULL: main.cf alone). */
const img_param *vl_param(const img *im, const img_service *svc, const char *name);
int              vl_bool(const img *im, const img_service *svc, const char *name);
const char      *vl_text(const img *im, const img_service *svc, const char *name);
/* The program list `list` runs for svc, or UINT32_MAX. */
uint32_t         vl_program(const img *im, const img_service *svc, unsigned list);

/* The smtpd services of master.cf (any type); when there is no master.cf,
 * one NULL entry: main.cf as Postfix's stock smtp service sees it.
 * *out is malloc'ed; returns the count. */
size_t vl_services(const verify_ctx *v, const img_service ***out);
/* "service \"submission\"" or "smtpd (main.cf)" */
void   vl_service_label(const img *im, const img_service *svc, char *buf, size_t n);

/* The inputs list `list` of svc sees whenever it runs (must) and those it
 * sees in some session (may). */
unsigned vl_list_must(const img *im, const img_service *svc, unsigned list);
unsigned vl_list_may(const img *im, const img_service *svc, unsigned list);
/* The input restriction op looks at (one enum vl_input bit), or 0 for
 * one that needs none in particular (client restrictions, generic ones). */
unsigned vl_op_input(unsigned op);
/* "the HELO name", "the sender address", ... for one input bit. */
const char *vl_input_name(unsigned input);

/* Mark the programs reachable from program root through class calls
 * (mark has im->nprograms entries; marked ones are not walked again). */
void vl_reach(const img *im, uint32_t root, unsigned char *mark);
/* The same from every list of service svc. */
void vl_reach_service(const img *im, const img_service *svc, unsigned char *mark);

/* How the programs run, over every smtpd service and list that reaches
 * them (directly or through class calls). */
typedef struct vl_use {
    int                reached;   /* some list of some service runs it */
    unsigned           may;       /* inputs it sees in some session of some use */
    unsigned           must;      /* inputs it sees whenever it runs, in every use */
    int                warned;    /* some use runs it after warn_if_reject */
    const img_service *svc;       /* the first use: its service and list */
    unsigned           list;
    unsigned           lists;     /* bit (1u << list) of every list that reaches it */
} vl_use;

/* One entry per program (malloc'ed). */
vl_use *vl_uses(const verify_ctx *v);
/* fn(v, program, its use, ctx) for each program some list runs. */
typedef void (*vl_program_fn)(verify_ctx *v, const img_program *p, const vl_use *u, void *ctx);
void vl_each_reached(verify_ctx *v, vl_program_fn fn, void *ctx);

/* The same restriction word may be lowered into several programs (a list
 * is lowered again for a service whose classes differ): for each
 * instruction, the index of the first one lowered from the same word
 * (itself when it has no place). Checks that judge a word by all its uses
 * gather them there. malloc'ed, im->ninsns entries. */
uint32_t *vl_places(const img *im);

/* An instruction lowered as (unknown) for a restriction word whose
 * operand is missing or not of its kind: that restriction's opcode, else
 * -1. Postfix takes the word after it as the operand all the same. */
int  vl_missing_operand(const img *im, const img_insn *x);
/* Was instruction k of p lowered from the word such a restriction took
 * as its operand? */
int  vl_is_taken_operand(const img *im, const img_program *p, uint32_t k);
/* The word of instruction x as written (the source text at its
 * location), malloc'ed; the opcode's name when there is none. */
char *vl_word(const verify_ctx *v, const img_insn *x);

/* 1 the first time a diagnostic id is reported at `at` in this run, then
 * 0 (a program runs for several services and lists). */
int vl_once(const verify_ctx *v, diag_id id, loc at);

#endif
