/*
 * cmd_init.c: `sanilog init` (a new database and log key) and `sanilog key`.
 */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <limits.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"

static const char init_usage[] =
	"usage: sanilog init [--origin NAME] [--base-url URL] [--key-from "
	"FILE]\n"
	"                    [--force] [--db PATH] [--json]\n"
	"\n"
	"Creates a new database and the log's signer key (PATH.key, mode "
	"0600)\n"
	"and prints the log's verifier key.\n"
	"  --origin NAME     the log's name (default localhost/sanilog); it "
	"never changes\n"
	"  --key-from FILE   use this existing signer key instead of a new "
	"one\n"
	"                    (its name is the origin)\n"
	"  --base-url URL    the public URL of the server (for posters)\n"
	"  --force           replace an existing database and key\n";

/* Removes the database, its WAL files and its key, for --force. */
static enum status remove_old(const char *db, const char *key, struct err *e)
{
	const char *suffix[] = {"", "-wal", "-shm", "-journal"};
	char path[PATH_MAX];
	for (size_t i = 0; i < sizeof suffix / sizeof suffix[0]; i++) {
		int n = snprintf(path, sizeof path, "%s%s", db, suffix[i]);
		if (n < 0 || (size_t)n >= sizeof path)
			return err_set(e, ST_TOO_LARGE,
				       "path too long (%d bytes): %s%s", n, db,
				       suffix[i]);
		if (unlink(path) != 0 && errno != ENOENT)
			return err_set(e, ST_IO, "%s: %s", path,
				       strerror(errno));
	}
	if (unlink(key) != 0 && errno != ENOENT)
		return err_set(e, ST_IO, "%s: %s", key, strerror(errno));
	return ST_OK;
}

int cmd_init(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_COMMON_OPTIONS,
		{"origin", required_argument, NULL, 'o'},
		{"key-from", required_argument, NULL, 'k'},
		{"base-url", required_argument, NULL, 'b'},
		{"force", no_argument, NULL, 'f'},
		{0}};
	const char *origin = NULL, *key_from = NULL, *base_url = NULL;
	bool force = false;
	int ch;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (cli_common_option(c, ch, optarg))
			continue;
		switch (ch) {
		case 'o':
			origin = optarg;
			break;
		case 'k':
			key_from = optarg;
			break;
		case 'b':
			base_url = optarg;
			break;
		case 'f':
			force = true;
			break;
		case 'h':
			return cli_usage(init_usage, false);
		default:
			return cli_usage(init_usage, true);
		}
	}
	if (optind != argc)
		return cli_usage_args(init_usage, "init", argc, argv, optind,
				      0);

	struct err e;
	struct note_signer *signer = NULL;
	struct store *s = NULL;
	struct sequencer *q = NULL;
	char keypath[PATH_MAX];
	bool created = false;
	int rc = EXIT_USAGE;
	enum status r;
	if (cli_key_path(c, keypath, sizeof keypath, &e) != ST_OK)
		goto fail;

	if (key_from != NULL) {
		if (cli_load_signer(key_from, &signer, &e) != ST_OK)
			goto fail;
		struct note_verifier v;
		note_signer_verifier(signer, &v);
		if (origin != NULL && strcmp(origin, v.name) != 0) {
			err_set(&e, ST_INVALID,
				"--origin %s differs from the key's name %s",
				origin, v.name);
			goto fail;
		}
	} else {
		if (origin == NULL)
			origin = "localhost/sanilog";
		if (!note_name_valid(origin, strlen(origin))) {
			err_set(&e, ST_INVALID,
				"origin: not a valid key name (no spaces, "
				"no '+')");
			goto fail;
		}
		if (note_signer_generate(origin, &signer, &e) != ST_OK)
			goto fail;
	}
	if (force && remove_old(c->db_path, keypath, &e) != ST_OK)
		goto fail;
	if (!force && access(keypath, F_OK) == 0) {
		err_set(&e, ST_CONFLICT,
			"%s: key file exists (use --force to replace the "
			"log)",
			keypath);
		goto fail;
	}
	if ((r = store_open(c->db_path, STORE_CREATE, &s, &e)) != ST_OK) {
		if (r == ST_CONFLICT)
			err_prefix(&e, "database exists (use --force to "
				       "replace it)");
		goto fail;
	}
	created = true;
	struct note_verifier v;
	char vkey[NOTE_VKEY_MAX + 1];
	note_signer_verifier(signer, &v);
	note_verifier_format(&v, vkey, sizeof vkey);
	if (store_meta_set(s, "origin", v.name, &e) != ST_OK ||
	    store_meta_set(s, "vkey", vkey, &e) != ST_OK ||
	    (base_url != NULL &&
	     store_meta_set(s, "base_url", base_url, &e) != ST_OK))
		goto fail;
	if (cli_write_secret(keypath, signer, false, &e) != ST_OK)
		goto fail;
	if (sequencer_new(s, signer, &q, &e) != ST_OK ||
	    sequencer_checkpoint(q, NULL, &e) != ST_OK) {
		unlink(keypath);
		goto fail;
	}
	if (c->json) {
		cli_print_json(json_pack("{s:s, s:s, s:s, s:s}", "db",
					 c->db_path, "key_file", keypath,
					 "origin", v.name, "vkey", vkey));
	} else {
		fprintf(stderr,
			"sanilog: created %s (origin %s), signer key in %s\n",
			c->db_path, v.name, keypath);
		printf("%s\n", vkey);
	}
	rc = EXIT_GOOD;
	goto done;
fail:
	cli_error("init: %s", e.msg);
	if (created) {
		store_close(s);
		s = NULL;
		unlink(c->db_path);
	}
done:
	sequencer_free(q);
	store_close(s);
	note_signer_free(signer);
	return rc;
}

static const char key_usage[] =
	"usage: sanilog key [--db PATH] [--json]\n"
	"\n"
	"Prints the log's verifier key (name+hash+key, as Go's sumdb/note).\n";

int cmd_key(struct cli *c, int argc, char **argv)
{
	int rc = cli_parse_common(c, argc, argv, 0, key_usage);
	if (rc >= 0)
		return rc;
	struct store *s = NULL;
	if (cli_open_store(c, STORE_READONLY, &s) != ST_OK)
		return EXIT_USAGE;
	char vkey[NOTE_VKEY_MAX + 1], origin[NOTE_NAME_MAX + 1];
	struct err e;
	rc = EXIT_GOOD;
	if (store_meta_get(s, "vkey", vkey, sizeof vkey, &e) != ST_OK ||
	    store_meta_get(s, "origin", origin, sizeof origin, &e) != ST_OK) {
		rc = cli_error("key: %s", e.msg);
	} else if (c->json) {
		rc = cli_print_json(json_pack("{s:s, s:s}", "origin", origin,
					      "vkey", vkey));
	} else {
		printf("%s\n", vkey);
	}
	store_close(s);
	return rc;
}

static const char upgrade_usage[] =
	"usage: sanilog upgrade [--db PATH] [--json]\n"
	"\n"
	"Brings a database made by an older sanilog up to this one's schema,\n"
	"in one transaction: the bytes of the log's entries, hashes and\n"
	"checkpoints never change, only the columns and tables that find\n"
	"them; from schema 8 the documents' bytes move out to the folder\n"
	"PATH.docs, each file synced before the database lets go of them\n"
	"(an upgrade cut short is done again by the next).  Commands that\n"
	"only read refuse an older schema; commands\n"
	"that write upgrade it first.  Stop any server running on it before:\n"
	"an older sanilog can no longer add entries to an upgraded database.\n"
	"Prints the schema found and the schema now.\n";

int cmd_upgrade(struct cli *c, int argc, char **argv)
{
	int rc = cli_parse_common(c, argc, argv, 0, upgrade_usage);
	if (rc >= 0)
		return rc;
	struct store *s = NULL;
	if (cli_open_store(c, STORE_OPEN, &s) != ST_OK)
		return EXIT_USAGE;
	int found = 0, now = 0;
	store_schema(s, &found, &now);
	store_close(s);
	if (c->json)
		return cli_print_json(
			json_pack("{s:i, s:i}", "found", found, "now", now));
	if (found == now)
		printf("%s: schema %d, already this sanilog's\n", c->db_path,
		       now);
	else
		printf("%s: schema %d upgraded to %d\n", c->db_path, found,
		       now);
	return EXIT_GOOD;
}
