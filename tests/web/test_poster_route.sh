#!/usr/bin/env bash
# The posters served at /v/<venue>/poster.pdf|svg|png: the right types and
# headers, and a PNG whose QR code scans back to the venue URL with the pin
# that `sanilog poster` writes.
set -eu
S=${SANILOG:?set SANILOG to the sanilog binary}
TMP=$(mktemp -d)
SERVER_PID=
cleanup() {
	[ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT
cd "$TMP"
export SANILOG_DB="$TMP/log.db" XDG_CACHE_HOME="$TMP/cache"
PASS=0 FAIL=0
ok() { PASS=$((PASS + 1)); echo "PASS  $1"; }
ko() { FAIL=$((FAIL + 1)); echo "FAIL  $1"; }
check() { if eval "$2"; then ok "$1"; else ko "$1"; fi; }

"$S" init --origin poster.test/log --base-url http://poster.test >/dev/null 2>&1
V=$("$S" venue add --name "Caffè Ünïcode" --address "Via 1" --json |
	sed -n 's/.*"venue": "\([^"]*\)".*/\1/p')
printf '%%PDF-1.4\ntest\n' >doc.pdf
"$S" cert add --venue "$V" --file doc.pdf --type sanitization --title T \
	--performed 2026-01-01 >/dev/null

# The server renders posters, and fontconfig keeps its cache until exit:
# no leak check for it either (a leak report would be its exit status).
ASAN_OPTIONS=detect_leaks=0 "$S" serve --listen 127.0.0.1:0 --no-access-log \
	>serve.err 2>&1 &
SERVER_PID=$!
URL=
for _ in $(seq 1 100); do
	URL=$(sed -n 's/.*listening on \(http[^ ]*\)/\1/p' serve.err | head -n 1)
	[ -n "$URL" ] && break
	sleep 0.1
done
[ -n "$URL" ] || { echo "server did not start"; cat serve.err; exit 1; }
URL=${URL%/}

for f in pdf svg png; do
	code=$(curl -s -D h.$f -o p.$f -w '%{http_code}' "$URL/v/$V/poster.$f")
	check "poster.$f: 200" '[ "$code" = 200 ]'
	check "poster.$f: security headers" \
		'grep -qi "^x-content-type-options: nosniff" h.$f && grep -qi "^content-security-policy:" h.$f'
done
check "poster.pdf is a PDF" 'head -c 5 p.pdf | grep -q "%PDF-"'
check "poster.svg is SVG" 'grep -q "<svg" p.svg && grep -qi "^content-type: image/svg+xml" h.svg'
check "poster.png is a PNG" 'grep -qi "^content-type: image/png" h.png'

# fontconfig keeps its cache until exit: no leak check for the poster.
want=$(ASAN_OPTIONS=detect_leaks=0 "$S" poster "$V" -o cli.png --json |
	sed -n 's/.*"url": "\([^"]*\)".*/\1/p')
got=$("$S" scan p.png)
check "the served PNG scans to the venue URL with the log's pin" \
	'[ -n "$want" ] && [ "$got" = "$want" ]'
check "the URL is the venue's, with k, n and r" \
	'case "$got" in "http://poster.test/v/$V#k="*"&n=2&r="*) true;; *) false;; esac'
code=$(curl -s -o /dev/null -w '%{http_code}' "$URL/v/$V/poster.png?paper=a6&lang=it")
check "a6, Italian: 200" '[ "$code" = 200 ]'
code=$(curl -s -o /dev/null -w '%{http_code}' "$URL/v/$V/poster.png?paper=a3")
check "paper a3: 400" '[ "$code" = 400 ]'
code=$(curl -s -o /dev/null -w '%{http_code}' "$URL/v/abcdefgh/poster.pdf")
check "unknown venue: 404" '[ "$code" = 404 ]'
code=$(curl -s -o /dev/null -w '%{http_code}' -X POST "$URL/v/$V/poster.pdf")
check "POST: 405" '[ "$code" = 405 ]'

echo "test_poster_route: $PASS passed, $FAIL failed"
[ "$FAIL" = 0 ]
