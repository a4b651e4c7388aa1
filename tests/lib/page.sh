# Sourced by the tests that run verify.js on a page of their own in headless
# Chromium (tests/web/test_browser_parity.sh, test_vectors.sh): the
# temporary directory, Chromium, a folder served on 127.0.0.1, and the
# page's verdict.  The page writes its result into <p id="verify-status">
# (data-state ok or fail) and a line per problem into <li> elements.

# page_begin NAME: finds Debian's chromium (installs it as root when it is
# missing) into CHROMIUM, makes $TMP (removed on exit) and $SITE in it;
# exits 2 when there is no Chromium.
page_begin() {
	PAGE_TEST=$1
	CHROMIUM=${CHROMIUM:-$(command -v chromium || true)}
	if [ -z "$CHROMIUM" ] && [ "$(id -u)" = 0 ] &&
		command -v apt-get >/dev/null; then
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium \
			>/dev/null || true
		CHROMIUM=$(command -v chromium || true)
	fi
	if [ -z "$CHROMIUM" ]; then
		echo "$PAGE_TEST: needs Debian's chromium" >&2
		exit 2
	fi
	TMP=$(mktemp -d "${TMPDIR:-/tmp}/sanilog-$PAGE_TEST.XXXXXX")
	SITE=$TMP/site
	PAGE_PID=""
	trap page_cleanup EXIT
	trap 'exit 2' INT TERM HUP
	export HOME=$TMP LC_ALL=C TZ=UTC
	mkdir -p "$SITE/assets"
}

# Stops the folder's server, removes $TMP.
page_cleanup() {
	if [ -n "$PAGE_PID" ]; then
		kill "$PAGE_PID" 2>/dev/null || true
		wait "$PAGE_PID" 2>/dev/null || true
	fi
	rm -rf "$TMP"
}

# page_run PAGE SECONDS: serves $SITE, opens /PAGE in headless Chromium with
# SECONDS of virtual time, and prints the page's status line; returns 0
# when its data-state is ok, else prints its <li> lines (at most MAX_LINES,
# 40) and returns 1.  Exits 2 when the folder cannot be served.
page_run() {
	local port="" status
	(cd "$SITE" && exec python3 -u -m http.server 0 --bind 127.0.0.1) \
		>"$TMP/http.out" 2>&1 &
	PAGE_PID=$!
	for _ in $(seq 50); do
		port=$(sed -n 's/.* port \([0-9]*\).*/\1/p' "$TMP/http.out" |
			head -1)
		[ -n "$port" ] && break
		sleep 0.1
	done
	if [ -z "$port" ]; then
		cat "$TMP/http.out" >&2
		exit 2
	fi
	timeout $(($2 + 60)) "$CHROMIUM" --headless --no-sandbox --disable-gpu \
		--disable-quic --no-first-run --disable-background-networking \
		--disable-component-update --disable-sync --disable-extensions \
		--user-data-dir="$TMP/profile" --virtual-time-budget=$(($2 * 1000)) \
		--dump-dom "http://127.0.0.1:$port/$1" >"$TMP/dom.html" \
		2>/dev/null || true
	status=$(grep -o '<p id="verify-status"[^<]*' "$TMP/dom.html" || true)
	echo "${status#*>}"
	grep -q 'data-state="ok"' <<<"$status" && return 0
	grep -o '<li>[^<]*' "$TMP/dom.html" | sed 's/<li>/  /' |
		sed 's/&quot;/"/g; s/&lt;/</g; s/&gt;/>/g; s/&amp;/\&/g' |
		head -"${MAX_LINES:-40}"
	return 1
}
