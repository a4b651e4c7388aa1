/*
 * cmd_poster.c: `sanilog poster` (a venue's printable QR poster) and
 * `sanilog scan` (the text of the QR code in a photo).
 */
#include <ctype.h>
#include <getopt.h>
#include <limits.h>
#include <string.h>

#include "commands.h"
#include "core/codec.h"
#include "core/entry.h"
#include "core/pin.h"
#include "print/poster.h"
#include "print/scan.h"
#include "store/export.h"

static const char poster_usage[] =
	"usage: sanilog poster VENUE [-o FILE] [--format pdf|svg|png]\n"
	"                      [--paper a4|a5|a6|letter] "
	"[--lang en|it|de|fr|es]\n"
	"                      [--base-url URL]\n"
	"\n"
	"Writes the venue's printable poster: a heading saying what it is (in\n"
	"its language and in English), the venue's name and address, the QR\n"
	"code of its URL with the pin of the log (key, tree size, root of the\n"
	"first checkpoint holding the venue's newest entry), its venue code,\n"
	"and how to type the code on the server's home page without a camera.\n"
	"--base-url is the public URL of the server (default: the one given "
	"to\n"
	"init or serve).  The format is the extension of FILE: .pdf, .svg or\n"
	".png (any other is an error, as is a --format that says otherwise);\n"
	"--format gives it for a FILE without an extension or -, which is\n"
	"stdout.  FILE defaults to poster-VENUE.FORMAT, the format to pdf, "
	"the\n"
	"paper to a4 (a6 is for a table stand), the language to en.  Prints\n"
	"the URL in the QR code (with --json: the file, URL and pin).\n"
	"Options: --db PATH, --json, --help.\n";

/*
 * The format of FILE: its extension, in any case, when it has one (after
 * the last '.' of its last component, not at its start); else --format's
 * (has says whether one was given), else pdf.  Prints why and returns
 * false when the extension is no format or contradicts
 * --format, or FILE has none and no --format gives one.
 */
static bool format_of_path(const char *path, bool has, enum poster_format *f)
{
	const char *base = strrchr(path, '/');
	base = base != NULL ? base + 1 : path;
	const char *dot = strrchr(base, '.');
	if (strcmp(path, "-") == 0 || dot == NULL || dot == base) {
		if (has || strcmp(path, "-") == 0)
			return true;
		cli_error("poster: %s: no extension: name it .pdf, .svg or "
			  ".png, or give --format",
			  path);
		return false;
	}
	char ext[8];
	size_t n = strlen(dot + 1);
	enum poster_format named;
	for (size_t i = 0; i < n && i + 1 < sizeof ext; i++)
		ext[i] = (char)tolower((unsigned char)dot[1 + i]);
	ext[n < sizeof ext ? n : sizeof ext - 1] = 0;
	if (n >= sizeof ext || !poster_format_parse(ext, &named)) {
		cli_error("poster: %s: unknown extension .%s: a poster is "
			  ".pdf, .svg or .png",
			  path, dot + 1);
		return false;
	}
	if (has && named != *f) {
		cli_error("poster: %s: the name says %s, --format %s", path,
			  poster_format_str(named), poster_format_str(*f));
		return false;
	}
	*f = named;
	return true;
}

int cmd_poster(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_COMMON_OPTIONS,
		{"format", required_argument, NULL, 'f'},
		{"paper", required_argument, NULL, 'p'},
		{"lang", required_argument, NULL, 'l'},
		{"base-url", required_argument, NULL, 'b'},
		{"output", required_argument, NULL, 'o'},
		{0}};
	enum poster_format format = POSTER_PDF;
	enum poster_paper paper = POSTER_A4;
	enum lang lang = LANG_EN;
	const char *base_url = NULL, *path = NULL;
	bool has_format = false;
	int ch;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "ho:", opts, NULL)) != -1) {
		if (cli_common_option(c, ch, optarg))
			continue;
		switch (ch) {
		case 'f':
			if (!poster_format_parse(optarg, &format))
				return cli_error("poster: --format: pdf, svg "
						 "or png");
			has_format = true;
			break;
		case 'p':
			if (!poster_paper_parse(optarg, &paper))
				return cli_error("poster: --paper: a4, a5, a6 "
						 "or letter");
			break;
		case 'l':
			if (!lang_parse(optarg, strlen(optarg), &lang))
				return cli_error(
					"poster: --lang: en, it, de, fr or es");
			break;
		case 'b':
			base_url = optarg;
			break;
		case 'o':
			path = optarg;
			break;
		case 'h':
			return cli_usage(poster_usage, false);
		default:
			return cli_usage(poster_usage, true);
		}
	}
	if (optind + 1 != argc)
		return cli_usage_args(poster_usage, "poster", argc, argv,
				      optind, 1);
	const char *venue = argv[optind];
	if (!entry_venue_id_valid(venue))
		return cli_error("poster: %s: not a venue id (8 characters of "
				 "%s)",
				 venue, VENUE_ALPHABET);
	if (path != NULL && !format_of_path(path, has_format, &format))
		return EXIT_USAGE;
	char defpath[64];
	if (path == NULL) {
		snprintf(defpath, sizeof defpath, "poster-%s.%s", venue,
			 poster_format_str(format));
		path = defpath;
	}

	struct store *s = NULL;
	if (cli_open_store(c, STORE_READONLY, &s) != ST_OK)
		return EXIT_USAGE;
	struct export_poster p;
	char url[PIN_URL_MAX + 1], host[PIN_HOST_MAX + 1];
	struct err e;
	struct buf out;
	int rc = EXIT_USAGE;
	buf_init(&out, POSTER_MAX);
	enum status r = export_poster(s, venue, base_url, &p, &e);
	store_close(s);
	if (r == ST_OK)
		r = poster_url(&p, url, sizeof url, host, sizeof host, &e);
	if (r == ST_OK)
		r = poster_make(&p, format, paper, lang, &out, &e);
	if (r != ST_OK ||
	    cli_write_file(path, out.data, out.len, &e) != ST_OK) {
		cli_error("poster: %s", e.msg);
		goto done;
	}
	bool to_stdout = strcmp(path, "-") == 0;
	if (c->json && !to_stdout) {
		struct venue_url vu;
		char k[PIN_B64_LEN + 1], rr[PIN_B64_LEN + 1];
		if (pin_parse_venue_url(url, &vu, &e) != ST_OK) {
			cli_error("poster: %s", e.msg);
			goto done;
		}
		b64_encode(k, sizeof k, vu.pin.key, PIN_HASH_LEN, B64_URL);
		b64_encode(rr, sizeof rr, vu.pin.root, PIN_HASH_LEN, B64_URL);
		rc = cli_print_json(json_pack(
			"{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:{s:s, "
			"s:I, s:s}}",
			"file", path, "format", poster_format_str(format),
			"paper", poster_paper_str(paper), "venue", venue,
			"name", p.name, "url", url, "host", host, "bytes",
			(json_int_t)out.len, "pin", "k", k, "n",
			(json_int_t)vu.pin.size, "r", rr));
		goto done;
	}
	if (!to_stdout) {
		fprintf(stderr, "sanilog: poster of %s written to %s\n", venue,
			path);
		printf("%s\n", url);
	}
	rc = EXIT_GOOD;
done:
	buf_free(&out);
	return rc;
}

static const char scan_usage[] =
	"usage: sanilog scan IMAGE [--json]\n"
	"\n"
	"Prints the text of the QR code in a photo (PNG or JPEG), such as a\n"
	"poster's venue URL; control characters are printed as \\xNN.  With\n"
	"--json, also the parts of a venue URL and its pin.\n"
	"Exit status: 0 a code was read, 1 the image holds no QR code, 2 the\n"
	"file is not a readable PNG or JPEG (or another error).\n";

/* Prints text with control characters (and backslashes before "x")
 * escaped, so that a code cannot drive the terminal. */
static void print_text(const char *s)
{
	for (; *s != 0; s++) {
		unsigned char ch = (unsigned char)*s;
		if (ch < 0x20 || ch == 0x7f)
			printf("\\x%02x", ch);
		else
			putchar(ch);
	}
	putchar('\n');
}

int cmd_scan(struct cli *c, int argc, char **argv)
{
	int rc = cli_parse_common(c, argc, argv, 1, scan_usage);
	if (rc >= 0)
		return rc;
	const char *path = argv[optind];
	char text[4096];
	struct err e;
	enum status r = scan_image(path, text, sizeof text, &e);
	if (r == ST_NOT_FOUND)
		return cli_fail(EXIT_NEGATIVE, "scan: %s: %s", path, e.msg);
	if (r != ST_OK)
		return cli_error("scan: %s: %s", path, e.msg);
	if (!c->json) {
		print_text(text);
		return EXIT_GOOD;
	}
	json_t *o = json_pack("{s:s}", "text", text);
	if (o == NULL)
		return cli_error("scan: %s: the code's text is not UTF-8 "
				 "(try without --json)",
				 path);
	struct venue_url vu;
	if (pin_parse_venue_url(text, &vu, &e) == ST_OK) {
		json_t *u = json_pack("{s:s, s:s, s:s}", "base", vu.base,
				      "host", vu.host, "venue", vu.venue);
		if (u != NULL && vu.has_pin) {
			char k[PIN_B64_LEN + 1], rr[PIN_B64_LEN + 1];
			b64_encode(k, sizeof k, vu.pin.key, PIN_HASH_LEN,
				   B64_URL);
			b64_encode(rr, sizeof rr, vu.pin.root, PIN_HASH_LEN,
				   B64_URL);
			json_object_set_new(
				u, "pin",
				json_pack("{s:s, s:I, s:s}", "k", k, "n",
					  (json_int_t)vu.pin.size, "r", rr));
		}
		json_object_set_new(o, "venue_url", u);
	} else {
		json_object_set_new(o, "venue_url", json_null());
		json_object_set_new(o, "venue_url_error", json_string(e.msg));
	}
	return cli_print_json(o);
}
