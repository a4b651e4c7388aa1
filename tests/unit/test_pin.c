/*
 * test_pin.c: the poster's pin (k, n, r) and the venue URL around it.
 *
 * The vector was computed independently (Python's hashlib and base64 on
 * the example.com/sanilog key of test_note.c).  The rest are hostile
 * inputs, as a photo of anyone's poster may hold: every one must be
 * refused with ST_INVALID and a message naming what is wrong, or, where
 * DESIGN.md says so (other parameters, another order), accepted.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "core/pin.h"

#define VKEY                                                                   \
	"example.com/sanilog+9c45df66+"                                        \
	"AQOhB7/zzhC+HXDdGOdLwJln5NYwm6UNXx3chmQSVTG4"
/* base64url(SHA-256(VKEY)[0..16)) */
#define K "jdAgo97-EkRhwJsmOwywVA"
/* base64url of bytes 00 01 .. 0f, the first half of the root below */
#define R    "AAECAwQFBgcICQoLDA0ODw"
#define FRAG "k=" K "&n=17&r=" R
#define BASE "https://logs.example.org"
#define URL  BASE "/v/k7m2q9xa#" FRAG

static void root_of(uint8_t root[HASH_LEN])
{
	for (int i = 0; i < HASH_LEN; i++)
		root[i] = (uint8_t)i;
}

static void expect_pin(const struct pin *p)
{
	uint8_t root[HASH_LEN];
	root_of(root);
	assert_int_equal(p->size, 17);
	assert_true(pin_key_matches(p, VKEY, strlen(VKEY)));
	assert_true(pin_root_matches(p, root));
}

static void test_make_format(void **state)
{
	uint8_t root[HASH_LEN];
	struct pin p, q;
	char out[PIN_TEXT_MAX + 1];
	(void)state;
	root_of(root);
	pin_make(VKEY, strlen(VKEY), 17, root, &p);
	assert_int_equal(pin_format(&p, out, sizeof out), strlen(FRAG));
	assert_string_equal(out, FRAG);
	/* The key as `sanilog key` prints it, with its newline: same pin. */
	pin_make(VKEY "\n", strlen(VKEY) + 1, 17, root, &q);
	assert_memory_equal(p.key, q.key, PIN_HASH_LEN);
	expect_pin(&p);

	/* Too small a buffer, a negative size: nothing written. */
	assert_int_equal(pin_format(&p, out, PIN_TEXT_MAX), 0);
	assert_string_equal(out, "");
	p.size = -1;
	assert_int_equal(pin_format(&p, out, sizeof out), 0);
	/* The largest size fits. */
	p.size = INT64_MAX;
	assert_true(pin_format(&p, out, sizeof out) > 0);
	assert_non_null(strstr(out, "&n=9223372036854775807&"));
}

static void test_matches(void **state)
{
	uint8_t root[HASH_LEN];
	struct pin p;
	(void)state;
	root_of(root);
	pin_make(VKEY, strlen(VKEY), 17, root, &p);
	assert_false(pin_key_matches(&p, VKEY "x", strlen(VKEY) + 1));
	assert_false(pin_key_matches(&p, VKEY, strlen(VKEY) - 1));
	assert_false(pin_key_matches(&p, "", 0));
	/* Only the first 16 bytes of the root count. */
	root[31] ^= 1;
	assert_true(pin_root_matches(&p, root));
	root[15] ^= 1;
	assert_false(pin_root_matches(&p, root));
}

/* Fragments a reader accepts, each meaning the pin of FRAG. */
static const char *const good_frags[] = {
	FRAG,
	"n=17&r=" R "&k=" K,	/* another order */
	"r=" R "&k=" K "&n=17", /* another order */
	"lang=it&" FRAG,	/* other parameters are ignored */
	FRAG "&utm_source=poster",
	"k=" K "&x&n=17&&r=" R "&", /* empty and bare parameters */
	"kk=zz&" FRAG "&nn=1&rr=",  /* names that only start like ours */
	"K=nope&N=-&R=x&" FRAG,	    /* names are case-sensitive */
};

static void test_parse_good(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof good_frags / sizeof good_frags[0]; i++) {
		struct pin p;
		struct err e = {{0}};
		enum status r =
			pin_parse(good_frags[i], strlen(good_frags[i]), &p, &e);
		if (r != ST_OK)
			fail_msg("%s: %s", good_frags[i], e.msg);
		expect_pin(&p);
	}
}

/* Fragments a reader refuses, and a word the message must hold. */
static const struct {
	const char *frag;
	const char *msg;
} bad_frags[] = {
	{"", "k= is missing"},
	{"n=17&r=" R, "k= is missing"},
	{"k=" K "&r=" R, "n= is missing"},
	{"k=" K "&n=17", "r= is missing"},
	{"k=&n=17&r=" R, "k= is not"},
	{"k=" K "&n=17&r=", "r= is not"},
	{"k=" K "&n=&r=" R, "n= is not"},
	/* duplicates, even equal ones */
	{FRAG "&k=" K, "more than once"},
	{FRAG "&n=17", "more than once"},
	{"r=" R "&" FRAG, "more than once"},
	/* wrong lengths */
	{"k=jdAgo97-EkRhwJsmOwywV&n=17&r=" R, "k= is not"},
	{"k=" K "A&n=17&r=" R, "k= is not"},
	{"k=" K "&n=17&r=AAECAwQFBgcICQoLDA0OD", "r= is not"},
	{"k=" K "&n=17&r=" R "AA", "r= is not"},
	/* padding, standard base64, stray characters */
	{"k=" K "==&n=17&r=" R, "k= is not"},
	{"k=jdAgo97+EkRhwJsmOwywVA&n=17&r=" R, "k= is not"},
	{"k=jdAgo97/EkRhwJsmOwywVA&n=17&r=" R, "k= is not"},
	{"k=jdAgo97-EkRhwJsm.wywVA&n=17&r=" R, "k= is not"},
	{"k=jdAgo97-EkRhwJsm%20wywVA&n=17&r=" R, "k= is not"},
	/* non-canonical: unused low bits of the last character set */
	{"k=jdAgo97-EkRhwJsmOwywVB&n=17&r=" R, "k= is not"},
	{"k=" K "&n=17&r=AAECAwQFBgcICQoLDA0ODx", "r= is not"},
	/* sizes */
	{"k=" K "&n=017&r=" R, "n= is not"},
	{"k=" K "&n=-1&r=" R, "n= is not"},
	{"k=" K "&n=+1&r=" R, "n= is not"},
	{"k=" K "&n=1a&r=" R, "n= is not"},
	{"k=" K "&n=1 &r=" R, "n= is not"},
	{"k=" K "&n=0x11&r=" R, "n= is not"},
	{"k=" K "&n=9223372036854775808&r=" R, "n= is not"},
	{"k=" K "&n=18446744073709551633&r=" R, "n= is not"},
	{"k=" K "&n=100000000000000000000&r=" R, "n= is not"},
};

static void test_parse_bad(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof bad_frags / sizeof bad_frags[0]; i++) {
		struct pin p;
		struct err e = {{0}};
		const char *f = bad_frags[i].frag;
		enum status r = pin_parse(f, strlen(f), &p, &e);
		if (r != ST_INVALID)
			fail_msg("%s: got %s, want invalid", f, status_str(r));
		if (strstr(e.msg, bad_frags[i].msg) == NULL)
			fail_msg("%s: message \"%s\" lacks \"%s\"", f, e.msg,
				 bad_frags[i].msg);
	}
}

static void test_parse_edges(void **state)
{
	struct pin p;
	struct err e = {{0}};
	const char *f;
	(void)state;
	/* Size 0 and the largest int64 are sizes. */
	f = "k=" K "&n=0&r=" R;
	assert_int_equal(pin_parse(f, strlen(f), &p, &e), ST_OK);
	assert_int_equal(p.size, 0);
	f = "k=" K "&n=9223372036854775807&r=" R;
	assert_int_equal(pin_parse(f, strlen(f), &p, &e), ST_OK);
	assert_true(p.size == INT64_MAX);
	/* The length given is the end: a NUL is just a byte, and what comes
	 * after len is not read. */
	static const char nul[] = "k=" K "&n=17&r=" R "\0garbage";
	assert_int_equal(pin_parse(nul, sizeof nul - 1, &p, &e), ST_INVALID);
	assert_int_equal(pin_parse(FRAG "&n=1", strlen(FRAG), &p, &e), ST_OK);
	/* Not NUL-terminated at all. */
	char raw[sizeof FRAG - 1];
	memcpy(raw, FRAG, sizeof raw);
	assert_int_equal(pin_parse(raw, sizeof raw, &p, &e), ST_OK);
	expect_pin(&p);
	/* Huge input is refused before it is read. */
	size_t big = PIN_URL_MAX + 1;
	char *h = malloc(big);
	assert_non_null(h);
	memset(h, '&', big);
	assert_int_equal(pin_parse(h, big, &p, &e), ST_INVALID);
	free(h);
}

static void test_url_good(void **state)
{
	static const struct {
		const char *url, *base, *host, *venue;
		bool pin;
	} t[] = {
		{URL, BASE, "logs.example.org", "k7m2q9xa", true},
		{"http://127.0.0.1:8080/v/k7m2q9xa#" FRAG,
		 "http://127.0.0.1:8080", "127.0.0.1:8080", "k7m2q9xa", true},
		{"https://example.org/towns/roma/v/abcdefgh#" FRAG,
		 "https://example.org/towns/roma", "example.org", "abcdefgh",
		 true},
		{"https://[::1]:9/v/abcdefgh", "https://[::1]:9", "[::1]:9",
		 "abcdefgh", false},
		{BASE "/v/k7m2q9xa", BASE, "logs.example.org", "k7m2q9xa",
		 false},
		{BASE "/v/k7m2q9xa/", BASE, "logs.example.org", "k7m2q9xa",
		 false},
		{BASE "/v/k7m2q9xa?lang=it#" FRAG, BASE, "logs.example.org",
		 "k7m2q9xa", true},
		{BASE "/v/k7m2q9xa#", BASE, "logs.example.org", "k7m2q9xa",
		 false},
		{BASE "/v/k7m2q9xa#lang=it", BASE, "logs.example.org",
		 "k7m2q9xa", false},
		{BASE "/v/k7m2q9xa#x=1&" FRAG "&y=2", BASE, "logs.example.org",
		 "k7m2q9xa", true},
		/* the path's last /v/ counts */
		{BASE "/v/v/abcdefgh#" FRAG, BASE "/v", "logs.example.org",
		 "abcdefgh", true},
	};
	(void)state;
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		struct venue_url u;
		struct err e = {{0}};
		if (pin_parse_venue_url(t[i].url, &u, &e) != ST_OK)
			fail_msg("%s: %s", t[i].url, e.msg);
		assert_string_equal(u.base, t[i].base);
		assert_string_equal(u.host, t[i].host);
		assert_string_equal(u.venue, t[i].venue);
		assert_int_equal(u.has_pin, t[i].pin);
		if (t[i].pin)
			expect_pin(&u.pin);
	}
}

static void test_url_bad(void **state)
{
	static const struct {
		const char *url, *msg;
	} t[] = {
		{"", "not http"},
		{"logs.example.org/v/k7m2q9xa", "not http"},
		{"ftp://logs.example.org/v/k7m2q9xa", "not http"},
		{"HTTPS://logs.example.org/v/k7m2q9xa", "not http"},
		{"javascript:alert(1)//v/k7m2q9xa", "not http"},
		{"https://", "no path"},
		{"https://logs.example.org", "no path"},
		{"https:///v/k7m2q9xa", "no host"},
		{"https://:443/v/k7m2q9xa", "no host"},
		{"https://user@evil.example/v/k7m2q9xa", "user info"},
		{"https://logs.example.org/k7m2q9xa", "/v/<venue>"},
		{"https://logs.example.org/x/k7m2q9xa", "/v/<venue>"},
		{"https://logs.example.org/v/k7m2q9xa/bundle.json",
		 "/v/<venue>"},
		{"https://logs.example.org/v/", "/v/<venue>"},
		/* found by tests/fuzz/venue_url: the base was "https://x/" */
		{"https://x//v/k7m2q9xa", "empty path segment"},
		{"https://x//gxample.org/logkhttp://v/k729qxma?/",
		 "empty path segment"},
		{"https://logs.example.org/v/k7m2q9x", "/v/<venue>"},
		{"https://logs.example.org/v/k7m2q9xab", "/v/<venue>"},
		{"https://logs.example.org/v/k7m2q9xl", "not a venue id"},
		{"https://logs.example.org/v/K7M2Q9XA", "not a venue id"},
		{"https://logs.example.org/v/k7m2q9x0", "not a venue id"},
		{"https://logs.example.org/v/k7m2q9xa#k=" K "&n=17", "r= is "},
		{"https://logs.example.org/v/k7m2q9xa#n=1", "k= is missing"},
		{"https://logs.example.org/v/k7m2q9xa#" FRAG "&k=" K,
		 "more than once"},
		{"https://logs.example.org/v/k7m2q9xa#k=" K "&n=17&r=" R "#",
		 "r= is not"},
		{"https://logs.example.org/v/k7m2q9xa #" FRAG, "a space"},
		{"https://logs.example.org/v/k7m2q9xa\n", "a space"},
		{"https://logs.ex\xc3\xa0mple.org/v/k7m2q9xa", "non-ASCII"},
		{"https://logs.example.org/v/k7m2q9xa\x7f", "a control"},
	};
	(void)state;
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		struct venue_url u;
		struct err e = {{0}};
		enum status r = pin_parse_venue_url(t[i].url, &u, &e);
		if (r != ST_INVALID)
			fail_msg("%s: got %s, want invalid", t[i].url,
				 status_str(r));
		if (strstr(e.msg, t[i].msg) == NULL)
			fail_msg("%s: message \"%s\" lacks \"%s\"", t[i].url,
				 e.msg, t[i].msg);
	}
}

/* head, n times c, then tail into url (size bytes, which must do). */
static void fill_url(char *url, size_t size, const char *head, char c, size_t n,
		     const char *tail)
{
	size_t h = strlen(head), t = strlen(tail);
	assert_true(h + n + t < size);
	memcpy(url, head, h);
	memset(url + h, c, n);
	memcpy(url + h + n, tail, t + 1);
}

static void test_url_lengths(void **state)
{
	struct venue_url u;
	struct err e = {{0}};
	(void)state;
	/* A host of PIN_HOST_MAX bytes passes, one more does not. */
	const size_t size = PIN_URL_MAX + 64;
	char *url = malloc(size);
	assert_non_null(url);
	fill_url(url, size, "https://", 'h', PIN_HOST_MAX, "/v/k7m2q9xa");
	assert_int_equal(pin_parse_venue_url(url, &u, &e), ST_OK);
	assert_int_equal(strlen(u.host), PIN_HOST_MAX);
	fill_url(url, size, "https://", 'h', PIN_HOST_MAX + 1, "/v/k7m2q9xa");
	assert_int_equal(pin_parse_venue_url(url, &u, &e), ST_INVALID);
	/* A URL longer than PIN_URL_MAX is refused whole. */
	fill_url(url, size, URL "&", 'x', PIN_URL_MAX + 1 - strlen(URL "&"),
		 "");
	assert_int_equal(pin_parse_venue_url(url, &u, &e), ST_INVALID);
	assert_non_null(strstr(e.msg, "longer than"));
	url[PIN_URL_MAX] = 0; /* exactly PIN_URL_MAX: fine */
	assert_int_equal(pin_parse_venue_url(url, &u, &e), ST_OK);
	/* A base longer than PIN_BASE_MAX. */
	fill_url(url, size, "https://h/", 'p', PIN_BASE_MAX, "/v/k7m2q9xa");
	assert_int_equal(pin_parse_venue_url(url, &u, &e), ST_INVALID);
	free(url);
}

static void test_venue_url_round_trip(void **state)
{
	uint8_t root[HASH_LEN];
	struct pin p;
	struct venue_url u;
	struct err e = {{0}};
	char out[PIN_URL_MAX + 1];
	(void)state;
	root_of(root);
	pin_make(VKEY, strlen(VKEY), 17, root, &p);
	assert_int_equal(
		pin_venue_url(BASE, "k7m2q9xa", &p, out, sizeof out, &e),
		ST_OK);
	assert_string_equal(out, URL);
	assert_int_equal(pin_parse_venue_url(out, &u, &e), ST_OK);
	assert_true(u.has_pin);
	assert_memory_equal(&u.pin, &p, sizeof p);
	/* Too small: nothing usable, ST_TOO_LARGE. */
	assert_int_equal(
		pin_venue_url(BASE, "k7m2q9xa", &p, out, strlen(URL), &e),
		ST_TOO_LARGE);
	assert_string_equal(out, "");
	assert_int_equal(
		pin_venue_url(BASE, "k7m2q9xl", &p, out, sizeof out, &e),
		ST_INVALID);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_make_format),
		cmocka_unit_test(test_matches),
		cmocka_unit_test(test_parse_good),
		cmocka_unit_test(test_parse_bad),
		cmocka_unit_test(test_parse_edges),
		cmocka_unit_test(test_url_good),
		cmocka_unit_test(test_url_bad),
		cmocka_unit_test(test_url_lengths),
		cmocka_unit_test(test_venue_url_round_trip),
	};

	if (sodium_init() < 0) {
		fprintf(stderr, "sodium_init failed\n");
		return 2;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
