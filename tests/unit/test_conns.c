/*
 * test_conns.c: the table of open connections (web/conns.h): counts by
 * address, the trusted proxy's connections and the clients it names, and
 * the thread that shuts down a connection past its deadline, and only
 * then.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "web/conns.h"

static struct sockaddr_storage ip(const char *s)
{
	struct sockaddr_storage ss;
	memset(&ss, 0, sizeof ss);
	struct sockaddr_in *v4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&ss;
	if (inet_pton(AF_INET, s, &v4->sin_addr) == 1)
		v4->sin_family = AF_INET;
	else if (inet_pton(AF_INET6, s, &v6->sin6_addr) == 1)
		v6->sin6_family = AF_INET6;
	else
		fail_msg("%s: not an address", s);
	return ss;
}

#define SA(ss) ((const struct sockaddr *)&(ss))

static void test_per_address(void **state)
{
	(void)state;
	struct conns *t = NULL;
	struct sockaddr_storage a = ip("192.0.2.1"), b = ip("192.0.2.2"),
				a6 = ip("2001:db8::1");
	assert_int_equal(conns_new(2, 1000, NULL, &t), ST_OK);
	struct conn *c1 = conns_open(t, -1, SA(a), 0);
	assert_true(conns_admit(t, SA(a)));
	struct conn *c2 = conns_open(t, -1, SA(a), 0);
	assert_false(conns_admit(t, SA(a)));
	assert_true(conns_admit(t, SA(b)));
	assert_true(conns_admit(t, SA(a6)));
	conns_close(t, c1);
	assert_true(conns_admit(t, SA(a)));
	conns_close(t, c2);
	uint64_t refused = 0, timed_out = 0;
	conns_stats(t, &refused, &timed_out);
	assert_int_equal(refused, 1);
	assert_int_equal(timed_out, 0);
	/* Ports aside, the same address. */
	((struct sockaddr_in *)&b)->sin_port = htons(80);
	struct sockaddr_storage b2 = ip("192.0.2.2");
	assert_true(conns_same_host(SA(b), SA(b2)));
	assert_false(conns_same_host(SA(a), SA(b2)));
	assert_false(conns_same_host(SA(a), SA(a6)));
	conns_free(t);

	/* 0: no limit. */
	assert_int_equal(conns_new(0, 1000, NULL, &t), ST_OK);
	struct conn *c[5];
	for (int i = 0; i < 5; i++)
		c[i] = conns_open(t, -1, SA(a), 0);
	assert_true(conns_admit(t, SA(a)));
	for (int i = 0; i < 5; i++)
		conns_close(t, c[i]);
	conns_free(t);
}

static void test_proxy(void **state)
{
	(void)state;
	struct conns *t = NULL;
	struct sockaddr_storage proxy = ip("127.0.0.4"), x = ip("198.51.100.7"),
				y = ip("198.51.100.8");
	assert_int_equal(conns_new(2, 1000, &proxy, &t), ST_OK);
	struct conn *p[4];
	for (int i = 0; i < 4; i++) {
		assert_true(conns_admit(t, SA(proxy)));
		p[i] = conns_open(t, -1, SA(proxy), 0);
	}
	/* The clients it names, each on its own. */
	assert_true(conns_forwarded(t, p[0], &x));
	assert_true(conns_forwarded(t, p[1], &x));
	assert_false(conns_forwarded(t, p[2], &x));
	assert_true(conns_forwarded(t, p[2], &y));
	conns_forwarded_done(t, p[0]);
	assert_true(conns_forwarded(t, p[3], &x));
	/* A direct connection from a named client counts with them. */
	assert_false(conns_admit(t, SA(x)));
	/* The next request on a connection names another client. */
	conns_forwarded_done(t, p[1]);
	assert_true(conns_forwarded(t, p[1], &y));
	assert_false(conns_forwarded(t, p[0], &y));
	for (int i = 0; i < 4; i++)
		conns_close(t, p[i]);
	assert_true(conns_admit(t, SA(x)));
	conns_free(t);
}

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000};
	nanosleep(&ts, NULL);
}

/* Whether the peer of fd shut its end down: a read returns 0 at once. */
static bool shut(int fd)
{
	char c;
	return recv(fd, &c, 1, MSG_DONTWAIT) == 0;
}

static void test_deadline(void **state)
{
	(void)state;
	struct conns *t = NULL;
	struct sockaddr_storage a = ip("192.0.2.1");
	int late[2], moved[2], none[2];
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, late), 0);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, moved), 0);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, none), 0);
	assert_int_equal(conns_new(0, 20, NULL, &t), ST_OK);
	int64_t now = conns_now_ms();
	struct conn *cl = conns_open(t, late[0], SA(a), now + 100);
	struct conn *cm = conns_open(t, moved[0], SA(a), now + 100);
	struct conn *cn = conns_open(t, none[0], SA(a), now + 100);
	conns_deadline(cm, now + 5000);
	conns_deadline(cn, 0);
	assert_false(shut(late[1]));
	sleep_ms(400);
	assert_true(shut(late[1]));
	assert_false(shut(moved[1]));
	assert_false(shut(none[1]));
	uint64_t refused = 0, timed_out = 0;
	conns_stats(t, &refused, &timed_out);
	assert_int_equal(timed_out, 1);
	conns_close(t, cl);
	conns_close(t, cm);
	conns_close(t, cn);
	conns_free(t);
	for (int i = 0; i < 2; i++) {
		close(late[i]);
		close(moved[i]);
		close(none[i]);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_per_address),
		cmocka_unit_test(test_proxy),
		cmocka_unit_test(test_deadline),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
