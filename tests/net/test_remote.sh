#!/usr/bin/env bash
#
# test_remote.sh: `sanilog verify URL`, `verify IMAGE` and `verify URL
# --full` against `sanilog serve` and against hostile servers.
#
#   SANILOG=/abs/path/to/sanilog tests/net/test_remote.sh
#
# Builds a log with the CLI in a temporary directory, serves it on
# 127.0.0.1 on a free port, and checks: a venue verifies from its URL,
# with the pin of a kept checkpoint, and from a poster's PNG; a wrong pin
# key or root, a tampered database (entry or document), a database rolled
# back under the server (caught from the checkpoint cache and from the
# pin); --full on a good log and on a bundle that leaves an entry out;
# and hostile servers (tests/net/hostile.py in front of the real one):
# truncated, cut, endless, huge, malformed bundles, a redirect loop, a
# scheme change, a 500, lying documents, proofs and tiles, and an
# unreachable port.  Each must give exit 1 or 2 with a message, never a
# crash, and never write the checkpoint cache.
# RUNNER, when set, prefixes each sanilog verify (e.g. valgrind).
# Exit status: 0 when every check passed, 1 otherwise, 2 when it cannot run.

HERE=$(cd "$(dirname "$0")" && pwd)

# shellcheck source=../lib/test.sh
. "$HERE/../lib/test.sh"
# shellcheck source=lib.sh
. "$HERE/lib.sh"
test_begin test_remote sanilog python3 sqlite3 timeout

# ---------------------------------------------------------------------------
# Servers.

start_server() { serve_db "$1" 4; } # start_server DB

# ---------------------------------------------------------------------------
# Verifying.  verify WANT NAME ARGS...: runs sanilog verify ARGS (output in
# ./out, messages in ./err) and wants exit status WANT ("1|2" for either).

RC=
verify() {
	local want=$1 name=$2
	shift 2
	RC=0
	# shellcheck disable=SC2086
	timeout 120 $RUNNER "$SANILOG" verify "$@" >out 2>err || RC=$?
	case "|$want|" in
	*"|$RC|"*) ok ;;
	*)
		bad "$name: exit $RC, expected $want"
		sed 's/^/      | /' out err | tail -20 >&2
		;;
	esac
}

has() { # has FILE REGEX NAME
	if grep -Eq -- "$2" "$1"; then ok; else
		bad "$3: $1 does not match $2"
		sed 's/^/      | /' "$1" | tail -20 >&2
	fi
}

said() { # said NAME: a message on stderr or a failed check on stdout
	if grep -q '^sanilog: ' err || grep -q '^✗ ' out; then ok; else
		bad "$1: no message"
		sed 's/^/      | /' out err | tail -10 >&2
	fi
}

no_cache() { # no_cache NAME: nothing under $XDG_CACHE_HOME
	if [ -z "$(find "$XDG_CACHE_HOME" -type f 2>/dev/null)" ]; then ok; else
		bad "$1: the checkpoint cache was written"
		find "$XDG_CACHE_HOME" -type f >&2
	fi
}

fresh_cache() { # a new, empty cache directory
	XDG_CACHE_HOME=$TMP/cache.$1
	rm -rf "$XDG_CACHE_HOME"
	export XDG_CACHE_HOME
}

# ---------------------------------------------------------------------------
echo "== setup"

sl init --origin test.example/log >/dev/null 2>&1
sl venue add --name 'Bar Roma' --address 'Via Roma 1' --json >v1.json
sl venue add --name 'Palestra Sole' --address 'Via Sole 2' --json >v2.json
V1=$(json_field v1.json venue)
V2=$(json_field v2.json venue)
sl provider keygen --name cleanco.example --out prov.key >prov.vkey
sl provider add "$(cat prov.vkey)" --display-name 'CleanCo' >/dev/null
sl cert add --venue "$V1" --file "$DOCS/ozone.pdf" --type sanitization \
	--title 'Ozono' --performed 2025-01-10 >/dev/null
sl cert add --venue "$V2" --file "$DOCS/water.jpg" --type water \
	--title 'Water' --performed 2025-01-12 >/dev/null
"$SANILOG" attest --key prov.key --venue "$V1" --file "$DOCS/pest.png" \
	--type sanitization --performed 2025-02-01 -o att.note
sl cert add --venue "$V1" --file "$DOCS/pest.png" --type sanitization \
	--title 'Pest and ozone' --performed 2025-02-01 \
	--provider cleanco.example --attestation att.note >/dev/null
# The log as it was here is rolled back to later.
sqlite3 "$DB" ".backup '$TMP/old.db'"
cp -r "$DB.docs" "$TMP/old.db.docs" # after the database: its backup
sl cert add --venue "$V1" --file "$DOCS/ozone.pdf" --type protocol \
	--title 'Protocol' --performed 2025-02-02 >/dev/null
sl cert add --venue "$V2" --file "$DOCS/pest.png" --type pest-control \
	--title 'Pest' --performed 2025-02-03 >/dev/null
VKEY=$(sl key)
SIZE=$(sl checkpoint | sed -n 2p)
PIN_NOW=$(pin "$VKEY" "$(sl checkpoint)")
PIN_OLD=$(pin "$VKEY" "$(sl checkpoint --size 4)")
OLD_SIZE=$("$SANILOG" checkpoint --db "$TMP/old.db" | sed -n 2p)
cp "$DB" "$TMP/good.db"
cp -r "$DB.docs" "$TMP/good.db.docs"

start_server "$DB"

# ---------------------------------------------------------------------------
echo "== a venue from its URL"

verify 0 "verify URL" "$URL/v/$V1"
has out '^name +Bar Roma$' "report: the venue"
has out '^latest +sanitized 2025-02-01 .* by CleanCo \(signed by the provider\)$' \
	"report: the latest sanitization and its provider"
has out '^OVERDUE' "report: overdue"
has out '^✓ rule 4 documents: 3 documents fetched' "documents fetched"
has out '^✓ rule 8 seen checkpoint: no checkpoint' "first checkpoint seen"
has out '^valid$' "valid"
[ -f "$XDG_CACHE_HOME/sanilog/test.example_2flog" ] && ok ||
	bad "the checkpoint was not remembered"
verify 0 "verify URL again" "$URL/v/$V1/"
has out "^✓ rule 8 seen checkpoint: the checkpoint of size $SIZE seen before is this one$" \
	"the same checkpoint again"
verify 0 "verify URL --json" --json "$URL/v/$V2"
python3 - <<'EOF' && ok || bad "--json: not the report"
import json
r = json.load(open("out"))
assert r["valid"] is True and r["pinned"] is False, r
assert r["origin"] == "test.example/log" and r["tree_size"] > 0, r
assert all(c["ok"] for c in r["checks"]), r
EOF
verify 0 "--key VKEY" --key "$VKEY" "$URL/v/$V1"
has out '^✓ rule 1 checkpoint signature: ' "--key: the checkpoint"
verify 1 "--key of another log" --key "$(cat prov.vkey)" "$URL/v/$V1"
has out '^✗ rule 1 log key: ' "--key of another log: the key check"
verify 2 "not a venue URL" "$URL/x/$V1"
said "not a venue URL"
verify 2 "not a venue id" "$URL/v/abc"
verify 2 "a malformed pin" "$URL/v/$V1#k=abc&n=1&r=x"
said "a malformed pin"
verify 2 "--full with a bundle file" --full nothing.json
verify 2 "a venue the log does not have" "$URL/v/zzzzzzzz"
has err '^sanilog: verify: venue not found: .*/v/zzzzzzzz \(the log at .* has no venue zzzzzzzz' "404 venue"
if grep -q INVALID out; then bad "404 venue: said INVALID"; else ok; fi
verify 3 "--require-current, an overdue venue" --require-current "$URL/v/$V1"
has out '^valid$' "--require-current: valid"
[ "$(tail -n 1 out)" = "NOT CURRENT: overdue: last sanitized 2025-02-01, the next was due 2025-03-03" ] &&
	ok || bad "--require-current: last line $(tail -n 1 out)"
has out '^history   4 entries, oldest first$' "URL: the whole history"
has out '^  #[0-9]+ +2025-02-01  sanitization  "Pest and ozone", by CleanCo, signed by the provider$' \
	"URL: a signed document in the history"
verify 3 "--require-current --json" --json --require-current "$URL/v/$V1"
has out '"state": "overdue"' "--require-current --json: the state"
SANILOG_NOW=2025-02-10T00:00:00Z verify 0 "--require-current, current then" \
	--require-current "$URL/v/$V1"
has out '^current: sanitized 2025-02-01, next due 2025-03-03$' "current: the last line"

# ---------------------------------------------------------------------------
echo "== the poster's pin"

fresh_cache pin
verify 0 "the pin of the newest checkpoint" "$URL/v/$V1#$PIN_NOW"
has out '^✓ rule 1 pin key: ' "pin key"
has out "^✓ rule 8 pin: the poster's pin \(tree size $SIZE" "pin checkpoint"
verify 0 "the pin of an older checkpoint" "$URL/v/$V1#$PIN_OLD"
has out "^✓ rule 8 pin: the poster's pin \(tree size 4, .* extends it$" \
	"pin: consistency to the served tree"
verify 0 "other parameters ignored" "$URL/v/$V1#utm=x&$PIN_OLD&y"
verify 0 "--key and a pin" --key "$VKEY" "$URL/v/$V1#$PIN_OLD"

fresh_cache badpin
OTHER_KEY=$(pin "$(cat prov.vkey)" "$(sl checkpoint --size 4)")
WRONG_K="${OTHER_KEY%%&*}&${PIN_OLD#*&}"
verify 1 "a wrong pin key" "$URL/v/$V1#$WRONG_K"
has out '^✗ rule 1 pin key: ' "wrong pin key: named"
no_cache "wrong pin key"
verify 1 "--key that the pin does not name" --key "$(cat prov.vkey)" \
	"$URL/v/$V1#$PIN_OLD"
WRONG_R="${PIN_OLD%&r=*}&r=AAAAAAAAAAAAAAAAAAAAAA"
verify 1 "a wrong pin root" "$URL/v/$V1#$WRONG_R"
has out '^✗ rule 8 fork: the log.s checkpoint of size 4 has root' \
	"wrong pin root: named"
no_cache "wrong pin root"
TOO_BIG="${PIN_OLD%%&n=*}&n=999&r=${PIN_OLD##*&r=}"
verify 1 "a pin beyond the served tree" "$URL/v/$V1#$TOO_BIG"
has out '^✗ rule 8 rollback: the poster pins a tree of 999 entries' \
	"pin beyond the tree: rollback"
no_cache "pin beyond the tree"

# ---------------------------------------------------------------------------
echo "== a photo of the poster"

fresh_cache image
# (Leak checks off for the poster: fontconfig keeps its cache to the end.)
if ASAN_OPTIONS=detect_leaks=0 sl poster "$V1" --format png \
	--base-url "$URL" -o poster.png >/dev/null 2>poster.err; then
	verify 0 "verify IMAGE" poster.png
	# The poster pins the checkpoint of V1's newest entry, the one
	# before the log's last (V2's), which the served tree extends.
	has out "^✓ rule 8 pin: the poster's pin \(tree size $((SIZE - 1)), .*the served tree of size $SIZE extends it$" \
		"verify IMAGE: the pin"
	cp poster.png poster.PNG.jpeg # any of the names, by extension
	verify 0 "verify IMAGE (.jpeg name, PNG bytes)" poster.PNG.jpeg
else
	bad "sanilog poster failed: $(cat poster.err)"
fi
fresh_cache noimage
python3 - <<'EOF'
import struct, zlib
def chunk(t, d):
    return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d))
raw = b"".join(b"\x00" + b"\xff" * 64 for _ in range(64))
open("blank.png", "wb").write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR",
    struct.pack(">IIBBBBB", 64, 64, 8, 0, 0, 0, 0)) +
    chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))
EOF
verify 2 "an image with no QR code" blank.png
has err 'no QR code' "no QR code: said"
printf 'not an image' >fake.png
verify 2 "an image that is not one" fake.png
said "not an image"
no_cache "images without a venue"

# ---------------------------------------------------------------------------
echo "== --full"

fresh_cache full
verify 0 "--full on a good log" --full "$URL/v/$V1"
has out "^✓ rule 9 tree: read all $SIZE entries" "--full: the tree"
has out "^✓ rule 9 completeness: the bundle holds all 4 entries of venue $V1 in the log and the 1 provider entry" \
	"--full: completeness"
verify 0 "--full, the other venue" --full "$URL/v/$V2"

# ---------------------------------------------------------------------------
echo "== hostile servers"

start_hostile "$URL"
H=$HOSTILE
fresh_cache proxy
verify 0 "through the proxy" --full "$H/proxy/v/$V1#$PIN_OLD"

# A bundle older than the checkpoint seen before, or than the poster's,
# is not valid even when the log proves it a part of the newer tree: it
# may leave out a later revocation.  The verifier asks for the bundle
# again; a log that then serves one at least that new passes.
fresh_cache stale
verify 0 "stale: the bundle remembered" "$H/stale/v/$V1"
fresh_cache staleonce
verify 0 "stale once: the bundle remembered" "$H/staleonce/v/$V1"
sl cert add --venue "$V2" --file "$DOCS/water.jpg" --type water \
	--title 'Water again' --performed 2025-02-04 >/dev/null
sleep 0.2 # the server looks at the database files every 50 ms
NEWER=$(sl checkpoint | sed -n 2p)
PIN_NEWER=$(pin "$VKEY" "$(sl checkpoint)")
fresh_cache stale
verify 0 "stale: the newer log seen" "$URL/v/$V2"
has out "^log .* $NEWER entries\)$" "stale: the newer log"
verify 1 "stale: a bundle older than the checkpoint seen" "$H/stale/v/$V1"
has out "^✗ rule 8 stale record: the bundle's tree of size $SIZE is older than the checkpoint seen before \\(size $NEWER\\).*asked again, the log claims a tree of size $NEWER but served no bundle that new" \
	"stale: older than the seen checkpoint"
if grep -q "^valid$" out; then bad "stale: valid"; else ok; fi
fresh_cache stale-pin
verify 1 "stale: a bundle older than the poster" "$H/stale/v/$V1#$PIN_NEWER"
has out "^✗ rule 8 stale record: the bundle's tree of size $SIZE is older than the poster's pin \\(size $NEWER\\)" \
	"stale: older than the poster's pin"
no_cache "stale: a bundle older than the poster"
fresh_cache staleonce-pin
verify 0 "stale once: the bundle asked for again" "$H/staleonce/v/$V1#$PIN_NEWER"
has out "^✓ rule 8 pin: the poster's pin \\(tree size $NEWER, .*the served tree of size $NEWER extends it" \
	"stale once: the newer bundle"

fresh_cache omit
verify 0 "a bundle without its newest entry (rules 1-7 cannot tell)" \
	"$H/omit/v/$V1"
fresh_cache omit
verify 1 "--full: a bundle without its newest entry" --full "$H/omit/v/$V1"
has out '^✗ rule 9 completeness: the bundle leaves out 1 of the venue.s 4 entries in the log: ' \
	"--full: the omitted entry named"
no_cache "--full omit"

for mode in truncated cut endless huge malformed extrakey othervenue \
	redirect downgrade error500 omitprov bigdoc baddoc badproof badtile \
	shorttile; do
	fresh_cache "$mode"
	case $mode in
	badproof) target="$H/$mode/v/$V1#$PIN_OLD" ;;
	badtile | shorttile) target="$H/$mode/v/$V1" full=1 ;;
	*) target="$H/$mode/v/$V1" ;;
	esac
	if [ "${full:-}" = 1 ]; then
		verify "1|2" "hostile $mode" --full "$target"
	else
		verify "1|2" "hostile $mode" "$target"
	fi
	full=
	said "hostile $mode"
	no_cache "hostile $mode"
	echo "   $mode: exit $RC: $(grep -h -m1 -E '^(sanilog: |✗ )' err out | cut -c1-150)"
done
# The exact answers where they matter.
fresh_cache x
verify 1 "endless bundle" "$H/endless/v/$V1"
has out 'larger than the 67108864 bytes allowed' "endless: the cap"
verify 1 "huge bundle" "$H/huge/v/$V1"
verify 2 "redirect loop" "$H/redirect/v/$V1"
has err 'more than 5 redirects' "redirect loop: said"
verify 2 "a 500" "$H/error500/v/$V1"
has err 'HTTP 500: hostile server says no' "500: the server's message"
verify 1 "a document that never ends" "$H/bigdoc/v/$V1"
has out '^✗ rule 4 documents: .* is larger than the [0-9]+ bytes of its doc line' \
	"endless document: capped"
verify 1 "a document changed" "$H/baddoc/v/$V1"
has out '^✗ rule 4 documents: .* hash to ' "changed document: named"
has out '^    entry [0-9]+ is the document "(Ozono|Pest and ozone)" \(sanitization, performed 2025-0' \
	"changed document: named by its title"
verify 1 "a bundle of another venue" "$H/othervenue/v/$V1"
verify 1 "a bundle with terminal escapes" "$H/escape/v/$V1"
if grep -q "$(printf '\033')" out err; then
	bad "terminal escapes from the server printed"
else ok; fi
verify 1 "a bad consistency proof" "$H/badproof/v/$V1#$PIN_OLD"
has out '^✗ rule 8 pin: the log does not show .*line 1 is not a base64' \
	"bad proof: named"
verify 1 "--full: a tile that lies" --full "$H/badtile/v/$V1"
has out '^✗ rule 9 tiles: ' "bad tile: named"
no_cache "hostile answers"
stop_hostile
# HTTPS is verified: a self-signed certificate is refused.
if command -v openssl >/dev/null 2>&1 &&
	openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 \
		-addext subjectAltName=IP:127.0.0.1 -keyout tls.key \
		-out tls.pem >/dev/null 2>&1; then
	start_hostile "$URL" tls.pem tls.key
	fresh_cache tls
	verify 2 "https with a certificate nobody signed" \
		"https://${HOSTILE#http://}/proxy/v/$V1"
	has err 'certificate' "self-signed certificate: said"
	no_cache "self-signed certificate"
	stop_hostile
fi
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
verify 2 "an unreachable port" "http://127.0.0.1:$PORT/v/$V1"
has err 'could not check' "unreachable: said"
verify 2 "a host that does not resolve" "http://nonexistent.invalid/v/$V1"
no_cache "unreachable"

# ---------------------------------------------------------------------------
echo "== tampering"

# The cache of the good log; then each tampered copy is served afresh (the
# server caches bundles).
fresh_cache tamper
verify 0 "before tampering" "$URL/v/$V1"
stop_server
sqlite3 "$DB" "UPDATE entries SET data = CAST(replace(CAST(data AS TEXT),
	'title Ozono', 'title Ozone') AS BLOB) WHERE venue = '$V1' AND venue_seq = 1"
start_server "$DB"
verify 1 "a tampered entry" "$URL/v/$V1"
has out '^✗ rule 2 inclusion: entry [0-9]+ \(venue-seq 1\)' \
	"tampered entry: the inclusion check named"
stop_server
cp "$TMP/good.db" "$DB"
rm -f "$DB-wal" "$DB-shm"
# One byte of each PDF's file changed, the length kept (on a copy of
# the folder: the good one comes back after).
rm -rf "$TMP/docs.good"
cp -r "$DB.docs" "$TMP/docs.good"
for sha in $(sqlite3 "$DB" "SELECT lower(hex(sha256)) FROM documents
	WHERE mime = 'application/pdf'"); do
	printf 'A' | dd of="$DB.docs/${sha:0:2}/$sha" bs=1 seek=99 \
		conv=notrunc status=none
done
start_server "$DB"
verify 1 "a tampered document" "$URL/v/$V1"
has out '^✗ rule 4 documents: ' "tampered document: the documents check named"
stop_server
rm -rf "$DB.docs"
mv "$TMP/docs.good" "$DB.docs"
start_server "$DB"

# ---------------------------------------------------------------------------
echo "== rollback"

stop_server
cp "$TMP/good.db" "$DB"
rm -f "$DB-wal" "$DB-shm"
start_server "$DB"
fresh_cache rollback
verify 0 "the log before the rollback" "$URL/v/$V1"
CACHED=$(cat "$XDG_CACHE_HOME/sanilog/test.example_2flog")
stop_server
cp "$TMP/old.db" "$DB"
rm -f "$DB-wal" "$DB-shm"
start_server "$DB"
verify 1 "rollback, from the cache" "$URL/v/$V1"
has out "^✗ rule 8 rollback: a checkpoint of size $SIZE was seen before; the log now serves size $OLD_SIZE" \
	"rollback from the cache: named"
[ "$(cat "$XDG_CACHE_HOME/sanilog/test.example_2flog")" = "$CACHED" ] && ok ||
	bad "rollback: the remembered checkpoint was replaced"
fresh_cache rollback-pin
verify 1 "rollback, from the pin" "$URL/v/$V1#$PIN_NOW"
has out "^✗ rule 8 rollback: the poster pins a tree of $SIZE entries; the log serves $OLD_SIZE" \
	"rollback from the pin: named"
no_cache "rollback from the pin"
verify 0 "an older pin still holds" "$URL/v/$V1#$PIN_OLD"

echo "== fork"

# The rolled-back log grows past the size seen before, with another history.
stop_server
for t in one two three; do
	sl cert add --venue "$V2" --file "$DOCS/ozone.pdf" --type form \
		--title "Fork $t" --performed 2025-03-01 >/dev/null
done
start_server "$DB"
export XDG_CACHE_HOME=$TMP/cache.rollback # as the rollback left it
verify 1 "fork, from the cache" "$URL/v/$V1"
has out "^✗ rule 8 consistency: the log does not show that its tree of size [0-9]+ extends the checkpoint of size $SIZE seen before" \
	"fork from the cache: named"
[ "$(cat "$XDG_CACHE_HOME/sanilog/test.example_2flog")" = "$CACHED" ] && ok ||
	bad "fork: the remembered checkpoint was replaced"
fresh_cache fork-pin
verify 1 "fork, from the pin" "$URL/v/$V1#$PIN_NOW"
has out "^✗ rule 8 fork: the log.s checkpoint of size $SIZE has root" \
	"fork from the pin: named"
no_cache "fork from the pin"

stop_server
test_end
