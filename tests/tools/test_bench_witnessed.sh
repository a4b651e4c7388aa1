#!/usr/bin/env bash
#
# test_bench_witnessed.sh: the witnessed log's benchmark keeps working (no
# figure is checked).  tools/bench_witnessed.sh runs whole with one
# round of a second of load a case and writes its five rows, each with a
# figure and every upload acknowledged and served; its client,
# tools/bench_witness.c's `lag`, takes the server's answers for what
# they are: an upload refused (a wrong token) is a wrong answer, exit 1,
# and the sizes it saw served are the log's.
#
#   tests/tools/test_bench_witnessed.sh
#
# Exit status: 0 when every check passed, 1 otherwise, 2 when it cannot run.

HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../lib/test.sh
. "$HERE/../lib/test.sh"
BENCH_WITNESS=${BENCH_WITNESS:-$(dirname "$SANILOG")/tools/bench_witness}
test_begin test_bench_witnessed sanilog curl awk
test_built "$BENCH_WITNESS"
GEN=$BENCH_WITNESS

# The script, briefly, its rows in ./rows.
RC=0
SANILOG=$SANILOG BENCH_DIR=$TMP BENCH_WITNESSED_SECONDS=1 \
	BENCH_WITNESSED_ROUNDS=1 BENCH_WITNESSED_CONNS=4 \
	"$TOP/tools/bench_witnessed.sh" "$GEN" "$TMP/rows" >out 2>err || RC=$?
TEST_FAIL_SHOWS=err
check "bench_witnessed.sh: exit 0 ($RC)" test "$RC" = 0
TEST_FAIL_SHOWS=rows
check "five rows" test "$(wc -l <rows)" = 5
check "the reference: uploads a second" awk -F '\t' \
	'/no witnesses \(ref\)/ && $2 + 0 > 0 && $4 + 0 > 0 { f = 1 } END { exit !f }' rows
for q in 2 3; do
	check "quorum $q: a ratio to the reference, target 0.90" awk -F '\t' -v q="$q" \
		'index($1, "quorum " q ": upload rate (ratio)") && $4 + 0 > 0 &&
		 $5 == "0.90" && $6 ~ /without witnesses/ { f = 1 } END { exit !f }' rows
	check "quorum $q: a lag p99, target under 250 ms" awk -F '\t' -v q="$q" \
		'index($1, "quorum " q ": lag p99 (ms)") && $4 ~ /^[0-9.]+$/ &&
		 $5 == "<250" && $6 ~ /witnessed sizes served/ { f = 1 } END { exit !f }' rows
done
check "each witness's commits given" awk -F '\t' '/lag p99/ {
		n += ($6 ~ /w1 [0-9]+ commits.*w2 [0-9]+ commits.*w3 [0-9]+ commits/)
	} END { exit n != 2 }' rows
TEST_FAIL_SHOWS=""

# The client alone, against a log of its own without witnesses.
sl init --origin bench.example/lag >/dev/null 2>&1 || test_cannot "sanilog init"
sl venue add --name "Bench" --address "Loopback" --json >venue.json 2>/dev/null ||
	test_cannot "venue add"
VENUE=$(json_field venue.json venue)
TOKEN=$(json_field venue.json token)
serve_db "$DB" 2
expect_exit "lag: exit 0" 0 "$GEN" lag "$URL" "$VENUE" "$TOKEN" 0.5 --conns 3
check "lag: a result line" grep -q '^result lag conns 3 ' out
uploads=$(awk '{ for (i = 1; i < NF; i++) if ($i == "uploads") print $(i + 1) }' out)
check "lag: uploads made ($uploads)" test "${uploads:-0}" -gt 0
check "lag: none unserved, no other answer" \
	grep -q ' other 0 .* unserved 0 ' out
# The log holds the venue's entry, then every upload the client counted.
size=$(curl -fsS "$URL/checkpoint" | sed -n 2p)
check "lag: the log grew by its uploads ($size)" \
	test "$size" = $((uploads + 1))
expect_exit "lag: a wrong token: exit 1" 1 \
	"$GEN" lag "$URL" "$VENUE" "slo_wrong" 0.2 --conns 1
check "lag: says the status" grep -q 'upload: status 401' err
expect_exit "lag: bad usage: exit 2" 2 "$GEN" lag "$URL" "$VENUE" "$TOKEN" 0
expect_exit "lag: bad --conns: exit 2" 2 "$GEN" lag "$URL" "$VENUE" \
	"$TOKEN" 1 --conns 0
stop_server
test_end
