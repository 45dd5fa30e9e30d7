/* opcodes.c: names, operand kinds and meanings of the restriction
 * opcodes, generated from opcodes.def by the X-macro. */
#include "stdlib/image/image.h"

#include <string.h>
#include <strings.h>

static const struct {
    const char *name;
    unsigned    operands;
    const char *meaning;
} ops[IMG_OP_COUNT] = {
#define IMG_OP(e, name, operands, meaning) { name, operands, meaning },
#include "stdlib/image/opcodes.def"
#undef IMG_OP
};

const char *img_op_name(unsigned op)
{
    return op < IMG_OP_COUNT ? ops[op].name : "?";
}

unsigned img_op_operands(unsigned op)
{
    return op < IMG_OP_COUNT ? ops[op].operands : IMG_OPND_NONE;
}

const char *img_op_meaning(unsigned op)
{
    return op < IMG_OP_COUNT ? ops[op].meaning : "?";
}

/* Postfix compares restriction names without regard to case. */
int img_op_lookup(const char *name)
{
    for (unsigned i = 0; i < IMG_OP_COUNT; i++)
        if (name[0] != '(' && strcasecmp(ops[i].name, name) == 0)
            return (int)i;
    return -1;
}
