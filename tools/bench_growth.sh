#!/bin/sh
# bench_growth.sh: how sanilog holds up as its log grows (`make
# bench-growth`; not part of `make bench`, for its length and disk).  A log
# made by tools/bench make-log, not through HTTP, is grown to each size of
# GROWTH_MARKS in turn, and at each:
#   1. appends: documents a second by the sequencer as make-log drives it
#      (1,000 to a transaction and a signed checkpoint), over the last
#      100,000 of the growth, whose documents are taken in turn from
#      GROWTH_DOCS distinct ones; then over GROWTH_PROBE new, distinct
#      1 KiB documents, each a file written and synced as an upload's is;
#   2. disk: the database's bytes per entry (the documents' folder apart);
#   3. `sanilog serve` (CPU 0): seconds from its start to its first answer
#      of /checkpoint, its memory then, and after the reads of 4; then
#      with a proof cache that holds the whole log: the seconds it takes
#      to load (while the server answers) and the proofs of 4 again;
#   4. reads (wrk on CPU 1, 8 connections, GROWTH_SECS each): an inclusion
#      proof of a random leaf, the page and the bundle of the log's first
#      venue, which keeps its entries as the log grows (the first size has
#      venues of GROWTH_PER_VENUE entries, every growth after goes to new
#      venues of GROWTH_NEW_PER_VENUE): requests a second, p99;
#   5. `sanilog publish`: the whole tree at the first size; at each later
#      one, the catch-up since the last, then an increment of 1,000
#      entries over 10 new venues.
# A benchmark measures and prints: no figure fails.  The exit status is 1
# only when a step could not run or gave a wrong answer.
#
#   usage: SANILOG=/abs/build/sanilog tools/bench_growth.sh /abs/build/tools/bench
#
#   GROWTH_DIR        the folder of the log and its published tree (default
#                     a new one under /tmp, removed at the end); a folder
#                     given is kept, and a later run grows its log on
#   GROWTH_MARKS      the sizes (default "1000000 5000000 20000000")
#   GROWTH_PER_VENUE  entries of each venue of the first size (default 100)
#   GROWTH_NEW_PER_VENUE  and of each venue after (default 1000)
#   GROWTH_DOCS       distinct documents of the growth (default 100000)
#   GROWTH_PROBE      new distinct documents appended at each size (50000)
#   GROWTH_SECS       length of each wrk run (default 5)
#   GROWTH_SERVE      options given to `sanilog serve` besides
#   GROWTH_PUBLISH_MAX  the most entries a catch-up publishes (5000000):
#                     past it, neither it nor the increment runs
#
# Disk: about 550 bytes an entry for the database, 4 KiB a distinct
# document; 20 million entries take 12 GB and their published tree more.
set -eu
BENCH=${1:?usage: SANILOG=path/to/sanilog tools/bench_growth.sh path/to/bench}
SANILOG=${SANILOG:?set SANILOG to the sanilog binary}
MARKS=${GROWTH_MARKS:-1000000 5000000 20000000}
PER_VENUE=${GROWTH_PER_VENUE:-100}
NEW_PER_VENUE=${GROWTH_NEW_PER_VENUE:-1000}
DOCS=${GROWTH_DOCS:-100000}
PROBE=${GROWTH_PROBE:-50000}
SECS=${GROWTH_SECS:-5}
PUBLISH_MAX=${GROWTH_PUBLISH_MAX:-5000000}
for tool in wrk taskset curl; do
	command -v "$tool" >/dev/null 2>&1 ||
		{ echo "bench_growth: needs $tool (tools/deps.sh --bench)" >&2; exit 2; }
done
unset SANILOG_NOW
FAILED=0
BENCH_NAME=bench_growth
ROWS=
# shellcheck source=bench_lib.sh
. "$(dirname "$0")/bench_lib.sh"
bench_tmp bench-growth
DIR=${GROWTH_DIR:-$TMP}
mkdir -p "$DIR"
DB=$DIR/growth.db
if [ "$(nproc)" -ge 2 ]; then
	ON_SERVER="taskset -c 0" ON_CLIENT="taskset -c 1"
else
	ON_SERVER= ON_CLIENT=
fi

now() { date +%s.%N; }
size_of() { "$SANILOG" checkpoint --db "$DB" | sed -n 2p; }
mb() { calc "%.0f" 1048576 "$1"; }

# grow SIZE ARGS...: make-log to SIZE entries; the last window's rate.
grow() {
	want=$1
	shift
	if [ -e "$DB" ]; then
		set -- --grow "$@"
	fi
	out=$("$BENCH" make-log "$DB" "$want" --window 100000 "$@" \
		2>"$TMP/make.err" | grep '^result') ||
		{ fail "make-log to $want failed"; sed 's/^/    /' "$TMP/make.err" >&2; exit 1; }
	printf '%s\n' "$out"
}

bench_stats_lua "$TMP/stats.lua"
cat "$TMP/stats.lua" - >"$TMP/proofs.lua" <<'EOF'
local size = tonumber(os.getenv("LOG_SIZE"))
math.randomseed(os.time())
request = function()
	return wrk.format("GET", "/proof/inclusion?index=" ..
		math.random(0, size - 1) .. "&size=" .. size)
end
EOF

# start ARGS...: starts `sanilog serve` with ARGS besides; its pid and URL
# in pid and url, the seconds to its first answer of /checkpoint in took.
start() {
	rm -f "$TMP/serve.out"
	t0=$(now)
	# shellcheck disable=SC2086 # GROWTH_SERVE is words
	$ON_SERVER "$SANILOG" serve --db "$DB" --listen 127.0.0.1:0 \
		--threads 2 --max-per-address 0 --no-access-log \
		${GROWTH_SERVE:-} "$@" >"$TMP/serve.out" 2>"$TMP/serve.err" &
	pid=$!
	PIDS="$PIDS $pid"
	url=
	while kill -0 "$pid" 2>/dev/null; do
		url=$(sed -n 's|^sanilog: listening on \(http://[^ ]*\)/$|\1|p' \
			"$TMP/serve.out")
		[ -n "$url" ] && curl -sf -o /dev/null "$url/checkpoint" && break
		sleep 0.01
	done
	took=$(calc "%.3f" 1 "$(now) - $t0")
	if [ -z "$url" ]; then
		fail "serve did not start"
		sed 's/^/    /' "$TMP/serve.err" >&2
		return 1
	fi
}

# cache_held: the proof cache's leaves and bytes (cache_leaves, cache).
cache_held() {
	curl -sf "$url/metrics" >"$TMP/metrics" || true
	cache_leaves=$(awk '/^sanilog_proof_cache_leaves / { print $2 }' "$TMP/metrics")
	cache=$(awk '/^sanilog_proof_cache_bytes / { print $2 }' "$TMP/metrics")
}

# serve: the server's start, reads and memory at this size; then proofs
# again with a proof cache that holds the whole log, once it is loaded.
serve() {
	start || return 0
	rss=$(awk '/^VmRSS/ { print $2 * 1024 }' "/proc/$pid/status")
	row "serve: start to first answer at $size" 1 "$took" "-" "<5" \
		"RSS $(mb "$rss") MB when ready"
	export LOG_SIZE=$size
	bench_wrk_row "GET inclusion proof, random leaf, at $size" 8 \
		"$TMP/proofs.lua" "$url"
	bench_wrk_row "GET venue page (aaaaaaaa) at $size" 8 \
		"$TMP/stats.lua" "$url/v/aaaaaaaa"
	bench_wrk_row "GET venue bundle (aaaaaaaa) at $size" 8 \
		"$TMP/stats.lua" "$url/v/aaaaaaaa/bundle.json"
	rss=$(awk '/^VmHWM/ { print $2 * 1024 }' "/proc/$pid/status")
	cache_held
	row "serve: memory at $size" 1 - - "-" \
		"peak RSS $(mb "$rss") MB, proof cache $(mb "${cache:-0}") MB (${cache_leaves:-0} leaves)"
	bench_stop "$pid"
	# about 65 bytes an entry, and room
	whole=$((size / 15000 + 16))
	[ "$whole" -le 4096 ] || return 0
	t0=$(now)
	start --proof-cache "$whole" || return 0
	cache_leaves=0
	while [ "${cache_leaves:-0}" -lt "$size" ] && kill -0 "$pid" 2>/dev/null; do
		sleep 0.05
		cache_held
	done
	row "serve --proof-cache $whole: the whole log's hashes loaded at $size" \
		"$size" "$(calc "%.2f" 1 "$(now) - $t0")" "-" "-" \
		"$(mb "${cache:-0}") MB, serving from $took s"
	bench_wrk_row "GET inclusion proof, random leaf, whole cache, at $size" \
		8 "$TMP/proofs.lua" "$url"
	bench_stop "$pid"
}

# publish WHAT: times a publish into $DIR/www, as a row of entries a second.
publish() {
	before=$(cat "$TMP/published")
	t0=$(now)
	"$SANILOG" publish --db "$DB" "$DIR/www" \
		--base-url http://bench.example --json >"$TMP/pub.json" ||
		{ fail "publish failed"; return; }
	t1=$(now)
	files=$(sed -n 's/.*"files_written":\([0-9]*\).*/\1/p' "$TMP/pub.json")
	n=$((size - before))
	row "publish: $1 at $size" "$n" "$(calc "%.2f" 1 "$t1 - $t0")" \
		"$(calc "%.0f" "$t1 - $t0" "$n")" "-" \
		"entries/s; $files files written"
	echo "$size" >"$TMP/published"
}

for mark in $MARKS; do
	size=0
	[ -e "$DB" ] && size=$(size_of)
	if [ "$size" -lt "$mark" ]; then
		if [ "$size" -eq 0 ]; then
			out=$(grow "$mark" --venues $((mark / PER_VENUE)))
		else
			out=$(grow "$mark" --venues $(((mark - size) / NEW_PER_VENUE)) \
				--docs "$DOCS")
		fi
		row "append, documents taken from $DOCS, to $mark" \
			"$(field documents "$out")" "$(field seconds "$out")" \
			"$(field last_window_rate "$out")" "-" \
			"documents/s over the last 100,000"
	fi
	size=$(size_of)
	out=$(grow $((size + PROBE + PROBE / PER_VENUE)) \
		--venues $((PROBE / PER_VENUE)))
	row "append, $PROBE new documents (files), at $size" \
		"$(field documents "$out")" "$(field seconds "$out")" \
		"$(field rate "$out")" "-" "documents/s"
	size=$(size_of)
	db=$(stat -c %s "$DB")
	wal=$(stat -c %s "$DB-wal" 2>/dev/null || echo 0)
	docs=$(du -sb "$DB.docs" | cut -f1)
	row "disk at $size" "$size" - - "-" \
		"database $(mb "$db") MB ($(calc "%.0f" "$size" "$db") B/entry), WAL $(mb "$wal") MB, documents $(mb "$docs") MB"
	serve
	if [ ! -e "$DIR/www/.sanilog-publish" ]; then
		echo 0 >"$TMP/published"
		publish "the whole tree"
	else
		sed -n 's/.*"size": *\([0-9]*\).*/\1/p' \
			"$DIR/www/.sanilog-publish" >"$TMP/published"
		if [ $((size - $(cat "$TMP/published"))) -gt "$PUBLISH_MAX" ]; then
			row "publish: catch-up at $size not run" - - - "-" \
				"$((size - $(cat "$TMP/published"))) entries since the last, over GROWTH_PUBLISH_MAX"
			continue
		fi
		publish "catch-up since the last size"
		grow $((size + 1010)) --venues 10 >/dev/null
		size=$(size_of)
		publish "an increment of 1,000 entries"
	fi
done
exit "$FAILED"
