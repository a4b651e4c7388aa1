#!/usr/bin/env bash
#
# test_cache.sh: the page cache (src/web/cache.h) under readers and writers
# at once.  Many clients read one venue's page while another venue's owner
# uploads: each upload makes the cached page stale, so the server's
# threads rebuild it side by side and each keeps its copy, replacing the
# one before.  A copy replaced (and freed) before the request that made it
# had sent it brought the server down ("Failed to lock mutex" in
# libmicrohttpd).  Checks that the server lives through it, that every
# read got 200 and every upload 201, and that the log verifies.
#
#   SANILOG=/abs/path/to/sanilog tests/web/test_cache.sh
#
# RUNNER, when set, prefixes the server (e.g. valgrind).
# Exit status: 0 when every check passed, 1 otherwise, 2 when it cannot run.

HERE=$(cd "$(dirname "$0")" && pwd)
READS=${TEST_CACHE_READS:-20000}
UPLOADS=${TEST_CACHE_UPLOADS:-200}

# shellcheck source=../lib/test.sh
. "$HERE/../lib/test.sh"
test_begin test_cache sanilog curl sort uniq

field() { sed -n "s/^ *\"$1\": \"\\([^\"]*\\)\".*/\\1/p" "$2"; }

sl init --origin test.example/log >/dev/null 2>&1
sl venue add --name 'Reader' --address 'Via Roma 1' --json >r.json
sl venue add --name 'Writer' --address 'Via Roma 2' --json >w.json
RV=$(field venue r.json)
WV=$(field venue w.json)
WT=$(field token w.json)
# Every client is 127.0.0.1: no limit of connections an address.
serve_db "$DB" 4 --max-per-address 0

uploads() {
	local i
	for i in $(seq 1 "$UPLOADS"); do
		printf '%%PDF-1.4\n%% %d\n' "$i" >up.pdf
		curl -s -o /dev/null -w '%{http_code}\n' \
			-H "Authorization: Bearer $WT" -F "file=@up.pdf" \
			-F type=other -F "title=Upload $i" -F performed=2025-01-10 \
			"$URL/api/v1/venues/$WV/documents" || echo curl-error
	done >uploads.codes
}
uploads &
UPLOADER=$!
curl -s --parallel --parallel-max 48 -o /dev/null -w '%{http_code}\n' \
	"$URL/v/$RV?n=[1-$READS]" >reads.codes 2>/dev/null || true
wait "$UPLOADER" || true

alive=yes
kill -0 "$SERVER_PID" 2>/dev/null ||
	alive="no: $(grep -v "^$" "$TMP/serve.err" | tail -n 1)"
check "the server lives through readers and uploads ($alive)" test "$alive" = yes
reads=$(sort reads.codes | uniq -c | tr -s ' \n' ' ')
check "every read got 200 ($reads)" test "$(grep -c '^200$' reads.codes)" = "$READS"
ups=$(sort uploads.codes | uniq -c | tr -s ' \n' ' ')
check "every upload got 201 ($ups)" \
	test "$(grep -c '^201$' uploads.codes)" = "$UPLOADS"
check "the log verifies" sh -c "'$SANILOG' verify --db '$DB' >/dev/null 2>&1"
[ "$alive" = yes ] && stop_server

test_end
