/*
 * cmd_verify_remote.c: `sanilog verify URL|IMAGE [--full]`: a venue
 * verified over HTTP(S) from its URL or from a photo of its poster (see
 * net/remote.h), reported as `sanilog verify` reports a bundle.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "commands.h"
#include "core/pin.h"
#include "net/remote.h"
#include "print/scan.h"
#include "report.h"

static bool ends_with_ci(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	if (n < m)
		return false;
	for (size_t i = 0; i < m; i++)
		if (tolower((unsigned char)s[n - m + i]) != suffix[i])
			return false;
	return true;
}

static bool is_url(const char *arg)
{
	return strncmp(arg, "http://", 7) == 0 ||
	       strncmp(arg, "https://", 8) == 0;
}

bool cmd_verify_is_remote(const char *arg)
{
	struct stat sb;
	if (is_url(arg))
		return true;
	return (ends_with_ci(arg, ".png") || ends_with_ci(arg, ".jpg") ||
		ends_with_ci(arg, ".jpeg")) &&
	       stat(arg, &sb) == 0 && S_ISREG(sb.st_mode);
}

bool cmd_verify_url_like(const char *arg)
{
	struct stat sb;
	size_t i = 0;
	if (stat(arg, &sb) == 0)
		return false;
	if (!isalpha((unsigned char)arg[0]))
		return false;
	while (isalnum((unsigned char)arg[i]) || arg[i] == '+' ||
	       arg[i] == '-' || arg[i] == '.')
		i++;
	/* "scheme:/..." or "scheme://...", or "https//...", "www.x/..." */
	return (arg[i] == ':' && arg[i + 1] == '/') ||
	       strncmp(arg, "http//", 6) == 0 ||
	       strncmp(arg, "https//", 7) == 0 || strncmp(arg, "www.", 4) == 0;
}

/* The venue URL of target: the URL itself, or the QR code of the photo. */
static int target_url(const char *target, struct venue_url *u)
{
	char text[PIN_URL_MAX + 2];
	const char *url = target;
	struct err e;
	if (!is_url(target)) {
		enum status r = scan_image(target, text, sizeof text, &e);
		if (r == ST_NOT_FOUND)
			return cli_error("verify: %s: no QR code found in the "
					 "image",
					 target);
		if (r == ST_TOO_LARGE)
			return cli_error("verify: %s: the QR code holds more "
					 "than a venue URL",
					 target);
		if (r != ST_OK)
			return cli_error("verify: %s: %s", target, e.msg);
		url = text;
	}
	if (pin_parse_venue_url(url, u, &e) != ST_OK)
		return url == target
			       ? cli_error("verify: %s", e.msg)
			       : cli_error("verify: %s: the QR code is not a "
					   "sanilog venue URL (%s)",
					   target, e.msg);
	return EXIT_GOOD;
}

static int print_json(const struct venue_url *u,
		      const struct remote_result *res, bool full,
		      bool require_current)
{
	json_t *o = report_json(u->venue, &res->rep, true);
	if (o == NULL)
		return cli_print_json(NULL);
	char url[PIN_BASE_MAX + 32];
	snprintf(url, sizeof url, "%s/v/%s", u->base, u->venue);
	json_object_set_new(o, "url", json_string(url));
	json_object_set_new(o, "origin",
			    res->have_bundle ? json_string(res->origin)
					     : json_null());
	json_object_set_new(o, "tree_size",
			    res->tree_size >= 0
				    ? json_integer((json_int_t)res->tree_size)
				    : json_null());
	json_object_set_new(o, "pinned", json_boolean(u->has_pin));
	if (full)
		json_object_set_new(o, "full",
				    json_pack("{sIsIsIsf}", "entries",
					      (json_int_t)res->full_entries,
					      "entry_tiles",
					      (json_int_t)res->full_entry_tiles,
					      "hash_tiles",
					      (json_int_t)res->full_hash_tiles,
					      "seconds", res->full_seconds));
	int rc = cli_print_json(o);
	return rc != EXIT_GOOD ? rc
			       : cmd_verify_exit(&res->rep, require_current);
}

int cmd_verify_remote(struct cli *c, const char *target, const char *vkey,
		      const struct verify_policy *policy, bool full,
		      bool require_current)
{
	struct venue_url u;
	struct note_verifier key;
	struct remote_result res;
	struct err e = {{0}};
	int rc;
	if (vkey != NULL &&
	    note_verifier_parse(vkey, strlen(vkey), &key, &e) != ST_OK)
		return cli_error("verify: --key: %s", e.msg);
	if ((rc = target_url(target, &u)) != EXIT_GOOD)
		return rc;
	struct remote_options o = {
		.key = vkey != NULL ? &key : NULL,
		.full = full,
		.remember = true,
		.progress = !c->json && isatty(2),
		.policy = policy,
		.now = cmd_verify_now(),
	};
	cli_today(o.today);
	enum status st = remote_verify(&u, &o, &res, &e);
	if (st == ST_NOT_FOUND && !res.have_bundle) {
		rc = cli_error("verify: venue not found: %s/v/%s (%s)", u.base,
			       u.venue, e.msg);
		remote_result_free(&res);
		return rc;
	}
	if (st != ST_OK) {
		rc = cli_error("verify: could not check %s/v/%s: %s", u.base,
			       u.venue, e.msg);
		remote_result_free(&res);
		return rc;
	}
	if (res.cache_warning[0] != 0)
		cli_error("warning: cannot remember the checkpoint: %s",
			  res.cache_warning);
	if (c->json) {
		rc = print_json(&u, &res, full, require_current);
	} else {
		if (res.have_bundle)
			report_print_venue(stdout, u.venue, &res.rep, false);
		else
			printf("venue     %s\n", u.venue);
		if (res.tree_size >= 0)
			printf("log       %s (%s, %lld entries)\n", u.base,
			       res.origin, (long long)res.tree_size);
		else
			printf("log       %s\n", u.base);
		if (res.have_bundle)
			report_print_history(stdout, &res.rep);
		report_print_checks(stdout, &res.rep);
		if (require_current && res.rep.ok)
			report_print_current(stdout, &res.rep);
		rc = cmd_verify_exit(&res.rep, require_current);
	}
	remote_result_free(&res);
	return rc;
}
