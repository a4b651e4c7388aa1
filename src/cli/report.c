/*
 * report.c: venue summaries and verification reports, as text and JSON.
 */
#include "report.h"

#include <string.h>

#include "core/codec.h"

static const char *item_what(const struct verify_item *it)
{
	const struct entry *en = &it->entry;
	switch (en->kind) {
	case ENTRY_VENUE:
		return en->name;
	case ENTRY_DOCUMENT:
		return en->title;
	case ENTRY_REVOCATION:
		return en->reason;
	default:
		return en->name;
	}
}

void report_print_venue(FILE *f, const char *venue,
			const struct verify_report *rep, bool history)
{
	fprintf(f, "venue     %s\n", venue);
	fprintf(f, "name      %s\n", rep->name);
	fprintf(f, "address   %s\n", rep->address);
	fprintf(f, "interval  %d days\n", rep->interval_days);
	if (rep->latest < 0) {
		fprintf(f, "latest    no sanitization logged\n");
	} else {
		const struct verify_item *it = &rep->items[rep->latest];
		const struct entry *en = &it->entry;
		fprintf(f, "latest    sanitized %s (%lld days ago)",
			en->performed, (long long)rep->days_since);
		if (en->provider[0] != 0)
			fprintf(f, " by %s%s",
				it->provider_display[0] ? it->provider_display
							: en->provider,
				it->attested ? " (signed by the provider)"
					     : " (not signed by the provider)");
		fputc('\n', f);
		if (en->expires[0] != 0)
			fprintf(f, "expires   %s\n", en->expires);
		fprintf(f, "next due  %s\n", rep->next_due);
	}
	if (rep->overdue)
		fprintf(f,
			"OVERDUE   more than %d days since the last "
			"sanitization\n",
			rep->interval_days);
	if (rep->expired)
		fprintf(f, "EXPIRED   the last sanitization certificate has "
			   "expired\n");
	if (!history)
		return;
	fprintf(f, "history   %zu entries\n", rep->nitems);
	for (size_t i = 0; i < rep->nitems; i++) {
		const struct verify_item *it = &rep->items[i];
		const struct entry *en = &it->entry;
		fprintf(f, "  %4lld  #%-6lld %s  %-10s",
			(long long)en->venue_seq, (long long)it->index,
			en->logged, entry_kind_str(en->kind));
		if (en->kind == ENTRY_DOCUMENT)
			fprintf(f, " %s performed %s", en->type, en->performed);
		if (en->kind == ENTRY_REVOCATION)
			fprintf(f, " of %lld", (long long)en->revokes);
		fprintf(f, "  %s", item_what(it));
		if (it->revoked)
			fprintf(f, "  [REVOKED: %s]", it->revoke_reason);
		fputc('\n', f);
	}
}

void report_print_checks(FILE *f, const struct verify_report *rep)
{
	for (size_t i = 0; i < rep->nchecks; i++) {
		const struct verify_check *c = &rep->checks[i];
		fprintf(f, "%s rule %d %s: %s\n", c->ok ? "✓" : "✗", c->rule,
			c->name, c->detail);
	}
	if (rep->omitted > 0)
		fprintf(f, "✗ and %zu more failed check%s, not shown\n",
			rep->omitted, rep->omitted == 1 ? "" : "s");
	fprintf(f, "%s\n", rep->ok ? "valid" : "INVALID");
}

json_t *report_json(const char *venue, const struct verify_report *rep,
		    bool checks)
{
	json_t *o = json_pack("{s:s, s:s, s:s, s:i, s:b, s:b}", "venue", venue,
			      "name", rep->name, "address", rep->address,
			      "interval_days", rep->interval_days, "overdue",
			      rep->overdue, "expired", rep->expired);
	if (o == NULL)
		return NULL;
	if (rep->latest >= 0) {
		const struct verify_item *it = &rep->items[rep->latest];
		char sha[2 * HASH_LEN + 1];
		hex_encode(sha, it->entry.doc_sha256, HASH_LEN);
		json_object_set_new(
			o, "latest_sanitization",
			json_pack("{s:I, s:s, s:s, s:s?, s:s?, s:b, s:I, s:s}",
				  "index", (json_int_t)it->index, "title",
				  it->entry.title, "performed",
				  it->entry.performed, "expires",
				  it->entry.expires[0] ? it->entry.expires
						       : NULL,
				  "provider",
				  it->entry.provider[0] ? it->entry.provider
							: NULL,
				  "attested", it->attested, "days_since",
				  (json_int_t)rep->days_since, "doc", sha));
	} else {
		json_object_set_new(o, "latest_sanitization", json_null());
	}
	json_object_set_new(o, "next_due",
			    rep->next_due[0] ? json_string(rep->next_due)
					     : json_null());
	json_t *hist = json_array();
	for (size_t i = 0; hist != NULL && i < rep->nitems; i++) {
		const struct verify_item *it = &rep->items[i];
		json_array_append_new(
			hist,
			json_pack("{s:I, s:I, s:s, s:s, s:s, s:b}", "index",
				  (json_int_t)it->index, "venue_seq",
				  (json_int_t)it->entry.venue_seq, "kind",
				  entry_kind_str(it->entry.kind), "logged",
				  it->entry.logged, "what", item_what(it),
				  "revoked", it->revoked));
	}
	json_object_set_new(o, "history", hist);
	if (checks) {
		json_t *c = report_checks_json(rep);
		if (c == NULL || json_object_update(o, c) != 0) {
			json_decref(o);
			o = NULL;
		}
		json_decref(c);
	}
	return o;
}

json_t *report_checks_json(const struct verify_report *rep)
{
	json_t *arr = json_array();
	for (size_t i = 0; arr != NULL && i < rep->nchecks; i++) {
		const struct verify_check *c = &rep->checks[i];
		json_array_append_new(arr,
				      json_pack("{s:i, s:s, s:b, s:s}", "rule",
						c->rule, "name", c->name, "ok",
						c->ok, "detail", c->detail));
	}
	return json_pack("{s:o, s:I, s:b}", "checks", arr, "failed_not_shown",
			 (json_int_t)rep->omitted, "valid", rep->ok);
}
