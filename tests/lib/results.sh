#!/usr/bin/env bash
# results.sh: the tally of `make check`.  Each suite is run through it and
# its counts go, as a line "SUITE PASSED FAILED", to the file named by
# CHECK_RESULTS (when set: make check sets it, a suite run by hand prints
# its own counts only); at the end, `total` sums the lines into the one
# closing line "N passed, N failed".
#
#   results.sh run SUITE COMMAND...      a suite that counts its checks:
#       it appends "PASSED FAILED" to $TEST_RESULTS (tests/lib/test.sh's
#       test_end does); one that appends nothing counts as one check,
#       passed when it exits 0
#   results.sh cmocka SUITE COMMAND...   a cmocka binary: its test cases,
#       from its "[  PASSED  ] N test(s)" and "[  FAILED  ] N test(s)"
#   results.sh each SUITE COMMAND... -- ARG...   one check per ARG:
#       COMMAND ARG succeeds
#   results.sh files SUITE COMMAND... -- FILE...   one check per FILE, by a
#       single COMMAND FILE...: a FILE fails when a line of the output
#       starts with "FILE:" (clang-format names so each file it would
#       change)
#   results.sh total FILE [STATUS]       the closing line over FILE's lines;
#       STATUS, make's exit status, not 0 with no failure counted (a build
#       that failed) counts one failure
#
# A suite that exits with an error but counted no failure (it crashed, or
# valgrind found a leak after every case passed) counts one failure.  Exit
# status: the suite's, 1 when a failure was counted; total exits 1 when
# anything failed.
set -u

usage() {
	echo "usage: results.sh run|cmocka|each|files SUITE COMMAND... | total FILE [STATUS]" >&2
	exit 2
}

# record SUITE PASSED FAILED RC: the line, and the exit status.
record() {
	if [ "$4" != 0 ] && [ "$3" = 0 ]; then
		echo "$1: exit $4 without a failed check: counted as a failure" >&2
		set -- "$1" "$2" 1 "$4"
	fi
	[ -z "${CHECK_RESULTS:-}" ] || echo "$1 $2 $3" >>"$CHECK_RESULTS"
	if [ "$3" != 0 ] && [ "$4" = 0 ]; then exit 1; fi
	exit "$4"
}

[ $# -ge 2 ] || usage
mode=$1
suite=$2
shift 2
case $mode in
run)
	[ $# -ge 1 ] || usage
	TEST_RESULTS=$(mktemp "${TMPDIR:-/tmp}/sanilog-results.XXXXXX")
	export TEST_RESULTS
	rc=0
	"$@" || rc=$?
	counts=$(awk '{ p += $1; f += $2 } END { if (NR) print p, f }' \
		"$TEST_RESULTS")
	rm -f "$TEST_RESULTS"
	if [ -z "$counts" ]; then
		if [ "$rc" = 0 ]; then counts="1 0"; else counts="0 1"; fi
	fi
	# shellcheck disable=SC2086
	record "$suite" $counts "$rc"
	;;
cmocka)
	[ $# -ge 1 ] || usage
	out=$(mktemp "${TMPDIR:-/tmp}/sanilog-cmocka.XXXXXX")
	"$@" 2>&1 | tee "$out"
	rc=${PIPESTATUS[0]}
	counts=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/p \1/p
		s/^\[  FAILED  \] \([0-9]*\) test.*/f \1/p' "$out" |
		awk '$1 == "p" { p += $2 } $1 == "f" { f += $2 }
			END { print p + 0, f + 0 }')
	rm -f "$out"
	# shellcheck disable=SC2086
	record "$suite" $counts "$rc"
	;;
each | files)
	cmd=()
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		cmd+=("$1")
		shift
	done
	if [ $# = 0 ] || [ ${#cmd[@]} = 0 ]; then usage; fi
	shift
	p=0 f=0 rc=0
	if [ "$mode" = files ]; then
		out=$(mktemp "${TMPDIR:-/tmp}/sanilog-files.XXXXXX")
		"${cmd[@]}" "$@" >"$out" 2>&1 || rc=$?
		cat "$out"
	fi
	for a in "$@"; do
		if [ "$mode" = each ]; then
			"${cmd[@]}" "$a" && continue
		else
			awk -v f="$a:" 'index($0, f) == 1 { bad = 1 }
				END { exit bad }' "$out" && continue
		fi
		f=$((f + 1))
		echo "FAIL  $suite: $a" >&2
	done
	p=$(($# - f))
	[ "$mode" = each ] || rm -f "$out"
	echo "$suite: $p passed, $f failed"
	record "$suite" "$p" "$f" "$rc"
	;;
total)
	file=$suite
	status=${1:-0}
	awk -v status="$status" '
		{ p += $2; f += $3 }
		$3 > 0 { failed = failed " " $1 }
		$2 + $3 == 0 { none = none " " $1 }
		END {
			if (status != 0 && f == 0) {
				print "make: a target failed outside the suites" \
					" (a build?): counted as a failure"
				f = 1
			}
			if (none != "") print "checked nothing:" none
			if (failed != "") print "failed:" failed
			print p + 0 " passed, " f + 0 " failed"
			exit f > 0
		}' "$file"
	;;
*) usage ;;
esac
