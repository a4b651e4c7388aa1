#!/usr/bin/env bash
#
# test_poster_route.sh: the posters served at /v/<venue>/poster.pdf|svg|png:
# the right types and headers, and a PNG whose QR code scans back to the
# venue URL with the pin that `sanilog poster` writes, in every paper
# (?paper=a4|a5|a6|letter) and language (?lang=, Accept-Language), with
# the heading in the language asked for (where pdftotext is installed).
#
#   SANILOG=/abs/path/to/sanilog tests/web/test_poster_route.sh
#
# RUNNER, when set, prefixes the server (e.g. valgrind).
# Exit status: 0 when every check passed, 1 otherwise, 2 when it cannot run.

HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../lib/test.sh
. "$HERE/../lib/test.sh"
test_begin test_poster_route sanilog curl

sl init --origin poster.test/log --base-url http://poster.test >/dev/null 2>&1
V=$(sl venue add --name "Caffè Ünïcode" --address "Via 1" --json |
	sed -n 's/.*"venue": "\([^"]*\)".*/\1/p')
printf '%%PDF-1.4\ntest\n' >doc.pdf
sl cert add --venue "$V" --file doc.pdf --type sanitization --title T \
	--performed 2026-01-01 >/dev/null

# The server renders posters, and fontconfig keeps its cache until exit:
# no leak check for it either (a leak report would be its exit status).
ASAN_OPTIONS=detect_leaks=0 serve_db "$DB" 2 --no-access-log

# status URL [CURL ARGS...]: the status of a request.
status() {
	curl -s -o /dev/null -w '%{http_code}' "$@" || true
}
# headers FILE: the security headers are in the headers FILE.
headers() {
	grep -qi "^x-content-type-options: nosniff" "$1" &&
		grep -qi "^content-security-policy:" "$1"
}

for f in pdf svg png; do
	code=$(curl -s -D h.$f -o p.$f -w '%{http_code}' "$URL/v/$V/poster.$f")
	check "poster.$f: 200 ($code)" test "$code" = 200
	check "poster.$f: security headers" headers h.$f
done
check "poster.pdf is a PDF" test "$(head -c 5 p.pdf)" = "%PDF-"
check "poster.svg is SVG" grep -q "<svg" p.svg
check "poster.svg is served as SVG" \
	grep -qi "^content-type: image/svg+xml" h.svg
check "poster.png is a PNG" grep -qi "^content-type: image/png" h.png

# fontconfig keeps its cache until exit: no leak check for the poster.
want=$(ASAN_OPTIONS=detect_leaks=0 sl poster "$V" -o cli.png --json |
	sed -n 's/.*"url": "\([^"]*\)".*/\1/p')
got=$("$SANILOG" scan p.png)
check "sanilog poster printed its URL" test -n "$want"
check "the served PNG scans to the venue URL with the log's pin ($got)" \
	test "$got" = "$want"
check "the URL is the venue's, with k, n and r" \
	grep -Eq "^http://poster\.test/v/$V#k=.*&n=2&r=" <<<"$got"
declare -A HEADING=([en]="Sanitization record"
	[it]="Registro sanificazioni" [de]="Hygienenachweis"
	[fr]="Registre d'assainissement" [es]="Registro de higienización")
for paper in a4 a5 a6 letter; do
	for lang in en it de fr es; do
		code=$(curl -s -o "p-$paper-$lang.png" -w '%{http_code}' \
			"$URL/v/$V/poster.png?paper=$paper&lang=$lang" || true)
		check "$paper, $lang: 200 ($code)" test "$code" = 200
		got=$("$SANILOG" scan "p-$paper-$lang.png" 2>/dev/null)
		check "$paper, $lang: scans to the venue URL" test "$got" = "$want"
	done
done
if command -v pdftotext >/dev/null; then
	for lang in en it de fr es; do
		curl -s -o "h-$lang.pdf" -H "Accept-Language: $lang" \
			"$URL/v/$V/poster.pdf?paper=letter"
		check "Accept-Language $lang: the heading in $lang" \
			grep -qF "${HEADING[$lang]}" <(pdftotext "h-$lang.pdf" -)
	done
	check "the heading in English too" \
		grep -qF "Hygienenachweis · Sanitization record" \
		<(pdftotext h-de.pdf -)
	check "letter: 612 x 792 points" grep -q "Page size: *612 x 792" \
		<(pdfinfo h-en.pdf)
else
	echo "  (pdftotext is not installed: the headings are not read)" >&2
fi
code=$(curl -s -o a3.txt -w '%{http_code}' "$URL/v/$V/poster.png?paper=a3" ||
	true)
check "paper a3: 400 ($code)" test "$code" = 400
check "paper a3: the error names letter" grep -q "letter" a3.txt
code=$(status "$URL/v/$V/poster.png?paper=LETTER")
check "paper LETTER: 400 ($code)" test "$code" = 400
code=$(status "$URL/v/abcdefgh/poster.pdf")
check "unknown venue: 404 ($code)" test "$code" = 404
code=$(status -X POST "$URL/v/$V/poster.pdf")
check "POST: 405 ($code)" test "$code" = 405

test_end
