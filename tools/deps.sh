#!/bin/sh
# Installs the Debian packages sanilog needs to build, test and demo, and
# does nothing when they are all there.  The fonts are those posters use
# (README.md, "Fonts on posters").
#
#   usage: tools/deps.sh [--bench]
#
# --bench adds what `make bench` drives besides: wrk (the load generator)
# and nginx (the server the venue page's speed is compared with).
set -e
pkgs="build-essential pkg-config libsodium-dev libsqlite3-dev libjansson-dev
libmicrohttpd-dev libqrencode-dev libzbar-dev libcairo2-dev
libpango1.0-dev libpng-dev zlib1g-dev libcurl4-openssl-dev libcmocka-dev
sqlite3 curl valgrind clang-format imagemagick poppler-utils librsvg2-bin
pngcheck file chromium fonts-dejavu-core fonts-wqy-microhei"
case ${1:-} in
'') ;;
--bench) pkgs="$pkgs wrk nginx-light" ;;
*)
	echo "usage: tools/deps.sh [--bench]" >&2
	exit 2
	;;
esac
missing=""
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "deps: installing:$missing"
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q || true
# shellcheck disable=SC2086
$SUDO apt-get install -y -q --no-install-recommends $missing
