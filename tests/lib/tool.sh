# Sourced by the tests that build a helper program against the
# libsanilog.a beside $SANILOG (the page driver, tools/bench.c).  The
# sourcing script has set SANILOG and TMP.

# build_tool SOURCE OUT: compiles the C file SOURCE into OUT, with the
# sanitizers when the library was built with them (make asan); exits 2
# when it cannot.
build_tool() {
	local top lib libs
	top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
	lib=$(dirname "$SANILOG")/libsanilog.a
	libs="$(pkg-config --libs libsodium sqlite3 jansson libmicrohttpd zlib) -lpthread -lm"
	# shellcheck disable=SC2086
	if ! cc -std=c17 -D_DEFAULT_SOURCE -I"$top/src" -o "$2" "$1" "$lib" \
		$libs 2>"$TMP/cc.err" &&
		! cc -std=c17 -D_DEFAULT_SOURCE -fsanitize=address,undefined \
			-I"$top/src" -o "$2" "$1" "$lib" $libs 2>>"$TMP/cc.err"; then
		cat "$TMP/cc.err" >&2
		echo "$(basename "$0"): cannot build $1" >&2
		exit 2
	fi
}

# big_venue DB N: a new log at DB (its key at DB.key) of N entries made
# by tools/bench.c make-log: venue aaaaaaaa, then N - 1 sanitization
# documents of 1 KiB (all performed 2024-01-15), logged at
# 2026-11-25T09:00:00Z.  About 0.2 s for 4,500.  Exits 2 when it cannot.
big_venue() {
	local top
	top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
	[ -x "$TMP/bench" ] || build_tool "$top/tools/bench.c" "$TMP/bench"
	if ! SANILOG_NOW=2026-11-25T09:00:00Z "$TMP/bench" make-log "$1" "$2" \
		--venues 1 >/dev/null 2>"$TMP/bench.err"; then
		cat "$TMP/bench.err" >&2
		echo "$(basename "$0"): cannot make a log of $2 entries" >&2
		exit 2
	fi
}
