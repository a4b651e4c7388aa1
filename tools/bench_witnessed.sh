#!/bin/sh
# bench_witnessed.sh: the witnessed log's figures of issue 16 ("Speed"),
# for `make bench` (tools/bench.sh runs it).  The same upload load, 1 KiB
# PDFs at full speed over the API from BENCH_WITNESSED_CONNS connections
# for BENCH_WITNESSED_SECONDS (tools/bench_witness.c's `lag`, which also
# polls /checkpoint every 2 ms), is run against `sanilog serve` on new
# logs one after the other, on the same machine in the same run, in
# BENCH_WITNESSED_ROUNDS rounds of:
#   1. a log without witnesses: the reference, whose upload rate the
#      others are a ratio to, and whose "lag" (an upload's 201 to the
#      first poll serving a checkpoint that includes it) is the
#      measurement's own floor (the checkpoint is then the newest);
#   2. a log witnessed by three local `sanilog witness serve` (each its
#      own database under BENCH_DIR), quorum 2: target an upload rate at
#      least 0.90 of the reference's, and a lag p99 under 250 ms;
#   3. the same witnesses, quorum 3 (BENCH_WITNESSED_QUORUMS).
# The medians of the rounds are reported, each run's figure beside (a
# ratio is a round's rate over the reference's of the same round: the
# runs closest in time).  Each witnessed log's policy is logged
# (`sanilog witness-policy set`) before its server starts, and the load
# starts once the server serves its newest checkpoint witnessed.  Beside
# each figure (of the last run): the server's
# transactions (sanilog_write_batches_total: uploads a batch), the
# witnesses' commits (sanilog_witness_commits_total: rounds of
# cosignatures), the CPU time of the server, the witnesses and the client
# (all share the machine; nothing is pinned), and how exactly the lag is
# measured (the time between two polls' answers bounds its error).
# A benchmark measures and prints: a figure short of its target is
# reported, never a failure.  The exit status is 1 when a step could not
# run or gave a wrong answer (an upload answered other than 201, one never
# served, a log that does not verify afterwards), 2 for bad usage.
#
#   usage: SANILOG=/abs/build/sanilog tools/bench_witnessed.sh /abs/build/tools/bench_witness [ROWS]
#
# Rows go to ROWS in bench.sh's table format (tab-separated: what, count,
# seconds, rate, target, notes; a target "<N" is a ceiling), else to
# stdout.
#
#   BENCH_WITNESSED_SECONDS  length of each load (default 5; a decimal)
#   BENCH_WITNESSED_CONNS    upload connections (default 64)
#   BENCH_WITNESSED_QUORUMS  the witnessed cases (default "2 3")
#   BENCH_WITNESSED_ROUNDS   rounds of the cases (default 3): the medians
#                            are reported, each run's figure beside
#   BENCH_DIR                where the temporary directory goes (default /tmp)
set -eu

GEN=${1:?usage: SANILOG=path/to/sanilog tools/bench_witnessed.sh path/to/bench_witness [ROWS]}
ROWS=${2:-}
SANILOG=${SANILOG:?set SANILOG to the sanilog binary}
SECS=${BENCH_WITNESSED_SECONDS:-5}
CONNS=${BENCH_WITNESSED_CONNS:-64}
ROUNDS=${BENCH_WITNESSED_ROUNDS:-3}
QUORUMS=${BENCH_WITNESSED_QUORUMS:-2 3}
[ -x "$GEN" ] || { echo "bench_witnessed: $GEN: not executable" >&2; exit 2; }
[ -x "$SANILOG" ] || { echo "bench_witnessed: $SANILOG: not executable" >&2; exit 2; }
case $ROUNDS in '' | *[!0-9]* | 0)
	echo "bench_witnessed: BENCH_WITNESSED_ROUNDS: not a whole number above 0" >&2
	exit 2
	;;
esac
for q in $QUORUMS; do
	case $q in 1 | 2 | 3) ;; *)
		echo "bench_witnessed: BENCH_WITNESSED_QUORUMS: $q is not 1, 2 or 3" >&2
		exit 2
		;;
	esac
done
command -v curl >/dev/null 2>&1 ||
	{ echo "bench_witnessed: needs curl" >&2; exit 2; }

unset SANILOG_NOW SANILOG_DB
FAILED=0
BENCH_NAME=bench_witnessed
# field, row, fail, calc, cpu_of, bench_tmp, bench_stop
# shellcheck source=bench_lib.sh
. "$(dirname "$0")/bench_lib.sh"
bench_tmp bench-witnessed
export XDG_CACHE_HOME="$TMP/cache"
# metric URL NAME: a figure of the /metrics at URL (the line's first
# field is NAME, labels included).
metric() {
	curl -fsS "$1/metrics" | awk -v k="$2" '$1 == k { print $2 }'
}
# started PID OUT PATTERN: waits for the process PID to print the line of
# sed PATTERN in OUT; sets STARTED_URL.
started() {
	STARTED_URL=
	for _ in $(seq 1 100); do
		STARTED_URL=$(sed -n "$3" "$2" | head -n 1)
		[ -n "$STARTED_URL" ] && return 0
		kill -0 "$1" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}
# nth N WORD...: the Nth word.
nth() {
	shift "$1"
	echo "$1"
}

echo "bench_witnessed: $(nproc) CPUs, $CONNS connections, $SECS s a load, in $TMP" >&2

# The three witnesses, on free ports of loopback.
W_URLS='' W_PIDS='' POLICY=''
for n in 1 2 3; do
	key=$("$SANILOG" witness init --name "witness$n.bench.example" \
		--db "$TMP/w$n.db" 2>"$TMP/w$n.err") ||
		{ cat "$TMP/w$n.err" >&2; echo "bench_witnessed: witness init failed" >&2; exit 1; }
	"$SANILOG" witness serve --db "$TMP/w$n.db" --listen 127.0.0.1:0 \
		--no-access-log >"$TMP/w$n.out" 2>>"$TMP/w$n.err" &
	pid=$!
	PIDS="$PIDS $pid"
	if ! started "$pid" "$TMP/w$n.out" 's|^sanilog: witness listening on \(http://[^ ]*\)/$|\1|p'; then
		cat "$TMP/w$n.err" >&2
		echo "bench_witnessed: witness $n did not start" >&2
		exit 1
	fi
	W_URLS="$W_URLS $STARTED_URL" W_PIDS="$W_PIDS $pid"
	POLICY="$POLICY $key $STARTED_URL"
done

# case_run NAME QUORUM: a new log NAME (witnessed by the three at QUORUM,
# none for 0) served and loaded; sets OUT (the client's result line),
# SERVER (its figures), WIT (the witnesses'); false when a step failed.
case_run() {
	name=$1 quorum=$2 db=$TMP/$1.db
	OUT='' SERVER='' WIT=''
	"$SANILOG" init --origin "bench.example/witnessed-$name" --db "$db" \
		>/dev/null 2>"$TMP/$name.err" &&
		logkey=$("$SANILOG" key --db "$db") &&
		v=$("$SANILOG" venue add --name "Bench $name" --address Loopback \
			--json --db "$db") ||
		{ sed 's/^/    /' "$TMP/$name.err" >&2; return 1; }
	venue=$(printf '%s\n' "$v" | sed -n 's/^ *"venue": "\([^"]*\)".*/\1/p')
	token=$(printf '%s\n' "$v" | sed -n 's/^ *"token": "\([^"]*\)".*/\1/p')
	if [ "$quorum" -gt 0 ]; then
		for n in 1 2 3; do
			"$SANILOG" witness log add "$logkey" --db "$TMP/w$n.db" \
				>/dev/null || return 1
		done
		# shellcheck disable=SC2086 # the policy's words
		"$SANILOG" witness-policy set --quorum "$quorum" $POLICY \
			--db "$db" >/dev/null || return 1
	fi
	"$SANILOG" serve --db "$db" --listen 127.0.0.1:0 --max-per-address 0 \
		--no-access-log >"$TMP/$name.out" 2>"$TMP/$name.serve.err" &
	spid=$!
	PIDS="$PIDS $spid"
	if ! started "$spid" "$TMP/$name.out" 's|^sanilog: listening on \(http://[^ ]*\)/$|\1|p'; then
		sed 's/^/    /' "$TMP/$name.serve.err" >&2
		bench_stop "$spid"
		return 1
	fi
	url=$STARTED_URL
	url=${url%/}
	# Witnessed from the start: the newest checkpoint served (10 s at most).
	if [ "$quorum" -gt 0 ]; then
		for _ in $(seq 1 100); do
			[ "$(metric "$url" sanilog_witnessed_size)" = \
				"$(metric "$url" sanilog_log_size)" ] && break
			sleep 0.1
		done
	fi
	b0=$(metric "$url" sanilog_write_batches_total)
	c0='' wc0=''
	for wpid in $W_PIDS; do wc0="$wc0 $(cpu_of "$wpid")"; done
	for wurl in $W_URLS; do
		c0="$c0 $(metric "$wurl" sanilog_witness_commits_total)"
	done
	s0=$(cpu_of "$spid")
	OUT=$("$GEN" lag "$url" "$venue" "$token" "$SECS" --conns "$CONNS" \
		2>"$TMP/$name.lag.err" | grep '^result') ||
		{ sed 's/^/    /' "$TMP/$name.lag.err" >&2; OUT=; }
	s1=$(cpu_of "$spid")
	batches=$(($(metric "$url" sanilog_write_batches_total) - b0))
	SERVER="$batches batches ($(calc %.1f "$batches" "$(field uploads "$OUT")") uploads a batch), server CPU $(calc %.2f 1 "$s1 - $s0") s"
	if [ "$quorum" -gt 0 ]; then
		# Per witness: its commits in the run (the rounds of
		# cosignatures it made), its CPU, and the server's view of its
		# last answer's latency.
		i=0
		for wurl in $W_URLS; do
			i=$((i + 1))
			c1=$(metric "$wurl" sanilog_witness_commits_total)
			wpid=$(nth "$i" $W_PIDS)
			lat=$(metric "$url" "sanilog_witness_latency_seconds{witness=\"witness$i.bench.example\"}")
			WIT="$WIT${WIT:+, }w$i $((c1 - $(nth "$i" $c0))) commits, CPU $(calc %.2f 1 "$(cpu_of "$wpid") - $(nth "$i" $wc0)") s, last $(calc %.1f 1 "${lat:-0} * 1000") ms"
		done
	fi
	bench_stop "$spid"
	[ -n "$OUT" ] || return 1
	echo "bench_witnessed: $name: $OUT" >&2
	"$SANILOG" verify --db "$db" >"$TMP/$name.verify" 2>&1 || {
		sed 's/^/    /' "$TMP/$name.verify" >&2
		fail "$name: the log does not verify after the uploads"
	}
	rm -f "$db" "$db-wal" "$db-shm"
}

# The runs' results, a line each: the case and the round, the client's
# result line, then the server's figures and the witnesses' after tabs.
RES=$TMP/results
: >"$RES"
# values CASE KEY: KEY's value in each of CASE's runs, a line each, in
# the order of the rounds.
values() {
	awk -F '\t' -v c="$1" -v k="$2" '{
		n = split($1, w, " ")
		if (w[1] == c) for (i = 3; i < n; i++) if (w[i] == k) print w[i + 1]
	}' "$RES"
}
# med: the median of the numbers on stdin, a line each (of an even
# count, the lower middle; "-" for none).
med() {
	sort -g | awk '{ v[NR] = $1 } END { print NR ? v[int((NR + 1) / 2)] : "-" }'
}
# each CASE KEY: KEY in each run, as a/b/c.
each() { values "$1" "$2" | paste -sd / -; }
# total CASE KEY: the sum of KEY over CASE's runs.
total() { values "$1" "$2" | awk '{ t += $1 } END { print t + 0 }'; }
# last CASE N: the Nth tab-separated field of CASE's last run.
last() { awk -F '\t' -v c="$1" -v n="$2" 'index($1, c " ") == 1 { v = $n } END { print v }' "$RES"; }
# ratios CASE: each round's upload rate of CASE over the reference's of
# the same round, a line each.
ratios() {
	awk -F '\t' -v c="$1" '{
		n = split($1, w, " ")
		for (i = 3; i < n; i++) if (w[i] == "rate") rate[w[1], w[2]] = w[i + 1]
	} END {
		for (r = 1; (c, r) in rate || ("plain", r) in rate; r++)
			if ((c, r) in rate && rate["plain", r] > 0)
				printf "%.2f\n", rate[c, r] / rate["plain", r]
	}' "$RES"
}

# The rounds: in each, the reference and then each quorum, one after
# the other, so that a ratio compares runs close in time.
for r in $(seq 1 "$ROUNDS"); do
	for q in 0 $QUORUMS; do
		c=q$q
		[ "$q" = 0 ] && c=plain
		if case_run "$c-$r" "$q"; then
			printf '%s %s %s\t%s\t%s\n' "$c" "$r" "$OUT" "$SERVER" "$WIT" >>"$RES"
		else
			fail "round $r: the load on $c failed"
		fi
	done
done

n=$(values plain rate | wc -l)
what="witnessed log: uploads, no witnesses (ref)"
if [ "$n" -gt 0 ]; then
	row "$what" "$(total plain uploads)" "$(total plain seconds)" \
		"$(values plain rate | med)" "-" \
		"1 KiB PDFs, $CONNS conns, median of $n runs ($(each plain rate) per s); upload p99 $(values plain upload_p99_ms | med) ms; checkpoint served p99 $(each plain lag_p99_ms) ms after the 201: the measure's floor (polls p99 $(each plain poll_gap_p99_ms) ms apart); last run: $(last plain 2)"
else
	row "$what" "-" "-" "-" "-" "FAILED"
fi
for q in $QUORUMS; do
	what="witnessed log: 3 witnesses, quorum $q"
	n=$(ratios "q$q" | wc -l)
	if [ "$n" = 0 ]; then
		row "$what: upload rate (ratio)" "-" "-" "-" 0.90 "FAILED"
		continue
	fi
	row "$what: upload rate (ratio)" "$(total "q$q" uploads)" \
		"$(total "q$q" seconds)" "$(ratios "q$q" | med)" 0.90 \
		"median of $n runs' ratios ($(ratios "q$q" | paste -sd / -)) to the run without witnesses just before: $(each "q$q" rate) against $(each plain rate) per s; upload p99 $(values "q$q" upload_p99_ms | med) ms; last run: $(last "q$q" 2)"
	row "$what: lag p99 (ms)" "$(total "q$q" uploads)" "-" \
		"$(values "q$q" lag_p99_ms | med)" "<250" \
		"from the 201 to the first poll serving a witnessed checkpoint that includes it, median of $n runs ($(each "q$q" lag_p99_ms) ms); p50 $(values "q$q" lag_p50_ms | med) ms, max $(values "q$q" lag_max_ms | sort -g | tail -n 1) ms; $(each "q$q" sizes) witnessed sizes served; poll every $(values "q$q" poll_ms | med) ms, p99 $(each "q$q" poll_gap_p99_ms) ms between two answers (the error's bound); without witnesses p99 $(each plain lag_p99_ms) ms; last run: $(last "q$q" 3)"
done

for pid in $W_PIDS; do bench_stop "$pid"; done
exit "$FAILED"
