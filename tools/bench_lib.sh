# shellcheck shell=sh
# bench_lib.sh: what the scripts of `make bench` share (tools/bench.sh,
# tools/bench_witness.sh), sourced after they set
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
