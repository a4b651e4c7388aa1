/*
 * pin.c: the poster's pin "k=..&n=..&r=.." and the venue URL around it
 * (see pin.h and DESIGN.md "The poster's QR code").
 *
 * The parsers take text from photographs of posters, that is from anyone:
 * every length is bounded before it is used, and every value is decoded
 * strictly (canonical base64url, canonical decimals).
 */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "codec.h"
#include "pin.h"

void pin_make(const char *vkey, size_t vkey_len, int64_t size,
	      const uint8_t root[HASH_LEN], struct pin *out)
{
	uint8_t h[HASH_LEN];
	if (vkey_len > 0 && vkey[vkey_len - 1] == '\n')
		vkey_len--;
	sha256(h, vkey, vkey_len);
	memcpy(out->key, h, PIN_HASH_LEN);
	out->size = size;
	memcpy(out->root, root, PIN_HASH_LEN);
}

size_t pin_format(const struct pin *p, char *out, size_t outsize)
{
	char k[PIN_B64_LEN + 1], r[PIN_B64_LEN + 1];
	if (outsize > 0)
		out[0] = 0;
	if (outsize < PIN_TEXT_MAX + 1 || p->size < 0)
		return 0;
	b64_encode(k, sizeof k, p->key, PIN_HASH_LEN, B64_URL);
	b64_encode(r, sizeof r, p->root, PIN_HASH_LEN, B64_URL);
	int n = snprintf(out, outsize, "k=%s&n=%lld&r=%s", k,
			 (long long)p->size, r);
	return n > 0 && (size_t)n < outsize ? (size_t)n : 0;
}

/* A canonical decimal that fits an int64 (dec_parse on a copy, since
 * the value is not NUL-terminated). */
static bool parse_size(const char *s, size_t len, int64_t *out)
{
	char text[24];
	if (len == 0 || len >= sizeof text || memchr(s, 0, len) != NULL)
		return false;
	memcpy(text, s, len);
	text[len] = 0;
	return dec_parse(text, out);
}

static bool parse_hash16(const char *s, size_t len, uint8_t out[PIN_HASH_LEN])
{
	size_t got = 0;
	return len == PIN_B64_LEN &&
	       b64_decode(out, PIN_HASH_LEN, &got, s, len, B64_URL) == ST_OK &&
	       got == PIN_HASH_LEN;
}

enum status pin_parse(const char *frag, size_t len, struct pin *out,
		      struct err *e)
{
	bool seen_k = false, seen_n = false, seen_r = false;
	size_t i = 0;
	if (len > PIN_URL_MAX)
		return err_set(e, ST_INVALID, "pin: longer than %d bytes",
			       PIN_URL_MAX);
	while (i <= len) {
		const char *p = frag + i;
		const char *amp = memchr(p, '&', len - i);
		size_t plen = amp != NULL ? (size_t)(amp - p) : len - i;
		i += plen + 1;
		if (plen < 2 || p[1] != '=')
			continue; /* not k=, n= or r=: someone else's */
		const char *v = p + 2;
		size_t vlen = plen - 2;
		bool *seen = p[0] == 'k'   ? &seen_k
			     : p[0] == 'n' ? &seen_n
			     : p[0] == 'r' ? &seen_r
					   : NULL;
		if (seen == NULL)
			continue;
		if (*seen)
			return err_set(e, ST_INVALID,
				       "pin: %c= appears more than once", p[0]);
		*seen = true;
		bool ok = p[0] == 'k'	? parse_hash16(v, vlen, out->key)
			  : p[0] == 'r' ? parse_hash16(v, vlen, out->root)
					: parse_size(v, vlen, &out->size);
		if (!ok)
			return err_set(
				e, ST_INVALID, "pin: %c= is not %s", p[0],
				p[0] == 'n'
					? "a tree size (a canonical decimal)"
					: "22 base64url characters of 16 "
					  "bytes");
	}
	if (!seen_k || !seen_n || !seen_r)
		return err_set(e, ST_INVALID, "pin: %s= is missing",
			       !seen_k	 ? "k"
			       : !seen_n ? "n"
					 : "r");
	return ST_OK;
}

bool pin_key_matches(const struct pin *p, const char *vkey, size_t vkey_len)
{
	uint8_t h[HASH_LEN];
	if (vkey_len > 0 && vkey[vkey_len - 1] == '\n')
		vkey_len--;
	sha256(h, vkey, vkey_len);
	return sodium_memcmp(h, p->key, PIN_HASH_LEN) == 0;
}

bool pin_root_matches(const struct pin *p, const uint8_t root[HASH_LEN])
{
	return sodium_memcmp(root, p->root, PIN_HASH_LEN) == 0;
}

/* Whether the fragment names k, n or r at all. */
static bool names_pin(const char *frag, size_t len)
{
	for (size_t i = 0; i + 1 < len; i++)
		if ((i == 0 || frag[i - 1] == '&') &&
		    (frag[i] == 'k' || frag[i] == 'n' || frag[i] == 'r') &&
		    frag[i + 1] == '=')
			return true;
	return false;
}

enum status pin_parse_venue_url(const char *url, struct venue_url *out,
				struct err *e)
{
	size_t len = strnlen(url, PIN_URL_MAX + 1);
	memset(out, 0, sizeof *out);
	if (len > PIN_URL_MAX)
		return err_set(e, ST_INVALID, "URL: longer than %d bytes",
			       PIN_URL_MAX);
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)url[i] <= 0x20 ||
		    (unsigned char)url[i] >= 0x7f)
			return err_set(e, ST_INVALID,
				       "URL: a space, a control or a non-ASCII "
				       "byte at %zu",
				       i);
	size_t scheme;
	if (strncmp(url, "https://", 8) == 0)
		scheme = 8;
	else if (strncmp(url, "http://", 7) == 0)
		scheme = 7;
	else
		return err_set(e, ST_INVALID,
			       "URL: not http:// or https:// (a venue URL is "
			       "https://host/v/<venue>)");

	/* Split off the fragment, then the query. */
	const char *hash = memchr(url, '#', len);
	size_t end = hash != NULL ? (size_t)(hash - url) : len;
	const char *q = memchr(url, '?', end);
	size_t path_end = q != NULL ? (size_t)(q - url) : end;

	/* host[:port] up to the first '/'. */
	const char *slash = memchr(url + scheme, '/', path_end - scheme);
	if (slash == NULL)
		return err_set(e, ST_INVALID, "URL: no path /v/<venue>");
	size_t host_len = (size_t)(slash - url) - scheme;
	if (host_len == 0 || host_len > PIN_HOST_MAX)
		return err_set(e, ST_INVALID,
			       "URL: no host, or a host longer "
			       "than %d bytes",
			       PIN_HOST_MAX);
	if (memchr(url + scheme, '@', host_len) != NULL)
		return err_set(e, ST_INVALID, "URL: user info (@) in the host");
	if (url[scheme] == ':')
		return err_set(e, ST_INVALID, "URL: no host before the port");

	/* The path ends in /v/<venue>, or /v/<venue>/. */
	size_t pe = path_end;
	if (pe > 0 && url[pe - 1] == '/')
		pe--;
	size_t tail = 3 + VENUE_ID_LEN; /* "/v/" + id */
	size_t host_end = (size_t)(slash - url);
	if (pe < host_end + tail || memcmp(url + pe - tail, "/v/", 3) != 0)
		return err_set(e, ST_INVALID,
			       "URL: the path does not end in /v/<venue>");
	memcpy(out->venue, url + pe - VENUE_ID_LEN, VENUE_ID_LEN);
	out->venue[VENUE_ID_LEN] = 0;
	if (!entry_venue_id_valid(out->venue))
		return err_set(e, ST_INVALID,
			       "URL: %s is not a venue id (8 characters of %s)",
			       out->venue, VENUE_ALPHABET);
	size_t base_len = pe - tail;
	/* A base ending in '/' ("https://host//v/..") is no base: fetching
	 * base + "/checkpoint" would ask for an empty segment. */
	if (base_len > host_end && url[base_len - 1] == '/')
		return err_set(e, ST_INVALID,
			       "URL: an empty path segment before /v/");
	if (base_len > PIN_BASE_MAX)
		return err_set(e, ST_INVALID,
			       "URL: longer than %d bytes before "
			       "/v/",
			       PIN_BASE_MAX);
	memcpy(out->base, url, base_len);
	out->base[base_len] = 0;
	memcpy(out->host, url + scheme, host_len);
	out->host[host_len] = 0;

	if (hash != NULL) {
		const char *frag = hash + 1;
		size_t flen = len - end - 1;
		if (names_pin(frag, flen)) {
			enum status r = pin_parse(frag, flen, &out->pin, e);
			if (r != ST_OK) {
				err_prefix(e, "URL");
				return r;
			}
			out->has_pin = true;
		}
	}
	return ST_OK;
}

enum status pin_venue_url(const char *base, const char *venue,
			  const struct pin *p, char *out, size_t outsize,
			  struct err *e)
{
	char frag[PIN_TEXT_MAX + 1];
	if (!entry_venue_id_valid(venue))
		return err_set(e, ST_INVALID, "%s: not a venue id", venue);
	if (pin_format(p, frag, sizeof frag) == 0)
		return err_set(e, ST_INVALID, "pin: negative tree size");
	int n = snprintf(out, outsize, "%s/v/%s#%s", base, venue, frag);
	if (n < 0 || (size_t)n >= outsize) {
		if (outsize > 0)
			out[0] = 0;
		return err_set(e, ST_TOO_LARGE,
			       "venue URL: longer than %zu "
			       "bytes",
			       outsize - 1);
	}
	return ST_OK;
}
