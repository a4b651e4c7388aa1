#!/bin/sh
# bench_witness.sh: the witness's figures of issue 16 ("Speed"), for `make
# bench` (tools/bench.sh runs it).  A new witness (`sanilog witness init`)
# witnesses 2 * (BENCH_WITNESS_LOGS + 1) logs made by
# tools/bench_witness.c (its `keys`), and `sanilog witness serve
# --no-access-log` on a free port of 127.0.0.1 cosigns, for
# BENCH_WITNESS_SECONDS each:
#   1. BENCH_WITNESS_LOGS logs (default 16) submitting at once, each in
#      sequence, each request growing its log by 1 to 1,000 entries:
#      target 5,000 requests a second;
#   2. one log submitting in sequence: target 2,000 a second;
# first with the requests prepared (`run --prepared`: every signed
# checkpoint and its proof made before the generator's clock starts, so
# that the logs' own work does not share the machine with the witness:
# the rows of the targets), then again with the generator live (each log
# makes its next request while the last is in flight, on the clock: the
# figure of the whole, logs and witness on one machine; no target);
# every answer durable before it is sent (the witness's group commit:
# the requests per commit are the witness's /metrics,
# sanilog_witness_cosigned_committed_total over
# sanilog_witness_commits_total, in the run), and every cosignature
# checked by the generator after its clock.  Beside each figure, as a
# ratio, the reference it is bounded by, measured in the same run: the
# Ed25519 limit (sign+verify pairs a second on one core: the least work a
# request costs, the log's signature checked and the cosignature made)
# and the disk's synchronous write rate (4 KiB writes each fdatasync'd:
# the bound of one commit at a time, which the sequential case is).  The
# generator runs on the same machine: its CPU time and the witness's are
# given, so that the reader knows how much of the machine the witness had.
# A benchmark measures and prints: a figure short of its target is
# reported, never a failure.  The exit status is 1 when a step could not
# run or the witness gave a wrong answer (a status other than 200, a
# cosignature that does not verify), 2 for bad usage.
#
#   usage: SANILOG=/abs/build/sanilog tools/bench_witness.sh /abs/build/tools/bench_witness [ROWS]
#
# Rows go to ROWS in bench.sh's table format (tab-separated: what, count,
# seconds, rate, target, notes), else to stdout.
#
#   BENCH_WITNESS_SECONDS  length of each case (default 5; a decimal)
#   BENCH_WITNESS_LOGS     logs at once in the first case (default 16)
#   BENCH_WITNESS_PREPARED_RATE  requests a second that each log's
#                          prepared requests last for (default 3000, above
#                          the rate of one log alone: 15,000 a log at 5 s,
#                          about 0.9 KiB each; every log gets as many, as
#                          the witness need not serve the logs evenly);
#                          when a log has sent all its own before the
#                          seconds are over, the case stops then and says so
#   BENCH_WITNESS_PAIRS    Ed25519 pairs of the reference (default 20000)
#   BENCH_WITNESS_SYNCS    fdatasync'd writes of the reference (default 2000)
#   BENCH_DIR              where the temporary directory goes (default /tmp)
set -eu

GEN=${1:?usage: SANILOG=path/to/sanilog tools/bench_witness.sh path/to/bench_witness [ROWS]}
ROWS=${2:-}
SANILOG=${SANILOG:?set SANILOG to the sanilog binary}
SECS=${BENCH_WITNESS_SECONDS:-5}
LOGS=${BENCH_WITNESS_LOGS:-16}
PREP_RATE=${BENCH_WITNESS_PREPARED_RATE:-3000}
PAIRS=${BENCH_WITNESS_PAIRS:-20000}
SYNCS=${BENCH_WITNESS_SYNCS:-2000}
[ -x "$GEN" ] || { echo "bench_witness: $GEN: not executable" >&2; exit 2; }
[ -x "$SANILOG" ] || { echo "bench_witness: $SANILOG: not executable" >&2; exit 2; }
command -v curl >/dev/null 2>&1 ||
	{ echo "bench_witness: needs curl" >&2; exit 2; }

FAILED=0
BENCH_NAME=bench_witness
# field, row, fail, calc, cpu_of, bench_tmp, bench_stop
# shellcheck source=bench_lib.sh
. "$(dirname "$0")/bench_lib.sh"
bench_tmp bench-witness
# metric NAME: a counter of the witness's /metrics.
metric() {
	curl -fsS "$URL/metrics" | awk -v k="$1" '$1 == k { print $2 }'
}

NCPU=$(nproc)
echo "bench_witness: $NCPU CPUs, $SECS s a case, in $TMP" >&2

# The references.
if out=$("$GEN" ed25519 "$PAIRS" | grep '^result'); then
	ED=$(field rate "$out")
	row "Ed25519 sign+verify pairs, 1 core (ref)" "$PAIRS" \
		"$(field seconds "$out")" "$ED" "-" \
		"libsodium: the least a witness does for a request"
else
	fail "ed25519 failed"
	ED=0
fi
if out=$("$GEN" sync "$TMP" "$SYNCS" | grep '^result'); then
	SYNC=$(field rate "$out")
	row "disk: fdatasync'd 4 KiB writes (ref)" "$SYNCS" \
		"$(field seconds "$out")" "$SYNC" "-" \
		"as dd oflag=dsync bs=4k, under ${BENCH_DIR:-/tmp}: one commit at a time"
else
	fail "sync failed"
	SYNC=0
fi

# The witness, its logs, and the witness serving them.
DB=$TMP/witness.db
if ! VKEY=$("$SANILOG" witness init --name bench.example/witness \
	--db "$DB" 2>"$TMP/init.err") ||
	! "$GEN" keys 0 $((LOGS + 1)) >"$TMP/keys" ||
	! "$GEN" keys $((LOGS + 1)) $((LOGS + 1)) >>"$TMP/keys"; then
	cat "$TMP/init.err" >&2
	echo "bench_witness: cannot make the witness" >&2
	exit 1
fi
while read -r key; do
	"$SANILOG" witness log add "$key" --db "$DB" >/dev/null
done <"$TMP/keys"
"$SANILOG" witness serve --db "$DB" --listen 127.0.0.1:0 --no-access-log \
	>"$TMP/serve.out" 2>"$TMP/serve.err" &
WITNESS_PID=$!
PIDS=$WITNESS_PID
URL=
for _ in $(seq 1 100); do
	URL=$(sed -n 's|.*listening on \(http://[^ ]*\)/$|\1|p' "$TMP/serve.out")
	[ -n "$URL" ] && break
	kill -0 "$WITNESS_PID" 2>/dev/null || break
	sleep 0.1
done
if [ -z "$URL" ]; then
	cat "$TMP/serve.err" >&2
	echo "bench_witness: the witness did not start" >&2
	exit 1
fi

# case_run WHAT TARGET FIRST COUNT [OPTION...]: logs FIRST ..
# FIRST+COUNT-1 submit for $SECS seconds (the generator's run, with
# OPTIONs); one row, with in its notes the ratio to REF_RATE (REF_WHAT),
# the latency, the witness's commits in the run (requests a commit, the
# mean time of one) and the CPU time of the witness and of the generator
# over the timed run (their shares of the machine); prepared, what ended
# the run and what making the requests took.
case_run() {
	what=$1 target=$2 first=$3 count=$4
	shift 4
	commits0=$(metric sanilog_witness_commits_total)
	csecs0=$(metric sanilog_witness_commit_seconds_total)
	cosigned0=$(metric sanilog_witness_cosigned_committed_total)
	cpu0=$(cpu_of "$WITNESS_PID")
	if ! out=$("$GEN" run "$URL" "$VKEY" "$first" "$count" "$SECS" "$@" \
		2>"$TMP/run.err" | grep '^result'); then
		fail "$what: the generator failed"
		sed 's/^/    /' "$TMP/run.err" >&2
		row "$what" "-" "-" "-" "$target" "FAILED"
		return 0
	fi
	cpu1=$(cpu_of "$WITNESS_PID")
	commits=$(($(metric sanilog_witness_commits_total) - commits0))
	cms=$(calc %.2f "$commits" "($(metric sanilog_witness_commit_seconds_total) - $csecs0) * 1e3")
	cosigned=$(($(metric sanilog_witness_cosigned_committed_total) - cosigned0))
	n=$(field requests "$out")
	secs=$(field seconds "$out")
	rate=$(field rate "$out")
	# The witness is idle while the requests are made: its CPU over the
	# whole run is its CPU over the timed part.
	wcpu=$(calc %.0f "$n" "($cpu1 - $cpu0) * 1e6")
	wshare=$(calc %.2f "$secs * $NCPU" "$cpu1 - $cpu0")
	more=
	if [ "$count" -gt 1 ]; then
		more="; $(field log_min "$out") to $(field log_max "$out") requests a log"
	fi
	if [ "$(field mode "$out")" = prepared ]; then
		case $(field ended "$out") in
		bodies) ended="stopped when a log had sent all its requests" ;;
		*) ended="ran its $SECS s" ;;
		esac
		more="$more; $(field prepared_requests "$out") requests made before the clock in $(field prepare_seconds "$out") s ($(field prepared_mb "$out") MB of bodies, the generator's peak resident $(field maxrss_mb "$out") MB), the clock $ended"
	fi
	echo "bench_witness: $what: $out" >&2
	row "$what" "$n" "$secs" "$rate" "$target" \
		"$(calc %.2f "$REF_RATE" "$rate")x $REF_WHAT; p50 $(field p50_ms "$out") ms, p99 $(field p99_ms "$out") ms; $(calc %.1f "$commits" "$cosigned") requests a commit ($commits commits of $cms ms); witness CPU $wcpu us a request ($wshare of the machine), generator's $(field cpu_us_per_request "$out") us ($(field cpu_share "$out")); $(field verified "$out") cosignatures verified$more"
}

# per_log: the requests each log prepares, for PREP_RATE a second over
# SECS seconds (at least one).
per_log() {
	awk -v r="$PREP_RATE" -v s="$SECS" \
		'BEGIN { n = r * s; printf "%d", n < 1 ? 1 : (n == int(n) ? n : int(n) + 1) }'
}

ED_RATE=$(calc %.0f 1 "$ED * $NCPU")
ED_WHAT="the Ed25519 limit of $NCPU cores ($ED_RATE/s)"
SYNC_WHAT="the disk's fdatasync rate ($SYNC/s)"
# Logs 0 .. LOGS prepared, LOGS+1 .. 2*LOGS+1 live: each starts empty.
REF_RATE=$ED_RATE REF_WHAT=$ED_WHAT
case_run "witness: add-checkpoint, $LOGS logs at once, prepared" 5000 \
	0 "$LOGS" --prepared "$(per_log)"
REF_RATE=$SYNC REF_WHAT=$SYNC_WHAT
case_run "witness: add-checkpoint, 1 log in sequence, prepared" 2000 \
	"$LOGS" 1 --prepared "$(per_log)"
REF_RATE=$ED_RATE REF_WHAT=$ED_WHAT
case_run "witness: add-checkpoint, $LOGS logs at once, live generator" - \
	$((LOGS + 1)) "$LOGS"
REF_RATE=$SYNC REF_WHAT=$SYNC_WHAT
case_run "witness: add-checkpoint, 1 log in sequence, live generator" - \
	$((2 * LOGS + 1)) 1

bench_stop "$WITNESS_PID"
exit "$FAILED"
