/*
 * remote.c: a venue verified over HTTP(S) (see remote.h).
 *
 * One run: fetch and parse the bundle, choose the key (--key, the pin,
 * the bundle), apply verify_bundle with documents fetched from /d/, then
 * the pin, the checkpoint cache and, with full, the whole log through
 * the tiles.  What the server answers wrongly becomes a failed check;
 * only what keeps us from asking (network, server errors) stops the run.
 */
#include "remote.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/bundle.h"
#include "core/codec.h"
#include "core/entry.h"
#include "core/hash.h"
#include "core/merkle.h"
#include "core/rules.h"
#include "core/tile.h"
#include "net/seen.h"
#include "net/tilereader.h"

#include "remote_private.h"

/* r->url = base + path (printf). */
static enum status set_url(struct run *r, struct err *e, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static enum status set_url(struct run *r, struct err *e, const char *fmt, ...)
{
	size_t n = strlen(r->u->base);
	if (n >= sizeof r->url)
		return err_set(e, ST_INVALID, "URL too long");
	memcpy(r->url, r->u->base, n);
	va_list ap;
	va_start(ap, fmt);
	int w = vsnprintf(r->url + n, sizeof r->url - n, fmt, ap);
	va_end(ap);
	if (w < 0 || (size_t)w >= sizeof r->url - n)
		return err_set(e, ST_INVALID, "URL too long");
	return ST_OK;
}

bool remote_answer_failed(enum status st)
{
	return st == ST_NOT_FOUND || st == ST_TOO_LARGE || st == ST_INVALID ||
	       st == ST_CORRUPT || st == ST_BAD_SIGNATURE;
}

/* Replaces in s what a terminal could take for a command (C0 controls,
 * DEL, and C1 controls in UTF-8) by '?': check details quote what the
 * server sent (keys, bundle fields, error messages). */
static void defang(char *s)
{
	for (unsigned char *p = (unsigned char *)s; *p; p++) {
		if (*p < 0x20 || *p == 0x7f)
			*p = '?';
		else if (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f)
			p[0] = p[1] = '?';
	}
}

/* ---- rule 4: documents from /d/ ---- */

static enum status fetch_doc(void *ctx, const uint8_t sha[HASH_LEN],
			     struct buf *out, struct err *e)
{
	struct run *r = ctx;
	char hex[2 * HASH_LEN + 1];
	hex_encode(hex, sha, HASH_LEN);
	enum status st = set_url(r, e, "/d/%s", hex);
	if (st != ST_OK)
		return st;
	st = fetch_get(r->f, r->url, out, e);
	/* A refusal (4xx) is as good as a missing document. */
	return st == ST_INVALID ? ST_NOT_FOUND : st;
}

/* ---- checkpoints and consistency proofs ---- */

bool remote_parse_proof(const struct buf *text, uint8_t (*proof)[HASH_LEN],
			size_t *len, char *why, size_t whysize)
{
	const char *p = buf_str(text), *end = p + text->len;
	*len = 0;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t got = 0;
		if (nl == NULL) {
			snprintf(why, whysize, "the last line has no LF");
			return false;
		}
		if (*len == MERKLE_MAX_PROOF) {
			snprintf(why, whysize, "more than %d hashes",
				 MERKLE_MAX_PROOF);
			return false;
		}
		if (b64_decode(proof[*len], HASH_LEN, &got, p, (size_t)(nl - p),
			       B64_STD) != ST_OK ||
		    got != HASH_LEN) {
			snprintf(why, whysize,
				 "line %zu is not a base64 SHA-256 hash",
				 *len + 1);
			return false;
		}
		(*len)++;
		p = nl + 1;
	}
	return true;
}

/* The consistency proof from size old to new_size, computed from the
 * log's hash tiles (net/tilereader.h); as merkle_prove_consistency, the
 * reader's failure with e. */
static enum status proof_from_tiles(struct run *r, int64_t old,
				    int64_t new_size,
				    uint8_t (*proof)[HASH_LEN], size_t *len,
				    struct err *e)
{
	struct tile_reader *tr = malloc(sizeof *tr);
	if (tr == NULL)
		return err_set(e, ST_NOMEM, "out of memory");
	tile_reader_init(tr, r->f, r->u->base, new_size);
	enum status st = merkle_prove_consistency(
		old, new_size, tile_reader_read, tr, proof, len);
	if (st != ST_OK && tr->err.msg[0] != 0)
		*e = tr->err;
	else if (st != ST_OK)
		err_set(e, st, "%s", status_str(st));
	free(tr);
	return st;
}

/*
 * Whether the tree (old, old_root) is a prefix of (new_size, new_root),
 * asking the log for the consistency proof when one is needed (and,
 * when it answers 404, as a tree of static files does, computing it from
 * the log's hash tiles: either way the proof is verified).  ST_OK
 * with *ok (and why when not); another status when the proof could not
 * be asked for.
 */
static enum status consistent(struct run *r, int64_t old,
			      const uint8_t old_root[HASH_LEN],
			      int64_t new_size,
			      const uint8_t new_root[HASH_LEN], bool *ok,
			      char *why, size_t whysize, struct err *e)
{
	uint8_t proof[MERKLE_MAX_PROOF][HASH_LEN];
	size_t len = 0;
	struct buf text;
	struct err fe;
	enum status st;
	*ok = false;
	r->proof_from_tiles = false;
	why[0] = 0;
	if (old == new_size || old == 0) {
		uint8_t empty[HASH_LEN];
		merkle_empty_root(empty);
		*ok = memcmp(old_root, old == 0 ? empty : new_root, HASH_LEN) ==
		      0;
		if (!*ok)
			snprintf(why, whysize, "another root at the same size");
		return ST_OK;
	}
	if ((st = set_url(r, e,
			  "/proof/consistency?old=%" PRId64 "&new=%" PRId64,
			  old, new_size)) != ST_OK)
		return st;
	buf_init(&text, PROOF_CAP);
	st = fetch_get(r->f, r->url, &text, &fe);
	if (st == ST_NOT_FOUND) {
		/* A log served as static files: the proof from its tiles. */
		st = proof_from_tiles(r, old, new_size, proof, &len, &fe);
		if (remote_answer_failed(st))
			snprintf(why, whysize,
				 "no consistency proof, and none from the "
				 "tiles: %.200s",
				 fe.msg);
		else if (st != ST_OK)
			*e = fe;
		else if (merkle_verify_consistency(old, new_size, old_root,
						   new_root, proof,
						   len) != ST_OK)
			snprintf(why, whysize,
				 "the consistency proof from size %" PRId64
				 " to %" PRId64
				 " computed from the log's tiles does not "
				 "verify",
				 old, new_size);
		else
			*ok = r->proof_from_tiles = true;
		if (remote_answer_failed(st))
			st = ST_OK;
	} else if (remote_answer_failed(st)) {
		snprintf(why, whysize, "no consistency proof: %.200s", fe.msg);
		st = ST_OK;
	} else if (st != ST_OK) {
		*e = fe;
	} else if (!remote_parse_proof(&text, proof, &len, why, whysize)) {
		/* why says it */
	} else if (merkle_verify_consistency(old, new_size, old_root, new_root,
					     proof, len) != ST_OK) {
		snprintf(why, whysize,
			 "the consistency proof from size %" PRId64
			 " to %" PRId64 " does not verify",
			 old, new_size);
	} else {
		*ok = true;
	}
	buf_free(&text);
	return st;
}

/* ---- a record older than one seen ---- */

int64_t remote_claimed_size(const char *note)
{
	const char *end = strstr(note, "\n\n");
	struct checkpoint cp;

	if (end == NULL || checkpoint_parse(note, (size_t)(end - note) + 1, &cp,
					    NULL) != ST_OK)
		return -1;
	return cp.size;
}

/* The largest tree the verifier knows of before it reads the bundle: the
 * pin's, and the remembered checkpoint's (as claimed: both are verified
 * by check_pin and check_seen). */
static int64_t known_size(const struct run *r)
{
	int64_t n = r->u->has_pin ? r->u->pin.size : -1;
	struct buf old;

	if (!r->o->remember || r->b == NULL)
		return n;
	buf_init(&old, SEEN_NOTE_MAX);
	if (seen_read(r->b->origin, &old, NULL) == ST_OK && old.len > 0) {
		int64_t was = remote_claimed_size(buf_str(&old));
		if (was > n)
			n = was;
	}
	buf_free(&old);
	return n;
}

/* Rule 10: the tree size whose witness policy the bundle's newest is
 * compared with: the pin's, else the remembered checkpoint's (as
 * claimed); 0 for none. */
static int64_t seen_size(const struct run *r)
{
	struct buf old;
	int64_t n = 0;

	if (r->u->has_pin)
		return r->u->pin.size;
	if (!r->o->remember || r->b == NULL)
		return 0;
	buf_init(&old, SEEN_NOTE_MAX);
	if (seen_read(r->b->origin, &old, NULL) == ST_OK && old.len > 0)
		n = remote_claimed_size(buf_str(&old));
	buf_free(&old);
	return n > 0 ? n : 0;
}

/*
 * Asks the log for its newest checkpoint, and whether it is at least
 * need; sets r->asked_again and r->newest_claimed.  Only what the log
 * claims: the bundle asked for again is verified as the first was.
 */
static bool log_has_newer(struct run *r, int64_t need)
{
	struct buf note;
	struct err fe;

	r->asked_again = true;
	r->newest_claimed = -1;
	if (set_url(r, &fe, "/checkpoint") != ST_OK)
		return false;
	buf_init(&note, NOTE_CAP);
	if (fetch_get(r->f, r->url, &note, &fe) == ST_OK)
		r->newest_claimed = remote_claimed_size(buf_str(&note));
	buf_free(&note);
	return r->newest_claimed >= need;
}

/* The bundle's tree is an older part of a tree of size newer that the
 * verifier holds (what): the record may leave out what was logged since,
 * a revocation or a newer document, so it is not valid. */
static void stale(struct run *r, const char *what, int64_t newer)
{
	char asked[160] = "";

	if (r->asked_again && r->newest_claimed >= newer)
		snprintf(asked, sizeof asked,
			 "; asked again, the log claims a tree of size "
			 "%" PRId64 " but served no bundle that new",
			 r->newest_claimed);
	else if (r->asked_again && r->newest_claimed >= 0)
		snprintf(asked, sizeof asked,
			 "; the log's newest checkpoint is of size %" PRId64
			 ", older still",
			 r->newest_claimed);
	else if (r->asked_again)
		snprintf(asked, sizeof asked,
			 "; asked again, the log gave no newer checkpoint");
	verify_add_check(r->rep, 8, false, "stale record",
			 "the bundle's tree of size %" PRId64
			 " is older than %s (size %" PRId64
			 "): it may leave out later entries of the venue, "
			 "such as a revocation (a log or mirror that "
			 "withholds them, or a copy cached too long)%s",
			 r->cp.size, what, newer, asked);
}

/* ---- the poster's pin ---- */

static void b64url16(const uint8_t *h, char out[PIN_B64_LEN + 1])
{
	b64_encode(out, PIN_B64_LEN + 1, h, PIN_HASH_LEN, B64_URL);
}

/* GETs the kept checkpoint of size n into note: /checkpoints/<n>, else,
 * when the log answers that with a 404 or 410, the older path
 * /checkpoint/<n> that logs served before.  As fetch_get, with r->url the
 * URL last asked. */
static enum status get_kept_checkpoint(struct run *r, int64_t n,
				       struct buf *note, struct err *e)
{
	enum status st = set_url(r, e, "/checkpoints/%" PRId64, n);
	if (st == ST_OK)
		st = fetch_get(r->f, r->url, note, e);
	if (st != ST_NOT_FOUND)
		return st;
	if ((st = set_url(r, e, "/checkpoint/%" PRId64, n)) != ST_OK)
		return st;
	return fetch_get(r->f, r->url, note, e);
}

enum status remote_check_pin(struct run *r, struct err *e)
{
	const struct pin *pin = &r->u->pin;
	char rtext[PIN_B64_LEN + 1], got[PIN_B64_LEN + 1], why[256];
	struct buf note;
	struct checkpoint pc;
	struct err fe;
	enum status st;
	bool ok = false, newer = pin->size > r->cp.size;

	b64url16(pin->root, rtext);
	buf_init(&note, NOTE_CAP);
	st = get_kept_checkpoint(r, pin->size, &note, &fe);
	if (remote_answer_failed(st) && newer) {
		verify_add_check(r->rep, 8, false, "rollback",
				 "the poster pins a tree of %" PRId64
				 " entries; the log serves %" PRId64
				 " and does not give the checkpoint of size "
				 "%" PRId64 ": the log went back (or a mirror "
				 "lags)",
				 pin->size, r->cp.size, pin->size);
		st = ST_OK;
		goto out;
	}
	if (remote_answer_failed(st)) {
		verify_add_check(r->rep, 8, false, "pin",
				 "the poster pins the checkpoint of size "
				 "%" PRId64
				 "; the log does not give it: %.200s",
				 pin->size, fe.msg);
		st = ST_OK;
		goto out;
	}
	if (st != ST_OK) {
		*e = fe;
		goto out;
	}
	if (checkpoint_open(buf_str(&note), note.len, r->key, &pc, &fe) !=
	    ST_OK) {
		verify_add_check(r->rep, 8, false, "pin",
				 "the log's checkpoint of size %" PRId64
				 " does not verify with the log key: %s",
				 pin->size, fe.msg);
		goto out;
	}
	if (pc.size != pin->size) {
		verify_add_check(r->rep, 8, false, "pin",
				 "asked for the checkpoint of size %" PRId64
				 ", the log gave one of size %" PRId64,
				 pin->size, pc.size);
		goto out;
	}
	if (!pin_root_matches(pin, pc.root)) {
		b64url16(pc.root, got);
		verify_add_check(r->rep, 8, false, "fork",
				 "the log's checkpoint of size %" PRId64
				 " has root %s..., not the poster's r=%s: the "
				 "log rewrote its history since the poster was "
				 "made",
				 pin->size, got, rtext);
		goto out;
	}
	/* The served tree extends the poster's; or, when the bundle is older
	 * than the poster (a bundle cached a while), the poster's extends
	 * the bundle's. */
	if (newer)
		st = consistent(r, r->cp.size, r->cp.root, pc.size, pc.root,
				&ok, why, sizeof why, e);
	else
		st = consistent(r, pc.size, pc.root, r->cp.size, r->cp.root,
				&ok, why, sizeof why, e);
	if (st != ST_OK)
		goto out;
	if (ok && newer)
		stale(r, "the poster's pin", pin->size);
	else if (ok)
		verify_add_check(
			r->rep, 8, true, "pin",
			"the poster's pin (tree size %" PRId64
			", root %s...) is the log's kept checkpoint, "
			"and the served tree of size %" PRId64 " extends it%s",
			pin->size, rtext, r->cp.size,
			r->proof_from_tiles ? " (a consistency proof computed "
					      "from the log's tiles)"
					    : "");
	else if (newer)
		verify_add_check(r->rep, 8, false, "rollback",
				 "the poster pins a tree of %" PRId64
				 " entries; the log serves %" PRId64
				 " and does not show it is a part of the "
				 "poster's: %s",
				 pin->size, r->cp.size, why);
	else
		verify_add_check(r->rep, 8, false, "pin",
				 "the log does not show that its tree of size "
				 "%" PRId64 " extends the poster's (size "
				 "%" PRId64 "): %s",
				 r->cp.size, pin->size, why);
out:
	buf_free(&note);
	return st;
}

/* ---- rule 8: the checkpoint seen before ---- */

enum status remote_check_seen(struct run *r, bool *remember, struct err *e)
{
	struct buf old;
	struct checkpoint was;
	char why[256];
	bool ok = false;
	enum status st;
	const char *origin = r->cp.origin;

	*remember = false;
	buf_init(&old, SEEN_NOTE_MAX);
	if ((st = seen_read(origin, &old, e)) != ST_OK) {
		err_prefix(e, "checkpoint cache");
		goto out;
	}
	if (old.len == 0) {
		*remember = true;
		verify_add_check(r->rep, 8, true, "seen checkpoint",
				 "no checkpoint of %.100s seen before; this "
				 "one (size %" PRId64 ") is remembered once "
				 "every check passes",
				 origin, r->cp.size);
	} else if (checkpoint_open(buf_str(&old), old.len, r->key, &was,
				   NULL) != ST_OK) {
		verify_add_check(r->rep, 8, false, "log key changed",
				 "the checkpoint remembered for origin %.100s "
				 "does not verify with this log key",
				 origin);
	} else if (was.size > r->cp.size) {
		/* A bundle older than what was seen is no rollback if the log
		 * proves it a part of that (a bundle cached a while). */
		st = consistent(r, r->cp.size, r->cp.root, was.size, was.root,
				&ok, why, sizeof why, e);
		if (st != ST_OK)
			goto out;
		if (ok)
			stale(r, "the checkpoint seen before", was.size);
		else
			verify_add_check(r->rep, 8, false, "rollback",
					 "a checkpoint of size %" PRId64
					 " was seen before; the log now serves "
					 "size %" PRId64 " and does not show "
					 "it is a part of it: the log went "
					 "back (or a mirror lags): %s",
					 was.size, r->cp.size, why);
	} else {
		st = consistent(r, was.size, was.root, r->cp.size, r->cp.root,
				&ok, why, sizeof why, e);
		if (st != ST_OK)
			goto out;
		*remember = ok;
		if (ok && was.size == r->cp.size)
			verify_add_check(r->rep, 8, true, "seen checkpoint",
					 "the checkpoint of size %" PRId64
					 " seen before is this one",
					 was.size);
		else if (ok)
			verify_add_check(r->rep, 8, true, "seen checkpoint",
					 "the log extends the checkpoint of "
					 "size %" PRId64 " seen before (to "
					 "size %" PRId64 ")",
					 was.size, r->cp.size);
		else if (was.size == r->cp.size)
			verify_add_check(r->rep, 8, false, "fork",
					 "a checkpoint of size %" PRId64
					 " with another root was seen before: "
					 "the log forked",
					 was.size);
		else
			verify_add_check(r->rep, 8, false, "consistency",
					 "the log does not show that its tree "
					 "of size %" PRId64 " extends the "
					 "checkpoint of size %" PRId64
					 " seen before (a log that rewrote its "
					 "history cannot): %s",
					 r->cp.size, was.size, why);
	}
out:
	buf_free(&old);
	return st;
}

/* ---- the run ---- */

/* Which key, and the pin's key check (rule 1). */
static void choose_key(struct run *r, const struct bundle *b,
		       struct note_verifier *bkey, bool *pinned_ok)
{
	const struct venue_url *u = r->u;
	char k[PIN_B64_LEN + 1];
	bool bkey_ok = note_verifier_parse(b->vkey, strlen(b->vkey), bkey,
					   NULL) == ST_OK;
	*pinned_ok = true;
	r->key = r->o->key != NULL ? r->o->key : bkey_ok ? bkey : NULL;
	if (!u->has_pin)
		return;
	b64url16(u->pin.key, k);
	if (r->o->key != NULL) {
		char text[NOTE_VKEY_MAX + 1];

		note_verifier_format(r->o->key, text, sizeof text);
		if (!pin_key_matches(&u->pin, text, strlen(text))) {
			*pinned_ok = false;
			verify_add_check(r->rep, 1, false, "pin key",
					 "the key given with --key is not the "
					 "one the poster pins (k=%s)",
					 k);
			return;
		}
	}
	if (!pin_key_matches(&u->pin, b->vkey, strlen(b->vkey))) {
		*pinned_ok = false;
		verify_add_check(r->rep, 1, false, "pin key",
				 "the log's key %.200s is not the one the "
				 "poster pins (k=%s)",
				 b->vkey, k);
		return;
	}
	verify_add_check(r->rep, 1, true, "pin key",
			 "the log's key %.200s is the one the poster pins",
			 b->vkey);
}

/*
 * Fetches and parses the venue's bundle into *out (new).  ST_OK with *out
 * NULL when the log's answer is a failed check (added to the report): a
 * refusal, not a bundle, or (asked again) no such venue; ST_NOT_FOUND,
 * with e, when the log answers the first ask with 404 or 410: no such
 * venue; another status when it could not be asked.
 */
static enum status get_bundle(struct run *r, bool again, struct bundle **out,
			      struct err *e)
{
	const struct venue_url *u = r->u;
	struct buf json;
	struct err fe = {{0}};
	enum status st;

	*out = NULL;
	if ((st = set_url(r, e, "/v/%s/bundle.json", u->venue)) != ST_OK)
		return st;
	buf_init(&json, BUNDLE_MAX);
	st = fetch_get(r->f, r->url, &json, &fe);
	if (st == ST_NOT_FOUND && !again) {
		err_set(e, ST_NOT_FOUND, "the log at %s has no venue %s (%s)",
			u->host, u->venue, fe.msg);
	} else if (st == ST_NOT_FOUND) {
		verify_add_check(r->rep, 1, false, "bundle",
				 "the log at %s has no venue %s (%s)", u->host,
				 u->venue, fe.msg);
		st = ST_OK;
	} else if (remote_answer_failed(st)) {
		verify_add_check(r->rep, 1, false, "bundle",
				 "the bundle of venue %s at %s: %s", u->venue,
				 u->host, fe.msg);
		st = ST_OK;
	} else if (st != ST_OK) {
		*e = fe;
	} else if (bundle_parse(buf_str(&json), json.len, out, &fe) != ST_OK) {
		verify_add_check(r->rep, 1, false, "bundle",
				 "what %s serves as the bundle of venue %s is "
				 "not one: %s",
				 u->host, u->venue, fe.msg);
	}
	buf_free(&json);
	return st;
}

enum status remote_verify(const struct venue_url *u,
			  const struct remote_options *o,
			  struct remote_result *res, struct err *e)
{
	struct run r;
	struct bundle *b = NULL;
	struct note_verifier bkey;
	struct verify_report extra; /* checks made before verify_bundle */
	struct err fe = {{0}};
	enum status st;
	bool pinned_ok = true, remember = false;

	memset(res, 0, sizeof *res);
	memset(&extra, 0, sizeof extra);
	extra.ok = true;
	res->rep.ok = true;
	res->rep.latest = -1;
	res->tree_size = -1;
	memset(&r, 0, sizeof r);
	r.u = u;
	r.o = o;
	r.res = res;
	r.rep = &res->rep;
	r.newest_claimed = -1;
	struct fetch_options fo = {.progress = o->progress};
	if ((st = fetch_new(o->fetch != NULL ? o->fetch : &fo, &r.f, e)) !=
	    ST_OK)
		goto out;

	/* The bundle; again, once, when it is older than what the verifier
	 * knows and the log says it has newer. */
	if ((st = get_bundle(&r, false, &b, e)) != ST_OK)
		goto out;
	if (b == NULL)
		goto out;
	r.b = b;
	int64_t need = known_size(&r);
	if (need > remote_claimed_size(b->checkpoint) &&
	    log_has_newer(&r, need)) {
		bundle_free(b);
		r.b = b = NULL;
		if ((st = get_bundle(&r, true, &b, e)) != ST_OK)
			goto out;
		if (b == NULL)
			goto out;
	}
	r.b = b;
	res->have_bundle = true;
	snprintf(res->origin, sizeof res->origin, "%s", b->origin);

	/* Rules 1 to 7, with the key the pin or --key names. */
	r.rep = &extra;
	choose_key(&r, b, &bkey, &pinned_ok);
	r.rep = &res->rep;
	struct verify_options vo = {
		.key = r.o->key != NULL || (u->has_pin && pinned_ok) ? r.key
								     : NULL,
		.all_proofs = true,
		.fetch = fetch_doc,
		.fetch_ctx = &r,
		.policy = o->policy,
		.now = o->now,
		.since = seen_size(&r),
	};
	memcpy(vo.today, o->today, sizeof vo.today);
	st = verify_bundle(b, &vo, &res->rep, e);
	for (size_t i = 0; i < extra.nchecks; i++)
		verify_add_check(&res->rep, extra.checks[i].rule,
				 extra.checks[i].ok, extra.checks[i].name, "%s",
				 extra.checks[i].detail);
	if (strcmp(b->venue, u->venue) != 0)
		verify_add_check(&res->rep, 1, false, "bundle",
				 "asked %s for venue %s, got the bundle of "
				 "venue %s",
				 u->host, u->venue, b->venue);
	if (st != ST_OK)
		goto out;

	/* The rest needs the checkpoint verified under the chosen key. */
	if (r.key == NULL || !pinned_ok ||
	    checkpoint_open(b->checkpoint, strlen(b->checkpoint), r.key, &r.cp,
			    NULL) != ST_OK ||
	    strcmp(r.cp.origin, b->origin) != 0) {
		if (u->has_pin || o->remember || o->full)
			verify_add_check(&res->rep, 8, false, "not checked",
					 "without a checkpoint signed by the "
					 "%s log key, the pin, the checkpoint "
					 "seen before%s are not checked",
					 pinned_ok ? "expected" : "pinned",
					 o->full ? " and the whole log" : "");
		goto out;
	}
	res->tree_size = r.cp.size;
	if (u->has_pin && (st = remote_check_pin(&r, e)) != ST_OK)
		goto out;
	if (o->remember && (st = remote_check_seen(&r, &remember, e)) != ST_OK)
		goto out;
	if (o->full && (st = remote_check_full(&r, e)) != ST_OK)
		goto out;
	/* A cache that cannot be written is a warning: the checks stand. */
	if (res->rep.ok && remember &&
	    seen_write(b->origin, b->checkpoint, strlen(b->checkpoint), r.key,
		       &res->remembered, &fe) != ST_OK)
		snprintf(res->cache_warning, sizeof res->cache_warning, "%s",
			 fe.msg);
out:
	verify_report_sort(&res->rep);
	for (size_t i = 0; i < res->rep.nchecks; i++) {
		defang(res->rep.checks[i].name);
		defang(res->rep.checks[i].detail);
	}
	if (st != ST_OK)
		res->rep.ok = false;
	verify_report_free(&extra);
	bundle_free(b);
	fetch_free(r.f);
	return st;
}

void remote_result_free(struct remote_result *res)
{
	if (res == NULL)
		return;
	verify_report_free(&res->rep);
	memset(res, 0, sizeof *res);
}
