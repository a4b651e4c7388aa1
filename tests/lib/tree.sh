# shellcheck shell=bash
# tree.sh: what the suites of a tree served by nginx share
# (tests/web/test_publish.sh, test_mirror.sh), sourced after
# tests/lib/test.sh, tests/web/browser.sh and tests/lib/nginx.sh, with NG
# set.
#
#   poster_url PNG      the URL of the QR code of the poster PNG, on $NG
#                       whatever host it names (a poster printed by the
#                       log for its own base URL, scanned against the tree)
#   poster_ok NAME URL SIZE [PATTERN...]
#                       checks that URL, a poster's, pins the kept
#                       checkpoint of SIZE entries; that its page verifies
#                       in headless Chromium ("matches the poster", and
#                       every PATTERN: check_page's); and that `sanilog
#                       verify URL` exits 0

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
