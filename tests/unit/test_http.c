/*
 * test_http.c: what the HTTP layer parses from a request's header values
 * by itself (web/http.h): media types (RFC 9110 8.3.1), names in any case,
 * a parameter's value as given.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "web/http.h"
#include "web/head.h"

static void test_media_type(void **state)
{
	(void)state;
	static const struct {
		const char *in;
		bool ok;
		const char *type, *boundary;
	} v[] = {
		{"multipart/form-data; boundary=abc", true,
		 "multipart/form-data", "abc"},
		{"MULTIPART/FORM-DATA; BOUNDARY=AbC", true,
		 "multipart/form-data", "AbC"},
		{"Multipart/Form-Data;charset=utf-8; Boundary=\"a b\" ; x=y",
		 true, "multipart/form-data", "a b"},
		{"multipart/form-data; xboundary=1; boundary=z", true,
		 "multipart/form-data", "z"},
		{"multipart/form-data; boundary=\"q\\\"t\"", true,
		 "multipart/form-data", "q\"t"},
		{" text/plain ;; ", true, "text/plain", ""},
		{"application/x-www-form-urlencoded", true,
		 "application/x-www-form-urlencoded", ""},
		{"multipart/form-data; boundary=a; boundary=b", false, NULL,
		 NULL},
		{"multipart/form-data; boundary=", false, NULL, NULL},
		{"multipart/form-data; boundary=\"open", false, NULL, NULL},
		{"multipart/form-data; boundary=a b", false, NULL, NULL},
		{"multipart/form-data boundary=a", false, NULL, NULL},
		{"multipart", false, NULL, NULL},
		{"/form-data", false, NULL, NULL},
		{"multipart/", false, NULL, NULL},
		{"multi part/form-data", false, NULL, NULL},
		{"", false, NULL, NULL},
		{"multipart/form-data; =a", false, NULL, NULL},
		{"multipart/form-data; boundary=\"a\x01\"", false, NULL, NULL},
	};
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
		char type[64], boundary[71];
		bool ok =
			http_media_type(v[i].in, type, sizeof type, "boundary",
					boundary, sizeof boundary);
		if (ok != v[i].ok)
			fail_msg("\"%s\": %s", v[i].in,
				 ok ? "taken" : "refused");
		if (!ok)
			continue;
		assert_string_equal(type, v[i].type);
		assert_string_equal(boundary, v[i].boundary);
	}
	/* Too long for the caller's room: refused, not cut. */
	char small[8], b[4];
	assert_false(http_media_type("multipart/form-data", small, sizeof small,
				     "boundary", b, sizeof b));
	assert_false(http_media_type("a/b; boundary=abcd", small, sizeof small,
				     "boundary", b, sizeof b));
	assert_true(http_media_type("a/b; boundary=abc", small, sizeof small,
				    "boundary", b, sizeof b));
	assert_string_equal(b, "abc");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_media_type),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
