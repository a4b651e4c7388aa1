/*
 * pages.c: the frame of every page (templates/layout.html), the home
 * page, the lookup of its form, error pages and the frame of the owner's
 * pages.
 *
 * Pages are rendered from templates/ by render.h, which escapes every value;
 * the only markup inserted unescaped is a page body that a template of ours
 * rendered, placed into templates/layout.html.  Words come from tables, in
 * English and Italian (here, pages_record.c's and pages_words.c's);
 * templates hold the structure.
 *
 * The venue page and the owner's record are pages_record.c's; templates
 * and assets, embedded or loaded by pages_init, pages_assets.c's.
 */
#include "pages_private.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#define BODY_MAX (4u << 20) /* a rendered page body */

/* ---- the frame (pages_private.h) ---- */

enum status pages_render(enum tmpl which, struct render_data *d,
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
	if ((st = pages_tmpl(which, &t, &own, e)) != ST_OK ||
	    (st = pages_tmpl(T_LAYOUT, &lt, &lown, e)) != ST_OK)
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

/* ---- the home page and its lookup form ---- */

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

enum status pages_index(enum page_lang lang, struct buf *out, struct err *e)
{
	struct render_data *d = render_data_new();
	enum status st;

	if (d == NULL)
		return err_set(e, ST_NOMEM, "out of memory");
	pages_set_labels(render_root(d), index_labels, ARRAY_LEN(index_labels),
			 lang);
	st = pages_render(T_INDEX, d, lang,
			  W(lang, "sanilog · sanitization records",
			    "sanilog · registri delle sanificazioni"),
			  "/", false, out, e);
	render_data_free(d);
	return st;
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

/* ---- error pages ---- */

static const struct label error_labels[] = {
	{"t_home", "Home page", "Pagina iniziale"},
	{"t_detail", "Details", "Dettagli"},
	{"t_dashboard", "Back to your dashboard", "Torna alla tua pagina"},
};

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
	pages_set_labels(r, error_labels, ARRAY_LEN(error_labels), lang);
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
	st = pages_render(T_ERROR, d, lang,
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
	return pages_render(dashboard ? T_OWNER : T_OWNER_LOGIN, d, lang, title,
			    self, false, out, e);
}
