/*
 * pages.c: the venue page, the home page, error pages and the assets.
 *
 * Pages are rendered from templates/ by render.h, which escapes every value;
 * the only markup inserted unescaped is a page body that a template of ours
 * rendered, placed into templates/layout.html.  Words come from the tables
 * below, in English and Italian; templates hold the structure.
 *
 * The venue page shows what the C verifier (verify_bundle) concluded from
 * the venue's bundle: the newest valid sanitization, overdue and expired,
 * who did it and whether the provider's signature verified, the history
 * with revoked documents marked, and, should the server's own check fail,
 * a warning naming the failed checks.  /assets/verify.js checks the same
 * bundle again in the browser.
 *
 * Templates and assets are the embedded copies (web/embedded.h) unless
 * pages_init loaded files from override directories; pages_init is the one
 * writer of this module's process-wide state and runs before any thread
 * renders a page.
 */
#include "pages.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <zlib.h>

#include "core/codec.h"
#include "core/verify.h"
#include "store/export.h"
#include "web/embedded.h"
#include "web/render.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define ASSET_MAX    (2u << 20) /* bytes in one override asset */
#define ASSETS_MAX   64		/* override assets */
#define BODY_MAX     (4u << 20) /* a rendered page body */
#define BASE_URL_MAX 512
#define GZIP_MAX     16 /* embedded precompressed assets */
#define FAILS_SHOWN  20 /* failed checks of the server's named on a page */

/* ---- templates and assets: embedded, or loaded by pages_init ---- */

enum tmpl {
	T_LAYOUT,
	T_VENUE,
	T_INDEX,
	T_ERROR,
	T_OWNER_LOGIN,
	T_OWNER,
	T__COUNT
};

static const char *const tmpl_names[T__COUNT] = {
	[T_LAYOUT] = "templates/layout.html",
	[T_VENUE] = "templates/venue.html",
	[T_INDEX] = "templates/index.html",
	[T_ERROR] = "templates/error.html",
	[T_OWNER_LOGIN] = "templates/owner_login.html",
	[T_OWNER] = "templates/owner.html",
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
	fclose(f);
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
		unsigned char *data = NULL;
		size_t len = 0;
		char path[4096];

		if (templates_dir != NULL) {
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
			st = ST_OK; /* not overridden: the embedded one */
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

/* The compiled template t: the loaded one (borrowed), or one compiled now
 * from the embedded text into *owned (the caller frees it). */
static enum status get_tmpl(enum tmpl t, const struct render_tmpl **out,
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

/* ---- languages ---- */

const char *pages_lang_code(enum page_lang lang)
{
	return lang == LANG_IT ? "it" : "en";
}

/* The language of a tag ("it", "it-IT", "en-GB"); -1 if neither. */
static int tag_lang(const char *s, size_t n)
{
	size_t p = 0;
	while (p < n && s[p] != '-' && s[p] != '_')
		p++;
	if (p == 2 && strncasecmp(s, "it", 2) == 0)
		return LANG_IT;
	if (p == 2 && strncasecmp(s, "en", 2) == 0)
		return LANG_EN;
	return -1;
}

/* A q value "0", "0.5", "1", "1.000" as thousandths; -1 if malformed. */
static int parse_q(const char *s, size_t n)
{
	int q = 0, scale = 1000;
	size_t i = 0;
	if (n == 0 || (s[0] != '0' && s[0] != '1'))
		return -1;
	q = (s[0] - '0') * 1000;
	i = 1;
	if (i < n && s[i] == '.') {
		for (i++; i < n && scale > 1; i++) {
			if (s[i] < '0' || s[i] > '9')
				return -1;
			scale /= 10;
			q += (s[i] - '0') * scale;
		}
	}
	if (i != n || q > 1000)
		return -1;
	return q;
}

enum page_lang pages_lang(const char *accept_language, const char *query_lang)
{
	int best = -1, best_q = 0;

	if (query_lang != NULL) {
		if (strcasecmp(query_lang, "it") == 0)
			return LANG_IT;
		if (strcasecmp(query_lang, "en") == 0)
			return LANG_EN;
	}
	if (accept_language == NULL)
		return LANG_EN;
	/* "it-IT,it;q=0.9,en;q=0.8": the listed language with the highest
	 * q wins, the first one on a tie. */
	for (const char *p = accept_language; *p;) {
		const char *end = strchr(p, ',');
		size_t n = end != NULL ? (size_t)(end - p) : strlen(p);
		const char *semi = memchr(p, ';', n);
		size_t tn = semi != NULL ? (size_t)(semi - p) : n;
		int q = 1000;

		while (tn > 0 && (*p == ' ' || *p == '\t')) {
			p++;
			n--;
			tn--;
		}
		while (tn > 0 && (p[tn - 1] == ' ' || p[tn - 1] == '\t'))
			tn--;
		if (semi != NULL) {
			const char *qs = semi + 1;
			size_t qn = (size_t)(p + n - qs);
			while (qn > 0 && *qs == ' ') {
				qs++;
				qn--;
			}
			while (qn > 0 && qs[qn - 1] == ' ')
				qn--;
			q = qn > 2 && qs[0] == 'q' && qs[1] == '='
				    ? parse_q(qs + 2, qn - 2)
				    : -1;
		}
		int l = tag_lang(p, tn);
		if (l >= 0 && q > 0 && q > best_q) {
			best = l;
			best_q = q;
		}
		if (end == NULL)
			break;
		p = end + 1;
	}
	return best == LANG_IT ? LANG_IT : LANG_EN;
}

enum status pages_lookup_path(const char *id, const char *query_lang,
			      char *path, size_t size)
{
	char v[VENUE_ID_LEN + 1];
	size_t n = 0;

	if (id == NULL)
		return ST_INVALID;
	/* What a person types from a poster: any case, spaces or dashes. */
	for (const char *p = id; *p; p++) {
		char c = *p;
		if (c == ' ' || c == '-' || c == '\t')
			continue;
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (n == VENUE_ID_LEN)
			return ST_INVALID;
		v[n++] = c;
	}
	v[n] = 0;
	if (!entry_venue_id_valid(v))
		return ST_INVALID;
	const char *l = NULL;
	if (query_lang != NULL && strcasecmp(query_lang, "it") == 0)
		l = "it";
	else if (query_lang != NULL && strcasecmp(query_lang, "en") == 0)
		l = "en";
	int w = snprintf(path, size, "/v/%s%s%s", v, l ? "?lang=" : "",
			 l ? l : "");
	return w > 0 && (size_t)w < size ? ST_OK : ST_TOO_LARGE;
}

/* ---- words ---- */

/* A label of a template: key, English, Italian. */
struct label {
	const char *key, *en, *it;
};

static const struct label venue_labels[] = {
	{"t_when", "When", "Quando"},
	{"t_by", "By", "Eseguita da"},
	{"t_valid", "Valid until", "Valida fino al"},
	{"t_interval", "Required", "Frequenza prevista"},
	{"t_doc", "Certificate", "Certificato"},
	{"t_server_fail", "Warning: this record failed the server's checks",
	 "Attenzione: questo registro non ha superato i controlli del "
	 "server"},
	{"t_verify", "Checked on your phone", "Verifica sul tuo telefono"},
	{"t_nojs",
	 "Not checked on this phone: the check needs JavaScript. The record "
	 "below is as the server shows it.",
	 "Non verificato su questo telefono: la verifica richiede JavaScript. "
	 "Il registro qui sotto è come lo mostra il server."},
	{"t_checks", "What was checked", "Cosa è stato verificato"},
	{"t_explain",
	 "Your phone checks the public log's signatures and hashes: that this "
	 "record is the one the log signed, that no entry was removed or "
	 "changed, and that the providers' signatures are genuine. \"Check "
	 "file\" compares a document's bytes with the record.",
	 "Il telefono controlla firme e hash del registro pubblico: che questo "
	 "sia il registro firmato, che nessuna voce sia stata tolta o "
	 "modificata e che le firme delle imprese siano autentiche. "
	 "\"Verifica file\" confronta i byte di un documento con il "
	 "registro."},
	{"t_history", "History", "Storico"},
	{"t_nodocs", "No documents yet.", "Ancora nessun documento."},
	{"t_older", "Older documents", "Documenti precedenti"},
	{"t_newest", "Newest documents", "Documenti più recenti"},
	{"t_signed", "signed", "firmato"},
	{"t_badsig", "signature does not verify", "firma non valida"},
	{"t_revoked", "Revoked:", "Revocato:"},
	{"t_open", "Open", "Apri"},
	{"t_log", "Public log", "Registro pubblico"},
	{"t_code", "venue code", "codice locale"},
	{"t_cli", "Inspectors can check it with",
	 "Gli ispettori possono verificarlo con"},
};

static const struct label index_labels[] = {
	{"t_h1", "Sanitization records you can check",
	 "Sanificazioni verificabili"},
	{"t_what",
	 "Venues display a poster with a QR code. Scan it to see when the "
	 "venue was last sanitized, by whom, and every certificate it has "
	 "logged.",
	 "I locali espongono un manifesto con un codice QR. Inquadralo per "
	 "vedere quando il locale è stato sanificato l'ultima volta, da chi, "
	 "e tutti i certificati registrati."},
	{"t_how",
	 "Every certificate is hashed and added to a public, signed log that "
	 "can only grow: nothing can be changed or removed without it "
	 "showing, and your phone checks the record by itself.",
	 "Ogni certificato viene registrato, con la sua impronta, in un "
	 "registro pubblico firmato che può solo crescere: nulla può essere "
	 "cambiato o tolto senza che si veda, e il tuo telefono verifica il "
	 "registro da sé."},
	{"t_label", "Venue code", "Codice del locale"},
	{"t_hint", "8 characters, printed under the QR code on the poster.",
	 "8 caratteri, stampati sotto il codice QR del manifesto."},
	{"t_go", "Show", "Mostra"},
	{"t_trust_h", "Why you can trust it", "Perché fidarsi"},
	{"t_trust",
	 "Each poster's QR code also holds a fingerprint of the log as it was "
	 "when the poster was printed. A log that rewrote its history would "
	 "be caught by the next phone that scans the poster.",
	 "Il codice QR di ogni manifesto contiene anche un'impronta del "
	 "registro com'era quando il manifesto è stato stampato. Un registro "
	 "che riscrivesse la sua storia verrebbe scoperto dal primo telefono "
	 "che inquadra il manifesto."},
};

static const struct label error_labels[] = {
	{"t_home", "Home page", "Pagina iniziale"},
	{"t_detail", "Details", "Dettagli"},
	{"t_dashboard", "Back to your dashboard", "Torna alla tua pagina"},
};

static const struct {
	const char *type, *en, *it;
} type_labels[] = {
	{"sanitization", "Sanitization", "Sanificazione"},
	{"disinfection", "Disinfection", "Disinfezione"},
	{"pest-control", "Pest control", "Disinfestazione"},
	{"hvac", "Air systems (HVAC)", "Impianti aeraulici"},
	{"water", "Water system", "Impianto idrico"},
	{"protocol", "Protocol", "Protocollo"},
	{"form", "Form", "Modulo"},
	{"other", "Other", "Altro"},
};

/* Month names: [0] English, [1] Italian. */
static const char *const months[2][12] = {
	{"January", "February", "March", "April", "May", "June", "July",
	 "August", "September", "October", "November", "December"},
	{"gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno", "luglio",
	 "agosto", "settembre", "ottobre", "novembre", "dicembre"},
};

#define W(lang, en, it) ((lang) == LANG_IT ? (it) : (en))

/* Failures are kept in the data (render.h) and show at render_exec. */
static void set_labels(struct render_obj *o, const struct label *l, size_t n,
		       enum page_lang lang)
{
	for (size_t i = 0; i < n; i++)
		render_set_text(o, l[i].key, W(lang, l[i].en, l[i].it));
}

const char *pages_type_at(size_t i, enum page_lang lang, const char **label)
{
	if (i >= ARRAY_LEN(type_labels))
		return NULL;
	*label = W(lang, type_labels[i].en, type_labels[i].it);
	return type_labels[i].type;
}

static const char *type_label(const char *type, enum page_lang lang)
{
	for (size_t i = 0; i < ARRAY_LEN(type_labels); i++)
		if (strcmp(type_labels[i].type, type) == 0)
			return W(lang, type_labels[i].en, type_labels[i].it);
	return type;
}

/* "20 November 2026" (long) or "20 Nov 2026"; "" for "". */
static void human_date(char *out, size_t size, const char *d, bool full,
		       enum page_lang lang)
{
	if (!entry_date_valid(d)) {
		snprintf(out, size, "%s", d);
		return;
	}
	int m = (d[5] - '0') * 10 + (d[6] - '0');
	int day = (d[8] - '0') * 10 + (d[9] - '0');
	const char *name = months[lang == LANG_IT][m - 1];
	snprintf(out, size, "%d %.*s %.4s", day, full ? 20 : 3, name, d);
}

/* "today", "yesterday", "5 days ago"; for a date after today, "on <date>". */
static void human_ago(char *out, size_t size, int64_t days, const char *date,
		      enum page_lang lang)
{
	char h[40];
	if (days == 0) {
		snprintf(out, size, "%s", W(lang, "today", "oggi"));
	} else if (days == 1) {
		snprintf(out, size, "%s", W(lang, "yesterday", "ieri"));
	} else if (days > 1) {
		snprintf(out, size,
			 W(lang, "%" PRId64 " days ago",
			   "%" PRId64 " giorni fa"),
			 days);
	} else {
		human_date(h, sizeof h, date, true, lang);
		snprintf(out, size, W(lang, "on %s", "il %s"), h);
	}
}

static void human_bytes(char *out, size_t size, int64_t n, enum page_lang lang)
{
	if (n < 1024) {
		snprintf(out, size, "%" PRId64 " B", n);
		return;
	}
	double v = (double)n / 1024.0;
	const char *unit = "kB";
	if (v >= 1024.0) {
		v /= 1024.0;
		unit = "MB";
	}
	if (v < 10.0)
		snprintf(out, size, "%.1f %s", v, unit);
	else
		snprintf(out, size, "%.0f %s", v, unit);
	if (lang == LANG_IT) {
		char *dot = strchr(out, '.');
		if (dot != NULL)
			*dot = ',';
	}
}

static const char *mime_label(const char *mime)
{
	if (strcmp(mime, "application/pdf") == 0)
		return "PDF";
	if (strcmp(mime, "image/png") == 0)
		return "PNG";
	if (strcmp(mime, "image/jpeg") == 0)
		return "JPEG";
	return mime;
}

/* ---- the frame ---- */

/*
 * Renders tmpl with d into a body, then the layout around it into out.
 * self is the page's path, with the query that chose what it shows (not
 * lang), for the language switch link.
 */
static enum status render_page(enum tmpl which, struct render_data *d,
			       enum page_lang lang, const char *title,
			       const char *self, bool verify, struct buf *out,
			       struct err *e)
{
	const struct render_tmpl *t = NULL, *lt = NULL;
	struct render_tmpl *own = NULL, *lown = NULL;
	struct render_data *ld = NULL;
	struct buf body;
	enum page_lang other = lang == LANG_IT ? LANG_EN : LANG_IT;
	enum status st;

	buf_init(&body, BODY_MAX);
	if ((st = get_tmpl(which, &t, &own, e)) != ST_OK ||
	    (st = get_tmpl(T_LAYOUT, &lt, &lown, e)) != ST_OK)
		goto out;
	render_set_text(render_root(d), "lang", pages_lang_code(lang));
	if ((st = render_exec(t, d, &body, e)) != ST_OK)
		goto out;
	if ((ld = render_data_new()) == NULL) {
		st = err_set(e, ST_NOMEM, "out of memory");
		goto out;
	}
	struct render_obj *r = render_root(ld);
	render_set_text(r, "lang", pages_lang_code(lang));
	render_set_text(r, "title", title);
	render_set_text(r, "brand", "sanilog");
	render_set_textf(r, "alt_href", "%s%slang=%s", self,
			 strchr(self, '?') != NULL ? "&" : "?",
			 pages_lang_code(other));
	render_set_text(r, "alt_lang", pages_lang_code(other));
	render_set_text(r, "alt_label", W(other, "English", "Italiano"));
	render_set_flag(r, "verify", verify);
	render_set_markup(r, "content", (const char *)body.data, body.len);
	st = render_exec(lt, ld, out, e);
out:
	render_data_free(ld);
	render_tmpl_free(own);
	render_tmpl_free(lown);
	buf_free(&body);
	return st;
}

/* ---- the venue page ---- */

/* Sets the values of the top section: freshness and who did the work. */
static void set_state(struct render_obj *r, const struct verify_report *rep,
		      enum page_lang lang)
{
	char h[64], ago[64], when[64];

	if (rep->latest < 0) {
		render_set_text(r, "fresh", "none");
		render_set_text(r, "state_class", "none");
		render_set_text(r, "latest", "");
		render_set_text(r, "headline",
				W(lang, "No sanitization on record",
				  "Nessuna sanificazione registrata"));
		render_set_text(render_add_item(r, "lines"), "line",
				W(lang,
				  "This venue has not logged any sanitization "
				  "certificate yet.",
				  "Questo locale non ha ancora registrato "
				  "alcun certificato di sanificazione."));
		render_set_flag(r, "has_latest", false);
		return;
	}
	const struct verify_item *it = &rep->items[rep->latest];
	const struct entry *en = &it->entry;
	const char *fresh = rep->expired   ? "expired"
			    : rep->overdue ? "late"
					   : "ok";
	render_set_text(r, "fresh", fresh);
	render_set_text(r, "state_class", fresh);
	render_set_int(r, "latest", en->venue_seq);
	human_ago(ago, sizeof ago, rep->days_since, en->performed, lang);
	if (rep->expired)
		render_set_text(r, "headline",
				W(lang, "Sanitization certificate expired",
				  "Certificato di sanificazione scaduto"));
	else if (rep->overdue)
		render_set_text(r, "headline",
				W(lang, "Sanitization overdue",
				  "Sanificazione in ritardo"));
	else
		render_set_textf(r, "headline",
				 W(lang, "Last sanitized %s",
				   "Ultima sanificazione: %s"),
				 ago);
	render_set_list(r, "lines");
	if (rep->overdue)
		render_set_textf(
			render_add_item(r, "lines"), "line",
			W(lang,
			  "The last sanitization was %" PRId64
			  " days ago; this venue should be sanitized every %d "
			  "days.",
			  "L'ultima sanificazione risale a %" PRId64
			  " giorni fa; questo locale dovrebbe essere "
			  "sanificato ogni %d giorni."),
			rep->days_since, rep->interval_days);
	if (rep->expired) {
		human_date(h, sizeof h, en->expires, true, lang);
		render_set_textf(render_add_item(r, "lines"), "line",
				 W(lang,
				   "The certificate of the last sanitization "
				   "expired on %s.",
				   "Il certificato dell'ultima sanificazione è "
				   "scaduto il %s."),
				 h);
	}
	render_set_flag(r, "has_latest", true);
	render_set_text(r, "performed", en->performed);
	human_date(when, sizeof when, en->performed, true, lang);
	render_set_text(r, "performed_h", when);
	render_set_text(r, "ago", ago);
	render_set_text(r, "expires", en->expires);
	human_date(h, sizeof h, en->expires, true, lang);
	render_set_text(r, "expires_h", h);
	if (rep->interval_days == 1)
		render_set_text(r, "interval",
				W(lang, "every day", "ogni giorno"));
	else
		render_set_textf(r, "interval",
				 W(lang, "every %d days", "ogni %d giorni"),
				 rep->interval_days);
	render_set_text(r, "latest_title", en->title);
	if (it->attested) {
		render_set_text(r, "provider", it->provider_display);
		render_set_text(r, "sig_class", "sig");
		render_set_text(r, "sig_text",
				W(lang, "✓ signed the certificate",
				  "✓ ha firmato il certificato"));
	} else if (en->attestation[0] != 0) {
		render_set_text(r, "provider", en->provider);
		render_set_text(r, "sig_class", "bad");
		render_set_text(r, "sig_text",
				W(lang,
				  "✗ the provider's signature does not "
				  "verify",
				  "✗ la firma dell'impresa non è valida"));
	} else if (en->provider[0] != 0) {
		render_set_text(r, "provider", en->provider);
		render_set_text(r, "sig_class", "unsig");
		render_set_text(r, "sig_text",
				W(lang,
				  "(named by the venue; the provider did not "
				  "sign it)",
				  "(indicata dal locale; l'impresa non ha "
				  "firmato)"));
	} else {
		render_set_text(r, "provider", "");
		render_set_text(r, "sig_class", "unsig");
		render_set_text(
			r, "sig_text",
			W(lang, "provider not named", "impresa non indicata"));
	}
}

/* One document of the history. */
static void set_doc(struct render_obj *o, const struct verify_item *it,
		    enum page_lang lang)
{
	const struct entry *en = &it->entry;
	char h[64], hex[2 * HASH_LEN + 1];

	render_set_int(o, "seq", en->venue_seq);
	render_set_text(o, "title", en->title);
	render_set_text(o, "type", type_label(en->type, lang));
	human_date(h, sizeof h, en->performed, false, lang);
	render_set_text(o, "performed_h", h);
	human_date(h, sizeof h, en->expires, false, lang);
	render_set_text(o, "expires_h", en->expires[0] ? h : "");
	render_set_text(o, "provider",
			it->attested ? it->provider_display : en->provider);
	render_set_flag(o, "signed", it->attested);
	render_set_flag(o, "badsig", !it->attested && en->attestation[0]);
	render_set_flag(o, "revoked", it->revoked);
	render_set_text(o, "reason", it->revoke_reason);
	hex_encode(hex, en->doc_sha256, HASH_LEN);
	render_set_text(o, "sha", hex);
	render_set_text(o, "fmt", mime_label(en->doc_mime));
	human_bytes(h, sizeof h, en->doc_size, lang);
	render_set_text(o, "bytes", h);
}

/* The failed checks of rep: the first FAILS_SHOWN, then how many more. */
static void set_fails(struct render_obj *r, const struct verify_report *rep,
		      enum page_lang lang)
{
	size_t n = 0;

	render_set_list(r, "fails");
	for (size_t i = 0; i < rep->nchecks; i++) {
		if (rep->checks[i].ok || n++ >= FAILS_SHOWN)
			continue;
		struct render_obj *f = render_add_item(r, "fails");
		render_set_text(f, "check", rep->checks[i].name);
		render_set_text(f, "detail", rep->checks[i].detail);
	}
	if (n > FAILS_SHOWN) {
		struct render_obj *f = render_add_item(r, "fails");
		render_set_text(f, "check", W(lang, "and more", "e altri"));
		render_set_textf(f, "detail",
				 W(lang, "%zu other failed checks",
				   "%zu altri controlli non superati"),
				 n - FAILS_SHOWN);
	}
}

/*
 * Sets the list docs to the history the page before shows (pages.h's
 * PAGES_HISTORY), newest first, and the paging values: paged (a flag: the
 * page is not the whole history), pages_text, and the links older and
 * newest (each "" when the page has none).  The links are a query only,
 * so that they hold under any path the page is served at.
 */
static void set_history(struct render_obj *r, const struct verify_report *rep,
			int64_t before, enum page_lang lang)
{
	const struct verify_item *cur =
		rep->latest >= 0 ? &rep->items[rep->latest] : NULL;
	const char *code = pages_lang_code(lang);
	size_t ndocs = 0, shown = 0, run = 0;
	int64_t lowest = 0, below = before < 0 ? INT64_MAX : before;
	bool older = false, cur_shown = false;

	render_set_list(r, "docs");
	/* The current record's sanitization, newer than the page's run. */
	if (cur != NULL && cur->entry.venue_seq >= below) {
		set_doc(render_add_item(r, "docs"), cur, lang);
		shown++;
		cur_shown = true;
	}
	for (size_t i = rep->nitems; i-- > 0;) {
		const struct verify_item *it = &rep->items[i];
		if (it->entry.kind != ENTRY_DOCUMENT)
			continue;
		ndocs++;
		if (it->entry.venue_seq >= below)
			continue;
		if (run == PAGES_HISTORY) {
			older = true;
			continue;
		}
		set_doc(render_add_item(r, "docs"), it, lang);
		run++;
		shown++;
		lowest = it->entry.venue_seq;
		cur_shown = cur_shown || it == cur;
	}
	/* Or older than the run. */
	if (cur != NULL && !cur_shown) {
		set_doc(render_add_item(r, "docs"), cur, lang);
		shown++;
	}
	render_set_flag(r, "paged", older || before >= 0);
	render_set_textf(r, "pages_text",
			 W(lang, "Showing %zu of %zu documents.",
			   "Mostrati %zu documenti su %zu."),
			 shown, ndocs);
	if (older)
		render_set_textf(r, "older", "?before=%" PRId64 "&lang=%s",
				 lowest, code);
	else
		render_set_text(r, "older", "");
	if (before >= 0)
		render_set_textf(r, "newest", "?lang=%s", code);
	else
		render_set_text(r, "newest", "");
}

/*
 * Sets on r what the venue page and the owner's dashboard show of the
 * venue's record (pages_owner_record names the values) from b and its
 * verification rep, with the page before of the history.
 */
static void set_record(struct render_obj *r, const struct bundle *b,
		       const struct verify_report *rep, enum page_lang lang,
		       int64_t before)
{
	set_labels(r, venue_labels, ARRAY_LEN(venue_labels), lang);
	render_set_text(r, "venue", b->venue);
	/* A bundle whose venue entries all failed has no name to show. */
	render_set_text(r, "name", rep->name[0] ? rep->name : b->venue);
	render_set_text(r, "address", rep->address);
	set_state(r, rep, lang);
	render_set_flag(r, "server_fail", !rep->ok);
	/* A record that failed the checks: its state is not to be relied
	 * on, so it is not shown in the colours of a good or bad state. */
	if (!rep->ok)
		render_set_text(r, "state_class", "unverified");
	set_fails(r, rep, lang);
	set_history(r, rep, before, lang);
}

enum status pages_venue_bundle(const struct bundle *b, const char *base_url,
			       enum page_lang lang, const char *today,
			       int64_t before, struct buf *out, struct err *e)
{
	struct verify_report rep;
	struct verify_options o;
	struct render_data *d = NULL;
	char title[ENTRY_VALUE_MAX + 64], self[64];
	enum status st;

	memset(&o, 0, sizeof o);
	snprintf(o.today, sizeof o.today, "%s", today != NULL ? today : "");
	if ((st = verify_bundle(b, &o, &rep, e)) != ST_OK)
		goto out;
	if ((d = render_data_new()) == NULL) {
		st = err_set(e, ST_NOMEM, "out of memory");
		goto out;
	}
	struct render_obj *r = render_root(d);
	set_record(r, b, &rep, lang, before);
	render_set_int(r, "size", rep.checkpoint.size);
	render_set_textf(r, "size_text",
			 W(lang, "%" PRId64 " entries", "%" PRId64 " voci"),
			 rep.checkpoint.size);
	render_set_text(r, "origin", b->origin);
	render_set_textf(r, "page_url", "%s/v/%s",
			 base_url != NULL ? base_url : "", b->venue);

	snprintf(title, sizeof title, "%s · %s",
		 rep.name[0] ? rep.name : b->venue,
		 W(lang, "sanitization record", "registro sanificazioni"));
	if (before >= 0)
		snprintf(self, sizeof self, "/v/%s?before=%" PRId64, b->venue,
			 before);
	else
		snprintf(self, sizeof self, "/v/%s", b->venue);
	st = render_page(T_VENUE, d, lang, title, self, true, out, e);
out:
	render_data_free(d);
	verify_report_free(&rep);
	return st;
}

enum status pages_venue(struct store *s, const char *venue, enum page_lang lang,
			const char *today, int64_t before, struct buf *out,
			struct err *e)
{
	struct bundle *b = NULL;
	char base[BASE_URL_MAX];
	enum status st;

	if (!entry_venue_id_valid(venue))
		return err_set(e, ST_NOT_FOUND, "venue %.16s: not found",
			       venue != NULL ? venue : "");
	if ((st = export_bundle(s, venue, -1, &b, e)) != ST_OK)
		return st;
	if (store_meta_get(s, "base_url", base, sizeof base) != ST_OK)
		base[0] = 0;
	/* No trailing slash: page_url adds "/v/..." */
	size_t n = strlen(base);
	while (n > 0 && base[n - 1] == '/')
		base[--n] = 0;
	st = pages_venue_bundle(b, base, lang, today, before, out, e);
	bundle_free(b);
	return st;
}

/* ---- the home page and error pages ---- */

enum status pages_index(enum page_lang lang, struct buf *out, struct err *e)
{
	struct render_data *d = render_data_new();
	enum status st;

	if (d == NULL)
		return err_set(e, ST_NOMEM, "out of memory");
	set_labels(render_root(d), index_labels, ARRAY_LEN(index_labels), lang);
	st = render_page(T_INDEX, d, lang,
			 W(lang, "sanilog · sanitization records",
			   "sanilog · registri delle sanificazioni"),
			 "/", false, out, e);
	render_data_free(d);
	return st;
}

enum status pages_error(enum page_lang lang, int http_status, const char *self,
			const char *detail, struct buf *out, struct err *e)
{
	static const struct {
		int code;
		const char *h_en, *t_en, *h_it, *t_it;
	} texts[] = {
		{400, "Bad request", "The address or the form is not valid.",
		 "Richiesta non valida",
		 "L'indirizzo o il modulo non è valido."},
		{401, "Sign-in required",
		 "This needs the venue's owner token. Sign in with it and try "
		 "again.",
		 "Accesso richiesto",
		 "Serve il token del titolare del locale. Accedi con quello e "
		 "riprova."},
		{403, "Access denied",
		 "This action is not permitted. Your session may have expired: "
		 "sign in again and retry from your dashboard.",
		 "Accesso negato",
		 "Questa azione non è permessa. La sessione potrebbe essere "
		 "scaduta: accedi di nuovo e riprova dalla tua pagina."},
		{404, "Not found",
		 "There is no venue or document at this address. Check the "
		 "code printed on the poster.",
		 "Non trovato",
		 "A questo indirizzo non c'è nessun locale o documento. "
		 "Controlla il codice stampato sul manifesto."},
		{405, "Not allowed",
		 "This address does not answer that method.", "Non consentito",
		 "Questo indirizzo non risponde a quel metodo."},
		{409, "Conflict",
		 "This clashes with what the log already holds, for example a "
		 "document that is already revoked.",
		 "Conflitto",
		 "Questo contrasta con quanto il registro contiene già, per "
		 "esempio un documento già revocato."},
		{413, "Too large", "What was sent is too large.",
		 "Troppo grande", "Quanto inviato è troppo grande."},
		{415, "Unsupported file",
		 "Only PDF, PNG and JPEG files are accepted.",
		 "File non supportato", "Sono accettati solo PDF, PNG e JPEG."},
		{429, "Too many requests",
		 "Please wait a moment and try again.", "Troppe richieste",
		 "Attendi un momento e riprova."},
		{501, "Not implemented",
		 "The service does not take a request sent this way.",
		 "Non implementato",
		 "Il servizio non accetta una richiesta inviata così."},
		{503, "Busy", "The service is busy. Please try again shortly.",
		 "Occupato", "Il servizio è occupato. Riprova tra poco."},
		{500, "Something went wrong",
		 "The service could not answer. Please try again later.",
		 "Qualcosa è andato storto",
		 "Il servizio non ha potuto rispondere. Riprova più tardi."},
	};
	size_t k = ARRAY_LEN(texts) - 1;
	struct render_data *d;
	enum status st;

	for (size_t i = 0; i < ARRAY_LEN(texts); i++)
		if (texts[i].code == http_status)
			k = i;
	if ((d = render_data_new()) == NULL)
		return err_set(e, ST_NOMEM, "out of memory");
	struct render_obj *r = render_root(d);
	set_labels(r, error_labels, ARRAY_LEN(error_labels), lang);
	render_set_int(r, "code", http_status);
	render_set_text(r, "heading", W(lang, texts[k].h_en, texts[k].h_it));
	render_set_text(r, "text", W(lang, texts[k].t_en, texts[k].t_it));
	render_set_flag(r, "has_detail", detail != NULL && detail[0] != 0);
	render_set_text(r, "detail", detail != NULL ? detail : "");
	render_set_flag(r, "owner",
			self != NULL && strncmp(self, "/owner", 6) == 0);
	/* self comes from the request: only a plain path is echoed. */
	char path[256] = "/";
	if (self != NULL && self[0] == '/' && strlen(self) < sizeof path &&
	    strspn(self, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			 "0123456789/._-") == strlen(self))
		snprintf(path, sizeof path, "%s", self);
	st = render_page(T_ERROR, d, lang,
			 W(lang, texts[k].h_en, texts[k].h_it), path, false,
			 out, e);
	render_data_free(d);
	return st;
}

/* ---- the owner's pages (owner.c) ---- */

enum status pages_owner(bool dashboard, struct render_data *d,
			enum page_lang lang, const char *title,
			const char *self, struct buf *out, struct err *e)
{
	if (self == NULL)
		self = dashboard ? "/owner" : "/owner/login";
	return render_page(dashboard ? T_OWNER : T_OWNER_LOGIN, d, lang, title,
			   self, false, out, e);
}

enum status pages_owner_record(struct store *s, const char *venue,
			       enum page_lang lang, const char *today,
			       int64_t before, struct render_obj *r,
			       struct err *e)
{
	struct bundle *b = NULL;
	struct verify_report rep;
	struct verify_options o;
	enum status st;

	memset(&rep, 0, sizeof rep);
	if (!entry_venue_id_valid(venue))
		return err_set(e, ST_NOT_FOUND, "venue %.16s: not found",
			       venue != NULL ? venue : "");
	if ((st = export_bundle(s, venue, -1, &b, e)) != ST_OK)
		return st;
	memset(&o, 0, sizeof o);
	snprintf(o.today, sizeof o.today, "%s", today != NULL ? today : "");
	if ((st = verify_bundle(b, &o, &rep, e)) != ST_OK)
		goto out;
	set_record(r, b, &rep, lang, before);
	st = ST_OK; /* a setter's failure shows at render_exec */
out:
	verify_report_free(&rep);
	bundle_free(b);
	return st;
}
