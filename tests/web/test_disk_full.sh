#!/usr/bin/env bash
#
# test_disk_full.sh: `sanilog serve` on a disk that fills up.
#
#   SANILOG=/abs/path/to/sanilog tests/web/test_disk_full.sh
#
# The log lives on a tmpfs of 2 MiB (mounting one takes root: where it
# cannot be mounted, the test says so and is skipped).  Uploads fill it:
# the one that finds no room is 503 disk_full with Retry-After, not 500;
# /healthz stays 200 and says why uploads fail; reads and the audit go on;
# the server restarts on the full disk; once room is made, the next upload
# is logged and /healthz is ok again.
# RUNNER, when set, prefixes the server (e.g. valgrind).
# Exit status: 0 when every check passed or the test was skipped, 1
# otherwise, 2 when it cannot run.

HERE=$(cd "$(dirname "$0")" && pwd)

# shellcheck source=../lib/test.sh
. "$HERE/../lib/test.sh"
test_begin test_disk_full sanilog curl mount umount sha256sum

FULL=$TMP/full
mkdir "$FULL"
if ! mount -t tmpfs -o size=2m sanilog-test "$FULL" 2>mount.err; then
	test_skip "no tmpfs could be mounted (it takes root):" \
		"$(head -n 1 mount.err)"
fi
# On exit, once the server that writes to it is killed.
TEST_AT_EXIT='umount "$FULL" 2>/dev/null'

# get PATH STATUS: a GET whose body lands in ./body, headers in ./hdr.
get() {
	local code
	code=$(curl -s -o body -D hdr -w '%{http_code}' "$URL$1") ||
		code="curl-error-$?"
	if [ "$code" = "$2" ]; then ok; else bad "GET $1: $code, expected $2"; fi
}

# upload N: a document of 150 KB (a PDF by its first bytes); prints the
# status, the answer in ./body and ./hdr.
upload() {
	head -c 150000 /dev/urandom >"doc$1.pdf"
	printf '%%PDF-' | dd of="doc$1.pdf" conv=notrunc 2>/dev/null
	curl -s -o body -D hdr -w '%{http_code}' -H "Authorization: Bearer $T" \
		-F file=@"doc$1.pdf" -F type=other -F "title=doc $1" \
		-F performed=2025-02-01 "$URL/api/v1/venues/$V/documents" ||
		echo "curl-error-$?"
}

echo "== a log on a tmpfs of 2 MiB"

DB=$FULL/log.db
sl init --origin test.example/log >/dev/null 2>&1
sl venue add --name 'Bar Roma' --address 'Via Roma 1' --json >v.json
V=$(sed -n 's/^ *"venue": "\([^"]*\)".*/\1/p' v.json)
T=$(sed -n 's/^ *"token": "\([^"]*\)".*/\1/p' v.json)
# Room to make later.
head -c $((600 * 1024)) /dev/zero >"$FULL/filler"
BASE=--base-url=https://log.example.org
serve_db "$DB" 2 "$BASE"

echo "== uploads until the disk is full"

logged=0
code=
for i in $(seq 1 30); do
	code=$(upload "$i")
	[ "$code" = 201 ] || break
	logged=$i
done
check "uploads were logged before the disk filled ($logged)" \
	test "$logged" -ge 1
check "the upload that finds no room is 503 (got $code)" test "$code" = 503
check "with Retry-After" grep -qi '^Retry-After: [1-9]' hdr
check "named disk_full" grep -q '"code":"disk_full"' body
check "saying the disk is full" grep -q "disk is full" body
check "the server's log has the details" grep -q 'disk is full' serve.err
get /healthz 200
check "/healthz says why uploads fail" grep -q '^degraded: disk full' body
get /metrics 200
check "/metrics: sanilog_disk_full 1" grep -q '^sanilog_disk_full 1$' body

echo "== reads and the audit go on"

get "/v/$V" 200
get /checkpoint 200
get "/v/$V/bundle.json" 200
get "/d/$(sha256sum doc1.pdf | cut -d' ' -f1)" 200
check "what was logged is served" cmp -s body doc1.pdf
check "the audit of the full disk's log" sl verify >verify.out 2>&1

echo "== a restart on the full disk"

kill -TERM "$SERVER_PID"
rc=0
wait "$SERVER_PID" || rc=$?
SERVER_PID=
check "the server stopped cleanly (exit $rc)" test "$rc" = 0
serve_db "$DB" 2 "$BASE"
get "/v/$V" 200
get /healthz 200
code=$(upload again)
check "an upload after the restart is 503 too (got $code)" test "$code" = 503
check "named disk_full" grep -q '"code":"disk_full"' body

echo "== room made"

rm "$FULL/filler"
code=$(upload after)
check "the next upload is logged (got $code)" test "$code" = 201
get /healthz 200
check "/healthz is ok again" grep -qx ok body
get /metrics 200
check "/metrics: sanilog_disk_full 0" grep -q '^sanilog_disk_full 0$' body
get "/d/$(sha256sum docafter.pdf | cut -d' ' -f1)" 200
check "the audit after" sl verify >verify.out 2>&1
stop_server

check "no sanitizer report from the server" \
	bash -c "! grep -Eq 'AddressSanitizer|LeakSanitizer|runtime error' serve.err"

test_end
