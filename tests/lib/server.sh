# Sourced by the tests that run `sanilog serve` (tests/web, tests/net):
# the temporary directory, the clean-up of servers, the environment, the
# counters and checks, and starting and stopping the server.  The sourcing script has
# set SANILOG (the binary) and RUNNER (a prefix for the server, or empty).

# test_begin NAME [TOOL...]: checks the binary and the tools, then makes
# and enters $TMP; sets DB, PASS and FAIL.
test_begin() {
	TEST=$1
	shift
	case $SANILOG in /*) ;; *) SANILOG=$PWD/$SANILOG ;; esac
	[ -x "$SANILOG" ] || { echo "$TEST: $SANILOG: not built" >&2; exit 2; }
	for tool in "$@"; do
		command -v "$tool" >/dev/null 2>&1 ||
			{ echo "$TEST: needs $tool (tools/deps.sh)" >&2; exit 2; }
	done
	TMP=$(mktemp -d "${TMPDIR:-/tmp}/sanilog-$TEST.XXXXXX")
	SERVER_PID=
	HOSTILE_PID=
	trap test_cleanup EXIT
	trap 'exit 2' INT TERM HUP
	unset SANILOG_DB SANILOG_NOW
	export HOME=$TMP/home XDG_CACHE_HOME=$TMP/cache TZ=UTC LC_ALL=C
	mkdir -p "$HOME"
	cd "$TMP"
	DB=$TMP/log.db
	PASS=0
	FAIL=0
}

# Kills the server and any helper server (HOSTILE_PID), removes $TMP.
test_cleanup() {
	for pid in $SERVER_PID $HOSTILE_PID; do
		kill -9 "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	rm -rf "$TMP"
}

sl() { "$SANILOG" "$@" --db "$DB"; }

ok() { PASS=$((PASS + 1)); }
bad() {
	FAIL=$((FAIL + 1))
	echo "  FAIL: $*" >&2
}
check() { # check NAME COMMAND...: passes when the command succeeds
	local name=$1
	shift
	if "$@"; then ok; else bad "$name"; fi
}

# serve_db DB THREADS [ARGS...]: starts the server on a free port and sets
# URL (without the final slash) and SERVER_PID; exits 2 if it does not
# start.
serve_db() {
	local db=$1 threads=$2
	shift 2
	: >"$TMP/serve.out"
	# shellcheck disable=SC2086
	$RUNNER "$SANILOG" serve --db "$db" --listen 127.0.0.1:0 \
		--threads "$threads" "$@" >"$TMP/serve.out" 2>>"$TMP/serve.err" &
	SERVER_PID=$!
	for _ in $(seq 1 200); do
		URL=$(sed -n 's|^sanilog: listening on \(http://[^ ]*\)/$|\1|p' \
			"$TMP/serve.out")
		[ -n "$URL" ] && return 0
		kill -0 "$SERVER_PID" 2>/dev/null || break
		sleep 0.05
	done
	echo "$TEST: the server did not start:" >&2
	cat "$TMP/serve.err" >&2
	exit 2
}

# Stops the server with SIGTERM and waits for it.
stop_server() {
	kill -TERM "$SERVER_PID"
	wait "$SERVER_PID" 2>/dev/null || true
	SERVER_PID=
}
