#!/usr/bin/env bash
#
# test_report.sh: `sanilog report URL` against `sanilog serve`: every venue
# of a log read through the tiles, in text, CSV and JSON, --overdue; and a
# log that does not verify (a tampered entry, lying tiles, a wrong key or
# pin, a rollback) prints no venue and exits 1.
#
#   SANILOG=/abs/path/to/sanilog tests/net/test_report.sh
#
# Builds a log with the CLI in a temporary directory (a pinned clock:
# SANILOG_NOW), with a venue current, one overdue, one expired, one with
# no document, one whose only sanitization was revoked, an attested
# document and a name that CSV must quote; serves it on 127.0.0.1 on a free
# port (and through tests/net/hostile.py for lying tiles, entries and
# hashes).
# RUNNER, when set, prefixes each sanilog report (e.g. valgrind).
# Exit status: 0 when every check passed, 1 otherwise, 2 when it cannot run.

HERE=$(cd "$(dirname "$0")" && pwd)

# shellcheck source=../lib/test.sh
. "$HERE/../lib/test.sh"
# shellcheck source=lib.sh
. "$HERE/lib.sh"
test_begin test_report sanilog python3 sqlite3 timeout

export SANILOG_NOW=2026-11-25T12:00:00Z

# report WANT NAME ARGS...: runs sanilog report ARGS (stdout in ./out,
# stderr in ./err) and wants exit status WANT.
RC=
report() {
	local want=$1 name=$2
	shift 2
	RC=0
	# shellcheck disable=SC2086
	timeout 120 $RUNNER "$SANILOG" report "$@" >out 2>err || RC=$?
	if [ "$RC" = "$want" ]; then ok; else
		bad "$name: exit $RC, expected $want"
		sed 's/^/      | /' out err | tail -20 >&2
	fi
}

has() { # has FILE REGEX NAME
	if grep -Eq -- "$2" "$1"; then ok; else
		bad "$3: $1 does not match $2"
		sed 's/^/      | /' "$1" | tail -20 >&2
	fi
}

hasnt() { # hasnt FILE REGEX NAME
	if grep -Eq -- "$2" "$1"; then
		bad "$3: $1 matches $2"
		sed 's/^/      | /' "$1" | tail -20 >&2
	else ok; fi
}

# no_venues NAME: nothing printed as verified: no venue code on stdout.
no_venues() {
	local v
	for v in $V1 $V2 $V3 $V4 $V5; do
		if grep -Eq "^\"?$v[ ,]" out; then
			bad "$1: venue $v printed from a log that failed"
			return
		fi
	done
	ok
}

# ---------------------------------------------------------------------------
echo "== setup"

add_venue() { # add_venue NAME ADDRESS [INTERVAL]: prints the venue id
	sl venue add --name "$1" --address "$2" ${3:+--interval "$3"} --json |
		python3 -c 'import json, sys; print(json.load(sys.stdin)["venue"])'
}

sl init --origin test.example/log >/dev/null 2>&1
V1=$(add_venue 'Bar "Roma", Centro' 'Via Roma 1, Roma')
V2=$(add_venue 'Palestra Sole' 'Via Sole 2')
V3=$(add_venue 'Pizzeria Luna' 'Via Luna 3' 60)
# V4's address would be a formula in a spreadsheet (CSV keeps it text).
V4=$(add_venue 'Hotel Nuovo' '=HYPERLINK("http://x.test/",B2)')
V5=$(add_venue 'Bar Revocato' 'Via Revoca 5')
sl provider keygen --name cleanco.example --out prov.key >prov.vkey
sl provider add "$(cat prov.vkey)" --display-name 'CleanCo' >/dev/null
# V1: current (interval 30 days), attested.
"$SANILOG" attest --key prov.key --venue "$V1" --file "$DOCS/pest.png" \
	--type sanitization --performed 2026-11-20 -o att.note
sl cert add --venue "$V1" --file "$DOCS/pest.png" --type sanitization \
	--title 'Ozono' --performed 2026-11-20 --provider cleanco.example \
	--attestation att.note >/dev/null
# V2: overdue.
sl cert add --venue "$V2" --file "$DOCS/ozone.pdf" --type sanitization \
	--title 'Sole' --performed 2026-09-01 >/dev/null
# V3: within its 60 days, but its certificate expired.
sl cert add --venue "$V3" --file "$DOCS/water.jpg" --type sanitization \
	--title 'Luna' --performed 2026-11-01 --expires 2026-11-20 >/dev/null
# V4: no document.  V5: its only sanitization revoked.
sl cert add --venue "$V5" --file "$DOCS/ozone.pdf" --type sanitization \
	--title 'Wrong' --performed 2026-11-24 >/dev/null
sl cert revoke --venue "$V5" --seq 1 --reason 'wrong file' >/dev/null
sqlite3 "$DB" ".backup '$TMP/old.db'"
cp -r "$DB.docs" "$TMP/old.db.docs" # after the database: its backup
sl cert add --venue "$V2" --file "$DOCS/water.jpg" --type water \
	--title 'Water' --performed 2026-11-02 >/dev/null
VKEY=$(sl key)
SIZE=$(sl checkpoint | sed -n 2p)
cp "$DB" "$TMP/good.db"
cp -r "$DB.docs" "$TMP/good.db.docs"
serve_db "$DB" 4

# ---------------------------------------------------------------------------
echo "== the report"

report 0 "report URL" "$URL"
has out "^$V1  2026-11-20  2026-12-20  current  Bar \"Roma\", Centro, Via Roma 1, Roma$" "current"
has out "^$V2  2026-09-01  2026-10-01  overdue  Palestra Sole, Via Sole 2$" "overdue"
has out "^$V3  2026-11-01  2026-11-20  expired  Pizzeria Luna, Via Luna 3$" "expired"
has out "^$V4  -           -           none     Hotel Nuovo, =HYPERLINK\\(\"http://x.test/\",B2\\)$" "none"
has out "^$V5  -           -           none     Bar Revocato, Via Revoca 5$" "revoked only: none"
has out "^log $URL \\(test.example/log, $SIZE entries\\): 5 venues: 1 current, 1 overdue, 1 expired, 2 with no sanitization$" \
	"the summary"
has out '^✓ rule 5 attestations: 1 attestation verifies' "the attestation"
has out '^✓ rule 6 revocations: 1 revocation,' "the revocation"
has out "^✓ rule 9 tree: read all $SIZE entries" "the tree"
has out '^valid$' "valid"
[ -f "$XDG_CACHE_HOME/sanilog/test.example_2flog" ] && ok ||
	bad "the checkpoint was not remembered"
report 0 "report URL/ (a trailing slash)" "$URL/"
report 0 "report a venue URL" "$URL/v/$V2"
has out "^$V1 " "a venue URL: every venue"

report 0 "--overdue" --overdue "$URL"
hasnt out "^$V1 " "--overdue: not the current venue"
has out "^$V2 .* overdue " "--overdue: the overdue venue"
has out "^$V3 .* expired " "--overdue: the expired venue"
has out "^$V4 .* none " "--overdue: a venue with none"

report 0 "--csv" --csv "$URL"
python3 - "$V1" "$V2" "$V4" <<'EOF' && ok || bad "--csv: not the report"
import csv, sys
v1, v2, v4 = sys.argv[1:]
raw = open("out", "rb").read()
assert raw.endswith(b"\r\n") and raw.count(b"\r\n") == 6, raw
assert b'"Bar ""Roma"", Centro"' in raw, raw
rows = list(csv.reader(open("out", newline="")))
assert rows[0] == ["venue", "name", "address", "last_sanitization",
                   "next_due", "state"], rows[0]
by = {r[0]: r for r in rows[1:]}
assert by[v1] == [v1, 'Bar "Roma", Centro', "Via Roma 1, Roma",
                  "2026-11-20", "2026-12-20", "current"], by[v1]
assert by[v2][5] == "overdue" and by[v4][3:] == ["", "", "none"], by
assert by[v4][2] == "'=HYPERLINK(\"http://x.test/\",B2)", by[v4]
EOF
report 0 "--csv --overdue" --csv --overdue "$URL"
if [ "$(wc -l <out)" = 5 ] && ! grep -q "$V1" out; then ok; else
	bad "--csv --overdue: not 4 venues and the header"
fi

report 0 "--json" --json "$URL"
python3 - "$V1" "$V3" "$SIZE" <<'EOF' && ok || bad "--json: not the report"
import json, sys
v1, v3, size = sys.argv[1], sys.argv[2], int(sys.argv[3])
r = json.load(open("out"))
assert r["valid"] is True and r["tree_size"] == size, r
assert r["origin"] == "test.example/log" and r["pinned"] is False, r
by = {v["venue"]: v for v in r["venues"]}
assert len(by) == 5, by
assert by[v1]["state"] == "current" and by[v1]["next_due"] == "2026-12-20"
assert by[v1]["last_sanitization"] == "2026-11-20", by[v1]
assert by[v3]["state"] == "expired" and by[v3]["interval_days"] == 60
EOF
"$SANILOG" --json report --overdue "$URL" >out 2>err
python3 -c 'import json; r = json.load(open("out")); assert len(r["venues"]) == 4' &&
	ok || bad "--json before the command, --overdue"

report 0 "--key" --key "$VKEY" "$URL"
report 1 "--key of another log" --key "$(cat prov.vkey)" "$URL"
no_venues "--key of another log"
has out '^✗ rule 1 checkpoint signature: ' "--key of another log: named"
has out '^INVALID$' "--key of another log: INVALID"

PIN=$(pin "$VKEY" "$(sl checkpoint)")
report 0 "a venue URL with its pin" "$URL/v/$V1#$PIN"
has out '^✓ rule 1 pin key: ' "pin: the key"
has out "^✓ rule 8 pin: the poster's pin \\(tree size $SIZE" "pin: the checkpoint"
report 1 "a wrong pin root" "$URL/v/$V1#${PIN%&r=*}&r=AAAAAAAAAAAAAAAAAAAAAA"
no_venues "a wrong pin root"

# ---------------------------------------------------------------------------
echo "== command lines"

report 2 "no URL"
report 2 "a malformed URL" "htp://example.org"
has err '^sanilog: report: htp://example.org: ' "a malformed URL: said"
report 2 "--json and --csv" --json --csv "$URL"
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
report 2 "an unreachable port" "http://127.0.0.1:$PORT"
has err '^sanilog: report: could not check' "unreachable: said"

# ---------------------------------------------------------------------------
echo "== a log that does not verify"

start_hostile "$URL"
H=$HOSTILE
report 0 "through the proxy" "$H/proxy"
has out "^✓ rule 9 hash tiles: 1 checked, levels 0 to 0 \(1 partial\)" \
	"through the proxy: the hash tile"
for mode in badtile shorttile; do
	report 1 "tiles that lie ($mode)" "$H/$mode"
	has out '^✗ rule 9 tiles: ' "$mode: named"
	no_venues "$mode"
	report 1 "tiles that lie ($mode), --csv" --csv "$H/$mode"
	[ -s out ] && bad "$mode --csv: printed $(head -c 200 out)" || ok
	has err '^✗ rule 9 tiles: ' "$mode --csv: said on stderr"
done
report 1 "a hash tile that lies" "$H/badhash:0,000.p,$SIZE:3"
has out "^✗ rule 9 hash tiles: hash tile tile/0/000\.p/$SIZE: hash 3 is not the log's" \
	"a hash tile that lies: named"
no_venues "a hash tile that lies"
report 1 "a hash tile missing" "$H/nohash:0,000.p,$SIZE"
has out "^✗ rule 9 tiles: .*tile/0/000\.p/$SIZE" "a hash tile missing: named"
no_venues "a hash tile missing"
stop_hostile

stop_server
sqlite3 "$DB" "UPDATE entries SET data = CAST(replace(CAST(data AS TEXT),
	'name Palestra Sole', 'name Palestra Luna') AS BLOB) WHERE venue = '$V2' AND venue_seq = 0"
serve_db "$DB" 4
report 1 "a tampered entry" "$URL"
has out '^✗ rule 9 tree: ' "a tampered entry: the tree"
no_venues "a tampered entry"
report 1 "a tampered entry, --json" --json "$URL"
python3 -c 'import json; r = json.load(open("out")); assert r["valid"] is False and r["venues"] == []' &&
	ok || bad "a tampered entry, --json: venues given"

stop_server
cp "$TMP/good.db" "$DB"
rm -f "$DB-wal" "$DB-shm"
serve_db "$DB" 4
report 0 "the good log again" "$URL"

stop_server
cp "$TMP/old.db" "$DB"
rm -f "$DB-wal" "$DB-shm"
serve_db "$DB" 4
report 1 "a rollback, from the cache" "$URL"
has out "^✗ rule 8 rollback: a checkpoint of size $SIZE was seen before" \
	"a rollback: named"
no_venues "a rollback"
stop_server
test_end
