# shellcheck shell=bash
# test.sh: the one library of sanilog's shell test suites (tests/web,
# tests/print, tests/net, tests/tools and tests/cli/run.sh).  A suite is
#
#	#!/usr/bin/env bash
#	HERE=$(cd "$(dirname "$0")" && pwd)
#	. "$HERE/../lib/test.sh"
#	test_begin test_x sanilog curl       # its name, then what it needs
#	check "the log verifies" sl verify   # its checks...
#	test_end                             # "test_x: N passed, N failed (S s)"
#
# and is run on its own as `SANILOG=$PWD/build/sanilog tests/web/test_x.sh`.
# It exits 0 when every check passed, 1 when one failed, 2 when it cannot
# run; a suite that stops before test_end (exit 2, or a command that fails
# under set -e) counts one failure more.
#
# Sourcing it sets -eu and these, each from the environment when set:
#   SANILOG      the binary (default build/sanilog), made absolute
#   PAGE_DRIVER  tests/web/page_driver.c built by make
#                (default: tests/page_driver beside SANILOG)
#   BENCH        tools/bench.c built by make (default: tools/bench beside
#                SANILOG), which big_venue runs
#   RUNNER       a prefix for the sanilog under test (make valgrind sets
#                it), or empty
#   TOP, KEYS, DOCS  the repository, the committed test keys and documents
# and reads TEST_VERBOSE (1: print each check that passes, not only those
# that fail) and TEST_RESULTS (a file to which test_end appends "PASSED
# FAILED": make check's tally, tests/lib/results.sh).
#
# Sections: the suite's life (test_begin, test_end, the clean-up); checks
# (ok, bad, check, expect_exit); the server under test (serve_db,
# stop_server) and HTTP answers (hdr_has, body_has...); helper programs
# (big_venue); pages in headless Chromium (page_run).

set -eu

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck disable=SC2034 # the suites'
KEYS=$TOP/tests/cli/keys DOCS=$TOP/tests/cli/docs
SANILOG=${SANILOG:-$TOP/build/sanilog}
case $SANILOG in /*) ;; *) SANILOG=$PWD/$SANILOG ;; esac
PAGE_DRIVER=${PAGE_DRIVER:-$(dirname "$SANILOG")/tests/page_driver}
case $PAGE_DRIVER in /*) ;; *) PAGE_DRIVER=$PWD/$PAGE_DRIVER ;; esac
BENCH=${BENCH:-$(dirname "$SANILOG")/tools/bench}
case $BENCH in /*) ;; *) BENCH=$PWD/$BENCH ;; esac
RUNNER=${RUNNER:-}

# ---------------------------------------------------------------------------
# The suite's life.

# test_begin NAME [NEED...]: checks what the suite needs, then makes and
# enters $TMP (removed on exit, with every process test_track names and the
# server killed first), with HOME and XDG_CACHE_HOME in it, TZ=UTC, LC_ALL=C
# and neither SANILOG_DB nor SANILOG_NOW; sets DB ($TMP/log.db, sl's) and
# the counters.  A NEED is a command on PATH, or one of: sanilog,
# page_driver, bench (the binaries above), chromium (Debian's, installed
# when missing and run as root; sets CHROMIUM).  Exits 2 when one is
# missing.
test_begin() {
	TEST=$1
	shift
	PASS=0
	FAIL=0
	TEST_FAILED=""
	TEST_ENDED=""
	TEST_PIDS=""
	TEST_AT_EXIT=""
	SERVER_PID=""
	local need
	for need in "$@"; do
		case $need in
		sanilog) test_built "$SANILOG" ;;
		page_driver) test_built "$PAGE_DRIVER" ;;
		bench) test_built "$BENCH" ;;
		chromium) test_chromium ;;
		*) command -v "$need" >/dev/null 2>&1 ||
			test_cannot "needs $need (tools/deps.sh installs it)" ;;
		esac
	done
	TMP=$(mktemp -d "${TMPDIR:-/tmp}/sanilog-$TEST.XXXXXX")
	trap test_exit EXIT
	trap 'exit 2' INT TERM HUP
	unset SANILOG_DB SANILOG_NOW
	export HOME=$TMP/home XDG_CACHE_HOME=$TMP/cache TZ=UTC LC_ALL=C
	mkdir -p "$HOME"
	cd "$TMP"
	DB=$TMP/log.db
}

# test_cannot WHY: the suite cannot run; exits 2.
test_cannot() {
	echo "$TEST: cannot run: $*" >&2
	exit 2
}

test_built() {
	[ -x "$1" ] || test_cannot "$1: not built (make test-programs)"
}

# test_skip WHY: the suite does not apply here (say, it needs root):
# says so, counts nothing and exits 0.
test_skip() {
	echo "$TEST: skipped: $*"
	test_end
}

# test_track PID / test_untrack PID: a process killed on exit, or no
# longer (it was stopped).
test_track() { TEST_PIDS="$TEST_PIDS $1"; }
test_untrack() {
	local p kept=""
	for p in $TEST_PIDS; do [ "$p" = "$1" ] || kept="$kept $p"; done
	TEST_PIDS=$kept
}

# test_end: prints the closing line and the failed checks, appends the
# counts to $TEST_RESULTS, and exits 0 when nothing failed, else 1.
test_end() {
	TEST_ENDED=1
	test_summary
	if [ "$FAIL" = 0 ]; then exit 0; fi
	exit 1
}

test_summary() {
	echo "$TEST: $PASS passed, $FAIL failed ($SECONDS s)"
	[ -z "$TEST_FAILED" ] || printf '%s: failed:%s\n' "$TEST" "$TEST_FAILED"
	[ -z "${TEST_RESULTS:-}" ] || echo "$PASS $FAIL" >>"$TEST_RESULTS"
}

# The EXIT trap: kills the server and the tracked processes, runs
# $TEST_AT_EXIT (a command), removes $TMP; a suite that stopped before
# test_end with an error counts it as a failure.
test_exit() {
	local rc=$? pid
	set +e
	if [ -z "$TEST_ENDED" ] && [ "$rc" != 0 ]; then
		TEST_FAIL_SHOWS=""
		bad "$TEST stopped before its end (exit $rc)"
	fi
	for pid in $SERVER_PID $TEST_PIDS; do
		kill -9 "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	[ -z "$TEST_AT_EXIT" ] || eval "$TEST_AT_EXIT"
	chmod -R u+rwX "$TMP" 2>/dev/null
	rm -rf "$TMP"
	[ -n "$TEST_ENDED" ] || test_summary
	exit "$rc"
}

# ---------------------------------------------------------------------------
# Checks.  Each counts one pass or one failure; a failure is printed at
# once (FAIL  what), and again in the closing list.

# ok [NAME]: a check passed.
ok() {
	PASS=$((PASS + 1))
	[ "${TEST_VERBOSE:-0}" = 0 ] || echo "PASS  ${1:-}"
}

# bad WHAT...: a check failed; with TEST_FAIL_SHOWS naming a file, that
# file is printed too.
bad() {
	FAIL=$((FAIL + 1))
	echo "FAIL  $*" >&2
	TEST_FAILED="$TEST_FAILED
  $*"
	if [ -n "${TEST_FAIL_SHOWS:-}" ]; then
		test_show "$TEST_FAIL_SHOWS" 3000 >&2
	fi
	return 0
}

# check NAME COMMAND...: passes when the command succeeds.
check() {
	local name=$1
	shift
	if "$@"; then ok "$name"; else bad "$name"; fi
}

# expect_exit NAME CODE COMMAND...: passes when the command exits CODE
# (its output in ./out and ./err).
expect_exit() {
	local name=$1 want=$2 got=0
	shift 2
	"$@" >out 2>err || got=$?
	if [ "$got" -eq "$want" ]; then ok "$name"; else
		bad "$name: exit $got, want $want ($(head -c 300 err))"
	fi
}

# test_show FILE [BYTES]: the head of FILE (400 bytes), indented, for a
# failure's message.
test_show() {
	if [ -s "$1" ]; then
		head -c "${2:-400}" "$1" | sed 's/^/      | /'
		echo
	else
		echo "      (empty)"
	fi
}

# ---------------------------------------------------------------------------
# The server under test.

# sl ARGS...: sanilog on $DB (without RUNNER: the suite's own bookkeeping).
sl() { "$SANILOG" "$@" --db "$DB"; }

# serve_db DB THREADS [ARGS...]: starts `sanilog serve` under $RUNNER on a
# free port of 127.0.0.1, its output in $TMP/serve.out and serve.err; sets
# URL (without the final slash) and SERVER_PID; exits 2 if it does not
# start.
serve_db() {
	local db=$1 threads=$2
	shift 2
	: >"$TMP/serve.out"
	# shellcheck disable=SC2086
	$RUNNER "$SANILOG" serve --db "$db" --listen 127.0.0.1:0 \
		--threads "$threads" "$@" >"$TMP/serve.out" 2>>"$TMP/serve.err" &
	SERVER_PID=$!
	for _ in $(seq 1 200); do
		URL=$(sed -n 's|^sanilog: listening on \(http://[^ ]*\)/$|\1|p' \
			"$TMP/serve.out")
		[ -n "$URL" ] && return 0
		kill -0 "$SERVER_PID" 2>/dev/null || break
		sleep 0.05
	done
	cat "$TMP/serve.err" >&2
	test_cannot "the server did not start"
}

# stop_server [SIGNAL]: stops the server (SIGTERM) and waits for it.
# shellcheck disable=SC2120 # SIGNAL is optional
stop_server() {
	kill -"${1:-TERM}" "$SERVER_PID"
	wait "$SERVER_PID" 2>/dev/null || true
	SERVER_PID=
}

# After a request that left its answer in ./hdr (CR stripped) and ./body,
# named $LAST: hdr_has REGEX, hdr_lacks REGEX (no header line matches in
# any case), body_has REGEX, body_lacks REGEX.
hdr_has() {
	if grep -Eq -- "$1" hdr; then ok "$LAST: header $1"; else
		bad "$LAST: no header matching $1"
		sed 's/^/      | /' hdr >&2
	fi
}
hdr_lacks() {
	if grep -Eiq -- "$1" hdr; then bad "$LAST: header matching $1"; else
		ok "$LAST: no header $1"
	fi
}
body_has() {
	if grep -Eq -- "$1" body; then ok "$LAST: body $1"; else
		bad "$LAST: body does not match $1"
		test_show body >&2
	fi
}
body_lacks() {
	if grep -Eq -- "$1" body; then bad "$LAST: body matches $1"; else
		ok "$LAST: body without $1"
	fi
}

# json_field FILE KEY: a number or string value of the CLI's --json output.
json_field() {
	sed -n "s/^ *\"$2\": \"\{0,1\}\([^\",]*\)\"\{0,1\},\{0,1\}$/\1/p" "$1" |
		head -1
}

# ---------------------------------------------------------------------------
# Helper programs.

# big_venue DB N: a new log at DB (its key at DB.key) of N entries made
# by tools/bench.c make-log: venue aaaaaaaa, then N - 1 sanitization
# documents of 1 KiB (all performed 2024-01-15), logged at
# 2026-11-25T09:00:00Z.  About 0.2 s for 4,500.  Exits 2 when it cannot.
big_venue() {
	test_built "$BENCH"
	if ! SANILOG_NOW=2026-11-25T09:00:00Z "$BENCH" make-log "$1" "$2" \
		--venues 1 >/dev/null 2>"$TMP/bench.err"; then
		cat "$TMP/bench.err" >&2
		test_cannot "cannot make a log of $2 entries"
	fi
}

# ---------------------------------------------------------------------------
# Pages in headless Chromium.  A page under test writes its verdict into
# <p id="verify-status"> (data-state ok or fail) and a line per problem
# into <li> elements.

# The chromium NEED of test_begin.
test_chromium() {
	CHROMIUM=${CHROMIUM:-$(command -v chromium || true)}
	if [ -z "$CHROMIUM" ] && [ "$(id -u)" = 0 ] &&
		command -v apt-get >/dev/null; then
		echo "$TEST: installing chromium (apt-get install -y chromium)"
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium \
			>/dev/null || true
		CHROMIUM=$(command -v chromium || true)
	fi
	[ -n "$CHROMIUM" ] ||
		test_cannot "needs Debian's chromium (apt-get install chromium)"
}

# page_run PAGE SECONDS: serves $SITE, opens /PAGE in headless Chromium with
# SECONDS of virtual time, and prints the page's status line; returns 0
# when its data-state is ok, else prints its <li> lines (at most MAX_LINES,
# 40) and returns 1.  Exits 2 when the folder cannot be served.
page_run() {
	local port="" status pid
	(cd "$SITE" && exec python3 -u -m http.server 0 --bind 127.0.0.1) \
		>"$TMP/http.out" 2>&1 &
	pid=$!
	test_track "$pid"
	for _ in $(seq 50); do
		port=$(sed -n 's/.* port \([0-9]*\).*/\1/p' "$TMP/http.out" |
			head -1)
		[ -n "$port" ] && break
		sleep 0.1
	done
	if [ -z "$port" ]; then
		cat "$TMP/http.out" >&2
		test_cannot "cannot serve $SITE"
	fi
	timeout $(($2 + 60)) "$CHROMIUM" --headless --no-sandbox --disable-gpu \
		--disable-quic --no-first-run --disable-background-networking \
		--disable-component-update --disable-sync --disable-extensions \
		--user-data-dir="$TMP/profile" --virtual-time-budget=$(($2 * 1000)) \
		--dump-dom "http://127.0.0.1:$port/$1" >"$TMP/dom.html" \
		2>/dev/null || true
	kill "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	test_untrack "$pid"
	status=$(grep -o '<p id="verify-status"[^<]*' "$TMP/dom.html" || true)
	echo "${status#*>}"
	grep -q 'data-state="ok"' <<<"$status" && return 0
	grep -o '<li>[^<]*' "$TMP/dom.html" | sed 's/<li>/  /' |
		sed 's/&quot;/"/g; s/&lt;/</g; s/&gt;/>/g; s/&amp;/\&/g' |
		head -"${MAX_LINES:-40}"
	return 1
}
