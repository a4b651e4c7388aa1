/*
 * http_metrics.c: the server's counters (requests by route and status, a
 * latency histogram, requests in flight, connections refused and cut),
 * counted as each request completes and written in the Prometheus text
 * format for /metrics.
 */
#include "http_private.h"

#include <stdio.h>
#include <string.h>

/* Status codes counted one by one in /metrics; others count as "other". */
static const unsigned metric_codes[] = {200, 201, 204, 206, 301, 302, 303,
					304, 400, 401, 403, 404, 405, 409,
					413, 414, 415, 429, 500, 503};
_Static_assert(ARRAY_COUNT(metric_codes) + 1 == HTTP_NCODES, "HTTP_NCODES");

/* Upper bounds of the latency histogram, in microseconds. */
static const uint64_t latency_le_us[] = {
	250,   500,    1000,   2500,   5000,	10000,	 25000,
	50000, 100000, 250000, 500000, 1000000, 2500000, 5000000};
_Static_assert(ARRAY_COUNT(latency_le_us) == HTTP_NBUCKETS, "HTTP_NBUCKETS");

void http_metrics_count(struct http_server *srv, const struct http_request *rq,
			int64_t us)
{
	size_t row = rq->route != NULL ? (size_t)(rq->route - srv->routes)
				       : srv->nroutes;
	size_t col = HTTP_NCODES - 1;
	for (size_t i = 0; i + 1 < HTTP_NCODES; i++)
		if (metric_codes[i] == rq->code)
			col = i;
	atomic_fetch_add(&srv->counts[row * HTTP_NCODES + col], 1);
	size_t b = 0;
	while (b < HTTP_NBUCKETS && (uint64_t)us > latency_le_us[b])
		b++;
	atomic_fetch_add(&srv->buckets[b], 1);
	atomic_fetch_add(&srv->latency_sum_us, (uint64_t)us);
}

/* The name of a row of the counts: a route's, or "none" for the last. */
static const char *route_name(const struct http_server *srv, size_t row)
{
	return row < srv->nroutes ? srv->routes[row].name : "none";
}

enum status http_metrics_format(struct http_server *srv, struct buf *out)
{
	enum status r = buf_append_str(
		out,
		"# HELP sanilog_http_requests_total HTTP requests answered, "
		"by route and status.\n"
		"# TYPE sanilog_http_requests_total counter\n");
	/* Routes of one name (a poster's formats) make one series. */
	for (size_t row = 0; row <= srv->nroutes && r == ST_OK; row++) {
		const char *name = route_name(srv, row);
		bool first = true;
		for (size_t k = 0; k < row && first; k++)
			first = strcmp(route_name(srv, k), name) != 0;
		for (size_t col = 0; first && col < HTTP_NCODES && r == ST_OK;
		     col++) {
			uint64_t v = 0;
			for (size_t k = row; k <= srv->nroutes; k++)
				if (strcmp(route_name(srv, k), name) == 0)
					v += atomic_load(
						&srv->counts[k * HTTP_NCODES +
							     col]);
			if (v == 0)
				continue;
			char code[8];
			if (col + 1 < HTTP_NCODES)
				snprintf(code, sizeof code, "%u",
					 metric_codes[col]);
			else
				snprintf(code, sizeof code, "other");
			r = buf_printf(
				out,
				"sanilog_http_requests_total{route=\"%s\","
				"code=\"%s\"} %llu\n",
				name, code, (unsigned long long)v);
		}
	}
	if (r == ST_OK)
		r = buf_append_str(
			out, "# HELP sanilog_http_request_duration_seconds "
			     "Time from request line to response sent.\n"
			     "# TYPE sanilog_http_request_duration_seconds "
			     "histogram\n");
	uint64_t cum = 0;
	for (size_t b = 0; b <= HTTP_NBUCKETS && r == ST_OK; b++) {
		cum += atomic_load(&srv->buckets[b]);
		char le[24];
		if (b < HTTP_NBUCKETS)
			snprintf(le, sizeof le, "%g",
				 (double)latency_le_us[b] / 1e6);
		else
			snprintf(le, sizeof le, "+Inf");
		r = buf_printf(out,
			       "sanilog_http_request_duration_seconds_bucket"
			       "{le=\"%s\"} %llu\n",
			       le, (unsigned long long)cum);
	}
	if (r == ST_OK)
		r = buf_printf(
			out,
			"sanilog_http_request_duration_seconds_sum %.6f\n"
			"sanilog_http_request_duration_seconds_count %llu\n"
			"# HELP sanilog_http_requests_in_flight Requests being "
			"handled.\n"
			"# TYPE sanilog_http_requests_in_flight gauge\n"
			"sanilog_http_requests_in_flight %u\n",
			(double)atomic_load(&srv->latency_sum_us) / 1e6,
			(unsigned long long)cum, atomic_load(&srv->in_flight));
	uint64_t refused = 0, timed_out = 0;
	conns_stats(srv->conns, &refused, &timed_out);
	if (r == ST_OK)
		r = buf_printf(
			out,
			"# HELP sanilog_http_connections_refused_total "
			"Connections refused: their address had as many open "
			"as it may.\n"
			"# TYPE sanilog_http_connections_refused_total "
			"counter\n"
			"sanilog_http_connections_refused_total %llu\n"
			"# HELP sanilog_http_connections_timed_out_total "
			"Connections closed: a request did not arrive in its "
			"time.\n"
			"# TYPE sanilog_http_connections_timed_out_total "
			"counter\n"
			"sanilog_http_connections_timed_out_total %llu\n",
			(unsigned long long)refused,
			(unsigned long long)timed_out);
	return r;
}
