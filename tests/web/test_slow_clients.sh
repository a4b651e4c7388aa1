#!/usr/bin/env bash
#
# test_slow_clients.sh: `sanilog serve` under clients that send their
# requests slowly (tests/lib/slow_clients.py).
#
#   SANILOG=/abs/path/to/sanilog tests/web/test_slow_clients.sh
#
# 2,000 connections from eight addresses, each sending a header line a
# second and never ending its head: each address keeps at most
# --max-per-address of them, a fresh client from another address is
# answered at once, and every one is closed once --request-timeout has
# passed.  Behind a trusted proxy, the proxy's own connections are not
# limited, the clients it names are: a third request under way for one
# client is 429, another client's is served, and bodies that trickle are
# cut.  The limits are short here (2 s), so that the test is.
# RUNNER, when set, prefixes the server (e.g. valgrind).
# Exit status: 0 when every check passed, 1 otherwise, 2 when it cannot run.

HERE=$(cd "$(dirname "$0")" && pwd)
SLOW=$HERE/../lib/slow_clients.py

# shellcheck source=../lib/test.sh
. "$HERE/../lib/test.sh"
test_begin test_slow_clients sanilog curl python3
# The clients' sockets, and the server's (it inherits the limit).
ulimit -n 8192 2>/dev/null || ulimit -n "$(ulimit -Hn)"
[ "$(ulimit -n)" -ge 2100 ] ||
	test_cannot "needs 2100 open files (ulimit -n)"

# value NAME FILE: the value of a NAME=VALUE line of slow_clients.py.
value() { sed -n "s/^$1=\([^ ]*\).*/\1/p" "$2"; }
# The server's port.
port_of() { echo "${URL##*:}"; }

sl init --origin test.example/log >/dev/null 2>&1

echo "== 2,000 slow connections from eight addresses"

serve_db "$DB" 2 --max-connections 256 --max-per-address 16 \
	--request-timeout 2
python3 "$SLOW" flood "$(port_of)" 2000 127.0.0.100 5 127.0.0.2 127.0.0.3 \
	127.0.0.4 127.0.0.5 127.0.0.6 127.0.0.7 127.0.0.8 127.0.0.9 >flood.out
cat flood.out
opened=$(value opened flood.out)
check "the attack opened its connections (${opened:-0})" \
	test "${opened:-0}" -ge 1000
kept=$(value kept flood.out)
check "at most 16 from each address are kept (${kept:-?})" \
	test "${kept:-9999}" -le $((8 * 16 + 8))
check "a fresh client is answered during the attack ($(value fresh flood.out))" \
	test "$(value fresh flood.out)" = 200
took=$(sed -n 's/^fresh=[^ ]* //p' flood.out)
check "within 2 s (${took:-?} s)" awk "BEGIN { exit !(${took:-9} < 2) }"
check "every slow connection is closed after --request-timeout" \
	test "$(value open_at_end flood.out)" = 0
code=$(curl -s -o /dev/null -w '%{http_code}' --interface 127.0.0.2 \
	"$URL/healthz") || true
check "their addresses are served again after ($code)" test "$code" = 200
curl -s -o metrics "$URL/metrics"
check "/metrics counts the refused" \
	grep -Eq '^sanilog_http_connections_refused_total [1-9]' metrics
check "/metrics counts the cut" \
	grep -Eq '^sanilog_http_connections_timed_out_total [1-9]' metrics
stop_server

echo "== behind a trusted proxy"

# from ADDR XFF: GET /healthz from ADDR naming XFF; prints the status.
from() {
	curl -s -o /dev/null -w '%{http_code}' --interface "$1" \
		-H "X-Forwarded-For: $2" "$URL/healthz" || true
}
serve_db "$DB" 2 --trusted-proxy 127.0.0.4 --max-per-address 2 \
	--request-timeout 2
python3 "$SLOW" bodies "$(port_of)" 127.0.0.4 198.51.100.7 2 8 >bodies.out &
BODIES=$!
for _ in $(seq 1 100); do
	grep -q ready bodies.out && break
	sleep 0.05
done
sleep 0.3
check "a third request under way for one client is 429" \
	test "$(from 127.0.0.4 198.51.100.7)" = 429
check "another client of the proxy is served" \
	test "$(from 127.0.0.4 198.51.100.8)" = 200
check "a direct client is served" test "$(from 127.0.0.5 198.51.100.7)" = 200
wait "$BODIES" || true
cat bodies.out
check "bodies that trickle are cut" \
	test "$(value open_at_end bodies.out)" = 0
cut=$(sed -n 's/.*seconds=//p' bodies.out)
check "after --request-timeout and their bytes' allowance (${cut:-?} s)" \
	awk "BEGIN { exit !(${cut:-99} >= 2 && ${cut:-99} < 5) }"
check "the client is served again after" \
	test "$(from 127.0.0.4 198.51.100.7)" = 200
stop_server

check "no sanitizer report from the server" \
	bash -c "! grep -Eq 'AddressSanitizer|LeakSanitizer|runtime error' serve.err"

test_end
