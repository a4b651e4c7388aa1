/*
 * cli.c: shared plumbing of the commands: options, messages, files, keys.
 */
#include "cli.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <time.h>
#include <limits.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/file.h"
#include "core/codec.h"
#include "core/entry.h"

bool cli_common_option(struct cli *c, int ch, const char *arg)
{
	switch (ch) {
	case CLI_OPT_DB:
		c->db_path = arg;
		c->db_given = true;
		return true;
	case CLI_OPT_JSON:
		c->json = true;
		return true;
	default:
		return false;
	}
}

int cli_parse_common(struct cli *c, int argc, char **argv, int npos,
		     const char *usage)
{
	static const struct option opts[] = {CLI_COMMON_OPTIONS, {0}};
	int ch;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (cli_common_option(c, ch, optarg))
			continue;
		return cli_usage(usage, ch != 'h');
	}
	if (optind + npos != argc)
		return cli_usage_args(usage, argv[0], argc, argv, optind, npos);
	return -1;
}

int cli_global_options(struct cli *c, int argc, char **argv, int first)
{
	int i = first;
	while (i < argc) {
		const char *a = argv[i];
		if (strcmp(a, "--json") == 0) {
			c->json = true;
			i++;
		} else if (strncmp(a, "--db=", 5) == 0) {
			c->db_path = a + 5;
			c->db_given = true;
			i++;
		} else if (strcmp(a, "--db") == 0) {
			if (i + 1 >= argc) {
				cli_error("--db needs a path (sanilog --db "
					  "PATH COMMAND ...)");
				return -1;
			}
			c->db_path = argv[i + 1];
			c->db_given = true;
			i += 2;
		} else {
			break;
		}
	}
	if (c->db_path[0] == 0) {
		cli_error("--db: an empty path");
		return -1;
	}
	return i - first;
}

/* Edits from a to b: letters added, removed, changed, or two neighbours
 * swapped (the optimal string alignment distance), for words of at most
 * 31 letters; larger than 2 when either is longer. */
static size_t edits(const char *a, const char *b)
{
	size_t n = strlen(a), m = strlen(b);
	size_t d[32][32];
	if (n > 31 || m > 31)
		return 3;
	for (size_t i = 0; i <= n; i++)
		d[i][0] = i;
	for (size_t j = 0; j <= m; j++)
		d[0][j] = j;
	for (size_t i = 1; i <= n; i++) {
		for (size_t j = 1; j <= m; j++) {
			size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
			size_t v = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < v)
				v = d[i][j - 1] + 1;
			if (d[i - 1][j - 1] + cost < v)
				v = d[i - 1][j - 1] + cost;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
			    a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < v)
				v = d[i - 2][j - 2] + 1;
			d[i][j] = v;
		}
	}
	return d[n][m];
}

const char *cli_nearest(const char *name, const char *const *names, size_t n)
{
	const char *best = NULL;
	size_t best_d = 3, len = strlen(name);
	for (size_t i = 0; i < n; i++) {
		size_t d = edits(name, names[i]);
		if (d < best_d && d < len) {
			best = names[i];
			best_d = d;
		}
	}
	return best;
}

static void vmsg(const char *fmt, va_list ap)
	__attribute__((format(printf, 1, 0)));

static void vmsg(const char *fmt, va_list ap)
{
	fputs("sanilog: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

int cli_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vmsg(fmt, ap);
	va_end(ap);
	return EXIT_USAGE;
}

int cli_fail(int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vmsg(fmt, ap);
	va_end(ap);
	return code;
}

int cli_exit_for(enum status st)
{
	if (st == ST_OK)
		return EXIT_GOOD;
	return st == ST_BAD_SIGNATURE ? EXIT_NEGATIVE : EXIT_USAGE;
}

int cli_usage(const char *text, bool error)
{
	fputs(text, error ? stderr : stdout);
	return error ? EXIT_USAGE : EXIT_GOOD;
}

bool cli_no_subcommand(int argc, char **argv)
{
	return argc < 2 ||
	       (argv[1][0] == '-' && strcmp(argv[1], "--help") != 0 &&
		strcmp(argv[1], "-h") != 0);
}

int cli_usage_why(const char *text, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("sanilog: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputs("\n", stderr);
	va_end(ap);
	return cli_usage(text, true);
}

void cli_need(char *list, size_t size, bool have, const char *opt)
{
	size_t n = strlen(list);
	if (!have && n < size)
		snprintf(list + n, size - n, " %s", opt);
}

int cli_usage_args(const char *text, const char *cmd, int argc, char **argv,
		   int first, int want)
{
	if (argc - first > want)
		return cli_usage_why(text, "%s: unexpected argument \"%s\"",
				     cmd, argv[first + want]);
	return cli_usage_why(text, "%s: missing argument%s", cmd,
			     want - (argc - first) > 1 ? "s" : "");
}

enum status cli_open_store(struct cli *c, enum store_mode mode,
			   struct store **out)
{
	struct err e;
	enum status r = store_open(c->db_path, mode, out, &e);
	if (r != ST_OK)
		cli_error("%s", e.msg);
	return r;
}

enum status cli_key_path(const struct cli *c, char *out, size_t outsize,
			 struct err *e)
{
	if (strlen(c->db_path) + sizeof ".key" > outsize)
		return err_set(e, ST_TOO_LARGE,
			       "key file path too long (%zu bytes): %s.key",
			       strlen(c->db_path) + 4, c->db_path);
	snprintf(out, outsize, "%s.key", c->db_path);
	return ST_OK;
}

enum status cli_load_signer(const char *path, struct note_signer **out,
			    struct err *e)
{
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return err_set(e, ST_IO, "%s: %s", path, strerror(errno));
	struct stat sb;
	enum status r = ST_OK;
	char *text = NULL;
	if (fstat(fd, &sb) != 0) {
		r = err_set(e, ST_IO, "%s: %s", path, strerror(errno));
		goto done;
	}
	if (!S_ISREG(sb.st_mode)) {
		r = err_set(e, ST_INVALID, "%s: not a regular file", path);
		goto done;
	}
	if ((sb.st_mode & 077) != 0) {
		r = err_set(e, ST_INVALID,
			    "%s: key file is readable by others (mode %03o); "
			    "run chmod 600 %s",
			    path, (unsigned)(sb.st_mode & 0777), path);
		goto done;
	}
	if (sb.st_size <= 0 || sb.st_size > 1024) {
		r = err_set(e, ST_INVALID, "%s: not a signer key file", path);
		goto done;
	}
	text = sodium_malloc((size_t)sb.st_size);
	if (text == NULL) {
		r = err_set(e, ST_NOMEM, "out of memory");
		goto done;
	}
	ssize_t n = read(fd, text, (size_t)sb.st_size);
	if (n != sb.st_size) {
		r = err_set(e, ST_IO, "%s: short read", path);
		goto done;
	}
	r = note_signer_parse(text, (size_t)n, out, e);
	if (r != ST_OK)
		err_prefix(e, "%s", path);
done:
	if (text != NULL)
		sodium_free(text);
	close(fd);
	return r;
}

enum status cli_write_secret(const char *path, const struct note_signer *s,
			     bool force, struct err *e)
{
	struct buf b;
	enum status r;
	buf_init(&b, 1024);
	if ((r = note_signer_format(s, &b)) != ST_OK ||
	    (r = buf_append(&b, "\n", 1)) != ST_OK) {
		err_set(e, r, "cannot format key");
		goto done;
	}
	if (force && unlink(path) != 0 && errno != ENOENT) {
		r = err_set(e, ST_IO, "%s: %s", path, strerror(errno));
		goto done;
	}
	int fd =
		open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		     0600);
	if (fd < 0) {
		r = err_set(e, errno == EEXIST ? ST_CONFLICT : ST_IO,
			    "%s: %s%s", path, strerror(errno),
			    errno == EEXIST ? " (use --force to replace it)"
					    : "");
		goto done;
	}
	if (!file_write_all(fd, b.data, b.len) || fsync(fd) != 0) {
		r = err_set(e, ST_IO, "%s: %s", path, strerror(errno));
		close(fd);
		unlink(path);
		goto done;
	}
	close(fd);
done:
	if (b.data != NULL)
		sodium_memzero(b.data, b.alloc);
	buf_free(&b);
	return r;
}

enum status cli_open_log(struct cli *c, struct store **store,
			 struct note_signer **signer, struct sequencer **seq)
{
	char keypath[PATH_MAX];
	struct err e;
	enum status r;
	*store = NULL;
	*signer = NULL;
	*seq = NULL;
	if ((r = cli_open_store(c, STORE_OPEN, store)) != ST_OK)
		return r;
	if ((r = cli_key_path(c, keypath, sizeof keypath, &e)) != ST_OK ||
	    (r = cli_load_signer(keypath, signer, &e)) != ST_OK ||
	    (r = sequencer_new(*store, *signer, seq, &e)) != ST_OK) {
		cli_error("%s", e.msg);
		note_signer_free(*signer);
		store_close(*store);
		*signer = NULL;
		*store = NULL;
		return r;
	}
	return ST_OK;
}

bool cli_append_one(struct cli *c, struct seq_request *rq, const char *what)
{
	struct store *s = NULL;
	struct note_signer *signer = NULL;
	struct sequencer *q = NULL;
	struct err e = {.msg = ""};
	bool ok = false;
	if (cli_open_log(c, &s, &signer, &q) == ST_OK) {
		enum status r = sequencer_append(q, rq, 1, NULL, &e);
		ok = r == ST_OK && rq->status == ST_OK;
		if (!ok)
			cli_error("%s: %s", what,
				  r != ST_OK ? e.msg : rq->err.msg);
	}
	sequencer_free(q);
	note_signer_free(signer);
	store_close(s);
	return ok;
}

enum status cli_read_file(const char *path, size_t max, struct buf *out,
			  struct err *e)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	if (f == NULL)
		return err_set(e, errno == ENOENT ? ST_NOT_FOUND : ST_IO,
			       "%s: %s", path, strerror(errno));
	struct stat sb;
	if (fstat(fileno(f), &sb) == 0 && S_ISDIR(sb.st_mode)) {
		if (f != stdin)
			(void)fclose(f); /* read only: nothing to lose */
		return err_set(e, ST_INVALID, "%s: is a directory", path);
	}
	out->cap = max;
	enum status r = ST_OK;
	for (;;) {
		uint8_t chunk[65536];
		size_t n = fread(chunk, 1, sizeof chunk, f);
		if (n > 0 && (r = buf_append(out, chunk, n)) != ST_OK) {
			if (r == ST_TOO_LARGE)
				err_set(e, r, "%s: larger than %zu bytes", path,
					max);
			else
				err_set(e, r, "%s: out of memory", path);
			break;
		}
		if (n < sizeof chunk) {
			if (ferror(f))
				r = err_set(e, ST_IO, "%s: %s", path,
					    strerror(errno));
			break;
		}
	}
	if (f != stdin)
		(void)fclose(f); /* read only: nothing to lose */
	return r;
}

enum status cli_write_file(const char *path, const void *data, size_t len,
			   struct err *e)
{
	if (path == NULL || strcmp(path, "-") == 0) {
		if (fwrite(data, 1, len, stdout) != len || fflush(stdout) != 0)
			return err_set(e, ST_IO, "stdout: %s", strerror(errno));
		return ST_OK;
	}
	return file_replace(path, data, len, e);
}

void cli_today(char *out)
{
	char now[21];
	if (log_now(now, NULL) != ST_OK)
		snprintf(now, sizeof now, "1970-01-01T00:00:00Z");
	memcpy(out, now, 10);
	out[10] = 0;
}

int cli_print_json(json_t *v)
{
	if (v == NULL)
		return cli_error("out of memory");
	int rc = json_dumpf(v, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(v);
	fputc('\n', stdout);
	return rc == 0 ? EXIT_GOOD : cli_error("stdout: write failed");
}

bool cli_parse_interval(const char *arg, double *out)
{
	char *end;
	errno = 0;
	double v = strtod(arg, &end);
	if (errno != 0 || *end != 0 || end == arg || !(v >= 0.05 && v <= 86400))
		return false;
	*out = v;
	return true;
}

int cli_parse_own(struct cli *c, int argc, char **argv, const char *usage,
		  const struct option *own, cli_option_fn fn, void *ctx,
		  int npos)
{
	enum { OPT_OWN = 1100 };
	struct option opts[4 + CLI_OWN_MAX] = {CLI_COMMON_OPTIONS};
	for (int i = 0; own[i].name != NULL; i++) {
		assert(i < CLI_OWN_MAX);
		opts[3 + i] = (struct option){own[i].name, own[i].has_arg, NULL,
					      OPT_OWN + i};
	}
	int ch;
	opterr = 0;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (cli_common_option(c, ch, optarg))
			continue;
		if (ch == 'h')
			return cli_usage(usage, false);
		if (ch < OPT_OWN || ch >= OPT_OWN + CLI_OWN_MAX)
			return cli_usage_why(usage, "unknown option %s",
					     argv[optind - 1]);
		int rc = fn(ctx, ch - OPT_OWN, optarg);
		if (rc >= 0)
			return rc;
	}
	if (argc - optind != npos)
		return cli_usage_args(usage, argv[0], argc, argv, optind, npos);
	return -1;
}

static int tree_option(void *ctx, int i, const char *arg)
{
	struct cli_tree_options *t = ctx;
	switch (i) {
	case 0:
		t->base_url = arg;
		break;
	case 1:
		t->watch = true;
		break;
	case 2: /* required_argument: arg is set */
		if (arg == NULL || !cli_parse_interval(arg, &t->interval))
			return cli_usage_why(t->usage,
					     "--interval: seconds from 0.05 "
					     "to 86400, not %s",
					     arg != NULL ? arg : "");
		break;
	default:
		t->own_arg[i - 3] = arg != NULL ? arg : "";
	}
	return -1;
}

int cli_parse_tree(struct cli *c, int argc, char **argv, const char *usage,
		   struct cli_tree_options *t, int npos)
{
	struct option opts[4 + CLI_TREE_OWN_MAX] = {
		{"base-url", required_argument, NULL, 0},
		{"watch", no_argument, NULL, 0},
		{"interval", required_argument, NULL, 0},
	};
	for (int i = 0; t->own != NULL && t->own[i].name != NULL; i++) {
		assert(i < CLI_TREE_OWN_MAX);
		opts[3 + i] = t->own[i];
	}
	t->usage = usage;
	return cli_parse_own(c, argc, argv, usage, opts, tree_option, t, npos);
}

static volatile sig_atomic_t watch_stop;

static void on_watch_signal(int sig)
{
	(void)sig;
	watch_stop = 1;
}

int cli_watch(double interval, int (*run)(void *ctx, bool first), void *ctx,
	      int stop_on)
{
	struct sigaction sa = {.sa_handler = on_watch_signal};
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	for (bool first = true; !watch_stop; first = false) {
		int rc = run(ctx, first);
		if (rc == stop_on)
			return rc;
		struct timespec ts = {
			(time_t)interval,
			(long)((interval - (double)(time_t)interval) * 1e9)};
		while (!watch_stop && nanosleep(&ts, &ts) != 0 &&
		       errno == EINTR)
			;
	}
	return EXIT_GOOD;
}
