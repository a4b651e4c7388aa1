#!/bin/sh
# upload_load.sh: a load test of the owner API's uploads.  Makes a new log
# with one venue in a temporary directory, serves it, and has wrk upload
# documents to it (tools/upload.lua) from many connections at once; wrk
# prints the latency distribution and upload.lua the acknowledged (201)
# uploads per second.  A load test measures and prints; it never fails on
# a time.
#
#   usage: tools/upload_load.sh [SANILOG]   (default build/sanilog)
#
#   DOC_KB        size of each document in KiB (default 100)
#   CONNECTIONS   wrk connections (default 64)
#   DURATION      seconds (default 20)
#   THREADS       wrk threads (default 2)
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
SANILOG=${1:-$HERE/../build/sanilog}
DOC_KB=${DOC_KB:-100}
CONNECTIONS=${CONNECTIONS:-64}
DURATION=${DURATION:-20}
THREADS=${THREADS:-2}
command -v wrk >/dev/null || { echo "upload_load: needs wrk" >&2; exit 2; }
[ -x "$SANILOG" ] || { echo "upload_load: $SANILOG: not built" >&2; exit 2; }

unset SANILOG_NOW SANILOG_DB
TMP=$(mktemp -d "${TMPDIR:-/tmp}/sanilog-upload.XXXXXX")
PID=
cleanup() {
	[ -z "$PID" ] || { kill "$PID" 2>/dev/null; wait "$PID" 2>/dev/null || true; }
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

"$SANILOG" init --db "$TMP/log.db" >/dev/null 2>&1
OUT=$("$SANILOG" venue add --db "$TMP/log.db" --name "Load test" \
	--address "Via Roma 1" --json 2>/dev/null)
SANILOG_VENUE=$(printf '%s\n' "$OUT" | sed -n 's/.*"venue": "\([^"]*\)".*/\1/p')
SANILOG_TOKEN=$(printf '%s\n' "$OUT" | sed -n 's/.*"token": "\([^"]*\)".*/\1/p')
export SANILOG_VENUE SANILOG_TOKEN DOC_KB

"$SANILOG" serve --db "$TMP/log.db" --listen 127.0.0.1:0 --no-access-log \
	>"$TMP/serve.out" 2>"$TMP/serve.err" &
PID=$!
URL=
for _ in $(seq 1 100); do
	URL=$(sed -n 's|^sanilog: listening on \(http://[^ ]*\)/$|\1|p' "$TMP/serve.out")
	[ -n "$URL" ] && break
	sleep 0.1
done
[ -n "$URL" ] || { cat "$TMP/serve.err" >&2; exit 2; }

echo "upload_load: $DOC_KB KiB documents, $CONNECTIONS connections, $DURATION s"
wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency \
	-s "$HERE/upload.lua" "$URL"
