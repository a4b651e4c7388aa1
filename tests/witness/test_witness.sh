#!/usr/bin/env bash
#
# test_witness.sh: `sanilog witness` (a C2SP tlog-witness) with the real
# binary.
#
#   SANILOG=/abs/path/to/sanilog tests/witness/test_witness.sh
#
# The CLI: init (its key file 0600, never made twice), key, log
# add/list/remove (text and --json, bad keys and twice refused), evidence,
# each --help, a mistyped subcommand.  End to end with real logs made by
# the CLI: a sanilog log's checkpoints and consistency proofs (sanilog
# checkpoint, sanilog proof consistency) submitted with curl as tlog-witness
# says, every refusal with its status, GET /.  A fork: a second database
# made with the same key and other entries, whose checkpoints the witness
# refuses (409 for the size it holds, 422 past it), each kept as evidence
# with both checkpoints.  SIGKILL: the witness killed at random moments
# while a log grows and submits each new checkpoint, restarted on the same
# database each time: it never holds a size below one it answered 200 for,
# and refuses (409) an old size below it.
# RUNNER, when set, prefixes the witness under test (e.g. valgrind).
# Exit status: 0 when every check passed, 1 otherwise, 2 when it cannot run.

HERE=$(cd "$(dirname "$0")" && pwd)

# shellcheck source=../lib/test.sh
. "$HERE/../lib/test.sh"
test_begin test_witness sanilog curl python3 stat timeout base64 od

WDB=$TMP/witness.db
WNAME=witness.example/w1

# wit ARGS...: sanilog witness on $WDB.
wit() { "$SANILOG" witness "$@" --db "$WDB"; }

# wserve DB: starts `sanilog witness serve` under $RUNNER on a free port of
# 127.0.0.1, its output in $TMP/wserve.out and wserve.err; sets WURL
# (without the final slash) and WPID; exits 2 if it does not start.  The
# witness runs under a subshell that waits for it, so that its death by
# SIGKILL is not reported on the suite's output; WWRAP is that subshell.
WPID="" WWRAP=""
wserve() {
	: >"$TMP/wserve.out"
	rm -f "$TMP/wserve.pid"
	(
		# shellcheck disable=SC2086
		$RUNNER "$SANILOG" witness serve --db "$1" --listen 127.0.0.1:0 \
			--threads 2 --no-access-log >"$TMP/wserve.out" \
			2>>"$TMP/wserve.err" &
		echo $! >"$TMP/wserve.pid"
		wait $!
		exit 0
	) 2>/dev/null &
	WWRAP=$!
	test_track "$WWRAP"
	for _ in $(seq 1 200); do
		[ -z "$WPID" ] && [ -s "$TMP/wserve.pid" ] && {
			WPID=$(cat "$TMP/wserve.pid")
			test_track "$WPID"
		}
		WURL=$(sed -n 's|^sanilog: witness listening on \(http://[^ ]*\)/$|\1|p' \
			"$TMP/wserve.out")
		[ -n "$WURL" ] && [ -n "$WPID" ] && return 0
		kill -0 "$WWRAP" 2>/dev/null || break
		sleep 0.05
	done
	cat "$TMP/wserve.err" >&2
	test_cannot "the witness did not start"
}

# wstop [SIGNAL]: stops the witness (SIGTERM) and waits for it.
# shellcheck disable=SC2120 # SIGNAL is optional
wstop() {
	kill -"${1:-TERM}" "$WPID" 2>/dev/null || true
	wait "$WWRAP" 2>/dev/null || true
	test_untrack "$WPID"
	test_untrack "$WWRAP"
	WPID="" WWRAP=""
}

# post FILE: POSTs FILE to the witness's add-checkpoint; CODE is the status
# (000 when no answer came), ./body the answer, ./hdr its header lines.
post() {
	CURL_RC=0
	CODE=$(curl -s -o body -D hdr.raw -w '%{http_code}' --max-time 20 \
		--data-binary @"$1" "$WURL/add-checkpoint") || CURL_RC=$?
	[ "$CURL_RC" = 0 ] || CODE=000
	tr -d '\r' <hdr.raw >hdr 2>/dev/null || : >hdr
}

# request DB OLD [NEW] >FILE: the add-checkpoint body for the log DB from
# size OLD to its checkpoint of size NEW (the newest when not given), with
# the proof `sanilog proof consistency` gives.
request() {
	local db=$1 old=$2 new=${3:-}
	if [ -n "$new" ]; then
		"$SANILOG" checkpoint --size "$new" --db "$db" >req.cp
	else
		"$SANILOG" checkpoint --db "$db" >req.cp
		new=$(sed -n 2p req.cp)
	fi
	echo "old $old"
	if [ "$old" != 0 ]; then
		"$SANILOG" proof consistency "$old" "$new" --db "$db"
	fi
	echo
	cat req.cp
}

# submit DB OLD [NEW]: request, then post; SIZE is the checkpoint's size.
submit() {
	request "$@" >req
	SIZE=$(sed -n 2p req.cp)
	post req
}

# want CODE WHAT: the last answer's status was CODE.
want() {
	if [ "$CODE" = "$1" ]; then ok "$2: $1"; else
		bad "$2: status $CODE, want $1 ($(head -c 200 body))"
	fi
}

# want_409 HELD WHAT: a 409 as tlog-witness says: text/x.tlog.size, the
# held size and a newline.
want_409() {
	want 409 "$2"
	check "$2: text/x.tlog.size" grep -qx 'Content-Type: text/x.tlog.size' hdr
	check "$2: body \"$1\"" test "$(cat body)" = "$1" -a "$(wc -c <body)" = \
		$((${#1} + 1))
}

# want_cosig WHAT: the answer is one cosignature line of the witness's
# key: its name, base64 of 76 bytes whose key ID is the hash of the
# witness's verifier key and whose time is within a minute of now.
want_cosig() {
	local line sig id t now
	want 200 "$1"
	line=$(cat body)
	check "$1: one line" test "$(wc -l <body)" = 1 -a \
		"$(wc -c <body)" = $((${#line} + 1))
	sig=${line#"— $WNAME "}
	if [ "$sig" = "$line" ]; then
		bad "$1: not a cosignature of $WNAME: $line"
		return 0
	fi
	printf '%s' "$sig" | base64 -d >sig.bin 2>/dev/null || : >sig.bin
	check "$1: 76 bytes of signature" test "$(wc -c <sig.bin)" = 76
	id=$(od -An -tx1 -N4 sig.bin | tr -d ' \n')
	check "$1: the witness's key ID" test "$id" = "$WHASH"
	t=$(od -An -tu1 -j4 -N8 sig.bin |
		awk '{ for (i = 1; i <= NF; i++) v = v * 256 + $i } END { print v }')
	now=$(date +%s)
	check "$1: cosigned now ($t, $now)" test "$t" -ge $((now - 60)) -a \
		"$t" -le $((now + 1))
}

# held DB ORIGIN: the size the witness of DB holds for ORIGIN (log list).
held() {
	"$SANILOG" witness log list --db "$1" | awk -F '\t' -v o="$2" \
		'$1 == o { print $2 }'
}

# ---------------------------------------------------------------------------
echo "== the CLI"

expect_exit "init without --name: exit 2" 2 wit init
grep -q 'missing --name' err || bad "init without --name: says why"
expect_exit "init with a name that is no key name: exit 2" 2 \
	wit init --name 'a b'
check "nothing made" test ! -e "$WDB" -a ! -e "$WDB.key"
expect_exit "init: exit 0" 0 wit init --name "$WNAME"
WVKEY=$(cat out)
check "init prints a witness's verifier key ($WVKEY)" \
	grep -Eqx "$WNAME\+[0-9a-f]{8}\+[A-Za-z0-9+/]{44}" out
WHASH=$(echo "$WVKEY" | cut -d+ -f2)
check "the key file is mode 0600" test "$(stat -c %a "$WDB.key")" = 600
check "the database is mode 0600" test "$(stat -c %a "$WDB")" = 600
check "the key file is a signer key" grep -q "^PRIVATE+KEY+$WNAME+" "$WDB.key"
cp "$WDB.key" key.before
expect_exit "init again: exit 2" 2 wit init --name "$WNAME"
grep -q 'exists already' err || bad "init again: says why"
check "init again keeps the key" cmp -s key.before "$WDB.key"
expect_exit "init again under another name: exit 2" 2 \
	wit init --name other.example/w
check "... and keeps the key" cmp -s key.before "$WDB.key"
# The database without its key file: init still refuses it.
mv "$WDB.key" key.moved
expect_exit "init over a database without its key: exit 2" 2 \
	wit init --name "$WNAME"
check "... and makes no key" test ! -e "$WDB.key"
mv key.moved "$WDB.key"
expect_exit "init --json: exit 0" 0 "$SANILOG" witness init \
	--name json.example/w --db j.db --json
check "init --json: name, vkey, db, key" python3 -c '
import json, sys
o = json.load(open("out"))
assert o["name"] == "json.example/w", o
assert o["vkey"].startswith("json.example/w+"), o
assert o["db"] == "j.db" and o["key"] == "j.db.key", o'

expect_exit "key: exit 0" 0 wit key
check "key prints what init did" test "$(cat out)" = "$WVKEY"
expect_exit "key --json: exit 0" 0 wit key --json
check "key --json" python3 -c '
import json, sys
o = json.load(open("out"))
assert o == {"name": sys.argv[1], "vkey": sys.argv[2]}, o' "$WNAME" "$WVKEY"
expect_exit "key with no database: exit 2" 2 "$SANILOG" witness key \
	--db nowhere.db
grep -q 'witness init' err || bad "key with no database: says to init"
echo "not a database at all, but a file of text" >junk.db
expect_exit "key of a file that is no witness database: exit 2" 2 \
	"$SANILOG" witness key --db junk.db
"$SANILOG" init --origin other.example/log --db notw.db >/dev/null 2>&1
expect_exit "key of a log's database: exit 2" 2 \
	"$SANILOG" witness key --db notw.db
grep -q 'not a sanilog witness database' err ||
	bad "key of a log's database: says it is not a witness's"

# The logs witnessed.
sl init --origin e2e.example/log >/dev/null 2>&1
LVKEY=$(sl key)
expect_exit "log list of none: exit 0" 0 wit log list
check "log list of none: empty" test ! -s out
expect_exit "log list --json of none" 0 wit log list --json
check "log list --json of none: []" python3 -c '
import json; assert json.load(open("out")) == []'
expect_exit "log add: exit 0" 0 wit log add "$LVKEY"
check "log add says so" grep -qx 'witnessing e2e.example/log' out
expect_exit "log add twice: exit 2" 2 wit log add "$LVKEY"
grep -q 'witnessed already' err || bad "log add twice: says why"
OTHER_VKEY=$("$SANILOG" key --db notw.db)
expect_exit "log add --json: exit 0" 0 wit log add "$OTHER_VKEY" --json
check "log add --json" python3 -c '
import json, sys
o = json.load(open("out"))
assert o == {"origin": "other.example/log", "vkey": sys.argv[1]}, o' \
	"$OTHER_VKEY"
for bad_key in bogus "e2e.example/log+00000000+AAAA" \
	"e2e.example/log+00000000+${LVKEY##*+}" "$WVKEY" "x+${LVKEY#*+}" \
	"$LVKEY " ''; do
	expect_exit "log add \"$bad_key\": exit 2" 2 wit log add "$bad_key"
done
expect_exit "log add of no key: exit 2" 2 wit log add
expect_exit "log add of two keys: exit 2" 2 wit log add "$LVKEY" "$OTHER_VKEY"
expect_exit "log list: exit 0" 0 wit log list
check "log list: a line a log, by origin" test "$(cut -f1,2,3,4 out)" = \
	"$(printf 'e2e.example/log\t0\t-\t%s\nother.example/log\t0\t-\t%s' \
		"$LVKEY" "$OTHER_VKEY")"
expect_exit "log list --json: exit 0" 0 wit log list --json
check "log list --json" python3 -c '
import json, sys
o = json.load(open("out"))
assert [l["origin"] for l in o] == ["e2e.example/log", "other.example/log"], o
assert o[0]["vkey"] == sys.argv[1] and o[0]["size"] == 0, o
assert o[0]["root"] is None and o[0]["cosigned"] is None, o' "$LVKEY"
expect_exit "log remove of none: exit 2" 2 wit log remove nope.example/log
expect_exit "log remove: exit 0" 0 wit log remove other.example/log
check "log remove says so" grep -qx 'no longer witnessing other.example/log' out
expect_exit "log remove again: exit 2" 2 wit log remove other.example/log
wit log add "$OTHER_VKEY" >/dev/null
expect_exit "log remove --json: exit 0" 0 wit log remove other.example/log --json
check "log remove --json" python3 -c '
import json; assert json.load(open("out")) == {"removed": "other.example/log"}'
expect_exit "log list after remove" 0 wit log list
check "only the log kept is listed" test "$(cut -f1 out)" = e2e.example/log

expect_exit "evidence of none: exit 0" 0 wit evidence
check "evidence of none: empty" test ! -s out
expect_exit "evidence --json of none: exit 0" 0 wit evidence --json
check "evidence --json of none: []" python3 -c '
import json; assert json.load(open("out")) == []'

# Help, and what is not a command.
for cmd in "" init key log "log add" "log list" "log remove" serve evidence; do
	# shellcheck disable=SC2086 # cmd is words
	expect_exit "witness $cmd --help: exit 0" 0 "$SANILOG" witness $cmd --help
	check "witness $cmd --help: the usage on stdout" \
		grep -q '^usage: sanilog witness init --name NAME' out
done
for cmd in "" inti "log" "log ad" "log lst x" "key extra" "evidence extra" \
	"serve --bogus" "init --bogus"; do
	# shellcheck disable=SC2086 # cmd is words
	expect_exit "witness $cmd: exit 2" 2 "$SANILOG" witness $cmd --db "$WDB"
	check "witness $cmd: the usage on stderr" grep -q '^usage: ' err
done
expect_exit "witness inti: the nearest" 2 "$SANILOG" witness inti
check "witness inti: did you mean init?" grep -q 'did you mean init' err

# serve with what it cannot use.
expect_exit "serve with no database: exit 2" 2 timeout 10 \
	"$SANILOG" witness serve --db nowhere.db --listen 127.0.0.1:0
cp "$WDB" copy.db
cp j.db.key copy.db.key
expect_exit "serve with another witness's key: exit 2" 2 timeout 10 \
	"$SANILOG" witness serve --db copy.db --listen 127.0.0.1:0
grep -q 'not this witness' err || bad "serve with another key: says why"
expect_exit "serve on a bad address: exit 2" 2 timeout 10 \
	"$SANILOG" witness serve --db "$WDB" --listen 127.0.0.1:99999

# ---------------------------------------------------------------------------
echo "== end to end"

for v in 1 2 3; do
	sl venue add --name "Bar $v" --address "Via $v" >/dev/null
done
wserve "$WDB"
check "the witness says it listens on 127.0.0.1" \
	grep -q '^sanilog: witness listening on http://127.0.0.1:[0-9]*/$' \
	"$TMP/wserve.out"

submit "$DB" 0
check "the log is of 3 entries" test "$SIZE" = 3
want_cosig "old 0, size 3"
check "200: text/plain" grep -q '^Content-Type: text/plain' hdr
check "200: no-store" grep -qx 'Cache-Control: no-store' hdr
curl -s "$WURL/" >info
check "GET / names the witness" grep -qx "sanilog witness $WNAME" info
check "GET / gives its key" grep -qx "vkey $WVKEY" info
check "GET / shows size 3" grep -q "^log $LVKEY size 3 cosigned 20" info
check "log list says 3" test "$(held "$WDB" e2e.example/log)" = 3

sl venue add --name "Bar 4" --address "Via 4" >/dev/null
sl venue add --name "Bar 5" --address "Via 5" >/dev/null
submit "$DB" 3
check "the proof from 3 to 5 is not empty" test "$(sed -n 2p req)" != ""
want_cosig "old 3, size 5"
curl -s "$WURL/" >info
check "GET / shows size 5" grep -q "^log $LVKEY size 5 " info
check "log list says 5, while it serves" \
	test "$(held "$WDB" e2e.example/log)" = 5
submit "$DB" 5
want_cosig "the same size again"

# Refusals, each leaving size 5.
submit "$DB" 3 5
want_409 5 "old 3 (stale)"
submit "$DB" 0 3
want_409 5 "old 0 (from the start)"
sl venue add --name "Bar 6" --address "Via 6" >/dev/null
submit "$DB" 4
want_409 5 "old 4, size 6"
{ echo "old 7"; echo; cat "$TMP/req.cp"; } >req
post req
want 400 "old 7 above the checkpoint's size 6"
{ echo "old 5"; echo '!!!!'; echo; cat "$TMP/req.cp"; } >req
post req
want 400 "a bad proof line"
{ echo "old 5"; cat "$TMP/req.cp"; } >req
post req
want 400 "no empty line"
request "$DB" 5 >req
c=$(sed -n 2p req | cut -c1 | tr 'A-Za-z0-9+/' 'B-Za-z0-9+/A')
sed -i "2s|^.|$c|" req
post req
want 422 "a proof line changed"
request "$DB" 5 >req
sed -i '/^—/s/$/!/' req
post req
want 400 "a signature line that is no base64"
request "$DB" 5 >req
sed -i 's/^e2e.example\/log$/other.example\/log/' req
post req
want 404 "an origin not witnessed"
request notw.db 0 >req
post req
want 404 "a log not witnessed"
"$SANILOG" init --origin e2e.example/log --db impostor.db >/dev/null 2>&1
"$SANILOG" venue add --name X --address Y --db impostor.db >/dev/null
request impostor.db 0 >req
post req
want 403 "another key of the same name"
head -c 70000 /dev/zero | tr '\0' 'x' >req
post req
want 413 "a body of 70,000 bytes"
CODE=$(curl -s -o body -w '%{http_code}' "$WURL/add-checkpoint") || CODE=000
want 405 "GET /add-checkpoint"
check "log list still says 5" test "$(held "$WDB" e2e.example/log)" = 5
curl -s "$WURL/" >info
check "GET / still shows size 5" grep -q "^log $LVKEY size 5 " info
CODE=$(curl -s -o body -w '%{http_code}' "$WURL/healthz") || CODE=000
want 200 "GET /healthz"
curl -s "$WURL/metrics" >metrics
check "the metrics count the cosignatures" grep -qx \
	'sanilog_witness_add_checkpoint_total{outcome="cosigned"} 3' metrics
check "the metrics count the conflicts" grep -qx \
	'sanilog_witness_add_checkpoint_total{outcome="conflict"} 3' metrics
submit "$DB" 5
want_cosig "old 5, size 6"

# ---------------------------------------------------------------------------
echo "== a fork"

# A second database with the log's key and other entries: a log showing
# another history under the same name.
"$SANILOG" init --key-from "$DB.key" --db fork.db >/dev/null 2>&1
check "the fork has the log's key" test "$("$SANILOG" key --db fork.db)" = "$LVKEY"
for v in 1 2 3 4 5 6; do
	"$SANILOG" venue add --name "Fork $v" --address "Via $v" --db fork.db \
		>/dev/null
done
"$SANILOG" checkpoint --db fork.db >fork6.cp
check "the fork is of size 6" test "$(sed -n 2p fork6.cp)" = 6
check "the fork's root is not the log's" \
	test "$(sed -n 3p fork6.cp)" != "$(sl checkpoint | sed -n 3p)"
sl checkpoint --size 6 >held6.cp
sl checkpoint --size 5 >held5.cp
submit fork.db 6
want_409 6 "the fork at the size held"
cp req fork409.req
"$SANILOG" venue add --name "Fork 7" --address "Via 7" --db fork.db >/dev/null
"$SANILOG" venue add --name "Fork 8" --address "Via 8" --db fork.db >/dev/null
submit fork.db 6
want 422 "the fork past the size held, with its proof"
cp req fork422.req
submit fork.db 0
want_409 6 "the fork from 0"
check "the witness still holds the log's 6" \
	test "$(held "$WDB" e2e.example/log)" = 6

expect_exit "evidence: exit 0" 0 wit evidence
check "evidence lists the 422 and the two 409s" test "$(cut -f3,4 out)" = \
	"$(printf 'e2e.example/log\t422\ne2e.example/log\t409\ne2e.example/log\t422')"
expect_exit "evidence --json: exit 0" 0 wit evidence --json
check "evidence --json: both checkpoints of each refusal" python3 -c '
import json, sys
ev = json.load(open("out"))
held6 = open("held6.cp").read()
r409 = open("fork409.req").read()
r422 = open("fork422.req").read()
assert len(ev) == 3, ev
# The first: the changed proof line (of the log itself) at size 5.
assert ev[0]["status"] == 422, ev
assert ev[0]["held"] == open("held5.cp").read(), ev[0]
assert ev[1]["status"] == 409 and ev[2]["status"] == 422, ev
for e in ev[1:]:
    assert e["origin"] == "e2e.example/log", e
    assert e["held"] == held6, (e["held"], held6)
    assert e["reason"], e
    assert e["received"].startswith("20"), e
assert ev[1]["request"] == r409, ev[1]["request"]
assert ev[2]["request"] == r422, ev[2]["request"]
assert ev[1]["id"] < ev[2]["id"], ev'

# The log's own history goes on being cosigned.
sl venue add --name "Bar 7" --address "Via 7" >/dev/null
submit "$DB" 6
want_cosig "the log after the fork"
pid=$WPID
wstop
check "the witness stopped on SIGTERM" sh -c "! kill -0 $pid 2>/dev/null"
check "... saying so" grep -q 'SIGTERM: answering the requests in flight' \
	"$TMP/wserve.err"

# ---------------------------------------------------------------------------
echo "== SIGKILL"

# A log that grows one entry at a time and submits each new checkpoint
# from the size it believes the witness holds, while two hammers submit
# the newest one cosigned again and again (so that requests are in flight
# when the witness dies), and a killer sends SIGKILL after a random time.
# Every size answered 200 goes into ./answered.
"$SANILOG" init --origin crash.example/log --db crash.db >/dev/null 2>&1
"$SANILOG" witness init --name crash.example/w --db cw.db >/dev/null 2>&1
"$SANILOG" witness log add "$("$SANILOG" key --db crash.db)" --db cw.db \
	>/dev/null
WHASH=$("$SANILOG" witness key --db cw.db | cut -d+ -f2)
WNAME=crash.example/w

# hammer N: posts ./same.req (the newest checkpoint cosigned, from its
# own size) until the witness is gone (it runs under its subshell, which
# reaps it); appends the size of each 200 to
# ./answered.N, and a line to ./cut.N for a request the kill cut.
hammer() {
	local rc code size
	: >"answered.$1"
	while kill -0 "$WPID" 2>/dev/null; do
		cp same.req "same.$1" 2>/dev/null || {
			sleep 0.01
			continue
		}
		size=$(sed -n 4p "same.$1")
		rc=0
		code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 20 \
			--data-binary @"same.$1" "$WURL/add-checkpoint") || rc=$?
		if [ "$rc" != 0 ]; then
			[ "$rc" = 7 ] || echo >>"cut.$1"
			return 0
		fi
		[ "$code" != 200 ] || echo "$size" >>"answered.$1"
	done
}

: >answered
rm -f same.req
BELIEF=0 LARGEST=0 N=0 CUT=0
for round in 1 2 3 4 5 6 7 8; do
	wserve cw.db
	if [ "$LARGEST" -gt 0 ]; then
		# Restarted: an old size below what it cosigned is refused.
		old=$((RANDOM % LARGEST))
		submit crash.db "$old"
		if [ "$CODE" = 409 ] && [ "$(cat body)" -ge "$LARGEST" ]; then
			ok "round $round: old $old refused after the restart"
		else
			bad "round $round: old $old after a restart: $CODE $(cat body)"
		fi
	fi
	hammer 1 &
	h1=$!
	hammer 2 &
	h2=$!
	(
		sleep "0.$((RANDOM % 9 + 1))"
		kill -9 "$WPID"
	) &
	killer=$!
	while :; do
		N=$((N + 1))
		"$SANILOG" venue add --name "V$N" --address "A" --db crash.db \
			>/dev/null
		submit crash.db "$BELIEF"
		case $CODE in
		200)
			echo "$SIZE" >>answered
			BELIEF=$SIZE
			{ echo "old $SIZE"; echo; cat req.cp; } >same.tmp
			mv same.tmp same.req
			;;
		409) BELIEF=$(cat body) ;;
		000)
			# curl's 7: it was dead when asked; else it died with
			# the request in flight.
			[ "$CURL_RC" = 7 ] || CUT=$((CUT + 1))
			break
			;;
		*) bad "round $round: status $CODE ($(head -c 200 body))" ;;
		esac
	done
	wait "$killer" "$h1" "$h2" 2>/dev/null || true
	wstop 9
	cat answered.1 answered.2 >>answered
	LARGEST=$(sort -n answered | tail -1)
	LARGEST=${LARGEST:-0}
	h=$(held cw.db crash.example/log)
	if [ "$h" -ge "$LARGEST" ]; then
		ok "round $round: holds $h, at least $LARGEST"
	else
		bad "round $round: the witness holds $h, below $LARGEST (answered 200)"
	fi
done
CUT=$((CUT + $(cat cut.* 2>/dev/null | wc -l)))
echo "   $N entries, $(wc -l <answered) answers 200, $CUT requests cut by the kill"
check "sizes were answered 200" test "$LARGEST" -gt 0
wserve cw.db
submit crash.db "$BELIEF"
[ "$CODE" = 409 ] && submit crash.db "$(cat body)"
want_cosig "after the last restart, the newest checkpoint"
check "and the witness holds it" test "$(held cw.db crash.example/log)" = "$SIZE"
wstop

test_end
