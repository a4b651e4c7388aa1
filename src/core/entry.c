/*
 * entry.c: log entries, "sanilog-entry v1", parsed and written strictly.
 *
 * The parser is the single source of the rules of DESIGN.md "Exact rules for
 * entries"; entry_format writes the text and then parses it back, so nothing
 * is ever written that would not be read.  Parsing goes in three steps:
 *
 *   1. cut the text into "key value" lines and check each value's bytes
 *      (length, spaces, UTF-8, forbidden code points);
 *   2. find the kind and walk the lines along that kind's fixed key order;
 *   3. parse each value and check the rules between values of the entry.
 *
 * Numbers are capped at 2^53-1 so that JavaScript reads them exactly.
 *
 * Why this file is long: every rule of an entry is here and nowhere else,
 * the three steps and the writer that parses its own text back.
 */
#include "entry.h"

#include <assert.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "base/clock.h"
#include "codec.h"
#include "utf8.h"

/* Key lines of the longest kinds: a document, a witness-policy of 10. */
#define ENTRY_KEYS_MAX	 13
#define ENTRY_NUM_MAX	 9007199254740991LL /* 2^53-1 */
#define ENTRY_NUM_DIGITS 16
#define ATTEST_SIG_LEN	 68 /* 4-byte key hash || Ed25519 signature */
#define ARRAY_LEN(a)	 (sizeof(a) / sizeof((a)[0]))

/* The keys of entries: their enum names and their text. */
#define FIELDS(X)                                                              \
	X(F_VENUE, "venue")                                                    \
	X(F_VENUE_SEQ, "venue-seq")                                            \
	X(F_PREV, "prev")                                                      \
	X(F_KIND, "kind")                                                      \
	X(F_NAME, "name")                                                      \
	X(F_ADDRESS, "address")                                                \
	X(F_INTERVAL_DAYS, "interval-days")                                    \
	X(F_TYPE, "type")                                                      \
	X(F_TITLE, "title")                                                    \
	X(F_PERFORMED, "performed")                                            \
	X(F_EXPIRES, "expires")                                                \
	X(F_PROVIDER, "provider")                                              \
	X(F_DOC, "doc")                                                        \
	X(F_ATTESTATION, "attestation")                                        \
	X(F_SUBMITTED_BY, "submitted-by")                                      \
	X(F_REVOKES, "revokes")                                                \
	X(F_REASON, "reason")                                                  \
	X(F_DISPLAY_NAME, "display-name")                                      \
	X(F_VKEY, "vkey")                                                      \
	X(F_QUORUM, "quorum")                                                  \
	X(F_WITNESS, "witness")                                                \
	X(F_LOGGED, "logged")

#define FIELD_ENUM(f, name) f,
#define FIELD_NAME(f, name) [f] = (name),
#define FIELD_LEN(f, name)  [f] = sizeof(name) - 1,

enum field { FIELDS(FIELD_ENUM) F__COUNT };
static const char *const field_names[F__COUNT] = {FIELDS(FIELD_NAME)};
static const unsigned char field_lens[F__COUNT] = {FIELDS(FIELD_LEN)};

/* One place in a kind's key order. */
struct slot {
	enum field f;
	bool optional;
};

/* The one key that may be repeated, on lines in a row at its place: a
 * witness-policy's witness (1 to 10 times, parse_witness counts them). */
#define REPEATED(f) ((f) == F_WITNESS)

static const struct slot order_venue[] = {
	{F_VENUE, false},	  {F_VENUE_SEQ, false}, {F_PREV, false},
	{F_KIND, false},	  {F_NAME, false},	{F_ADDRESS, false},
	{F_INTERVAL_DAYS, false}, {F_LOGGED, false},
};

static const struct slot order_document[] = {
	{F_VENUE, false},     {F_VENUE_SEQ, false},  {F_PREV, false},
	{F_KIND, false},      {F_TYPE, false},	     {F_TITLE, false},
	{F_PERFORMED, false}, {F_EXPIRES, true},     {F_PROVIDER, true},
	{F_DOC, false},	      {F_ATTESTATION, true}, {F_SUBMITTED_BY, false},
	{F_LOGGED, false},
};

static const struct slot order_revocation[] = {
	{F_VENUE, false},	 {F_VENUE_SEQ, false}, {F_PREV, false},
	{F_KIND, false},	 {F_REVOKES, false},   {F_REASON, false},
	{F_SUBMITTED_BY, false}, {F_LOGGED, false},
};

static const struct slot order_provider_key[] = {
	{F_KIND, false}, {F_NAME, false},   {F_DISPLAY_NAME, false},
	{F_VKEY, false}, {F_LOGGED, false},
};

static const struct slot order_provider_revoke[] = {
	{F_KIND, false},
	{F_NAME, false},
	{F_REASON, false},
	{F_LOGGED, false},
};

static const struct slot order_witness_policy[] = {
	{F_KIND, false},
	{F_QUORUM, false},
	{F_WITNESS, true}, /* none only at quorum 0 (check_across) */
	{F_LOGGED, false},
};

static const struct {
	const char *name;
	const struct slot *order;
	size_t n;
} kinds[] = {
	[ENTRY_VENUE] = {"venue", order_venue, ARRAY_LEN(order_venue)},
	[ENTRY_DOCUMENT] = {"document", order_document,
			    ARRAY_LEN(order_document)},
	[ENTRY_REVOCATION] = {"revocation", order_revocation,
			      ARRAY_LEN(order_revocation)},
	[ENTRY_PROVIDER_KEY] = {"provider-key", order_provider_key,
				ARRAY_LEN(order_provider_key)},
	[ENTRY_PROVIDER_REVOKE] = {"provider-revoke", order_provider_revoke,
				   ARRAY_LEN(order_provider_revoke)},
	[ENTRY_WITNESS_POLICY] = {"witness-policy", order_witness_policy,
				  ARRAY_LEN(order_witness_policy)},
};

static const char *const doc_types[] = {
	"sanitization", "disinfection", "pest-control", "hvac",
	"water",	"protocol",	"form",		"other",
};

static const char *const doc_mimes[] = {
	"application/pdf",
	"image/png",
	"image/jpeg",
};

static const char *const submitters[] = {"owner", "operator"};

/* One "key value" line of an entry being parsed; v points into the text. */
struct line {
	size_t no; /* line number, from 1 */
	enum field f;
	const char *v;
	size_t vlen;
};

/* One line more than any kind has, so that the order walk, not the
 * storage, finds what is wrong with a line too many. */
struct lines {
	struct line l[ENTRY_KEYS_MAX + 1];
	size_t n;
	size_t at[F__COUNT]; /* line number of each key, 0 if absent */
};

/* ---- small helpers ---- */

static bool is_venue_kind(enum entry_kind k)
{
	return k == ENTRY_VENUE || k == ENTRY_DOCUMENT || k == ENTRY_REVOCATION;
}

/* Whether v[0..len) is the string s; stops at the first byte that
 * differs, which for a list of names is mostly the first. */
static bool equals(const char *v, size_t len, const char *s)
{
	for (size_t i = 0; i < len; i++)
		if (s[i] != v[i] || s[i] == 0)
			return false;
	return s[len] == 0;
}

/* Index of v[0..len) in list, or -1. */
static int lookup(const char *const *list, size_t n, const char *v, size_t len)
{
	for (size_t i = 0; i < n; i++)
		if (equals(v, len, list[i]))
			return (int)i;
	return -1;
}

/* The field whose key is k[0..len), or -1: by the names' lengths first,
 * which a dozen lines an entry, each with another key, go through faster
 * than through the names. */
static int field_of(const char *k, size_t len)
{
	for (int f = 0; f < F__COUNT; f++)
		if (field_lens[f] == len && memcmp(field_names[f], k, len) == 0)
			return f;
	return -1;
}

static void copy_value(char *dst, size_t dstsize, const char *v, size_t len)
{
	assert(len < dstsize);
	memcpy(dst, v, len);
	dst[len] = 0;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* A canonical decimal (no sign, no leading zero) of at most max. */
static bool parse_num(const char *v, size_t len, int64_t max, int64_t *out)
{
	int64_t n = 0;
	if (len == 0 || len > ENTRY_NUM_DIGITS || (v[0] == '0' && len > 1))
		return false;
	for (size_t i = 0; i < len; i++) {
		if (!is_digit(v[i]))
			return false;
		n = n * 10 + (v[i] - '0');
	}
	if (n > max)
		return false;
	*out = n;
	return true;
}

static int digits2(const char *s)
{
	return (s[0] - '0') * 10 + (s[1] - '0');
}

static bool venue_id_ok(const char *v, size_t len)
{
	if (len != VENUE_ID_LEN)
		return false;
	for (size_t i = 0; i < len; i++)
		if (v[i] == 0 || strchr(VENUE_ALPHABET, v[i]) == NULL)
			return false;
	return true;
}

/* ---- values: UTF-8 and forbidden code points ---- */

static bool cp_control(uint32_t cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f);
}

static bool cp_invisible(uint32_t cp)
{
	return (cp >= 0x200b && cp <= 0x200f) ||
	       (cp >= 0x202a && cp <= 0x202e) ||
	       (cp >= 0x2066 && cp <= 0x2069) || cp == 0x2028 || cp == 0x2029 ||
	       cp == 0xfeff;
}

/* Whether v[0..len) may be a value of at most max bytes; if not, writes
 * what is wrong into why. */
static bool value_ok(const char *v, size_t len, size_t max, char *why,
		     size_t whysize)
{
	const unsigned char *s = (const unsigned char *)v;
	size_t i = 0;

	if (len == 0) {
		snprintf(why, whysize, "empty value");
		return false;
	}
	if (len > max) {
		snprintf(why, whysize, "value is %zu bytes, more than %zu", len,
			 max);
		return false;
	}
	if (v[0] == ' ') {
		snprintf(why, whysize, "leading space");
		return false;
	}
	if (v[len - 1] == ' ') {
		snprintf(why, whysize, "trailing space");
		return false;
	}
	while (i < len) {
		if (s[i] >= 0x20 && s[i] < 0x7f) { /* printable ASCII */
			i++;
			continue;
		}
		uint32_t cp = 0;
		size_t n = utf8_decode(s + i, len - i, &cp);
		if (n == 0) {
			snprintf(why, whysize, "not valid UTF-8 (byte %zu)",
				 i + 1);
			return false;
		}
		if (cp_control(cp)) {
			snprintf(why, whysize,
				 "contains a control character (U+%04" PRIX32
				 ")",
				 cp);
			return false;
		}
		if (cp_invisible(cp)) {
			snprintf(why, whysize,
				 "contains a forbidden invisible or bidi "
				 "character (U+%04" PRIX32 ")",
				 cp);
			return false;
		}
		i += n;
	}
	return true;
}

/* ---- step 1: lines ---- */

static enum status unknown_key(size_t no, const char *k, size_t klen,
			       struct err *e)
{
	bool plain = klen <= 32;
	for (size_t i = 0; plain && i < klen; i++)
		plain = (k[i] >= 'a' && k[i] <= 'z') ||
			(k[i] >= 'A' && k[i] <= 'Z') || is_digit(k[i]) ||
			k[i] == '-' || k[i] == '_';
	if (plain)
		return err_set(e, ST_INVALID, "line %zu: unknown key \"%.*s\"",
			       no, (int)klen, k);
	return err_set(e, ST_INVALID, "line %zu: unknown key", no);
}

static enum status split_lines(const char *text, size_t len, struct lines *p,
			       struct err *e)
{
	size_t pos = 0, no = 0;
	char why[96];

	if (len == 0)
		return err_set(e, ST_INVALID, "empty entry");
	if (text[len - 1] != '\n') {
		size_t last = 1;
		for (size_t i = 0; i < len; i++)
			last += text[i] == '\n';
		return err_set(e, ST_INVALID,
			       "line %zu: no newline at the end (truncated?)",
			       last);
	}
	while (pos < len) {
		const char *s = text + pos;
		const char *nl = memchr(s, '\n', len - pos);
		assert(nl != NULL);
		size_t llen = (size_t)(nl - s);
		pos += llen + 1;
		no++;
		if (no == 1) {
			if (!equals(s, llen, ENTRY_MAGIC))
				return err_set(e, ST_INVALID,
					       "line 1: not \"" ENTRY_MAGIC
					       "\"");
			continue;
		}
		if (llen == 0)
			return err_set(e, ST_INVALID, "line %zu: empty line",
				       no);
		const char *sp = memchr(s, ' ', llen);
		size_t klen = sp != NULL ? (size_t)(sp - s) : llen;
		if (klen == 0)
			return err_set(e, ST_INVALID,
				       "line %zu: starts with a space", no);
		int f = field_of(s, klen);
		if (f < 0)
			return unknown_key(no, s, klen, e);
		if (sp == NULL)
			return err_set(e, ST_INVALID, "line %zu: %s: no value",
				       no, field_names[f]);
		const char *v = sp + 1;
		size_t vlen = llen - klen - 1;
		size_t max = f == F_VKEY      ? ENTRY_VKEY_MAX
			     : f == F_WITNESS ? ENTRY_WITNESS_MAX
					      : ENTRY_VALUE_MAX;
		if (!value_ok(v, vlen, max, why, sizeof why))
			return err_set(e, ST_INVALID, "line %zu: %s: %s", no,
				       field_names[f], why);
		if (p->n == ARRAY_LEN(p->l))
			return err_set(e, ST_INVALID,
				       "line %zu: too many lines", no);
		p->l[p->n].no = no;
		p->l[p->n].f = (enum field)f;
		p->l[p->n].v = v;
		p->l[p->n].vlen = vlen;
		p->n++;
	}
	if (p->n == 0)
		return err_set(e, ST_INVALID, "no lines after the first");
	return ST_OK;
}

/* ---- step 2: kind and key order ---- */

/* The place of key f in a kind's order, or NULL. */
static const struct slot *slot_of(const struct slot *o, size_t n, enum field f)
{
	for (size_t i = 0; i < n; i++)
		if (o[i].f == f)
			return &o[i];
	return NULL;
}

static enum status check_order(struct lines *p, enum entry_kind *kind,
			       struct err *e)
{
	const struct line *kl = NULL;
	size_t cur = 0;

	for (size_t i = 0; i < p->n && kl == NULL; i++)
		if (p->l[i].f == F_KIND)
			kl = &p->l[i];
	if (kl == NULL)
		return err_set(e, ST_INVALID, "no kind line");
	int k = -1;
	for (size_t i = 0; i < ARRAY_LEN(kinds) && k < 0; i++)
		if (equals(kl->v, kl->vlen, kinds[i].name))
			k = (int)i;
	if (k < 0)
		return err_set(e, ST_INVALID, "line %zu: kind: unknown kind",
			       kl->no);
	*kind = (enum entry_kind)k;

	const struct slot *o = kinds[k].order;
	size_t n = kinds[k].n;
	for (size_t i = 0; i < p->n; i++) {
		const struct line *l = &p->l[i];
		const char *key = field_names[l->f];
		size_t j = cur;
		while (j < n && o[j].f != l->f && o[j].optional)
			j++;
		if (j < n && o[j].f == l->f) {
			if (p->at[l->f] == 0) /* a repeated key's first */
				p->at[l->f] = l->no;
			cur = REPEATED(l->f) ? j : j + 1;
			continue;
		}
		const struct slot *sl = slot_of(o, n, l->f);
		if (p->at[l->f] != 0 && !REPEATED(l->f))
			return err_set(e, ST_INVALID,
				       "line %zu: %s: duplicate (first on "
				       "line %zu)",
				       l->no, key, p->at[l->f]);
		if (sl == NULL)
			return err_set(e, ST_INVALID,
				       "line %zu: %s: not a key of a %s entry",
				       l->no, key, kinds[k].name);
		if (j < n)
			return err_set(e, ST_INVALID,
				       "line %zu: %s: out of order (expected "
				       "%s)",
				       l->no, key, field_names[o[j].f]);
		return err_set(e, ST_INVALID, "line %zu: %s: out of order",
			       l->no, key);
	}
	for (size_t j = cur; j < n; j++)
		if (!o[j].optional)
			return err_set(e, ST_INVALID,
				       "line %zu: missing %s (the entry ends)",
				       p->l[p->n - 1].no + 1,
				       field_names[o[j].f]);
	return ST_OK;
}

/* ---- step 3: values ---- */

static enum status bad(const struct line *l, const char *what, struct err *e)
{
	return err_set(e, ST_INVALID, "line %zu: %s: %s", l->no,
		       field_names[l->f], what);
}

/* "<64 lowercase hex> <size, at least 1> <media type>". */
static enum status parse_doc(const struct line *l, struct entry *out,
			     struct err *e)
{
	const char *v = l->v;
	size_t len = l->vlen;

	if (len < 2 * HASH_LEN + 1 || v[2 * HASH_LEN] != ' ' ||
	    hex_decode(out->doc_sha256, HASH_LEN, v, 2 * HASH_LEN) != ST_OK)
		return bad(l, "not \"<64 lowercase hex> <size> <type>\"", e);
	v += 2 * HASH_LEN + 1;
	len -= 2 * HASH_LEN + 1;
	const char *sp = memchr(v, ' ', len);
	if (sp == NULL)
		return bad(l, "not \"<64 lowercase hex> <size> <type>\"", e);
	size_t slen = (size_t)(sp - v);
	if (!parse_num(v, slen, ENTRY_NUM_MAX, &out->doc_size) ||
	    out->doc_size < 1)
		return bad(l, "size is not a canonical decimal of at least 1",
			   e);
	v += slen + 1;
	len -= slen + 1;
	if (lookup(doc_mimes, ARRAY_LEN(doc_mimes), v, len) < 0)
		return bad(l,
			   "type is not application/pdf, image/png or "
			   "image/jpeg",
			   e);
	copy_value(out->doc_mime, sizeof out->doc_mime, v, len);
	return ST_OK;
}

/* "<name>+<8 lowercase hex key hash> <std base64 of key hash || sig>";
 * stores the length of the name in *namelen. */
static enum status parse_attestation(const struct line *l, size_t *namelen,
				     struct err *e)
{
	const char *form = "not \"<name>+<key hash> <base64 signature>\"";
	const char *v = l->v;
	uint8_t hash[4];
	uint8_t sig[ATTEST_SIG_LEN + 3];
	size_t siglen = 0;

	const char *sp = memchr(v, ' ', l->vlen);
	if (sp == NULL)
		return bad(l, form, e);
	size_t klen = (size_t)(sp - v);
	const char *plus = memchr(v, '+', klen);
	if (plus == NULL)
		return bad(l, form, e);
	size_t nlen = (size_t)(plus - v);
	if (!note_name_valid(v, nlen))
		return bad(l, "key name is not a valid signed-note key name",
			   e);
	if (klen - nlen - 1 != 8 ||
	    hex_decode(hash, sizeof hash, plus + 1, 8) != ST_OK)
		return bad(l, "key hash is not 8 lowercase hex digits", e);
	if (b64_decode(sig, sizeof sig, &siglen, sp + 1, l->vlen - klen - 1,
		       B64_STD) != ST_OK ||
	    siglen != ATTEST_SIG_LEN)
		return bad(l,
			   "signature is not standard padded base64 of 68 "
			   "bytes",
			   e);
	if (memcmp(sig, hash, sizeof hash) != 0)
		return bad(l, "key hash differs from the signature's", e);
	*namelen = nlen;
	return ST_OK;
}

/* entry_witness_url_valid of v[0..len). */
static bool url_ok(const char *v, size_t len)
{
	static const char http[] = "http://", https[] = "https://";
	size_t skip = 0;

	if (len > sizeof http - 1 && memcmp(v, http, sizeof http - 1) == 0)
		skip = sizeof http - 1;
	if (len > sizeof https - 1 && memcmp(v, https, sizeof https - 1) == 0)
		skip = sizeof https - 1;
	if (skip == 0)
		return false;
	for (size_t i = skip; i < len; i++)
		if (v[i] <= ' ' || v[i] > '~')
			return false;
	return true;
}

/* "<witness vkey> <URL>", of a name and a key that no witness before it
 * has.  The witness lines follow each other (check_order), so witness i
 * is on line l->no - (nwitnesses - i). */
static enum status parse_witness(const struct line *l, struct entry *out,
				 struct err *e)
{
	const char *v = l->v;
	struct note_verifier nv, before;
	int n = out->nwitnesses;

	if (n == ENTRY_WITNESSES_MAX)
		return bad(l, "more than 10 witnesses", e);
	const char *sp = memchr(v, ' ', l->vlen);
	if (sp == NULL)
		return bad(l, "not \"<vkey> <URL>\"", e);
	size_t klen = (size_t)(sp - v);
	if (note_cosigner_parse(v, klen, &nv, e) != ST_OK) {
		err_prefix(e, "line %zu: witness", l->no);
		return ST_INVALID;
	}
	if (!url_ok(sp + 1, l->vlen - klen - 1))
		return bad(l,
			   "URL is not http:// or https:// and printable "
			   "ASCII without spaces",
			   e);
	for (int i = 0; i < n; i++) {
		const char *t = out->witnesses[i].text;
		size_t at = l->no - (size_t)(n - i);
		/* parsed before: it parses again */
		if (note_cosigner_parse(t, strlen(t), &before, NULL) != ST_OK)
			return err_set(e, ST_INTERNAL, "line %zu: witness", at);
		if (strcmp(before.name, nv.name) == 0)
			return err_set(e, ST_INVALID,
				       "line %zu: witness: the name %s is "
				       "already the witness of line %zu",
				       l->no, nv.name, at);
		if (memcmp(before.pk, nv.pk, sizeof nv.pk) == 0)
			return err_set(e, ST_INVALID,
				       "line %zu: witness: the key is already "
				       "the witness's of line %zu",
				       l->no, at);
	}
	struct entry_witness *w = &out->witnesses[n];
	copy_value(w->text, sizeof w->text, v, l->vlen);
	w->text[klen] = 0;
	w->url = (uint16_t)(klen + 1);
	out->nwitnesses++;
	return ST_OK;
}

static enum status parse_value(const struct line *l, struct entry *out,
			       struct err *e)
{
	const char *v = l->v;
	size_t len = l->vlen;
	int64_t n = 0;

	switch (l->f) {
	case F_VENUE:
		if (!venue_id_ok(v, len))
			return bad(l,
				   "not a venue id (8 characters of "
				   "\"" VENUE_ALPHABET "\")",
				   e);
		copy_value(out->venue, sizeof out->venue, v, len);
		break;
	case F_VENUE_SEQ:
		if (!parse_num(v, len, ENTRY_NUM_MAX, &out->venue_seq))
			return bad(l, "not a canonical decimal number", e);
		break;
	case F_PREV:
		if (equals(v, len, "-")) {
			out->has_prev = false;
		} else if (hex_decode(out->prev, HASH_LEN, v, len) == ST_OK) {
			out->has_prev = true;
		} else {
			return bad(l, "not 64 lowercase hex digits or \"-\"",
				   e);
		}
		break;
	case F_KIND:
		break; /* known from check_order */
	case F_NAME:
		if (!is_venue_kind(out->kind) && !note_name_valid(v, len))
			return bad(l,
				   "not a valid signed-note key name (no "
				   "spaces, no '+')",
				   e);
		copy_value(out->name, sizeof out->name, v, len);
		break;
	case F_ADDRESS:
		copy_value(out->address, sizeof out->address, v, len);
		break;
	case F_INTERVAL_DAYS:
		if (!parse_num(v, len, INTERVAL_DAYS_MAX, &n) || n < 1)
			return bad(l, "not a canonical decimal from 1 to 3650",
				   e);
		out->interval_days = (int)n;
		break;
	case F_TYPE:
		if (lookup(doc_types, ARRAY_LEN(doc_types), v, len) < 0)
			return bad(l, "unknown document type", e);
		copy_value(out->type, sizeof out->type, v, len);
		break;
	case F_TITLE:
		copy_value(out->title, sizeof out->title, v, len);
		break;
	case F_PERFORMED:
		if (!clock_date_valid(v, len))
			return bad(l, "not a real date YYYY-MM-DD", e);
		copy_value(out->performed, sizeof out->performed, v, len);
		break;
	case F_EXPIRES:
		if (!clock_date_valid(v, len))
			return bad(l, "not a real date YYYY-MM-DD", e);
		copy_value(out->expires, sizeof out->expires, v, len);
		break;
	case F_PROVIDER:
		copy_value(out->provider, sizeof out->provider, v, len);
		break;
	case F_DOC:
		return parse_doc(l, out, e);
	case F_ATTESTATION: {
		size_t nlen = 0;
		enum status st = parse_attestation(l, &nlen, e);
		if (st != ST_OK)
			return st;
		/* provider comes before attestation, so it is known */
		if (out->provider[0] == 0)
			return bad(l, "present without a provider line", e);
		if (!equals(v, nlen, out->provider))
			return bad(l, "key name is not the provider", e);
		copy_value(out->attestation, sizeof out->attestation, v, len);
		break;
	}
	case F_SUBMITTED_BY:
		if (lookup(submitters, ARRAY_LEN(submitters), v, len) < 0)
			return bad(l, "not \"owner\" or \"operator\"", e);
		copy_value(out->submitted_by, sizeof out->submitted_by, v, len);
		break;
	case F_REVOKES:
		if (!parse_num(v, len, ENTRY_NUM_MAX, &out->revokes))
			return bad(l, "not a canonical decimal number", e);
		break;
	case F_REASON:
		copy_value(out->reason, sizeof out->reason, v, len);
		break;
	case F_DISPLAY_NAME:
		copy_value(out->display_name, sizeof out->display_name, v, len);
		break;
	case F_VKEY: {
		struct note_verifier nv;
		enum status st = note_verifier_parse(v, len, &nv, e);
		if (st != ST_OK) {
			err_prefix(e, "line %zu: vkey", l->no);
			return ST_INVALID;
		}
		/* name comes before vkey, so it is known */
		if (strcmp(nv.name, out->name) != 0)
			return bad(l, "key name is not the entry's name", e);
		copy_value(out->vkey, sizeof out->vkey, v, len);
		break;
	}
	case F_QUORUM:
		if (!parse_num(v, len, ENTRY_WITNESSES_MAX, &n))
			return bad(l, "not a canonical decimal from 0 to 10",
				   e);
		out->quorum = (int)n;
		break;
	case F_WITNESS:
		return parse_witness(l, out, e);
	case F_LOGGED:
		if (!clock_time_valid(v, len))
			return bad(l, "not a real time YYYY-MM-DDTHH:MM:SSZ",
				   e);
		copy_value(out->logged, sizeof out->logged, v, len);
		break;
	case F__COUNT:
		assert(0);
		return err_set(e, ST_INTERNAL, "line %zu: unknown field",
			       l->no);
	}
	return ST_OK;
}

/* Rules between the values of one entry. */
static enum status check_across(const struct lines *p, const struct entry *en,
				struct err *e)
{
	if (is_venue_kind(en->kind)) {
		if (en->venue_seq == 0 && en->has_prev)
			return err_set(e, ST_INVALID,
				       "line %zu: prev: must be \"-\" at "
				       "venue-seq 0",
				       p->at[F_PREV]);
		if (en->venue_seq != 0 && !en->has_prev)
			return err_set(e, ST_INVALID,
				       "line %zu: prev: \"-\" is only for "
				       "venue-seq 0",
				       p->at[F_PREV]);
		if (en->venue_seq == 0 && en->kind != ENTRY_VENUE)
			return err_set(e, ST_INVALID,
				       "line %zu: kind: venue-seq 0 must be "
				       "kind venue",
				       p->at[F_KIND]);
	}
	if (en->kind == ENTRY_REVOCATION &&
	    (en->revokes < 1 || en->revokes >= en->venue_seq))
		return err_set(e, ST_INVALID,
			       "line %zu: revokes: not an earlier document "
			       "of the venue (1 to venue-seq - 1)",
			       p->at[F_REVOKES]);
	if (en->kind == ENTRY_WITNESS_POLICY) {
		size_t q = p->at[F_QUORUM];
		if (en->nwitnesses == 0 && en->quorum > 0)
			return err_set(e, ST_INVALID,
				       "line %zu: quorum: %d with no witness "
				       "line (only quorum 0 has none)",
				       q, en->quorum);
		if (en->nwitnesses > 0 && en->quorum == 0)
			return err_set(e, ST_INVALID,
				       "line %zu: quorum: 0 with witness lines "
				       "(quorum 0, the end of witnessing, has "
				       "none)",
				       q);
		if (en->quorum > en->nwitnesses)
			return err_set(e, ST_INVALID,
				       "line %zu: quorum: %d is more than the "
				       "%d witnesses",
				       q, en->quorum, en->nwitnesses);
	}
	if (en->kind == ENTRY_DOCUMENT) {
		int64_t performed = entry_date_days(en->performed);
		if (en->expires[0] != 0 &&
		    entry_date_days(en->expires) < performed)
			return err_set(e, ST_INVALID,
				       "line %zu: expires: before performed",
				       p->at[F_EXPIRES]);
		/* the date part of logged is a valid date */
		char day[11];
		memcpy(day, en->logged, 10);
		day[10] = 0;
		if (performed > entry_date_days(day))
			return err_set(e, ST_INVALID,
				       "line %zu: performed: after the date "
				       "of logged",
				       p->at[F_PERFORMED]);
	}
	return ST_OK;
}

/* ---- the interface ---- */

const char *entry_kind_str(enum entry_kind k)
{
	if ((unsigned)k >= ARRAY_LEN(kinds))
		return "unknown";
	return kinds[k].name;
}

bool entry_kind_global(enum entry_kind k)
{
	return k == ENTRY_PROVIDER_KEY || k == ENTRY_PROVIDER_REVOKE ||
	       k == ENTRY_WITNESS_POLICY;
}

bool entry_witness_url_valid(const char *url)
{
	return url != NULL && url_ok(url, strlen(url));
}

bool entry_witness_set(struct entry_witness *w, const char *vkey,
		       const char *url)
{
	size_t k = strlen(vkey), u = strlen(url);

	if (k + 1 + u > ENTRY_WITNESS_MAX)
		return false;
	memcpy(w->text, vkey, k + 1);
	memcpy(w->text + k + 1, url, u + 1);
	w->url = (uint16_t)(k + 1);
	return true;
}

bool entry_type_valid(const char *type)
{
	return type != NULL &&
	       lookup(doc_types, ARRAY_LEN(doc_types), type, strlen(type)) >= 0;
}

bool entry_mime_valid(const char *mime)
{
	return mime != NULL &&
	       lookup(doc_mimes, ARRAY_LEN(doc_mimes), mime, strlen(mime)) >= 0;
}

const char *entry_sniff_mime(const uint8_t *data, size_t len)
{
	static const uint8_t pdf[] = {'%', 'P', 'D', 'F', '-'};
	static const uint8_t png[] = {0x89, 'P',  'N',	'G',
				      0x0d, 0x0a, 0x1a, 0x0a};
	static const uint8_t jpeg[] = {0xff, 0xd8, 0xff};

	if (data == NULL)
		return NULL;
	if (len >= sizeof pdf && memcmp(data, pdf, sizeof pdf) == 0)
		return "application/pdf";
	if (len >= sizeof png && memcmp(data, png, sizeof png) == 0)
		return "image/png";
	if (len >= sizeof jpeg && memcmp(data, jpeg, sizeof jpeg) == 0)
		return "image/jpeg";
	return NULL;
}

enum status entry_check_value(const char *what, const char *v, size_t max,
			      struct err *e)
{
	char why[96];
	if (!value_ok(v, strlen(v), max, why, sizeof why))
		return err_set(e, ST_INVALID, "%s: %s", what, why);
	return ST_OK;
}

bool entry_date_valid(const char *d)
{
	return d != NULL && clock_date_valid(d, strnlen(d, CLOCK_DATE_LEN + 1));
}

bool entry_time_valid(const char *t)
{
	return t != NULL && clock_time_valid(t, strnlen(t, CLOCK_TIME_LEN + 1));
}

bool entry_venue_id_valid(const char *id)
{
	return id != NULL && venue_id_ok(id, strnlen(id, VENUE_ID_LEN + 1));
}

int64_t entry_date_days(const char *d)
{
	/* Howard Hinnant's days_from_civil */
	int64_t y = digits2(d) * 100 + digits2(d + 2);
	int64_t m = digits2(d + 5);
	int64_t day = digits2(d + 8);
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + day - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

int64_t entry_time_seconds(const char *t)
{
	return entry_date_days(t) * 86400 + digits2(t + 11) * 3600 +
	       digits2(t + 14) * 60 + digits2(t + 17);
}

void entry_days_date(int64_t days, char out[11])
{
	/* The inverse of entry_date_days (civil_from_days). */
	int64_t z = days + 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	int64_t d = doy - (153 * mp + 2) / 5 + 1;
	int64_t m = mp < 10 ? mp + 3 : mp - 9;
	int64_t y = yoe + era * 400 + (m <= 2);
	if (y < 0 || y > 9999) {
		out[0] = 0;
		return;
	}
	snprintf(out, 11, "%04d-%02d-%02d", (int)y, (int)m, (int)d);
}

enum status entry_parse(const char *text, size_t len, struct entry *out,
			struct err *e)
{
	struct lines p;
	enum entry_kind kind = ENTRY_VENUE;
	enum status st;

	memset(out, 0, sizeof *out);
	p.n = 0; /* the lines past n are not read */
	memset(p.at, 0, sizeof p.at);
	if (len > ENTRY_MAX)
		return err_set(e, ST_TOO_LARGE,
			       "entry is %zu bytes, more than %d", len,
			       ENTRY_MAX);
	st = split_lines(text, len, &p, e);
	if (st != ST_OK)
		return st;
	st = check_order(&p, &kind, e);
	if (st != ST_OK)
		return st;
	out->kind = kind;
	for (size_t i = 0; i < p.n; i++) {
		st = parse_value(&p.l[i], out, e);
		if (st != ST_OK)
			return st;
	}
	return check_across(&p, out, e);
}

/* ---- writing ---- */

#define TERMINATED(x) (memchr((x), 0, sizeof(x)) != NULL)

/* A witness-policy's witnesses [0, nwitnesses) hold two strings each,
 * the URL's within the text; nwitnesses is checked before. */
static bool witnesses_terminated(const struct entry *en)
{
	if (en->kind != ENTRY_WITNESS_POLICY)
		return true; /* fields of other kinds are ignored */
	for (int i = 0; i < en->nwitnesses; i++) {
		const struct entry_witness *w = &en->witnesses[i];
		if (!TERMINATED(w->text) || w->url < 1 ||
		    w->url >= sizeof w->text || w->text[w->url - 1] != 0 ||
		    memchr(w->text + w->url, 0, sizeof w->text - w->url) ==
			    NULL)
			return false;
	}
	return true;
}

static bool strings_terminated(const struct entry *en)
{
	return witnesses_terminated(en) && TERMINATED(en->venue) &&
	       TERMINATED(en->name) && TERMINATED(en->address) &&
	       TERMINATED(en->type) && TERMINATED(en->title) &&
	       TERMINATED(en->performed) && TERMINATED(en->expires) &&
	       TERMINATED(en->provider) && TERMINATED(en->doc_mime) &&
	       TERMINATED(en->attestation) && TERMINATED(en->reason) &&
	       TERMINATED(en->submitted_by) && TERMINATED(en->display_name) &&
	       TERMINATED(en->vkey) && TERMINATED(en->logged);
}

/* The string of a string field, NULL for the others. */
static const char *field_str(const struct entry *en, enum field f)
{
	switch (f) {
	case F_VENUE:
		return en->venue;
	case F_KIND:
		return entry_kind_str(en->kind);
	case F_NAME:
		return en->name;
	case F_ADDRESS:
		return en->address;
	case F_TYPE:
		return en->type;
	case F_TITLE:
		return en->title;
	case F_PERFORMED:
		return en->performed;
	case F_EXPIRES:
		return en->expires;
	case F_PROVIDER:
		return en->provider;
	case F_ATTESTATION:
		return en->attestation;
	case F_SUBMITTED_BY:
		return en->submitted_by;
	case F_REASON:
		return en->reason;
	case F_DISPLAY_NAME:
		return en->display_name;
	case F_VKEY:
		return en->vkey;
	case F_LOGGED:
		return en->logged;
	default:
		return NULL;
	}
}

/* Where an entry is written: text[0..len), at most ENTRY_MAX bytes; over
 * when a write did not fit (and was left out). */
struct writer {
	char text[ENTRY_MAX];
	size_t len;
	bool over;
};

static void put(struct writer *w, const void *p, size_t n)
{
	if (w->over || n > sizeof w->text - w->len) {
		w->over = true;
		return;
	}
	memcpy(w->text + w->len, p, n);
	w->len += n;
}

static void put_str(struct writer *w, const char *s)
{
	put(w, s, strlen(s));
}

/* A number in decimal, as printf writes it: a negative one with its sign,
 * for the parser to refuse. */
static void put_num(struct writer *w, int64_t n)
{
	char d[24], *p = d + sizeof d;
	uint64_t u = n < 0 ? 0 - (uint64_t)n : (uint64_t)n;
	do
		*--p = (char)('0' + u % 10);
	while ((u /= 10) != 0);
	if (n < 0)
		*--p = '-';
	put(w, p, (size_t)(d + sizeof d - p));
}

static void put_hex(struct writer *w, const uint8_t h[HASH_LEN])
{
	char hex[2 * HASH_LEN + 1];
	hex_encode(hex, h, HASH_LEN);
	put(w, hex, 2 * HASH_LEN);
}

/* The line "key value\n" of field f. */
static void write_field(struct writer *w, const struct entry *en, enum field f)
{
	const char *s = field_str(en, f);
	put_str(w, field_names[f]);
	put(w, " ", 1);
	if (s != NULL) {
		put_str(w, s);
	} else {
		switch (f) {
		case F_VENUE_SEQ:
			put_num(w, en->venue_seq);
			break;
		case F_PREV:
			if (en->has_prev)
				put_hex(w, en->prev);
			else
				put(w, "-", 1);
			break;
		case F_INTERVAL_DAYS:
			put_num(w, en->interval_days);
			break;
		case F_DOC:
			put_hex(w, en->doc_sha256);
			put(w, " ", 1);
			put_num(w, en->doc_size);
			put(w, " ", 1);
			put_str(w, en->doc_mime);
			break;
		case F_REVOKES:
			put_num(w, en->revokes);
			break;
		case F_QUORUM:
			put_num(w, en->quorum);
			break;
		default:
			assert(0);
		}
	}
	put(w, "\n", 1);
}

static bool field_equal(const struct entry *a, const struct entry *b,
			enum field f)
{
	const char *sa = field_str(a, f);
	if (sa != NULL)
		return strcmp(sa, field_str(b, f)) == 0;
	switch (f) {
	case F_VENUE_SEQ:
		return a->venue_seq == b->venue_seq;
	case F_PREV:
		return a->has_prev == b->has_prev &&
		       (!a->has_prev ||
			memcmp(a->prev, b->prev, HASH_LEN) == 0);
	case F_INTERVAL_DAYS:
		return a->interval_days == b->interval_days;
	case F_DOC:
		return memcmp(a->doc_sha256, b->doc_sha256, HASH_LEN) == 0 &&
		       a->doc_size == b->doc_size &&
		       strcmp(a->doc_mime, b->doc_mime) == 0;
	case F_REVOKES:
		return a->revokes == b->revokes;
	case F_QUORUM:
		return a->quorum == b->quorum;
	case F_WITNESS:
		if (a->nwitnesses != b->nwitnesses)
			return false;
		for (int i = 0; i < a->nwitnesses; i++) {
			const struct entry_witness *x = &a->witnesses[i];
			const struct entry_witness *y = &b->witnesses[i];
			if (strcmp(x->text, y->text) != 0 ||
			    strcmp(x->text + x->url, y->text + y->url) != 0)
				return false;
		}
		return true;
	default:
		return false;
	}
}

enum status entry_format(const struct entry *en, struct buf *out, struct err *e)
{
	struct writer w;
	struct entry back;
	const struct slot *o;
	size_t n;
	enum status st;

	if ((unsigned)en->kind >= ARRAY_LEN(kinds))
		return err_set(e, ST_INVALID, "unknown kind %d", (int)en->kind);
	if (en->kind == ENTRY_WITNESS_POLICY &&
	    (en->nwitnesses < 0 || en->nwitnesses > ENTRY_WITNESSES_MAX))
		return err_set(e, ST_INVALID,
			       "witness: %d witnesses, not 0 to %d",
			       en->nwitnesses, ENTRY_WITNESSES_MAX);
	if (!strings_terminated(en))
		return err_set(e, ST_INVALID,
			       "a string field is not terminated");
	o = kinds[en->kind].order;
	n = kinds[en->kind].n;
	w.len = 0;
	w.over = false;
	put_str(&w, ENTRY_HEAD);
	for (size_t i = 0; i < n; i++) {
		if (o[i].f == F_WITNESS) {
			for (int j = 0; j < en->nwitnesses; j++) {
				const struct entry_witness *x =
					&en->witnesses[j];
				put_str(&w, "witness ");
				put_str(&w, x->text);
				put(&w, " ", 1);
				put_str(&w, x->text + x->url);
				put(&w, "\n", 1);
			}
			continue;
		}
		if (o[i].optional && field_str(en, o[i].f)[0] == 0)
			continue;
		write_field(&w, en, o[i].f);
	}
	if (w.over)
		return err_set(e, ST_TOO_LARGE,
			       "entry would be more than %d bytes", ENTRY_MAX);
	if ((st = entry_parse(w.text, w.len, &back, e)) != ST_OK)
		return st;
	for (size_t i = 0; i < n; i++)
		if (!field_equal(en, &back, o[i].f))
			return err_set(e, ST_INVALID,
				       "%s: does not parse back to the same "
				       "value",
				       field_names[o[i].f]);
	if ((st = buf_append(out, w.text, w.len)) != ST_OK)
		err_set(e, st, "entry: %s", status_str(st));
	return st;
}
