#!/bin/sh
# bench_publish.sh: the published tree's figures of issue 17, for `make
# bench` (tools/bench.sh step 10):
#   1. `sanilog publish` of a whole log of BENCH_PUBLISH_N entries (made by
#      tools/bench make-log, spread over BENCH_PUBLISH_VENUES venues):
#      entries a second; then of an increment of BENCH_PUBLISH_MORE
#      entries of one venue (logged with `sanilog cert add`);
#   2. GET of a venue page and of a full hash tile, 50 connections, gzip
#      accepted, from nginx serving the published tree
#      (tools/nginx-static.conf) beside `sanilog serve` on the same log,
#      the two in turn: requests a second and p99 latency.
# On two CPUs the server under test runs on CPU 0 and wrk on CPU 1.  A
# benchmark measures and prints: no figure fails.  The exit status is 1
# only when a step could not run or gave a wrong answer (a tree whose
# checkpoint is not the log's, nginx sending other bytes than publish
# wrote).
#
#   usage: SANILOG=/abs/build/sanilog tools/bench_publish.sh /abs/build/tools/bench [ROWS]
#
#   BENCH_PUBLISH_N       entries of the log (default 100000)
#   BENCH_PUBLISH_VENUES  venues (default 100)
#   BENCH_PUBLISH_MORE    entries of the increment (default 20)
#   BENCH_WEB_SECONDS     length of each wrk run (default 5)
#   BENCH_DIR             where the temporary directory goes (default /tmp)
set -eu
BENCH=${1:?usage: SANILOG=path/to/sanilog tools/bench_publish.sh path/to/bench [ROWS]}
ROWS=${2:-}
SANILOG=${SANILOG:?set SANILOG to the sanilog binary}
N=${BENCH_PUBLISH_N:-100000}
VENUES=${BENCH_PUBLISH_VENUES:-100}
MORE=${BENCH_PUBLISH_MORE:-20}
SECS=${BENCH_WEB_SECONDS:-5}
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
for tool in wrk taskset curl sqlite3 cmp; do
	command -v "$tool" >/dev/null 2>&1 ||
		{ echo "bench_publish: needs $tool (tools/deps.sh --bench)" >&2; exit 2; }
done
[ -x "$NGINX" ] || { echo "bench_publish: needs nginx (tools/deps.sh)" >&2; exit 2; }
unset SANILOG_NOW
FAILED=0
BENCH_NAME=bench_publish
# shellcheck source=bench_lib.sh
. "$(dirname "$0")/bench_lib.sh"
bench_tmp bench-publish
CONF=$(cd "$(dirname "$0")" && pwd)/nginx-static.conf

if [ "$(nproc)" -ge 2 ]; then
	ON_SERVER="taskset -c 0" ON_CLIENT="taskset -c 1"
else
	ON_SERVER= ON_CLIENT=
fi

now() { date +%s.%N; }

# ---------------------------------------------------------------------------
# 1. publish, whole and an increment.

DB=$TMP/pub.db
"$BENCH" make-log "$DB" "$N" --venues "$VENUES" >/dev/null ||
	{ echo "bench_publish: make-log failed" >&2; exit 1; }
"$SANILOG" init --db "$TMP/x.db" >/dev/null 2>&1 || true # warms the binary
chmod 711 "$TMP"
t0=$(now)
"$SANILOG" publish --db "$DB" "$TMP/www" --base-url http://bench.example \
	--json >"$TMP/pub.json" || { echo "bench_publish: publish failed" >&2; exit 1; }
t1=$(now)
secs=$(calc "%.2f" 1 "$t1 - $t0")
rate=$(calc "%.0f" "$t1 - $t0" "$N")
files=$(sed -n 's/.*"files_written":\([0-9]*\).*/\1/p' "$TMP/pub.json")
mb=$(du -sm "$TMP/www" | cut -f1)
row "publish: a whole log of $N entries" "$N" "$secs" "$rate" "-" \
	"entries/s; $VENUES venues, $files files, $mb MB (every venue's pages in 5 languages and posters)"
"$SANILOG" checkpoint --db "$DB" >"$TMP/cp"
cmp -s "$TMP/www/checkpoint" "$TMP/cp" ||
	fail "the published checkpoint is not the log's"

V=$(sqlite3 "$DB" "SELECT venue FROM entries WHERE venue_seq = 0 LIMIT 1")
printf '%%PDF-1.4\n%% bench increment\n%%%%EOF\n' >"$TMP/inc.pdf"
for i in $(seq 1 "$MORE"); do
	printf '%%PDF-1.4\n%% bench increment %s\n%%%%EOF\n' "$i" >"$TMP/inc.pdf"
	"$SANILOG" cert add --db "$DB" --venue "$V" --file "$TMP/inc.pdf" \
		--type other --title "Increment $i" --performed 2026-01-01 \
		>/dev/null || fail "cert add failed"
done
t0=$(now)
"$SANILOG" publish --db "$DB" "$TMP/www" --json >"$TMP/inc.json" ||
	fail "publish of the increment failed"
t1=$(now)
secs=$(calc "%.3f" 1 "$t1 - $t0")
files=$(sed -n 's/.*"files_written":\([0-9]*\).*/\1/p' "$TMP/inc.json")
row "publish: an increment of $MORE entries" "$MORE" "$secs" \
	"$(calc "%.0f" "$t1 - $t0" "$MORE")" "-" \
	"entries/s; one venue of $((N / VENUES)) entries, $files files written"

# ---------------------------------------------------------------------------
# 2. nginx serving the tree, beside the live server.

chmod -R a+rX "$TMP/www"
mkdir -p "$TMP/ngx"
PORT=$(awk -v s="$$" 'BEGIN { srand(s); print 20000 + int(rand() * 40000) }')
sed -e "s#^\tlisten 80;#\tlisten 127.0.0.1:$PORT;#" \
	-e "s#^\troot /var/www/sanilog;#\troot $TMP/www;#" "$CONF" >"$TMP/ngx/site.conf"
printf '%s\n' "worker_processes 1;" "daemon off;" "pid $TMP/ngx/nginx.pid;" \
	"error_log $TMP/ngx/error.log;" "events { worker_connections 1024; }" \
	"http {" "	include /etc/nginx/mime.types;" \
	"	access_log off;" "	open_file_cache max=1000 inactive=60s;" \
	"	sendfile on;" "	keepalive_requests 1000000;" \
	"	client_body_temp_path $TMP/ngx/body;" \
	"	proxy_temp_path $TMP/ngx/proxy;" \
	"	fastcgi_temp_path $TMP/ngx/fastcgi;" \
	"	uwsgi_temp_path $TMP/ngx/uwsgi;" \
	"	scgi_temp_path $TMP/ngx/scgi;" \
	"	include $TMP/ngx/site.conf;" "}" >"$TMP/ngx/nginx.conf"
$ON_SERVER "$NGINX" -e "$TMP/ngx/error.log" -p "$TMP/ngx" \
	-c "$TMP/ngx/nginx.conf" 2>"$TMP/ngx/start.err" &
PIDS="$PIDS $!"
$ON_SERVER "$SANILOG" serve --db "$DB" --listen 127.0.0.1:0 --threads 1 \
	--max-per-address 0 --no-access-log >"$TMP/serve.out" 2>"$TMP/serve.err" &
PIDS="$PIDS $!"
LIVE=
for _ in $(seq 1 100); do
	LIVE=$(sed -n 's|^sanilog: listening on \(http://[^ ]*\)/$|\1|p' "$TMP/serve.out")
	[ -n "$LIVE" ] && curl -sf -o /dev/null "http://127.0.0.1:$PORT/" && break
	sleep 0.1
done
NG=http://127.0.0.1:$PORT
curl -sf -o "$TMP/tile.ng" "$NG/tile/0/000" &&
	curl -sf -o "$TMP/tile.live" "$LIVE/tile/0/000" &&
	cmp -s "$TMP/tile.ng" "$TMP/tile.live" ||
	fail "nginx and sanilog serve do not send the same tile"

bench_stats_lua "$TMP/stats.lua"
L=$TMP/stats.lua
bench_wrk_row "GET venue page: nginx, published tree" 50 "$L" "$NG/v/$V"
bench_wrk_row "GET venue page: sanilog serve" 50 "$L" "$LIVE/v/$V"
bench_wrk_row "GET full hash tile: nginx, published tree" 50 "$L" \
	"$NG/tile/0/000"
bench_wrk_row "GET full hash tile: sanilog serve" 50 "$L" "$LIVE/tile/0/000"

exit "$FAILED"
