/*
 * venue_url.c: fuzzes pin_parse_venue_url, the reader of the URL `sanilog
 * verify URL` is given or scans from a poster, and survey_parse_url, the
 * reader of `sanilog report URL`'s.
 *
 * A URL that parses with a pin is rebuilt by pin_venue_url from its parts
 * (as a poster writes it) into a URL that parses to the same parts.  A
 * log's URL that parses has a base without a final '/', which parses
 * again, to itself unless it ends in /v/<venue> itself.
 */
#include "core/pin.h"
#include "lib/fuzz.h"
#include "net/survey.h"

static void log_url(const char *url, struct venue_url *u)
{
	bool has_venue = false, again = false;
	struct err e;
	if (survey_parse_url(url, &u[0], &has_venue, &e) != ST_OK)
		return;
	size_t n = strlen(u[0].base);
	fuzz_assert(n > 0 && u[0].base[n - 1] != '/');
	fuzz_assert(has_venue ? entry_venue_id_valid(u[0].venue)
			      : u[0].venue[0] == 0);
	fuzz_assert(survey_parse_url(u[0].base, &u[1], &again, &e) == ST_OK);
	/* (A base that itself ends in /v/<venue> reads as a venue URL.) */
	fuzz_assert(again || (strcmp(u[0].base, u[1].base) == 0 &&
			      strcmp(u[0].host, u[1].host) == 0));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct venue_url *u = malloc(2 * sizeof *u);
	char *url = fuzz_cstr(data, size), text[PIN_URL_MAX + 1];
	struct err e;
	if (u == NULL || url == NULL)
		goto out;
	log_url(url, u);
	if (pin_parse_venue_url(url, &u[0], &e) != ST_OK)
		goto out;
	fuzz_assert(entry_venue_id_valid(u[0].venue));
	fuzz_assert(strlen(u[0].base) > 0 &&
		    u[0].base[strlen(u[0].base) - 1] != '/');
	if (!u[0].has_pin)
		goto out;
	if (pin_venue_url(u[0].base, u[0].venue, &u[0].pin, text, sizeof text,
			  &e) != ST_OK)
		goto out; /* a base near PIN_URL_MAX leaves no room */
	fuzz_assert(pin_parse_venue_url(text, &u[1], &e) == ST_OK);
	fuzz_assert(u[1].has_pin && strcmp(u[0].base, u[1].base) == 0 &&
		    strcmp(u[0].host, u[1].host) == 0 &&
		    strcmp(u[0].venue, u[1].venue) == 0 &&
		    memcmp(&u[0].pin, &u[1].pin, sizeof u[0].pin) == 0);
out:
	free(url);
	free(u);
	return 0;
}
