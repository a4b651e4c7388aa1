/*
 * commands.h: the sanilog commands, one function each (see cli.h for the
 * calling convention and exit codes).
 */
#ifndef SANILOG_COMMANDS_H
#define SANILOG_COMMANDS_H

#include "cli.h"
#include "core/verify.h"

int cmd_init(struct cli *c, int argc, char **argv);
int cmd_key(struct cli *c, int argc, char **argv);
int cmd_upgrade(struct cli *c, int argc, char **argv);
int cmd_gc(struct cli *c, int argc, char **argv);
int cmd_venue(struct cli *c, int argc, char **argv);
int cmd_provider(struct cli *c, int argc, char **argv);
/* `sanilog witness-policy set|show` (cmd_policy.c). */
int cmd_policy(struct cli *c, int argc, char **argv);
int cmd_attest(struct cli *c, int argc, char **argv);
int cmd_cert(struct cli *c, int argc, char **argv);
int cmd_checkpoint(struct cli *c, int argc, char **argv);
int cmd_entry(struct cli *c, int argc, char **argv);
int cmd_proof(struct cli *c, int argc, char **argv);
int cmd_export(struct cli *c, int argc, char **argv);
int cmd_verify(struct cli *c, int argc, char **argv);

/* `sanilog verify URL|IMAGE [--full]` (cmd_verify_remote.c): target is a
 * venue URL or a photo of a poster; vkey the --key text or NULL; policy
 * the inspector's witnesses (--witness, --quorum) or NULL. */
int cmd_verify_remote(struct cli *c, const char *target, const char *vkey,
		      const struct verify_policy *policy, bool full,
		      bool require_current);
/* The CLI's now for rule 10, POSIX seconds ($SANILOG_NOW when set). */
int64_t cmd_verify_now(void);
/* Whether a verify argument is for cmd_verify_remote: an http:// or
 * https:// URL, or an existing .png, .jpg or .jpeg file. */
bool cmd_verify_is_remote(const char *arg);
/* Whether an argument that is no existing file looks like a URL of a
 * scheme sanilog does not fetch, or a mistyped one ("htp://x",
 * "https:/x"): a malformed URL rather than a missing file. */
bool cmd_verify_url_like(const char *arg);
/* verify's exit code for a report: EXIT_NEGATIVE when a check failed,
 * EXIT_NOT_CURRENT when require_current and the venue is not current,
 * else EXIT_GOOD. */
int cmd_verify_exit(const struct verify_report *rep, bool require_current);
/* `sanilog report URL` (cmd_report.c). */
int cmd_report(struct cli *c, int argc, char **argv);
int cmd_serve(struct cli *c, int argc, char **argv);
/* `sanilog publish DIR` (cmd_publish.c). */
int cmd_publish(struct cli *c, int argc, char **argv);
/* `sanilog mirror URL DIR` (cmd_mirror.c). */
int cmd_mirror(struct cli *c, int argc, char **argv);
int cmd_poster(struct cli *c, int argc, char **argv);
int cmd_scan(struct cli *c, int argc, char **argv);
/* `sanilog witness ...` (cmd_witness.c). */
int cmd_witness(struct cli *c, int argc, char **argv);

#endif
