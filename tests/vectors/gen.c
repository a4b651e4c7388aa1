/*
 * gen.c: writes tests/vectors, the verification vectors that the C verifier
 * and verify.js both run (DESIGN.md "Test vectors").
 *
 *   vectors-gen DIR     writes DIR/index.json and, per vector,
 *                       DIR/<name>/bundle.json (and DIR/<name>/docs/)
 *
 * A vector is a venue bundle of a log built here in memory, as the tests of
 * verify.c build theirs: a log key, provider keys and every date fixed,
 * entries written by entry_format (or as raw text, for entries the log
 * would never write), the tree grown with merkle_range_push, proofs from
 * merkle_prove_inclusion and a checkpoint signed with note_sign; then the
 * log is built wrong, or the bundle tampered with, in one way.  With it goes
 * the verdict that DESIGN.md's rules give: valid, or the rules that fail
 * with a piece of each failed check's detail, and where rule 7 is the
 * point, the newest valid sanitization.  The verdicts are written here from
 * the rules, never taken from a verifier.
 *
 * Seeds, names and dates are constants, Ed25519 signatures deterministic,
 * and the JSON is written by jansson as bundle_format writes it, so every
 * run writes the same bytes: make vectors-check compares a fresh run with
 * the committed vectors.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>
#include <sodium.h>

#include "core/attest.h"
#include "core/bundle.h"
#include "core/codec.h"
#include "core/entry.h"
#include "core/merkle.h"
#include "core/note.h"
#include "core/witness.h"

#define VENUE	 "k7m2q9xa"
#define ORIGIN	 "vectors.sanilog.example/log"
#define TODAY	 "2026-02-10"
#define NOW_TIME "T12:00:00Z" /* the time of day of every vector's now */
#define NOW	 TODAY NOW_TIME
#define MAXLOG	 512
#define MAXDOCS	 16
#define MAXFAILS 4
#define DOC_MAX	 96

/* Where a log entry goes in the bundle. */
enum place {
	NOWHERE,
	ENTRIES,
	PROVIDERS,
	POLICY,
};

/* How a document is written into the vector's docs folder. */
enum doc_mode {
	DOC_OK,
	DOC_OMIT,	 /* not there */
	DOC_OTHER_BYTES, /* the same length, one byte changed */
	DOC_LONGER,	 /* the bytes and more */
	DOC_ONE_MORE,	 /* the bytes and one more */
};

struct keys {
	struct note_signer *log;      /* the log, ORIGIN */
	struct note_signer *impostor; /* another key named ORIGIN */
	struct note_signer *witness;  /* witness.example, known to no one */
	struct note_signer *clean;    /* cleanco.example, K1 */
	struct note_signer *clean2;   /* cleanco.example, K2 */
	struct note_signer *rogue;    /* rogue.example, never logged */
	struct note_signer *spot;     /* spotless.example */
	struct note_signer *w[4];     /* witnesses w1 to w4.witness.example */
};

struct doc {
	uint8_t sha[HASH_LEN];
	uint8_t data[DOC_MAX];
	size_t len;
	enum doc_mode mode;
};

struct world {
	const struct keys *k;
	struct merkle_range mr;
	uint8_t (*stored)[HASH_LEN];
	size_t nstored;
	char *text[MAXLOG];
	size_t len[MAXLOG];
	enum place place[MAXLOG];
	int64_t n;
	int64_t seq;		/* next venue-seq of VENUE */
	uint8_t last[HASH_LEN]; /* leaf hash of VENUE's newest entry */
	int fillers;
	struct doc docs[MAXDOCS];
	size_t ndocs;
};

/* A witness's cosignature line on the checkpoint (rule 10). */
struct cosig {
	const struct note_signer *by; /* NULL ends the list */
	int64_t ago;		      /* seconds before NOW (negative: after) */
	bool flip;		      /* one base64 character changed */
};

#define MAXCOSIGS 5

/* How the checkpoint is signed (all zero: as the log signs it). */
struct cpspec {
	const struct note_signer *signer; /* NULL: the log key */
	const char *origin;		  /* NULL: ORIGIN */
	const char *size;		  /* NULL: the tree's size */
	bool flip_root;
	const char *ext;   /* an extension line */
	bool witness;	   /* a second signature, by the witness key */
	bool witness_only; /* signed by the witness key only */
	bool flip_sig;	   /* one base64 character of the signature changed */
	const char *raw;   /* the whole checkpoint text instead */
	struct cosig cosig[MAXCOSIGS]; /* cosignatures after the log's */
};

struct fail {
	int rule;
	const char *detail; /* NULL ends the list */
};

struct vec {
	const char *name;
	const char *about;
	const char *today; /* NULL: TODAY */
	bool unpinned;	   /* no expected log key */
	struct fail fails[MAXFAILS];
	/* Where the verifiers that check only the newest entry's proof (the
	 * page, the server page) find otherwise: their verdict. */
	bool page_differs;
	struct fail page[MAXFAILS];
	/* Rule 7's result is part of the expectation. */
	bool fresh;
	int64_t latest; /* venue-seq, -1 for none */
	bool overdue;
	bool expired;
	const char *next_due; /* YYYY-MM-DD; NULL with no latest */
	/* No valid sanitization, but a revoked one: the venue's certificate
	 * was revoked (the page says so), rather than never logged. */
	bool revoked_only;
	/* Rule 10: the tree size the verifier saw before (a pin's n; 0:
	 * none), and what the policy lost since, when it did. */
	int64_t since;
	bool changed;
	const char *removed[4]; /* names, NULL ends */
	int quorum_before, quorum_now;
};

struct gen {
	const char *dir;
	struct keys k;
	struct world w;
	json_t *root; /* the bundle, as JSON to tamper with */
	char *raw;    /* or the bundle's whole text */
	bool docs;    /* write the docs folder */
	json_t *index;
	int nvalid;
	int per_rule[11];
};

static void die(const char *fmt, ...)
	__attribute__((format(printf, 1, 2), noreturn));

static void die(const char *fmt, ...)
{
	va_list ap;

	fputs("vectors-gen: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(2);
}

static void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (p == NULL)
		die("out of memory");
	return p;
}

static char *xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;

	return memcpy(xmalloc(n), s, n);
}

/* ---- keys ---- */

static struct note_signer *signer(const char *name, uint8_t v)
{
	uint8_t seed[32];
	struct note_signer *s = NULL;
	struct err e;

	memset(seed, v, sizeof seed);
	if (note_signer_from_seed(name, seed, &s, &e) != ST_OK)
		die("key %s: %s", name, e.msg);
	return s;
}

static void keys_make(struct keys *k)
{
	k->log = signer(ORIGIN, 1);
	k->impostor = signer(ORIGIN, 2);
	k->witness = signer("witness.example", 3);
	k->clean = signer("cleanco.example", 4);
	k->clean2 = signer("cleanco.example", 5);
	k->rogue = signer("rogue.example", 6);
	k->spot = signer("spotless.example", 7);
	for (int i = 0; i < 4; i++) {
		char name[32];
		snprintf(name, sizeof name, "w%d.witness.example", i + 1);
		k->w[i] = signer(name, (uint8_t)(8 + i));
	}
}

static void keys_free(struct keys *k)
{
	note_signer_free(k->log);
	note_signer_free(k->impostor);
	note_signer_free(k->witness);
	note_signer_free(k->clean);
	note_signer_free(k->clean2);
	note_signer_free(k->rogue);
	note_signer_free(k->spot);
	for (int i = 0; i < 4; i++)
		note_signer_free(k->w[i]);
}

/* The verifier key text of s into out (NOTE_VKEY_MAX + 1 bytes). */
static void vkey_of(const struct note_signer *s, char *out)
{
	struct note_verifier v;

	note_signer_verifier(s, &v);
	note_verifier_format(&v, out, NOTE_VKEY_MAX + 1);
}

/* ---- the log ---- */

static void w_free(struct world *w)
{
	for (int64_t i = 0; i < w->n; i++)
		free(w->text[i]);
	free(w->stored);
	memset(w, 0, sizeof *w);
}

static void w_reset(struct world *w, const struct keys *k)
{
	w_free(w);
	w->k = k;
	merkle_range_init(&w->mr);
	w->stored = xmalloc(2 * MAXLOG * sizeof *w->stored);
}

static enum status w_read(void *ctx, const int64_t *indexes, size_t count,
			  uint8_t (*out)[HASH_LEN])
{
	struct world *w = ctx;

	for (size_t i = 0; i < count; i++) {
		if (indexes[i] < 0 || (size_t)indexes[i] >= w->nstored)
			return ST_INTERNAL;
		memcpy(out[i], w->stored[indexes[i]], HASH_LEN);
	}
	return ST_OK;
}

/* Appends text as the next log entry; returns its index. */
static int64_t w_put(struct world *w, const char *text, size_t len,
		     enum place p)
{
	uint8_t leaf[HASH_LEN];
	uint8_t st[MERKLE_MAX_PROOF][HASH_LEN];
	size_t c = 0;

	if (w->n >= MAXLOG)
		die("more than %d log entries", MAXLOG);
	merkle_leaf_hash(leaf, text, len);
	merkle_range_push(&w->mr, leaf, st, &c);
	memcpy(w->stored[w->nstored], st, c * HASH_LEN);
	w->nstored += c;
	w->text[w->n] = xmalloc(len + 1);
	memcpy(w->text[w->n], text, len);
	w->text[w->n][len] = 0;
	w->len[w->n] = len;
	w->place[w->n] = p;
	return w->n++;
}

/* Makes entry i the newest of VENUE's chain. */
static void w_link(struct world *w, int64_t i)
{
	merkle_leaf_hash(w->last, w->text[i], w->len[i]);
	w->seq++;
}

/* The entry's text, new. */
static char *format(const struct entry *en)
{
	struct buf t;
	struct err e;
	size_t len;
	char *s;

	buf_init(&t, ENTRY_MAX);
	if (entry_format(en, &t, &e) != ST_OK)
		die("entry_format: %s", e.msg);
	len = t.len;
	s = xmalloc(len + 1);
	memcpy(s, t.data, len);
	s[len] = 0;
	buf_free(&t);
	return s;
}

/* Appends en; an entry of VENUE in the bundle's entries extends its
 * chain. */
static int64_t w_add(struct world *w, const struct entry *en, enum place p)
{
	char *t = format(en);
	int64_t i = w_put(w, t, strlen(t), p);

	free(t);
	if (p == ENTRIES && en->kind <= ENTRY_REVOCATION &&
	    strcmp(en->venue, VENUE) == 0)
		w_link(w, i);
	return i;
}

/* The venue lines of VENUE's next entry. */
static void w_chain(struct world *w, struct entry *en, enum entry_kind k,
		    const char *logged)
{
	memset(en, 0, sizeof *en);
	en->kind = k;
	memcpy(en->venue, VENUE, sizeof en->venue);
	en->venue_seq = w->seq;
	en->has_prev = w->seq > 0;
	memcpy(en->prev, w->last, HASH_LEN);
	snprintf(en->logged, sizeof en->logged, "%s", logged);
}

/* Another venue's first entry (place NOWHERE: not in the bundle). */
static int64_t w_filler(struct world *w, const char *logged, enum place p)
{
	struct entry en;
	int f = w->fillers++;

	memset(&en, 0, sizeof en);
	en.kind = ENTRY_VENUE;
	memcpy(en.venue, "fzzzzzzz", sizeof en.venue);
	for (int i = 0; i < 3; i++)
		en.venue[VENUE_ID_LEN - 1 - i] =
			VENUE_ALPHABET[(f >> (5 * i)) & 31];
	snprintf(en.name, sizeof en.name, "Palestra %d", f);
	snprintf(en.address, sizeof en.address, "Via Po %d, Torino", f + 1);
	en.interval_days = 30;
	snprintf(en.logged, sizeof en.logged, "%s", logged);
	return w_add(w, &en, p);
}

static int64_t w_venue(struct world *w, const char *name, int interval,
		       const char *logged)
{
	struct entry en;

	w_chain(w, &en, ENTRY_VENUE, logged);
	snprintf(en.name, sizeof en.name, "%s", name);
	snprintf(en.address, sizeof en.address, "Via Roma 1, 00185 Roma");
	en.interval_days = interval;
	return w_add(w, &en, ENTRIES);
}

static void pkey_entry(struct entry *en, const struct note_signer *s,
		       const char *logged)
{
	struct note_verifier v;

	note_signer_verifier(s, &v);
	memset(en, 0, sizeof *en);
	en->kind = ENTRY_PROVIDER_KEY;
	snprintf(en->name, sizeof en->name, "%s", v.name);
	snprintf(en->display_name, sizeof en->display_name, "%s",
		 strcmp(v.name, "cleanco.example") == 0 ? "CleanCo S.r.l."
							: "Spotless S.p.A.");
	note_verifier_format(&v, en->vkey, sizeof en->vkey);
	snprintf(en->logged, sizeof en->logged, "%s", logged);
}

static int64_t w_pkey(struct world *w, const struct note_signer *s,
		      const char *logged, enum place p)
{
	struct entry en;

	pkey_entry(&en, s, logged);
	return w_add(w, &en, p);
}

static int64_t w_prevoke(struct world *w, const char *name, const char *logged,
			 enum place p)
{
	struct entry en;

	memset(&en, 0, sizeof en);
	en.kind = ENTRY_PROVIDER_REVOKE;
	snprintf(en.name, sizeof en.name, "%s", name);
	snprintf(en.reason, sizeof en.reason, "key lost");
	snprintf(en.logged, sizeof en.logged, "%s", logged);
	return w_add(w, &en, p);
}

/* Witnesses' verifier keys (tests/unit/test_entry.c's). */
#define WKEY1                                                                  \
	"witness.example/w1+e75f6532+BAOhB7/"                                  \
	"zzhC+HXDdGOdLwJln5NYwm6UNXx3chmQSVTG4"
#define WKEY2 "w2.example+331354d4+BCVDuS/xCVURR2rcg2nbbdyTNmWhGXjdoUBO4QZsqVWd"

/* A witness policy of quorum 2, WKEY1 and WKEY2, logged then, as text
 * (for form_vectors to bend). */
static const char policy_text[] = "sanilog-entry v1\n"
				  "kind witness-policy\n"
				  "quorum 2\n"
				  "witness " WKEY1 " https://w1.example\n"
				  "witness " WKEY2 " https://w2.example\n"
				  "logged 2026-01-13T08:00:00Z\n";

/* A witness-policy entry of quorum q and the witnesses ws[0..n). */
static int64_t w_policy(struct world *w, int q, struct note_signer *const *ws,
			int n, const char *logged, enum place p)
{
	struct entry en;

	memset(&en, 0, sizeof en);
	en.kind = ENTRY_WITNESS_POLICY;
	en.quorum = q;
	for (int i = 0; i < n; i++) {
		struct note_verifier v;
		char vkey[NOTE_VKEY_MAX + 1], url[NOTE_NAME_MAX + 16];

		note_signer_verifier(ws[i], &v);
		note_cosigner_format(&v, vkey, sizeof vkey);
		snprintf(url, sizeof url, "https://%s", v.name);
		if (!entry_witness_set(&en.witnesses[i], vkey, url))
			die("witness %d: too long", i);
	}
	en.nwitnesses = n;
	snprintf(en.logged, sizeof en.logged, "%s", logged);
	return w_add(w, &en, p);
}

/* A document to log (zero fields take the defaults said). */
struct docspec {
	const char *type;      /* NULL: sanitization */
	const char *performed; /* YYYY-MM-DD */
	const char *expires;   /* NULL: none */
	const char *mime;      /* NULL: application/pdf */
	const char *bytes_as;  /* the bytes' own type (NULL: mime; "none":
				  neither PDF, PNG nor JPEG) */
	const struct note_signer *signer; /* NULL: no attestation */
	const char *signed_performed;	  /* the attestation signed over this
					     performed instead */
	int64_t size_extra;		  /* added to the doc line's size */
	const char *logged;
};

/* The bytes of document number no, of type mime. */
static void make_bytes(struct doc *d, const char *mime, size_t no)
{
	static const uint8_t png[] = {0x89, 'P',  'N',	'G',
				      0x0d, 0x0a, 0x1a, 0x0a};
	static const uint8_t jpeg[] = {0xff, 0xd8, 0xff, 0xe0};
	size_t n;

	if (strcmp(mime, "image/png") == 0) {
		memcpy(d->data, png, sizeof png);
		n = sizeof png;
	} else if (strcmp(mime, "image/jpeg") == 0) {
		memcpy(d->data, jpeg, sizeof jpeg);
		n = sizeof jpeg;
	} else if (strcmp(mime, "application/pdf") == 0) {
		memcpy(d->data, "%PDF-1.7\n", 9);
		n = 9;
	} else {
		memcpy(d->data, "GIF89a\n", 7);
		n = 7;
	}
	n += (size_t)snprintf((char *)d->data + n, sizeof d->data - n,
			      "sanilog test vector document %zu\n", no);
	d->len = n;
	d->mode = DOC_OK;
	sha256(d->sha, d->data, d->len);
}

/* Fills en with VENUE's next document (its bytes kept in w->docs). */
static void doc_entry(struct world *w, const struct docspec *ds,
		      struct entry *en)
{
	const char *mime = ds->mime ? ds->mime : "application/pdf";
	const char *type = ds->type ? ds->type : "sanitization";
	struct doc *d;

	if (w->ndocs >= MAXDOCS)
		die("more than %d documents", MAXDOCS);
	d = &w->docs[w->ndocs];
	make_bytes(d, ds->bytes_as ? ds->bytes_as : mime, w->ndocs);
	w->ndocs++;
	w_chain(w, en, ENTRY_DOCUMENT, ds->logged);
	snprintf(en->type, sizeof en->type, "%s", type);
	snprintf(en->title, sizeof en->title, "%s %s",
		 strcmp(type, "sanitization") == 0 ? "Sanificazione"
						   : "Documento",
		 ds->performed);
	snprintf(en->performed, sizeof en->performed, "%s", ds->performed);
	snprintf(en->expires, sizeof en->expires, "%s",
		 ds->expires ? ds->expires : "");
	memcpy(en->doc_sha256, d->sha, HASH_LEN);
	en->doc_size = (int64_t)d->len + ds->size_extra;
	snprintf(en->doc_mime, sizeof en->doc_mime, "%s", mime);
	snprintf(en->submitted_by, sizeof en->submitted_by, "owner");
	if (ds->signer != NULL) {
		struct attest_fields f;
		struct note_verifier v;
		struct buf note;
		struct err e;
		char line[256];

		f.venue = VENUE;
		memcpy(f.doc, d->sha, HASH_LEN);
		f.type = type;
		f.performed = ds->signed_performed ? ds->signed_performed
						   : ds->performed;
		f.expires = en->expires;
		note_signer_verifier(ds->signer, &v);
		buf_init(&note, 4096);
		if (attest_sign(ds->signer, &f, &note, &e) != ST_OK ||
		    attest_from_note((const char *)note.data, note.len, &f, &v,
				     line, sizeof line, &e) != ST_OK)
			die("attestation: %s", e.msg);
		buf_free(&note);
		snprintf(en->provider, sizeof en->provider, "%s", v.name);
		if (strlen(line) >= sizeof en->attestation)
			die("attestation line too long");
		memcpy(en->attestation, line, strlen(line) + 1);
	}
}

static int64_t w_doc(struct world *w, const struct docspec *ds)
{
	struct entry en;

	doc_entry(w, ds, &en);
	return w_add(w, &en, ENTRIES);
}

static void revoke_entry(struct world *w, int64_t revokes, const char *logged,
			 struct entry *en)
{
	w_chain(w, en, ENTRY_REVOCATION, logged);
	en->revokes = revokes;
	snprintf(en->reason, sizeof en->reason, "wrong file, venue-seq %d",
		 (int)revokes);
	snprintf(en->submitted_by, sizeof en->submitted_by, "operator");
}

static int64_t w_revoke(struct world *w, int64_t revokes, const char *logged)
{
	struct entry en;

	revoke_entry(w, revokes, logged, &en);
	return w_add(w, &en, ENTRIES);
}

/* text with its first `from` replaced by `to`; new. */
static char *subst(const char *text, const char *from, const char *to)
{
	const char *at = strstr(text, from);
	size_t a, f = strlen(from), t = strlen(to);
	char *s;

	if (at == NULL)
		die("subst: no \"%s\" in the entry", from);
	a = (size_t)(at - text);
	s = xmalloc(strlen(text) - f + t + 1);
	memcpy(s, text, a);
	memcpy(s + a, to, t);
	memcpy(s + a + t, at + f, strlen(at + f) + 1);
	return s;
}

/* Appends en's text with `from` replaced by `to`, as a raw entry at p. */
static int64_t w_bent(struct world *w, const struct entry *en, const char *from,
		      const char *to, enum place p)
{
	char *t = format(en);
	char *s = subst(t, from, to);
	int64_t i = w_put(w, s, strlen(s), p);

	free(t);
	free(s);
	return i;
}

/*
 * The worlds.  The base world, by log index:
 *   0 filler (another venue)       1 provider-key cleanco.example K1
 *   2 venue-seq 0: venue Bar Roma, 30 days
 *   3 venue-seq 1: sanitization performed 2026-01-10, expires 2026-07-10,
 *     PDF, attested by K1
 *   4 filler                       5 venue-seq 2: protocol, PNG
 *   6 venue-seq 3: sanitization performed 2026-02-01, JPEG
 *   7 venue-seq 4: revocation of venue-seq 3
 *   8 venue-seq 5: venue Bar Roma Nuovo, 45 days
 *   9 filler
 * On TODAY its newest valid sanitization is venue-seq 1, 31 days old.
 * The plain world is the same without K1 and the attestation.
 */
static void head(struct world *w, bool provider)
{
	w_filler(w, "2025-12-01T08:00:00Z", NOWHERE);
	if (provider)
		w_pkey(w, w->k->clean, "2025-12-02T08:00:00Z", PROVIDERS);
	w_venue(w, "Bar Roma", 30, "2026-01-01T10:00:00Z");
}

static struct docspec doc1(const struct note_signer *s)
{
	return (struct docspec){
		.performed = "2026-01-10",
		.expires = "2026-07-10",
		.signer = s,
		.logged = "2026-01-11T09:00:00Z",
	};
}

static struct docspec doc2(void)
{
	return (struct docspec){
		.type = "protocol",
		.performed = "2026-01-05",
		.mime = "image/png",
		.logged = "2026-01-15T12:00:00Z",
	};
}

static struct docspec doc3(void)
{
	return (struct docspec){
		.performed = "2026-02-01",
		.mime = "image/jpeg",
		.logged = "2026-02-02T08:00:00Z",
	};
}

/* Index 4 on: filler, venue-seq 2 to 5, filler. */
static void tail_from2(struct world *w)
{
	struct docspec d2 = doc2(), d3 = doc3();

	w_doc(w, &d2);
	w_doc(w, &d3);
	w_revoke(w, 3, "2026-02-03T08:00:00Z");
	w_venue(w, "Bar Roma Nuovo", 45, "2026-02-04T08:00:00Z");
	w_filler(w, "2026-02-05T08:00:00Z", NOWHERE);
}

static void tail(struct world *w)
{
	w_filler(w, "2026-01-13T08:00:00Z", NOWHERE);
	tail_from2(w);
}

/* The base world with d1 for its venue-seq 1. */
static void base_with(struct world *w, const struct docspec *d1)
{
	head(w, true);
	w_doc(w, d1);
	tail(w);
}

static void base(struct world *w)
{
	struct docspec d1 = doc1(w->k->clean);

	base_with(w, &d1);
}

static void plain(struct world *w)
{
	struct docspec d1 = doc1(NULL);

	head(w, false);
	w_doc(w, &d1);
	tail(w);
}

/* ---- the checkpoint and the bundle ---- */

/* Changes the base64 character at p to another that keeps the encoding
 * canonical (p is not the last character before the padding). */
static void flip_b64(char *p)
{
	*p = *p == 'A' ? 'B' : 'A';
}

static void checkpoint_note(struct gen *g, const struct cpspec *cs,
			    struct buf *out)
{
	struct world *w = &g->w;
	uint8_t root[HASH_LEN];
	char b64[64], size[24];
	struct buf text;
	struct err e;

	if (cs->raw != NULL) {
		buf_append_str(out, cs->raw);
		return;
	}
	merkle_range_root(&w->mr, root);
	if (cs->flip_root)
		root[5] ^= 0x40;
	b64_encode(b64, sizeof b64, root, HASH_LEN, B64_STD);
	snprintf(size, sizeof size, "%" PRId64, w->n);
	buf_init(&text, 4096);
	buf_printf(&text, "%s\n%s\n%s\n", cs->origin ? cs->origin : ORIGIN,
		   cs->size ? cs->size : size, b64);
	if (cs->ext != NULL)
		buf_printf(&text, "%s\n", cs->ext);
	if (note_sign(cs->witness_only ? g->k.witness
		      : cs->signer     ? cs->signer
				       : g->k.log,
		      (const char *)text.data, text.len, out, &e) != ST_OK)
		die("note_sign: %s", e.msg);
	if (cs->flip_sig)
		flip_b64((char *)out->data + out->len - 20);
	if (cs->witness) {
		struct buf other;

		buf_init(&other, 4096);
		if (note_sign(g->k.witness, (const char *)text.data, text.len,
			      &other, &e) != ST_OK)
			die("note_sign: %s", e.msg);
		/* its signature line, after the text and the blank line */
		buf_append(out, other.data + text.len + 1,
			   other.len - text.len - 1);
		buf_free(&other);
	}
	for (int i = 0; i < MAXCOSIGS && cs->cosig[i].by != NULL; i++) {
		int64_t t = entry_time_seconds(NOW) - cs->cosig[i].ago;

		if (cosig_line(cs->cosig[i].by, (const char *)text.data,
			       text.len, (uint64_t)t, out, &e) != ST_OK)
			die("cosig_line: %s", e.msg);
		if (cs->cosig[i].flip)
			flip_b64((char *)out->data + out->len - 20);
	}
	buf_free(&text);
}

/* Signs the checkpoint of the whole log and makes the bundle, g->root. */
static void seal(struct gen *g, const struct cpspec *cs)
{
	static const struct cpspec none;
	struct world *w = &g->w;
	struct bundle *b = NULL;
	struct buf cp, json;
	json_error_t jerr;
	char vkey[NOTE_VKEY_MAX + 1];

	if (cs == NULL)
		cs = &none;
	buf_init(&cp, 1 << 16);
	checkpoint_note(g, cs, &cp);
	vkey_of(g->k.log, vkey);
	if (bundle_new(ORIGIN, vkey, buf_str(&cp), VENUE, &b) != ST_OK)
		die("bundle_new");
	buf_free(&cp);
	for (int64_t i = 0; i < w->n; i++) {
		uint8_t proof[MERKLE_MAX_PROOF][HASH_LEN];
		size_t plen = 0;

		if (w->place[i] == NOWHERE)
			continue;
		if (merkle_prove_inclusion(i, w->n, w_read, w, proof, &plen) !=
			    ST_OK ||
		    bundle_add(b,
			       w->place[i] == PROVIDERS ? BUNDLE_PROVIDERS
			       : w->place[i] == POLICY	? BUNDLE_POLICY
							: BUNDLE_ENTRIES,
			       i, w->text[i], w->len[i],
			       (const uint8_t(*)[HASH_LEN])proof,
			       plen) != ST_OK)
			die("bundle item %" PRId64, i);
	}
	buf_init(&json, BUNDLE_MAX);
	if (bundle_format(b, &json) != ST_OK)
		die("bundle_format");
	g->root = json_loadb((const char *)json.data, json.len, 0, &jerr);
	if (g->root == NULL)
		die("bundle JSON: %s", jerr.text);
	buf_free(&json);
	bundle_free(b);
}

/* ---- tampering with the bundle ---- */

/* Item i of the array (negative: from the end). */
static json_t *item(struct gen *g, const char *arr, int i)
{
	json_t *a = json_object_get(g->root, arr);
	size_t n = json_array_size(a);
	size_t at = i < 0 ? n - (size_t)-i : (size_t)i;
	json_t *it = json_array_get(a, at);

	if (it == NULL)
		die("no %s[%d]", arr, i);
	return it;
}

static json_t *proof_of(struct gen *g, const char *arr, int i)
{
	return json_object_get(item(g, arr, i), "proof");
}

/* Flips a bit of hash j of the item's proof. */
static void proof_flip(struct gen *g, const char *arr, int i, size_t j)
{
	json_t *h = json_array_get(proof_of(g, arr, i), j);
	char s[64];

	if (h == NULL)
		die("no proof hash %zu in %s[%d]", j, arr, i);
	snprintf(s, sizeof s, "%s", json_string_value(h));
	flip_b64(s + 10);
	json_array_set_new(proof_of(g, arr, i), j, json_string(s));
}

static void proof_drop_last(struct gen *g, const char *arr, int i)
{
	json_t *p = proof_of(g, arr, i);

	json_array_remove(p, json_array_size(p) - 1);
}

/* Appends the base64 of a hash made from text. */
static void proof_append(struct gen *g, const char *arr, int i,
			 const char *text)
{
	uint8_t h[HASH_LEN];
	char s[64];

	sha256(h, text, strlen(text));
	b64_encode(s, sizeof s, h, HASH_LEN, B64_STD);
	json_array_append_new(proof_of(g, arr, i), json_string(s));
}

static void proof_set(struct gen *g, const char *arr, int i, json_t *proof)
{
	json_object_set_new(item(g, arr, i), "proof", proof);
}

static void set_index(struct gen *g, const char *arr, int i, int64_t index)
{
	json_object_set_new(item(g, arr, i), "index", json_integer(index));
}

static void set_entry(struct gen *g, const char *arr, int i, const char *text)
{
	json_object_set_new(item(g, arr, i), "entry", json_string(text));
}

static void set_str(struct gen *g, const char *key, const char *value)
{
	json_object_set_new(g->root, key, json_string(value));
}

static void swap_items(struct gen *g, const char *arr, int i, int j)
{
	json_t *a = json_object_get(g->root, arr);
	json_t *x = json_incref(item(g, arr, i));
	json_t *y = json_incref(item(g, arr, j));

	json_array_set_new(a, (size_t)i, y);
	json_array_set_new(a, (size_t)j, x);
}

static void set_raw(struct gen *g, const char *text)
{
	json_decref(g->root);
	g->root = NULL;
	free(g->raw);
	g->raw = xstrdup(text);
}

/* ---- writing a vector ---- */

/* dir/name into out (4096 bytes). */
static void join(char *out, const char *dir, const char *name)
{
	if (snprintf(out, 4096, "%s/%s", dir, name) >= 4096)
		die("%s/%s: path too long", dir, name);
}

static void make_dir(const char *path)
{
	if (mkdir(path, 0755) != 0 && errno != EEXIST)
		die("%s: %s", path, strerror(errno));
}

static void write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	if (f == NULL || fwrite(data, 1, len, f) != len || fclose(f) != 0)
		die("%s: cannot write", path);
}

static json_t *fails_json(const struct fail *f)
{
	json_t *a = json_array();

	for (size_t i = 0; i < MAXFAILS && f[i].detail != NULL; i++)
		json_array_append_new(a,
				      json_pack("{s:i, s:s}", "rule", f[i].rule,
						"detail", f[i].detail));
	return a;
}

static json_t *expect_json(const struct fail *f, const struct vec *v)
{
	json_t *o = json_pack("{s:b, s:o}", "valid", f[0].detail == NULL,
			      "fails", fails_json(f));

	if (v != NULL && v->fresh) {
		json_object_set_new(o, "latest",
				    v->latest < 0 ? json_null()
						  : json_integer(v->latest));
		json_object_set_new(o, "overdue", json_boolean(v->overdue));
		json_object_set_new(o, "expired", json_boolean(v->expired));
		json_object_set_new(o, "next_due",
				    v->next_due != NULL
					    ? json_string(v->next_due)
					    : json_null());
		json_object_set_new(o, "revoked_only",
				    json_boolean(v->revoked_only));
	}
	return o;
}

/* Rule 10's policy change the vector expects, or null. */
static json_t *change_json(const struct vec *v)
{
	json_t *removed;

	if (!v->changed)
		return json_null();
	removed = json_array();
	for (size_t i = 0; i < 4 && v->removed[i] != NULL; i++)
		json_array_append_new(removed, json_string(v->removed[i]));
	return json_pack("{s:I, s:o, s:i, s:i}", "since", (json_int_t)v->since,
			 "removed", removed, "quorum_before", v->quorum_before,
			 "quorum_now", v->quorum_now);
}

static void write_docs(struct gen *g, const char *dir)
{
	char path[4096], hex[2 * HASH_LEN + 1];
	size_t written = 0;

	make_dir(dir);
	for (size_t i = 0; i < g->w.ndocs; i++) {
		struct doc d = g->w.docs[i];

		if (d.mode == DOC_OMIT)
			continue;
		written++;
		if (d.mode == DOC_OTHER_BYTES)
			d.data[d.len - 3] ^= 0x20;
		if (d.mode == DOC_LONGER) {
			memcpy(d.data + d.len, "more\n", 5);
			d.len += 5;
		}
		if (d.mode == DOC_ONE_MORE)
			d.data[d.len++] = '\n';
		hex_encode(hex, d.sha, HASH_LEN);
		join(path, dir, hex);
		write_file(path, d.data, d.len);
	}
	/* git keeps no empty folder: a folder without documents holds a
	 * file that names none. */
	if (written == 0) {
		join(path, dir, "EMPTY");
		write_file(path, "no documents\n", 13);
	}
}

/* Writes the vector (the world sealed as the log signs it, unless it was
 * sealed already) and adds it to the index; then starts a new world. */
static void emit(struct gen *g, const struct vec *v)
{
	char vdir[4096], path[4096];
	bool seen[11] = {false};
	char now[32];
	json_t *o;

	if (g->root == NULL && g->raw == NULL)
		seal(g, NULL);

	join(vdir, g->dir, v->name);
	make_dir(vdir);
	join(path, vdir, "bundle.json");
	if (g->root != NULL) {
		char *t = json_dumps(g->root,
				     JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		size_t n;

		if (t == NULL)
			die("%s: json_dumps", v->name);
		n = strlen(t);
		t = realloc(t, n + 2);
		if (t == NULL)
			die("out of memory");
		t[n] = '\n';
		write_file(path, t, n + 1);
		free(t);
	} else {
		write_file(path, g->raw, strlen(g->raw));
	}
	if (g->docs) {
		join(path, vdir, "docs");
		write_docs(g, path);
	}

	o = json_pack("{s:s, s:s}", "name", v->name, "about", v->about);
	if (!v->unpinned) {
		char vkey[NOTE_VKEY_MAX + 1];
		vkey_of(g->k.log, vkey);
		json_object_set_new(o, "key", json_string(vkey));
	}
	json_object_set_new(o, "today",
			    json_string(v->today ? v->today : TODAY));
	snprintf(now, sizeof now, "%s" NOW_TIME, v->today ? v->today : TODAY);
	json_object_set_new(o, "now", json_string(now));
	if (v->since > 0)
		json_object_set_new(o, "since", json_integer(v->since));
	json_object_set_new(o, "docs", json_boolean(g->docs));
	if (v->fresh && (v->latest >= 0) != (v->next_due != NULL))
		die("%s: next_due goes with latest", v->name);
	json_object_set_new(o, "expect", expect_json(v->fails, v));
	if (v->since > 0)
		json_object_set_new(json_object_get(o, "expect"),
				    "policy_change", change_json(v));
	if (v->page_differs)
		json_object_set_new(o, "page", expect_json(v->page, NULL));
	json_array_append_new(g->index, o);

	if (v->fails[0].detail == NULL)
		g->nvalid++;
	for (size_t i = 0; i < MAXFAILS && v->fails[i].detail != NULL; i++)
		seen[v->fails[i].rule] = true;
	for (size_t i = 0; i < MAXFAILS && v->page[i].detail != NULL; i++)
		seen[v->page[i].rule] = true;
	seen[7] = seen[7] || v->fresh;
	seen[4] = seen[4] || g->docs;
	seen[10] = seen[10] || v->since > 0;
	for (int r = 0; r < 11; r++)
		g->per_rule[r] += seen[r];

	json_decref(g->root);
	g->root = NULL;
	free(g->raw);
	g->raw = NULL;
	g->docs = false;
	w_reset(&g->w, &g->k);
}

/* ---- the vectors ---- */

#define FAIL1(r, d) .fails = {{(r), (d)}}

/* Rule 7 and honest logs of every shape. */
static void valid_vectors(struct gen *g)
{
	struct world *w = &g->w;
	char vkey[NOTE_VKEY_MAX + 1];

	base(w);
	emit(g, &(struct vec){
			.name = "valid-base",
			.about = "An honest bundle: a venue, three documents "
				 "(one attested by its provider's key in "
				 "force), a revocation and a venue update, "
				 "among other venues' entries.",
			.fresh = true,
			.latest = 1,
			.next_due = "2026-02-24",
		});

	base(w);
	emit(g, &(struct vec){
			.name = "valid-unpinned",
			.about = "The honest bundle verified with no expected "
				 "log key: the bundle's own key is taken, and "
				 "said to be not pinned.",
			.unpinned = true,
		});

	w_venue(w, "Bar Roma", 30, "2026-01-01T10:00:00Z");
	emit(g,
	     &(struct vec){
		     .name = "valid-one-entry",
		     .about = "A log of one entry, the venue's registration: "
			      "a tree of size 1, an empty proof, no "
			      "documents.",
		     .fresh = true,
		     .latest = -1,
	     });

	head(w, true);
	for (int i = 0; i < 300; i++)
		w_filler(w, "2026-01-02T08:00:00Z", NOWHERE);
	{
		struct docspec d1 = doc1(w->k->clean);
		w_doc(w, &d1);
	}
	tail(w);
	emit(g, &(struct vec){
			.name = "valid-large-tree",
			.about = "The honest bundle in a log of 310 entries: "
				 "proofs of nine hashes.",
			.fresh = true,
			.latest = 1,
			.next_due = "2026-02-24",
		});

	base(w);
	seal(g, &(struct cpspec){.witness = true});
	emit(g,
	     &(struct vec){
		     .name = "valid-witness-cosigned",
		     .about = "The checkpoint carries a second signature, by "
			      "a key the verifier does not know: it is "
			      "ignored.",
	     });

	base(w);
	seal(g, &(struct cpspec){.ext = "witness.example/policy 1"});
	emit(g,
	     &(struct vec){
		     .name = "valid-checkpoint-extension",
		     .about = "The checkpoint has an extension line after its "
			      "root: readers accept and ignore it.",
	     });

	base(w);
	seal(g, &(struct cpspec){.signer = g->k.impostor});
	vkey_of(g->k.impostor, vkey);
	set_str(g, "vkey", vkey);
	emit(g, &(struct vec){
			.name = "valid-other-key-unpinned",
			.about = "Another key of the same name signs the "
				 "checkpoint and is the bundle's vkey; with no "
				 "expected key the bundle is consistent in "
				 "itself.",
			.unpinned = true,
		});

	{
		struct docspec d1 = doc1(NULL);
		w_filler(w, "2025-12-01T08:00:00Z", NOWHERE);
		w_venue(w, "Bar Roma", 30, "2026-01-11T09:00:00Z");
		w_doc(w, &d1);
		w_revoke(w, 1, "2026-01-11T09:00:00Z");
	}
	emit(g,
	     &(struct vec){
		     .name = "valid-logged-equal",
		     .about = "Three entries of the chain logged in the same "
			      "second: logged may stay, never go back.",
		     .fresh = true,
		     .latest = -1,
		     .revoked_only = true,
	     });

	{
		struct docspec d1 = doc1(w->k->clean);
		head(w, true);
		w_doc(w, &d1);
		w_pkey(w, w->k->clean2, "2026-01-12T08:00:00Z", NOWHERE);
		tail(w);
	}
	emit(g, &(struct vec){
			.name = "valid-key-replaced-after-doc",
			.about = "The provider's key K1 attests a document and "
				 "is replaced by K2 later: the key in force at "
				 "the document is K1.",
			.fresh = true,
			.latest = 1,
			.next_due = "2026-02-24",
		});

	{
		struct docspec d1 = doc1(w->k->clean);
		head(w, true);
		w_doc(w, &d1);
		w_prevoke(w, "cleanco.example", "2026-01-12T08:00:00Z",
			  PROVIDERS);
		tail(w);
	}
	emit(g, &(struct vec){
			.name = "valid-provider-revoked-after-doc",
			.about = "The provider's keys are revoked after its "
				 "attested document: the attestation still "
				 "verifies.",
		});

	{
		struct docspec d1 = doc1(w->k->clean2);
		w_filler(w, "2025-12-01T08:00:00Z", NOWHERE);
		w_pkey(w, w->k->clean, "2025-12-02T08:00:00Z", PROVIDERS);
		w_prevoke(w, "cleanco.example", "2025-12-03T08:00:00Z",
			  PROVIDERS);
		w_pkey(w, w->k->clean2, "2025-12-04T08:00:00Z", PROVIDERS);
		w_venue(w, "Bar Roma", 30, "2026-01-01T10:00:00Z");
		w_doc(w, &d1);
		tail(w);
	}
	emit(g, &(struct vec){
			.name = "valid-provider-registered-again",
			.about = "The provider's key K1 is logged and revoked, "
				 "then K2 is logged and attests a document; "
				 "the bundle holds the key each revocation "
				 "ended.",
		});

	{
		struct docspec d1 = doc1(w->k->clean);
		w_filler(w, "2025-12-01T08:00:00Z", NOWHERE);
		w_pkey(w, w->k->clean, "2025-12-02T08:00:00Z", PROVIDERS);
		w_pkey(w, w->k->clean, "2025-12-03T08:00:00Z", PROVIDERS);
		w_venue(w, "Bar Roma", 30, "2026-01-01T10:00:00Z");
		w_doc(w, &d1);
		tail(w);
	}
	emit(g, &(struct vec){
			.name = "attest-provider-key-repeated",
			.about = "The provider's key in force is logged again "
				 "under the same display name, which the log "
				 "refuses to write.",
			FAIL1(5, "this key is already registered, with this "
				 "display name (entry 1)"),
		});

	{
		struct docspec d1 = doc1(w->k->clean);
		w_filler(w, "2025-12-01T08:00:00Z", NOWHERE);
		w_venue(w, "Bar Roma", 30, "2026-01-01T10:00:00Z");
		w_pkey(w, w->k->clean, "2025-12-31T08:00:00Z", PROVIDERS);
		w_doc(w, &d1);
		tail(w);
	}
	emit(g, &(struct vec){
			.name = "chain-logged-before-provider-entry",
			.about = "A provider key is logged after the venue's "
				 "first entry with an earlier time: logged "
				 "goes back along the log.",
			FAIL1(3, "logged 2025-12-31T08:00:00Z is before entry "
				 "1's 2026-01-01T10:00:00Z"),
		});

	{
		struct docspec d1 = doc1(w->k->clean), d2 = doc2();
		head(w, true);
		w_pkey(w, w->k->spot, "2026-01-02T08:00:00Z", PROVIDERS);
		w_doc(w, &d1);
		d2.signer = w->k->spot;
		w_doc(w, &d2);
	}
	emit(g,
	     &(struct vec){
		     .name = "valid-two-providers",
		     .about = "Two documents attested by two providers, each "
			      "by its key in force.",
	     });
}

static void fresh_vectors(struct gen *g)
{
	struct world *w = &g->w;
	struct docspec d;

	base(w);
	emit(g,
	     &(struct vec){
		     .name = "fresh-overdue",
		     .about = "The newest valid sanitization is 81 days old "
			      "on 2026-04-01, past the 45 days of the newest "
			      "venue entry: OVERDUE, not a failure.",
		     .today = "2026-04-01",
		     .fresh = true,
		     .latest = 1,
		     .next_due = "2026-02-24",
		     .overdue = true,
	     });

	base(w);
	emit(g, &(struct vec){
			.name = "fresh-expired",
			.about = "On 2026-08-01 the newest valid sanitization "
				 "is past its expires date and its interval: "
				 "EXPIRED and OVERDUE, not failures.",
			.today = "2026-08-01",
			.fresh = true,
			.latest = 1,
			.next_due = "2026-02-24",
			.overdue = true,
			.expired = true,
		});

	base(w);
	emit(g, &(struct vec){
			.name = "fresh-last-day",
			.about = "On 2026-02-24 the newest valid sanitization "
				 "is exactly 45 days old, the interval: not "
				 "overdue.",
			.today = "2026-02-24",
			.fresh = true,
			.latest = 1,
			.next_due = "2026-02-24",
		});

	base(w);
	emit(g, &(struct vec){
			.name = "fresh-day-after",
			.about = "On 2026-02-25 the newest valid sanitization "
				 "is 46 days old, one past the interval: "
				 "OVERDUE.",
			.today = "2026-02-25",
			.fresh = true,
			.latest = 1,
			.next_due = "2026-02-24",
			.overdue = true,
		});

	base(w);
	emit(g, &(struct vec){
			.name = "fresh-expires-today",
			.about = "On its expires date the sanitization is not "
				 "yet expired (it is overdue).",
			.today = "2026-07-10",
			.fresh = true,
			.latest = 1,
			.next_due = "2026-02-24",
			.overdue = true,
		});

	w_filler(w, "2025-12-01T08:00:00Z", NOWHERE);
	w_venue(w, "Bar Roma", 365, "2026-01-01T10:00:00Z");
	d = (struct docspec){.performed = "2026-01-10",
			     .expires = "2026-01-31",
			     .logged = "2026-01-11T09:00:00Z"};
	w_doc(w, &d);
	emit(g, &(struct vec){
			.name = "fresh-expired-within-interval",
			.about = "A sanitization past its expires date but "
				 "within the venue's 365 days: EXPIRED, not "
				 "overdue.",
			.fresh = true,
			.latest = 1,
			.next_due = "2026-01-31",
			.expired = true,
		});

	head(w, false);
	d = (struct docspec){.performed = "2026-01-20",
			     .logged = "2026-01-21T09:00:00Z"};
	w_doc(w, &d);
	d.logged = "2026-01-22T09:00:00Z";
	w_doc(w, &d);
	emit(g,
	     &(struct vec){
		     .name = "fresh-tie-later-index",
		     .about = "Two sanitizations performed the same day: the "
			      "one of the higher index is the newest.",
		     .fresh = true,
		     .latest = 2,
		     .next_due = "2026-02-19",
	     });

	head(w, false);
	d = (struct docspec){.performed = "2026-01-20",
			     .logged = "2026-01-21T09:00:00Z"};
	w_doc(w, &d);
	d = (struct docspec){.performed = "2026-01-10",
			     .logged = "2026-01-22T09:00:00Z"};
	w_doc(w, &d);
	emit(g, &(struct vec){
			.name = "fresh-performed-not-logged",
			.about = "A sanitization logged later but performed "
				 "earlier is not the newest: performed "
				 "decides.",
			.fresh = true,
			.latest = 1,
			.next_due = "2026-02-19",
		});

	head(w, false);
	d = (struct docspec){.performed = "2026-01-20",
			     .logged = "2026-01-21T09:00:00Z"};
	w_doc(w, &d);
	w_revoke(w, 1, "2026-01-22T09:00:00Z");
	emit(g, &(struct vec){
			.name = "fresh-only-revoked",
			.about = "The venue's only sanitization is revoked: no "
				 "valid sanitization, which is reported, not "
				 "a failure.",
			.fresh = true,
			.latest = -1,
			.revoked_only = true,
		});

	head(w, false);
	d = (struct docspec){.performed = "2026-01-10",
			     .logged = "2026-01-11T09:00:00Z"};
	w_doc(w, &d);
	d = (struct docspec){.performed = "2026-01-20",
			     .logged = "2026-01-21T09:00:00Z"};
	w_doc(w, &d);
	w_revoke(w, 2, "2026-01-22T09:00:00Z");
	emit(g, &(struct vec){
			.name = "fresh-newest-revoked",
			.about = "The newest sanitization is revoked: the one "
				 "before it is the newest valid one, and the "
				 "next is due 30 days after it.",
			.today = "2026-02-01",
			.fresh = true,
			.latest = 1,
			.next_due = "2026-02-09",
		});

	head(w, false);
	d = (struct docspec){.type = "protocol",
			     .performed = "2026-01-20",
			     .logged = "2026-01-21T09:00:00Z"};
	w_doc(w, &d);
	d.type = "disinfection";
	w_doc(w, &d);
	emit(g, &(struct vec){
			.name = "fresh-no-sanitization",
			.about = "Documents of other types only: no valid "
				 "sanitization.",
			.fresh = true,
			.latest = -1,
		});

	head(w, true);
	{
		struct docspec d1 = doc1(w->k->clean), d2 = doc2(), d3 = doc3();
		w_doc(w, &d1);
		w_doc(w, &d2);
		w_doc(w, &d3);
		w_revoke(w, 3, "2026-02-03T08:00:00Z");
		w_venue(w, "Bar Roma Nuovo", 20, "2026-02-04T08:00:00Z");
	}
	emit(g, &(struct vec){
			.name = "fresh-interval-of-newest-venue-entry",
			.about = "The venue update sets 20 days: on "
				 "2026-02-05 the newest valid sanitization, 26 "
				 "days old, is OVERDUE (by the first entry's "
				 "30 days it would not be).",
			.today = "2026-02-05",
			.fresh = true,
			.latest = 1,
			.next_due = "2026-01-30",
			.overdue = true,
		});
}

/* Rule 1: the log key and the checkpoint, on the plain world (no
 * attestation, so that a checkpoint that fails leaves rule 5 alone). */
static void key_vectors(struct gen *g)
{
	struct world *w = &g->w;
	char vkey[NOTE_VKEY_MAX + 1];

	plain(w);
	seal(g, &(struct cpspec){.signer = g->k.impostor});
	emit(g, &(struct vec){
			.name = "key-checkpoint-by-other-key",
			.about = "The checkpoint is signed by another key of "
				 "the log's name, not by the log key.",
			.fails = {{1, "the checkpoint is not signed by the log "
				      "key"},
				  {2, "not checked"}},
		});

	plain(w);
	seal(g, &(struct cpspec){.signer = g->k.impostor});
	emit(g, &(struct vec){
			.name = "key-checkpoint-by-other-key-unpinned",
			.about = "As key-checkpoint-by-other-key with no "
				 "expected key: the bundle's own vkey did not "
				 "sign it either.",
			.unpinned = true,
			.fails = {{1, "not signed by key"}, {2, "not checked"}},
		});

	plain(w);
	seal(g, &(struct cpspec){.signer = g->k.impostor});
	vkey_of(g->k.impostor, vkey);
	set_str(g, "vkey", vkey);
	emit(g,
	     &(struct vec){
		     .name = "key-other-log-pinned",
		     .about = "A whole other log's bundle (its own key signs "
			      "its checkpoint) where the log key is "
			      "expected.",
		     .fails = {{1, "is not the expected log key"},
			       {1, "the checkpoint is not signed by the log "
				   "key"},
			       {2, "not checked"}},
	     });

	plain(w);
	seal(g, NULL);
	vkey_of(g->k.impostor, vkey);
	set_str(g, "vkey", vkey);
	emit(g,
	     &(struct vec){
		     .name = "key-vkey-not-expected",
		     .about = "The checkpoint is the log's, but the bundle's "
			      "vkey is another key: the expected key "
			      "decides.",
		     FAIL1(1, "is not the expected log key"),
	     });

	plain(w);
	seal(g, NULL);
	set_str(g, "origin", "other.example/log");
	emit(g, &(struct vec){
			.name = "key-bundle-origin",
			.about = "The bundle's origin is not its checkpoint's.",
			FAIL1(1, "the bundle's origin other.example/log is not "
				 "the checkpoint's"),
		});

	plain(w);
	seal(g, &(struct cpspec){.origin = "other.example/log"});
	emit(g, &(struct vec){
			.name = "key-checkpoint-origin",
			.about = "The log key signs a checkpoint whose origin "
				 "is not the key's name.",
			.fails = {{1, "origin is not " ORIGIN
				      ", the name of its key"},
				  {2, "not checked"}},
		});

	plain(w);
	seal(g, &(struct cpspec){.flip_sig = true});
	emit(g, &(struct vec){
			.name = "key-checkpoint-bad-signature",
			.about = "One character of the checkpoint's signature "
				 "is changed.",
			.fails = {{1, "invalid signature for key " ORIGIN},
				  {2, "not checked"}},
		});

	plain(w);
	seal(g, &(struct cpspec){.witness_only = true});
	emit(g, &(struct vec){
			.name = "key-checkpoint-witness-only",
			.about = "The checkpoint is signed by a witness only, "
				 "not by the log.",
			.fails = {{1, "not signed by key " ORIGIN},
				  {2, "not checked"}},
		});

	plain(w);
	seal(g, &(struct cpspec){.size = "09"});
	emit(g, &(struct vec){
			.name = "key-checkpoint-size-form",
			.about = "The signed checkpoint's size has a leading "
				 "zero.",
			.fails = {{1, "tree size is not a decimal number"},
				  {2, "not checked"}},
		});

	plain(w);
	seal(g, &(struct cpspec){.raw = "not a signed note\n"});
	emit(g, &(struct vec){
			.name = "key-checkpoint-not-a-note",
			.about = "The checkpoint is not a signed note.",
			.fails = {{1, "the checkpoint is not signed by the log "
				      "key"},
				  {2, "not checked"}},
		});

	{
		struct buf cp;
		plain(w);
		buf_init(&cp, 1 << 16);
		checkpoint_note(g, &(struct cpspec){0}, &cp);
		cp.data[cp.len - 1] = 0; /* the last LF */
		seal(g, &(struct cpspec){.raw = buf_str(&cp)});
		buf_free(&cp);
	}
	emit(g, &(struct vec){
			.name = "key-checkpoint-truncated",
			.about = "The checkpoint's signature line lacks its "
				 "final newline.",
			.fails = {{1, "does not end in a newline"},
				  {2, "not checked"}},
		});
}

/* Rule 1: a bundle's vkey that is no key, with nothing expected. */
static void vkey_vectors(struct gen *g)
{
	struct world *w = &g->w;
	char vkey[NOTE_VKEY_MAX + 1];
	static const struct {
		const char *name, *about, *detail;
		int bend; /* 0 text, 1 key hash, 2 small order, 3 algorithm */
	} t[] = {
		{"key-vkey-garbage", "The bundle's vkey is not a key at all.",
		 "no '+' after the key name", 0},
		{"key-vkey-hash",
		 "The bundle's vkey has a key hash that is "
		 "not its key's.",
		 "does not match the key", 1},
		{"key-vkey-small-order",
		 "The bundle's vkey is a point of small order (with its right "
		 "key hash).",
		 "not a valid Ed25519 point", 2},
		{"key-vkey-algorithm",
		 "The bundle's vkey names algorithm 2, not Ed25519 (with its "
		 "right key hash).",
		 "unknown algorithm", 3},
	};
	/* A point of order 8 (RFC 8032's test of small orders). */
	static const uint8_t t8[32] = {0x26, 0xe8, 0x95, 0x8f, 0xc2, 0xb2, 0x27,
				       0xb0, 0x45, 0xc3, 0xf4, 0x89, 0xf2, 0xef,
				       0x98, 0xf0, 0xd5, 0xdf, 0xac, 0x05, 0xd3,
				       0xc6, 0x33, 0x39, 0xb1, 0x38, 0x02, 0x88,
				       0x6d, 0x53, 0xfc, 0x05};

	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		struct note_verifier v;
		uint8_t raw[33], h[HASH_LEN];
		char b64[64];
		struct sha256 c;

		note_signer_verifier(g->k.log, &v);
		raw[0] = t[i].bend == 3 ? 2 : 1;
		memcpy(raw + 1, t[i].bend == 2 ? t8 : v.pk, 32);
		sha256_init(&c);
		sha256_update(&c, v.name, strlen(v.name));
		sha256_update(&c, "\n", 1);
		sha256_update(&c, raw, sizeof raw);
		sha256_final(&c, h);
		if (t[i].bend == 1)
			h[0] ^= 1;
		b64_encode(b64, sizeof b64, raw, sizeof raw, B64_STD);
		snprintf(vkey, sizeof vkey, "%s+%02x%02x%02x%02x+%s", v.name,
			 h[0], h[1], h[2], h[3], b64);
		plain(w);
		seal(g, NULL);
		set_str(g, "vkey", t[i].bend == 0 ? "not a key" : vkey);
		emit(g, &(struct vec){
				.name = t[i].name,
				.about = t[i].about,
				.unpinned = true,
				.fails = {{1, t[i].detail}, {2, "not checked"}},
			});
	}
}

/* Rule 2: inclusion proofs and indexes. */
static void inclusion_vectors(struct gen *g)
{
	struct world *w = &g->w;
	static const char bad_proof[] = "inclusion proof does not verify";
	json_t *p;

	plain(w);
	seal(g, &(struct cpspec){.flip_root = true});
	emit(g, &(struct vec){
			.name = "incl-checkpoint-root",
			.about = "The log signs a checkpoint of a root that is "
				 "not its tree's: no proof verifies.",
			FAIL1(2, bad_proof),
		});

	plain(w);
	seal(g, &(struct cpspec){.size = "10"});
	emit(g,
	     &(struct vec){
		     .name = "incl-checkpoint-size-unprovable",
		     .about = "The checkpoint claims 10 entries with the "
			      "root of the first 9: every proof here has the "
			      "same path in both trees and verifies, so "
			      "rule 2 cannot tell (a consistency proof, rule "
			      "8, or the tiles, rule 9, can).",
	     });

	plain(w);
	seal(g, &(struct cpspec){.size = "8"});
	emit(g, &(struct vec){
			.name = "incl-checkpoint-size-smaller",
			.about = "The checkpoint claims one entry fewer than "
				 "the tree its root is of.",
			FAIL1(2, bad_proof),
		});

	base(w);
	seal(g, NULL);
	proof_flip(g, "entries", -1, 0);
	emit(g, &(struct vec){
			.name = "incl-newest-proof-wrong",
			.about = "A hash of the newest entry's proof is "
				 "changed.",
			FAIL1(2, bad_proof),
		});

	base(w);
	seal(g, NULL);
	proof_drop_last(g, "entries", -1);
	emit(g, &(struct vec){
			.name = "incl-newest-proof-short",
			.about = "The newest entry's proof lacks its last "
				 "hash.",
			FAIL1(2, bad_proof),
		});

	base(w);
	seal(g, NULL);
	proof_append(g, "entries", -1, "one more");
	emit(g,
	     &(struct vec){
		     .name = "incl-newest-proof-long",
		     .about = "The newest entry's proof has a hash too many.",
		     FAIL1(2, bad_proof),
	     });

	base(w);
	seal(g, NULL);
	proof_set(g, "entries", -1, json_array());
	emit(g, &(struct vec){
			.name = "incl-newest-proof-empty",
			.about = "The newest entry's proof is empty in a tree "
				 "of 10.",
			FAIL1(2, bad_proof),
		});

	base(w);
	seal(g, NULL);
	proof_set(g, "entries", -1, json_deep_copy(proof_of(g, "entries", -2)));
	emit(g, &(struct vec){
			.name = "incl-newest-proof-of-other",
			.about = "The newest entry carries the proof of the "
				 "entry before it.",
			FAIL1(2, bad_proof),
		});

	base(w);
	seal(g, NULL);
	set_index(g, "entries", -1, 9);
	emit(g,
	     &(struct vec){
		     .name = "incl-newest-index-wrong",
		     .about = "The newest entry's index is one more than its "
			      "own (still in the tree).",
		     FAIL1(2, bad_proof),
	     });

	base(w);
	seal(g, NULL);
	set_index(g, "entries", -1, 10);
	emit(g, &(struct vec){
			.name = "incl-newest-index-outside",
			.about = "The newest entry's index is the tree's size, "
				 "outside the tree.",
			FAIL1(2, "index 10 is not in the checkpoint's tree of "
				 "size 10"),
		});

	base(w);
	seal(g, NULL);
	set_index(g, "entries", -1, 9007199254740991);
	emit(g, &(struct vec){
			.name = "incl-newest-index-far",
			.about = "The newest entry's index is 2^53-1, far "
				 "outside the tree.",
			FAIL1(2, "index 9007199254740991 is not in the "
				 "checkpoint's tree"),
		});

	base(w);
	seal(g, NULL);
	proof_flip(g, "entries", 2, 1);
	emit(g,
	     &(struct vec){
		     .name = "incl-older-proof-wrong",
		     .about = "A hash of an older entry's proof is changed: "
			      "a verifier of every proof fails it; one of the "
			      "newest entry's proof relies on the chain.",
		     FAIL1(2, "entry 5 (venue-seq 2): inclusion proof does "
			      "not verify"),
		     .page_differs = true,
	     });

	base(w);
	seal(g, NULL);
	proof_set(g, "entries", 0, json_array());
	emit(g, &(struct vec){
			.name = "incl-older-proof-empty",
			.about = "The first entry's proof is empty: a verifier "
				 "of every proof fails it.",
			FAIL1(2, "entry 2 (venue-seq 0): inclusion proof does "
				 "not verify"),
			.page_differs = true,
		});

	base(w);
	seal(g, NULL);
	proof_flip(g, "providers", 0, 0);
	emit(g, &(struct vec){
			.name = "incl-provider-proof-wrong",
			.about = "The proof of the provider key that an "
				 "attestation rests on is wrong: rule 5 fails "
				 "it everywhere, rule 2 where every proof is "
				 "checked.",
			.fails = {{2, "provider entry 1 (provider-key "
				      "cleanco.example): inclusion proof does "
				      "not verify"},
				  {5, "inclusion proof does not verify against "
				      "the checkpoint"}},
			.page_differs = true,
			.page = {{5, "inclusion proof does not verify against "
				     "the checkpoint"}},
		});

	base(w);
	seal(g, NULL);
	set_index(g, "providers", 0, 12);
	emit(g, &(struct vec){
			.name = "incl-provider-index-outside",
			.about = "The provider key's index is outside the tree "
				 "(and so after the document it would attest).",
			.fails = {{2, "index 12 is not in the checkpoint's "
				      "tree of size 10"},
				  {3, "logged 2025-12-02T08:00:00Z is before "
				      "entry 8's 2026-02-04T08:00:00Z"},
				  {5, "the key is logged at index 12, not "
				      "before the document"}},
		});

	{
		struct docspec d1 = doc1(w->k->clean);
		head(w, true);
		w_doc(w, &d1);
		w_prevoke(w, "cleanco.example", "2026-01-12T08:00:00Z",
			  PROVIDERS);
		tail(w);
	}
	seal(g, NULL);
	proof_flip(g, "providers", 1, 0);
	emit(g, &(struct vec){
			.name = "incl-provider-revoke-proof-wrong",
			.about = "The proof of a provider-revoke that no "
				 "attestation depends on is wrong: only a "
				 "verifier of every proof sees it.",
			FAIL1(2, "provider entry 4 (provider-revoke "
				 "cleanco.example): inclusion proof does not "
				 "verify"),
			.page_differs = true,
		});

	base(w);
	seal(g, NULL);
	json_array_clear(json_object_get(g->root, "entries"));
	emit(g, &(struct vec){
			.name = "incl-no-entries",
			.about = "The bundle holds no entry of its venue.",
			.fails = {{2, "the bundle holds no entry"},
				  {3, "the bundle holds no entry"}},
		});

	plain(w);
	seal(g, NULL);
	{
		const char *t = json_string_value(
			json_object_get(item(g, "entries", -1), "entry"));
		char *s = subst(t, "Bar Roma Nuovo", "Bar Roma Vecchio");
		set_entry(g, "entries", -1, s);
		free(s);
	}
	emit(g, &(struct vec){
			.name = "incl-newest-entry-changed",
			.about = "The newest entry's text is changed after the "
				 "log signed it (the venue's new name).",
			FAIL1(2, bad_proof),
		});

	plain(w);
	seal(g, NULL);
	p = json_object_get(item(g, "entries", 2), "entry");
	{
		char *s = subst(json_string_value(p), "title Documento",
				"title Documento falso");
		set_entry(g, "entries", 2, s);
		free(s);
	}
	emit(g, &(struct vec){
			.name = "incl-older-entry-changed",
			.about = "An older entry's title is changed after the "
				 "log signed it: the next entry's prev no "
				 "longer names it, and its own proof fails "
				 "where every proof is checked.",
			.fails = {{2, "entry 4 (venue-seq 2): inclusion proof "
				      "does not verify"},
				  {3, "prev does not match the leaf hash of "
				      "venue-seq 2"}},
			.page_differs = true,
			.page = {{3, "prev does not match the leaf hash of "
				     "venue-seq 2"}},
		});
}

/* Rule 3: the venue chain. */
static void chain_vectors(struct gen *g)
{
	struct world *w = &g->w;
	struct docspec d1 = doc1(NULL), d2 = doc2(), d3 = doc3();
	uint8_t saved[HASH_LEN];
	int64_t i;

	head(w, false);
	w_doc(w, &d1);
	w->seq++;
	w_doc(w, &d2);
	w_doc(w, &d3);
	emit(g,
	     &(struct vec){
		     .name = "chain-gap",
		     .about = "venue-seq 2 is missing: the chain goes from 1 "
			      "to 3 (prev names venue-seq 1).",
		     FAIL1(3, "venue-seq 2 is missing from the chain"),
	     });

	head(w, false);
	w_doc(w, &d1);
	w->seq += 3;
	w_doc(w, &d2);
	emit(g, &(struct vec){
			.name = "chain-gap-several",
			.about = "venue-seq 2 to 4 are missing.",
			FAIL1(3, "venue-seq 2 to 4 are missing from the chain"),
		});

	head(w, false);
	w_doc(w, &d1);
	memcpy(saved, w->last, HASH_LEN);
	w_doc(w, &d2);
	w->seq--;
	memcpy(w->last, saved, HASH_LEN);
	w_doc(w, &d3);
	emit(g, &(struct vec){
			.name = "chain-duplicate-seq",
			.about = "Two entries of venue-seq 2, each linked to "
				 "venue-seq 1.",
			FAIL1(3, "comes after venue-seq 2 (duplicate or out of "
				 "order)"),
		});

	head(w, false);
	memcpy(saved, w->last, HASH_LEN);
	w_doc(w, &d1);
	w_doc(w, &d2);
	w_doc(w, &d3);
	w->seq = 1;
	memcpy(w->last, saved, HASH_LEN);
	d1.logged = "2026-02-03T08:00:00Z";
	w_doc(w, &d1);
	d1 = doc1(NULL);
	emit(g, &(struct vec){
			.name = "chain-seq-backwards",
			.about = "After venue-seq 3 comes venue-seq 1 again.",
			FAIL1(3, "comes after venue-seq 3 (duplicate or out of "
				 "order)"),
		});

	head(w, false);
	w_doc(w, &d1);
	w->last[7] ^= 1;
	w_doc(w, &d2);
	w_doc(w, &d3);
	emit(g, &(struct vec){
			.name = "chain-wrong-prev",
			.about = "venue-seq 2's prev is not the leaf hash of "
				 "venue-seq 1.",
			FAIL1(3, "venue-seq 2): prev does not match the leaf "
				 "hash of venue-seq 1"),
		});

	head(w, false);
	memcpy(saved, w->last, HASH_LEN);
	w_doc(w, &d1);
	memcpy(w->last, saved, HASH_LEN);
	w_doc(w, &d2);
	emit(g, &(struct vec){
			.name = "chain-prev-skips",
			.about = "venue-seq 2's prev is the leaf hash of "
				 "venue-seq 0, leaving venue-seq 1 out of the "
				 "chain.",
			FAIL1(3, "prev does not match the leaf hash of "
				 "venue-seq 1"),
		});

	base(w);
	seal(g, NULL);
	json_array_remove(json_object_get(g->root, "entries"), 0);
	emit(g, &(struct vec){
			.name = "chain-no-start",
			.about = "The bundle leaves out venue-seq 0: the chain "
				 "starts at a document.",
			FAIL1(3, "the chain does not start at venue-seq 0"),
		});

	{
		struct entry en;
		char *t, *s;
		char zeros[80];

		w_filler(w, "2025-12-01T08:00:00Z", NOWHERE);
		w->seq = 1;
		doc_entry(w, &d1, &en);
		t = format(&en);
		snprintf(zeros, sizeof zeros, "prev %064d\n", 0);
		s = subst(t, "venue-seq 1\n", "venue-seq 0\n");
		free(t);
		t = subst(s, zeros, "prev -\n");
		i = w_put(w, t, strlen(t), ENTRIES);
		free(s);
		free(t);
		w->seq = 0;
		w_link(w, i);
		w_doc(w, &d2);
		w_doc(w, &d3);
	}
	emit(g, &(struct vec){
			.name = "chain-first-is-document",
			.about = "venue-seq 0 is a document (the entry rules "
				 "refuse it); the entries after it link to it.",
			FAIL1(3, "venue-seq 0 must be kind venue"),
		});

	head(w, false);
	w_doc(w, &d1);
	d2.logged = "2026-01-11T08:59:59Z";
	w_doc(w, &d2);
	d2 = doc2();
	emit(g, &(struct vec){
			.name = "chain-logged-backwards",
			.about = "venue-seq 2 is logged a second before "
				 "venue-seq 1.",
			FAIL1(3, "logged 2026-01-11T08:59:59Z is before "
				 "entry 2's 2026-01-11T09:00:00Z"),
		});

	head(w, false);
	w_doc(w, &d1);
	w_filler(w, "2026-01-13T08:00:00Z", ENTRIES);
	tail_from2(w);
	emit(g, &(struct vec){
			.name = "chain-other-venue-entry",
			.about = "An entry of another venue sits among the "
				 "venue's entries.",
			FAIL1(3, "not of the bundle's venue " VENUE),
		});

	head(w, false);
	w_doc(w, &d1);
	w_pkey(w, w->k->spot, "2026-01-13T08:00:00Z", ENTRIES);
	tail_from2(w);
	emit(g, &(struct vec){
			.name = "chain-provider-entry-among-entries",
			.about = "A provider-key entry sits among the venue's "
				 "entries.",
			FAIL1(3, "is kind provider-key, not an entry of a "
				 "venue"),
		});

	head(w, false);
	w_doc(w, &d1);
	w_put(w, policy_text, strlen(policy_text), ENTRIES);
	tail_from2(w);
	emit(g, &(struct vec){
			.name = "chain-policy-entry-among-entries",
			.about = "A witness-policy entry sits among the "
				 "venue's entries.",
			FAIL1(3, "is kind witness-policy, not an entry of a "
				 "venue"),
		});

	plain(w);
	seal(g, NULL);
	set_str(g, "venue", "p3x8vz2e");
	emit(g, &(struct vec){
			.name = "chain-bundle-of-other-venue",
			.about = "The bundle says it is of venue p3x8vz2e but "
				 "holds the entries of " VENUE ".",
			FAIL1(3, "is of venue " VENUE
				 ", not of the bundle's venue p3x8vz2e"),
		});

	head(w, false);
	w_doc(w, &d1);
	i = w_put(w, "not an entry\n", 13, ENTRIES);
	w_link(w, i);
	w_doc(w, &d3);
	emit(g, &(struct vec){
			.name = "chain-unparsable-linked",
			.about = "An item that is no entry stands where "
				 "venue-seq 2 would be, and venue-seq 3's prev "
				 "is its leaf hash: only the item fails.",
			FAIL1(3, "line 1: not \"sanilog-entry v1\""),
		});

	head(w, false);
	w_doc(w, &d1);
	w_put(w, "not an entry\n", 13, ENTRIES);
	w_doc(w, &d2);
	emit(g, &(struct vec){
			.name = "chain-unparsable-between",
			.about = "An item that is no entry sits between "
				 "venue-seq 1 and 2, which link to each other.",
			FAIL1(3, "line 1: not \"sanilog-entry v1\""),
		});

	head(w, false);
	w_doc(w, &d1);
	i = w_put(w, "not an entry\n", 13, ENTRIES);
	w_link(w, i);
	w->last[0] ^= 1;
	w_doc(w, &d3);
	emit(g, &(struct vec){
			.name = "chain-unparsable-wrong-link",
			.about = "venue-seq 3 follows an item that is no entry "
				 "but its prev names neither that item nor "
				 "venue-seq 1.",
			.fails = {{3, "line 1: not \"sanilog-entry v1\""},
				  {3, "venue-seq 3): prev does not match the "
				      "leaf hash of entry 3"}},
		});
}

/* Rule 3: entries that break "Exact rules for entries", each as the newest
 * item of the honest bundle (one line of a document, venue or revocation
 * bent). */
/* Rule 3: witness-policy entries that break "Exact rules for entries",
 * each the newest item of the base bundle's entries, which the verifiers
 * parse as they parse every item: the same finding from both. */
static void policy_form_vectors(struct gen *g)
{
	struct world *w = &g->w;
	/* test_entry.c's, but w2.example, which is WKEY2's name */
	static const char *const more[] = {
		"w0.example+f9990dfd+BIqI4910CfGV/VLbLTy6XXLKZwm/HZQSG/"
		"N0iAG0D29c",
		"w1.example+c244f014+"
		"BIE5dw6ofRdfVqNUZsNMfszLjYqRtO43ol32D1uPybOU",
		"w3.example+69e0a8e6+BMqTrBcFGHBx1nuDx/8O/"
		"oEI6OxFMFdddyaHkzPb2r58",
		"w4.example+7a985dba+BG56HN0psLeP0Tr0xVmP7/TvKpcWbjym8uT7/"
		"M2AUFvx",
		"w5.example+f07ac181+BIqHX/"
		"8es4RRV3rNWv7kBUVlaN18ieCQhjoFV7x69J8X",
		"w6.example+da9f99eb+"
		"BOpKbGPinFIKvvVQexMuxfmVR3auvr57kkIe6mkURtIs",
		"w7.example+cb7a8e0a+BBOY9ixtGkV8UbpqS189vS9p/"
		"KkyFiGNyJl+QWvRfZPK",
		"w8.example+a4d32588+BP0XJDhaoMdbZPt4zWAvodmR/"
		"ev3axPFjtcC6sg16fYY",
		"w9.example+ee6fa410+BEOnLnFEAXYt9mtowm373yaCquyfJHTspGE+"
		"QkoPuv08",
	};
	static const struct {
		const char *name, *about, *from, *to, *detail;
	} t[] = {
		{"form-policy-quorum-above", "A quorum of 3 of 2 witnesses.",
		 "quorum 2", "quorum 3",
		 "line 3: quorum: 3 is more than the 2 witnesses"},
		{"form-policy-quorum-zero", "Quorum 0 with two witnesses.",
		 "quorum 2", "quorum 0",
		 "line 3: quorum: 0 with witness lines"},
		{"form-policy-quorum-eleven", "Quorum 11.", "quorum 2",
		 "quorum 11",
		 "line 3: quorum: not a canonical decimal from 0 to 10"},
		{"form-policy-no-witness", "Quorum 2 and no witness line.",
		 "witness " WKEY1 " https://w1.example\nwitness " WKEY2
		 " https://w2.example\n",
		 "", "line 3: quorum: 2 with no witness line"},
		{"form-policy-quorum-after", "The quorum line after a witness.",
		 "quorum 2\nwitness " WKEY1 " https://w1.example\n",
		 "witness " WKEY1 " https://w1.example\nquorum 2\n",
		 "line 3: witness: out of order (expected quorum)"},
		{"form-policy-venue-line", "A venue line in a witness-policy.",
		 "kind witness-policy", "venue k7m2q9xa\nkind witness-policy",
		 "line 2: venue: not a key of a witness-policy entry"},
		{"form-policy-log-key",
		 "A log's key (algorithm 0x01) as a "
		 "witness.",
		 WKEY2,
		 "w2.example+af1bde57+ASVDuS/"
		 "xCVURR2rcg2nbbdyTNmWhGXjdoUBO4QZsqVWd",
		 "line 5: witness: witness verifier key: unknown algorithm "
		 "0x01 (want 0x04, Ed25519 cosignature/v1)"},
		{"form-policy-key-hash", "A witness key of the wrong hash.",
		 "+e75f6532+", "+e75f6533+",
		 "line 4: witness: witness verifier key: key hash e75f6533 "
		 "does not match the key (e75f6532)"},
		{"form-policy-no-url", "A witness line without its URL.",
		 " https://w2.example", "",
		 "line 5: witness: not \"<vkey> <URL>\""},
		{"form-policy-url-scheme", "A witness at an ftp URL.",
		 "https://w2.example", "ftp://w2.example",
		 "line 5: witness: URL is not http:// or https:// and "
		 "printable ASCII without spaces"},
		{"form-policy-url-space", "A witness URL with a space.",
		 "https://w2.example", "https://w2 example",
		 "line 5: witness: URL is not http://"},
		{"form-policy-same-name", "Two witnesses of one name.", WKEY2,
		 "witness.example/w1+8c040ee4+"
		 "BLtcZySCsNzKkaIaTtY7Fa/eiqE3jacs0Bs0lYnW591q",
		 "line 5: witness: the name witness.example/w1 is already the "
		 "witness of line 4"},
		{"form-policy-same-key", "Two witnesses of one key.", WKEY1,
		 "copy.example+86c37222+"
		 "BCVDuS/xCVURR2rcg2nbbdyTNmWhGXjdoUBO4QZsqVWd",
		 "line 5: witness: the key is already the witness's of line 4"},
		{"form-policy-value-too-long", "A witness value of 351 bytes.",
		 "https://w2.example", "@351",
		 "line 5: witness: value is 351 bytes, more than 350"},
		{"form-policy-eleven-witnesses", "Eleven witnesses.", "logged",
		 "@more", "line 14: witness: more than 10 witnesses"},
	};

	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		const char *to = t[i].to;
		char long_url[352], extra[ENTRY_MAX];
		/* "@351": a URL that makes the value 351 bytes; "@more": nine
		 * more witnesses, before the logged line. */
		if (strcmp(to, "@351") == 0) {
			size_t n = 351 - strlen(WKEY2) - 1 - 8;
			memcpy(long_url, "https://", 8);
			memset(long_url + 8, 'a', n);
			long_url[8 + n] = 0;
			to = long_url;
		} else if (strcmp(to, "@more") == 0) {
			size_t at = 0;
			for (size_t k = 0; k < sizeof more / sizeof more[0];
			     k++)
				at += (size_t)snprintf(
					extra + at, sizeof extra - at,
					"witness %s https://%zu.example\n",
					more[k], k);
			snprintf(extra + at, sizeof extra - at, "logged");
			to = extra;
		}
		char *text = subst(policy_text, t[i].from, to);
		base(w);
		w_put(w, text, strlen(text), ENTRIES);
		free(text);
		emit(g, &(struct vec){
				.name = t[i].name,
				.about = t[i].about,
				FAIL1(3, t[i].detail),
			});
	}
}

static void form_vectors(struct gen *g)
{
	struct world *w = &g->w;
	static const struct {
		const char *name, *about;
		enum entry_kind kind;
		const char *from, *to, *detail;
	} t[] = {
		{"form-first-line", "The first line is sanilog-entry v2.",
		 ENTRY_DOCUMENT, "sanilog-entry v1\n", "sanilog-entry v2\n",
		 "line 1: not \"sanilog-entry v1\""},
		{"form-no-final-newline", "The entry does not end in LF.",
		 ENTRY_DOCUMENT, "T10:00:00Z\n", "T10:00:00Z",
		 "no newline at the end"},
		{"form-empty-line", "An empty line after the kind line.",
		 ENTRY_DOCUMENT, "kind document\n", "kind document\n\n",
		 "line 6: empty line"},
		{"form-leading-space", "A line starts with a space.",
		 ENTRY_DOCUMENT, "type sanitization", " type sanitization",
		 "line 6: starts with a space"},
		{"form-unknown-key", "A line of a key no kind has.",
		 ENTRY_DOCUMENT, "submitted-by owner\n",
		 "submitted-by owner\ncolor red\n", "unknown key \"color\""},
		{"form-no-value", "A key line without a value.", ENTRY_DOCUMENT,
		 "title Sanificazione 2026-02-08", "title", "title: no value"},
		{"form-trailing-space", "A value ends in a space.",
		 ENTRY_DOCUMENT, "title Sanificazione 2026-02-08",
		 "title Sanificazione 2026-02-08 ", "title: trailing space"},
		{"form-tab", "A value holds a TAB.", ENTRY_DOCUMENT,
		 "title Sanificazione 2026-02-08",
		 "title Sanificazione\t2026-02-08",
		 "control character (U+0009)"},
		{"form-crlf", "A line ends in CR LF.", ENTRY_DOCUMENT,
		 "kind document\n", "kind document\r\n",
		 "control character (U+000D)"},
		{"form-c1-control", "A value holds U+0085 (NEL).",
		 ENTRY_DOCUMENT, "title Sanificazione",
		 "title Sanificazione\xc2\x85", "control character (U+0085)"},
		{"form-bidi", "A value holds U+202E (right-to-left override).",
		 ENTRY_DOCUMENT, "title Sanificazione",
		 /* NOLINTNEXTLINE(misc-misleading-bidirectional): the input */
		 "title Sanificazione\xe2\x80\xae",
		 "invisible or bidi character (U+202E)"},
		{"form-zero-width", "A value holds U+200B (zero width space).",
		 ENTRY_DOCUMENT, "title Sanificazione",
		 "title Sanifi\xe2\x80\x8b"
		 "cazione",
		 "invisible or bidi character (U+200B)"},
		{"form-value-too-long", "A title of 201 bytes.", ENTRY_DOCUMENT,
		 "title Sanificazione 2026-02-08", "@201",
		 "title: value is 201 bytes, more than 200"},
		{"form-too-many-lines", "Fifteen key lines.", ENTRY_DOCUMENT,
		 "submitted-by owner\n",
		 "submitted-by owner\nreason a\nreason b\n",
		 "line 16: too many lines"},
		{"form-no-kind", "No kind line.", ENTRY_DOCUMENT,
		 "kind document\n", "", "no kind line"},
		{"form-unknown-kind", "Kind inspection, which no entry has.",
		 ENTRY_DOCUMENT, "kind document", "kind inspection",
		 "kind: unknown kind"},
		{"form-duplicate-key", "The performed line twice.",
		 ENTRY_DOCUMENT, "performed 2026-02-08\n",
		 "performed 2026-02-08\nperformed 2026-02-08\n",
		 "performed: duplicate (first on line 8)"},
		{"form-key-of-other-kind", "A document with a revokes line.",
		 ENTRY_DOCUMENT, "expires 2026-08-08\n", "revokes 2\n",
		 "revokes: not a key of a document entry"},
		{"form-out-of-order", "The title line before the type line.",
		 ENTRY_DOCUMENT,
		 "type sanitization\ntitle Sanificazione 2026-02-08\n",
		 "title Sanificazione 2026-02-08\ntype sanitization\n",
		 "title: out of order (expected type)"},
		{"form-missing-key", "No logged line.", ENTRY_DOCUMENT,
		 "logged 2026-02-09T10:00:00Z\n", "", "missing logged"},
		{"form-venue-id", "A venue id with an l, not in the alphabet.",
		 ENTRY_DOCUMENT, "venue k7m2q9xa", "venue k7m2q9xl",
		 "venue: not a venue id"},
		{"form-seq-leading-zero", "venue-seq 06.", ENTRY_DOCUMENT,
		 "venue-seq 6", "venue-seq 06",
		 "venue-seq: not a canonical decimal number"},
		{"form-seq-too-large",
		 "venue-seq 2^53, past JavaScript's exact "
		 "integers.",
		 ENTRY_DOCUMENT, "venue-seq 6", "venue-seq 9007199254740992",
		 "venue-seq: not a canonical decimal number"},
		{"form-prev-dash", "prev - at venue-seq 6.", ENTRY_DOCUMENT,
		 "@prev", "prev -", "prev: \"-\" is only for venue-seq 0"},
		{"form-prev-uppercase", "prev in uppercase hex.",
		 ENTRY_DOCUMENT, "@prev", "@PREV",
		 "prev: not 64 lowercase hex digits or \"-\""},
		{"form-doc-size-zero", "A document of 0 bytes.", ENTRY_DOCUMENT,
		 "@size", " 0 application/pdf\n",
		 "doc: size is not a canonical decimal of at least 1"},
		{"form-type", "Type cleaning, not one of the eight.",
		 ENTRY_DOCUMENT, "type sanitization", "type cleaning",
		 "type: unknown document type"},
		{"form-date", "performed 2026-02-30.", ENTRY_DOCUMENT,
		 "performed 2026-02-08", "performed 2026-02-30",
		 "performed: not a real date"},
		{"form-expires-before-performed",
		 "expires the day before performed.", ENTRY_DOCUMENT,
		 "expires 2026-08-08", "expires 2026-02-07",
		 "expires: before performed"},
		{"form-performed-after-logged",
		 "performed the day after the entry was logged.",
		 ENTRY_DOCUMENT, "performed 2026-02-08", "performed 2026-02-10",
		 "performed: after the date of logged"},
		{"form-doc-type", "A document of type image/gif.",
		 ENTRY_DOCUMENT, " application/pdf\n", " image/gif\n",
		 "doc: type is not application/pdf, image/png or image/jpeg"},
		{"form-attestation-without-provider",
		 "An attestation line without a provider line.", ENTRY_DOCUMENT,
		 "provider cleanco.example\n", "",
		 "attestation: present without a provider line"},
		{"form-attestation-other-provider",
		 "The provider line names another provider than the "
		 "attestation's key.",
		 ENTRY_DOCUMENT, "provider cleanco.example",
		 "provider spotless.example",
		 "attestation: key name is not the provider"},
		{"form-submitted-by", "submitted-by admin.", ENTRY_DOCUMENT,
		 "submitted-by owner", "submitted-by admin",
		 "submitted-by: not \"owner\" or \"operator\""},
		{"form-logged-hour", "logged at hour 24.", ENTRY_DOCUMENT,
		 "T10:00:00Z", "T24:00:00Z", "logged: not a real time"},
		{"form-logged-offset", "logged with +00:00 for Z.",
		 ENTRY_DOCUMENT, "T10:00:00Z", "T10:00:00+00:00",
		 "logged: not a real time"},
		{"form-interval-zero", "A venue entry of interval-days 0.",
		 ENTRY_VENUE, "interval-days 30", "interval-days 0",
		 "interval-days: not a canonical decimal from 1 to 3650"},
		{"form-interval-too-long",
		 "A venue entry of interval-days 3651.", ENTRY_VENUE,
		 "interval-days 30", "interval-days 3651",
		 "interval-days: not a canonical decimal from 1 to 3650"},
		{"form-venue-seq-0-prev",
		 "A venue entry of venue-seq 0 with a "
		 "prev hash.",
		 ENTRY_VENUE, "venue-seq 6", "venue-seq 0",
		 "prev: must be \"-\" at venue-seq 0"},
		{"form-revokes-zero", "A revocation of venue-seq 0.",
		 ENTRY_REVOCATION, "revokes 2", "revokes 0",
		 "revokes: not an earlier document"},
		{"form-revokes-own-seq",
		 "A revocation of venue-seq 6, its own venue-seq.",
		 ENTRY_REVOCATION, "revokes 2", "revokes 6",
		 "revokes: not an earlier document"},
	};

	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		const char *from = t[i].from, *to = t[i].to;
		char hex[2 * HASH_LEN + 1], line[256], upper[128];
		struct entry en;

		base(w);
		if (t[i].kind == ENTRY_DOCUMENT) {
			struct docspec d = {
				.performed = "2026-02-08",
				.expires = "2026-08-08",
				.signer = w->k->clean,
				.logged = "2026-02-09T10:00:00Z",
			};
			doc_entry(w, &d, &en);
		} else if (t[i].kind == ENTRY_VENUE) {
			w_chain(w, &en, ENTRY_VENUE, "2026-02-09T10:00:00Z");
			snprintf(en.name, sizeof en.name, "Bar Roma");
			snprintf(en.address, sizeof en.address, "Via Roma 1");
			en.interval_days = 30;
		} else {
			revoke_entry(w, 2, "2026-02-09T10:00:00Z", &en);
		}
		/* The values made here: "@prev" is the prev line, "@PREV"
		 * the same in uppercase, "@size" the doc line's size and
		 * type, "@201" a title of 201 bytes. */
		hex_encode(hex, en.prev, HASH_LEN);
		snprintf(line, sizeof line, "prev %s", hex);
		for (size_t k = 0; k < sizeof upper; k++)
			upper[k] = (char)(k >= 5 && line[k] >= 'a' &&
							  line[k] <= 'f'
						  ? line[k] - 'a' + 'A'
						  : line[k]);
		if (strcmp(from, "@prev") == 0)
			from = line;
		if (strcmp(to, "@PREV") == 0)
			to = upper;
		if (strcmp(to, "@201") == 0) {
			snprintf(line, sizeof line, "title %0201d", 0);
			to = line;
		}
		if (strcmp(from, "@size") == 0) {
			snprintf(line, sizeof line, " %" PRId64 " %s\n",
				 en.doc_size, en.doc_mime);
			from = line;
		}
		w_bent(w, &en, from, to, ENTRIES);
		emit(g, &(struct vec){
				.name = t[i].name,
				.about = t[i].about,
				FAIL1(3, t[i].detail),
			});
	}
}

/* Rule 4: the documents, from the vector's docs folder. */
static void docs_vectors(struct gen *g)
{
	struct world *w = &g->w;
	static const struct {
		const char *name, *about;
		int doc;	    /* which document is bent, -1 all */
		enum doc_mode mode; /* how */
		const char *detail;
	} t[] = {
		{"docs-valid", "The honest bundle with every document's bytes.",
		 0, DOC_OK, NULL},
		{"docs-missing", "The folder lacks the first document.", 0,
		 DOC_OMIT, "not found"},
		{"docs-all-missing", "The folder is empty.", -1, DOC_OMIT,
		 "not found"},
		{"docs-other-bytes",
		 "A document's bytes are changed, its length kept.", 1,
		 DOC_OTHER_BYTES,
		 "entry 5 (venue-seq 2): document bytes hash "
		 "to"},
		{"docs-longer",
		 "A document is longer than its doc line's size.", 2,
		 DOC_LONGER, "bytes of its doc line"},
		{"docs-one-byte-longer",
		 "A document one byte longer than its doc line's size.", 2,
		 DOC_ONE_MORE, "is larger than the 35 bytes of its doc line"},
	};
	struct docspec d;

	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		base(w);
		for (size_t k = 0; k < w->ndocs; k++)
			if (t[i].doc < 0 || (size_t)t[i].doc == k)
				w->docs[k].mode = t[i].mode;
		seal(g, NULL);
		g->docs = true;
		emit(g, &(struct vec){
				.name = t[i].name,
				.about = t[i].about,
				FAIL1(4, t[i].detail),
			});
	}

	head(w, false);
	d = doc2();
	d.bytes_as = "application/pdf";
	w_doc(w, &d);
	seal(g, NULL);
	g->docs = true;
	emit(g, &(struct vec){
			.name = "docs-other-type",
			.about = "The doc line says image/png; the bytes are a "
				 "PDF.",
			FAIL1(4, "is application/pdf, not image/png as its doc "
				 "line says"),
		});

	head(w, false);
	d = doc2();
	d.bytes_as = "none";
	w_doc(w, &d);
	seal(g, NULL);
	g->docs = true;
	emit(g, &(struct vec){
			.name = "docs-unknown-type",
			.about = "The bytes are neither a PDF, a PNG nor a "
				 "JPEG.",
			FAIL1(4, "is not a PDF, PNG or JPEG, not image/png as "
				 "its doc line says"),
		});

	head(w, false);
	d = doc2();
	d.size_extra = 1;
	w_doc(w, &d);
	seal(g, NULL);
	g->docs = true;
	emit(g, &(struct vec){
			.name = "docs-shorter",
			.about = "The doc line's size is one more than the "
				 "bytes that hash to its SHA-256.",
			FAIL1(4, "bytes, not the doc line's"),
		});
}

/* Rule 5: attestations and the provider entries. */
static void attest_vectors(struct gen *g)
{
	struct world *w = &g->w;
	struct docspec d1;

	w_filler(w, "2025-12-01T08:00:00Z", NOWHERE);
	w_venue(w, "Bar Roma", 30, "2026-01-01T10:00:00Z");
	d1 = doc1(w->k->clean);
	w_doc(w, &d1);
	w_pkey(w, w->k->clean, "2026-01-12T08:00:00Z", PROVIDERS);
	tail(w);
	emit(g, &(struct vec){
			.name = "attest-key-after-doc",
			.about = "The attesting key is logged after the "
				 "document.",
			FAIL1(5, "the key is logged at index 3, not before the "
				 "document"),
		});

	head(w, true);
	w_prevoke(w, "cleanco.example", "2026-01-02T08:00:00Z", PROVIDERS);
	d1 = doc1(w->k->clean);
	w_doc(w, &d1);
	tail(w);
	emit(g, &(struct vec){
			.name = "attest-key-revoked-before-doc",
			.about = "The provider's keys are revoked before the "
				 "document its key attests.",
			FAIL1(5, "the provider's key was revoked at index 3, "
				 "before the document"),
		});

	w_filler(w, "2025-12-01T08:00:00Z", NOWHERE);
	w_pkey(w, w->k->clean, "2025-12-02T08:00:00Z", NOWHERE);
	w_venue(w, "Bar Roma", 30, "2026-01-01T10:00:00Z");
	w_pkey(w, w->k->clean2, "2026-01-02T08:00:00Z", PROVIDERS);
	d1 = doc1(w->k->clean);
	w_doc(w, &d1);
	tail(w);
	emit(g, &(struct vec){
			.name = "attest-key-replaced",
			.about = "K2 replaces K1 before the document that K1 "
				 "attests: K2 is the key in force.",
			FAIL1(5, "the provider's key in force is "
				 "cleanco.example+"),
		});

	w_filler(w, "2025-12-01T08:00:00Z", NOWHERE);
	w_pkey(w, w->k->clean, "2025-12-02T08:00:00Z", PROVIDERS);
	w_venue(w, "Bar Roma", 30, "2026-01-01T10:00:00Z");
	w_pkey(w, w->k->clean2, "2026-01-02T08:00:00Z", PROVIDERS);
	d1 = doc1(w->k->clean);
	w_doc(w, &d1);
	tail(w);
	emit(g, &(struct vec){
			.name = "attest-key-replaced-both-in-bundle",
			.about = "As attest-key-replaced, with K1's entry in "
				 "the bundle too: an older key of the name is "
				 "not in force.",
			FAIL1(5, "the provider's key in force is "
				 "cleanco.example+"),
		});

	d1 = doc1(w->k->rogue);
	base_with(w, &d1);
	emit(g, &(struct vec){
			.name = "attest-unknown-provider",
			.about = "The document is attested by a provider never "
				 "logged.",
			FAIL1(5, "no provider-key entry of that name and key "
				 "hash before the document"),
		});

	d1 = doc1(w->k->clean2);
	base_with(w, &d1);
	emit(g, &(struct vec){
			.name = "attest-unlogged-key",
			.about = "The document is attested by a key of the "
				 "provider's name that was never logged.",
			FAIL1(5, "the provider's key in force is "
				 "cleanco.example+"),
		});

	d1 = doc1(w->k->clean);
	d1.signed_performed = "2026-01-09";
	base_with(w, &d1);
	emit(g, &(struct vec){
			.name = "attest-bad-signature",
			.about = "The attestation was signed over another "
				 "performed date than the entry's.",
			FAIL1(5, "does not verify over the document's fields"),
		});

	base(w);
	seal(g, NULL);
	json_array_clear(json_object_get(g->root, "providers"));
	emit(g,
	     &(struct vec){
		     .name = "attest-providers-left-out",
		     .about = "The bundle holds no provider entries, though a "
			      "document is attested.",
		     FAIL1(5, "no provider-key entry of that name and key "
			      "hash before the document"),
	     });

	head(w, true);
	d1 = doc1(w->k->clean);
	w_doc(w, &d1);
	w_put(w, "not an entry\n", 13, PROVIDERS);
	tail(w);
	emit(g, &(struct vec){
			.name = "attest-provider-unparsable",
			.about = "An item of providers is no entry.",
			FAIL1(5, "provider entry 4 does not parse"),
		});

	head(w, true);
	d1 = doc1(w->k->clean);
	w_doc(w, &d1);
	w_filler(w, "2026-01-12T08:00:00Z", PROVIDERS);
	tail(w);
	emit(g, &(struct vec){
			.name = "attest-provider-wrong-kind",
			.about = "An item of providers is a venue entry.",
			FAIL1(5, "is kind venue, not provider-key or "
				 "provider-revoke"),
		});

	head(w, true);
	d1 = doc1(w->k->clean);
	w_doc(w, &d1);
	w_put(w, policy_text, strlen(policy_text), PROVIDERS);
	tail(w);
	emit(g, &(struct vec){
			.name = "attest-provider-policy",
			.about = "An item of providers is a witness-policy "
				 "entry.",
			FAIL1(5, "is kind witness-policy, not provider-key or "
				 "provider-revoke"),
		});

	{
		static const struct {
			const char *name, *about, *from, *to, *detail;
		} t[] = {
			{"attest-provider-vkey-name",
			 "A provider-key whose vkey is of another name.",
			 "name spotless.example", "name spotless.test",
			 "vkey: key name is not the entry's name"},
			{"attest-provider-name",
			 "A provider-key whose name has a space.",
			 "name spotless.example", "name spotless example",
			 "name: not a valid signed-note key name"},
			{"attest-provider-no-display-name",
			 "A provider-key without its display-name line.",
			 "display-name Spotless S.p.A.\n", "",
			 "vkey: out of order (expected display-name)"},
		};
		for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
			struct entry en;

			head(w, true);
			d1 = doc1(w->k->clean);
			w_doc(w, &d1);
			pkey_entry(&en, w->k->spot, "2026-01-12T08:00:00Z");
			w_bent(w, &en, t[i].from, t[i].to, PROVIDERS);
			tail(w);
			seal(g, NULL);
			emit(g, &(struct vec){
					.name = t[i].name,
					.about = t[i].about,
					FAIL1(5, t[i].detail),
				});
		}
	}
}

/* Rule 6: revocations, each after the honest world's entries. */
static void revoke_vectors(struct gen *g)
{
	struct world *w = &g->w;
	struct docspec d1 = doc1(NULL), d2 = doc2();

	base(w);
	w_revoke(w, 5, "2026-02-06T08:00:00Z");
	emit(g, &(struct vec){
			.name = "revoke-venue-entry",
			.about = "A revocation of venue-seq 5, a venue entry.",
			FAIL1(6, "revokes venue-seq 5, a kind venue entry, not "
				 "a document"),
		});

	base(w);
	w_revoke(w, 4, "2026-02-06T08:00:00Z");
	emit(g,
	     &(struct vec){
		     .name = "revoke-revocation",
		     .about = "A revocation of venue-seq 4, a revocation.",
		     FAIL1(6, "revokes venue-seq 4, a kind revocation entry, "
			      "not a document"),
	     });

	base(w);
	w_revoke(w, 3, "2026-02-06T08:00:00Z");
	emit(g, &(struct vec){
			.name = "revoke-twice",
			.about = "venue-seq 3, revoked at venue-seq 4, is "
				 "revoked again.",
			FAIL1(6, "revokes venue-seq 3, which is already "
				 "revoked"),
			.fresh = true,
			.latest = 1,
			.next_due = "2026-02-24",
		});

	head(w, false);
	w_doc(w, &d1);
	w->seq++;
	w_doc(w, &d2);
	w_revoke(w, 2, "2026-01-16T08:00:00Z");
	emit(g, &(struct vec){
			.name = "revoke-missing-seq",
			.about = "A revocation of venue-seq 2, which the chain "
				 "lacks.",
			.fails = {{3, "venue-seq 2 is missing from the chain"},
				  {6, "revokes venue-seq 2, no such earlier "
				      "entry of the chain"}},
		});

	base(w);
	seal(g, NULL);
	json_array_remove(json_object_get(g->root, "entries"), 3);
	emit(g, &(struct vec){
			.name = "revoke-target-left-out",
			.about = "The bundle leaves out the revoked document, "
				 "venue-seq 3.",
			.fails = {{3, "venue-seq 3 is missing from the chain"},
				  {6, "revokes venue-seq 3, no such earlier "
				      "entry of the chain"}},
		});

	{
		struct entry en;

		base(w);
		revoke_entry(w, 2, "2026-02-06T08:00:00Z", &en);
		w_bent(w, &en, "revokes 2", "revokes 7", ENTRIES);
		seal(g, NULL);
	}
	emit(g, &(struct vec){
			.name = "revoke-later-entry",
			.about = "A revocation of venue-seq 7, after its own "
				 "6: the entry rules refuse it.",
			FAIL1(3, "revokes: not an earlier document"),
		});
}

/* Bundles that break the bundle's form: refused before any rule (rule
 * 0 here). */
static void bundle_vectors(struct gen *g)
{
	struct world *w = &g->w;

	base(w);
	seal(g, NULL);
	set_raw(g, "{\"origin\": \"" ORIGIN "\",\n");
	emit(g, &(struct vec){
			.name = "bundle-not-json",
			.about = "The file ends in the middle of the JSON.",
			FAIL1(0, "not a bundle: not JSON"),
		});

	base(w);
	seal(g, NULL);
	set_raw(g, "[]\n");
	emit(g, &(struct vec){
			.name = "bundle-not-object",
			.about = "The JSON is an array.",
			FAIL1(0, "not a bundle: not a JSON object"),
		});

	base(w);
	seal(g, NULL);
	set_raw(g, "{\"policy\": \"quorum 2\"}\n");
	emit(g, &(struct vec){
			.name = "bundle-no-bundle-key",
			.about = "A JSON object with none of a bundle's keys.",
			FAIL1(0, "not a bundle: no origin, vkey, checkpoint or "
				 "venue"),
		});

	base(w);
	seal(g, NULL);
	set_str(g, "witnesses", "quorum 2");
	emit(g, &(struct vec){
			.name = "bundle-unknown-key",
			.about = "The bundle has a key witnesses, which is "
				 "none of a bundle's.",
			FAIL1(0, "bundle: unknown key \"witnesses\""),
		});

	{
		static const struct {
			const char *key, *name, *about, *detail;
		} lacks[] = {
			{"policy", "bundle-no-policy",
			 "The bundle lacks its policy key.",
			 "policy: not an array"},
			{"providers", "bundle-no-providers",
			 "The bundle lacks its providers key.",
			 "providers: not an array"},
		};
		for (size_t i = 0; i < sizeof lacks / sizeof lacks[0]; i++) {
			base(w);
			seal(g, NULL);
			json_object_del(g->root, lacks[i].key);
			emit(g, &(struct vec){
					.name = lacks[i].name,
					.about = lacks[i].about,
					FAIL1(0, lacks[i].detail),
				});
		}
	}

	base(w);
	seal(g, NULL);
	json_object_set_new(g->root, "checkpoint", json_integer(10));
	emit(g, &(struct vec){
			.name = "bundle-checkpoint-not-string",
			.about = "The checkpoint is a number.",
			FAIL1(0, "origin, vkey, checkpoint and venue must be "
				 "strings"),
		});

	base(w);
	seal(g, NULL);
	set_str(g, "venue", "K7M2Q9XA");
	emit(g, &(struct vec){
			.name = "bundle-venue-not-id",
			.about = "The bundle's venue is not a venue id "
				 "(uppercase).",
			FAIL1(0, "venue: not a venue id"),
		});

	base(w);
	seal(g, NULL);
	json_object_set_new(item(g, "entries", 0), "leaf", json_string("x"));
	emit(g, &(struct vec){
			.name = "bundle-item-extra-key",
			.about = "An item has a fourth key.",
			FAIL1(0, "entries[0]: needs exactly index, entry, "
				 "proof"),
		});

	base(w);
	seal(g, NULL);
	json_object_del(item(g, "providers", 0), "proof");
	emit(g, &(struct vec){
			.name = "bundle-item-no-proof",
			.about = "A provider item has no proof.",
			FAIL1(0, "providers[0]: needs exactly index, entry, "
				 "proof"),
		});

	base(w);
	seal(g, NULL);
	set_index(g, "entries", 0, -1);
	emit(g, &(struct vec){
			.name = "bundle-index-negative",
			.about = "An index of -1.",
			FAIL1(0, "entries[0].index: not a non-negative "
				 "integer"),
		});

	base(w);
	seal(g, NULL);
	json_object_set_new(item(g, "entries", 0), "index", json_string("2"));
	emit(g, &(struct vec){
			.name = "bundle-index-string",
			.about = "An index written as a string.",
			FAIL1(0, "entries[0].index: not a non-negative "
				 "integer"),
		});

	base(w);
	seal(g, NULL);
	json_object_set_new(item(g, "entries", 1), "entry", json_integer(3));
	emit(g, &(struct vec){
			.name = "bundle-entry-not-string",
			.about = "An entry is a number.",
			FAIL1(0, "entries[1].entry: not an entry string"),
		});

	base(w);
	seal(g, NULL);
	{
		json_t *p = json_array();
		for (int k = 0; k < 65; k++)
			json_array_append(
				p,
				json_array_get(proof_of(g, "entries", 0), 0));
		proof_set(g, "entries", 0, p);
	}
	emit(g, &(struct vec){
			.name = "bundle-proof-65",
			.about = "A proof of 65 hashes, more than any tree "
				 "needs.",
			FAIL1(0, "entries[0].proof: not an array of at most "
				 "64 hashes"),
		});

	base(w);
	seal(g, NULL);
	json_array_set_new(proof_of(g, "entries", 1), 0,
			   json_string("not base64"));
	emit(g, &(struct vec){
			.name = "bundle-proof-not-base64",
			.about = "A proof hash that is not base64.",
			FAIL1(0, "entries[1].proof[0]: not a base64 SHA-256 "
				 "hash"),
		});

	base(w);
	seal(g, NULL);
	json_array_set_new(
		proof_of(g, "entries", 1), 0,
		json_string("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=="));
	emit(g, &(struct vec){
			.name = "bundle-proof-short-hash",
			.about = "A proof hash of 31 bytes.",
			FAIL1(0, "entries[1].proof[0]: not a base64 SHA-256 "
				 "hash"),
		});

	base(w);
	seal(g, NULL);
	json_array_set_new(
		proof_of(g, "entries", 1), 0,
		json_string("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAB="));
	emit(g, &(struct vec){
			.name = "bundle-proof-not-canonical",
			.about = "A proof hash in base64 whose unused bits are "
				 "not zero.",
			FAIL1(0, "entries[1].proof[0]: not a base64 SHA-256 "
				 "hash"),
		});
}

/* The bundle's form that the JSON text alone shows: item order, entry
 * strings and the text's encoding. */
static void bundle_text_vectors(struct gen *g)
{
	struct world *w = &g->w;
	char *t, *s;

	base(w);
	seal(g, NULL);
	swap_items(g, "entries", 1, 2);
	emit(g, &(struct vec){
			.name = "bundle-entries-out-of-order",
			.about = "Two entries swapped: items are not in index "
				 "order.",
			FAIL1(0, "entries[2]: not sorted by index"),
		});

	base(w);
	seal(g, NULL);
	json_array_insert(json_object_get(g->root, "entries"), 2,
			  item(g, "entries", 1));
	emit(g, &(struct vec){
			.name = "bundle-entries-repeated",
			.about = "An entry stands twice.",
			FAIL1(0, "entries[2]: not sorted by index"),
		});

	{
		struct docspec d1 = doc1(w->k->clean);
		head(w, true);
		w_doc(w, &d1);
		w_prevoke(w, "cleanco.example", "2026-01-12T08:00:00Z",
			  PROVIDERS);
		tail(w);
	}
	seal(g, NULL);
	swap_items(g, "providers", 0, 1);
	emit(g, &(struct vec){
			.name = "bundle-providers-out-of-order",
			.about = "The provider-revoke before the provider-key "
				 "it follows in the log.",
			FAIL1(0, "providers[1]: not sorted by index"),
		});

	{
		char big[ENTRY_MAX + 2];
		base(w);
		seal(g, NULL);
		memset(big, 'x', sizeof big - 1);
		big[sizeof big - 1] = 0;
		memcpy(big, ENTRY_HEAD, ENTRY_HEAD_LEN);
		big[sizeof big - 2] = '\n';
		set_entry(g, "entries", -1, big);
	}
	emit(g, &(struct vec){
			.name = "bundle-entry-too-long",
			.about = "An entry of 4097 bytes.",
			FAIL1(0, "entries[5].entry: not an entry string"),
		});

	base(w);
	seal(g, NULL);
	json_object_set_new(item(g, "entries", 1), "entry",
			    json_stringn("sanilog-entry v1\n\0venue x\n", 26));
	emit(g, &(struct vec){
			.name = "bundle-entry-nul",
			.about = "An entry holds a NUL.",
			FAIL1(0, "not a bundle: not JSON"),
		});

	base(w);
	seal(g, NULL);
	t = json_dumps(g->root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	s = subst(t, "Bar Roma Nuovo", "Bar Roma \\ud800");
	set_raw(g, s);
	free(t);
	free(s);
	emit(g,
	     &(struct vec){
		     .name = "bundle-lone-surrogate",
		     .about = "A \\u escape of a lone surrogate, which is no "
			      "Unicode character.",
		     FAIL1(0, "not a bundle: not JSON"),
	     });

	base(w);
	seal(g, NULL);
	t = json_dumps(g->root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	s = subst(t, "Bar Roma Nuovo", "Bar Roma \xff");
	set_raw(g, s);
	free(t);
	free(s);
	emit(g, &(struct vec){
			.name = "bundle-not-utf8",
			.about = "The file holds a byte that is not UTF-8.",
			FAIL1(0, "not a bundle: not JSON"),
		});
}

/* Rule 5: a provider-revoke ends the key in force, so one must be in
 * force: the log refuses a provider-revoke of a provider with none. */
static void revoke_key_vectors(struct gen *g)
{
	struct world *w = &g->w;
	struct docspec d1;

	base(w);
	w_prevoke(w, "ghost.example", "2026-02-06T08:00:00Z", PROVIDERS);
	emit(g, &(struct vec){
			.name = "attest-revoke-never-registered",
			.about = "providers holds a provider-revoke of a "
				 "provider that was never registered.",
			FAIL1(5, "provider entry 10 (provider-revoke "
				 "ghost.example): ends no key"),
		});

	head(w, true);
	d1 = doc1(w->k->clean);
	w_doc(w, &d1);
	w_prevoke(w, "cleanco.example", "2026-01-12T08:00:00Z", PROVIDERS);
	w_prevoke(w, "cleanco.example", "2026-01-13T08:00:00Z", PROVIDERS);
	tail(w);
	emit(g, &(struct vec){
			.name = "attest-revoke-twice",
			.about = "Two provider-revokes of the same provider in "
				 "a row: the second ends no key.",
			FAIL1(5, "provider entry 5 (provider-revoke "
				 "cleanco.example): ends no key"),
		});

	w_filler(w, "2025-12-01T08:00:00Z", NOWHERE);
	w_prevoke(w, "cleanco.example", "2025-12-02T08:00:00Z", PROVIDERS);
	w_pkey(w, w->k->clean, "2025-12-03T08:00:00Z", PROVIDERS);
	w_venue(w, "Bar Roma", 30, "2026-01-01T10:00:00Z");
	d1 = doc1(w->k->clean);
	w_doc(w, &d1);
	tail(w);
	emit(g,
	     &(struct vec){
		     .name = "attest-revoke-before-first-key",
		     .about = "A provider-revoke before the provider's first "
			      "key.",
		     FAIL1(5, "provider entry 1 (provider-revoke "
			      "cleanco.example): ends no key"),
	     });

	w_filler(w, "2025-12-01T08:00:00Z", NOWHERE);
	w_pkey(w, w->k->clean, "2025-12-02T08:00:00Z", NOWHERE);
	w_prevoke(w, "cleanco.example", "2025-12-03T08:00:00Z", PROVIDERS);
	w_pkey(w, w->k->clean2, "2025-12-04T08:00:00Z", PROVIDERS);
	w_venue(w, "Bar Roma", 30, "2026-01-01T10:00:00Z");
	d1 = doc1(w->k->clean2);
	w_doc(w, &d1);
	tail(w);
	emit(g, &(struct vec){
			.name = "attest-revoke-key-left-out",
			.about = "An honest log, K1 revoked and K2 logged, but "
				 "the bundle leaves out K1, the key the "
				 "revocation ended: it cannot show the "
				 "revocation was one the log could write.",
			FAIL1(5, "provider entry 2 (provider-revoke "
				 "cleanco.example): ends no key"),
		});
}

/* ---- rule 10: witnesses ---- */

/* The base world and, after it, a policy of w1, w2 and w3, quorum 2. */
static void witnessed(struct world *w)
{
	base(w);
	w_policy(w, 2, w->k->w, 3, "2026-02-06T08:00:00Z", POLICY);
	w_filler(w, "2026-02-07T08:00:00Z", NOWHERE);
}

static void witness_vectors(struct gen *g)
{
	struct world *w = &g->w;
	const struct keys *k = &g->k;

	/* The witnessed world, its checkpoint cosigned so. */
	const struct {
		const char *name, *about;
		struct cosig cosig[MAXCOSIGS];
		const char *fails; /* of rule 10, or NULL */
	} tab[] = {
		{"witness-valid",
		 "A policy of three witnesses, quorum 2: two of them cosign "
		 "the checkpoint, 5 min and 2 h before now.",
		 {{k->w[0], 300, false}, {k->w[1], 7200, false}},
		 NULL},
		{"witness-below-quorum",
		 "Only one of the policy's three witnesses cosigns: fewer than "
		 "its quorum of 2.",
		 {{k->w[2], 60, false}},
		 "fewer than the quorum of 2"},
		{"witness-cosignature-bad",
		 "A policy witness's cosignature with one byte changed, beside "
		 "two valid ones.",
		 {{k->w[0], 300, false},
		  {k->w[1], 300, true},
		  {k->w[2], 300, false}},
		 "the cosignature of w2.witness.example does not verify"},
		{"witness-cosignature-future",
		 "A policy witness's cosignature dated an hour after now, "
		 "beside two valid ones.",
		 {{k->w[0], 300, false},
		  {k->w[1], -3600, false},
		  {k->w[2], 300, false}},
		 "the cosignature of w2.witness.example is dated "
		 "2026-02-10T13:00:00Z, in the future"},
		{"witness-cosignature-ahead",
		 "A cosignature dated 5 min after now, within the 600 s a "
		 "witness's clock may be ahead.",
		 {{k->w[0], 300, false}, {k->w[1], -300, false}},
		 NULL},
		{"witness-same-twice",
		 "One witness cosigns twice, at two times: it counts once, "
		 "below the quorum of 2.",
		 {{k->w[0], 300, false}, {k->w[0], 900, false}},
		 "countersigned by 1 of 3 witnesses"},
		{"witness-other-key",
		 "A cosignature by a witness the policy does not name is "
		 "ignored; two of the policy's cosign.",
		 {{k->w[3], 300, false},
		  {k->w[0], 300, false},
		  {k->w[1], 300, false}},
		 NULL},
	};
	for (size_t i = 0; i < sizeof tab / sizeof tab[0]; i++) {
		struct cpspec cs = {0};

		memcpy(cs.cosig, tab[i].cosig, sizeof cs.cosig);
		witnessed(w);
		seal(g, &cs);
		emit(g, &(struct vec){
				.name = tab[i].name,
				.about = tab[i].about,
				.fails = {{10, tab[i].fails}},
			});
	}

	witnessed(w);
	w_policy(w, 0, NULL, 0, "2026-02-08T08:00:00Z", POLICY);
	seal(g, &(struct cpspec){.cosig = {{k->w[0], 300}}});
	emit(g, &(struct vec){
			.name = "witness-policy-ended",
			.about = "A policy of quorum 2, then one of quorum 0: "
				 "witnessing ended, the checkpoint needs no "
				 "cosignature.",
		});

	base(w);
	{
		char *t = subst(policy_text, "quorum 2", "quorum 3");
		w_put(w, t, strlen(t), POLICY);
		free(t);
	}
	emit(g, &(struct vec){
			.name = "witness-policy-unparsable",
			.about = "A policy item whose quorum is above its "
				 "number of witnesses: not a witness-policy "
				 "entry.",
			FAIL1(10, "policy entry 10 does not parse"),
		});

	base(w);
	w_filler(w, "2026-02-06T08:00:00Z", POLICY);
	emit(g, &(struct vec){
			.name = "witness-policy-wrong-kind",
			.about = "An item of policy is a venue entry.",
			FAIL1(10, "policy entry 10 is kind venue, not "
				  "witness-policy"),
		});

	witnessed(w);
	seal(g, &(struct cpspec){.cosig = {{k->w[0], 300}, {k->w[1], 300}}});
	proof_flip(g, "policy", -1, 1);
	emit(g, &(struct vec){
			.name = "witness-policy-proof",
			.about = "The policy item in force, cosigned by two of "
				 "its witnesses, with a proof that does not "
				 "verify.",
			FAIL1(2, "policy entry 10: inclusion proof does not "
				 "verify"),
		});

	base(w);
	seal(g, &(struct cpspec){.cosig = {{k->w[0], 300}}});
	emit(g, &(struct vec){
			.name = "witness-none",
			.about = "A log with no witness policy, whose "
				 "checkpoint carries a cosignature anyway: not "
				 "witnessed, valid.",
		});

	witnessed(w);
	{
		struct note_signer *two[2] = {k->w[0], k->w[1]};
		int64_t at =
			w_policy(w, 1, two, 2, "2026-02-08T08:00:00Z", POLICY);
		seal(g, &(struct cpspec){.cosig = {{k->w[0], 300}}});
		emit(g, &(struct vec){
				.name = "witness-policy-changed",
				.about = "Since the size the verifier saw "
					 "(the pin's), the policy dropped "
					 "w3 and lowered its quorum to 1: "
					 "valid, the change reported.",
				.since = at,
				.changed = true,
				.removed = {"w3.witness.example"},
				.quorum_before = 2,
				.quorum_now = 1,
			});
	}
}

int main(int argc, char **argv)
{
	static struct gen g;
	char path[4096];
	char *t;

	if (argc != 2) {
		fputs("usage: vectors-gen DIR\n", stderr);
		return 2;
	}
	if (sodium_init() < 0)
		die("sodium_init failed");
	g.dir = argv[1];
	make_dir(g.dir);
	keys_make(&g.k);
	w_reset(&g.w, &g.k);
	g.index = json_array();

	valid_vectors(&g);
	fresh_vectors(&g);
	key_vectors(&g);
	vkey_vectors(&g);
	inclusion_vectors(&g);
	chain_vectors(&g);
	form_vectors(&g);
	policy_form_vectors(&g);
	docs_vectors(&g);
	attest_vectors(&g);
	revoke_key_vectors(&g);
	revoke_vectors(&g);
	bundle_vectors(&g);
	bundle_text_vectors(&g);
	witness_vectors(&g);

	t = json_dumps(g.index, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	if (t == NULL)
		die("index: json_dumps");
	join(path, g.dir, "index.json");
	{
		size_t n = strlen(t);
		t = realloc(t, n + 2);
		if (t == NULL)
			die("out of memory");
		t[n] = '\n';
		write_file(path, t, n + 1);
	}
	free(t);
	fprintf(stderr,
		"vectors-gen: %zu vectors: %d valid; rule 0 (bundle form) %d, "
		"1 %d, 2 %d, 3 %d, 4 %d, 5 %d, 6 %d, 7 %d, 10 %d\n",
		json_array_size(g.index), g.nvalid, g.per_rule[0],
		g.per_rule[1], g.per_rule[2], g.per_rule[3], g.per_rule[4],
		g.per_rule[5], g.per_rule[6], g.per_rule[7], g.per_rule[10]);
	json_decref(g.index);
	w_free(&g.w);
	keys_free(&g.k);
	return 0;
}
