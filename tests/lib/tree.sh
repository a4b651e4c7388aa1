# shellcheck shell=bash
# tree.sh: what the suites of a tree served by nginx share
# (tests/web/test_publish.sh, test_mirror.sh): their setup, and posters
# printed from the log checked against the tree.  A suite sets PATTERN
# (browser.sh's) and sources this file alone; it brings tests/lib/test.sh,
# and tree_begin brings tests/web/browser.sh and tests/lib/nginx.sh.
#
#   TLOG, VA, VB        the tlog-tiles client (tlog_tiles.py), two venue ids
#   tree_begin NAME TREE [NEED...]
#                       test_begin NAME NEED..., then in $TMP: nginx (its
#                       URL in NG) serving $TMP/site, a symbolic link to
#                       the folder TREE (made empty; make site a link to
#                       another tree to serve that one)
#   tree_log ORIGIN     a new log at $DB: venues $VA (Bar Uno) and $VB
#                       (Palestra Due), then a certificate of each (the
#                       first a PDF, the second a PNG), performed today
#   wait_size URL SIZE  waits (up to 10 s) until URL/checkpoint is of SIZE
#                       entries
#   flip_byte FILE AT   inverts the byte at offset AT of FILE (a write of
#                       a set byte could leave it as it was)
#   poster_url PNG      the URL of the QR code of the poster PNG, on $NG
#                       whatever host it names (a poster printed by the
#                       log for its own base URL, scanned against the tree)
#   poster_ok NAME URL SIZE [PATTERN...]
#                       checks that URL, a poster's, pins the kept
#                       checkpoint of SIZE entries; that its page verifies
#                       in headless Chromium ("matches the poster", and
#                       every PATTERN: check_page's); and that `sanilog
#                       verify URL` exits 0

TREE_LIB=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=test.sh
. "$TREE_LIB/test.sh"
# shellcheck disable=SC2034 # the suites'
TLOG=$TREE_LIB/tlog_tiles.py VA=aaaabbbb VB=bbbbcccc

tree_begin() {
	local name=$1 tree=$2
	shift 2
	test_begin "$name" "$@"
	# shellcheck source=../web/browser.sh
	. "$TREE_LIB/../web/browser.sh"
	cd "$TMP" || exit 2
	# shellcheck source=nginx.sh
	. "$TREE_LIB/nginx.sh"
	mkdir -p "$tree"
	ln -s "$tree" site
	nginx_serve "$TMP/site"
}

tree_log() {
	local today
	today=$(date -u +%F)
	sl init --origin "$1" >/dev/null 2>&1 || test_cannot "sanilog init"
	sl venue add --id $VA --name "Bar Uno" --address "Via Uno 1" >/dev/null
	sl venue add --id $VB --name "Palestra Due" --address "Via Due 2" >/dev/null
	sl cert add --venue $VA --file "$DOCS/ozone.pdf" --type sanitization \
		--title "Sanificazione" --performed "$today" >/dev/null
	sl cert add --venue $VB --file "$DOCS/pest.png" --type pest-control \
		--title "Derattizzazione" --performed "$today" >/dev/null
}

wait_size() {
	for _ in $(seq 1 100); do
		[ "$(curl -s "$1/checkpoint" | sed -n 2p)" = "$2" ] && return 0
		sleep 0.1
	done
	return 1
}

flip_byte() {
	python3 -c 'import sys
with open(sys.argv[1], "r+b") as f:
    f.seek(int(sys.argv[2]))
    b = f.read(1)
    f.seek(int(sys.argv[2]))
    f.write(bytes([b[0] ^ 0xFF]))' "$1" "$2"
}

poster_url() {
	local url
	url=$("$SANILOG" scan "$1") || return 1
	printf '%s/v/%s\n' "$NG" "${url#*/v/}"
}

poster_ok() {
	local name=$1 url=$2 size=$3
	shift 3
	check "$name: pins the checkpoint of $size entries" \
		grep -Eq "^$NG/v/[a-z0-9]+#k=[A-Za-z0-9_-]{22}&n=$size&r=" <<<"$url"
	check_page "$name: ok on the page" "$url" ok "matches the poster" "$@"
	expect_exit "$name: verify URL" 0 "$SANILOG" verify "$url"
}
