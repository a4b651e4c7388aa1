# shellcheck shell=sh
# bench_lib.sh: what the scripts of `make bench` share (tools/bench.sh,
# tools/bench_witness.sh, tools/bench_witnessed.sh), sourced after they set
#   BENCH_NAME  the prefix of their messages on stderr
#   ROWS        the file of the table's rows
# and with FAILED, their exit status, set to 0.

# field KEY LINE: a value of a "result ... key value ..." line.
field() {
	printf '%s\n' "$2" | awk -v k="$1" \
		'{ for (i = 1; i < NF; i++) if ($i == k) { print $(i + 1); exit } }'
}

# row WHAT COUNT SECONDS RATE TARGET NOTE: one line of the table
# (tab-separated; a TARGET "<N" is a ceiling, "-" none).
row() {
	printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "$5" "$6" >>"$ROWS"
}

# fail WHY...: says why on stderr; the script will exit 1.
fail() {
	echo "$BENCH_NAME: $*" >&2
	FAILED=1
}

# calc FMT D EXPR: awk's arithmetic on the numbers in EXPR over D, printed
# with FMT ("-" when D is 0).
calc() {
	awk "BEGIN { d = $2; if (d == 0) print \"-\"; else printf \"$1\", ($3) / d }"
}

# cpu_of PID: the CPU seconds the process PID has used (all its threads):
# utime and stime of /proc/PID/stat, after the command name.
cpu_of() {
	awk -v hz="$(getconf CLK_TCK)" \
		'{ sub(/^.*\) /, ""); printf "%.2f", ($12 + $13) / hz }' \
		"/proc/$1/stat"
}

# bench_tmp NAME: makes the directory TMP (sanilog-NAME.XXXXXX under
# BENCH_DIR, default /tmp), removed on exit once every process of PIDS
# (the script adds the ones it starts) is stopped; with ROWS empty, the
# rows go to $TMP/rows and are printed on exit.
bench_tmp() {
	TMP=$(mktemp -d "${BENCH_DIR:-/tmp}/sanilog-$1.XXXXXX")
	PIDS=
	trap bench_cleanup EXIT
	trap 'exit 130' INT TERM
	if [ -z "$ROWS" ]; then
		ROWS=$TMP/rows
		trap 'cat "$ROWS"; bench_cleanup' EXIT
	fi
}
bench_cleanup() {
	for pid in $PIDS; do bench_stop "$pid"; done
	rm -rf "$TMP"
}

# bench_stop PID: stops the process PID, waits for it, and takes it out
# of PIDS.
bench_stop() {
	kill "$1" 2>/dev/null || true
	wait "$1" 2>/dev/null || true
	kept=
	for p in $PIDS; do [ "$p" = "$1" ] || kept="$kept $p"; done
	PIDS=$kept
}

# bench_stats_lua FILE: writes a wrk script that prints, at the end, one
# line "result good G other O errors E seconds S p99_ms P" (good: the
# answers of status below 400; other: the rest; errors: of the sockets).
bench_stats_lua() {
	cat >"$1" <<'EOF'
function done(summary, latency, requests)
	local e = summary.errors
	io.write(string.format("result good %d other %d errors %d " ..
		"seconds %.3f p99_ms %.3f\n", summary.requests - e.status,
		e.status, e.connect + e.read + e.write + e.timeout,
		summary.duration / 1e6, latency:percentile(99) / 1e3))
end
EOF
}

# bench_wrk_row WHAT CONNECTIONS SCRIPT URL: a wrk run of SECS seconds
# (on ON_CLIENT's CPU), gzip accepted, with SCRIPT (bench_stats_lua's or
# one that ends so), as a row of requests a second and p99.
bench_wrk_row() {
	out=$($ON_CLIENT wrk -t1 -c"$2" -d"${SECS}s" --timeout 10s \
		-H "Accept-Encoding: gzip" -s "$3" "$4" 2>/dev/null |
		grep '^result' || true)
	if [ -z "$out" ]; then
		fail "wrk on $4 failed"
		return
	fi
	good=$(field good "$out") s=$(field seconds "$out")
	row "$1" "$good" "$s" "$(calc "%.0f" "$s" "$good")" "-" \
		"p99 $(field p99_ms "$out") ms; $(field other "$out") not 2xx"
}
