/*
 * report.c: venue summaries and verification reports, as text and JSON.
 */
#include "report.h"

#include <ctype.h>
#include <stdlib.h>
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
	case ENTRY_WITNESS_POLICY:
		return en->nwitnesses == 0 ? "the end of witnessing"
					   : "a witness policy";
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

enum report_state report_state_of(const struct verify_report *rep)
{
	if (rep->latest < 0)
		return REPORT_NONE;
	if (rep->expired)
		return REPORT_EXPIRED;
	return rep->overdue ? REPORT_OVERDUE : REPORT_CURRENT;
}

const char *report_state_str(enum report_state s)
{
	switch (s) {
	case REPORT_CURRENT:
		return "current";
	case REPORT_OVERDUE:
		return "overdue";
	case REPORT_EXPIRED:
		return "expired";
	default:
		return "none";
	}
}

/* The venue's item at venue-seq seq, or NULL. */
static const struct verify_item *item_at_seq(const struct verify_report *rep,
					     int64_t seq)
{
	for (size_t i = 0; i < rep->nitems; i++)
		if (rep->items[i].entry.venue_seq == seq)
			return &rep->items[i];
	return NULL;
}

/* The venue's item at log index index, or NULL. */
static const struct verify_item *item_at_index(const struct verify_report *rep,
					       int64_t index)
{
	for (size_t i = 0; i < rep->nitems; i++)
		if (rep->items[i].index == index)
			return &rep->items[i];
	return NULL;
}

void report_print_history(FILE *f, const struct verify_report *rep)
{
	fprintf(f, "history   %zu entr%s, oldest first\n", rep->nitems,
		rep->nitems == 1 ? "y" : "ies");
	for (size_t i = 0; i < rep->nitems; i++) {
		const struct verify_item *it = &rep->items[i];
		const struct entry *en = &it->entry;
		const struct verify_item *of;
		fprintf(f, "  #%-6lld %.10s  ", (long long)it->index,
			en->kind == ENTRY_DOCUMENT ? en->performed
						   : en->logged);
		switch (en->kind) {
		case ENTRY_DOCUMENT:
			fprintf(f, "%-13s \"%s\"", en->type, en->title);
			if (en->provider[0] == 0)
				fputs(", no provider", f);
			else
				fprintf(f, ", by %s",
					it->provider_display[0]
						? it->provider_display
						: en->provider);
			fputs(it->attested ? ", signed by the provider"
					   : ", not signed",
			      f);
			if (it->revoked)
				fprintf(f, ", REVOKED: %s", it->revoke_reason);
			break;
		case ENTRY_REVOCATION:
			of = item_at_seq(rep, en->revokes);
			fprintf(f, "%-13s of #%lld", "revocation",
				of != NULL ? (long long)of->index
					   : (long long)-1);
			if (of != NULL && of->entry.kind == ENTRY_DOCUMENT)
				fprintf(f, " \"%s\"", of->entry.title);
			fprintf(f, ": %s", en->reason);
			break;
		case ENTRY_PROVIDER_KEY:
		case ENTRY_PROVIDER_REVOKE:
		case ENTRY_WITNESS_POLICY:
			/* global entries: a venue's report holds none */
			fprintf(f, "%-13s %s", entry_kind_str(en->kind),
				item_what(it));
			break;
		default:
			fprintf(f, "%-13s %s, %s, every %d days",
				en->venue_seq == 0 ? entry_kind_str(en->kind)
						   : "venue update",
				en->name, en->address, en->interval_days);
			break;
		}
		fputc('\n', f);
	}
}

/* Under a failed check, the documents it names by log index ("entry 17"),
 * by their titles. */
static void print_named_documents(FILE *f, const struct verify_report *rep,
				  const char *detail)
{
	int64_t done[8];
	size_t ndone = 0;
	for (const char *p = strstr(detail, "entry "); p != NULL;
	     p = strstr(p + 1, "entry ")) {
		if (p > detail && isalpha((unsigned char)p[-1]))
			continue; /* "provider entry 4" is no document */
		if (!isdigit((unsigned char)p[6]))
			continue;
		int64_t index = strtoll(p + 6, NULL, 10);
		const struct verify_item *it = item_at_index(rep, index);
		bool seen = false;
		for (size_t k = 0; k < ndone; k++)
			seen = seen || done[k] == index;
		if (it == NULL || it->entry.kind != ENTRY_DOCUMENT || seen ||
		    ndone == sizeof done / sizeof *done)
			continue;
		done[ndone++] = index;
		fprintf(f,
			"    entry %lld is the document \"%s\" (%s, "
			"performed %s)\n",
			(long long)index, it->entry.title, it->entry.type,
			it->entry.performed);
	}
}

/* Rule 10's policy change, a line before the verdict: "! witness policy
 * changed since <size>: removed A, B; quorum 2 -> 1". */
static void print_policy_change(FILE *f, const struct verify_policy_change *c)
{
	if (!c->changed)
		return;
	fprintf(f, "! witness policy changed since tree size %lld:",
		(long long)c->since);
	for (int i = 0; i < c->nremoved; i++)
		fprintf(f, "%s%s", i == 0 ? " removed " : ", ", c->removed[i]);
	fprintf(f, "%squorum %d -> %d\n", c->nremoved > 0 ? "; " : " ",
		c->quorum_before, c->quorum_now);
}

/* Rule 10's policy change as JSON (new), or null. */
static json_t *policy_change_json(const struct verify_policy_change *c)
{
	if (!c->changed)
		return json_null();
	json_t *removed = json_array();
	for (int i = 0; removed != NULL && i < c->nremoved; i++)
		json_array_append_new(removed, json_string(c->removed[i]));
	return json_pack("{s:I, s:o, s:i, s:i}", "since", (json_int_t)c->since,
			 "removed", removed, "quorum_before", c->quorum_before,
			 "quorum_now", c->quorum_now);
}

void report_print_checks(FILE *f, const struct verify_report *rep)
{
	for (size_t i = 0; i < rep->nchecks; i++) {
		const struct verify_check *c = &rep->checks[i];
		fprintf(f, "%s rule %d %s: %s\n", c->ok ? "✓" : "✗", c->rule,
			c->name, c->detail);
		if (!c->ok)
			print_named_documents(f, rep, c->detail);
	}
	if (rep->omitted > 0)
		fprintf(f, "✗ and %zu more failed check%s, not shown\n",
			rep->omitted, rep->omitted == 1 ? "" : "s");
	print_policy_change(f, &rep->policy_change);
	fprintf(f, "%s\n", rep->ok ? "valid" : "INVALID");
}

void report_print_current(FILE *f, const struct verify_report *rep)
{
	const struct verify_item *l =
		rep->latest >= 0 ? &rep->items[rep->latest] : NULL;
	switch (report_state_of(rep)) {
	case REPORT_CURRENT:
		fprintf(f, "current: sanitized %s, next due %s\n",
			l->entry.performed, rep->next_due);
		break;
	case REPORT_EXPIRED:
		fprintf(f,
			"NOT CURRENT: expired: the certificate of the "
			"sanitization of %s expired on %s\n",
			l->entry.performed, l->entry.expires);
		break;
	case REPORT_OVERDUE:
		fprintf(f,
			"NOT CURRENT: overdue: last sanitized %s, the next "
			"was due %s\n",
			l->entry.performed, rep->next_due);
		break;
	default:
		fprintf(f, "NOT CURRENT: no sanitization on record\n");
		break;
	}
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
	json_object_set_new(
		o, "state",
		json_string(report_state_str(report_state_of(rep))));
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
	json_object_set_new(o, "policy_change",
			    policy_change_json(&rep->policy_change));
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
