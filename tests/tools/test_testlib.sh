#!/usr/bin/env bash
#
# test_testlib.sh: the shell suites' library (tests/lib/test.sh) and make
# check's tally (tests/lib/results.sh) count what they should: small
# suites, written here, pass and fail each helper on purpose, and their
# exit status, their closing line and the counts they leave for make check
# are checked; a suite that stops early, cannot run or is skipped says so,
# and its temporary directory and processes are gone after it.
#
#   tests/tools/test_testlib.sh
#
# Exit status: 0 when every check passed, 1 otherwise, 2 when it cannot run.

HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../lib/test.sh
. "$HERE/../lib/test.sh"
test_begin test_testlib awk

LIB=$TOP/tests/lib/test.sh
RESULTS=$TOP/tests/lib/results.sh

# suite NAME BODY: runs a suite of BODY (after test_begin NAME); its exit
# status in RC, its output in ./NAME.out and ./NAME.err, the counts it
# left in ./NAME.counts.
suite() {
	printf '. "%s"\ntest_begin %s\n%s\n' "$LIB" "$1" "$2" >"$1.sh"
	rm -f "$1.counts"
	RC=0
	TEST_RESULTS=$TMP/$1.counts TMPDIR=$TMP/tmp TEST_VERBOSE=0 bash "$1.sh" \
		>"$1.out" 2>"$1.err" || RC=$?
}
mkdir tmp

# counted NAME RC "PASSED FAILED" [WHAT]: the suite NAME exited RC and
# left these counts.
counted() {
	local what=${4:-$1} got
	got=$(cat "$1.counts" 2>/dev/null || true)
	check "$what: exit $RC, expected $2" test "$RC" = "$2"
	check "$what: counts '$got', expected '$3'" test "$got" = "$3"
}

suite passes 'ok
check "true" true
expect_exit "exit 3" 3 sh -c "exit 3"
printf "Location: /x\n" >hdr
printf "<p>hello</p>\n" >body
LAST="GET /"
hdr_has "^Location: /x$"
hdr_lacks "^Set-Cookie"
body_has "hello"
body_lacks "goodbye"
test_end'
counted passes 0 "7 0"
check "passes: the closing line" \
	grep -q '^passes: 7 passed, 0 failed ([0-9]* s)$' passes.out
check "passes: nothing on stderr" test ! -s passes.err

# Each helper, made to fail, counts one failure and says which.
for c in 'check "check false" false' \
	'expect_exit "expect_exit 3" 3 true' \
	'printf "Location: /x\n" >hdr; LAST=L; hdr_has "^Location: /y"' \
	'printf "Set-Cookie: a\n" >hdr; LAST=L; hdr_lacks "^set-cookie"' \
	'echo hello >body; LAST=L; body_has goodbye' \
	'echo hello >body; LAST=L; body_lacks hello' \
	'bad "by hand"'; do
	suite fails "ok
$c
ok
test_end"
	counted fails 1 "2 1" "fails ($c)"
	check "fails ($c): says FAIL" grep -q '^FAIL  ' fails.err
	check "fails ($c): lists it at the end" grep -q '^fails: failed:$' fails.out
done

# A command failing under set -e ends the suite: one failure more.
suite stops 'ok
false
ok
test_end'
counted stops 1 "1 1"
check "stops: says so" grep -q 'stopped before its end (exit 1)' stops.err

# Cannot run after test_begin: exit 2, counted as a failure.
suite cannot 'test_cannot "no such thing"'
counted cannot 2 "0 1"
check "cannot: says why" grep -q '^cannot: cannot run: no such thing' cannot.err

# A need that is missing: exit 2 before anything is counted.
printf '. "%s"\ntest_begin needs sanilog-no-such-tool\nok\ntest_end\n' \
	"$LIB" >needs.sh
RC=0
TEST_RESULTS=$TMP/needs.counts bash needs.sh >needs.out 2>needs.err || RC=$?
check "a missing need: exit 2 ($RC)" test "$RC" = 2
check "a missing need: named" grep -q 'needs sanilog-no-such-tool' needs.err
check "a missing need: no counts" test ! -e needs.counts

suite skips 'test_skip "not here"
bad "never reached"'
counted skips 0 "0 0"

# The temporary directory and the processes it tracked are gone.
suite cleans 'sleep 60 &
test_track $!
echo "$!" >"'"$TMP"'/cleans.pid"
echo "$TMP" >"'"$TMP"'/cleans.tmp"
ok
test_end'
counted cleans 0 "1 0"
check "cleans: its directory is removed" test ! -e "$(cat cleans.tmp)"
check "cleans: the tracked process is killed" \
	bash -c '! kill -0 "$(cat cleans.pid)" 2>/dev/null'

# results.sh: the counts of a suite that counts, of one that does not, of
# one that fails without a count, and the closing line over them.
CHECK_RESULTS=$TMP/all
export CHECK_RESULTS
RC=0
"$RESULTS" run passes.sh bash passes.sh >/dev/null 2>&1 || RC=$?
check "results run: a suite's exit ($RC)" test "$RC" = 0
"$RESULTS" run fails.sh bash fails.sh >/dev/null 2>&1 || RC=$?
check "results run: a failed suite's exit ($RC)" test "$RC" = 1
"$RESULTS" run true true >/dev/null 2>&1
RC=0
"$RESULTS" run crash sh -c 'exit 3' >/dev/null 2>&1 || RC=$?
check "results run: an exit kept ($RC)" test "$RC" = 3
RC=0
"$RESULTS" each each test -n -- a "" b >/dev/null 2>&1 || RC=$?
check "results each: one failed ($RC)" test "$RC" = 1
unset CHECK_RESULTS
check "results: the lines" test "$(cat all)" = "passes.sh 7 0
fails.sh 2 1
true 1 0
crash 0 1
each 2 1"
RC=0
"$RESULTS" total all 2 >total.out 2>&1 || RC=$?
check "results total: exit 1 ($RC)" test "$RC" = 1
check "results total: the closing line" \
	test "$(tail -n 1 total.out)" = "12 passed, 3 failed"
check "results total: the suites that failed" \
	grep -qx 'failed: fails.sh crash each' total.out
echo "ok 1 0" >none
RC=0
"$RESULTS" total none 2 >total.out 2>&1 || RC=$?
check "results total: make failed, no suite did: exit 1 ($RC)" test "$RC" = 1
check "results total: then one failure" \
	test "$(tail -n 1 total.out)" = "1 passed, 1 failed"

test_end
