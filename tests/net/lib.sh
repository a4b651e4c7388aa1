# lib.sh: what the suites of tests/net share, sourced after tests/lib/test.sh.

# start_hostile UPSTREAM [CERT KEY]: tests/net/hostile.py in front of
# UPSTREAM (with TLS when given a certificate); sets HOSTILE (its URL) and
# HOSTILE_PID; exits 2 if it does not start.
HOSTILE=
start_hostile() {
	: >"$TMP/hostile.out"
	python3 "$HERE/hostile.py" "$@" >"$TMP/hostile.out" \
		2>>"$TMP/hostile.err" &
	HOSTILE_PID=$!
	test_track "$HOSTILE_PID"
	for _ in $(seq 1 200); do
		local port
		port=$(sed -n 's/^listening on \([0-9]*\)$/\1/p' "$TMP/hostile.out")
		if [ -n "$port" ]; then
			HOSTILE=http://127.0.0.1:$port
			return 0
		fi
		kill -0 "$HOSTILE_PID" 2>/dev/null || break
		sleep 0.05
	done
	cat "$TMP/hostile.err" >&2
	test_cannot "the hostile server did not start"
}

stop_hostile() {
	kill -9 "$HOSTILE_PID" 2>/dev/null || true
	wait "$HOSTILE_PID" 2>/dev/null || true
	test_untrack "$HOSTILE_PID"
	HOSTILE_PID=
}

# pin VKEY CHECKPOINT-NOTE: the fragment k=..&n=..&r=.. (DESIGN.md), made
# here independently of sanilog's own pin code.
pin() {
	python3 - "$1" "$2" <<'EOF'
import base64, hashlib, sys
vkey = sys.argv[1].rstrip("\n").encode()
lines = sys.argv[2].split("\n")
b = lambda x: base64.urlsafe_b64encode(x[:16]).decode().rstrip("=")
print("k=%s&n=%s&r=%s" % (b(hashlib.sha256(vkey).digest()), lines[1],
                          b(base64.b64decode(lines[2]))))
EOF
}
