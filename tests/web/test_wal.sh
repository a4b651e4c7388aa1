#!/usr/bin/env bash
#
# test_wal.sh: the write-ahead log under `sanilog serve` (src/store/backfill.h).
# Uploads 1 MiB documents through the owner API, one after another, until
# more than 8192 pages went through the WAL, and checks that every upload
# got 201, that the WAL started over before reaching the 8192 pages at
# which a commit would run SQLite's automatic checkpoint itself, that the
# log verifies, and that the server stops cleanly.
#
#   SANILOG=/abs/path/to/sanilog tests/web/test_wal.sh
#
# RUNNER, when set, prefixes the server (e.g. valgrind).
# Exit status: 0 when every check passed, 1 otherwise, 2 when it cannot run.

HERE=$(cd "$(dirname "$0")" && pwd)

# shellcheck source=../lib/test.sh
. "$HERE/../lib/test.sh"
test_begin test_wal sanilog curl head stat sqlite3

sl init --origin test.example/log >/dev/null 2>&1
sl venue add --name 'Bar' --address 'Via Roma 1' --json >v.json
V=$(sed -n 's/^ *"venue": "\([^"]*\)".*/\1/p' v.json)
T=$(sed -n 's/^ *"token": "\([^"]*\)".*/\1/p' v.json)
serve_db "$DB" 2

# Documents of 1 MiB until 8192 pages and a half as many again went
# through the WAL (45 of them with pages of 4 KiB, 90 with 8 KiB, 193
# with the 16 KiB of a new file).
MIB=1048576
PAGE=$(sqlite3 "$DB" 'PRAGMA page_size')
LIMIT=$((8192 * (PAGE + 24)))
COUNT=$(((8192 * PAGE * 3 / 2 + MIB - 1) / MIB + 1))
created=0 largest=0
for i in $(seq 1 "$COUNT"); do
	{ printf '%%PDF-1.4\n%% %d\n' "$i"; head -c $MIB /dev/urandom; } >doc.pdf
	code=$(curl -s -o body -w '%{http_code}' \
		-H "Authorization: Bearer $T" -F "file=@doc.pdf" \
		-F type=sanitization -F "title=Document $i" \
		-F performed=2025-01-10 "$URL/api/v1/venues/$V/documents") ||
		code=curl-error
	[ "$code" = 201 ] && created=$((created + 1))
	size=$(stat -c %s "$DB-wal" 2>/dev/null || echo 0)
	[ "$size" -gt "$largest" ] && largest=$size
done
check "every upload got 201 ($created of $COUNT)" test "$created" = "$COUNT"
check "the WAL started over below 8192 pages of $PAGE bytes (largest $largest bytes)" \
	test "$largest" -lt "$LIMIT"
check "the log verifies" sh -c "'$SANILOG' verify --db '$DB' >/dev/null 2>&1"
stop_server
check "no errors from the server" \
	bash -c "! grep -Eq 'sanilog: serve: .*(error|checkpoint)|Sanitizer|runtime error' '$TMP/serve.err'"

test_end
