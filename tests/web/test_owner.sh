#!/usr/bin/env bash
#
# test_owner.sh: the venue owner's web pages of `sanilog serve` (/owner/...)
# driven with curl: login with the owner token (session cookie HttpOnly,
# SameSite=Strict, Secure with an https base URL), the dashboard, uploads
# and revocations through the forms with their CSRF tokens, logout, one
# venue's session against another venue, escaping, the end of the
# sessions of a rotated token, the sessions one venue may hold, 429
# after repeated failed logins, and the dashboard of a venue of 4,500
# documents, a page of its history at a time.  A refused form comes back
# with what was typed and the error beside its field (a file over the
# limit named in MB), a revocation is logged only once confirmed on its
# own page, the dashboard shows the verdict and the next due date, the
# posters in each size and language, changes the venue's details (a
# logged venue entry) and makes a new owner token; the one-time sign-in
# link of `sanilog venue add` works once and never reaches the access
# log.  Every owner page, saved with its assets, is loaded in headless
# Chromium in a frame 320, 360 and 390 px wide: none is wider than its
# frame (document.documentElement.scrollWidth <= clientWidth).
#
#   SANILOG=/abs/path/to/sanilog tests/web/test_owner.sh
#
# Exit status: 0 when every check passed, 1 otherwise, 2 when it cannot run.

HERE=$(cd "$(dirname "$0")" && pwd)

# shellcheck source=../lib/test.sh
. "$HERE/../lib/test.sh"
test_begin test_owner sanilog curl chromium python3

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
# save_page NAME: ./body as $TMP/site/NAME.html, for the check of widths.
mkdir -p site/assets
save_page() { cp body "site/$1.html"; }

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
for l in en it de fr es; do
	for p in a4 a5 a6 letter; do
		body_has "href=\"/v/$V1/poster.pdf\\?paper=$p&amp;lang=$l\""
	done
done
body_has "href=\"/v/$V1/poster.svg\\?paper=a4&amp;lang=en\""
body_has "href=\"/v/$V1/poster.png\\?paper=a4&amp;lang=en\""
body_has 'data-verdict="none"'
body_has '<h2 id="state-h">No sanitization on record</h2>'
for f in name address interval_days; do
	body_has "<label for=\"$f\">"
done
body_has 'value="Bar Uno"'
body_has 'action="/owner/token"'
save_page dashboard-empty
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
body_has '<p class="err" id="file-err">This file is not a PDF, PNG or JPEG.</p>'
body_has 'aria-invalid="true"'
body_has 'value="x"'
body_has 'value="2025-01-10"'
body_has 'href="\?lang=it"'
body_has '<title>Error: '
# Its language links lead, through the form's address, to the dashboard.
req GET '/owner/upload?lang=it' 303 a.jar
hdr_has '^Location: /owner\?lang=it$'
req GET '/owner/venue?lang=xx' 303 a.jar
hdr_has '^Location: /owner$'
# A file over the limit (10 MiB): named in MB, the rest of the form kept.
# 11.5 MiB in all, of which the header's 9 bytes.
{ printf '%%PDF-1.4\n'; head -c $((23 * 512 * 1024 - 9)) /dev/zero; } >big.pdf
req POST /owner/upload 413 a.jar -F "file=@big.pdf" -F type=protocol \
	-F 'title=Protocollo <HACCP> è' -F performed=2025-01-10 \
	-F expires=2026-01-10 -F 'provider=Pulizie & Co' -F "csrf=$CA"
body_has 'id="file-err">This file is 11.5 MB; the limit is 10 MB.</p>'
body_has 'id="file-again">Choose the file again'
body_has 'value="Protocollo &lt;HACCP&gt; è"'
body_has 'value="Pulizie &amp; Co"'
body_has 'value="2026-01-10"'
body_has '<option value="protocol" selected>'
body_has '<a href="#file">'
save_page dashboard-errors
check "nothing logged for a file over the limit" \
	test "$(entries "$V1")" = $((N0 + 1))
req POST /owner/upload 413 a.jar -H 'Accept-Language: de' \
	-F "file=@big.pdf" -F type=protocol -F title=x -F performed=2025-01-10 \
	-F "csrf=$CA"
body_has 'Diese Datei hat 11,5 MB; die Grenze liegt bei 10 MB.'
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
body_has '<form class="inline" action="/owner/revoke" method="get">'
# The confirmation page: what will be revoked, and that it stays public.
req GET "/owner/revoke?seq=$SEQ" 200 a.jar
hdr_has '^Cache-Control: no-store'
body_has '<h1>Revoke this document\?</h1>'
body_has 'Ozono &lt;script&gt;alert\(1\)&lt;/script&gt;'
body_has 'Sanitization · 10 January 2025 → 10 January 2026'
body_has 'stays in your public history'
body_has '<input type="hidden" name="confirm" value="yes">'
body_has '<label for="reason">'
save_page revoke
req GET "/owner/revoke?seq=$SEQ" 303 -
hdr_has '^Location: /owner/login$'
req GET "/owner/revoke?seq=x" 400 a.jar
req GET "/owner/revoke?seq=999" 404 a.jar
req POST /owner/revoke 403 a.jar --data-urlencode "seq=$SEQ" \
	--data-urlencode 'reason=wrong file' --data-urlencode confirm=yes
req POST /owner/revoke 403 a.jar --data-urlencode "seq=$SEQ" \
	--data-urlencode 'reason=wrong file' --data-urlencode "csrf=$CB" \
	--data-urlencode confirm=yes
req POST /owner/revoke 400 a.jar --data-urlencode "seq=$SEQ" \
	--data-urlencode 'reason=' --data-urlencode "csrf=$CA" \
	--data-urlencode confirm=yes
body_has '<p class="err" id="reason-err">Fill in this field.</p>'
body_has 'name="confirm" value="yes"'
# Not confirmed (a form without confirm=yes): the confirmation page, the
# reason kept, nothing logged.
req POST /owner/revoke 200 a.jar --data-urlencode "seq=$SEQ" \
	--data-urlencode 'reason=kept <reason>' --data-urlencode "csrf=$CA"
body_has 'value="kept &lt;reason&gt;"'
body_has '<h1>Revoke this document\?</h1>'
check "nothing logged for a revocation without csrf or confirmation" \
	test "$(entries "$V1")" = $((N0 + 1))
req POST /owner/revoke 303 a.jar --data-urlencode "seq=$SEQ" \
	--data-urlencode 'reason=wrong <file>' --data-urlencode "csrf=$CA" \
	--data-urlencode confirm=yes
hdr_has '^Location: /owner\?done=revoke$'
check "the revocation is logged" test "$(entries "$V1")" = $((N0 + 2))
check "the log verifies after the revocation" \
	sh -c "'$SANILOG' verify --db '$DB' >/dev/null 2>&1"
req GET /owner 200 a.jar
body_has "<li id=\"s$SEQ\" class=\"rv\">"
body_has 'wrong &lt;file&gt;'

# ---------------------------------------------------------------------------
echo "== the dashboard: the verdict, the next due date, the venue's details"

sl cert add --venue "$V1" --file "$DOCS/ozone.pdf" --type sanitization \
	--title "Recent" --performed "$(date -u +%Y-%m-%d)" >/dev/null
req GET /owner 200 a.jar
body_has 'data-verdict="ok"'
body_has '<h2 id="state-h">Last sanitized today</h2>'
body_has "<p class=\"due\" data-date=\"$(date -u -d '+30 days' +%Y-%m-%d)\">Next sanitization due: "
save_page dashboard
req GET '/owner?lang=it' 200 a.jar
body_has 'Prossima sanificazione entro: '
NV=$(entries "$V1")
req POST /owner/venue 303 a.jar --data-urlencode 'name=Bar Uno & Due' \
	--data-urlencode 'address=Via Roma 1' --data-urlencode interval_days=1 \
	--data-urlencode "csrf=$CA"
hdr_has '^Location: /owner\?done=venue$'
check "the change is a logged venue entry" \
	sh -c "'$SANILOG' venue show '$V1' --db '$DB' | grep -q 'Bar Uno & Due'"
check "the log verifies after the change" \
	sh -c "'$SANILOG' verify --db '$DB' >/dev/null 2>&1"
req GET '/owner?done=venue' 200 a.jar
body_has 'role="status">Your venue&#39;s details were updated.'
body_has 'value="Bar Uno &amp; Due"'
body_has "<p class=\"due\" data-date=\"$(date -u -d '+1 day' +%Y-%m-%d)\">"
body_has '<li id="s[0-9]+" class="vc"><h3>[^<]+</h3>'
body_has '<p>[^<]*Bar Uno &amp; Due[^<]*</p>'
req POST /owner/venue 303 a.jar --data-urlencode 'name=Bar Uno & Due' \
	--data-urlencode 'address=Via Roma 1' --data-urlencode interval_days=1 \
	--data-urlencode "csrf=$CA"
hdr_has '^Location: /owner\?done=same$'
req POST /owner/venue 400 a.jar --data-urlencode 'name=' \
	--data-urlencode 'address=Via Nuova' --data-urlencode interval_days=x \
	--data-urlencode "csrf=$CA"
body_has '<p class="err" id="name-err">Fill in this field.</p>'
body_has 'value="Via Nuova"'
body_has 'value="x"'
req POST /owner/venue 403 b.jar --data-urlencode 'name=Taken' \
	--data-urlencode 'address=Via' --data-urlencode interval_days=3 \
	--data-urlencode "csrf=$CA"
check "one entry for the change, none for the rest" \
	test "$(entries "$V1")" = $((NV + 1))
req POST /owner/venue 303 a.jar --data-urlencode 'name=Bar Uno' \
	--data-urlencode 'address=Via Roma 1' --data-urlencode interval_days=30 \
	--data-urlencode "csrf=$CA"

# ---------------------------------------------------------------------------
echo "== a new owner token from the dashboard"

# The session that makes it goes on; the others of the old token end.
login t2.jar "$T1" 303
req POST /owner/token 403 a.jar --data-urlencode "csrf=$CB"
req POST /owner/token 200 a.jar --data-urlencode "csrf=$CA"
hdr_has '^Cache-Control: no-store'
T1NEW=$(sed -n 's/.*<p class="token" id="token">\(slo_[A-Za-z0-9_-]\{43\}\)<.*/\1/p' body)
check "a new token shown once" test -n "$T1NEW" -a "$T1NEW" != "$T1"
save_page token
req GET /owner 200 a.jar
req GET /owner 303 t2.jar
login t3.jar "$T1" 401
login t3.jar "$T1NEW" 303
check "the token is not in the server's log" \
	sh -c "! grep -q '$T1NEW' '$TMP/serve.err'"
T1=$T1NEW

# ---------------------------------------------------------------------------
echo "== the one-time sign-in link of venue add"

sl venue add --name 'Gelateria Tre' --address 'Via Mare 3' >v3.out
LINK=$(sed -n 's|^one-time sign-in link (valid 24 hours, once): \(/owner/login?link=[A-Za-z0-9_-]\{43\}\)$|\1|p' v3.out)
check "venue add prints a sign-in link" test -n "$LINK"
SECRET=${LINK#*link=}
check "the database keeps no secret of the link" \
	sh -c "! sqlite3 '$DB' .dump | grep -q '$SECRET'"
req GET "$LINK" 200 l.jar
hdr_has '^Referrer-Policy: no-referrer'
body_has "<input type=\"hidden\" name=\"link\" value=\"$SECRET\">"
save_page login-link
c=$(csrf_of)
req POST /owner/login 303 l.jar --data-urlencode "link=$SECRET" \
	--data-urlencode "csrf=$c"
req GET /owner 200 l.jar
body_has 'Gelateria Tre'
req GET "$LINK" 200 l2.jar
c=$(csrf_of)
req POST /owner/login 401 l2.jar --data-urlencode "link=$SECRET" \
	--data-urlencode "csrf=$c"
body_has 'used already'
hdr_lacks '^Set-Cookie: sanilog_session='
req GET '/owner/login?link=bad' 200 l3.jar
body_has 'This sign-in link does not work'
check "the link is not in the server's log" \
	sh -c "! grep -q '$SECRET' '$TMP/serve.err'"
check "the access log has the path of the link's page" \
	grep -q '"GET /owner/login" 200' "$TMP/serve.err"

# ---------------------------------------------------------------------------
echo "== every owner page fits 320, 360 and 390 px"

req GET /owner/login 200 -
save_page login
req GET '/owner/login?lang=de' 200 -
save_page login-de
req GET '/owner?lang=fr' 200 a.jar
save_page dashboard-fr
for a in style.css owner.css; do
	curl -s -o "site/assets/$a" "$URL/assets/$a"
done
cat >site/fit.html <<'HTML'
<!doctype html><meta charset="utf-8"><title>fit</title>
<body><p id="out">pending</p><script src="fit.js"></script>
HTML
# Loads ?p= in a frame ?w= px wide; writes its widths and the elements
# that stick out into #out.
cat >site/fit.js <<'JS'
var q = new URLSearchParams(location.search), f = document.createElement('iframe');
f.style.cssText = 'border:0;height:700px;width:' + q.get('w') + 'px';
f.onload = function () {
	var d = f.contentDocument, e = d.documentElement, o = document.getElementById('out'), wide = [];
	d.querySelectorAll('body *').forEach(function (x) {
		var r = x.getBoundingClientRect();
		if (r.right > e.clientWidth + 0.5)
			wide.push(x.tagName + (x.id ? '#' + x.id : '') + ':' + Math.round(r.right));
	});
	o.setAttribute('data-sw', e.scrollWidth);
	o.setAttribute('data-cw', e.clientWidth);
	o.textContent = wide.slice(0, 10).join(' ');
};
f.src = q.get('p');
document.body.appendChild(f);
JS
(cd site && exec python3 -u -m http.server 0 --bind 127.0.0.1) >http.out 2>&1 &
HTTP_PID=$!
test_track "$HTTP_PID"
PORT=
for _ in $(seq 50); do
	PORT=$(sed -n 's/.* port \([0-9]*\).*/\1/p' http.out | head -1)
	[ -n "$PORT" ] && break
	sleep 0.1
done
[ -n "$PORT" ] || test_cannot "cannot serve the saved pages"
N=0
for p in site/*.html; do
	p=$(basename "$p" .html)
	[ "$p" = fit ] && continue
	for w in 320 360 390; do
		N=$((N + 1))
		timeout 60 "$CHROMIUM" --headless --no-sandbox --disable-gpu \
			--disable-quic --no-first-run --disable-extensions \
			--disable-background-networking --disable-sync \
			--disable-component-update --user-data-dir="$TMP/profile-$N" \
			--virtual-time-budget=5000 \
			--dump-dom "http://127.0.0.1:$PORT/fit.html?w=$w&p=$p.html" \
			>fit.out 2>/dev/null || true
		sw=$(sed -n 's/.*data-sw="\([0-9]*\)".*/\1/p' fit.out)
		cw=$(sed -n 's/.*data-cw="\([0-9]*\)".*/\1/p' fit.out)
		if [ -n "$sw" ] && [ -n "$cw" ] && [ "$sw" -le "$cw" ] &&
			[ "$cw" -gt $((w - 40)) ]; then
			ok "$p at $w px: $sw px wide in $cw"
		else
			bad "$p at $w px: ${sw:-?} px wide in ${cw:-?}: $(sed -n 's/.*<p id="out"[^>]*>\([^<]*\)<.*/\1/p' fit.out)"
		fi
	done
done
kill "$HTTP_PID" 2>/dev/null || true
wait "$HTTP_PID" 2>/dev/null || true
test_untrack "$HTTP_PID"

# The sections above logged a sanitization and two venue entries.
N0=$(($(entries "$V1") - 2))

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
