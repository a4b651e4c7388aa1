#!/usr/bin/env bash
#
# test_publish.sh: `sanilog publish DIR`, served by Debian's nginx with the
# README's configuration (tools/nginx-static.conf).
#
#   SANILOG=/abs/path/to/sanilog tests/web/test_publish.sh [PATTERN]
#
# A small log published: the files and their types and caching as nginx
# sends them; `sanilog verify URL --full` valid against the tree; a
# tlog-tiles client of its own (tests/lib/tlog_tiles.py) recomputing the
# checkpoint's root from the hash tiles; the published poster scanned and
# its URL (with the pin) opened in headless Chromium, where verify.js
# verifies the page.  Then a second run writes only the venue of the new
# entry; a folder of another log, and a database older than the tree, are
# refused and leave the tree as it was; a log of 500 entries and more has
# its full tiles written once and its old partial tiles removed; --watch
# follows the log.
#
# Exit status: 0 when every case passed, 1 otherwise, 2 when it cannot run.

HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck disable=SC2034 # browser.sh's
PATTERN=${1:-}

# shellcheck source=../lib/tree.sh
. "$HERE/../lib/tree.sh"
# nginx serves $TMP/site, a link to the tree under test.
tree_begin test_publish www sanilog bench chromium curl python3 nginx timeout

# publish ARGS...: sanilog publish on $DB, its output in ./pub.out
publish() {
	"$SANILOG" publish --db "$DB" "$@" >pub.out 2>pub.err
	local rc=$?
	sed 's/^/      | /' pub.out pub.err >&2
	return $rc
}
size_of() { sed -n 2p "$1"; } # a checkpoint file's tree size
ino() { stat -c '%i' "$1"; }  # a file's inode: a new one when rewritten

# ---------------------------------------------------------------------------
# A small log, published.

tree_log publish.example/log
SIZE=$(sl checkpoint | sed -n 2p)

expect_exit "publish: a new tree" 0 publish www --base-url "$NG"
check "publish says what it wrote" \
	grep -q "^published $SIZE entries ($SIZE new): 1 hash tiles, 1 entry tiles, .* 2 venues, 2 documents, 2 posters" pub.out
for f in checkpoint "checkpoints/$SIZE" "tile/0/000.p/$SIZE" "tile/entries/000.p/$SIZE" \
	"v/$VA/index.html" "v/$VA/index.it.html" "v/$VA/bundle.json" \
	"v/$VA/poster.pdf" "v/$VA/poster.svg" "v/$VA/poster.png" \
	"v/$VB/due.ics" "v/$VB/history.atom" index.html assets/verify.js \
	assets/verify.js.gz favicon.ico .sanilog-publish; do
	check "the tree has $f" test -s "www/$f"
done
check "no temporary file is left" test -z "$(find www -name '.*.tmp*')"
check "every file is readable by all" test -z "$(find www -type f ! -perm -0444)"
check "the checkpoint is the log's" cmp -s www/checkpoint <(sl checkpoint)

SHA=$(sha256sum "$DOCS/ozone.pdf" | cut -d' ' -f1)
served() { # served PATH TYPE CACHE: nginx's status, type and caching
	local got
	got=$(curl -s -o body -D - "$NG$1" | tr -d '\r')
	if grep -qi "^content-type: $2" <<<"$got" &&
		grep -qi "^cache-control: $3" <<<"$got" &&
		grep -q "^HTTP/1.1 200" <<<"$got"; then
		ok "nginx serves $1 as $2, $3"
	else
		bad "nginx serves $1: $(grep -iE '^(HTTP|content-type|cache-control)' <<<"$got" | tr '\n' ' ')"
	fi
}
served /checkpoint "text/plain" "no-cache"
served "/checkpoints/$SIZE" "text/plain" "public, max-age=31536000, immutable"
served "/tile/0/000.p/$SIZE" "application/octet-stream" "public, max-age=60"
served "/v/$VA" "text/html" "no-cache"
served "/v/$VA/bundle.json" "application/json" "no-cache"
served "/d/$SHA" "application/pdf" "public, max-age=31536000, immutable"
check "the document is the uploaded file" cmp -s body "$DOCS/ozone.pdf"
served "/v/$VA/poster.png" "image/png" "no-cache"
check "the document is sandboxed" sh -c "curl -sI '$NG/d/$SHA' | grep -qi '^content-security-policy: sandbox'"
check "the page has its gzip twin" test -s www/v/$VA/index.html.gz
check "nginx sends the page gzipped as it was written" sh -c \
	"curl -s -H 'Accept-Encoding: gzip' -D - -o page.gz '$NG/v/$VA' | tr -d '\r' | grep -qi '^content-encoding: gzip' && cmp -s page.gz www/v/$VA/index.html.gz"
check "?lang=it gives the Italian page" sh -c "curl -s '$NG/v/$VA?lang=it' | grep -q '<html lang=\"it\"'"
check "the state file is not served" test "$(curl -s -o /dev/null -w '%{http_code}' "$NG/.sanilog-publish")" = 404

expect_exit "verify URL --full against the published tree" 0 \
	"$SANILOG" verify "$NG/v/$VA" --full
check "verify --full read the whole log" grep -q "rule 9 tree: read all $SIZE entries" out
expect_exit "a tlog-tiles client recomputes the root from the hash tiles" 0 \
	python3 "$TLOG" "$NG"

POSTER=$("$SANILOG" scan www/v/$VA/poster.png)
check "the poster's QR code is the tree's venue URL with the pin" \
	grep -Eq "^$NG/v/$VA#k=[A-Za-z0-9_-]{22}&n=$SIZE&r=" <<<"$POSTER"
check_page "the published page, scanned from its poster: ok" "$POSTER" ok \
	"matches the poster" 'Bar Uno'
check_page "the published page in Italian: ok" "$NG/v/$VB?lang=it" ok \
	'<html lang="it"' 'Palestra Due'

# ---------------------------------------------------------------------------
# A second run: only what changed.

cp "$DB" old.db
[ -e "$DB-wal" ] && cp "$DB-wal" old.db-wal
B_INO=$(ino www/v/$VB/bundle.json)
expect_exit "publish again, nothing new" 0 publish www
check "says no new entry, writes nothing" \
	grep -q "^published $SIZE entries (no new entry):.* 0 files written" pub.out
sl cert add --venue $VA --file "$DOCS/protocol.pdf" --type protocol \
	--title "Protocollo" --performed "$(date -u +%F)" >/dev/null
N2=$((SIZE + 1))
expect_exit "publish the new entry" 0 publish www --json
check "one venue, one document, one poster set written" \
	grep -q "\"from\":$SIZE,\"size\":$N2,\"hash_tiles\":1,\"entry_tiles\":1,\"checkpoints\":1,\"venues\":1,\"documents\":1,\"posters\":1" pub.out
check "the other venue's bundle was not rewritten" \
	test "$(ino www/v/$VB/bundle.json)" = "$B_INO"
check "the checkpoint is the new one" test "$(size_of www/checkpoint)" = "$N2"
check "the older partial tile stays until its tile is full" test -s "www/tile/0/000.p/$SIZE"
POSTER2=$("$SANILOG" scan www/v/$VA/poster.png)
check_page "the venue of the new entry, from its new poster: ok" "$POSTER2" ok \
	"matches the poster" 'Protocollo'
expect_exit "verify --full after the second run" 0 "$SANILOG" verify "$NG/v/$VB" --full
expect_exit "the tiles after the second run" 0 python3 "$TLOG" "$NG"

# A new day: every venue's pages again (their verdicts follow the date),
# from the bundles their posters pin; no bundle or poster is rewritten.
# Forty days on, the sanitization of venue A is overdue.
B_INO=$(ino www/v/$VA/bundle.json)
P_INO=$(ino www/v/$VB/poster.pdf)
I_INO=$(ino www/v/$VA/index.html)
LATER=$(date -u -d '40 days' +%FT%TZ)
expect_exit "publish forty days on" 0 env SANILOG_NOW="$LATER" \
	"$SANILOG" publish --db "$DB" www --json
check "forty days on: both venues' pages, no poster" \
	grep -q '"venues":2,"documents":0,"posters":0' out
check "forty days on: the page of the overdue venue changed" \
	test "$(ino www/v/$VA/index.html)" != "$I_INO"
check "forty days on: its bundle was not rewritten" test "$(ino www/v/$VA/bundle.json)" = "$B_INO"
check "forty days on: no poster was rewritten" test "$(ino www/v/$VB/poster.pdf)" = "$P_INO"
check "forty days on: the page says overdue without JavaScript" \
	grep -q 'id="state" class="state" data-fresh="late"' www/v/$VA/index.html

# ---------------------------------------------------------------------------
# Refusals: nothing is written.

cp www/checkpoint cp.before
DB2=$TMP/other.db
"$SANILOG" init --db "$DB2" --origin other.example/log >/dev/null 2>&1
expect_exit "another log's database into the tree: refused" 1 \
	"$SANILOG" publish --db "$DB2" www
check "says whose tree it is" grep -q 'the folder holds the log "publish.example/log"' "$TMP/err"
expect_exit "an older copy of the database: refused" 1 \
	"$SANILOG" publish --db old.db www
check "says the tree is larger" grep -q "the folder holds $N2 entries of this log, the database only $SIZE" "$TMP/err"
check "the checkpoint was left as it was" cmp -s cp.before www/checkpoint
expect_exit "publish without a folder: usage" 2 "$SANILOG" publish --db "$DB"
expect_exit "publish --interval nonsense: usage" 2 \
	"$SANILOG" publish --db "$DB" www --watch --interval x

# ---------------------------------------------------------------------------
# A log of 500 entries, then 512, then 513: full tiles once, old partial
# tiles removed once a later run has their full tile.

SMALL=$DB
BIG=$TMP/big.db
big_venue "$BIG" 500
DB=$BIG
ln -sfn www2 site
expect_exit "publish a log of 500 entries" 0 publish www2 --base-url "$NG"
check "a full tile, a partial one, and level 1" \
	test -s www2/tile/0/000 -a -s www2/tile/0/001.p/244 -a -s www2/tile/1/000.p/1 \
	-a -s www2/tile/entries/000 -a -s www2/tile/entries/001.p/244
T0=$(ino www2/tile/0/000)
POSTER500=$("$SANILOG" scan www2/v/aaaaaaaa/poster.png)
expect_exit "tlog-tiles client, 500 entries" 0 python3 "$TLOG" "$NG"
for i in $(seq 1 12); do
	sl cert add --venue aaaaaaaa --file "$DOCS/pest.png" --type other \
		--title "Registro $i" --performed "$(date -u +%F)" >/dev/null
done
expect_exit "publish at 512 entries" 0 publish www2
check "the full tile 001 is there, the partial one still" \
	test -s www2/tile/0/001 -a -s www2/tile/0/001.p/244 -a -s www2/tile/1/000.p/2
check "the full tile 000 was not rewritten" test "$(ino www2/tile/0/000)" = "$T0"
sl cert add --venue aaaaaaaa --file "$DOCS/pest.png" --type other \
	--title "Registro 13" --performed "$(date -u +%F)" >/dev/null
expect_exit "publish at 513 entries" 0 publish www2
check "the partial tiles of 001 are gone" test ! -e www2/tile/0/001.p -a ! -e www2/tile/entries/001.p
check "the new partial tile" test -s www2/tile/0/002.p/1
expect_exit "tlog-tiles client, 513 entries" 0 python3 "$TLOG" "$NG"
expect_exit "verify --full, 513 entries" 0 "$SANILOG" verify "$NG/v/aaaaaaaa" --full

# A hash tile corrupted on the static server: verify --full refuses it.
cp -r www2 bad
flip_byte bad/tile/0/001 100
ln -sfn bad site
expect_exit "a corrupted full hash tile: verify --full exits 1" 1 \
	"$SANILOG" verify "$NG/v/aaaaaaaa" --full
check "names the tile" grep -q "hash tile tile/0/001: hash 3 is not the log's" out
expect_exit "the tlog-tiles client rejects it too" 1 python3 "$TLOG" "$NG"
ln -sfn www2 site

# ---------------------------------------------------------------------------
# --watch follows the log, and stops on SIGTERM.

"$SANILOG" publish --db "$DB" www2 --watch --interval 0.1 >watch.out 2>watch.err &
WATCH=$!
test_track "$WATCH"
sl cert add --venue aaaaaaaa --file "$DOCS/pest.png" --type other \
	--title "Registro 14" --performed "$(date -u +%F)" >/dev/null
check "--watch published the new entry" wait_size "$NG" 514
kill -TERM "$WATCH"
wait "$WATCH"
check "--watch exits 0 on SIGTERM" test $? = 0
test_untrack "$WATCH"
check "--watch said what it wrote" grep -q "^published 514 entries (1 new)" watch.out

# A poster older than the venue's bundle: the published tree has no
# /proof/, the page and verify URL compute the consistency proof from
# its hash tiles (here of levels 0 and 1, from 500 entries to 514).
check_page "a poster of 500 entries against the bundle of 514: ok" \
	"$POSTER500" ok "matches the poster" "computed from the log's tiles"
expect_exit "verify URL, a poster of 500 entries, the tree at 514" 0 \
	"$SANILOG" verify "$POSTER500"
check "the proof came from the tiles" \
	grep -q "extends it (a consistency proof computed from the log's tiles)" out

# ---------------------------------------------------------------------------
# Posters printed from the log after other venues' entries, scanned
# against the published tree: a venue's poster pins the checkpoint of its
# own newest entry, which its published bundle has (the bundle of venue B
# stays at the run that last wrote it, four entries, while the tree
# grows); a venue's poster published before its new entry pins an older
# tree than its new bundle, which the tiles show it extends.

DB=$SMALL
ln -sfn www site
sl cert add --venue $VA --file "$DOCS/pest.png" --type pest-control \
	--title "Derattizzazione" --performed "$(date -u +%F)" >/dev/null
expect_exit "publish an entry of venue A" 0 publish www
check "the tree grew past venue B's bundle" \
	test "$(size_of www/checkpoint)" = $((N2 + 1))
bundle_size() { # the tree size of a bundle file's checkpoint
	python3 -c 'import json, sys
print(json.load(open(sys.argv[1]))["checkpoint"].split("\n")[1])' "$1"
}
check "venue B's bundle stays at its run's checkpoint" \
	test "$(bundle_size www/v/$VB/bundle.json)" = "$SIZE"
expect_exit "a poster of venue B from the log" 0 \
	sl poster $VB -o p.png --base-url "$NG"
poster_ok "venue B's poster printed after venue A's entries" \
	"$(poster_url p.png)" "$SIZE" 'Palestra Due'
check_page "venue A's poster published before its new entry: ok" \
	"$POSTER2" ok "matches the poster" "computed from the log's tiles"
expect_exit "verify URL, venue A's poster published before its new entry" 0 \
	"$SANILOG" verify "$POSTER2"

# ---------------------------------------------------------------------------
echo "== venues written by several processes"

"$BENCH" make-log jobs.db 2000 --venues 40 >/dev/null 2>&1 ||
	bad "make-log of 40 venues"
pub_jobs() {
	"$SANILOG" publish --db jobs.db "jobs$1" --jobs "$1" \
		--base-url http://jobs.example --json >"jobs$1.json"
}
expect_exit "publish --jobs 1" 0 pub_jobs 1
expect_exit "publish --jobs 3" 0 pub_jobs 3
# (bytes apart: posters carry cairo's numbering of its surfaces, which is
# per process)
check "--jobs 3: the counts of one process" test \
	"$(jq -c 'del(.seconds, .bytes_written)' jobs1.json)" = \
	"$(jq -c 'del(.seconds, .bytes_written)' jobs3.json)"
check "--jobs 3: 40 venues and their posters" test \
	"$(jq -c '[.venues, .posters]' jobs3.json)" = "[40,40]"
check "--jobs 3: the same files" test \
	"$(cd jobs1 && find . -type f | sort)" = "$(cd jobs3 && find . -type f | sort)"
check "--jobs 3: the same bytes, posters apart" \
	diff -r -x 'poster.*' -x '.sanilog-publish' jobs1 jobs3
expect_exit "--jobs 0: a usage error" 2 pub_jobs 0

test_end
