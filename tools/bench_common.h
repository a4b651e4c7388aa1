/*
 * bench_common.h: what the measuring programs of `make bench` share
 * (tools/bench.c, tools/bench_witness.c): the clock, CPU times, counts
 * read from the command line, cheap random numbers, and the dispatch of
 * their subcommands.  Each program is one file linked with the project's
 * library; these are static inline so that each takes what it uses.
 */
#ifndef SANILOG_BENCH_COMMON_H
#define SANILOG_BENCH_COMMON_H

#include <errno.h>
#include <sodium.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

/* Seconds on the monotonic clock. */
static inline double now_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The user and system CPU seconds of ru. */
static inline double rusage_seconds(const struct rusage *ru)
{
	return (double)ru->ru_utime.tv_sec +
	       (double)ru->ru_utime.tv_usec / 1e6 +
	       (double)ru->ru_stime.tv_sec + (double)ru->ru_stime.tv_usec / 1e6;
}

/* A whole decimal number in [min, max]; false, *out unchanged, for
 * anything else. */
static inline bool parse_count(const char *s, int64_t min, int64_t max,
			       int64_t *out)
{
	char *end = NULL;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (errno != 0 || end == s || *end != 0 || v < min || v > max)
		return false;
	*out = v;
	return true;
}

/* xorshift64*: cheap random numbers, so that a timed loop measures its
 * work and not the generator.  *x must not be 0. */
static inline uint64_t rng_next(uint64_t *x)
{
	*x ^= *x >> 12;
	*x ^= *x << 25;
	*x ^= *x >> 27;
	return *x * UINT64_C(2685821657736338717);
}

/* A subcommand: argv[0] is its name. */
struct bench_cmd {
	const char *name;
	int (*run)(int argc, char **argv);
};

/* The usage text on stderr; the exit status of bad usage, 2. */
static inline int bench_usage(const char *usage)
{
	fputs(usage, stderr);
	return 2;
}

/* main: starts libsodium, then runs the subcommand argv[1] of cmds[0..n)
 * with the arguments after it; usage for any other. */
static inline int bench_main(const char *prog, int argc, char **argv,
			     const struct bench_cmd *cmds, size_t n,
			     const char *usage)
{
	if (sodium_init() < 0) {
		fprintf(stderr, "%s: cannot initialise libsodium\n", prog);
		return 2;
	}
	for (size_t i = 0; argc >= 2 && i < n; i++)
		if (strcmp(argv[1], cmds[i].name) == 0)
			return cmds[i].run(argc - 1, argv + 1);
	return bench_usage(usage);
}

#endif
