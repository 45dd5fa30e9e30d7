/* table_answers.h: what an access table of the image can answer, as the
 * restriction-list checks need it: the kind of an access(5) result, does
 * the table answer every lookup with a result that ends the list (a
 * catch-all: static:, a first rule ".*" or "^", 0.0.0.0/0 and ::/0), and does it
 * have entries that permit (a whitelist). */
#ifndef COMPILER_VERIFY_TABLE_ANSWERS_H
#define COMPILER_VERIFY_TABLE_ANSWERS_H
#include "stdlib/image/image.h"

enum ta_kind {
    TA_GO_ON = 0,   /* DUNNO, WARN, HOLD, PREPEND, DEFER_IF_*, ...: the list goes on */
    TA_PERMIT,      /* OK, all digits, permit */
    TA_DISCARD,     /* DISCARD: accepted (and dropped): the list ends */
    TA_REJECT,      /* REJECT, DEFER, 4NN, 5NN, reject, defer */
    TA_OTHER,       /* restriction names, classes, $n: depends */
};

/* The kind of access(5) result text `value`. */
enum ta_kind ta_kind_of(const char *value);

/* Does table t answer every key of a lookup with a result that ends the
 * list (TA_PERMIT, or TA_REJECT unless warned: warn_if_reject makes a
 * reject go on)? client: the keys are client names and addresses (cidr
 * rules apply). *line receives the source line of the rule that catches
 * all (0: the whole table, static:). */
int ta_answers_all(const img *im, uint32_t t, int client, int warned, uint32_t *line);

/* Has table t an entry or rule that permits (an allow list)? *line
 * receives the source line of the first (0: unknown). */
int ta_permits_some(const img *im, uint32_t t, uint32_t *line);

#endif
