/* cmd.h: the subcommands of mtacc, one file each (cmd_*.c). Each takes
 * argv with argv[0] = the subcommand name and returns the exit status. */
#ifndef COMPILER_CMD_H
#define COMPILER_CMD_H

int cmd_check(int argc, char **argv);
int cmd_postconf(int argc, char **argv);
int cmd_explain(int argc, char **argv);
int cmd_query(int argc, char **argv);
int cmd_postmap(int argc, char **argv);
int cmd_postalias(int argc, char **argv);
int cmd_check_table(int argc, char **argv);
int cmd_build(int argc, char **argv);
int cmd_inspect(int argc, char **argv);
int cmd_disasm(int argc, char **argv);
int cmd_simulate(int argc, char **argv);
int cmd_test(int argc, char **argv);

#endif
