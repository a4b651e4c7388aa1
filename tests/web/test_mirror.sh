#!/usr/bin/env bash
#
# test_mirror.sh: `sanilog mirror URL DIR`, from a live `sanilog serve` and
# from a published tree, served by Debian's nginx with the README's
# configuration (tools/nginx-static.conf).
#
#   SANILOG=/abs/path/to/sanilog tests/web/test_mirror.sh [PATTERN]
#
# A mirror of a live log: `verify URL --full` valid against it, a
# tlog-tiles client of its own recomputing the root from its hash tiles,
# its page verified by verify.js in headless Chromium; a second run reads
# only the new entry.  It holds the kept checkpoints that posters pin: a
# poster printed from the log (`sanilog poster`, the server's poster.png)
# verifies against it, on the page and with `sanilog verify URL`.  A
# mirror of a published tree of the same log is the same tree.  Then the
# refusals, each exiting 1, leaving the mirror as it was and keeping the
# evidence: a log that forked (the same key, other entries), one that
# rolled back (an older copy of its database served), a published tree
# with a corrupted hash tile, and one whose kept checkpoint that a poster
# pins is forged (another tree's under the log's key, a broken signature,
# another size's); a first run without the log's key is a usage error.
#
# Exit status: 0 when every case passed, 1 otherwise, 2 when it cannot run.

HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck disable=SC2034 # browser.sh's
PATTERN=${1:-}

# shellcheck source=../lib/tree.sh
. "$HERE/../lib/tree.sh"
# nginx serves $TMP/site, a link to the tree under test.
tree_begin test_mirror mir sanilog chromium curl python3 nginx timeout

mirror() { "$SANILOG" mirror "$@"; }
TODAY=$(date -u +%F)
refused() { # refused NAME: the last command (out, err) refused the log
	check "$1: says REFUSED" grep -q "REFUSED" err
	check "$1: the mirror's checkpoint is as it was" cmp -s cp.held mir/checkpoint
	local ev
	ev=$(sed -n 's/.*the evidence is in \([^ ]*\)$/\1/p' err)
	check "$1: the evidence names both checkpoints" \
		test -s "$ev/held-checkpoint" -a -s "$ev/received-checkpoint" -a -s "$ev/why"
	check "$1: the evidence is not served" \
		test "$(curl -s -o /dev/null -w '%{http_code}' "$NG/${ev#"$TMP"/mir/}/why")" = 404
}

# ---------------------------------------------------------------------------
# A live log, mirrored.

tree_log mirror.example/log
VKEY=$(sl key)
serve_db "$DB" 2 --base-url http://log.example
LIVE=$URL

expect_exit "a first run without the log's key: usage" 2 mirror "$LIVE" mir
check "says to give --vkey" grep -q -- "--vkey" err
expect_exit "mirror the live log" 0 mirror "$LIVE" mir --vkey "$VKEY" --base-url "$NG"
check "says what it mirrored" grep -q "^mirrored 4 entries of mirror.example/log (4 new): 1 entry tiles, 1 hash tiles, 2 venues, 2 documents, 3 kept checkpoints" out
check "the kept checkpoints the posters of the four entries pin" \
	test "$(cd mir/checkpoints && echo *)" = "1 2 3 4"
for n in 1 2 3; do
	check "kept checkpoint $n is the log's" cmp -s mir/checkpoints/$n <(curl -s "$LIVE/checkpoints/$n")
done
check "the mirror's checkpoint is the log's" cmp -s mir/checkpoint <(curl -s "$LIVE/checkpoint")
check "the mirror's bundle is the log's" cmp -s mir/v/$VA/bundle.json <(curl -s "$LIVE/v/$VA/bundle.json")
check "the mirror has the document" cmp -s "mir/d/$(sha256sum "$DOCS/ozone.pdf" | cut -d' ' -f1).pdf" "$DOCS/ozone.pdf"
check "the mirror has the assets" test -s mir/assets/verify.js
expect_exit "verify URL --full against the mirror" 0 "$SANILOG" verify "$NG/v/$VA" --full
expect_exit "a tlog-tiles client against the mirror" 0 python3 "$TLOG" "$NG"
check_page "the mirror's page: ok" "$NG/v/$VA" ok 'Bar Uno' 'Sanificazione'
# the log as it is now, for the rollback below
cp "$DB" rollback.db
cp -p "$DB.key" rollback.db.key
if [ -e "$DB-wal" ]; then cp "$DB-wal" rollback.db-wal; fi

# A second run: the new entry only.
sl cert add --venue $VB --file "$DOCS/protocol.pdf" --type protocol \
	--title "Protocollo" --performed "$TODAY" >/dev/null
wait_size "$LIVE" 5 || true # (the checks below say)
expect_exit "mirror the new entry" 0 mirror "$LIVE" mir --json
check "one venue, one document, no kept checkpoint but the new one" \
	grep -q '"from":4,"size":5,"entry_tiles":1,"hash_tiles":1,"venues":1,"documents":1,"checkpoints":0' out
check_page "the mirror's page of the new entry: ok" "$NG/v/$VB" ok 'Protocollo'
expect_exit "mirror again, nothing new" 0 mirror "$LIVE" mir --json
check "nothing new" grep -q '"from":5,"size":5,"entry_tiles":0,"hash_tiles":0,"venues":0,"documents":0' out

# Posters printed from the log pin the smallest kept checkpoint that holds
# their venue's newest entry: venue A's (its newest entry is the third)
# pins 3, older than its bundle's checkpoint (4) and the mirror's (5);
# printed by `sanilog poster` or served by the log's server, it verifies
# against the mirror.
expect_exit "a poster of venue A from the log" 0 \
	sl poster $VA -o pa.png --base-url "$NG"
poster_ok "venue A's poster from the log, against the mirror" \
	"$(poster_url pa.png)" 3 "computed from the log's tiles" 'Bar Uno'
curl -s -o live.png "$LIVE/v/$VA/poster.png"
poster_ok "the log server's poster of venue A, against the mirror" \
	"$(poster_url live.png)" 3 'Bar Uno'
cp mir/checkpoint cp.held
stop_server

# ---------------------------------------------------------------------------
# A mirror of a published tree: the same tree.

"$SANILOG" publish --db "$DB" www --base-url "$NG" >/dev/null ||
	test_cannot "sanilog publish"
chmod -R a+rX www
ln -sfn www site
expect_exit "mirror a published tree" 0 mirror "$NG" mir2 --vkey "$VKEY" --base-url "$NG"
ln -sfn mir site
check "the same checkpoint" cmp -s www/checkpoint mir2/checkpoint
check "the same tiles" diff -r www/tile mir2/tile
check "the same bundles" cmp -s www/v/$VB/bundle.json mir2/v/$VB/bundle.json
check "the same kept checkpoints (but the empty tree's, which no poster pins)" \
	diff -r -x 0 www/checkpoints mir2/checkpoints
# A mirror made before it fetched the kept checkpoints that posters pin
# (no "pins" in its state): its next run fetches those of the entries it
# holds.
python3 -c 'import json, sys
s = json.load(open(sys.argv[1])); del s["pins"]
json.dump(s, open(sys.argv[1], "w"))' mir2/.sanilog-mirror
rm mir2/checkpoints/[1-3]
ln -sfn www site
expect_exit "an older mirror: its held entries' pins fetched" 0 \
	mirror "$NG" mir2 --json
check "an older mirror: the kept checkpoints of its held entries" \
	diff -r -x 0 www/checkpoints mir2/checkpoints
check "an older mirror: its state says so now" grep -q '"pins": *true' mir2/.sanilog-mirror
ln -sfn mir site

# ---------------------------------------------------------------------------
# Refusals.

# A fork: the same key and origin, other entries, one more than mirrored.
"$SANILOG" init --key-from "$DB.key" --db fork.db --origin mirror.example/log >/dev/null 2>&1
for v in $VA $VB; do
	"$SANILOG" venue add --db fork.db --id $v --name "Altro $v" --address "Via" >/dev/null
done
for i in 1 2 3 4; do
	"$SANILOG" cert add --db fork.db --venue $VA --file "$DOCS/pest.png" \
		--type other --title "Altro $i" --performed "$TODAY" >/dev/null
done
serve_db fork.db 2
expect_exit "a forked log: refused" 1 mirror "$URL" mir
refused "a fork"
curl -s -o fork-6 "$URL/checkpoints/6" # for a forged kept checkpoint below
stop_server

# A rollback: an older copy of the database served.
serve_db rollback.db 2
expect_exit "a log smaller than mirrored: refused" 1 mirror "$URL" mir
check "says rollback" grep -q "fewer than the 5 mirrored (a rollback)" err
refused "a rollback"
stop_server

# A corrupted hash tile in a published tree.
cp -r www bad
chmod -R u+w bad
flip_byte bad/tile/0/000.p/5 40
chmod -R a+rX bad
ln -sfn bad site
expect_exit "a corrupted hash tile: refused" 1 mirror "$NG" mir3 --vkey "$VKEY"
check "names the tile" grep -q "tile/0/000.p/5: not the hashes of the log's tree" err
ln -sfn mir site

# A kept checkpoint that a poster pins, forged.  Two new entries of venue
# A, published: the pin of the first is checkpoints/6, which the tree
# served has replaced by the fork's (the log's key, another tree), by the
# log's own with its signature broken, and by the log's of 5 entries.
for i in 1 2; do
	sl cert add --venue $VA --file "$DOCS/pest.png" --type other \
		--title "Registro $i" --performed "$TODAY" >/dev/null
done
"$SANILOG" publish --db "$DB" www >/dev/null || test_cannot "sanilog publish"
chmod -R a+rX www
python3 -c 'import sys
lines = open(sys.argv[1]).read().split("\n")
sig = lines[-2]  # "— origin base64", then the final newline
c = sig[-10]
lines[-2] = sig[:-10] + ("A" if c != "A" else "B") + sig[-9:]
open(sys.argv[2], "w").write("\n".join(lines))' www/checkpoints/6 broken-6
forged() { # forged NAME FILE WHY: checkpoints/6 served as FILE: refused
	rm -rf bad
	cp -r www bad
	chmod -R u+w bad
	cp "$2" bad/checkpoints/6
	chmod -R a+rX bad
	ln -sfn bad site
	expect_exit "$1: refused" 1 mirror "$NG" mir
	check "$1: says why" grep -q "checkpoints/6: $3" err
	refused "$1"
	local ev
	ev=$(sed -n 's/.*the evidence is in \([^ ]*\)$/\1/p' err)
	check "$1: the evidence has it" cmp -s "$ev/received-kept-checkpoint" "$2"
	check "$1: the mirror did not write it" test ! -e mir/checkpoints/6
	ln -sfn mir site
}
check "the fork's kept checkpoint of 6 entries is signed by the log's key" \
	test "$(sed -n 1p fork-6)" = "mirror.example/log" -a "$(sed -n 2p fork-6)" = 6
forged "a kept checkpoint of another tree" fork-6 \
	"not the log's tree at that size"
forged "a kept checkpoint with a broken signature" broken-6 \
	"does not verify under"
forged "a kept checkpoint of another size" www/checkpoints/5 \
	"a checkpoint of 5 entries"
ln -sfn www site
expect_exit "the published tree with its kept checkpoints: mirrored" 0 \
	mirror "$NG" mir --json
check "one kept checkpoint besides the new one" grep -q '"size":7,.*"checkpoints":1,' out
check "the kept checkpoint is the log's" cmp -s www/checkpoints/6 mir/checkpoints/6
ln -sfn mir site

test_end
