/*
 * serve_opts.c: the options that the commands which serve HTTP share
 * (see serve_opts.h).
 */
#include "serve_opts.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "cli.h"
#include "core/codec.h"

/* Raises the limit on open files (ulimit -n) to what the server needs
 * with connections connections and threads request threads, as far as
 * the hard limit allows: a socket each, the database, its WAL and its
 * shared memory for each read connection (threads + 2) and the writer's
 * and the checkpoints', and a few more.  Says so on stderr when it
 * cannot: past it, the kernel refuses connections, and a new read
 * connection could not open the database. */
void cli_files_for(unsigned connections, unsigned threads)
{
	struct rlimit rl;
	rlim_t need = (rlim_t)connections + 3 * ((rlim_t)threads + 4) + 32;
	if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur >= need)
		return;
	rlim_t soft = rl.rlim_max == RLIM_INFINITY || rl.rlim_max >= need
			      ? need
			      : rl.rlim_max;
	if (soft > rl.rlim_cur) {
		rl.rlim_cur = soft;
		if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
			getrlimit(RLIMIT_NOFILE, &rl);
	}
	if (rl.rlim_cur < need)
		fprintf(stderr,
			"sanilog: only %llu open files allowed (ulimit "
			"-n), fewer than --max-connections %u needs (%llu)\n",
			(unsigned long long)rl.rlim_cur, connections,
			(unsigned long long)need);
}

/* Parses "ADDR:PORT" ("[ADDR]:PORT" for IPv6) into cfg. */
bool cli_parse_listen(const char *s, struct http_config *cfg, char *host,
		      size_t hostsize)
{
	const char *colon = strrchr(s, ':');
	if (colon == NULL || colon == s)
		return false;
	int64_t port = 0;
	if (!dec_parse(colon + 1, &port) || port > 65535)
		return false;
	size_t n = (size_t)(colon - s);
	char addr[INET6_ADDRSTRLEN + 2];
	bool v6 = s[0] == '[';
	if (v6) {
		if (n < 3 || s[n - 1] != ']')
			return false;
		s++;
		n -= 2;
	}
	if (n >= sizeof addr)
		return false;
	memcpy(addr, s, n);
	addr[n] = 0;
	memset(&cfg->addr, 0, sizeof cfg->addr);
	if (v6) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&cfg->addr;
		a->sin6_family = AF_INET6;
		a->sin6_port = htons((uint16_t)port);
		if (inet_pton(AF_INET6, addr, &a->sin6_addr) != 1)
			return false;
		cfg->addrlen = sizeof *a;
		snprintf(host, hostsize, "[%s]", addr);
	} else {
		struct sockaddr_in *a = (struct sockaddr_in *)&cfg->addr;
		a->sin_family = AF_INET;
		a->sin_port = htons((uint16_t)port);
		if (inet_pton(AF_INET, addr, &a->sin_addr) != 1)
			return false;
		cfg->addrlen = sizeof *a;
		snprintf(host, hostsize, "%s", addr);
	}
	return true;
}

/* An http(s) URL without spaces or controls, at most 200 bytes; a
 * trailing slash is dropped. */
bool cli_parse_base_url(const char *s, char *out, size_t outsize)
{
	size_t n = strlen(s);
	if (n > 200 || n >= outsize ||
	    (strncmp(s, "http://", 7) != 0 && strncmp(s, "https://", 8) != 0))
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f)
			return false;
	memcpy(out, s, n + 1);
	while (n > 8 && out[n - 1] == '/')
		out[--n] = 0;
	return n > 8;
}

bool cli_parse_count(const char *s, unsigned lo, unsigned hi, unsigned *out)
{
	int64_t v = 0;
	if (!dec_parse(s, &v) || v < lo || v > hi)
		return false;
	*out = (unsigned)v;
	return true;
}

void cli_http_init(struct cli_http *h, const char *listen)
{
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	memset(h, 0, sizeof *h);
	h->cfg.threads = ncpu > 0 && ncpu < 64 ? (unsigned)ncpu : 2;
	h->cfg.max_connections = 1024;
	h->cfg.max_per_address = 32;
	h->cfg.timeout = 30;
	h->cfg.request_timeout = 20;
	h->cfg.access_log = true;
	if (!cli_parse_listen(listen, &h->cfg, h->host, sizeof h->host))
		snprintf(h->host, sizeof h->host, "?");
}

int cli_http_option(struct cli_http *h, const char *cmd, int ch,
		    const char *arg)
{
	struct http_config *cfg = &h->cfg;
	const char *bad = NULL;
	switch (ch) {
	case 'l':
		if (!cli_parse_listen(arg, cfg, h->host, sizeof h->host))
			bad = "--listen: not ADDR:PORT (e.g. 127.0.0.1:8080 "
			      "or [::1]:80)";
		break;
	case 't':
		if (!cli_parse_count(arg, 1, 256, &cfg->threads))
			bad = "--threads: 1 to 256";
		break;
	case 'm':
		if (!cli_parse_count(arg, 1, 100000, &cfg->max_connections))
			bad = "--max-connections: 1 to 100000";
		break;
	case 'T':
		if (!cli_parse_count(arg, 1, 3600, &cfg->timeout))
			bad = "--timeout: 1 to 3600 seconds";
		break;
	case 'p':
		if (!cli_parse_count(arg, 0, 100000, &cfg->max_per_address))
			bad = "--max-per-address: 0 to 100000";
		break;
	case 'R':
		if (!cli_parse_count(arg, 1, 3600, &cfg->request_timeout))
			bad = "--request-timeout: 1 to 3600 seconds";
		break;
	case 'q':
		cfg->access_log = false;
		break;
	case 'X':
		if (!http_parse_ip(arg, &cfg->proxy))
			bad = "--trusted-proxy: not an IP address (e.g. "
			      "127.0.0.1 or ::1)";
		cfg->has_proxy = true;
		break;
	default:
		return 0;
	}
	if (bad != NULL) {
		cli_error("%s: %s", cmd, bad);
		return -1;
	}
	return 1;
}

void cli_signals_block(sigset_t *stop)
{
	sigemptyset(stop);
	sigaddset(stop, SIGINT);
	sigaddset(stop, SIGTERM);
	pthread_sigmask(SIG_BLOCK, stop, NULL);
	(void)signal(SIGPIPE, SIG_IGN); /* fails only for a bad signal */
}

int cli_signals_wait(const sigset_t *stop)
{
	int sig = 0;
	while (sigwait(stop, &sig) != 0)
		;
	return sig;
}
