/*
 * verify.c: fuzzes verify_bundle on every bundle that parses: rules 1 to
 * 7 against the test log's key, with every proof checked and documents
 * fetched from a fetcher that finds half of them (by the first byte of
 * their hash), each a few bytes of the wrong hash.  The input's last
 * byte, when it is '!', asks instead for the bundle's own key and only
 * the newest proof, without fetching.
 *
 * verify_bundle must answer ST_OK (the checks could be made) whatever
 * the bundle says, and a report that is ok has no failed check.
 */
#include "core/verify.h"
#include "lib/fuzz.h"

static struct note_verifier log_key;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return fuzz_init_log_key(&log_key);
}

/* A hash whose first byte is even is not found; any other is a document
 * of a few bytes, whose hash does not match. */
static enum status fetch(void *ctx, const uint8_t sha[HASH_LEN],
			 struct buf *out, struct err *e)
{
	(void)ctx;
	if (sha[0] % 2 == 0)
		return err_set(e, ST_NOT_FOUND, "no such document");
	return buf_append(out, "%PDF-1.4\n", 9);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bundle *b = NULL;
	struct err e;
	bool own_key = size > 0 && data[size - 1] == '!';
	if (bundle_parse((const char *)data, own_key ? size - 1 : size, &b,
			 &e) != ST_OK)
		return 0;
	struct verify_options o = {
		.key = own_key ? NULL : &log_key,
		.today = "2026-12-01",
		.all_proofs = !own_key,
		.fetch = own_key ? NULL : fetch,
	};
	struct verify_report rep;
	fuzz_assert(verify_bundle(b, &o, &rep, &e) == ST_OK);
	for (size_t i = 0; i < rep.nchecks; i++)
		fuzz_assert(!rep.ok || rep.checks[i].ok);
	fuzz_assert(rep.latest < (long)rep.nitems);
	verify_report_free(&rep);
	bundle_free(b);
	return 0;
}
