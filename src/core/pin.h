/*
 * pin.h: the poster's pin of the log, and the venue URL that carries it
 * (DESIGN.md "The poster's QR code").
 *
 * A poster's QR code holds
 *
 *   https://host/v/k7m2q9xa#k=<key>&n=<size>&r=<root>
 *
 * where, after the '#' (a fragment: never sent to a server),
 *   k = base64url, no padding, of the first 16 bytes of SHA-256 of the log's
 *       verifier key text (without its newline): 22 characters;
 *   n = the tree size of the kept checkpoint the poster was made from, a
 *       canonical decimal (no sign, no leading zeros);
 *   r = base64url, no padding, of the first 16 bytes of that checkpoint's
 *       root hash: 22 characters.
 * The writer puts them in the order k, n, r.  A reader requires all three
 * (each exactly once, canonical) and ignores every other parameter; it
 * does not care about their order.
 *
 * What a verifier does with a pin: the log key it is shown must match k
 * (pin_key_matches), the signed checkpoint of size n (/checkpoint/<n>) must
 * verify and its root start with r (pin_root_matches), and a consistency
 * proof from it to the served checkpoint must verify.  A served tree
 * smaller than n is a rollback (or a mirror that lags).
 *
 * Nothing here allocates, prints or touches the network.
 */
#ifndef SANILOG_PIN_H
#define SANILOG_PIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/status.h"
#include "entry.h"
#include "hash.h"

#define PIN_HASH_LEN 16 /* bytes of the key hash and of the root kept */
#define PIN_B64_LEN  22 /* base64url characters of 16 bytes */
/* "k=" 22 "&n=" 19 digits "&r=" 22, and the NUL. */
#define PIN_TEXT_MAX (2 + PIN_B64_LEN + 3 + 19 + 3 + PIN_B64_LEN)

#define PIN_URL_MAX  2048 /* longest venue URL parse_venue_url reads */
#define PIN_BASE_MAX 1024 /* longest base URL ("https://host/prefix") */
#define PIN_HOST_MAX 256  /* longest host[:port] */

struct pin {
	uint8_t key[PIN_HASH_LEN];  /* SHA-256(verifier key text)[0..16) */
	int64_t size;		    /* tree size, >= 0 */
	uint8_t root[PIN_HASH_LEN]; /* root hash [0..16) */
};

/*
 * Makes the pin of a log: vkey[0..vkey_len) is the verifier key text (one
 * trailing LF is dropped, so the text as `sanilog key` prints it gives the
 * same pin), size and root are those of a kept checkpoint.  Never fails.
 */
void pin_make(const char *vkey, size_t vkey_len, int64_t size,
	      const uint8_t root[HASH_LEN], struct pin *out);

/*
 * Writes the fragment "k=...&n=...&r=..." (no '#') and a NUL into out.
 * Returns the length written, or 0 (and out is "" when outsize > 0) when
 * outsize is less than PIN_TEXT_MAX + 1 or size is negative.
 */
size_t pin_format(const struct pin *p, char *out, size_t outsize);

/*
 * Parses a fragment (without its '#'): '&'-separated parameters
 * "name=value".  k, n and r must each appear exactly once, k and r as 22
 * canonical base64url characters of 16 bytes, n as a canonical decimal
 * that fits an int64; other parameters (and empty ones, "a&&b") are
 * ignored, as is the order.  ST_INVALID otherwise, with e saying which
 * parameter is wrong; *out is then unspecified.
 */
enum status pin_parse(const char *frag, size_t len, struct pin *out,
		      struct err *e);

/* Whether a verifier key text (one trailing LF allowed) is the one p
 * pins.  Constant time in the hash comparison. */
bool pin_key_matches(const struct pin *p, const char *vkey, size_t vkey_len);

/* Whether a root hash starts with the 16 bytes p pins. */
bool pin_root_matches(const struct pin *p, const uint8_t root[HASH_LEN]);

/*
 * A venue URL taken apart:
 *
 *   https://example.org/prefix/v/k7m2q9xa#k=..&n=..&r=..
 *   \_______________________/   \______/ \___________/
 *            base                 venue       pin
 *   host = "example.org" (with ":port" when the URL has one)
 */
struct venue_url {
	char base[PIN_BASE_MAX + 1]; /* scheme://host[:port][/prefix], no
					trailing slash: fetch base + "/v/..",
					base + "/checkpoint/<n>", ... */
	char host[PIN_HOST_MAX + 1]; /* host[:port], as in the URL */
	char venue[VENUE_ID_LEN + 1];
	bool has_pin; /* false: the URL has no k, n or r parameter */
	struct pin pin;
};

/*
 * Parses a venue URL as the poster's QR code holds it (or as a person
 * types it without the fragment):
 *   - the scheme is "http://" or "https://" (lowercase);
 *   - the host is non-empty, printable ASCII without '@' (no user info),
 *     at most PIN_HOST_MAX bytes, optionally followed by ":port";
 *   - the path ends in "/v/<venue id>" (8 characters of VENUE_ALPHABET),
 *     optionally followed by one '/'; whatever comes before it is the
 *     base's prefix, which does not end in '/';
 *   - a query ("?...") is allowed and ignored;
 *   - the fragment, when it names any of k, n or r, must be a whole pin
 *     (pin_parse); a fragment naming none of them means no pin.
 * No byte of the URL may be a space, a control or non-ASCII; at most
 * PIN_URL_MAX bytes.  ST_INVALID otherwise, with e saying why (a pin that
 * is wrong is an error, never silently dropped); *out is then unspecified.
 */
enum status pin_parse_venue_url(const char *url, struct venue_url *out,
				struct err *e);

/*
 * Writes "<base>/v/<venue>#<pin>" and a NUL into out: the text of a
 * poster's QR code.  base must not end in '/'.  ST_TOO_LARGE when it does
 * not fit outsize; ST_INVALID when venue is not a venue id.
 */
enum status pin_venue_url(const char *base, const char *venue,
			  const struct pin *p, char *out, size_t outsize,
			  struct err *e);

#endif
