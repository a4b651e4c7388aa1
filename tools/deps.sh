#!/bin/sh
# Installs the Debian packages sanilog needs to build, test and demo, and
# does nothing when they are all there.  The fonts are those posters use
# (README.md, "Fonts on posters").
#
#   usage: tools/deps.sh [--bench] [--dry-run]
#
# --bench adds what `make bench` drives besides: wrk (the load generator).
# nginx (which serves published trees in the tests, and which the venue
# page's speed is compared with) is among the packages always installed.
# --dry-run says what is missing and prints the apt-get commands instead
# of running them (it still waits for the locks, below).
#
# Another apt or dpkg (a fresh machine's first updates, unattended-upgrades)
# may hold the package locks.  Then the script says which process it waits
# for and waits, at most DEPS_LOCK_TIMEOUT seconds (default 600): for the
# lists lock before `apt-get update` and for the dpkg and archive locks
# before `apt-get install`, which also gets -o DPkg::Lock::Timeout (apt
# 1.9.11 and later wait so for the dpkg locks only).  An apt-get that fails
# while another process took a lock meanwhile is run again, in that time.
#
# For tests and trials: DEPS_FORCE="PKG..." counts those packages as
# missing (an installed, up-to-date one is installed again, which changes
# nothing: the install path and its waiting, tried by hand); DEPS_ROOT=DIR
# looks for the lock files under DIR (tests/tools/test_deps.sh).
set -e
pkgs="build-essential pkg-config libsodium-dev libssl-dev libsqlite3-dev
libjansson-dev libmicrohttpd-dev libqrencode-dev libzbar-dev libcairo2-dev
libpango1.0-dev libpng-dev zlib1g-dev
libcurl4-openssl-dev libcmocka-dev sqlite3 curl python3 openssl xxd jq valgrind clang-format
clang-tidy cppcheck
clang libclang-rt-14-dev
imagemagick poppler-utils librsvg2-bin pngcheck file
chromium fonts-dejavu-core fonts-wqy-microhei nginx-light"
dry=""
for a in "$@"; do
	case $a in
	--bench) pkgs="$pkgs wrk" ;;
	--dry-run) dry=1 ;;
	*)
		echo "usage: tools/deps.sh [--bench] [--dry-run]" >&2
		exit 2
		;;
	esac
done
timeout=${DEPS_LOCK_TIMEOUT:-600}
case $timeout in
'' | *[!0-9]*)
	echo "deps: DEPS_LOCK_TIMEOUT: not a number of seconds" >&2
	exit 2
	;;
esac
root=${DEPS_ROOT:-}
lists_lock="$root/var/lib/apt/lists/lock"
install_locks="$root/var/lib/dpkg/lock-frontend $root/var/lib/dpkg/lock
$root/var/cache/apt/archives/lock"

missing=""
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing="$missing $p"
done
# Node and npm run the test tooling from npm (Lighthouse).  Debian's
# nodejs and npm, unless a node with its own npm is already there (as
# NodeSource's nodejs package, which conflicts with Debian's npm).
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
	missing="$missing nodejs npm"
fi
for p in ${DEPS_FORCE:-}; do
	missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "deps: installing:$missing"

# holder LOCK...: "COMMAND (process PID), which holds LOCK" for the first
# LOCK that a process has locked (fcntl, flock or OFD locks, as
# /proc/locks lists them by device and inode), or nothing.
holder() {
	for f in "$@"; do
		[ -e "$f" ] || continue
		# shellcheck disable=SC2046,SC2183
		id=$(printf '%02x:%02x:%s' $(stat -L -c '%Hd %Ld %i' "$f")) ||
			continue
		pid=$(awk -v id="$id" '$2 != "->" && $6 == id {
			print $5; exit }' /proc/locks 2>/dev/null) || true
		[ -n "$pid" ] || continue
		if [ "$pid" -gt 0 ] 2>/dev/null && [ -r "/proc/$pid/comm" ]; then
			echo "$(cat "/proc/$pid/comm") (process $pid), which holds $f"
		else
			echo "another process, which holds $f"
		fi
		return 0
	done
}

deadline=$(($(date +%s) + timeout))

# wait_locks LOCK...: returns once no process holds any LOCK, saying once
# whom it waits for; fails when the deadline passes first.
wait_locks() {
	said=""
	while h=$(holder "$@") && [ -n "$h" ]; do
		if [ -z "$said" ]; then
			echo "deps: waiting for $h" \
				"(at most $((deadline - $(date +%s))) s)"
			said=1
		fi
		if [ "$(date +%s)" -ge "$deadline" ]; then
			echo "deps: gave up waiting for $h" >&2
			return 1
		fi
		sleep 1
	done
	[ -z "$said" ] || echo "deps: the lock is free, going on"
}

# apt_get LOCKS ARGS...: apt-get ARGS once LOCKS (a list) are free; again while
# it fails and a lock is held anew, until the deadline.
apt_get() {
	locks=$1
	shift
	while :; do
		# shellcheck disable=SC2086
		wait_locks $locks || return 1
		if [ -n "$dry" ]; then
			echo "$SUDO apt-get -o DPkg::Lock::Timeout=$timeout $*" |
				sed 's/^ //'
			return 0
		fi
		rc=0
		$SUDO apt-get -o "DPkg::Lock::Timeout=$timeout" "$@" || rc=$?
		# shellcheck disable=SC2086
		if [ "$rc" = 0 ] || [ -z "$(holder $locks)" ] ||
			[ "$(date +%s)" -ge "$deadline" ]; then
			return "$rc"
		fi
	done
}

SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
apt_get "$lists_lock" update -q || true
# shellcheck disable=SC2086
apt_get "$install_locks" install -y -q --no-install-recommends $missing
