#!/usr/bin/env bash
#
# test_deps.sh: tools/deps.sh waits for another apt or dpkg that holds the
# package locks, says whom it waits for, and gives up after
# DEPS_LOCK_TIMEOUT seconds.  Nothing is installed and no real lock is
# taken: --dry-run prints the apt-get commands instead of running them,
# DEPS_FORCE names a package as missing, and DEPS_ROOT puts the lock files
# in a temporary directory, where flock(1) holds them.
#
#   tests/tools/test_deps.sh
#
# Exit status: 0 when every check passed, 1 otherwise, 2 when it cannot run.

HERE=$(cd "$(dirname "$0")" && pwd)
DEPS=$HERE/../../tools/deps.sh
# shellcheck source=../lib/test.sh
. "$HERE/../lib/test.sh"
test_begin test_deps flock awk stat
[ -r /proc/locks ] || test_cannot "needs /proc/locks"
# A failed check shows what deps.sh printed.
TEST_FAIL_SHOWS=out
ROOT=$TMP/root
LISTS=$ROOT/var/lib/apt/lists/lock
FRONTEND=$ROOT/var/lib/dpkg/lock-frontend
ARCHIVES=$ROOT/var/cache/apt/archives/lock
mkdir -p "${LISTS%/*}" "${FRONTEND%/*}" "${ARCHIVES%/*}"
touch "$LISTS" "$FRONTEND" "$ROOT/var/lib/dpkg/lock" "$ARCHIVES"

# hold LOCK SECONDS: a process holds LOCK for SECONDS (HOLDER is its pid).
hold() {
	flock "$1" sleep "$2" &
	HOLDER=$!
	test_track "$HOLDER"
	for _ in $(seq 1 100); do
		grep -q " $HOLDER " /proc/locks && return 0
		sleep 0.02
	done
	test_cannot "flock did not take $1"
}

# deps [VAR=VALUE...]: tools/deps.sh --dry-run with the package
# sanilog-test-missing missing and the locks under $ROOT; output in ./out,
# exit status in RC, seconds taken in SECS.
deps() {
	local start
	start=$(date +%s%N)
	RC=0
	env DEPS_FORCE=sanilog-test-missing DEPS_ROOT="$ROOT" "$@" \
		"$DEPS" --dry-run >out 2>&1 || RC=$?
	SECS=$((($(date +%s%N) - start) / 1000000000))
}

cmds() { # the apt-get commands it printed, and nothing run
	grep -q 'apt-get -o DPkg::Lock::Timeout=600 update -q$' out &&
		grep -q 'apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends.* sanilog-test-missing$' out
}

# No lock held: the two commands, at once, with the lock timeout.
deps
check "no lock: exit 0 ($RC)" test "$RC" = 0
check "no lock: says what is missing" grep -q '^deps: installing:.* sanilog-test-missing$' out
check "no lock: apt-get update and install with DPkg::Lock::Timeout" cmds
check "no lock: no wait" sh -c "! grep -q waiting out"

# The lists lock held for 5 s (long enough for deps.sh to start on a
# loaded machine): it waits before apt-get update, saying so.
hold "$LISTS" 5
deps
check "lists lock: exit 0 ($RC)" test "$RC" = 0
check "lists lock: says whom it waits for" \
	grep -q "^deps: waiting for flock (process $HOLDER), which holds $LISTS " out
check "lists lock: waited (${SECS} s)" test "$SECS" -ge 1
check "lists lock: then the commands" cmds
check "lists lock: waited before apt-get update" \
	awk '/^deps: waiting/ { w = NR } / update -q$/ { u = NR }
		END { exit !(w && u > w) }' out

# The dpkg frontend lock, then the archives lock: before apt-get install.
hold "$FRONTEND" 5
deps
check "frontend lock: exit 0 ($RC)" test "$RC" = 0
check "frontend lock: says whom it waits for" \
	grep -q "^deps: waiting for flock (process $HOLDER), which holds $FRONTEND " out
check "frontend lock: waited (${SECS} s)" test "$SECS" -ge 1
check "frontend lock: then the commands" cmds
hold "$ARCHIVES" 5
deps
check "archives lock: says whom it waits for" \
	grep -q "^deps: waiting for flock (process $HOLDER), which holds $ARCHIVES " out
check "archives lock: then the commands" cmds

# Held past DEPS_LOCK_TIMEOUT: it gives up, exit 1, installs nothing.
hold "$FRONTEND" 30
deps DEPS_LOCK_TIMEOUT=1
check "timeout: exit 1 ($RC)" test "$RC" = 1
check "timeout: gave up" grep -q "^deps: gave up waiting for flock (process $HOLDER)" out
# Well before the holder lets go (30 s), however loaded the machine.
check "timeout: before the lock was let go (${SECS} s)" test "$SECS" -lt 25
check "timeout: no install" sh -c "! grep -q 'install -y' out"
kill "$HOLDER"

# Wrong use.
deps DEPS_LOCK_TIMEOUT=soon
check "DEPS_LOCK_TIMEOUT not a number: exit 2 ($RC)" test "$RC" = 2
RC=0
"$DEPS" --frobnicate >out 2>&1 || RC=$?
check "an unknown option: exit 2 ($RC)" test "$RC" = 2

test_end
