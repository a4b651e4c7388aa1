#!/usr/bin/env bash
#
# test_witnessed.sh: a log witnessed by three witnesses on loopback.
#
#   SANILOG=/abs/path/to/sanilog tests/witness/test_witnessed.sh
#
# Three `sanilog witness serve` witness one log; its policy (quorum 2) is
# logged with `sanilog witness-policy set`; `sanilog serve` has each new
# checkpoint cosigned and serves the newest one that met the quorum, with
# the cosignatures, at /checkpoint and in every bundle.  One witness is
# stopped: the quorum still holds, /healthz says degraded, /metrics counts
# its failures.  A second is stopped: uploads are still acknowledged, and
# /checkpoint stays at the newest witnessed checkpoint until a witness is
# back.  A witness restored from an older backup answers 409 with the
# size it holds: the log goes on from there.  A slow witness does not
# hold back the quorum of the others.
# Exit status: 0 when every check passed, 1 otherwise, 2 when it cannot run.

HERE=$(cd "$(dirname "$0")" && pwd)

# shellcheck source=../lib/test.sh
. "$HERE/../lib/test.sh"
test_begin test_witnessed sanilog curl timeout sqlite3 python3

DB=$TMP/log.db
export SANILOG_DB=$DB

# start_witness N: witness N (its database w$N.db) on a free port, or on
# the port it had when it ran before; its URL in W_URL[N], its pid in
# W_PID[N].
declare -a W_URL W_PID W_KEY
start_witness() {
	local n=$1 out=$TMP/w$1.out port=0
	[ -z "${W_URL[n]:-}" ] || port=${W_URL[n]##*:}
	: >"$out"
	"$SANILOG" witness serve --db "$TMP/w$n.db" --listen "127.0.0.1:$port" \
		--no-access-log >"$out" 2>>"$TMP/w$n.err" &
	W_PID[n]=$!
	test_track "${W_PID[n]}"
	for _ in $(seq 1 200); do
		W_URL[n]=$(sed -n 's|^sanilog: witness listening on \(http://[^ ]*\)/$|\1|p' "$out")
		[ -n "${W_URL[n]}" ] && return 0
		sleep 0.05
	done
	cat "$TMP/w$n.err" >&2
	test_cannot "witness $n did not start"
}
stop_witness() {
	kill "${W_PID[$1]}" 2>/dev/null
	wait "${W_PID[$1]}" 2>/dev/null
	test_untrack "${W_PID[$1]}"
}

# cosigs: how many cosignature lines of our witnesses /checkpoint carries.
cosigs() {
	curl -s "$URL/checkpoint" >cp
	grep -c -E "^— witness[123]\.example " cp
}
served_size() { curl -s "$URL/checkpoint" | sed -n 2p; }
served_is() { test "$(served_size)" = "$1"; }
cosigs_are() { test "$(cosigs)" = "$1"; }
# newest: the log's size (of its newest checkpoint), from /metrics.
newest() { curl -s "$URL/metrics" | sed -n 's/^sanilog_log_size //p'; }

# wait_for WHAT COMMAND...: until the command succeeds, 20 s at most.
wait_for() {
	local what=$1
	shift
	for _ in $(seq 1 200); do
		if "$@"; then
			ok "$what"
			return 0
		fi
		sleep 0.1
	done
	bad "$what: not within 20 s"
	for f in "$TMP/serve.err" "$TMP"/w?.err; do echo "== $f"; grep -v "^127.0.0.1" "$f" | tail -n 5; done >&2
}

upload() { # upload TITLE: a document, 201 expected
	printf '%%PDF-1.4 %s\n' "$1" >doc.pdf
	local code
	code=$(curl -s -o up.json -w '%{http_code}' \
		-H "Authorization: Bearer $TOKEN" \
		-F type=sanitization -F "title=$1" -F performed=2026-12-01 \
		-F "file=@doc.pdf;type=application/pdf" \
		"$URL/api/v1/venues/$VENUE/documents")
	[ "$code" = 201 ] || bad "upload $1: $code $(cat up.json)"
}

cd "$TMP" || exit 2
"$SANILOG" init --origin log.example/witnessed >/dev/null 2>&1 ||
	test_cannot "sanilog init"
LOGKEY=$("$SANILOG" key)
"$SANILOG" venue add --name "Bar Witnessed" --address "Via 1" --json >venue.json 2>/dev/null ||
	test_cannot "venue add"
VENUE=$(json_field venue.json venue)
TOKEN=$(json_field venue.json token)

for n in 1 2 3; do
	W_KEY[n]=$("$SANILOG" witness init --db "w$n.db" --name "witness$n.example" 2>/dev/null)
	"$SANILOG" witness log add --db "w$n.db" "$LOGKEY" >/dev/null
	start_witness "$n"
done

# The policy, logged.
sl witness-policy set --quorum 2 "${W_KEY[1]}" "${W_URL[1]}" \
	"${W_KEY[2]}" "${W_URL[2]}" "${W_KEY[3]}" "${W_URL[3]}" >/dev/null
check "witness-policy set logs the policy" test $? = 0

serve_db "$DB" 2
wait_for "/checkpoint carries three cosignatures" cosigs_are 3
SIZE=$(served_size)
check "the served checkpoint is the newest" test "$SIZE" = "$(newest)"
check "sanilog checkpoint prints the one served, cosigned" \
	test "$(sl checkpoint | grep -c '^— witness')" = 3
for n in 1 2 3; do
	"$SANILOG" witness log list --db "w$n.db" --json >list.json
	check "witness $n holds the log's size" grep -q "\"size\": $SIZE" list.json
done

# Witness 1 as it is now, to restore it later.
sqlite3 w1.db ".backup w1.bak"

expect_exit "verify URL: valid, the witnesses' cosignatures checked (rule 10)" 0 \
	"$SANILOG" verify "$URL/v/$VENUE"
check "... countersigned by 3 of 3" grep -q "countersigned by 3 of 3 witnesses" out

upload "first"
NEW=$(newest)
wait_for "a new upload is witnessed" served_is "$NEW"
curl -s "$URL/v/$VENUE/bundle.json" >bundle.json
check "the bundle's checkpoint carries the cosignatures" \
	grep -q 'witness1.example' bundle.json
curl -s "$URL/checkpoint/$NEW" >kept
check "a kept checkpoint keeps its cosignatures" \
	test "$(grep -c '^— witness' kept)" -ge 2

# One witness down: the quorum of 2 still holds.
stop_witness 3
upload "second"
NEW=$(newest)
wait_for "witnessed by two of three" served_is "$NEW"
wait_for "/healthz says degraded with a witness down" \
	sh -c "curl -s '$URL/healthz' | grep -q '^degraded: witness witness3.example'"
curl -s "$URL/metrics" >metrics
check "/metrics counts the down witness's failures" \
	grep -Eq '^sanilog_witness_failures_total\{witness="witness3.example"\} [1-9]' metrics
check "/metrics has each witness's last success" \
	grep -Eq '^sanilog_witness_last_success_seconds\{witness="witness1.example"\} [1-9]' metrics

# Two down: uploads are acknowledged, /checkpoint stays witnessed.
stop_witness 2
HELD=$(served_size)
upload "third"
upload "fourth"
sleep 1.5
check "uploads go on without the quorum" test "$(newest)" -gt "$HELD"
check "/checkpoint stays at the newest witnessed" test "$(served_size)" = "$HELD"
curl -s "$URL/v/$VENUE/bundle.json" >bundle2.json
check "bundles stay at the newest witnessed" \
	grep -q "\\\\n$HELD\\\\n" bundle2.json
expect_exit "verify URL: still valid, below the newest" 0 \
	"$SANILOG" verify "$URL/v/$VENUE"

# A witness back: the log catches up.
start_witness 2
NEW=$(newest)
wait_for "back to the quorum, the newest is witnessed" served_is "$NEW"

# A witness that holds a size the log does not know (the log restarted
# and forgot): it learns it from the 409.
stop_server
serve_db "$DB" 2
upload "fifth"
NEW=$(newest)
wait_for "after a restart, the witnesses are caught up" served_is "$NEW"

# A witness restored from an older backup holds a smaller size than the
# log knows: its 409 says which, and the log goes on from there.
stop_witness 1
rm -f w1.db-wal w1.db-shm
cp w1.bak w1.db
start_witness 1
upload "sixth"
NEW=$(newest)
w1_holds() {
	"$SANILOG" witness log list --db w1.db | cut -f2 | grep -qx "$1"
}
wait_for "a witness restored from a backup is caught up through its 409" \
	w1_holds "$NEW"
check "the served checkpoint carries the restored witness's cosignature" \
	sh -c "curl -s '$URL/checkpoint' | grep -q '^— witness1.example '"

# A slow witness (3 s a request, behind a proxy on its URL's port):
# the two others' quorum is not held back by it, and it catches up.
P3=${W_URL[3]##*:}
"$SANILOG" witness serve --db w3.db --listen 127.0.0.1:0 --no-access-log \
	>w3.out 2>>w3.err &
W_PID[3]=$!
test_track "${W_PID[3]}"
for _ in $(seq 1 100); do
	Q3=$(sed -n 's|^sanilog: witness listening on http://127.0.0.1:\([0-9]*\)/$|\1|p' w3.out)
	[ -n "$Q3" ] && break
	sleep 0.05
done
python3 "$HERE/../lib/slow_proxy.py" "$P3" "$Q3" 3 &
PROXY=$!
test_track "$PROXY"
sleep 0.5
w3_holds() {
	"$SANILOG" witness log list --db w3.db | cut -f2 | grep -qx "$1"
}
upload "seventh"
NEW=$(newest)
wait_for "witnessed by the quorum of the two others" served_is "$NEW"
if w3_holds "$NEW"; then bad "the quorum waited for the slow witness"; else
	ok "... without waiting for the slow witness"
fi
wait_for "the slow witness catches up" w3_holds "$NEW"

stop_server
kill "$PROXY"
stop_witness 1
stop_witness 2
stop_witness 3
test_end
