/* cmd_queue.h: `mtad queue list|show|count`, the queue as a person or a
 * script sees it (doc/mta-queue.5). Reads only: works on a running
 * queue without stopping mtad. */
#ifndef RUNTIME_CMD_QUEUE_H
#define RUNTIME_CMD_QUEUE_H
#include <stdio.h>

/* argv[0] is "queue". Exit status: 0, 1 when a message is missing or
 * unreadable, 2 on a usage error; errors are one line on stderr. */
int mtad_cmd_queue(const char *queue_dir, int argc, char **argv);
/* The same writing to out and err (tests). */
int mtad_cmd_queue_io(const char *queue_dir, int argc, char **argv, FILE *out, FILE *err);

#endif
