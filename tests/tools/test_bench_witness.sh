#!/usr/bin/env bash
#
# test_bench_witness.sh: the witness benchmark keeps working (no figure is
# checked).  tools/bench_witness.sh runs whole for a fraction of a second
# a case and writes its six rows, each with a rate and every
# cosignature verified, the prepared ones with what was made before the
# clock and what stopped it; its generator, tools/bench_witness.c,
# prints the same keys every run and takes the witness's answers for
# what they are, live or prepared: a witness of another key (its
# cosignatures do not verify) and a log sent again from its start (409)
# are wrong answers, exit 1.  Prepared, it sends the requests it made and
# no more.
#
#   tests/tools/test_bench_witness.sh
#
# Exit status: 0 when every check passed, 1 otherwise, 2 when it cannot run.

HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../lib/test.sh
. "$HERE/../lib/test.sh"
BENCH_WITNESS=${BENCH_WITNESS:-$(dirname "$SANILOG")/tools/bench_witness}
test_begin test_bench_witness sanilog curl awk
test_built "$BENCH_WITNESS"
GEN=$BENCH_WITNESS

# The script, briefly, its rows in ./rows.
RC=0
SANILOG=$SANILOG BENCH_DIR=$TMP BENCH_WITNESS_SECONDS=0.3 BENCH_WITNESS_LOGS=4 \
	BENCH_WITNESS_PAIRS=200 BENCH_WITNESS_SYNCS=20 \
	"$TOP/tools/bench_witness.sh" "$GEN" "$TMP/rows" >out 2>err || RC=$?
TEST_FAIL_SHOWS=err
check "bench_witness.sh: exit 0 ($RC)" test "$RC" = 0
TEST_FAIL_SHOWS=rows
check "six rows" test "$(wc -l <rows)" = 6
for what in "Ed25519 sign+verify pairs" "fdatasync'd 4 KiB writes" \
	"4 logs at once, prepared" "1 log in sequence, prepared" \
	"4 logs at once, live generator" "1 log in sequence, live generator"; do
	check "a row of $what with a rate" awk -F '\t' -v w="$what" \
		'index($1, w) && $4 + 0 > 0 { found = 1 } END { exit !found }' rows
done
# Each case: as many cosignatures verified as requests answered.  (An
# awk "exit" in a rule runs END, whose own exit would win: bad instead.)
check "every cosignature verified" awk -F '\t' '/^witness:/ {
		n++; if (!match($6, /[0-9]+ cosignatures verified/)) bad = 1
		if (substr($6, RSTART, RLENGTH) + 0 != $2) bad = 1
	} END { exit bad || n != 4 }' rows
check "requests per commit given" awk -F '\t' '/^witness:/ {
		n += ($6 ~ /[0-9.]+ requests a commit/) } END { exit n != 4 }' rows
# The prepared cases: their targets, the requests made before the clock
# and their memory, and what stopped the clock.
check "prepared: the targets, what was made, what ended" \
	awk -F '\t' '$1 ~ /, prepared$/ {
		n++
		if ($5 != ($1 ~ /at once/ ? 5000 : 2000)) bad = 1
		if ($6 !~ /[1-9][0-9]* requests made before the clock in [0-9.]+ s \([0-9.]+ MB of bodies, the generator.s peak resident [0-9]+ MB\)/) bad = 1
		if ($6 !~ /the clock (ran its 0.3 s|stopped when a log had sent all its requests)/) bad = 1
	} $1 ~ /live generator$/ { if ($5 != "-") bad = 1 }
	$1 ~ /4 logs at once/ && $6 !~ /[0-9]+ to [0-9]+ requests a log/ { bad = 1 }
	END { exit bad || n != 2 }' rows
TEST_FAIL_SHOWS=""

# The keys: the same every run, one a line, each a log's verifier key.
"$GEN" keys 3 3 >keys1
"$GEN" keys 3 3 >keys2
check "keys: the same every run" cmp -s keys1 keys2
check "keys: log 3's origin" grep -q '^bench.example/witness-log-3+[0-9a-f]\{8\}+' keys1
check "keys: three" test "$(wc -l <keys1)" = 3
"$GEN" keys 6 2 >>keys2

# A witness of its own, on a free port.
WDB=$TMP/w.db
VKEY=$("$SANILOG" witness init --name bench.example/witness --db "$WDB" 2>/dev/null)
while read -r k; do
	"$SANILOG" witness log add "$k" --db "$WDB" >/dev/null
done <keys2
"$SANILOG" witness serve --db "$WDB" --listen 127.0.0.1:0 --no-access-log \
	>serve.out 2>serve.err &
SERVER_PID=$!
URL=
for _ in $(seq 1 100); do
	URL=$(sed -n 's|.*listening on \(http://[^ ]*\)/$|\1|p' serve.out)
	[ -n "$URL" ] && break
	sleep 0.05
done
[ -n "$URL" ] || test_cannot "the witness did not start"

# Another witness's key of the same name: nothing it answers verifies.
OTHER=$("$SANILOG" witness init --name bench.example/witness \
	--db "$TMP/other.db" 2>/dev/null)
expect_exit "run: a witness of another key: exit 1" 1 \
	"$GEN" run "$URL" "$OTHER" 3 1 0.2
check "run: says the cosignatures do not verify" \
	grep -q 'cosignatures do not verify' err

# Log 4 cosigned, then sent again from its start: the witness answers
# 409, a wrong answer.
expect_exit "run: log 4: exit 0" 0 "$GEN" run "$URL" "$VKEY" 4 1 0.2
check "run: log 4: a result line" grep -q '^result witness logs 1 ' out
expect_exit "run: log 4 again from size 0: exit 1" 1 \
	"$GEN" run "$URL" "$VKEY" 4 1 0.2
check "run: log 4 again: says 409" grep -q 'status 409' err

# Log 5 grown by one leaf a request.
expect_exit "run --grow 1: exit 0" 0 "$GEN" run "$URL" "$VKEY" 5 1 0.2 \
	--grow 1
sent=$(awk '{ print $8 }' out)
held=$(curl -fsS "$URL/" | awk '/witness-log-5\+/ { print $4 }')
check "run --grow 1: the witness holds one leaf a request ($held, $sent)" \
	test "${held:-x}" = "$sent"

# Prepared: log 6 makes 5 requests of one leaf before the clock and
# sends those 5 within its 60 s, then stops.
expect_exit "run --prepared 5: exit 0" 0 "$GEN" run "$URL" "$VKEY" 6 1 60 \
	--grow 1 --prepared 5
check "run --prepared 5: five sent, then the requests ran out" \
	grep -q '^result witness logs 1 .* requests 5 .* mode prepared ended bodies prepared_requests 5 ' out
held=$(curl -fsS "$URL/" | awk '/witness-log-6\+/ { print $4 }')
check "run --prepared 5: the witness holds 5 ($held)" test "${held:-x}" = 5
# Prepared requests answered wrong: log 4 again (409), log 7 to a
# witness of another key.
expect_exit "run --prepared: log 4 again: exit 1" 1 \
	"$GEN" run "$URL" "$VKEY" 4 1 0.2 --prepared 3
check "run --prepared: log 4 again: says 409" grep -q 'status 409' err
expect_exit "run --prepared: a witness of another key: exit 1" 1 \
	"$GEN" run "$URL" "$OTHER" 7 1 0.2 --prepared 3
check "run --prepared: says the cosignatures do not verify" \
	grep -q '3 of 3 cosignatures do not verify' err

expect_exit "run: bad usage: exit 2" 2 "$GEN" run "$URL" "$VKEY" 4 1 0
expect_exit "run: bad --grow: exit 2" 2 "$GEN" run "$URL" "$VKEY" 4 1 1 \
	--grow 0
expect_exit "run: bad --prepared: exit 2" 2 "$GEN" run "$URL" "$VKEY" 4 1 1 \
	--prepared 0
expect_exit "run: --prepared without N: exit 2" 2 "$GEN" run "$URL" "$VKEY" \
	4 1 1 --prepared
stop_server
test_end
