/*
 * commands.h: the sanilog commands, one function each (see cli.h for the
 * calling convention and exit codes).
 */
#ifndef SANILOG_COMMANDS_H
#define SANILOG_COMMANDS_H

#include "cli.h"

int cmd_init(struct cli *c, int argc, char **argv);
int cmd_key(struct cli *c, int argc, char **argv);
int cmd_venue(struct cli *c, int argc, char **argv);
int cmd_provider(struct cli *c, int argc, char **argv);
int cmd_attest(struct cli *c, int argc, char **argv);
int cmd_cert(struct cli *c, int argc, char **argv);
int cmd_checkpoint(struct cli *c, int argc, char **argv);
int cmd_entry(struct cli *c, int argc, char **argv);
int cmd_proof(struct cli *c, int argc, char **argv);
int cmd_export(struct cli *c, int argc, char **argv);
int cmd_verify(struct cli *c, int argc, char **argv);
int cmd_poster(struct cli *c, int argc, char **argv);
int cmd_scan(struct cli *c, int argc, char **argv);
int cmd_serve(struct cli *c, int argc, char **argv);

#endif
