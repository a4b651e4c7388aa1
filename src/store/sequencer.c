/*
 * sequencer.c: checks requests against the log's rules and commits a batch
 * of them, with their documents, tree hashes and a signed checkpoint, in
 * one SQLite transaction.
 */
#include "sequencer.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/clock.h"
#include "core/attest.h"
#include "core/merkle.h"
#include "core/rules.h"

struct sequencer {
	struct store *store;
	const struct note_signer *signer;
	char origin[NOTE_NAME_MAX + 1];
	size_t doc_max;
	struct buf text; /* scratch: the entry being written */
	struct buf scratch;
	/* The provider entry the view read last, parsed, with its key when
	 * it is a provider-key (reading it parses the key, whose check
	 * costs more than verifying a signature): the entry at key_index,
	 * or none when key_index is -1.  Committed entries never change; a
	 * failed append forgets it, as that entry may have been one of the
	 * batch. */
	int64_t key_index;
	struct entry pent;
	struct note_verifier key;
	/* The log before the entry being checked, as rules.c asks it. */
	struct rules_view view;
	int64_t size;	  /* entries, with the batch's so far */
	char last[21];	  /* logged of the newest, "" when empty */
	struct entry got; /* scratch: an entry read back for the view */
	bool head_valid;  /* see view_head */
	char head_venue[VENUE_ID_LEN + 1];
	struct rules_head head;
};

/* ---- the log before the entry, as rules.c asks it ---- */

static enum status read_entry(struct sequencer *q, int64_t index,
			      struct entry *en, struct err *e);
static enum status leaf_hash(struct sequencer *q, int64_t index,
			     uint8_t out[HASH_LEN], struct err *e);

static enum status view_last(void *ctx, struct rules_last *out, struct err *e)
{
	struct sequencer *q = ctx;

	(void)e;
	if (q->size == 0)
		return ST_NOT_FOUND;
	out->index = q->size - 1;
	memcpy(out->logged, q->last, sizeof out->logged);
	return ST_OK;
}

/* The head of the venue that chain() looked up for the entry being
 * prepared is kept until that entry is written or refused: rules.c asks
 * for it again. */
static enum status view_head(void *ctx, const char *venue,
			     struct rules_head *out, struct err *e)
{
	struct sequencer *q = ctx;
	enum status r;

	if (q->head_valid && strcmp(q->head_venue, venue) == 0) {
		*out = q->head;
		return ST_OK;
	}
	r = store_venue_head(q->store, venue, &out->index, &out->seq, e);
	if (r == ST_OK)
		r = leaf_hash(q, out->index, out->leaf, e);
	if (r != ST_OK && r != ST_NOT_FOUND) {
		err_prefix(e, "venue %s", venue);
		return r;
	}
	if (r == ST_OK) {
		q->head = *out;
		snprintf(q->head_venue, sizeof q->head_venue, "%s", venue);
		q->head_valid = true;
	}
	return r;
}

static enum status view_target(void *ctx, const char *venue, int64_t seq,
			       struct rules_target *out, struct err *e)
{
	struct sequencer *q = ctx;
	enum status r = store_venue_entry(q->store, venue, seq, &out->index, e);

	if (r != ST_OK)
		return r;
	if ((r = read_entry(q, out->index, &q->got, e)) != ST_OK)
		return r;
	out->kind = q->got.kind;
	out->tag = -1;
	return store_is_revoked(q->store, venue, seq, &out->revoked, e);
}

static enum status view_provider(void *ctx, const char *name,
				 struct rules_provider *out, struct err *e)
{
	struct sequencer *q = ctx;
	int kind = 0;
	enum status r = store_provider_newest(q->store, name, q->size,
					      &out->index, &kind, e);

	if (r == ST_NOT_FOUND)
		return r;
	if (r != ST_OK) {
		err_prefix(e, "provider");
		return r;
	}
	if (out->index != q->key_index) {
		q->key_index = -1;
		if ((r = read_entry(q, out->index, &q->pent, e)) != ST_OK)
			return r;
		if (q->pent.kind == ENTRY_PROVIDER_KEY &&
		    note_verifier_parse(q->pent.vkey, strlen(q->pent.vkey),
					&q->key, e) != ST_OK)
			return ST_CORRUPT;
		q->key_index = out->index;
	}
	out->kind = q->pent.kind;
	out->vkey = q->pent.vkey;
	out->display_name = q->pent.display_name;
	out->key = NULL;
	out->key_error = NULL;
	out->tag = -1;
	if (out->kind != ENTRY_PROVIDER_KEY)
		return ST_OK;
	out->key = &q->key;
	return ST_OK;
}

enum status sequencer_new(struct store *s, const struct note_signer *signer,
			  struct sequencer **out, struct err *e)
{
	struct sequencer *q = calloc(1, sizeof *q);
	if (q == NULL)
		return err_set(e, ST_NOMEM, "out of memory");
	enum status r =
		store_meta_get(s, "origin", q->origin, sizeof q->origin, e);
	if (r != ST_OK) {
		free(q);
		err_prefix(e, "origin");
		return r;
	}
	struct note_verifier v;
	note_signer_verifier(signer, &v);
	if (strcmp(v.name, q->origin) != 0) {
		err_set(e, ST_INVALID, "signer key is for %s, the log is %s",
			v.name, q->origin);
		free(q);
		return ST_INVALID;
	}
	char want[NOTE_VKEY_MAX + 1], have[NOTE_VKEY_MAX + 1];
	note_verifier_format(&v, have, sizeof have);
	r = store_meta_get(s, "vkey", want, sizeof want, NULL);
	if (r != ST_OK || strcmp(want, have) != 0) {
		err_set(e, r != ST_OK ? r : ST_INVALID,
			"the signer key is not this log's key (%s)", want);
		free(q);
		return r != ST_OK ? r : ST_INVALID;
	}
	q->store = s;
	q->signer = signer;
	q->doc_max = DOC_MAX_DEFAULT;
	q->key_index = -1;
	q->view = (struct rules_view){q, view_last, view_head, view_target,
				      view_provider};
	buf_init(&q->text, ENTRY_MAX);
	buf_init(&q->scratch, 1 << 20);
	*out = q;
	return ST_OK;
}

struct store *sequencer_store(struct sequencer *q)
{
	return q->store;
}

void sequencer_free(struct sequencer *q)
{
	if (q == NULL)
		return;
	buf_free(&q->text);
	buf_free(&q->scratch);
	free(q);
}

void sequencer_set_doc_max(struct sequencer *q, size_t max)
{
	q->doc_max = max;
}

/* Reads the leaf hash of entry index. */
static enum status leaf_hash(struct sequencer *q, int64_t index,
			     uint8_t out[HASH_LEN], struct err *e)
{
	int64_t id = merkle_stored_index(0, index);
	return store_read_hashes(q->store, &id, 1, (uint8_t(*)[HASH_LEN])out,
				 e);
}

/* Reads and parses entry index. */
static enum status read_entry(struct sequencer *q, int64_t index,
			      struct entry *en, struct err *e)
{
	buf_reset(&q->scratch);
	enum status r = store_entry(q->store, index, &q->scratch, e);
	if (r != ST_OK) {
		err_prefix(e, "entry %lld", (long long)index);
		return r;
	}
	r = entry_parse(buf_str(&q->scratch), q->scratch.len, en, e);
	if (r != ST_OK) {
		err_prefix(e, "stored entry %lld", (long long)index);
		return ST_CORRUPT;
	}
	return ST_OK;
}

/* Sets venue-seq and prev from the venue's chain. */
static enum status chain(struct sequencer *q, struct entry *en, bool new_venue,
			 struct err *e)
{
	struct rules_head h;
	enum status r = view_head(q, en->venue, &h, e);
	if (r == ST_OK && new_venue)
		return err_set(e, ST_CONFLICT, "venue %s: already exists",
			       en->venue);
	if (r == ST_NOT_FOUND) {
		if (en->kind != ENTRY_VENUE)
			return err_set(e, ST_NOT_FOUND, "venue %s: not found",
				       en->venue);
		en->venue_seq = 0;
		en->has_prev = false;
		return ST_OK;
	}
	if (r != ST_OK)
		return r;
	en->venue_seq = h.seq + 1;
	en->has_prev = true;
	memcpy(en->prev, h.leaf, HASH_LEN);
	return ST_OK;
}

static enum status check_document(struct sequencer *q, struct seq_request *rq,
				  struct err *e)
{
	struct entry *en = &rq->entry;
	if (rq->doc == NULL || rq->doc_len == 0)
		return err_set(e, ST_INVALID, "document: empty");
	if (rq->doc_len > q->doc_max)
		return err_set(e, ST_TOO_LARGE,
			       "document: %zu bytes, over the limit of %zu",
			       rq->doc_len, q->doc_max);
	const char *mime = entry_sniff_mime(rq->doc, rq->doc_len);
	if (mime == NULL)
		return err_set(e, ST_UNSUPPORTED,
			       "document: not a PDF, PNG or JPEG file");
	assert(strlen(mime) < sizeof en->doc_mime); /* one of entry.c's */
	memcpy(en->doc_mime, mime, strlen(mime) + 1);
	if (strncmp(en->performed, en->logged, 10) > 0)
		return err_set(e, ST_INVALID, "performed: after today (%.10s)",
			       en->logged);
	en->doc_size = (int64_t)rq->doc_len;
	if (rq->doc_sha256 != NULL)
		memcpy(en->doc_sha256, rq->doc_sha256, HASH_LEN);
	else
		sha256(en->doc_sha256, rq->doc, rq->doc_len);
	en->attestation[0] = 0;
	if (rq->attestation == NULL)
		return ST_OK;

	if (en->provider[0] == 0)
		return err_set(e, ST_INVALID,
			       "attestation: needs the provider's name");
	struct rules_verdict k;
	enum status r = rules_key_in_force(&q->view, en->provider, &k, e);
	if (r != ST_OK)
		return r;
	if (k.n > 0)
		return err_set(e, k.f[0].st, "provider %s: %s", en->provider,
			       k.f[0].why);
	struct attest_fields f;
	rules_attest_fields(en, &f);
	/* Its messages name the attestation. */
	return attest_from_note(rq->attestation, rq->attestation_len, &f,
				&k.key, en->attestation, sizeof en->attestation,
				e);
}

/* Checks one request against the log and fills in what the log sets. */
static enum status prepare(struct sequencer *q, struct seq_request *rq,
			   int64_t index, const char logged[21], struct err *e)
{
	struct entry *en = &rq->entry;
	enum status r = ST_OK;
	_Static_assert(sizeof en->logged == 21, "a time and its NUL");
	q->head_valid = false;
	memcpy(en->logged, logged, sizeof en->logged);
	if (!entry_kind_global(en->kind)) {
		if (!entry_venue_id_valid(en->venue))
			return err_set(e, ST_INVALID, "venue: not a venue id");
		if ((r = chain(q, en, rq->new_venue, e)) != ST_OK)
			return r;
		if (en->kind == ENTRY_DOCUMENT &&
		    (r = check_document(q, rq, e)) != ST_OK)
			return r;
	}
	/* The log's rules, as every verifier applies them.  An attestation
	 * was just read from its note under the key in force, its signature
	 * verified (check_document): rules.c checks all else of it. */
	struct rules_verdict v;
	unsigned flags = rq->attestation != NULL ? RULES_DEFER_SIGNATURE : 0;
	if ((r = rules_check(&q->view, en, index, flags, &v, e)) != ST_OK)
		return r;
	if (v.n > 0)
		return err_set(e, v.f[0].st, "%s", v.f[0].why);
	return ST_OK;
}

/* Appends one prepared entry at index: entry row, document, hashes. */
static enum status write_entry(struct sequencer *q, struct seq_request *rq,
			       int64_t index, struct err *e)
{
	struct entry *en = &rq->entry;
	uint8_t stored[MERKLE_MAX_PROOF][HASH_LEN];
	size_t nstored = 0;
	enum status r;

	merkle_leaf_hash(rq->leaf, q->text.data, q->text.len);
	struct store_reader rd = {q->store, e};
	r = merkle_append_hashes(index, rq->leaf, store_merkle_reader, &rd,
				 stored, &nstored);
	if (r != ST_OK) {
		err_prefix(e, "tree");
		return r;
	}

	bool scoped = !entry_kind_global(en->kind);
	bool provider = en->kind == ENTRY_PROVIDER_KEY ||
			en->kind == ENTRY_PROVIDER_REVOKE;
	struct store_entry_row row = {
		.index = index,
		.text = (const char *)q->text.data,
		.len = q->text.len,
		.venue = scoped ? en->venue : NULL,
		.venue_seq = scoped ? en->venue_seq : -1,
		.kind = (int)en->kind,
		.revokes = en->kind == ENTRY_REVOCATION ? en->revokes : -1,
		.provider = provider ? en->name : NULL,
		.doc = en->kind == ENTRY_DOCUMENT ? en->doc_sha256 : NULL,
	};
	if ((r = store_insert_entry(q->store, &row, e)) != ST_OK ||
	    (r = store_insert_hashes(q->store, merkle_stored_count(index),
				     (const uint8_t(*)[HASH_LEN])stored,
				     nstored, e)) != ST_OK)
		return r;
	if (en->kind == ENTRY_DOCUMENT &&
	    (r = store_insert_document(q->store, en->doc_sha256, en->doc_mime,
				       rq->doc_stored ? NULL : rq->doc,
				       rq->doc_len, e)) != ST_OK)
		return r;
	rq->index = index;
	return ST_OK;
}

/* Signs the checkpoint of the log's current size and keeps it. */
static enum status sign_checkpoint(struct sequencer *q, int64_t size,
				   struct buf *out, struct err *e)
{
	struct checkpoint c;
	struct store_reader rd = {q->store, e};
	enum status r;
	snprintf(c.origin, sizeof c.origin, "%s", q->origin);
	c.size = size;
	if (size == 0)
		merkle_empty_root(c.root);
	else if ((r = merkle_tree_hash(size, store_merkle_reader, &rd,
				       c.root)) != ST_OK) {
		err_prefix(e, "tree hash");
		return r;
	}
	buf_reset(&q->scratch);
	if ((r = checkpoint_sign(q->signer, &c, &q->scratch, e)) != ST_OK)
		return r;
	if ((r = store_insert_checkpoint(q->store, size,
					 (const char *)q->scratch.data,
					 q->scratch.len, e)) != ST_OK)
		return r;
	if (out != NULL) {
		buf_reset(out);
		if ((r = buf_append(out, q->scratch.data, q->scratch.len)) !=
		    ST_OK)
			return err_set(e, r, "checkpoint: too large");
	}
	return ST_OK;
}

enum status sequencer_batch_status(enum status r)
{
	/* Every request was checked before the batch failed: the failure is
	 * the log's (busy, or a fault of its database), not a request's. */
	return r == ST_BUSY || status_http(r) >= 500 ? r : ST_INTERNAL;
}

enum status sequencer_append(struct sequencer *q, struct seq_request *reqs,
			     size_t n, struct buf *checkpoint, struct err *e)
{
	char now[21], last[21];
	int64_t size = 0;
	size_t accepted = 0;
	enum status r;

	for (size_t i = 0; i < n; i++) {
		reqs[i].status = ST_INTERNAL;
		reqs[i].err.msg[0] = 0;
		reqs[i].index = -1;
	}
	if ((r = log_now(now, e)) != ST_OK)
		return r;
	if ((r = store_begin(q->store, e)) != ST_OK)
		return r;
	if ((r = store_log_size(q->store, &size, e)) != ST_OK ||
	    (r = store_last_logged(q->store, last, e)) != ST_OK)
		goto fail;
	/* Time never goes backwards along the log. */
	if (strcmp(now, last) < 0)
		memcpy(now, last, sizeof now);
	q->size = size;
	memcpy(q->last, last, sizeof q->last);

	for (size_t i = 0; i < n; i++) {
		struct seq_request *rq = &reqs[i];
		rq->status = prepare(q, rq, size, now, &rq->err);
		if (rq->status != ST_OK) {
			if (rq->status == ST_BUSY || rq->status == ST_IO ||
			    rq->status == ST_FULL || rq->status == ST_CORRUPT) {
				r = err_set(e, rq->status, "%s", rq->err.msg);
				goto fail;
			}
			continue;
		}
		buf_reset(&q->text);
		rq->status = entry_format(&rq->entry, &q->text, &rq->err);
		if (rq->status != ST_OK)
			continue;
		if ((r = write_entry(q, rq, size, e)) != ST_OK)
			goto fail;
		q->size = ++size;
		memcpy(q->last, now, sizeof q->last);
		accepted++;
	}
	if (accepted == 0) {
		store_rollback(q->store);
		return ST_OK;
	}
	if ((r = sign_checkpoint(q, size, checkpoint, e)) != ST_OK)
		goto fail;
	if ((r = store_commit(q->store, e)) != ST_OK) {
		err_prefix(e, "commit");
		goto fail;
	}
	return ST_OK;
fail:
	store_rollback(q->store);
	q->key_index = -1;
	for (size_t i = 0; i < n; i++) {
		if (reqs[i].status == ST_OK) {
			reqs[i].status = sequencer_batch_status(r);
			reqs[i].index = -1;
			snprintf(reqs[i].err.msg, sizeof reqs[i].err.msg,
				 "not logged: %.400s", e != NULL ? e->msg : "");
		}
	}
	return r;
}

enum status sequencer_checkpoint(struct sequencer *q, struct buf *checkpoint,
				 struct err *e)
{
	int64_t size = 0;
	enum status r;
	if ((r = store_begin(q->store, e)) != ST_OK)
		return r;
	if ((r = store_log_size(q->store, &size, e)) != ST_OK)
		goto fail;
	if ((r = sign_checkpoint(q, size, checkpoint, e)) != ST_OK)
		goto fail;
	if ((r = store_commit(q->store, e)) != ST_OK) {
		err_prefix(e, "commit");
		goto fail;
	}
	return ST_OK;
fail:
	store_rollback(q->store);
	return r;
}
