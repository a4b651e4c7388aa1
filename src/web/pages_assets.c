/*
 * pages_assets.c: the templates and assets of the pages: the embedded
 * copies (base/embedded.h), or the files pages_init loaded from override
 * directories, and the embedded gzip-compressed copies of the assets that
 * match what is served.  pages_init is the one writer of this file's
 * process-wide state and runs before any thread renders a page.
 */
#include "pages_private.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "base/embedded.h"

#define ASSET_MAX  (2u << 20) /* bytes in one override asset */
#define ASSETS_MAX 64	      /* override assets */
#define GZIP_MAX   16	      /* embedded precompressed assets */

static const char *const tmpl_names[T__COUNT] = {
	[T_LAYOUT] = "templates/layout.html",
	[T_VENUE] = "templates/venue.html",
	[T_INDEX] = "templates/index.html",
	[T_ERROR] = "templates/error.html",
	[T_OWNER_LOGIN] = "templates/owner_login.html",
	[T_OWNER] = "templates/owner.html",
	[T_OWNER_REVOKE] = "templates/owner_revoke.html",
	[T_OWNER_TOKEN] = "templates/owner_token.html",
};

struct loaded_asset {
	char name[64]; /* "verify.js" */
	unsigned char *data;
	size_t len;
};

/* Written only by pages_init and pages_cleanup (see the top comment). */
static struct {
	bool ready;
	struct render_tmpl *tmpl[T__COUNT];
	struct loaded_asset assets[ASSETS_MAX];
	size_t nassets;
	const struct embedded_file *gzip[GZIP_MAX]; /* checked current */
	size_t ngzip;
} loaded;

static const struct {
	const char *suffix, *mime;
} asset_types[] = {
	{".js", "text/javascript; charset=utf-8"},
	{".css", "text/css; charset=utf-8"},
	{".svg", "image/svg+xml"},
	{".png", "image/png"},
	{".ico", "image/x-icon"},
	{".woff2", "font/woff2"},
	{".txt", "text/plain; charset=utf-8"},
};

static const struct embedded_file *embedded(const char *path)
{
	for (const struct embedded_file *f = embedded_files; f->name; f++)
		if (strcmp(f->name, path) == 0)
			return f;
	return NULL;
}

static const char *asset_mime(const char *name)
{
	size_t n = strlen(name);
	for (size_t i = 0; i < ARRAY_LEN(asset_types); i++) {
		size_t k = strlen(asset_types[i].suffix);
		if (n > k && strcmp(name + n - k, asset_types[i].suffix) == 0)
			return asset_types[i].mime;
	}
	return NULL;
}

/* An asset name: 1 to 63 of A-Z a-z 0-9 . _ -, not starting with '.',
 * with a known suffix. */
static bool asset_name_ok(const char *name)
{
	size_t n = strlen(name);
	if (n == 0 || n >= sizeof loaded.assets[0].name || name[0] == '.')
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '.' || c == '_' ||
		      c == '-'))
			return false;
	}
	return asset_mime(name) != NULL;
}

/* Reads a whole regular file of at most max bytes; *out is new (malloc,
 * NUL-terminated). */
static enum status read_file(const char *path, size_t max, unsigned char **out,
			     size_t *len, struct err *e)
{
	FILE *f = fopen(path, "rb");
	struct buf b;
	char chunk[8192];
	size_t n;
	enum status st = ST_OK;

	if (f == NULL)
		return err_set(e, errno == ENOENT ? ST_NOT_FOUND : ST_IO,
			       "%s: %s", path, strerror(errno));
	buf_init(&b, max);
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		if ((st = buf_append(&b, chunk, n)) != ST_OK)
			break;
	if (st == ST_OK && ferror(f))
		st = ST_IO;
	(void)fclose(f); /* read only: nothing to lose */
	if (st != ST_OK) {
		buf_free(&b);
		return err_set(e, st, "%s: %s", path,
			       st == ST_TOO_LARGE ? "file too large"
						  : status_str(st));
	}
	if (b.data == NULL && buf_append(&b, "", 0) != ST_OK)
		return err_set(e, ST_NOMEM, "%s: out of memory", path);
	*out = buf_steal(&b, len);
	return ST_OK;
}

void pages_cleanup(void)
{
	for (size_t i = 0; i < T__COUNT; i++) {
		render_tmpl_free(loaded.tmpl[i]);
		loaded.tmpl[i] = NULL;
	}
	for (size_t i = 0; i < loaded.nassets; i++)
		free(loaded.assets[i].data);
	loaded.nassets = 0;
	loaded.ngzip = 0;
	loaded.ready = false;
}

static enum status load_assets(const char *dir, struct err *e)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char path[4096];
	enum status st = ST_OK;

	if (d == NULL)
		return err_set(e, ST_IO, "%s: %s", dir, strerror(errno));
	while (st == ST_OK && (de = readdir(d)) != NULL) {
		struct loaded_asset *a;
		if (!asset_name_ok(de->d_name))
			continue;
		if (loaded.nassets == ASSETS_MAX) {
			st = err_set(e, ST_TOO_LARGE, "%s: more than %d assets",
				     dir, ASSETS_MAX);
			break;
		}
		if ((size_t)snprintf(path, sizeof path, "%s/%s", dir,
				     de->d_name) >= sizeof path) {
			st = err_set(e, ST_INVALID, "%s: path too long", dir);
			break;
		}
		a = &loaded.assets[loaded.nassets];
		st = read_file(path, ASSET_MAX, &a->data, &a->len, e);
		if (st == ST_OK) {
			/* asset_name_ok: shorter than a->name */
			memcpy(a->name, de->d_name, strlen(de->d_name) + 1);
			loaded.nassets++;
		}
	}
	closedir(d);
	return st;
}

static uint32_t le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

/* Whether gz is a gzip member of exactly the bytes p[0..n): its header,
 * and its trailer's CRC-32 (zlib's) and size. */
static bool gzip_of(const struct embedded_file *gz, const unsigned char *p,
		    size_t n)
{
	const unsigned char *g = gz->data;
	return gz->len >= 18 && g[0] == 0x1f && g[1] == 0x8b && g[2] == 8 &&
	       le32(g + gz->len - 4) == (uint32_t)n &&
	       le32(g + gz->len - 8) == crc32_z(0, p, n);
}

/* The embedded "assets/<name>.gz" if it is the gzip of the asset served
 * as name now, else NULL. */
static const struct embedded_file *gzip_check(const char *name)
{
	char path[80];
	size_t len = 0;
	const char *mime = NULL;
	const unsigned char *plain = pages_asset(name, &len, &mime);
	const struct embedded_file *gz;

	if (plain == NULL ||
	    (size_t)snprintf(path, sizeof path, "assets/%s.gz", name) >=
		    sizeof path ||
	    (gz = embedded(path)) == NULL)
		return NULL;
	return gzip_of(gz, plain, len) ? gz : NULL;
}

const unsigned char *pages_asset_gzip(const char *name, size_t *len)
{
	const struct embedded_file *gz = NULL;

	if (name == NULL || !asset_name_ok(name))
		return NULL;
	if (loaded.ready) {
		char path[80];
		snprintf(path, sizeof path, "assets/%s.gz", name);
		for (size_t i = 0; i < loaded.ngzip && gz == NULL; i++)
			if (strcmp(loaded.gzip[i]->name, path) == 0)
				gz = loaded.gzip[i];
	} else {
		gz = gzip_check(name);
	}
	if (gz == NULL)
		return NULL;
	*len = gz->len;
	return gz->data;
}

/* Keeps the embedded .gz assets that match the assets now served. */
static void load_gzip(void)
{
	for (const struct embedded_file *f = embedded_files; f->name; f++) {
		size_t n = strlen(f->name);
		char name[64];
		const struct embedded_file *gz;

		if (strncmp(f->name, "assets/", 7) != 0 || n < 10 ||
		    strcmp(f->name + n - 3, ".gz") != 0 ||
		    n - 10 >= sizeof name || loaded.ngzip == GZIP_MAX)
			continue;
		memcpy(name, f->name + 7, n - 10);
		name[n - 10] = 0;
		if ((gz = gzip_check(name)) != NULL)
			loaded.gzip[loaded.ngzip++] = gz;
	}
}

enum status pages_init(const char *templates_dir, const char *assets_dir,
		       struct err *e)
{
	enum status st = ST_OK;

	pages_cleanup();
	for (size_t i = 0; i < T__COUNT && st == ST_OK; i++) {
		const char *name = tmpl_names[i];
		if (templates_dir != NULL) {
			unsigned char *data = NULL;
			size_t len = 0;
			char path[4096];
			const char *base = strchr(name, '/') + 1;
			if ((size_t)snprintf(path, sizeof path, "%s/%s",
					     templates_dir,
					     base) >= sizeof path) {
				st = err_set(e, ST_INVALID, "%s: path too long",
					     templates_dir);
				break;
			}
			st = read_file(path, RENDER_TEMPLATE_MAX, &data, &len,
				       e);
			if (st == ST_OK) {
				st = render_compile(path, (const char *)data,
						    len, &loaded.tmpl[i], e);
				free(data);
				continue;
			}
			if (st != ST_NOT_FOUND)
				break;
			/* not overridden: the embedded one (st is set below) */
		}
		const struct embedded_file *f = embedded(name);
		if (f == NULL) {
			st = err_set(e, ST_INTERNAL, "%s: not embedded", name);
			break;
		}
		st = render_compile(name, (const char *)f->data, f->len,
				    &loaded.tmpl[i], e);
	}
	if (st == ST_OK && assets_dir != NULL)
		st = load_assets(assets_dir, e);
	if (st != ST_OK) {
		pages_cleanup();
		return st;
	}
	loaded.ready = true; /* pages_asset now answers with the overrides */
	load_gzip();
	return ST_OK;
}

enum status pages_tmpl(enum tmpl t, const struct render_tmpl **out,
		       struct render_tmpl **owned, struct err *e)
{
	*owned = NULL;
	if (loaded.ready) {
		*out = loaded.tmpl[t];
		return ST_OK;
	}
	const struct embedded_file *f = embedded(tmpl_names[t]);
	if (f == NULL)
		return err_set(e, ST_INTERNAL, "%s: not embedded",
			       tmpl_names[t]);
	enum status st = render_compile(tmpl_names[t], (const char *)f->data,
					f->len, owned, e);
	*out = *owned;
	return st;
}

const unsigned char *pages_asset(const char *name, size_t *len,
				 const char **mime)
{
	char path[80];
	const char *m;

	if (name == NULL || !asset_name_ok(name) ||
	    (m = asset_mime(name)) == NULL)
		return NULL;
	for (size_t i = 0; loaded.ready && i < loaded.nassets; i++) {
		if (strcmp(loaded.assets[i].name, name) == 0) {
			*len = loaded.assets[i].len;
			*mime = m;
			return loaded.assets[i].data;
		}
	}
	snprintf(path, sizeof path, "assets/%s", name);
	const struct embedded_file *f = embedded(path);
	if (f == NULL)
		return NULL;
	*len = f->len;
	*mime = m;
	return f->data;
}
