#!/bin/sh
# bench.sh: `make bench`.  Measures sanilog's speed figures (issues 2, 3,
# 16 and 17; the web figures by tools/bench_web.sh, the witness's by
# tools/bench_witness.sh, the witnessed log's by tools/bench_witnessed.sh,
# the published tree's by tools/bench_publish.sh)
# and prints them in a table
# beside their targets.  A benchmark measures and
# prints: a figure below its target is reported, never a failure.  The exit
# status is 1 only when a step could not run or gave a wrong answer (a log
# that does not verify, a proof that does not check).
#
#   usage: SANILOG=/abs/build/sanilog tools/bench.sh /abs/build/tools/bench
#
#   BENCH_N         entries in the large logs (default 1000000)
#   BENCH_ONE_N     entries in the one-per-transaction log (default 2000)
#   BENCH_PROOFS    inclusion proofs to make (default 1000000)
#   BENCH_BATCH     requests per transaction for the large logs (default 1000)
#   BENCH_VENUES    venues the documents are spread over (default 1000)
#   BENCH_DIR       where the temporary directory goes (default /tmp)
#   BENCH_REPORT_VENUES  venues in the district report's log (default 100000)
#   BENCH_WEB_SECONDS, BENCH_WEB_ROUNDS   see tools/bench_web.sh
#   BENCH_WITNESS   tools/bench_witness.c built (default: bench_witness
#                   beside bench)
#   BENCH_WITNESS_SECONDS, BENCH_WITNESS_LOGS   see tools/bench_witness.sh
#   BENCH_WITNESSED_SECONDS, BENCH_WITNESSED_CONNS,
#   BENCH_WITNESSED_QUORUMS, BENCH_WITNESSED_ROUNDS   see tools/bench_witnessed.sh
#   BENCH_PUBLISH_N, BENCH_PUBLISH_VENUES, BENCH_PUBLISH_MORE   see
#                   tools/bench_publish.sh
#
# Every log is made in a temporary directory, one at a time, and removed
# when measured.
set -eu

BENCH=${1:?usage: SANILOG=path/to/sanilog tools/bench.sh path/to/bench}
SANILOG=${SANILOG:?set SANILOG to the sanilog binary}
N=${BENCH_N:-1000000}
ONE_N=${BENCH_ONE_N:-2000}
PROOFS=${BENCH_PROOFS:-1000000}
BATCH=${BENCH_BATCH:-1000}
VENUES=${BENCH_VENUES:-1000}
[ -x "$BENCH" ] || { echo "bench: $BENCH: not executable" >&2; exit 2; }
[ -x "$SANILOG" ] || { echo "bench: $SANILOG: not executable" >&2; exit 2; }

unset SANILOG_NOW
TMP=$(mktemp -d "${BENCH_DIR:-/tmp}/sanilog-bench.XXXXXX")
cleanup() { rm -rf "$TMP"; }
trap cleanup EXIT
trap 'exit 130' INT TERM
# verify remembers checkpoints per origin; keep that out of $HOME.
export XDG_CACHE_HOME="$TMP/cache"
ROWS="$TMP/rows"
: >"$ROWS"
FAILED=0
BENCH_NAME=bench
# field, row, fail
# shellcheck source=bench_lib.sh
. "$(dirname "$0")/bench_lib.sh"

# The size on disk of a database and its WAL files, in MB.
db_mb() {
	du -ck "$1" "$1-wal" "$1-shm" 2>/dev/null | awk 'END { printf "%.0f", $1 / 1024 }'
}

# Room on disk: the logs are made one at a time; measured at about 5 KB an
# entry (1 KiB documents stored in 4 KiB pages), 6 KB keeps a margin.
KB_PER_ENTRY=6
avail_kb=$(df -Pk "$TMP" | awk 'NR == 2 { print $4 }')
need_kb=$((N * KB_PER_ENTRY + 200 * 1024))
SIZE_NOTE=""
if [ "$avail_kb" -lt "$need_kb" ]; then
	fit=$(((avail_kb - 200 * 1024) / KB_PER_ENTRY / 1000 * 1000))
	if [ "$fit" -lt 10000 ]; then
		echo "bench: only $((avail_kb / 1024)) MB free under $TMP; need about $((need_kb / 1024)) MB" >&2
		exit 2
	fi
	SIZE_NOTE="only $((avail_kb / 1024)) MB free: logs of $fit entries instead of $N"
	echo "bench: NOTE: $SIZE_NOTE" >&2
	N=$fit
fi
if [ "$ONE_N" -gt "$N" ]; then ONE_N=$N; fi
# The one-per-transaction log spreads its documents over fewer venues, so
# that most of its entries are documents.
ONE_VENUES=$((ONE_N / 10))
if [ "$ONE_VENUES" -lt 1 ]; then ONE_VENUES=1; fi

echo "bench: $(nproc) CPUs, logs of $N entries, in $TMP" >&2

# make_log NAME WHAT TARGET ARGS...: makes $TMP/NAME.db, records its rate.
make_log() {
	name=$1 what=$2 target=$3
	shift 3
	if ! out=$("$BENCH" make-log "$TMP/$name.db" "$@" | grep '^result'); then
		fail "make-log $name failed"
		row "$what" "-" "-" "-" "$target" "FAILED"
		return 1
	fi
	docs=$(field documents "$out")
	row "$what" "$docs" "$(field seconds "$out")" "$(field rate "$out")" \
		"$target" "$(field entries "$out") entries, $(db_mb "$TMP/$name.db") MB on disk"
}

# audit NAME WHAT TARGET: times `sanilog verify --db` on $TMP/NAME.db.
audit() {
	name=$1 what=$2 target=$3
	log="$TMP/$name.verify"
	"$BENCH" run "$SANILOG" verify --db "$TMP/$name.db" >"$log" 2>&1 || true
	out=$(grep '^result run' "$log" || true)
	code=$(field exit "$out")
	if [ -z "$out" ] || [ "$code" != 0 ]; then
		fail "verify $name: exit ${code:-?}"
		sed 's/^/    /' "$log" >&2
		row "$what" "-" "-" "-" "$target" "FAILED (exit ${code:-?})"
		return 1
	fi
	entries=$(sed -n 's/^log .*: \([0-9]*\) entries,.*/\1/p' "$log")
	secs=$(field seconds "$out")
	rate=$(awk -v n="$entries" -v s="$secs" \
		'BEGIN { r = 0; if (s > 0) r = n / s; printf "%.0f", r }')
	rss=$(field maxrss_kb "$out")
	grep '^log ' "$log" >&2 || true
	row "$what" "$entries" "$secs" "$rate" "$target" \
		"peak RSS $((rss / 1024)) MB, CPU $(field cpu_seconds "$out") s"
}

# serve NAME: starts `sanilog serve` on $TMP/NAME.db on a free port; sets
# SERVE_URL and SERVE_PID.
serve() {
	"$SANILOG" serve --db "$TMP/$1.db" --listen 127.0.0.1:0 --no-access-log \
		>"$TMP/$1.serve" 2>&1 &
	SERVE_PID=$!
	SERVE_URL=
	for _ in $(seq 1 100); do
		SERVE_URL=$(sed -n 's/.*listening on \(http[^ ]*\)/\1/p' "$TMP/$1.serve" | head -n 1)
		[ -n "$SERVE_URL" ] && break
		sleep 0.1
	done
	SERVE_URL=${SERVE_URL%/}
	[ -n "$SERVE_URL" ]
}

# timed WHAT TARGET COUNT NOTE CMD...: runs CMD once through `bench run`;
# the rate is COUNT over its wall time.
timed() {
	what=$1 target=$2 count=$3 note=$4
	shift 4
	out=$("$BENCH" run "$@" 2>"$TMP/timed.err" | grep '^result run' || true)
	code=$(field exit "$out")
	if [ -z "$out" ] || [ "$code" != 0 ]; then
		fail "$what: exit ${code:-?}"
		sed 's/^/    /' "$TMP/timed.err" >&2
		row "$what" "-" "-" "-" "$target" "FAILED (exit ${code:-?})"
		return 1
	fi
	secs=$(field seconds "$out")
	rate=$(awk -v n="$count" -v s="$secs" \
		'BEGIN { r = 0; if (s > 0) r = n / s; printf "%.1f", r }')
	row "$what" "$count" "$secs" "$rate" "$target" \
		"$note; peak RSS $(($(field maxrss_kb "$out") / 1024)) MB"
}

# 1. Durable appends, one per transaction.
if make_log one "append, 1 per transaction" "-" "$ONE_N" --batch 1 \
	--venues "$ONE_VENUES"; then
	rm -f "$TMP"/one.db*
fi

# 2. Durable appends in transactions of $BATCH, the audit, the proofs.
# As serve appends: the WAL copied into the database by a thread beside.
if make_log plain "append, $BATCH per transaction" 50000 "$N" \
	--batch "$BATCH" --venues "$VENUES" --backfill; then
	audit plain "audit (verify --db), no attestations" 200000 || true
	for threads in 1 $(nproc); do
		what="inclusion proofs, $threads thread(s)"
		if out=$("$BENCH" proofs "$TMP/plain.db" "$PROOFS" "$threads" |
			grep '^result'); then
			row "$what" "$(field count "$out")" \
				"$(field seconds "$out")" "$(field rate "$out")" 100000 \
				"$(field verified "$out") verified against the root, $(field bad "$out") bad; hash cache $(field cache_mb "$out") MB loaded in $(field cache_seconds "$out") s"
		else
			fail "proofs failed"
			row "$what" "-" "-" "-" 100000 "FAILED"
		fi
	done
	# The monitor's check: every entry through the tiles, over HTTP.
	v=$(sqlite3 "$TMP/plain.db" \
		"SELECT venue FROM entries WHERE venue_seq = 0 LIMIT 1" 2>/dev/null || true)
	if [ -n "$v" ] && serve plain; then
		timed "verify URL --full (tiles, loopback)" 100000 "$N" \
			"entries read and rebuilt" \
			"$SANILOG" verify "$SERVE_URL/v/$v" --full || true
		kill "$SERVE_PID" 2>/dev/null || true
		wait "$SERVE_PID" 2>/dev/null || true
	else
		fail "could not serve plain.db"
	fi
fi
rm -f "$TMP"/plain.db*

# 2b. What the store alone takes for the rows those appends write (bench.c's
# "rows": its own inserts, without the sequencer): the floor under the
# append rate on this machine and schema.
what="append floor: the same rows, store inserts"
if out=$("$BENCH" rows "$TMP/rows.db" "$N" --batch "$BATCH" \
	--venues "$VENUES" | grep '^result'); then
	row "$what" "$(field documents "$out")" "$(field seconds "$out")" \
		"$(field rate "$out")" "-" \
		"no checks, formatting, hashing or signing; WAL copied in COMMIT"
else
	fail "rows failed"
	row "$what" "-" "-" "-" "-" "FAILED"
fi
rm -f "$TMP"/rows.db*

# 3. The same with an attestation on every document, beside this
# machine's ceiling for it: Ed25519 verifications a second on every core.
if make_log attest "append + attestation, $BATCH per txn" "-" "$N" \
	--attest --batch "$BATCH" --venues "$VENUES"; then
	audit attest "audit (verify --db), every doc attested" 30000 || true
fi
if out=$("$BENCH" sigs 50000 "$(nproc)" | grep '^result'); then
	row "Ed25519 verify, $(nproc) threads (ceiling)" "$(field count "$out")" \
		"$(field seconds "$out")" "$(field rate "$out")" "-" \
		"libsodium: the most an attested audit can reach here"
else
	fail "sigs failed"
fi
rm -f "$TMP"/attest.db*

# 4. Posters, scanning, and one venue of 1,000 entries verified over HTTP.
if "$BENCH" make-log "$TMP/venue.db" 1000 --venues 1 >/dev/null 2>&1; then
	v=$(sqlite3 "$TMP/venue.db" \
		"SELECT venue FROM entries WHERE venue_seq = 0 LIMIT 1")
	for f in pdf svg png; do
		timed "poster, $f (whole command)" 20 1 "target: under 50 ms" \
			"$SANILOG" poster "$v" --db "$TMP/venue.db" --format "$f" \
			--base-url http://bench.example -o "$TMP/poster.$f" || true
	done
	if command -v convert >/dev/null &&
		convert -size 4000x3000 xc:white \( "$TMP/poster.png" -resize x2800 \) \
			-gravity center -composite -quality 90 "$TMP/photo.jpg" 2>/dev/null; then
		timed "scan, 12-megapixel JPEG photo" 1 1 "target: under 1 s" \
			"$SANILOG" scan "$TMP/photo.jpg" || true
	else
		fail "ImageMagick convert missing: no photo to scan"
	fi
	if serve venue; then
		timed "verify URL, venue of 1000 entries" "-" 1000 \
			"documents included, loopback" \
			"$SANILOG" verify "$SERVE_URL/v/$v" || true
		kill "$SERVE_PID" 2>/dev/null || true
		wait "$SERVE_PID" 2>/dev/null || true
	fi
else
	fail "make-log venue failed"
fi

# 5. The browser: verify.js checking a venue of 1,000 entries in headless
# Chromium, as the browser tests time it (best of three).
if out=$(SANILOG_WEB_BIG=1 SANILOG="$SANILOG" \
	"$(dirname "$0")/../tests/web/test_browser.sh" "1000 entries" 2>&1); then
	ms=$(printf '%s\n' "$out" |
		sed -n 's/.*verify\.js on 1000 entries: \([0-9]*\) ms.*/\1/p')
	row "browser: verify.js, 1000 entries (ms)" "-" "-" "${ms:--}" "<300" \
		"headless Chromium, page checked whole, best of 3"
else
	fail "the browser test of 1000 entries failed"
	printf '%s\n' "$out" | tail -5 | sed 's/^/    /' >&2
	row "browser: verify.js, 1000 entries (ms)" "-" "-" "-" "<300" "FAILED"
fi

# 6. The web: the venue page against nginx, uploads over the API, the
# page's transfer (tools/bench_web.sh, which adds its rows).
# (It makes its own temporary directory: nginx's worker must read it.)
"$(dirname "$0")/bench_web.sh" "$BENCH" "$ROWS" ||
	fail "bench_web.sh failed"

# 7. The inspector's district report: `sanilog report URL` over a log of
# 100,000 venues (BENCH_REPORT_VENUES), each with one sanitization (bench.c's
# make-log), read through the tiles on loopback, every rule checked; the
# rate is venues a second over the whole command's wall time.
RV=${BENCH_REPORT_VENUES:-100000}
what="report URL, $RV venues (tiles, loopback)"
if "$BENCH" make-log "$TMP/district.db" $((2 * RV)) --venues "$RV" \
	--batch "$BATCH" >/dev/null 2>&1 && serve district; then
	out=$("$BENCH" run "$SANILOG" report --csv "$SERVE_URL" \
		2>"$TMP/report.err" | tee "$TMP/report.csv" | grep '^result run' || true)
	code=$(field exit "$out")
	lines=$(grep -c ',' "$TMP/report.csv" || true)
	if [ -n "$out" ] && [ "$code" = 0 ] && [ "$lines" = $((RV + 1)) ]; then
		secs=$(field seconds "$out")
		rate=$(awk -v n="$RV" -v s="$secs" \
			'BEGIN { r = 0; if (s > 0) r = n / s; printf "%.0f", r }')
		echo "bench: report URL: $RV venues in $secs s, $rate venues/s" >&2
		row "$what" "$RV" "$secs" "$rate" "-" \
			"$((2 * RV)) entries, every rule; peak RSS $(($(field maxrss_kb "$out") / 1024)) MB"
	else
		fail "report URL: exit ${code:-?}, $lines lines"
		sed 's/^/    /' "$TMP/report.err" >&2
		row "$what" "-" "-" "-" "-" "FAILED (exit ${code:-?})"
	fi
	kill "$SERVE_PID" 2>/dev/null || true
	wait "$SERVE_PID" 2>/dev/null || true
else
	fail "could not make or serve the district log"
	row "$what" "-" "-" "-" "-" "FAILED"
fi
rm -f "$TMP"/district.db* "$TMP/report.csv"

"$(dirname "$0")/bench_page.sh" "$BENCH" "$ROWS" || fail "bench_page.sh failed"

# 8. The witness: add-checkpoint requests cosigned a second, from 16 logs
# at once and from one in sequence, beside the Ed25519 limit and the
# disk's synchronous write rate (tools/bench_witness.sh, which adds its
# rows).
"$(dirname "$0")/bench_witness.sh" \
	"${BENCH_WITNESS:-$(dirname "$BENCH")/bench_witness}" "$ROWS" ||
	fail "bench_witness.sh failed"

# 9. The witnessed log: uploads at full speed with three local witnesses
# (quorum 2, then 3) beside the same load without witnesses, and the lag
# from an upload's 201 to the witnessed checkpoint that includes it
# (tools/bench_witnessed.sh, which adds its rows).
"$(dirname "$0")/bench_witnessed.sh" \
	"${BENCH_WITNESS:-$(dirname "$BENCH")/bench_witness}" "$ROWS" ||
	fail "bench_witnessed.sh failed"

# 10. The published tree: `sanilog publish` of a whole log and of an
# increment (entries a second), and nginx serving the tree beside the live
# server (tools/bench_publish.sh, which adds its rows).
"$(dirname "$0")/bench_publish.sh" "$BENCH" "$ROWS" ||
	fail "bench_publish.sh failed"

# The table.
echo
echo "sanilog benchmarks: $(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) CPUs, $(uname -m)"
[ -n "$SIZE_NOTE" ] && echo "NOTE: $SIZE_NOTE"
printf '%-40s %9s %9s %9s %8s %-5s  %s\n' what count seconds "rate/s" target "" notes
awk -F '\t' '{
	mark = ""
	# A target "<N" is a ceiling (latencies, sizes), else a floor.
	if ($5 ~ /^</ && $4 != "-") mark = ($4 + 0 < substr($5, 2) + 0) ? "met" : "OVER"
	else if ($5 != "-" && $4 != "-") mark = ($4 + 0 >= $5 + 0) ? "met" : "BELOW"
	printf "%-40s %9s %9s %9s %8s %-5s  %s\n", $1, $2, $3, $4, $5, mark, $6
}' "$ROWS"
echo "(rates: appends count documents only, timed around sequencer_append;"
echo " audits count all entries over the wall time of the verify process;"
echo " posters and scans: one run of the whole command, rate = runs a second;"
echo " web: wrk on loopback, the server on one CPU and wrk on the other;"
echo " witness: requests answered 200 a second over the timed part: prepared,"
echo " the logs' requests made before the clock starts; live, made as they go;"
echo " generator and witness sharing the machine (their CPU in the notes);"
echo " publish: entries a second over the whole command; nginx and sanilog serve"
echo " on CPU 0, wrk on CPU 1, 50 connections taking gzip;"
echo " witnessed log: 201s a second over the load's wall time, server, witnesses"
echo " and client sharing the machine; the lag polled every 2 ms;"
echo " rows marked (ms), (bytes) or (ratio) show that figure in the rate column)"
exit "$FAILED"
