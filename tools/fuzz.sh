#!/bin/sh
# Runs sanilog's libFuzzer harnesses (tests/fuzz), one after the other.
#
#   usage: tools/fuzz.sh BUILD SECONDS NAME...
#
# Each harness BUILD/fuzz/NAME runs for SECONDS on BUILD/fuzz/corpus/NAME,
# a copy of the committed seeds tests/fuzz/corpus/NAME (so that what the
# fuzzer adds never floods the repository), with the dictionary
# tests/fuzz/dict/NAME.dict when there is one.  An input that crashes, leaks
# or hangs is saved in tests/fuzz/crashes/NAME/ and its report printed (an
# input slower than 10 s is kept there too, and named); a
# crash found and fixed belongs in the committed corpus as a test case.
# Prints the executions of each harness; exits 1 when any harness failed.
set -u
if [ $# -lt 3 ]; then
	echo "usage: tools/fuzz.sh BUILD SECONDS NAME..." >&2
	exit 2
fi
build=$1
seconds=$2
shift 2
failed=""
for name in "$@"; do
	bin=$build/fuzz/$name
	corpus=$build/fuzz/corpus/$name
	crashes=tests/fuzz/crashes/$name
	log=$build/fuzz/$name.log
	mkdir -p "$corpus" "$crashes"
	if [ -d "tests/fuzz/corpus/$name" ]; then
		cp -n "tests/fuzz/corpus/$name"/* "$corpus"/ 2>/dev/null || true
	fi
	set -- -max_total_time="$seconds" -timeout=20 -print_final_stats=1 \
		-artifact_prefix="$crashes/"
	if [ -f "tests/fuzz/dict/$name.dict" ]; then
		set -- "$@" -dict="tests/fuzz/dict/$name.dict"
	fi
	"$bin" "$@" "$corpus" >"$log" 2>&1
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	secs=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$log")
	if [ $rc -ne 0 ]; then
		echo "fuzz: $name: FAILED (exit $rc); its report:"
		grep -v '^#\|^INFO\|^MERGE' "$log" | tail -n 60
		echo "fuzz: $name: inputs kept in $crashes/:"
		ls -t "$crashes" | head -n 5
		failed="$failed $name"
		rmdir "$crashes" 2>/dev/null
		continue
	fi
	if ! rmdir "$crashes" 2>/dev/null; then
		echo "fuzz: $name: slow inputs kept in $crashes/:"
		ls -t "$crashes" | head -n 5
	fi
	echo "fuzz: $name: ${runs:-?} runs in ${secs:-$seconds} s," \
		"corpus $(ls "$corpus" | wc -l) inputs"
done
if [ -n "$failed" ]; then
	echo "fuzz: failed:$failed" >&2
	exit 1
fi
