#!/usr/bin/env bash
#
# test_full_tiles.sh: `sanilog verify URL --full` reads every hash tile of
# the log besides its entry tiles and compares each with the tree the
# entries make; and verifiers ask kept checkpoints at /checkpoints/<n>,
# falling back to the older /checkpoint/<n> on a 404.
#
#   SANILOG=/abs/path/to/sanilog tests/net/test_full_tiles.sh
#
# A log of 529 entries (tools/bench.c make-log: 200 venues, then their
# documents; 2 full entry tiles and entries/002.p/17; hash tiles 0/000,
# 0/001, 0/002.p/17 and 1/000.p/2)
# served by `sanilog serve` on 127.0.0.1 on a free port, and seen through
# tests/net/hostile.py: the untouched log is valid with its 4 hash tiles
# checked; one bit changed in a full, a partial or a level-1 hash tile, a
# hash tile missing (404) or cut short, each gives exit 1 naming the tile.
# A log that answers 404 for /checkpoints/<n> still verifies with a pin.
# RUNNER, when set, prefixes each sanilog verify (e.g. valgrind).
# Exit status: 0 when every check passed, 1 otherwise, 2 when it cannot run.

HERE=$(cd "$(dirname "$0")" && pwd)

# shellcheck source=../lib/test.sh
. "$HERE/../lib/test.sh"
# shellcheck source=lib.sh
. "$HERE/lib.sh"
test_begin test_full_tiles sanilog bench python3 timeout


# verify WANT NAME ARGS...: sanilog verify ARGS (./out, ./err), in a new
# checkpoint cache, wanting exit status WANT.
RC=
verify() {
	local want=$1 name=$2
	shift 2
	RC=0
	XDG_CACHE_HOME=$TMP/cache.$((++RUNS))
	export XDG_CACHE_HOME
	# shellcheck disable=SC2086
	timeout 120 $RUNNER "$SANILOG" verify "$@" >out 2>err || RC=$?
	if [ "$RC" = "$want" ]; then ok; else
		bad "$name: exit $RC, expected $want"
		sed 's/^/      | /' out err | tail -20 >&2
	fi
}
RUNS=0

has() { # has FILE REGEX NAME
	if grep -Eq -- "$2" "$1"; then ok; else
		bad "$3: $1 does not match $2"
		sed 's/^/      | /' "$1" | tail -20 >&2
	fi
}

echo "== setup"
# 200 venues (aaaaaaaa first) and 329 documents round-robin, so that
# verify fetches only venue aaaaaaaa's 2 documents; a checkpoint kept every
# 100 appends.
SANILOG_NOW=2026-11-25T09:00:00Z "$BENCH" make-log "$DB" 529 --venues 200 \
	--batch 100 >/dev/null 2>"$TMP/bench.err" ||
	test_cannot "cannot make a log: $(cat "$TMP/bench.err")"
V=aaaaaaaa
serve_db "$DB" 2
start_hostile "$URL"

echo "== the tiles the log serves"
for t in 0/000 0/001 0/002.p/17 1/000.p/2; do
	check "$t is served" curl -fsS -o /dev/null "$URL/tile/$t"
done
expect_exit "no level-1 tile wider than 2" 22 \
	curl -fsS -o /dev/null "$URL/tile/1/000.p/3"

echo "== an untouched log"
verify 0 "--full on the log" --full "$URL/v/$V"
has out "^✓ rule 9 tree: read all 529 entries through 3 tiles" "the tree"
has out "^✓ rule 9 hash tiles: 4 checked, levels 0 to 1 \(2 partial\)" \
	"the hash tiles counted"
verify 0 "--full through the proxy" --full "$HOSTILE/proxy/v/$V"
has out "^✓ rule 9 hash tiles: 4 checked" "through the proxy"
verify 0 "--full --json" --full --json "$URL/v/$V"
check "--json: full.hash_tiles" \
	test "$(jq -r '.full.hash_tiles' out)" = 4
check "--json: full.entry_tiles" \
	test "$(jq -r '.full.entry_tiles' out)" = 3
check "--json: full.entries" test "$(jq -r '.full.entries' out)" = 529
check "--json: the hash tiles check" \
	test "$(jq -r '[.checks[] | select(.name == "hash tiles")][0].ok' out)" = true

echo "== hash tiles that lie"
# badhash:T:H changes one bit of hash H of tile T.
for c in "0,000:0|0/000|0" "0,001:255|0/001|255" "0,002.p,17:5|0/002.p/17|5" \
	"1,000.p,2:1|1/000.p/2|1"; do
	mode=${c%%|*} rest=${c#*|}
	tile=${rest%|*} h=${rest#*|}
	verify 1 "badhash $tile" --full "$HOSTILE/badhash:$mode/v/$V"
	has out "^✗ rule 9 hash tiles: hash tile tile/$tile: hash $h is not the log's" \
		"badhash $tile named"
	has out "^✓ rule 9 tree: read all 529 entries" "badhash $tile: the tree"
done
verify 1 "a missing level-1 tile" --full "$HOSTILE/nohash:1,000.p,2/v/$V"
has out "^✗ rule 9 tiles: .*tile/1/000\.p/2.*404" "the missing tile named"
verify 1 "a missing level-0 tile" --full "$HOSTILE/nohash:0,001/v/$V"
has out "^✗ rule 9 tiles: .*tile/0/001.*404" "the missing tile named"
verify 1 "a level-1 partial tile cut short" --full \
	"$HOSTILE/shorthash:1,000.p,2/v/$V"
has out "^✗ rule 9 tiles: .*hash tile tile/1/000\.p/2: 63 bytes, not the 64 of its 2 hashes" \
	"the short tile named"
verify 1 "a level-0 partial tile cut short" --full \
	"$HOSTILE/shorthash:0,002.p,17/v/$V"
has out "^✗ rule 9 tiles: .*hash tile tile/0/002\.p/17: 543 bytes" \
	"the short tile named"
verify 0 "without --full, hash tiles are not read" \
	"$HOSTILE/badhash:1,000.p,2:0/v/$V"

echo "== kept checkpoints at /checkpoints/<n>, and at /checkpoint/<n>"
PINNED=$(sl checkpoint --size 500 2>/dev/null) ||
	test_cannot "no kept checkpoint of size 500"
check "/checkpoints/500 is the kept checkpoint" \
	test "$(curl -fsS "$URL/checkpoints/500")" = "$PINNED"
check "/checkpoint/500 is the same" \
	test "$(curl -fsS "$URL/checkpoint/500")" = "$PINNED"
PIN=$(pin "$(sl key)" "$PINNED")
verify 0 "a pin, from /checkpoints/" "$HOSTILE/proxy/v/$V#$PIN"
has out "^✓ rule 8 pin: the poster's pin \(tree size 500" "the pin checked"
expect_exit "oldpaths: no /checkpoints/500" 22 \
	curl -fsS -o /dev/null "$HOSTILE/oldpaths/checkpoints/500"
verify 0 "a pin, from a log with only /checkpoint/" \
	"$HOSTILE/oldpaths/v/$V#$PIN"
has out "^✓ rule 8 pin: the poster's pin \(tree size 500" \
	"the pin checked at the older path"
expect_exit "newpaths: no /checkpoint/500" 22 \
	curl -fsS -o /dev/null "$HOSTILE/newpaths/checkpoint/500"
verify 0 "a pin, from a log with only /checkpoints/" \
	"$HOSTILE/newpaths/v/$V#$PIN"
has out "^✓ rule 8 pin: the poster's pin \(tree size 500" \
	"the pin checked at the newer path"
verify 1 "a pin, from a log with neither" "$HOSTILE/nopaths/v/$V#$PIN"
has out "^✗ rule 8 pin: .*the log does not give it" "no kept checkpoint"

test_end
