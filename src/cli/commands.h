/*
 * commands.h: the sanilog commands, one function each (see cli.h for the
 * calling convention and exit codes).
 */
#ifndef SANILOG_COMMANDS_H
#define SANILOG_COMMANDS_H

#include "cli.h"

int cmd_init(struct cli *c, int argc, char **argv);
int cmd_key(struct cli *c, int argc, char **argv);
int cmd_upgrade(struct cli *c, int argc, char **argv);
int cmd_venue(struct cli *c, int argc, char **argv);
int cmd_provider(struct cli *c, int argc, char **argv);
int cmd_attest(struct cli *c, int argc, char **argv);
int cmd_cert(struct cli *c, int argc, char **argv);
int cmd_checkpoint(struct cli *c, int argc, char **argv);
int cmd_entry(struct cli *c, int argc, char **argv);
int cmd_proof(struct cli *c, int argc, char **argv);
int cmd_export(struct cli *c, int argc, char **argv);
int cmd_verify(struct cli *c, int argc, char **argv);

/* `sanilog verify URL|IMAGE [--full]` (cmd_verify_remote.c): target is a
 * venue URL or a photo of a poster; vkey the --key text or NULL. */
int cmd_verify_remote(struct cli *c, const char *target, const char *vkey,
		      bool full);
/* Whether a verify argument is for cmd_verify_remote: an http:// or
 * https:// URL, or an existing .png, .jpg or .jpeg file. */
bool cmd_verify_is_remote(const char *arg);
int cmd_serve(struct cli *c, int argc, char **argv);
int cmd_poster(struct cli *c, int argc, char **argv);
int cmd_scan(struct cli *c, int argc, char **argv);

#endif
