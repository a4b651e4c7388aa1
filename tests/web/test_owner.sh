#!/usr/bin/env bash
#
# test_owner.sh: the venue owner's web pages of `sanilog serve` (/owner/...)
# driven with curl: login with the owner token (session cookie HttpOnly,
# SameSite=Strict, Secure with an https base URL), the dashboard, uploads
# and revocations through the forms with their CSRF tokens, logout, one
# venue's session against another venue, escaping, the end of the
# sessions of a rotated token, the sessions one venue may hold, 429
# after repeated failed logins, and the dashboard of a venue of 4,500
# documents, a page of its history at a time.
#
#   SANILOG=/abs/path/to/sanilog tests/web/test_owner.sh
#
# Exit status: 0 when every check passed, 1 otherwise, 2 when it cannot run.

HERE=$(cd "$(dirname "$0")" && pwd)

# shellcheck source=../lib/test.sh
. "$HERE/../lib/test.sh"
test_begin test_owner sanilog curl

start_server() { serve_db "$DB" 2 "$@"; }

# req METHOD PATH STATUS JAR [CURL ARGS...]: body in ./body, headers in
# ./hdr (CR stripped); JAR is a cookie file read and written ("-": none).
req() {
	local method=$1 path=$2 want=$3 jar=$4 code
	shift 4
	local cj=()
	[ "$jar" = - ] || cj=(-b "$jar" -c "$jar")
	code=$(curl -s -o body -D hdr.raw -w '%{http_code}' -X "$method" \
		"${cj[@]}" "$@" "$URL$path") || code="curl-error-$?"
	tr -d '\r' <hdr.raw >hdr
	LAST="$method $path"
	if [ "$code" = "$want" ]; then ok "$LAST: $want"; else
		bad "$LAST: status $code, expected $want"
		test_show body 300 >&2
	fi
}
csrf_of() { # the first CSRF token in ./body
	sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' body | head -1
}
entries() { sl venue show "$1" | grep -c '^ *[0-9]' || true; }

# login JAR TOKEN STATUS: the login form, then the token with its CSRF.
login() {
	req GET /owner/login 200 "$1"
	local c
	c=$(csrf_of)
	req POST /owner/login "$3" "$1" --data-urlencode "token=$2" \
		--data-urlencode "csrf=$c"
}

# ---------------------------------------------------------------------------
echo "== setup"

sl init --origin test.example/log >/dev/null 2>&1
sl venue add --name 'Bar Uno' --address 'Via Roma 1' --json >v1.json
sl venue add --name 'Palestra Due' --address 'Via Sole 2' --json >v2.json
V1=$(json_field v1.json venue)
T1=$(json_field v1.json token)
V2=$(json_field v2.json venue)
T2=$(json_field v2.json token)
start_server

# ---------------------------------------------------------------------------
echo "== login"

req GET /owner 303 -
hdr_has '^Location: /owner/login$'
req GET /owner/login 200 -
hdr_has '^Set-Cookie: sanilog_login=[A-Za-z0-9_-]{43};.*HttpOnly'
body_has 'name="csrf" value="[A-Za-z0-9_-]{43}"'
body_has '<label for="token">'
req GET '/owner/login?lang=it' 200 -
body_has 'lang="it"'
body_has 'Token del titolare'

# A wrong token: the login page again with an error, and no session.
login bad.jar 'slo_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' 401
body_has 'role="alert"'
hdr_lacks '^Set-Cookie: sanilog_session='
# A right token without the form's CSRF token: 403, no session.
req POST /owner/login 403 nocsrf.jar --data-urlencode "token=$T1"
hdr_lacks '^Set-Cookie: sanilog_session='
req GET /owner/login 200 wrongcsrf.jar
req POST /owner/login 403 wrongcsrf.jar --data-urlencode "token=$T1" \
	--data-urlencode "csrf=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
hdr_lacks '^Set-Cookie: sanilog_session='

login a.jar "$T1" 303
hdr_has '^Location: /owner$'
hdr_has '^Set-Cookie: sanilog_session=[A-Za-z0-9_-]{43}; Path=/owner;.*HttpOnly'
hdr_has '^Set-Cookie: sanilog_session=.*SameSite=Strict'
hdr_lacks '^Set-Cookie: sanilog_session=.*Secure'
login b.jar "$T2" 303

# ---------------------------------------------------------------------------
echo "== dashboard"

req GET /owner 200 a.jar
hdr_has '^Cache-Control: no-store'
body_has '<h1>[^<]*Bar Uno</h1>'
body_has "href=\"/v/$V1\""
body_has "href=\"/v/$V1/poster.pdf\""
body_has "href=\"/v/$V1/poster.svg\""
body_has "href=\"/v/$V1/poster.png\""
body_has 'enctype="multipart/form-data"'
body_has 'action="/owner/logout"'
for f in file type title performed expires provider attestation; do
	body_has "<label for=\"$f\">"
done
CA=$(csrf_of)
check "csrf token in the dashboard" test ${#CA} = 43
req GET /owner 200 b.jar
CB=$(csrf_of)
check "sessions have their own csrf tokens" test "$CA" != "$CB"

# ---------------------------------------------------------------------------
echo "== upload"

N0=$(entries "$V1")
upload() { # upload JAR STATUS CSRF TITLE
	local jar=$1 st=$2 c=$3 t=$4
	req POST /owner/upload "$st" "$jar" -F "file=@$DOCS/ozone.pdf" \
		-F type=sanitization -F "title=$t" -F performed=2025-01-10 \
		-F expires=2026-01-10 -F provider=CleanCo ${c:+-F "csrf=$c"}
}
upload a.jar 403 '' 'no csrf'
upload a.jar 403 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' 'wrong csrf'
upload a.jar 403 "$CB" 'the other session csrf'
check "nothing logged without the csrf token" test "$(entries "$V1")" = "$N0"
upload - 403 "$CA" 'no session'
body_has '<h1>Access denied</h1>'
body_has 'sign in again'
req POST /owner/upload 403 - -H 'Accept-Language: it' -F type=sanitization
body_has '<h1>Accesso negato</h1>'
body_has 'accedi di nuovo'
check "nothing logged without a session" test "$(entries "$V1")" = "$N0"

upload a.jar 303 "$CA" 'Ozono <script>alert(1)</script>'
hdr_has '^Location: /owner\?done=upload$'
check "the upload is logged" test "$(entries "$V1")" = $((N0 + 1))
check "venue show lists it" \
	sh -c "'$SANILOG' venue show '$V1' --db '$DB' | grep -q 'Ozono <script>'"
check "the log verifies" sh -c "'$SANILOG' verify --db '$DB' >/dev/null 2>&1"
req GET '/owner?done=upload' 200 a.jar
body_has 'Ozono &lt;script&gt;alert\(1\)&lt;/script&gt;'
body_lacks '<script>alert'
body_has 'role="status"'
body_has 'action="/owner/revoke"'

# The other venue's session logs to its own venue only.
N2=$(entries "$V2")
upload b.jar 303 "$CB" 'Water'
check "venue 1 unchanged by venue 2's session" test "$(entries "$V1")" = $((N0 + 1))
check "venue 2 got its upload" test "$(entries "$V2")" = $((N2 + 1))
# A bad field is refused by the API's checks, and nothing is logged.
req POST /owner/upload 415 a.jar -F "file=@v1.json" -F type=sanitization \
	-F title=x -F performed=2025-01-10 -F "csrf=$CA"
check "nothing logged for a bad file" test "$(entries "$V1")" = $((N0 + 1))
body_has 'Details: file: not a PDF, PNG or JPEG file'
body_has 'href="/owner\?lang=en"'
# As a browser sends the form: empty optional fields and file.
: >empty
req POST /owner/upload 303 b.jar -F "csrf=$CB" -F "file=@$DOCS/pest.png" \
	-F type=pest-control -F title=Browser -F performed=2025-01-02 \
	-F expires= -F provider= -F "attestation=@empty;filename="
check "the browser-like upload is logged" test "$(entries "$V2")" = $((N2 + 2))

# ---------------------------------------------------------------------------
echo "== revoke"

req GET /owner 200 a.jar
SEQ=$(sed -n 's/.*<li id="s\([0-9]*\)".*/\1/p' body | head -1)
check "a document to revoke" test -n "$SEQ"
req POST /owner/revoke 403 a.jar --data-urlencode "seq=$SEQ" \
	--data-urlencode 'reason=wrong file'
req POST /owner/revoke 403 a.jar --data-urlencode "seq=$SEQ" \
	--data-urlencode 'reason=wrong file' --data-urlencode "csrf=$CB"
req POST /owner/revoke 400 a.jar --data-urlencode "seq=$SEQ" \
	--data-urlencode 'reason=' --data-urlencode "csrf=$CA"
body_has 'Details: reason: '
body_has 'href="/owner\?lang=en"'
check "nothing logged for a revocation without csrf" \
	test "$(entries "$V1")" = $((N0 + 1))
req POST /owner/revoke 303 a.jar --data-urlencode "seq=$SEQ" \
	--data-urlencode 'reason=wrong <file>' --data-urlencode "csrf=$CA"
hdr_has '^Location: /owner\?done=revoke$'
check "the revocation is logged" test "$(entries "$V1")" = $((N0 + 2))
check "the log verifies after the revocation" \
	sh -c "'$SANILOG' verify --db '$DB' >/dev/null 2>&1"
req GET /owner 200 a.jar
body_has "<li id=\"s$SEQ\" class=\"rv\">"
body_has 'wrong &lt;file&gt;'

# ---------------------------------------------------------------------------
echo "== logout"

cp a.jar old.jar
req POST /owner/logout 403 a.jar --data-urlencode "csrf=$CB"
req GET /owner 200 a.jar
req POST /owner/logout 303 a.jar --data-urlencode "csrf=$CA"
hdr_has '^Location: /owner/login$'
hdr_has '^Set-Cookie: sanilog_session=;.*Max-Age=0'
req GET /owner 303 old.jar
hdr_has '^Location: /owner/login$'
upload old.jar 403 "$CA" 'after logout'
check "nothing logged after logout" test "$(entries "$V1")" = $((N0 + 2))
# venue 2's session still works
req GET /owner 200 b.jar
body_has 'Palestra Due'

# ---------------------------------------------------------------------------
echo "== a rotated token ends the sessions opened with the old one"

N2=$(entries "$V2")
sl venue token "$V2" --rotate --json >t2.json
T2NEW=$(json_field t2.json token)
check "a new token" test -n "$T2NEW" -a "$T2NEW" != "$T2"
upload b.jar 403 "$CB" 'after rotation'
check "nothing logged by a session of the old token" \
	test "$(entries "$V2")" = "$N2"
req GET /owner 303 b.jar
hdr_has '^Location: /owner/login$'
login b.jar "$T2" 401
login b.jar "$T2NEW" 303
req GET /owner 200 b.jar
body_has 'Palestra Due'

# ---------------------------------------------------------------------------
echo "== one venue's logins do not push out another venue's sessions"

for i in $(seq 1 12); do login "c$i.jar" "$T1" 303; done
live=0
for i in $(seq 1 12); do
	code=$(curl -s -o /dev/null -w '%{http_code}' -b "c$i.jar" "$URL/owner")
	[ "$code" = 200 ] && live=$((live + 1))
done
check "venue 1 keeps at most 8 sessions (has $live)" test "$live" = 8
# More of venue 1's logins than the table has slots (one login form's
# CSRF pair, sent again each time).
req GET /owner/login 200 fill.jar
FC=$(csrf_of)
FL=$(awk '$6 == "sanilog_login" { print $7 }' fill.jar)
check "a login form's CSRF cookie" test -n "$FL"
ok_logins=0
for _ in $(seq 1 1100); do
	code=$(curl -s -o /dev/null -w '%{http_code}' -b "sanilog_login=$FL" \
		--data-urlencode "token=$T1" --data-urlencode "csrf=$FC" \
		"$URL/owner/login")
	[ "$code" = 303 ] && ok_logins=$((ok_logins + 1))
done
check "1100 logins of venue 1 (got $ok_logins)" test "$ok_logins" = 1100
req GET /owner 200 b.jar
body_has 'Palestra Due'

# ---------------------------------------------------------------------------
echo "== 429 after repeated failed logins"

got429=no
for _ in $(seq 1 15); do
	req GET /owner/login 200 r.jar
	c=$(csrf_of)
	code=$(curl -s -o body -D hdr.raw -w '%{http_code}' -b r.jar -c r.jar \
		--data-urlencode 'token=slo_BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB' \
		--data-urlencode "csrf=$c" "$URL/owner/login")
	tr -d '\r' <hdr.raw >hdr
	if [ "$code" = 429 ]; then got429=yes; break; fi
	[ "$code" = 401 ] || bad "failed login: status $code"
done
check "429 after repeated failures" test $got429 = yes
LAST="POST /owner/login (limited)"
hdr_has '^Retry-After: [0-9]+$'
# Even the right token is refused while the address is limited.
login lim.jar "$T1" 429
hdr_lacks '^Set-Cookie: sanilog_session='
stop_server

# ---------------------------------------------------------------------------
echo "== Secure cookie with an https base URL"

start_server --base-url https://sanilog.example
req GET /owner/login 200 s.jar
hdr_has '^Set-Cookie: sanilog_login=.*SameSite=Strict.*Secure'
login s.jar "$T1" 303
hdr_has '^Set-Cookie: sanilog_session=.*HttpOnly.*SameSite=Strict.*Secure'
stop_server

# ---------------------------------------------------------------------------
echo "== Secure cookie over https through the trusted proxy"

start_server --trusted-proxy 127.0.0.1 --base-url http://sanilog.example
req GET /owner/login 200 p1.jar -H 'X-Forwarded-Proto: https'
hdr_has '^Set-Cookie: sanilog_login=.*Secure'
req GET /owner/login 200 p2.jar -H 'X-Forwarded-Proto: http'
hdr_lacks '^Set-Cookie: sanilog_login=.*Secure'
# The proxy's line comes last; what the client wrote before it is not it.
req GET /owner/login 200 p4.jar -H 'X-Forwarded-Proto: https' \
	-H 'X-Forwarded-Proto: http'
hdr_lacks '^Set-Cookie: sanilog_login=.*Secure'
req GET /owner/login 200 p5.jar -H 'X-Forwarded-Proto: http, https'
hdr_has '^Set-Cookie: sanilog_login=.*Secure'
req GET /owner/login 200 p3.jar --interface 127.0.0.3 \
	-H 'X-Forwarded-Proto: https'
hdr_lacks '^Set-Cookie: sanilog_login=.*Secure'
stop_server

# ---------------------------------------------------------------------------
echo "== the dashboard of a venue of 4,500 documents"

# It was a 413 (the renderer's limit on its values); it pages its history
# as the venue page does (src/web/pages.h).
big_venue big.db 4501
"$SANILOG" venue token aaaaaaaa --rotate --json --db big.db >big.json
serve_db "$TMP/big.db" 2
login big.jar "$(json_field big.json token)" 303
req GET /owner 200 big.jar
n=$(wc -c <body)
check "the dashboard of 4,500 documents is small ($n B)" test "$n" -lt 65536
check "it shows the 50 newest documents" \
	test "$(grep -c '<li id="s' body)" = 50
body_has '<a id="older" href="\?before=4451&amp;lang=en">'
req GET '/owner?before=4451' 200 big.jar
body_has '<li id="s4450">'
body_has '<input type="hidden" name="seq" value="4401">'
body_has '<a id="newest" href="\?lang=en">'
req GET '/owner?before=x' 400 big.jar
stop_server

test_end
