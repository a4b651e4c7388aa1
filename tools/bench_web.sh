#!/bin/sh
# bench_web.sh: the web figures of issue 3, for `make bench` (tools/bench.sh
# runs it last).  On loopback, the server pinned to one CPU and wrk to the
# other (taskset):
#   1. GET /v/<venue> of a venue of 50 documents, 50 connections, gzip
#      accepted: requests a second and p99 latency, beside nginx (one
#      worker, open_file_cache, gzip_static) serving the very bytes sanilog
#      sent, as static files, the two runs in turn;
#   2. uploads over the API (multipart, the owner's token) from 64
#      connections, a distinct PDF each, of 1 KiB, 100 KiB and 1 MiB, in
#      BENCH_WEB_ROUNDS runs of each: the median of their acknowledged
#      (201) uploads a second and of their p99 latencies (each run's
#      figures beside), and how many answers were anything else; the
#      1 MiB uploads' bytes a second also as a ratio to what
#      `dd conv=fdatasync` writes on the same disk (under BENCH_DIR) in
#      the same run, measured before and after them (the better taken);
#   3. the venue page's transfer as a browser taking gzip fetches it: the
#      HTML, style.css and verify.js, in bytes.
# A benchmark measures and prints: a figure short of its target is
# reported, never a failure.  The exit status is 1 only when a step could
# not run or gave a wrong answer (a page that does not decompress to
# itself, nginx sending other bytes, an upload log that does not verify).
#
#   usage: SANILOG=/abs/build/sanilog tools/bench_web.sh /abs/build/tools/bench [ROWS]
#
# Rows go to ROWS in bench.sh's table format (tab-separated: what, count,
# seconds, rate, target, notes; a target "<N" is a ceiling), else to
# stdout.
#
#   BENCH_WEB_SECONDS   length of each wrk run (default 5)
#   BENCH_WEB_ROUNDS    sanilog and nginx runs taken in turn (default 3;
#                       the run of each with the best rate is
#                       reported, with its p99: the others on a shared
#                       machine mostly measure the neighbours); and the
#                       runs of each upload size, whose medians are
#                       reported
#   BENCH_DIR           where the temporary directory goes (default /tmp)
#   BENCH_WEB_STEPS     the steps to run, of "page uploads" (default both;
#                       the transfer, 3, always)
set -eu

BENCH=${1:?usage: SANILOG=path/to/sanilog tools/bench_web.sh path/to/bench [ROWS]}
ROWS=${2:-}
SANILOG=${SANILOG:?set SANILOG to the sanilog binary}
SECS=${BENCH_WEB_SECONDS:-5}
ROUNDS=${BENCH_WEB_ROUNDS:-3}
STEPS=${BENCH_WEB_STEPS:-page uploads}
# step NAME: whether NAME is among the steps to run.
step() { case " $STEPS " in *" $1 "*) return 0 ;; *) return 1 ;; esac; }
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
for tool in wrk taskset curl sqlite3 gzip cmp; do
	command -v "$tool" >/dev/null 2>&1 ||
		{ echo "bench_web: needs $tool (tools/deps.sh --bench)" >&2; exit 2; }
done
[ -x "$NGINX" ] || { echo "bench_web: needs nginx (tools/deps.sh --bench)" >&2; exit 2; }

unset SANILOG_NOW
TMP=$(mktemp -d "${BENCH_DIR:-/tmp}/sanilog-bench-web.XXXXXX")
SERVE_PID=
NGINX_PID=
cleanup() {
	for pid in $SERVE_PID $NGINX_PID; do
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
export XDG_CACHE_HOME="$TMP/cache"
FAILED=0
if [ -z "$ROWS" ]; then
	ROWS=$TMP/rows
	trap 'cat "$ROWS"; cleanup' EXIT
fi
fail() {
	echo "bench_web: $*" >&2
	FAILED=1
}
row() {
	printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "$5" "$6" >>"$ROWS"
}
field() {
	printf '%s\n' "$2" | awk -v k="$1" \
		'{ for (i = 1; i < NF; i++) if ($i == k) { print $(i + 1); exit } }'
}

# The server on CPU 0, wrk on CPU 1 (no pinning on a single CPU).
if [ "$(nproc)" -ge 2 ]; then
	ON_SERVER="taskset -c 0"
	ON_CLIENT="taskset -c 1"
	PINNING="server on CPU 0, wrk on CPU 1"
else
	ON_SERVER=
	ON_CLIENT=
	PINNING="one CPU: server and wrk share it"
fi
echo "bench_web: $PINNING, ${SECS} s a run, in $TMP" >&2

# ---------------------------------------------------------------------------
# The log: one venue of 50 attested documents (the page), and a venue per
# upload size, whose owner tokens the CLI prints.

DB=$TMP/web.db
if ! "$BENCH" make-log "$DB" 52 --venues 1 --attest --batch 52 >/dev/null; then
	echo "bench_web: make-log failed" >&2
	exit 1
fi
V=$(sqlite3 "$DB" "SELECT venue FROM entries WHERE venue_seq = 0 LIMIT 1")
docs=$(sqlite3 "$DB" "SELECT count(*) FROM entries WHERE venue = '$V'")
[ "$docs" = 51 ] || { echo "bench_web: venue $V has $docs entries, not 51" >&2; exit 1; }

# The server, with its request threads on one CPU (as nginx's one worker);
# wrk's 64 connections come from one address.
$ON_SERVER "$SANILOG" serve --db "$DB" --listen 127.0.0.1:0 --threads 1 \
	--max-per-address 0 --no-access-log >"$TMP/serve.out" 2>"$TMP/serve.err" &
SERVE_PID=$!
URL=
for _ in $(seq 1 100); do
	URL=$(sed -n 's|^sanilog: listening on \(http://[^ ]*\)/$|\1|p' "$TMP/serve.out")
	[ -n "$URL" ] && break
	sleep 0.1
done
[ -n "$URL" ] || { echo "bench_web: the server did not start" >&2; cat "$TMP/serve.err" >&2; exit 1; }

# ---------------------------------------------------------------------------
# The page, as sent plain and gzipped: the same bytes once decompressed.

GZ="Accept-Encoding: gzip"
mkdir -p "$TMP/www/v" "$TMP/www/assets"
PAGE=$TMP/www/v/$V
curl -sf -o "$PAGE" "$URL/v/$V" || { echo "bench_web: GET /v/$V failed" >&2; exit 1; }
curl -sf -H "$GZ" -o "$PAGE.gz" -D "$TMP/page.hdr" "$URL/v/$V" ||
	{ echo "bench_web: GET /v/$V (gzip) failed" >&2; exit 1; }
grep -qi '^Content-Encoding: gzip' "$TMP/page.hdr" ||
	fail "the venue page was not sent gzipped"
gzip -dc <"$PAGE.gz" | cmp -s - "$PAGE" ||
	fail "the gzipped venue page is not the plain one"

# 3. The transfer: the HTML and the assets it links, as sent with gzip
# (the bundle verify.js then fetches is noted beside).
html=$(wc -c <"$PAGE.gz")
total=$html
notes="html $html B ($(wc -c <"$PAGE") plain)"
for a in style.css verify.js; do
	grep -q "/assets/$a" "$PAGE" || fail "the venue page does not link $a"
	n=$(curl -sf -H "$GZ" -o "$TMP/www/assets/$a" -w '%{size_download}' \
		"$URL/assets/$a") || { fail "GET /assets/$a failed"; n=0; }
	total=$((total + n))
	notes="$notes, $a $n B"
done
n=$(curl -sf -H "$GZ" -o /dev/null -w '%{size_download}' "$URL/v/$V/bundle.json") ||
	{ fail "GET /v/$V/bundle.json failed"; n=0; }
row "venue page transfer, 50 docs (bytes)" "-" "-" "$total" "<30000" \
	"$notes; all gzip; then bundle.json $n B"

# ---------------------------------------------------------------------------
# wrk's Lua: the numbers of a run as one "result" line.  Answers are
# counted by wrk (2xx and 3xx as good), or with "counting" set by their
# exact status (wrk would take a 200 for a 201), which costs wrk a Lua
# call an answer.

cat >"$TMP/stats.lua" <<'EOF'
local threads = {}
function setup(thread)
	thread:set("tid", #threads)
	table.insert(threads, thread)
end
function done(summary, latency, requests)
	local e = summary.errors
	local g, o = summary.requests - e.status, e.status
	if counting then
		g, o = 0, 0
		for _, t in ipairs(threads) do
			g = g + t:get("good")
			o = o + t:get("other")
		end
	end
	io.write(string.format("result good %d other %d errors %d " ..
		"seconds %.3f p99_ms %.3f\n", g, o,
		e.connect + e.read + e.write + e.timeout,
		summary.duration / 1e6, latency:percentile(99) / 1e3))
end
EOF

# A multipart upload of a PDF of UPLOAD_BYTES, distinct for every request
# (the thread, a counter and a random number in its first line); only a
# 201 counts.
cat "$TMP/stats.lua" - >"$TMP/upload.lua" <<'EOF'
counting, good, other = true, 0, 0
function response(status, headers, body)
	if status == 201 then good = good + 1 else other = other + 1 end
end
local size = tonumber(os.getenv("UPLOAD_BYTES"))
local path = os.getenv("UPLOAD_PATH")
local b = "sanilogbenchboundary"
local headers = {
	["Authorization"] = "Bearer " .. os.getenv("UPLOAD_TOKEN"),
	["Content-Type"] = "multipart/form-data; boundary=" .. b,
}
local tail = "\r\n--" .. b .. "\r\n" ..
	"Content-Disposition: form-data; name=\"type\"\r\n\r\nother\r\n--" .. b .. "\r\n" ..
	"Content-Disposition: form-data; name=\"title\"\r\n\r\nBench upload\r\n--" .. b .. "\r\n" ..
	"Content-Disposition: form-data; name=\"performed\"\r\n\r\n2026-01-01\r\n--" .. b .. "--\r\n"
local head = "--" .. b .. "\r\n" ..
	"Content-Disposition: form-data; name=\"file\"; filename=\"d.pdf\"\r\n" ..
	"Content-Type: application/pdf\r\n\r\n"
local n = 0
function init(args)
	math.randomseed(os.time() * 100 + tid)
	salt = math.random(1, 1e9)
end
function request()
	n = n + 1
	local first = string.format("%%PDF-1.4\n%% %d %d %d\n", tid, n, salt)
	local pdf = first .. string.rep("x", size - #first - 5) .. "%EOF\n"
	return wrk.format("POST", path, headers, head .. pdf .. tail)
end
EOF

# run_rate: the good answers a second of the run in OUT, a whole number.
run_rate() {
	awk -v n="$(field good "$OUT")" -v s="$(field seconds "$OUT")" \
		'BEGIN { printf "%.0f", (s > 0 ? n / s : 0) }'
}

# median NUMBER...: the middle one (of an even count, the lower middle).
median() {
	printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}

# run NAME CONNS SCRIPT [WRK ARGS...] URL: a wrk run on the client CPU;
# sets OUT to its result line (false when wrk failed).
run() {
	name=$1 conns=$2 script=$3
	shift 3
	OUT=$($ON_CLIENT wrk -t1 -c"$conns" -d"${SECS}s" --timeout 10s \
		-s "$script" "$@" 2>"$TMP/$name.err" | grep '^result' || true)
	[ -n "$OUT" ] || { sed 's/^/    /' "$TMP/$name.err" >&2; return 1; }
}

# ---------------------------------------------------------------------------
# 1. The venue page against nginx serving the same bytes.

if step page; then
NGX=$TMP/nginx
mkdir -p "$NGX"
# nginx started by root runs its worker as nobody: let it read the files.
chmod 711 "$TMP"
chmod -R a+rX "$TMP/www"
nginx_start() { # nginx_start PORT: true when it serves
	cat >"$NGX/nginx.conf" <<EOF
worker_processes 1;
daemon off;
pid $NGX/nginx.pid;
error_log $NGX/error.log;
events { worker_connections 1024; }
http {
	access_log off;
	client_body_temp_path $NGX/body;
	proxy_temp_path $NGX/proxy;
	fastcgi_temp_path $NGX/fastcgi;
	uwsgi_temp_path $NGX/uwsgi;
	scgi_temp_path $NGX/scgi;
	open_file_cache max=1000 inactive=60s;
	open_file_cache_valid 60s;
	sendfile on;
	tcp_nopush on;
	keepalive_requests 1000000;
	gzip_static on;
	default_type "text/html; charset=utf-8";
	server {
		listen 127.0.0.1:$1;
		root $TMP/www;
	}
}
EOF
	$ON_SERVER "$NGINX" -e "$NGX/error.log" -p "$NGX" -c "$NGX/nginx.conf" \
		2>>"$NGX/start.err" &
	NGINX_PID=$!
	for _ in $(seq 1 50); do
		curl -sf -o /dev/null "http://127.0.0.1:$1/v/$V" && return 0
		kill -0 "$NGINX_PID" 2>/dev/null || break
		sleep 0.1
	done
	kill "$NGINX_PID" 2>/dev/null || true
	wait "$NGINX_PID" 2>/dev/null || true
	NGINX_PID=
	return 1
}
NGINX_URL=
for port in $(awk -v s="$$" 'BEGIN { srand(s); for (i = 0; i < 20; i++) print 20000 + int(rand() * 40000) }'); do
	if nginx_start "$port"; then
		NGINX_URL=http://127.0.0.1:$port
		break
	fi
done
if [ -z "$NGINX_URL" ]; then
	fail "nginx did not start"
	sed 's/^/    /' "$NGX/start.err" "$NGX/error.log" >&2 2>/dev/null || true
else
	if ! curl -sf -H "$GZ" -o "$TMP/nginx.gz" "$NGINX_URL/v/$V" ||
		! cmp -s "$TMP/nginx.gz" "$PAGE.gz"; then
		fail "nginx does not send the bytes sanilog sent"
	fi
fi

best_s=0 best_s_p99=- best_s_n=- best_n=0 best_n_p99=- best_n_n=- s_bad=0
for _ in $(seq 1 "$ROUNDS"); do
	if run page 50 "$TMP/stats.lua" -H "$GZ" "$URL/v/$V"; then
		rate=$(run_rate)
		s_bad=$((s_bad + $(field other "$OUT") + $(field errors "$OUT")))
		if [ "$rate" -gt "$best_s" ]; then
			best_s=$rate best_s_p99=$(field p99_ms "$OUT")
			best_s_n=$(field good "$OUT")
		fi
	else
		fail "wrk on sanilog failed"
	fi
	[ -n "$NGINX_URL" ] || continue
	if run nginx 50 "$TMP/stats.lua" -H "$GZ" "$NGINX_URL/v/$V"; then
		rate=$(run_rate)
		if [ "$rate" -gt "$best_n" ]; then
			best_n=$rate best_n_p99=$(field p99_ms "$OUT")
			best_n_n=$(field good "$OUT")
		fi
	else
		fail "wrk on nginx failed"
	fi
done
[ "$s_bad" = 0 ] || fail "venue page: $s_bad answers other than 200 or errors"
if [ -n "$NGINX_URL" ]; then
	cmp=$(awk -v s="$best_s" -v n="$best_n" \
		'BEGIN { printf "%s nginx", (s >= n ? "at least as fast as" : "slower than") }')
	row "GET venue page, 50 conns, nginx" "$best_n_n" "$SECS" "$best_n" "-" \
		"the same gzip bytes, static; p99 $best_n_p99 ms"
	row "GET venue page, 50 conns" "$best_s_n" "$SECS" "$best_s" "$best_n" \
		"target: nginx's rate; $cmp; $s_bad not 200"
else
	row "GET venue page, 50 conns" "$best_s_n" "$SECS" "$best_s" "-" \
		"no nginx to compare with; $s_bad not 200"
fi
row "GET venue page, p99 latency (ms)" "-" "-" "$best_s_p99" "<5" \
	"best of $ROUNDS runs; nginx p99 $best_n_p99 ms"
fi

# ---------------------------------------------------------------------------
# 2. Uploads, 64 connections, to a venue of their own per size.

# dd_rate: the bytes a second dd writes to a file under $TMP, 256 MiB
# synced once at the end, as the 1 MiB uploads' reference.
dd_rate() {
	dd if=/dev/zero of="$TMP/dd.bin" bs=1M count=256 conv=fdatasync 2>&1 |
		awk '/copied/ { for (i = 1; i < NF; i++) if ($(i + 1) == "s,") s = $i;
			printf "%.0f", $1 / s }'
	rm -f "$TMP/dd.bin"
}

n_before=$(sqlite3 "$DB" "SELECT count(*) FROM entries")
sizes="1 100 1024"
step uploads || sizes=
for kib in $sizes; do
	case $kib in 1) target=5000 ;; 100) target=2000 ;; *) target=- ;; esac
	[ "$kib" = 1024 ] && dd_before=$(dd_rate)
	out=$("$SANILOG" venue add --name "Bench $kib KiB" --address "Loopback" \
		--json --db "$DB") || { fail "venue add failed"; continue; }
	uv=$(printf '%s\n' "$out" | sed -n 's/^ *"venue": "\([^"]*\)".*/\1/p')
	tok=$(printf '%s\n' "$out" | sed -n 's/^ *"token": "\([^"]*\)".*/\1/p')
	what="upload ${kib} KiB PDF, 64 conns"
	# Every run counts: the median of the rates and of the p99s.
	rates= p99s= good_all=0 secs_all=0 bad=0 runs=0
	for _ in $(seq 1 "$ROUNDS"); do
		if UPLOAD_BYTES=$((kib * 1024)) UPLOAD_PATH=/api/v1/venues/$uv/documents \
			UPLOAD_TOKEN=$tok run "upload$kib" 64 "$TMP/upload.lua" "$URL"; then
			good=$(field good "$OUT") secs=$(field seconds "$OUT")
			bad=$((bad + $(field other "$OUT") + $(field errors "$OUT")))
			good_all=$((good_all + good))
			secs_all=$(awk -v a="$secs_all" -v b="$secs" 'BEGIN { print a + b }')
			rates="$rates $(run_rate)"
			p99s="$p99s $(field p99_ms "$OUT")"
			runs=$((runs + 1))
		else
			fail "wrk uploads of $kib KiB failed"
		fi
	done
	if [ "$runs" -gt 0 ]; then
		row "$what" "$good_all" "$secs_all" "$(median $rates)" "$target" \
			"median of $runs runs ($(echo $rates | tr ' ' '/') per s); 201s only; $bad other answers or errors"
		row "$what, p99 (ms)" "-" "-" "$(median $p99s)" "<100" \
			"median of $runs runs ($(echo $p99s | tr ' ' '/') ms), over every answer"
		if [ "$kib" = 1024 ]; then
			dd_after=$(dd_rate)
			dd_best=$(printf '%s\n' "$dd_before" "$dd_after" | sort -g | tail -n 1)
			ratios=$(for r in $rates; do
				awk -v r="$r" -v d="$dd_best" 'BEGIN { printf "%.2f ", r * 1048576 / d }'
			done)
			row "upload 1 MiB PDF, bytes/s over dd's" "-" "-" "$(median $ratios)" "0.80" \
				"median of $runs runs ($(echo $ratios | tr ' ' '/')); dd conv=fdatasync $((dd_best / 1048576)) MiB/s (before $((dd_before / 1048576)), after $((dd_after / 1048576)))"
		fi
	else
		row "$what" "-" "-" "-" "$target" "FAILED"
	fi
done

# The uploads are in the log: stop the server, then audit the database.
kill "$SERVE_PID" 2>/dev/null || true
wait "$SERVE_PID" 2>/dev/null || true
SERVE_PID=
n_after=$(sqlite3 "$DB" "SELECT count(*) FROM entries")
echo "bench_web: $((n_after - n_before)) entries added over HTTP; auditing" >&2
"$SANILOG" verify --db "$DB" >"$TMP/verify.out" 2>&1 ||
	{ fail "the log does not verify after the uploads"; sed 's/^/    /' "$TMP/verify.out" >&2; }
exit "$FAILED"
