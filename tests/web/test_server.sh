#!/usr/bin/env bash
#
# test_server.sh: `sanilog serve` driven with curl.
#
#   SANILOG=/abs/path/to/sanilog tests/web/test_server.sh
#
# Builds a log with the CLI in a temporary directory, starts the server on
# 127.0.0.1 on a free port, and checks every route and every bad input
# from tables of (method, path, expected status, header, body); then what
# must equal the CLI's output (checkpoint, bundle, proofs, documents,
# tiles), the owner API (uploads, revocations, attestations, every way to
# get them wrong, 429, 503), a crash under concurrent uploads (SIGKILL,
# restart: every upload that got 201 is in the log and it verifies), a
# clean stop on SIGTERM that still answers the upload in flight, and a
# venue of 4,500 documents, shown a page of its history at a time.
# RUNNER, when set, prefixes the server (e.g. valgrind).
# Exit status: 0 when every check passed, 1 otherwise, 2 when it cannot run.

HERE=$(cd "$(dirname "$0")" && pwd)

# shellcheck source=../lib/test.sh
. "$HERE/../lib/test.sh"
test_begin test_server sanilog curl sqlite3 sha256sum od dd gzip timeout

# ---------------------------------------------------------------------------
# The server.

start_server() { serve_db "$DB" 2 "$@"; }

# ---------------------------------------------------------------------------
# Requests.  req METHOD PATH STATUS [CURL ARGS...]: body in ./body, headers
# in ./hdr (CR stripped).  Every response must carry the security headers,
# with one Content-Security-Policy: $CSP, or a document's own sandbox.

CSP="default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"

req() {
	local method=$1 path=$2 want=$3 code
	shift 3
	local how=(-X "$method")
	[ "$method" = HEAD ] && how=(-I)
	code=$(curl -s --path-as-is -o body -D hdr.raw -w '%{http_code}' \
		"${how[@]}" "$@" "$URL$path") || code="curl-error-$?"
	tr -d '\r' <hdr.raw >hdr
	LAST="$method $path"
	if [ "$code" != "$want" ]; then
		bad "$LAST: status $code, expected $want"
		test_show body >&2
		return 0
	fi
	ok "$LAST: $want"
	if [ "$code" != 000 ]; then
		local csp=$CSP
		case $path:$code in /d/*:200) csp=sandbox ;; esac
		[ "$(grep -c '^Content-Security-Policy:' hdr)" = 1 ] &&
			grep -qxF "Content-Security-Policy: $csp" hdr &&
			grep -qx 'X-Content-Type-Options: nosniff' hdr &&
			grep -qx 'Referrer-Policy: no-referrer' hdr ||
			bad "$LAST: security headers missing"
	fi
}

same() { # same FILE1 FILE2 WHAT
	if cmp -s "$1" "$2"; then ok; else bad "$3: differs"; fi
}

# table: lines "METHOD|PATH|STATUS|HEADER REGEX|BODY REGEX[|REQUEST HEADER]"
# from stdin.
table() {
	local method path status h b rh
	while IFS='|' read -r method path status h b rh; do
		case $method in '' | '#'*) continue ;; esac
		req "$method" "$path" "$status" ${rh:+-H "$rh"}
		[ -z "$h" ] || hdr_has "$h"
		[ -z "$b" ] || body_has "$b"
	done
}

leaf_of() { # leaf_of INDEX: the leaf hash of an entry, from the CLI
	{ printf '\0'; sl entry "$1"; } | sha256sum | cut -d' ' -f1
}

# ---------------------------------------------------------------------------
echo "== setup"

sl init --origin test.example/log >/dev/null 2>&1
sl venue add --name 'Bar <script>alert(1)</script>' --address 'Via Roma 1' \
	--json >v1.json
sl venue add --name 'Palestra Sole' --address 'Via Sole 2' --json >v2.json
V1=$(json_field v1.json venue)
T1=$(json_field v1.json token)
V2=$(json_field v2.json venue)
T2=$(json_field v2.json token)
sl cert add --venue "$V1" --file "$DOCS/ozone.pdf" --type sanitization \
	--title 'Ozono <b>' --performed 2025-01-10 >/dev/null
sl cert add --venue "$V1" --file "$DOCS/pest.png" --type pest-control \
	--title 'Pest' --performed 2025-01-11 >/dev/null
sl cert add --venue "$V2" --file "$DOCS/water.jpg" --type water \
	--title 'Water' --performed 2025-01-12 >/dev/null
sl provider keygen --name cleanco.example --out prov.key >prov.vkey
sl provider add "$(cat prov.vkey)" --display-name 'CleanCo' >/dev/null
SHA_PDF=$(sha256sum "$DOCS/ozone.pdf" | cut -d' ' -f1)
SHA_PNG=$(sha256sum "$DOCS/pest.png" | cut -d' ' -f1)
SHA_JPG=$(sha256sum "$DOCS/water.jpg" | cut -d' ' -f1)
ZERO=$(printf '%064d' 0)

start_server

# ---------------------------------------------------------------------------
echo "== a second server on the same port"

# Two servers sharing a port would split the clients between two logs.
"$SANILOG" init --origin other.example/log --db other.db >/dev/null 2>&1
code=0
timeout 10 "$SANILOG" serve --db other.db --listen "${URL#http://}" \
	>second.out 2>&1 || code=$?
check "the second server exits 2 (got $code)" test "$code" = 2
check "it says the address is in use" grep -q 'address in use' second.out

# ---------------------------------------------------------------------------
echo "== read routes"

table <<EOF
GET|/|200|^Content-Type: text/html; charset=utf-8|<html
HEAD|/|200|^Content-Type: text/html|
GET|/?lang=it|200||lang="it"
GET|/v/$V1|200|^Cache-Control: no-cache|<html
HEAD|/v/$V1|200|^Content-Type: text/html|
GET|/v/?id=$V1|303|^Location: /v/$V1$|
GET|/v/?id=$(echo "$V1" | tr a-z A-Z | sed 's/..../&-/')&lang=it|303|^Location: /v/$V1\?lang=it$|
GET|/v/?id=nope|400|^Content-Type: text/html|<html
GET|/v/|400||
GET|/v/zzzzzzzz|404|^Content-Type: text/html|<html
GET|/v/not-a-venue|404|^Content-Type: text/html|
GET|/v/$V1/bundle.json|200|^Content-Type: application/json|"origin"
GET|/v/zzzzzzzz/bundle.json|404|^Content-Type: application/json|"code":"not_found"
GET|/d/$SHA_PDF|200|^Content-Type: application/pdf|
GET|/d/$SHA_PNG|200|^Content-Type: image/png|
GET|/d/$SHA_JPG|200|^Cache-Control: public, max-age=31536000, immutable|
GET|/d/$ZERO|404|^Content-Type: application/json|"code":"not_found"
GET|/d/$(echo "$SHA_PDF" | tr a-f A-F)|404||
GET|/d/abc|404||
GET|/checkpoint|200|^Cache-Control: no-cache|^test.example/log$
HEAD|/checkpoint|200|^Content-Type: text/plain; charset=utf-8|
GET|/checkpoint/1|200|^Cache-Control: public, max-age=31536000, immutable|
GET|/checkpoint/0|200||^0$
GET|/checkpoint/999|404||"code":"not_found"
GET|/checkpoint/01|404||
GET|/checkpoint/x|404||
GET|/proof/inclusion?index=0&size=3|200|^Content-Type: text/plain|
GET|/proof/inclusion?size=3|400|^Content-Type: application/json|"message":"index: missing"
GET|/proof/inclusion?index=0|400||"message":"size: missing"
GET|/proof/inclusion?index=x&size=3|400||"message":"index: not a
GET|/proof/inclusion?index=-1&size=3|400||"message":"index: not a
GET|/proof/inclusion?index=01&size=3|400||"message":"index: not a
GET|/proof/inclusion?index=3&size=3|400||"message":"index: out of range
GET|/proof/inclusion?index=0&size=0|400||"message":"size: out of range
GET|/proof/inclusion?index=0&size=999|400||"message":"size: out of range
GET|/proof/inclusion?index=0&size=99999999999999999999|400||"message":"size: not a
GET|/proof/consistency?old=1&new=3|200||
GET|/proof/consistency?old=3&new=3|200||
GET|/proof/consistency?new=3|400||"message":"old: missing"
GET|/proof/consistency?old=1|400||"message":"new: missing"
GET|/proof/consistency?old=4&new=3|400||"message":"old: out of range
GET|/proof/consistency?old=1&new=999|400||"message":"new: out of range
GET|/tile/0/000.p/3|200|^Content-Type: application/octet-stream|
GET|/tile/0/000.p/3|200|^Cache-Control: public, max-age=60|
GET|/tile/entries/000.p/3|200|^Content-Type: application/octet-stream|
GET|/tile/0/000|404||
GET|/tile/entries/000|404||
GET|/tile/0/000.p/999|404||
GET|/tile/0/000.p/0|404||
GET|/tile/0/000.p/256|404||
GET|/tile/0/000.p/03|404||
GET|/tile/00/000.p/1|404||
GET|/tile/0/00.p/1|404||
GET|/tile/0/x000/000.p/1|404||
GET|/tile/0/001.p/1|404||
GET|/tile/1/000.p/1|404||
GET|/tile/64/000.p/1|404||
GET|/tile/0/x999/x999/x999/x999/x999/x999/x999/999|404||
GET|/tile/|404||
GET|/assets/style.css|200|^Content-Type: text/css|
GET|/assets/verify.js|200|^Content-Type: text/javascript|
GET|/assets/nope.js|404||
GET|/assets/.hidden|404||
GET|/healthz|200|^Cache-Control: no-store|^ok$
GET|/metrics|200|^Content-Type: text/plain; version=0.0.4|^sanilog_http_requests_total\{route="index",code="200"\}
GET|/nope|404|^Content-Type: application/json|"code":"not_found"
GET|/v|404||
GET|/checkpoint/|404||
GET|//checkpoint|404||
GET|/./checkpoint|404||
GET|/d/../checkpoint|404||
GET|/assets/../../log.db|404||
GET|/assets/..%2f..%2flog.db|404||
GET|/v/..%2f..%2fcheckpoint|404||
GET|/%63heckpoint|404||
GET|/v/$V1%2fbundle.json|404||
GET|/checkpoint%00|404||
POST|/checkpoint|405|^Allow: GET, HEAD$|"code":"method_not_allowed"
PUT|/v/$V1|405|^Allow: GET, HEAD$|
DELETE|/d/$SHA_PDF|405|^Allow: GET, HEAD$|
OPTIONS|/|405|^Allow: GET, HEAD$|
GET|/api/v1/venues/$V1/documents|405|^Allow: POST$|
HEAD|/api/v1/venues/$V1/revocations|405|^Allow: POST$|
EOF

# Over-long request targets: 414, whatever the path.
LONG=$(head -c 2100 /dev/zero | tr '\0' a)
req GET "/$LONG" 414
req GET "/checkpoint?x=$LONG" 414
req GET "/$(head -c 2040 /dev/zero | tr '\0' a)" 404

# Framing as RFC 9112 asks, each answered at once on a connection of its
# own.  raw NAME STATUS FORMAT [ARGS...]: the request printf makes; the
# status line must come within 3 s (STATUS may list several: 200|431).
raw() {
	local name=$1 want=$2 hostport=${URL#http://} got
	shift 2
	exec 3<>"/dev/tcp/${hostport%:*}/${hostport#*:}"
	# The server may answer and close before the request is all sent.
	# shellcheck disable=SC2059
	(
		trap '' PIPE
		printf "$@"
	) >&3 2>/dev/null || true
	got=$(timeout 3 head -n 1 <&3 | tr -d '\r') || true
	exec 3<&-
	local code=
	case $got in "HTTP/1."[01]" "*) code=${got#HTTP/1.? } code=${code%% *} ;; esac
	case "|$want|" in
	*"|${code:-none}|"*) ok ;;
	*) bad "$name: '${got:-no answer}', expected $want" ;;
	esac
}
H='Host: x\r\n'
raw "two Content-Lengths that differ" 400 "POST /owner/login HTTP/1.1\r\n${H}Content-Length: 3\r\nContent-Length: 5\r\n\r\nabcde"
raw "two Content-Lengths that agree" 200 "GET /checkpoint HTTP/1.1\r\n${H}Content-Length: 0\r\nContent-Length: 0\r\n\r\n"
raw "a space before a colon" 400 "POST /owner/login HTTP/1.1\r\n${H}Transfer-Encoding : chunked\r\nContent-Length: 4\r\n\r\n0\r\n\r\n"
raw "a name that is not a token" 400 "GET /checkpoint HTTP/1.1\r\n${H}X(y): 1\r\n\r\n"
raw "an unknown transfer coding" 501 "POST /owner/login HTTP/1.1\r\n${H}Transfer-Encoding: gzip\r\n\r\nabc"
raw "a coding before chunked" 501 "POST /owner/login HTTP/1.1\r\n${H}Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n"
raw "a second Transfer-Encoding line" 501 "POST /owner/login HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\nTransfer-Encoding: x\r\n\r\n0\r\n\r\n"
raw "chunked twice" 400 "POST /owner/login HTTP/1.1\r\n${H}Transfer-Encoding: chunked, chunked\r\n\r\n0\r\n\r\n"
raw "chunked with Content-Length" 400 "POST /owner/login HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n"
raw "chunked in HTTP/1.0" 400 "POST /owner/login HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"
raw "HTTP/1.1 without Host" 400 'GET /checkpoint HTTP/1.1\r\n\r\n'
raw "HTTP/1.1 with two Hosts" 400 "GET /checkpoint HTTP/1.1\r\n${H}Host: y\r\n\r\n"
raw "HTTP/1.0 without Host" 200 'GET /checkpoint HTTP/1.0\r\n\r\n'
raw "a NUL in the path" 400 "GET /assets/style.css\\000/../x HTTP/1.1\r\n${H}\r\n"
raw "a NUL in the query" 400 "GET /checkpoint?a=\\000b HTTP/1.1\r\n${H}\r\n"
raw "a plain request on the same footing" 200 "GET /assets/style.css HTTP/1.1\r\n${H}\r\n"
# Over-long targets of any length: 414, though libmicrohttpd's memory
# for the connection (16 KiB) leaves no room for a reply near 16,000.
for n in 2049 8000 15000 15990 16000 16020 16040 16060 16080 16100 16200 \
	16400 17000 40000; do
	raw "a target of $n bytes" 414 "GET /%s HTTP/1.1\r\n${H}\r\n" \
		"$(head -c $((n - 1)) /dev/zero | tr '\0' a)"
done
# Heads of many cookies near what a connection's memory holds: an answer
# every time (200, or 431 past HTTP_HEAD_MAX), never a connection closed
# without one, as when the head left no room for the reply's.
C150=$(seq 0 149 | sed 's/.*/c&=v/' | paste -sd ';')
for pad in $(seq 3000 100 5000); do
	raw "150 cookies and $pad bytes more" "200|431" \
		"GET /v/$V1 HTTP/1.1\r\n${H}Cookie: %s\r\nX-Pad: %s\r\n\r\n" \
		"$C150" "$(head -c "$pad" /dev/zero | tr '\0' p)"
done
raw "a head of 400 cookies" 431 "GET /v/$V1 HTTP/1.1\r\n${H}Cookie: %s\r\n\r\n" \
	"$(seq 0 399 | sed 's/.*/c&=v/' | paste -sd ';')"
# A GET with a body: refused, not read.
req GET /checkpoint 413 --data-binary 'x=1'

# Pages escape what the log holds.
req GET "/v/$V1" 200
check "venue page escapes the venue name" \
	grep -q 'Bar &lt;script&gt;alert(1)&lt;/script&gt;' body
check "venue page has no raw script from the log" \
	bash -c '! grep -q "<script>alert" body'

# What the CLI says, byte for byte.
req GET /checkpoint 200
sl checkpoint >cli.out
same body cli.out "/checkpoint vs sanilog checkpoint"
req GET /checkpoint/3 200
sl checkpoint --size 3 >cli.out
same body cli.out "/checkpoint/3 vs sanilog checkpoint --size 3"
req GET "/v/$V1/bundle.json" 200
sl export --venue "$V1" >cli.out
same body cli.out "bundle.json vs sanilog export"
for args in "0 6" "2 6" "5 6" "3 4"; do
	set -- $args
	req GET "/proof/inclusion?index=$1&size=$2" 200
	sl proof inclusion "$1" --size "$2" >cli.out
	same body cli.out "inclusion $1 $2 vs sanilog proof"
done
for args in "0 6" "1 6" "3 6" "6 6" "2 5"; do
	set -- $args
	req GET "/proof/consistency?old=$1&new=$2" 200
	sl proof consistency "$1" "$2" >cli.out
	same body cli.out "consistency $1 $2 vs sanilog proof"
done

# Documents round-trip byte for byte, sandboxed, cached for good.
for f in ozone.pdf pest.png water.jpg; do
	sha=$(sha256sum "$DOCS/$f" | cut -d' ' -f1)
	req GET "/d/$sha" 200
	same body "$DOCS/$f" "/d/ of $f"
	hdr_has '^Content-Security-Policy: sandbox$'
	check "/d/ of $f: one Content-Security-Policy" \
		test "$(grep -c '^Content-Security-Policy:' hdr)" = 1
	hdr_has '^Cache-Control: public, max-age=31536000, immutable$'
	hdr_has "^ETag: \"$sha\"$"
done
req GET "/d/$SHA_PDF" 304 -H "If-None-Match: \"$SHA_PDF\""

# Assets go gzipped to a client that takes gzip, as the same bytes.
req GET /assets/verify.js 200
cp body verify.plain
req GET /assets/verify.js 200 -H 'Accept-Encoding: br, gzip'
hdr_has '^Content-Encoding: gzip$'
hdr_has '^Vary: Accept-Encoding$'
gzip -dc <body >verify.unz 2>/dev/null || true
same verify.unz verify.plain "gzipped verify.js"
req GET /assets/verify.js 200 -H 'Accept-Encoding: gzip;q=0'
check "gzip;q=0 is not gzipped" bash -c '! grep -qi "^Content-Encoding" hdr'

# Pages and bundles go gzipped to a client that takes gzip, with the same
# headers (security headers included) and Vary: Accept-Encoding; never to
# one that does not take it, nor when short.  The venue page and the
# bundle are cached: asked plain first (a copy made, its gzipped variant
# with it) and gzipped first.
table <<EOF
GET|/|200|^Vary: Accept-Language, Accept-Encoding$||Accept-Encoding: gzip
GET|/|200|^Content-Encoding: gzip$||Accept-Encoding: gzip
GET|/|200|^Vary: Accept-Language, Accept-Encoding$|<html|Accept-Encoding: gzip;q=0
GET|/v/$V1|200|^Vary: Accept-Language, Accept-Encoding$|<html
GET|/v/$V1|200|^Content-Encoding: gzip$||Accept-Encoding: deflate, gzip, br
HEAD|/v/$V1|200|^Content-Encoding: gzip$||Accept-Encoding: gzip
GET|/v/$V2?lang=it|200|^Content-Encoding: gzip$||Accept-Encoding: gzip
GET|/v/zzzzzzzz|404|^Content-Encoding: gzip$||Accept-Encoding: gzip
GET|/v/zzzzzzzz|404|^Vary: Accept-Encoding$|<html|Accept-Encoding: identity
GET|/nope|404|^Vary: Accept-Encoding$|"code":"not_found"|Accept-Encoding: gzip
GET|/v/$V1/bundle.json|200|^Content-Encoding: gzip$||Accept-Encoding: gzip
GET|/v/$V2/bundle.json|200|^Vary: Accept-Encoding$|"origin"
EOF
# gz_same PATH STATUS ACCEPT-ENCODING: the gzipped answer decompresses to
# the plain one's bytes, with the same headers but Content-Encoding and
# Content-Length (Date aside), and HEAD answers as GET.
gz_same() {
	local path=$1 status=$2 ae=$3 len
	req GET "$path" "$status" -H "Accept-Encoding: $ae"
	hdr_has '^Content-Encoding: gzip$'
	grep -Ev '^(Date|Content-Length|Content-Encoding):' hdr >hdr.gz
	len=$(wc -c <body)
	gzip -dc <body >body.unz 2>/dev/null || true
	req HEAD "$path" "$status" -H "Accept-Encoding: $ae"
	hdr_has "^Content-Length: $len\$"
	hdr_has '^Content-Encoding: gzip$'
	req GET "$path" "$status"
	check "$path: no Content-Encoding unasked" \
		bash -c '! grep -qi "^Content-Encoding" hdr'
	grep -Ev '^(Date|Content-Length):' hdr >hdr.plain
	same body.unz body "$path gzipped vs plain"
	same hdr.gz hdr.plain "$path headers gzipped vs plain"
}
gz_same "/v/$V1" 200 gzip
gz_same "/v/$V2?lang=it" 200 'br;q=1.0, gzip;q=0.8'
gz_same / 200 gzip
gz_same /v/zzzzzzzz 404 gzip
gz_same "/v/?id=nope" 400 gzip
gz_same "/v/$V1/bundle.json" 200 gzip
gz_same "/v/$V2/bundle.json" 200 gzip
# The owner's pages carry a CSRF token: never compressed (BREACH).
req GET /owner/login 200 -H 'Accept-Encoding: gzip'
check "owner login page not gzipped" \
	bash -c '! grep -qi "^Content-Encoding" hdr'

# The assets' ETag revalidates.
req GET /assets/style.css 200
etag=$(sed -n 's/^ETag: //p' hdr)
req GET /assets/style.css 304 -H "If-None-Match: $etag"

# Small tiles: the partial level-0 tile holds the leaf hashes.
size=$(sed -n 2p cli.out 2>/dev/null || true)
size=$(sl checkpoint | sed -n 2p)
req GET "/tile/0/000.p/$size" 200
check "partial tile: $size hashes" test "$(wc -c <body)" -eq $((size * 32))
for i in 0 $((size - 1)); do
	got=$(od -An -tx1 -v -j $((i * 32)) -N 32 body | tr -d ' \n')
	check "tile hash $i is the leaf hash" test "$got" = "$(leaf_of $i)"
done
req GET "/tile/entries/000.p/$size" 200
len=$(od -An -tu1 -N 2 body | awk '{print $1 * 256 + $2}')
dd if=body of=entry0 bs=1 skip=2 count="$len" 2>/dev/null
sl entry 0 >cli.out
same entry0 cli.out "entry bundle: entry 0"

# ---------------------------------------------------------------------------
echo "== owner API"

API=/api/v1/venues
AUTH1="Authorization: Bearer $T1"
pdf() { printf '%%PDF-1.4\n%% %s\n%%%%EOF\n' "$1" >"$2"; }
pdf one doc1.pdf

# upload STATUS VENUE [CURL ARGS...]: an upload with the usual good fields
# unless the args override them.
upload() {
	local want=$1 venue=$2
	shift 2
	req POST "$API/$venue/documents" "$want" "$@"
}

upload 401 "$V1" --interface 127.0.0.3 -F file=@doc1.pdf -F type=other -F title=t -F performed=2025-02-01
hdr_has '^WWW-Authenticate: Bearer'
body_has '"code":"unauthorized"'
body_has '"message":"Authorization: Bearer <owner token> required"'
upload 401 "$V1" --interface 127.0.0.3 -H 'Authorization: Bearer slo_garbage' -F file=@doc1.pdf
body_has '"message":"owner token not valid'
upload 401 "$V1" --interface 127.0.0.3 -H "Authorization: Basic $T1" -F file=@doc1.pdf
body_has '"message":"Authorization: Bearer <owner token> required"'
case $T1 in *A) T1X=${T1%?}B ;; *) T1X=${T1%?}A ;; esac
upload 401 "$V1" --interface 127.0.0.3 -H "Authorization: Bearer $T1X" -F file=@doc1.pdf -F type=other -F title=t -F performed=2025-02-01
upload 403 "$V1" --interface 127.0.0.3 -H "Authorization: Bearer $T2" -F file=@doc1.pdf -F type=other -F title=t -F performed=2025-02-01
body_has '"code":"forbidden"'
upload 404 zzzzzzzz --interface 127.0.0.3 -H "$AUTH1" -F file=@doc1.pdf
upload 404 NOT-A-VENUE --interface 127.0.0.3 -H "$AUTH1" -F file=@doc1.pdf
upload 415 "$V1" -H "$AUTH1" -H 'Content-Type: application/json' -d '{}'
upload 415 "$V1" -H "$AUTH1" -F file=@"$DOCS/fake.pdf" -F type=other -F title=t -F performed=2025-02-01
body_has '"code":"unsupported_media_type"'
upload 400 "$V1" -H "$AUTH1" -F type=other -F title=t -F performed=2025-02-01
body_has '"message":"file: missing"'
upload 400 "$V1" -H "$AUTH1" -F file=@doc1.pdf -F title=t -F performed=2025-02-01
body_has '"message":"type: missing'
upload 400 "$V1" -H "$AUTH1" -F file=@doc1.pdf -F type=cleaning -F title=t -F performed=2025-02-01
body_has '"message":"type: must be'
upload 400 "$V1" -H "$AUTH1" -F file=@doc1.pdf -F type=other -F performed=2025-02-01
body_has '"message":"title: missing"'
upload 400 "$V1" -H "$AUTH1" -F file=@doc1.pdf -F type=other -F "title=$(printf 'a\tb')" -F performed=2025-02-01
body_has '"message":"title'
upload 400 "$V1" -H "$AUTH1" -F file=@doc1.pdf -F type=other -F "title=$(head -c 201 /dev/zero | tr '\0' t)" -F performed=2025-02-01
body_has '"message":"title'
upload 400 "$V1" -H "$AUTH1" -F file=@doc1.pdf -F type=other -F title=t
body_has '"message":"performed: missing"'
upload 400 "$V1" -H "$AUTH1" -F file=@doc1.pdf -F type=other -F title=t -F performed=2025-02-30
body_has '"message":"performed: not a date'
upload 400 "$V1" -H "$AUTH1" -F file=@doc1.pdf -F type=other -F title=t -F performed=2999-01-01
body_has '"message":"performed: after today'
upload 400 "$V1" -H "$AUTH1" -F file=@doc1.pdf -F type=other -F title=t -F performed=2025-02-01 -F expires=2025-01-01
body_has '"message":"expires: before performed"'
upload 400 "$V1" -H "$AUTH1" -F file=@doc1.pdf -F type=other -F title=t -F performed=2025-02-01 -F expires=tomorrow
body_has '"message":"expires: not a date'
upload 400 "$V1" -H "$AUTH1" -F file=@doc1.pdf -F type=other -F title=t -F performed=2025-02-01 -F attestation=x
body_has '"message":"provider: needed'
upload 400 "$V1" -H "$AUTH1" -F file=@doc1.pdf -F type=other -F title=t -F performed=2025-02-01 -F colour=red
body_has '"message":"colour: unknown field"'
upload 400 "$V1" -H "$AUTH1" -F file=@doc1.pdf -F type=other -F title=t -F title=u -F performed=2025-02-01
body_has '"message":"title: given twice"'
upload 400 "$V1" -H "$AUTH1" -F file=@doc1.pdf -F file=@doc1.pdf -F type=other -F title=t -F performed=2025-02-01
body_has '"message":"file: given twice"'
# Bodies over the limit: announced (413 before reading), or chunked.
head -c $((10 * 1024 * 1024 + 1)) /dev/zero >big.pdf
printf '%%PDF-' | dd of=big.pdf conv=notrunc 2>/dev/null
upload 413 "$V1" -H "$AUTH1" -F file=@big.pdf -F type=other -F title=t -F performed=2025-02-01
body_has '"code":"too_large"'
upload 413 "$V1" -H "$AUTH1" -H 'Transfer-Encoding: chunked' -F file=@big.pdf -F type=other -F title=t -F performed=2025-02-01
head -c $((12 * 1024 * 1024)) /dev/zero >huge.bin
upload 413 "$V1" -H "$AUTH1" -H 'Transfer-Encoding: chunked' -H 'Content-Type: multipart/form-data; boundary=xyzzy' --data-binary @huge.bin
# Nothing of that was logged.
check "bad uploads logged nothing" test "$(sl checkpoint | sed -n 2p)" = "$size"

# A good upload: 201 after the commit, with its index, leaf and checkpoint.
upload 201 "$V1" -H "$AUTH1" -F file=@doc1.pdf -F type=sanitization -F 'title=Via <API>' -F performed=2025-02-01 -F expires=2025-08-01 -F provider='CleanCo (not attested)'
hdr_has '^Content-Type: application/json'
index=$(json_field body index)
leaf=$(json_field body leaf)
check "upload: index $index is the next" test "$index" = "$size"
check "upload: leaf hash" test "$leaf" = "$(leaf_of "$index")"
check "upload: checkpoint" grep -q '"checkpoint": "test.example/log\\n'"$((size + 1))"'\\n' body
sl entry "$index" >entry.txt
check "upload: submitted-by owner" grep -qx 'submitted-by owner' entry.txt
check "upload: title kept as given" grep -qx 'title Via <API>' entry.txt
req GET "/d/$(sha256sum doc1.pdf | cut -d' ' -f1)" 200
same body doc1.pdf "uploaded document"
# The same document again is a new entry (it is stored once).
upload 201 "$V1" -H "$AUTH1" -F file=@doc1.pdf -F type=form -F title=again -F performed=2025-02-02
# mp_body BOUNDARY TITLE TEXT: a good upload's multipart body, its file a
# PDF of TEXT.
mp_body() {
	printf -- '--%s\r\nContent-Disposition: form-data; name="type"\r\n\r\nother\r\n--%s\r\nContent-Disposition: form-data; name="title"\r\n\r\n%s\r\n--%s\r\nContent-Disposition: form-data; name="performed"\r\n\r\n2025-02-01\r\n--%s\r\nContent-Disposition: form-data; name="file"; filename="d.pdf"\r\nContent-Type: application/pdf\r\n\r\n%%PDF-1.4 %s\r\n--%s--\r\n' "$1" "$1" "$2" "$1" "$1" "$3" "$1"
}
# A body that arrives in two reads, cut inside a value: one upload.
split_upload() { # split_upload CUT: the body cut after the text CUT
	local hostport=${URL#http://} b=sanilogsplit body head tail
	body=$(mp_body "$b" 'split in two' "split $1")
	head=${body%%"$1"*}$1
	tail=${body#"$head"}
	exec 3<>"/dev/tcp/${hostport%:*}/${hostport#*:}"
	printf 'POST %s/%s/documents HTTP/1.1\r\nHost: %s\r\n%s\r\nContent-Type: multipart/form-data; boundary=%s\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s' \
		"$API" "$V1" "$hostport" "$AUTH1" "$b" "${#body}" "$head" >&3
	sleep 0.3
	printf '%s' "$tail" >&3
	timeout 10 cat <&3 >split.out || true
	exec 3<&-
}
split_upload '%'
check "an upload cut after the % of %PDF is logged" grep -q '^HTTP/1.1 201' split.out
split_upload 'split i'
check "an upload cut inside its title is logged" grep -q '^HTTP/1.1 201' split.out

# Names of media types and their parameters in any case (RFC 9110), the
# boundary as given; a parameter after the boundary.
mp_body UpperBoundary 'upper case' 'upper case' >mp.txt
upload 201 "$V1" -H "$AUTH1" -H 'Content-Type: MULTIPART/FORM-DATA; BOUNDARY=UpperBoundary' --data-binary @mp.txt
upload 201 "$V1" -H "$AUTH1" -H 'Content-Type: Multipart/Form-Data;charset=utf-8; Boundary="UpperBoundary" ; x=y' --data-binary @mp.txt
upload 201 "$V1" -H "$AUTH1" -H 'Content-Type: multipart/form-data; xboundary=1; boundary=UpperBoundary' --data-binary @mp.txt
upload 400 "$V1" -H "$AUTH1" -H 'Content-Type: multipart/form-data; boundary=upperboundary' --data-binary @mp.txt
upload 415 "$V1" -H "$AUTH1" -H 'Content-Type: multipart/form-data' --data-binary @mp.txt
upload 415 "$V1" -H "$AUTH1" -H 'Content-Type: multipart/form-dataz; boundary=UpperBoundary' --data-binary @mp.txt
upload 415 "$V1" -H "$AUTH1" -H 'Content-Type: multipart/form-data; boundary=UpperBoundary; boundary=x' --data-binary @mp.txt
req POST "$API/$V1/revocations" 400 -H "$AUTH1" -H 'Content-Type: Application/X-WWW-Form-URLencoded' --data-binary 'seq=999&reason=upper+case+type'
body_has 'no such earlier entry'

# With a provider attestation, as a file and as a text field.
sl attest --key prov.key --venue "$V1" --file "$DOCS/protocol.pdf" \
	--type sanitization --performed 2025-02-03 -o att.txt
upload 201 "$V1" -H "$AUTH1" -F file=@"$DOCS/protocol.pdf" -F type=sanitization -F title=Attested -F performed=2025-02-03 -F provider=cleanco.example -F attestation=@att.txt
sl entry "$(json_field body index)" >entry.txt
check "attested upload: attestation line" grep -q '^attestation cleanco.example+' entry.txt
upload 201 "$V1" -H "$AUTH1" -F file=@"$DOCS/protocol.pdf" -F type=sanitization -F title=Again -F performed=2025-02-03 -F provider=cleanco.example -F "attestation=<att.txt"
# An attestation of other facts does not verify.
upload 400 "$V1" -H "$AUTH1" -F file=@"$DOCS/protocol.pdf" -F type=sanitization -F title=Lie -F performed=2025-02-04 -F provider=cleanco.example -F attestation=@att.txt
body_has '"code":"bad_signature"'
upload 400 "$V1" -H "$AUTH1" -F file=@"$DOCS/protocol.pdf" -F type=sanitization -F title=Who -F performed=2025-02-03 -F provider=nobody.example -F attestation=@att.txt
body_has '"message":"provider nobody.example'

# Revocations.
REV="$API/$V1/revocations"
req POST "$REV" 401 --interface 127.0.0.3 -d seq=1 -d reason=wrong
req POST "$REV" 403 --interface 127.0.0.3 -H "Authorization: Bearer $T2" -d seq=1 -d reason=wrong
req POST "$REV" 400 -H "$AUTH1" -d reason=wrong
body_has '"message":"seq: missing'
req POST "$REV" 400 -H "$AUTH1" -d seq=one -d reason=wrong
body_has '"message":"seq: not a whole number'
req POST "$REV" 400 -H "$AUTH1" -d seq=1
body_has '"message":"reason: missing"'
# A seq that cannot be revoked is a bad field: 400 (DESIGN.md's statuses).
req POST "$REV" 400 -H "$AUTH1" -d seq=0 -d reason=wrong
body_has '"code":"invalid"'
body_has 'not a document'
req POST "$REV" 400 -H "$AUTH1" -d seq=999 -d reason=wrong
body_has 'no such earlier entry'

req POST "$REV" 201 -H "$AUTH1" -F seq=1 -F 'reason=Wrong <file>'
sl entry "$(json_field body index)" >entry.txt
check "revocation entry" grep -qx 'revokes 1' entry.txt
req POST "$REV" 400 -H "$AUTH1" -d seq=1 -d reason=twice
body_has 'already revoked'

check "verify after uploads" sl verify >verify.out 2>&1
req GET "/v/$V1" 200
check "venue page escapes uploaded titles" grep -q 'Via &lt;API&gt;' body

# Pages and bundles are kept, but never past a change of the log, even
# one made by another process.
req GET "/v/$V1/bundle.json" 200
req GET "/v/$V1" 200
sl cert add --venue "$V1" --file "$DOCS/water.jpg" --type water \
	--title 'Added by the CLI' --performed 2025-02-05 >/dev/null
sleep 0.1
req GET "/v/$V1" 200
body_has 'Added by the CLI'
req GET "/v/$V1/bundle.json" 200
body_has 'Added by the CLI'
sl export --venue "$V1" >cli.out
same body cli.out "bundle.json after a CLI write"
sqlite3 "$DB" "UPDATE entries SET data = CAST(replace(CAST(data AS TEXT),
	'Added by the CLI', 'Added by someone') AS BLOB)
	WHERE CAST(data AS TEXT) LIKE '%Added by the CLI%'"
sleep 0.1
req GET "/v/$V1/bundle.json" 200
body_has 'Added by someone'
sqlite3 "$DB" "UPDATE entries SET data = CAST(replace(CAST(data AS TEXT),
	'Added by someone', 'Added by the CLI') AS BLOB)
	WHERE CAST(data AS TEXT) LIKE '%Added by someone%'"

# Repeated failed logins from one address: 429 with Retry-After, for that
# address only (127.0.0.2 is this machine too).
got429=0
for _ in $(seq 1 14); do
	code=$(curl -s -o body -D hdr.raw -w '%{http_code}' --interface 127.0.0.2 \
		-H 'Authorization: Bearer slo_wrong' -F seq=1 -F reason=x \
		"$URL$REV") || true
	if [ "$code" = 429 ]; then got429=1; break; fi
done
check "429 after repeated failures" test "$got429" = 1
check "429 has Retry-After" grep -qi '^Retry-After: [1-9]' hdr.raw
code=$(curl -s -o /dev/null -w '%{http_code}' --interface 127.0.0.2 \
	-H "$AUTH1" -F file=@doc1.pdf -F type=other -F title=t \
	-F performed=2025-02-01 "$URL$API/$V1/documents") || true
check "429 even with the right token from that address" test "$code" = 429
upload 201 "$V1" -H "$AUTH1" -F file=@doc1.pdf -F type=other -F title=other-address -F performed=2025-02-01

# A database locked past the busy timeout: 503 with Retry-After.
{ echo 'BEGIN IMMEDIATE;'; sleep 7; echo 'COMMIT;'; } | sqlite3 "$DB" &
LOCK_PID=$!
sleep 0.3
upload 503 "$V1" -H "$AUTH1" -F file=@doc1.pdf -F type=other -F title=busy -F performed=2025-02-01
hdr_has '^Retry-After: [1-9]'
body_has '"code":"busy"'
req GET /checkpoint 200
wait "$LOCK_PID"
upload 201 "$V1" -H "$AUTH1" -F file=@doc1.pdf -F type=other -F title=after-busy -F performed=2025-02-01
# A failure of the database: 500, and its details only in the server's
# log (a trigger stands for a broken disk).
sqlite3 "$DB" "CREATE TRIGGER broken BEFORE INSERT ON entries BEGIN SELECT RAISE(ABORT, 'disk detail 7f3a'); END;"
upload 500 "$V1" -H "$AUTH1" -F file=@doc1.pdf -F type=other -F title=broken -F performed=2025-02-01
body_has '"message":"not logged: internal error"'
check "no details for the client" bash -c "! grep -q 'disk detail' body"
check "the details in the server's log" grep -q 'disk detail 7f3a' serve.err
sqlite3 "$DB" "DROP TRIGGER broken"
upload 201 "$V1" -H "$AUTH1" -F file=@doc1.pdf -F type=other -F title=mended -F performed=2025-02-01

req GET /metrics 200
body_has '^sanilog_uploads_total\{result="logged"\} [1-9]'
body_has '^sanilog_log_size [1-9]'
body_has '^sanilog_http_request_duration_seconds_bucket\{le="\+Inf"\} [1-9]'
body_has '^sanilog_http_requests_total\{route="api_documents",code="413"\} [1-9]'
# The proof cache holds the whole log once a proof has been asked for
# after the last upload (it grows as requests find the log grown).
size=$(sed -n 's/^sanilog_log_size //p' body)
req GET "/proof/inclusion?index=0&size=$size" 200
req GET /metrics 200
body_has "^sanilog_proof_cache_leaves $size\$"
body_has '^sanilog_proof_cache_bytes [1-9]'
# Each series once, the poster's three formats summed in one.  (This
# server has no base URL to print on a poster: 400, saying so.)
for f in pdf svg png; do
	req GET "/v/$V1/poster.$f" 400
	body_has '"message":"cannot make this poster: no base URL'
done
req GET /metrics 200
check "no series twice in /metrics" \
	bash -c "! grep -v '^#' body | sed 's/ [0-9]*\$//' | sort | uniq -d | grep -q ."
body_has '^sanilog_http_requests_total\{route="poster",code="400"\} 3$'

# The access log: one line per request, never a token.
check "access log lines" grep -q "\"POST $API/$V1/documents\" 201 " serve.err
check "no token in the access log" bash -c "! grep -q 'slo_' serve.err"

# ---------------------------------------------------------------------------
echo "== crash under concurrent uploads"

mkdir -p crash
pids=()
for w in 1 2 3 4 5 6 7 8; do
	(
		for i in $(seq 1 400); do
			[ -e crash/stop ] && break
			pdf "w$w-$i" "crash/$w-$i.pdf"
			code=$(curl -s -o "crash/$w-$i.json" -w '%{http_code}' \
				-H "$AUTH1" -F file=@"crash/$w-$i.pdf" \
				-F type=other -F "title=crash $w $i" \
				-F performed=2025-03-01 \
				"$URL$API/$V1/documents") || break
			[ "$code" = 201 ] && echo "$w-$i" >>"crash/ok.$w"
		done
	) &
	pids+=($!)
done
sleep 2
stop_server 9
touch crash/stop
wait "${pids[@]}"
acked=$(cat crash/ok.* 2>/dev/null | wc -l)
check "uploads were acknowledged before the crash ($acked)" test "$acked" -gt 20
start_server
missing=0
for f in $(cat crash/ok.*); do
	index=$(json_field "crash/$f.json" index)
	leaf=$(json_field "crash/$f.json" leaf)
	if [ "$(leaf_of "$index")" != "$leaf" ]; then
		missing=$((missing + 1))
		echo "    upload $f (index $index) is not in the log" >&2
	fi
done
check "every acknowledged upload survived the crash" test "$missing" = 0
check "verify after the crash" sl verify >verify.out 2>&1 ||
	sed 's/^/      | /' verify.out >&2

# ---------------------------------------------------------------------------
echo "== full tiles"

# At least 256 + 8 entries, so that full tiles exist.
n=$(sl checkpoint | sed -n 2p)
if [ "$n" -lt 264 ]; then
	pids=()
	for w in 1 2 3 4; do
		(
			i=0
			while [ $((i * 4)) -lt $((264 - n)) ]; do
				i=$((i + 1))
				pdf "fill-$w-$i" "crash/fill-$w-$i.pdf"
				curl -s -o /dev/null -H "$AUTH1" \
					-F file=@"crash/fill-$w-$i.pdf" \
					-F type=other -F title=fill \
					-F performed=2025-03-02 \
					"$URL$API/$V1/documents"
			done
		) &
		pids+=($!)
	done
	wait "${pids[@]}"
fi
n=$(sl checkpoint | sed -n 2p)
check "log of $n entries has full tiles" test "$n" -ge 264
req GET /tile/0/000 200
hdr_has '^Cache-Control: public, max-age=31536000, immutable$'
check "full tile is 8192 bytes" test "$(wc -c <body)" -eq 8192
cp body tile0
for i in 0 17 255; do
	got=$(od -An -tx1 -v -j $((i * 32)) -N 32 tile0 | tr -d ' \n')
	check "full tile hash $i" test "$got" = "$(leaf_of $i)"
done
req GET /tile/0/000.p/7 200
check "partial of a full tile" test "$(wc -c <body)" -eq 224
req GET "/tile/0/001.p/$((n - 256))" 200
req GET "/tile/0/001.p/$((n - 255))" 404
req GET /tile/entries/000 200
hdr_has '^Cache-Control: public, max-age=31536000, immutable$'
len=$(od -An -tu1 -N 2 body | awk '{print $1 * 256 + $2}')
dd if=body of=entry0 bs=1 skip=2 count="$len" 2>/dev/null
sl entry 0 >cli.out
same entry0 cli.out "full entry bundle: entry 0"
# The level-1 tile's first hash is the root of the first 256 leaves,
# rebuilt here from the level-0 tile.
hashes=()
for i in $(seq 0 255); do
	hashes+=("$(od -An -tx1 -v -j $((i * 32)) -N 32 tile0 | tr -d ' \n')")
done
while [ ${#hashes[@]} -gt 1 ]; do
	next=()
	for ((i = 0; i < ${#hashes[@]}; i += 2)); do
		bin=$(printf '01%s%s' "${hashes[i]}" "${hashes[i + 1]}" |
			sed 's/../\\x&/g')
		next+=("$(printf "$bin" | sha256sum | cut -d' ' -f1)")
	done
	hashes=("${next[@]}")
done
req GET /tile/1/000.p/1 200
got=$(od -An -tx1 -v -N 32 body | tr -d ' \n')
check "level-1 tile hash is the root of tile 0" test "$got" = "${hashes[0]}"
req GET /tile/1/000 404

# ---------------------------------------------------------------------------
echo "== proofs from the hash cache"

# This server loaded its hash cache at start and extended it with the
# uploads above; its proofs are the CLI's, as are those of a server
# that keeps no cache.
n=$(sl checkpoint | sed -n 2p)
same_proofs() { # same_proofs LABEL
	for i in 0 1 255 256 $((n / 2)) $((n - 2)) $((n - 1)); do
		req GET "/proof/inclusion?index=$i&size=$n" 200
		sl proof inclusion "$i" --size "$n" >cli.out
		same body cli.out "$1: inclusion $i $n vs sanilog proof"
	done
	for old in 1 7 256 $((n - 1)); do
		req GET "/proof/consistency?old=$old&new=$n" 200
		sl proof consistency "$old" "$n" >cli.out
		same body cli.out "$1: consistency $old $n vs sanilog proof"
	done
}
same_proofs "cache extended"
stop_server TERM
start_server --proof-cache 0
same_proofs "no cache"
stop_server TERM
rc=0
timeout 10 "$SANILOG" serve --db "$DB" --proof-cache lots \
	--listen 127.0.0.1:0 >cache.out 2>&1 || rc=$?
check "--proof-cache: not a number is a usage error (exit 2)" test "$rc" = 2
check "--proof-cache: the message says why" grep -q 'proof-cache' cache.out
rc=0
timeout 10 "$SANILOG" serve --db "$DB" --doc-keys 70000 \
	--listen 127.0.0.1:0 >cache.out 2>&1 || rc=$?
check "--doc-keys: past its most is a usage error (exit 2)" test "$rc" = 2
check "--doc-keys: the message says why" grep -q 'doc-keys: 0 to 65536 MB' cache.out
# Without the key set the writer looks documents up, with a small one it
# does not: either way a new one is logged, a known one is stored no
# second time (test_store.c lets a set go past its bound).
for keys in 0 1; do
	start_server --doc-keys "$keys"
	printf '%%PDF-1.4 doc-keys %s\n' "$keys" >keys.pdf
	upload 201 "$V1" -H "$AUTH1" -F file=@keys.pdf -F type=other \
		-F title="keys $keys" -F performed=2025-02-01
	upload 201 "$V1" -H "$AUTH1" -F file=@keys.pdf -F type=other \
		-F title="keys $keys again" -F performed=2025-02-01
	stop_server TERM
	sha=$(sha256sum keys.pdf | cut -d' ' -f1)
	check "--doc-keys $keys: the document stored once" test \
		"$(sqlite3 "$DB" "SELECT count(*) FROM documents WHERE sha256 = x'$sha'")" = 1
done
# A copy whose stored hashes have a hole: the server says so and serves
# without the cache; the proof that needs the missing hash fails, the
# others do not.
rm -f holed.db
sqlite3 "$DB" "VACUUM INTO 'holed.db'"
cp -r "$DB.docs" holed.db.docs
cp "$DB.key" holed.db.key
# The run that holds hash 2 cut in two around it.
sqlite3 holed.db "INSERT INTO hash_runs(first, hashes) SELECT 3,
		substr(hashes, (3 - first) * 32 + 1) FROM hash_runs
		WHERE first = (SELECT max(first) FROM hash_runs WHERE first <= 2)
		AND length(hashes) > (3 - first) * 32;
	UPDATE hash_runs SET hashes = substr(hashes, 1, (2 - first) * 32)
		WHERE first = (SELECT max(first) FROM hash_runs WHERE first <= 2);
	DELETE FROM hash_runs WHERE length(hashes) = 0"
serve_db holed.db 2
# (the cache loads beside the serving: its message may come after)
for _ in $(seq 1 100); do
	grep -q 'hash cache for proofs holds' serve.err && break
	sleep 0.05
done
check "a hole in the stored hashes: the server says why its cache stops" \
	grep -q 'the hash cache for proofs holds [0-9]* leaves: .*stored hash 2 is missing' serve.err
req GET "/proof/inclusion?index=0&size=$n" 200
code=$(curl -s -o /dev/null -w "%{http_code}" "$URL/proof/inclusion?index=2&size=$n")
check "a hole in the stored hashes: the proof that needs it fails (500)" \
	test "$code" = 500
stop_server TERM
start_server

# ---------------------------------------------------------------------------
echo "== SIGTERM: stop accepting, finish in flight"

head -c 150000 /dev/urandom >slow.pdf
printf '%%PDF-' | dd of=slow.pdf conv=notrunc 2>/dev/null
curl -s -o slow.json -w '%{http_code}' --limit-rate 100K -H "$AUTH1" \
	-F file=@slow.pdf -F type=other -F title=slow -F performed=2025-03-03 \
	"$URL$API/$V1/documents" >slow.code &
SLOW_PID=$!
sleep 0.5
kill -TERM "$SERVER_PID"
sleep 0.2
code=$(curl -s -o /dev/null -w '%{http_code}' "$URL/healthz") || true
check "no new connections after SIGTERM" test "$code" = 000
wait "$SLOW_PID" || true
check "the upload in flight was answered 201" test "$(cat slow.code)" = 201
rc=0
wait "$SERVER_PID" || rc=$?
SERVER_PID=
check "server exits 0 on SIGTERM" test "$rc" = 0
index=$(json_field slow.json index)
check "the upload in flight is in the log" \
	test "$(leaf_of "$index")" = "$(json_field slow.json leaf)"
check "verify at the end" sl verify >verify.out 2>&1

# ---------------------------------------------------------------------------
echo "== a venue of 4,500 documents"

# Its page and its owner's dashboard were a 413 (the renderer's limit on
# its values): a page now shows its part of the history
# (src/web/pages.h), small whatever the venue; the bundle stays whole.
big_venue big.db 4501
serve_db big.db 2
BV=aaaaaaaa
req GET "/v/$BV" 200
n=$(wc -c <body)
check "the newest page of 4,500 documents is small ($n B)" test "$n" -lt 32768
check "it shows the 50 newest documents" \
	test "$(grep -c '<li id="s' body)" = 50
body_has '<li id="s4500">'
body_has '<li id="s4451">'
body_has '<a id="older" href="\?before=4451&amp;lang=en">'
req GET "/v/$BV?before=4451" 200
body_has '<li id="s4450">'
body_has '<li id="s4500">' # the newest valid sanitization, always
body_has '<a id="newest" href="\?lang=en">'
body_has '<a href="\?before=4451&amp;lang=it" lang="it"'
req GET "/v/$BV?before=3&lang=it" 200
body_has 'Mostrati 3 documenti su 4500'
req GET "/v/$BV?before=x" 400
req GET "/v/$BV?before=-1" 400
req GET "/v/$BV?before=01" 400
req GET "/v/$BV/bundle.json" 200
check "the bundle holds all 4,501 entries" \
	test "$(grep -o '"entry":' body | wc -l)" = 4501
stop_server TERM

# ---------------------------------------------------------------------------
echo "== templates and assets from directories"

mkdir -p over/templates over/assets
sed 's|<main id="main">|<main id="main"><p>OVERRIDE-MARKER</p>|' \
	"$HERE/../../templates/index.html" >over/templates/index.html
printf 'body { color: black }\n' >over/assets/style.css
start_server --templates over/templates --assets over/assets
req GET / 200
body_has 'OVERRIDE-MARKER'
req GET /assets/style.css 200 -H 'Accept-Encoding: gzip'
same body over/assets/style.css "overridden style.css"
req GET /assets/verify.js 200
same body verify.plain "verify.js still built in"
stop_server TERM

# ---------------------------------------------------------------------------
echo "== behind a trusted proxy"

# fail_from ADDR XFF: a failed revocation from ADDR saying X-Forwarded-For
# XFF; prints the status.
fail_from() {
	curl -s -o /dev/null -w '%{http_code}' --interface "$1" \
		-H "X-Forwarded-For: $2" -H 'Authorization: Bearer slo_wrong' \
		-F seq=1 -F reason=x "$URL$REV" || true
}
start_server --trusted-proxy 127.0.0.4
got429=0
for _ in $(seq 1 14); do
	if [ "$(fail_from 127.0.0.4 '203.0.113.5, 198.51.100.7')" = 429 ]; then
		got429=1
		break
	fi
done
check "429 for the client the proxy names last" test "$got429" = 1
check "another client of the proxy is not limited" \
	test "$(fail_from 127.0.0.4 198.51.100.8)" = 401
check "an address the client wrote first is not the one limited" \
	test "$(fail_from 127.0.0.4 '198.51.100.7, 198.51.100.9')" = 401
check "X-Forwarded-For from another address than the proxy is ignored" \
	test "$(fail_from 127.0.0.6 198.51.100.7)" = 401
stop_server TERM
check "the access log names the forwarded client" \
	grep -q '198\.51\.100\.7' serve.err
check "the access log names a direct client by its own address" \
	grep -q '127\.0\.0\.6' serve.err
rc=0
timeout 10 "$SANILOG" serve --db "$DB" --trusted-proxy example.org \
	--listen 127.0.0.1:0 >proxy.out 2>&1 || rc=$?
check "--trusted-proxy: a host name is a usage error (exit 2)" test "$rc" = 2
check "--trusted-proxy: the message says why" \
	grep -q 'not an IP address' proxy.out

check "no sanitizer report from the server" \
	bash -c "! grep -Eq 'AddressSanitizer|LeakSanitizer|runtime error' serve.err"

test_end
