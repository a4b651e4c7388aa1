/*
 * app.c: starting and stopping the web service, and the generation of the
 * log it serves (web_generation); the route files' helpers are handler.c's.
 */
#include "app.h"

#include "web/cosigner.h"
#include "web/owner.h"
#include "web/pages.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

/* Frees what web_app_start made, after the server (if any) is freed:
 * every part accepts NULL, so a start that failed half-way is undone by
 * the same code as a stop. */
static void app_free(struct web_app *a)
{
	/* The writer first: it runs the cosigner's queued task. */
	writer_stop(a->writer);
	cosigner_stop(a->cosigner);
	writer_free(a->writer);
	backfill_free(a->backfill);
	page_cache_free(a->cache);
	owner_sessions_free(a->sessions);
	ratelimit_free(a->auth_limit);
	store_pool_free(a->pool);
	if (a->pages_ready)
		pages_cleanup();
	free(a->db_path);
	free(a->wal_path);
	pthread_mutex_destroy(&a->tags_lock);
	free(a);
}

static void kick_cosigner(void *cls)
{
	cosigner_kick(cls);
}

enum status web_app_start(const struct web_options *o, struct sequencer *seq,
			  struct web_app **out, struct err *e)
{
	struct web_app *a = calloc(1, sizeof *a);
	enum status r;
	*out = NULL;
	if (a == NULL)
		return err_set(e, ST_NOMEM, "out of memory");
	pthread_mutex_init(&a->tags_lock, NULL);
	a->db_path = strdup(o->db_path);
	a->wal_path = malloc(strlen(o->db_path) + 5);
	if (a->db_path == NULL || a->wal_path == NULL) {
		r = err_set(e, ST_NOMEM, "out of memory");
		goto fail;
	}
	memcpy(a->wal_path, o->db_path, strlen(o->db_path));
	memcpy(a->wal_path + strlen(o->db_path), "-wal", 5);
	atomic_init(&a->files_seen, 0);
	atomic_init(&a->files_seen_ms, -1000);
	atomic_init(&a->tree_gen, 0);
	a->doc_max = o->doc_max;
	a->upload_memory = o->upload_memory;
	atomic_init(&a->upload_bytes, 0);
	/* Every polling thread may hold one connection, and /metrics or
	 * /healthz one more. */
	if ((r = pages_init(o->templates_dir, o->assets_dir, e)) != ST_OK)
		goto fail;
	a->pages_ready = true;
	unsigned threads = o->http.threads > 0 ? o->http.threads : 1;
	if ((r = store_pool_new(o->db_path, threads + 2, o->proof_cache,
				&a->pool, e)) != ST_OK)
		goto fail;
	if ((r = ratelimit_new(o->auth_burst, o->auth_drain, &a->auth_limit)) !=
	    ST_OK) {
		err_set(e, r, "out of memory");
		goto fail;
	}
	if ((r = owner_sessions_new(&a->sessions)) != ST_OK) {
		err_set(e, r, "out of memory");
		goto fail;
	}
	if ((r = page_cache_new(o->cache_ms > 0 ? 1024 : 1, o->cache_ms,
				&a->cache)) != ST_OK) {
		err_set(e, r, "out of memory");
		goto fail;
	}
	if ((r = backfill_new(o->db_path, BACKFILL_MS, BACKFILL_DRAIN_BYTES,
			      &a->backfill, e)) != ST_OK ||
	    (r = writer_new(seq, &a->writer, e)) != ST_OK)
		goto fail;
	writer_set_between(a->writer, backfill_between, a->backfill);
	if ((r = cosigner_start(o->db_path, a->writer, &a->cosigner, e)) !=
	    ST_OK)
		goto fail;
	writer_set_after(a->writer, kick_cosigner, a->cosigner);
	struct http_config cfg = o->http;
	cfg.html_error = web_html_error;
	if ((r = http_server_new(&cfg, web_routes, web_nroutes, a, &a->http,
				 e)) != ST_OK)
		goto fail;
	*out = a;
	return ST_OK;
fail:
	app_free(a);
	return r;
}

unsigned web_app_port(const struct web_app *a)
{
	return http_server_port(a->http);
}

void web_app_stop(struct web_app *a, unsigned grace_ms)
{
	if (a == NULL)
		return;
	http_server_quiesce(a->http);
	http_server_wait_idle(a->http, grace_ms);
	/* Whatever is still queued is committed and answered; new writes
	 * are refused (503). */
	writer_stop(a->writer);
	http_server_wait_idle(a->http, 1000);
	http_server_free(a->http);
	app_free(a);
}

static uint64_t mix(uint64_t h, uint64_t v)
{
	for (int i = 0; i < 8; i++, v >>= 8)
		h = (h ^ (v & 0xff)) * 1099511628211ull;
	return h;
}

uint64_t web_generation(struct web_app *a)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	int64_t now = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
	uint64_t files = atomic_load(&a->files_seen);
	if (now - atomic_load(&a->files_seen_ms) >= 50) {
		struct stat sb;
		uint64_t h = 1469598103934665603ull;
		const char *paths[] = {a->db_path, a->wal_path};
		for (int i = 0; i < 2; i++) {
			if (stat(paths[i], &sb) != 0)
				memset(&sb, 0, sizeof sb);
			h = mix(h, (uint64_t)sb.st_size);
			h = mix(h, (uint64_t)sb.st_mtim.tv_sec);
			h = mix(h, (uint64_t)sb.st_mtim.tv_nsec);
			h = mix(h, (uint64_t)sb.st_ino);
		}
		files = h;
		atomic_store(&a->files_seen, files);
		atomic_store(&a->files_seen_ms, now);
	}
	return mix(files, writer_generation(a->writer));
}
