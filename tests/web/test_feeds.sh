#!/usr/bin/env bash
#
# test_feeds.sh: a venue's feeds from a running `sanilog serve`:
# /v/<venue>/due.ics (an iCalendar object a small checker reads: CRLF,
# lines of at most 75 octets, whole UTF-8 on each, BEGIN and END nested,
# the all-day event on the due date) and /v/<venue>/history.atom (an Atom
# feed that python3's xml.etree parses, one entry per record); their
# types and headers, ETag and 304, the language asked, 404 for an unknown
# venue, no event without a sanitization on record.
#
#   SANILOG=/abs/path/to/sanilog tests/web/test_feeds.sh
#
# RUNNER, when set, prefixes the server (e.g. valgrind).
# Exit status: 0 when every check passed, 1 otherwise, 2 when it cannot run.

HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../lib/test.sh
. "$HERE/../lib/test.sh"
test_begin test_feeds sanilog curl python3

sl init --origin feeds.test/log --base-url https://feeds.test/ >/dev/null 2>&1
venue_id() { sed -n 's/.*"venue": "\([^"]*\)".*/\1/p'; }
V=$(sl venue add --name "<script>&\"' Caffè Ünïcode, Bar; \\ Nord" \
	--address "Via Roma 1, Milano" --interval-days 30 --json | venue_id)
E=$(sl venue add --name "Empty" --address "Nowhere 2" --json | venue_id)
printf '%%PDF-1.4\nfeeds\n' >doc.pdf
sl cert add --venue "$V" --file doc.pdf --type sanitization \
	--title "Sanificazione — cucina, sala e dehors" \
	--performed 2026-11-01 --provider "Pulizie Ünïche" >/dev/null
sl cert add --venue "$V" --file doc.pdf --type pest-control --title "Wrong" \
	--performed 2026-11-02 >/dev/null
sl cert revoke --venue "$V" --seq 2 --reason "uploaded by mistake" >/dev/null
sl venue update "$V" --interval-days 14 >/dev/null
# The last sanitization, 2026-11-01, plus 14 days.
DUE=20261115

serve_db "$DB" 2 --no-access-log

# get NAME PATH [CURL ARGS...]: the answer in ./hdr (CR stripped) and
# ./body, its status in $code, NAME in $LAST.
get() {
	LAST=$1
	rm -f body
	code=$(curl -s -D hdr.raw -o body -w '%{http_code}' "${@:3}" \
		"$URL$2" || true)
	tr -d '\r' <hdr.raw >hdr
}

# The checker of an iCalendar text: its physical lines, its nesting, and
# what the event says.  Prints what is wrong; exits 1 then.
cat >ics_check.py <<'EOF'
import sys
data = open(sys.argv[1], 'rb').read()
want_event = sys.argv[2] == 'event'
bad = []
if not data.endswith(b'\r\n'):
    bad.append('does not end in CRLF')
lines = data.split(b'\r\n')[:-1]
for i, l in enumerate(lines):
    if b'\n' in l or b'\r' in l:
        bad.append('line %d: a bare CR or LF' % i)
    if len(l) > 75:
        bad.append('line %d: %d octets' % (i, len(l)))
    try:
        l.decode('utf-8')
    except UnicodeDecodeError:
        bad.append('line %d: cut inside a UTF-8 sequence' % i)
text = data.decode('utf-8')
logical = []
for l in text.split('\r\n')[:-1]:
    if l.startswith(' ') or l.startswith('\t'):
        logical[-1] += l[1:]
    else:
        logical.append(l)
stack = []
for l in logical:
    name = l.split(':', 1)[0]
    if name == 'BEGIN':
        stack.append(l[6:])
    elif name == 'END':
        if not stack or stack.pop() != l[4:]:
            bad.append('END without its BEGIN: ' + l)
    elif not stack:
        bad.append('a line outside VCALENDAR: ' + l)
if stack:
    bad.append('not closed: ' + ','.join(stack))
if logical[:1] != ['BEGIN:VCALENDAR'] or logical[-1:] != ['END:VCALENDAR']:
    bad.append('not one VCALENDAR')
props = {}
for l in logical:
    head, _, value = l.partition(':')
    props.setdefault(head.split(';')[0], []).append((head, value))
for p in ('VERSION', 'PRODID', 'CALSCALE', 'METHOD', 'X-WR-CALNAME'):
    if p not in props:
        bad.append('no ' + p)
if props.get('VERSION', [('', '')])[0][1] != '2.0':
    bad.append('VERSION is not 2.0')
events = logical.count('BEGIN:VEVENT')
if want_event:
    due = sys.argv[3]
    if events != 1:
        bad.append('%d events' % events)
    for p in ('UID', 'DTSTAMP', 'SUMMARY', 'DESCRIPTION', 'URL'):
        if p not in props:
            bad.append('no ' + p)
    if ('DTSTART;VALUE=DATE', due) not in props.get('DTSTART', []):
        bad.append('DTSTART is not %s: %s' % (due, props.get('DTSTART')))
    if not props.get('DTEND', [('', '')])[0][0] == 'DTEND;VALUE=DATE':
        bad.append('DTEND is not a date')
    if due not in props['UID'][0][1]:
        bad.append('the UID has not the date')
    for want in sys.argv[4:]:
        if not any(want in v for _, v in
                   props.get('SUMMARY', []) + props.get('DESCRIPTION', [])):
            bad.append('nothing says ' + want)
elif events != 0:
    bad.append('an event without a sanitization on record')
for b in bad:
    print(b)
sys.exit(1 if bad else 0)
EOF

# The checker of an Atom feed: parses it and prints its entries' titles,
# after checking what every feed and entry must have.
cat >atom_check.py <<'EOF'
import sys, xml.etree.ElementTree as ET
A = '{http://www.w3.org/2005/Atom}'
root = ET.parse(sys.argv[1]).getroot()
bad = []
if root.tag != A + 'feed':
    bad.append('root is ' + root.tag)
for t in ('id', 'title', 'updated', 'author'):
    if root.find(A + t) is None:
        bad.append('feed without ' + t)
rels = {l.get('rel'): l.get('href') for l in root.findall(A + 'link')}
if not rels.get('self', '').endswith('/history.atom?lang=' + sys.argv[2]):
    bad.append('self link: %s' % rels.get('self'))
if 'alternate' not in rels:
    bad.append('no alternate link')
ids = set()
for e in root.findall(A + 'entry'):
    for t in ('id', 'title', 'updated', 'summary'):
        if e.find(A + t) is None or not e.find(A + t).text:
            bad.append('entry without ' + t)
    ids.add(e.find(A + 'id').text)
    if not any(l.get('rel') == 'alternate' for l in e.findall(A + 'link')):
        bad.append('entry without an alternate link')
    print('entry', e.find(A + 'title').text)
    for l in e.findall(A + 'link'):
        print('link', l.get('href'))
if len(ids) != len(root.findall(A + 'entry')):
    bad.append('ids are not unique')
print('title', root.find(A + 'title').text)
for b in bad:
    print('BAD', b)
sys.exit(1 if bad else 0)
EOF

# ics_ok NAME CHECKER-ARGS...: passes when ics_check.py finds ./body
# right (what it printed in ./ics.out).
ics_ok() {
	local name=$1
	shift
	if python3 ics_check.py body "$@" >ics.out 2>&1; then ok "$name"; else
		bad "$name"
		test_show ics.out >&2
	fi
}
# atom_ok NAME LANG: passes when atom_check.py finds ./body right (its
# titles and links in ./atom.out).
atom_ok() {
	if python3 atom_check.py body "$2" >atom.out 2>&1; then ok "$1"; else
		bad "$1"
		test_show atom.out >&2
	fi
}

# ---- the calendar ----
get "due.ics" "/v/$V/due.ics"
check "due.ics: 200 ($code)" test "$code" = 200
hdr_has '^Content-Type: text/calendar; charset=utf-8$'
hdr_has '^Cache-Control: no-cache$'
hdr_has '^ETag: "[0-9a-f]{32}"$'
hdr_has '^Vary: Accept-Language'
hdr_has '^X-Content-Type-Options: nosniff'
ics_ok "due.ics: well formed, the event on $DUE" event $DUE \
	"Sanitization due" "Caffè Ünïcode"
body_has '^SUMMARY;LANGUAGE=en:'
body_has "^UID:sanilog-due-$V-$DUE@feeds\.test/log"
body_has "^URL:https://feeds\.test/v/$V\?lang=en"
body_has 'TRIGGER:-P3D'
# The name's comma and semicolon and backslash are escaped.
check "due.ics: TEXT escaped" python3 -c "
import sys
t = open('body', encoding='utf-8').read().replace('\r\n ', '')
sys.exit(0 if 'Caffè Ünïcode\\\\, Bar\\\\; \\\\\\\\ Nord' in t else 1)"
cp body due.en
etag=$(sed -n 's/^ETag: //p' hdr)

get "due.ics again" "/v/$V/due.ics"
check "due.ics: the same bytes again (cached or not)" cmp -s body due.en
get "due.ics, If-None-Match" "/v/$V/due.ics" -H "If-None-Match: $etag"
check "due.ics with its ETag: 304 ($code)" test "$code" = 304
check "304: no body" test ! -s body
get "due.ics, another ETag" "/v/$V/due.ics" -H 'If-None-Match: "x"'
check "due.ics with another ETag: 200 ($code)" test "$code" = 200

get "due.ics?lang=it" "/v/$V/due.ics?lang=it"
check "due.ics?lang=it: 200 ($code)" test "$code" = 200
ics_ok "due.ics?lang=it: well formed, in Italian" event $DUE "Sanificazione prevista" "15 novembre 2026"
get "due.ics, Accept-Language de" "/v/$V/due.ics" \
	-H "Accept-Language: de-CH, en;q=0.5"
ics_ok "due.ics in German by Accept-Language" event $DUE "Hygienereinigung fällig"
check "another language, another ETag" test "$(sed -n 's/^ETag: //p' hdr)" \
	!= "$etag"

get "due.ics, no sanitization" "/v/$E/due.ics"
check "due.ics of a venue without a sanitization: 200 ($code)" \
	test "$code" = 200
ics_ok "due.ics without a sanitization: well formed, no event" none

get "due.ics, unknown venue" "/v/abcdefgh/due.ics"
check "due.ics of an unknown venue: 404 ($code)" test "$code" = 404
get "due.ics, not a venue id" "/v/ABC/due.ics"
check "due.ics of no venue id: 404 ($code)" test "$code" = 404
get "due.ics, HEAD" "/v/$V/due.ics" -I
check "due.ics HEAD: 200 ($code)" test "$code" = 200
get "due.ics, POST" "/v/$V/due.ics" -X POST
check "due.ics POST: 405 ($code)" test "$code" = 405

# ---- the history ----
get "history.atom" "/v/$V/history.atom"
check "history.atom: 200 ($code)" test "$code" = 200
hdr_has '^Content-Type: application/atom\+xml$'
hdr_has '^Cache-Control: no-cache$'
hdr_has '^ETag: "[0-9a-f]{32}"$'
cp body h.en
atom_ok "history.atom: parses, with what Atom asks" en
check "history.atom: an entry per record (5)" \
	test "$(grep -c '^entry ' atom.out)" = 5
check "history.atom: the name as it is (escaped in the XML)" \
	grep -qF "title <script>&\"' Caffè Ünïcode, Bar; \\ Nord:" atom.out
body_lacks '<script>'
check "history.atom: newest first" test "$(sed -n 's/^entry //p' atom.out |
	head -1)" = "Venue details changed"
check "history.atom: the revocation names its document" \
	grep -qx "entry Revoked: Wrong" atom.out
check "history.atom: documents link to their bytes" \
	grep -Eq "^link https://feeds\.test/d/[0-9a-f]{64}$" atom.out
etag=$(sed -n 's/^ETag: //p' hdr)
get "history.atom, If-None-Match" "/v/$V/history.atom" \
	-H "If-None-Match: $etag"
check "history.atom with its ETag: 304 ($code)" test "$code" = 304
get "history.atom?lang=fr" "/v/$V/history.atom?lang=fr"
atom_ok "history.atom?lang=fr: parses" fr
body_has 'xml:lang="fr"'
body_has '<title>Révoqué : Wrong</title>'
get "history.atom, unknown venue" "/v/abcdefgh/history.atom"
check "history.atom of an unknown venue: 404 ($code)" test "$code" = 404

# The venue page names its feeds in its head (for feed readers) and links
# them for people, in its language; the links lead to the feeds.
get "venue page" "/v/$V?lang=de"
body_has "<link rel=\"alternate\" type=\"application/atom\+xml\" title=\"[^\"]+\" href=\"/v/$V/history\.atom\?lang=de\">"
body_has "<link rel=\"alternate\" type=\"text/calendar\" title=\"[^\"]+\" href=\"/v/$V/due\.ics\?lang=de\">"
body_has "<a href=\"/v/$V/due\.ics\?lang=de\">[^<]+</a>"
body_has "<a href=\"/v/$V/history\.atom\?lang=de\">[^<]+</a>"
get "the home page" "/"
body_lacks 'rel="alternate"'

# A record logged while the server runs shows at once (as the bundle).
sl cert add --venue "$V" --file doc.pdf --type sanitization --title "Later" \
	--performed 2026-11-20 >/dev/null
sleep 0.2
get "history.atom after a write" "/v/$V/history.atom"
check "history.atom after a write: 6 entries" python3 -c "
import sys, xml.etree.ElementTree as ET
r = ET.parse('body').getroot()
sys.exit(0 if len(r.findall('{http://www.w3.org/2005/Atom}entry')) == 6
         else 1)"
get "due.ics after a write" "/v/$V/due.ics"
ics_ok "due.ics after a write: due 14 days after the new sanitization" \
	event 20261204

test_end
