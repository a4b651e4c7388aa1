#!/usr/bin/env bash
#
# run.sh: the command-line tests of sanilog.
#
#   SANILOG=/abs/path/to/sanilog RUNNER="valgrind ..." tests/cli/run.sh [PATTERN]
#   UPDATE_GOLDEN=1 tests/cli/run.sh      regenerate tests/cli/golden/
#
# With the committed log key (keys/log.key), a pinned clock (SANILOG_NOW) and
# fixed venue ids the whole log is deterministic byte for byte, so every
# command's output is compared with `diff -u` against tests/cli/golden/.
# Then: bad input (exit 2, a message, nothing written), tampered databases and
# bundles (exit 1 naming the broken check), rollback and fork detection, and
# pinned keys.  Every test runs in its own directory under one temporary
# directory removed on exit; nothing touches the network or $HOME.
#
# RUNNER, when set, prefixes every sanilog run (make valgrind sets it to a
# valgrind command line with --error-exitcode=99, which no test expects).
# PATTERN, when given, runs only the tests whose name contains it.
# Exit status: 0 when every test passed, 1 otherwise, 2 when it cannot run.

# shellcheck disable=SC2317 # the tests, which t calls
HERE=$(cd "$(dirname "$0")" && pwd)
UPDATE_GOLDEN=${UPDATE_GOLDEN:-0}
PATTERN=${1:-}
GOLDEN=$HERE/golden

# shellcheck source=../lib/test.sh
. "$HERE/../lib/test.sh"
test_begin cli sanilog sqlite3 sha256sum diff awk sed stat openssl xxd jq \
	base64 curl

# The log's clock for reads (and "today" for freshness).
NOW=2026-11-25T12:00:00Z
export SANILOG_NOW=$NOW

BASE=$TMP/base           # the golden log, built once
V1=k7m2q9xa              # Bar Roma
V2=p3x8vz2e              # Palestra Sole
OK='✓'                   # in verify's report lines
KO='✗'

mkdir -p "$GOLDEN"

# ---------------------------------------------------------------------------
# Helpers (they run inside a test's subshell; fail ends the test).

# sl ARGS...: sanilog under $RUNNER (not tests/lib/test.sh's: no --db).
sl() {
	# shellcheck disable=SC2086
	$RUNNER "$SANILOG" "$@"
}

# plain ARGS...: sanilog without $RUNNER, for the tests' own bookkeeping
# (states before and after, controls), not for the command under test.
plain() {
	"$SANILOG" "$@"
}

fail() {
	printf '    %s\n' "$@" >&2
	exit 1
}

# show FILE: a file's head, indented, for failure messages.
show() {
	if [ -s "$1" ]; then
		head -c 3000 "$1" | sed 's/^/      | /'
	else
		echo "      (empty)"
	fi
}

# run RC ARGS...: runs sanilog with stdout in ./out and stderr in ./err and
# fails unless it exits RC.
run() {
	local want=$1 rc=0
	shift
	sl "$@" >out 2>err || rc=$?
	if [ "$rc" != "$want" ]; then
		{
			echo "    sanilog $*"
			echo "    exited $rc, expected $want; stdout:"
			show out
			echo "    stderr:"
			show err
		} >&2
		exit 1
	fi
}

# has FILE PATTERN: fails unless FILE has a line matching PATTERN (grep -E).
has() {
	if ! grep -Eq -- "$2" "$1"; then
		echo "    $1 has no line matching: $2" >&2
		show "$1" >&2
		exit 1
	fi
}

# hasnt FILE PATTERN
hasnt() {
	if grep -Eq -- "$2" "$1"; then
		echo "    $1 has a line matching: $2" >&2
		show "$1" >&2
		exit 1
	fi
}

# quiet FILE: fails unless FILE is empty (no stray stderr).
quiet() {
	if [ -s "$1" ]; then
		echo "    expected no output in $1, got:" >&2
		show "$1" >&2
		exit 1
	fi
}

# A failure message on stderr ("sanilog: ..." or the usage), nothing on
# stdout.
clear_error() {
	has err '^(sanilog: .+|usage: sanilog )'
	quiet out
}

# golden NAME FILE: compares FILE with golden/NAME (or records it).
golden() {
	local name=$1 file=$2
	echo "$name" >>"$TMP/golden-names"
	if [ "$UPDATE_GOLDEN" = 1 ]; then
		mkdir -p "$(dirname "$GOLDEN/$name")"
		cp "$file" "$GOLDEN/$name"
		return 0
	fi
	if [ ! -f "$GOLDEN/$name" ]; then
		echo "    golden/$name is missing (UPDATE_GOLDEN=1 makes it)" >&2
		return 1
	fi
	if ! diff -u --label "golden/$name" --label "actual" \
		"$GOLDEN/$name" "$file" >&2; then
		return 1
	fi
}

# state DB: what a failed command must leave as it was: the newest
# checkpoint, the row counts, the newest entry and the owner tokens.
state() {
	plain checkpoint --db "$1" 2>&1 || true
	sqlite3 "$1" "
		SELECT 'entries', count(*), coalesce(max(idx), -1) FROM entries;
		SELECT 'last', hex(data) FROM entries
			WHERE idx = (SELECT max(idx) FROM entries);
		SELECT 'hashes', count(*), sum(length(hashes)) FROM hash_runs;
		SELECT 'documents', count(*) FROM documents;
		SELECT 'checkpoints', count(*), coalesce(max(size), -1)
			FROM checkpoints;
		SELECT 'venues', count(*), coalesce(group_concat(hex(token_sha256)), '')
			FROM venues;" 2>&1
}

# unchanged DB BEFORE_FILE: fails if the database's state differs.
unchanged() {
	state "$1" >state.after
	if ! diff -u --label before --label after "$2" state.after >&2; then
		fail "the failed command changed $1"
	fi
}

# key FILE DEST: a committed key, copied with mode 0600 (git keeps 0644).
key() {
	cp "$KEYS/$1" "$2"
	chmod 600 "$2"
}

# db SIZE: ./log.db (and its key) as the golden log was at SIZE entries;
# "final" for the whole log.
db() {
	[ -f "$BASE/ok" ] || fail "the golden log was not built"
	cp "$BASE/snap/$1.db" log.db
	rm -rf log.db.docs
	cp -r "$BASE/snap/$1.db.docs" log.db.docs
	chmod 600 log.db
	key log.key log.db.key
}

# sha FILE: the file's SHA-256 in hex.
sha() {
	sha256sum "$1" | cut -d' ' -f1
}

# ---------------------------------------------------------------------------
# The test harness.

# t NAME FUNCTION [ARGS...]: runs one test in its own directory; it is one
# check, which passes when FUNCTION returns 0 (its output is shown when it
# fails).
t() {
	local name=$1 fn=$2 dir rc=0
	shift 2
	case $name in *"$PATTERN"*) ;; *) return 0 ;; esac
	dir=$TMP/t/$(printf '%03d' $((PASS + FAIL)))
	mkdir -p "$dir"
	# Not "( ... ) || rc=$?": bash ignores set -e inside such a subshell.
	set +e
	(
		set -e
		cd "$dir"
		export XDG_CACHE_HOME=$dir/cache
		"$fn" "$@"
	) >"$dir/log" 2>&1
	rc=$?
	set -e
	if [ "$rc" = 0 ]; then ok "$name"; else
		bad "$name"
		sed 's/^/  /' "$dir/log" >&2
	fi
}

# ---------------------------------------------------------------------------
# 1. The golden log.
#
# Entries (index: what):
#   0 venue k7m2q9xa "Bar Roma"         5 document p3x8vz2e pest-control PNG
#   1 venue p3x8vz2e "Palestra Sole"    6 document p3x8vz2e sanitization JPEG
#   2 provider-key cleanco.example      7 revocation k7m2q9xa of venue-seq 2
#   3 document k7m2q9xa, attested       8 venue k7m2q9xa update
#   4 document k7m2q9xa protocol        9 provider-revoke cleanco.example
# Snapshots of the database after each step are kept in $BASE/snap/SIZE.db.


# step NAME TIME ARGS...: one command of the build at SANILOG_NOW=TIME; its
# stdout becomes gb/NAME, owner tokens replaced by slo_TOKEN (the raw
# output stays in raw/NAME).
step() {
	local name=$1 when=$2 size
	shift 2
	SANILOG_NOW=$when run 0 "$@" --db "$BASE/log.db"
	if [ "$1" = init ]; then
		sed "s#$BASE#DIR#g" err >"gb/${name%.*}.err"
	else
		quiet err
	fi
	cp out "raw/$name"
	sed -E 's/slo_[A-Za-z0-9_-]{43}/slo_TOKEN/g; s/link=[A-Za-z0-9_-]{43}/link=SECRET/g' \
		out >"gb/$name"
	size=$(sqlite3 log.db 'SELECT count(*) FROM entries')
	cp log.db "snap/$size.db"
	rm -rf "snap/$size.db.docs"
	cp -r log.db.docs "snap/$size.db.docs"
}

t_build() {
	mkdir -p "$BASE/gb" "$BASE/raw" "$BASE/snap"
	cd "$BASE"
	key log.key log.key
	key provider.key provider.key
	local pvkey
	pvkey=$(cat "$KEYS/provider.vkey")

	step 00-init.out 2026-11-25T09:00:00Z init --key-from log.key
	step 01-venue-add.out 2026-11-25T09:00:00Z \
		venue add --id $V1 --name "Bar Roma" \
		--address "Via Roma 1, 00185 Roma"
	# An en dash: values are UTF-8.
	step 02-venue-add.out 2026-11-25T09:00:00Z \
		venue add --id $V2 --name $'Palestra Sole \xe2\x80\x93 Sala 2' \
		--address "Via del Sole 5, 20121 Milano" --interval-days 60
	step 03-provider-add.out 2026-11-25T09:10:00Z \
		provider add "$pvkey" --display-name "CleanCo S.r.l."

	# The provider signs (no database); -o writes the same bytes.
	run 0 attest --key provider.key --venue $V1 --file "$DOCS/ozone.pdf" \
		--type sanitization --performed 2026-11-20 --expires 2027-05-20
	quiet err
	cp out gb/04-attest.out
	run 0 attest --key provider.key --venue $V1 --file "$DOCS/ozone.pdf" \
		--type sanitization --performed 2026-11-20 --expires 2027-05-20 \
		-o ozone.att
	quiet out
	quiet err
	cmp ozone.att gb/04-attest.out || fail "attest -o differs from stdout"
	# --json: what was signed, and the same note as a string.
	run 0 attest --key provider.key --venue $V1 --file "$DOCS/ozone.pdf" \
		--type sanitization --performed 2026-11-20 --expires 2027-05-20 \
		--json
	quiet err
	has out '^  "provider": "cleanco.example",$'
	has out "^  \"doc\": \"$(sha256sum "$DOCS/ozone.pdf" | cut -d' ' -f1)\",\$"
	printf '%b' "$(sed -n 's/^  "attestation": "\(.*\)"$/\1/p' out)" >json.att
	cmp json.att gb/04-attest.out || fail "attest --json holds another note"

	step 05-cert-add.out 2026-11-25T09:15:00Z \
		cert add --venue $V1 --file "$DOCS/ozone.pdf" \
		--type sanitization --title "Sanificazione ambienti con ozono" \
		--performed 2026-11-20 --expires 2027-05-20 \
		--provider cleanco.example --attestation ozone.att
	step 06-cert-add.out 2026-11-25T09:20:00Z \
		cert add --venue $V1 --file "$DOCS/protocol.pdf" \
		--type protocol --title "Protocollo HACCP pulizie" \
		--performed 2026-11-01
	step 07-cert-add.out 2026-11-25T09:30:00Z \
		cert add --venue $V2 --file "$DOCS/pest.png" \
		--type pest-control --title "Derattizzazione" \
		--performed 2026-10-01 --provider "Ratti Via S.n.c."
	# Overdue (interval 60 days) and expired on 2026-11-25.
	step 08-cert-add.json 2026-11-25T09:40:00Z \
		cert add --venue $V2 --file "$DOCS/water.jpg" \
		--type sanitization --title "Sanificazione spogliatoi" \
		--performed 2026-09-01 --expires 2026-11-01 --json
	step 09-cert-revoke.out 2026-11-25T10:00:00Z \
		cert revoke --venue $V1 --seq 2 --reason "wrong document uploaded"
	step 10-venue-update.out 2026-11-25T11:00:00Z \
		venue update $V1 --name "Bar Roma Centro" --interval-days 15
	step 11-provider-revoke.out 2026-11-25T11:30:00Z \
		provider revoke cleanco.example --reason "key compromised"
	cp log.db snap/final.db
	cp -r log.db.docs snap/final.db.docs
	[ "$(sqlite3 log.db 'SELECT count(*) FROM entries')" = 10 ] ||
		fail "the golden log should have 10 entries"

	# Everything the tests below read from the golden log, at $NOW.
	mkdir -p read
	local i n pair
	rd() { # rd NAME ARGS...: stdout of a read command into read/NAME
		local name=$1
		shift
		run 0 "$@" --db "$BASE/log.db"
		quiet err
		cp out "read/$name"
	}
	rd key.out key
	rd key.json key --json
	rd checkpoint.out checkpoint
	rd checkpoint.json checkpoint --json
	for n in 0 1 2 3 4 5 6 7 8 9 10; do
		rd "checkpoint-size-$n.out" checkpoint --size "$n"
	done
	cmp read/checkpoint.out read/checkpoint-size-10.out ||
		fail "checkpoint and checkpoint --size 10 differ"
	for i in 0 1 2 3 4 5 6 7 8 9; do
		rd "entry-$i.out" entry "$i"
		rd "proof-inclusion-$i.out" proof inclusion "$i"
	done
	rd entry-3.json entry 3 --json
	rd proof-inclusion-3-size-5.out proof inclusion 3 --size 5
	rd proof-inclusion-0-size-1.out proof inclusion 0 --size 1
	rd proof-inclusion-6.json proof inclusion 6 --json
	for pair in 1-10 3-7 4-10 6-8 7-10 9-10 10-10; do
		rd "proof-consistency-$pair.out" proof consistency \
			"${pair%-*}" "${pair#*-}"
	done
	rd proof-consistency-5-9.json proof consistency 5 9 --json
	rd "export-$V1.json" export --venue $V1
	rd "export-$V2.json" export --venue $V2
	rd "export-$V1-size-5.json" export --venue $V1 --size 5
	run 0 export --venue $V1 -o "$BASE/bundle-$V1.json" --db "$BASE/log.db"
	quiet out
	quiet err
	cmp "$BASE/bundle-$V1.json" "read/export-$V1.json" ||
		fail "export -o differs from stdout"
	cp "read/export-$V2.json" "$BASE/bundle-$V2.json"
	cp "read/export-$V1-size-5.json" "$BASE/bundle-$V1-size-5.json"
	rd "venue-show-$V1.out" venue show $V1
	rd "venue-show-$V2.out" venue show $V2
	rd "venue-show-$V1.json" venue show $V1 --json
	rd venue-list.out venue list
	rd venue-list.json venue list --json
	# Regenerating: start from an empty golden/ once the log is built.
	if [ "$UPDATE_GOLDEN" = 1 ] && [ -z "$PATTERN" ]; then
		rm -rf "$GOLDEN"
		mkdir -p "$GOLDEN"
	fi
	touch ok
}

golden_dir() { # golden_dir DIR PREFIX: every file of DIR against PREFIX/
	local f bad=0
	for f in "$1"/*; do
		golden "$2/$(basename "$f")" "$f" || bad=1
	done
	[ "$bad" = 0 ] || fail "output differs from golden/$2 (diff above)"
}

need_base() {
	[ -f "$BASE/ok" ] || fail "the golden log was not built"
}

t_golden_build() {
	need_base
	golden_dir "$BASE/gb" build
}

t_golden_read() {
	need_base
	golden_dir "$BASE/read" read
}

# The owner tokens: slo_ + 43 base64url characters, only their SHA-256 kept.
t_tokens() {
	need_base
	local v tok
	for v in $V1 $V2; do
		tok=$(grep -ho 'slo_[A-Za-z0-9_-]*' "$BASE"/raw/0[12]-venue-add.out |
			sed -n "$([ $v = $V1 ] && echo 1 || echo 2)p")
		[ ${#tok} = 47 ] || fail "token $tok: not slo_ + 43 characters"
		[ "$(printf %s "$tok" | sha256sum | cut -d' ' -f1)" = \
			"$(sqlite3 "$BASE/snap/final.db" \
				"SELECT lower(hex(token_sha256)) FROM venues WHERE id = '$v'")" ] ||
			fail "venue $v: the database does not keep the token's SHA-256"
		if sqlite3 "$BASE/snap/final.db" .dump | grep -q "${tok#slo_}"; then
			fail "the database holds the token itself"
		fi
	done
	# Rotation: a new token, a new hash, no log entry.
	db final
	local before
	before=$(state log.db | grep -v '^venues')
	run 0 venue token $V1 --rotate --db log.db
	quiet err
	tok=$(grep -o 'slo_[A-Za-z0-9_-]*' out)
	[ ${#tok} = 47 ] || fail "rotated token $tok: not slo_ + 43 characters"
	[ "$(printf %s "$tok" | sha256sum | cut -d' ' -f1)" = \
		"$(sqlite3 log.db "SELECT lower(hex(token_sha256)) FROM venues WHERE id = '$V1'")" ] ||
		fail "rotate did not store the new token's hash"
	[ "$before" = "$(state log.db | grep -v '^venues')" ] ||
		fail "token rotation changed the log"
	run 2 venue token $V1 --db log.db
	clear_error
	run 2 venue token zzzzzzzz --rotate --db log.db
	clear_error
}

# What init makes: a 0600 database and a 0600 key beside it.
t_init_files() {
	key log.key log.key
	run 0 init --key-from log.key --db log.db
	has err '^sanilog: created '
	[ "$(stat -c %a log.db)" = 600 ] || fail "log.db: mode $(stat -c %a log.db)"
	[ "$(stat -c %a log.db.key)" = 600 ] ||
		fail "log.db.key: mode $(stat -c %a log.db.key)"
	cmp log.key log.db.key || fail "the key file is not the --key-from key"
	run 0 checkpoint --db log.db
	has out '^0$'
	# A new key with the default origin.
	run 0 init --db new.db
	has out '^localhost/sanilog\+[0-9a-f]{8}\+A[A-Za-z0-9+/]{43}$'
	[ "$(stat -c %a new.db.key)" = 600 ] || fail "new.db.key: not 0600"
	has new.db.key '^PRIVATE\+KEY\+localhost/sanilog\+[0-9a-f]{8}\+'
	# SANILOG_DB is the default database.
	SANILOG_DB=$PWD/log.db run 0 key
	cmp out "$KEYS/log.vkey" || fail "key via SANILOG_DB differs"
}

# The log's clock never goes backwards along the log: an earlier clock
# logs the time of the newest entry.
t_clock() {
	db final
	SANILOG_NOW=2026-11-25T08:00:00Z run 0 cert add --db log.db --venue $V1 \
		--file "$DOCS/protocol.pdf" --type form --title "Modulo" \
		--performed 2026-11-01
	run 0 entry 10 --db log.db
	has out '^logged 2026-11-25T11:30:00Z$'
	run 0 verify --db log.db
	SANILOG_NOW=2026-11-25 run 2 cert add --db log.db --venue $V1 \
		--file "$DOCS/protocol.pdf" --type form --title "Modulo" \
		--performed 2026-11-01
	clear_error
}

# ---------------------------------------------------------------------------
# Verification of the good log, into golden/verify.

t_golden_verify() {
	need_base
	mkdir -p v
	local b1=$BASE/bundle-$V1.json
	vr() { # vr RC NAME ARGS...
		local want=$1 name=$2
		shift 2
		run "$want" "$@"
		quiet err
		cp out "v/$name"
	}
	vr 0 verify-db-first.out verify --db "$BASE/snap/final.db"
	vr 0 verify-db-again.out verify --db "$BASE/snap/final.db"
	vr 0 verify-db.json verify --db "$BASE/snap/final.db" --json
	vr 0 "verify-venue-$V1.out" verify --venue $V1 --db "$BASE/snap/final.db"
	vr 0 "verify-venue-$V2.out" verify --venue $V2 --db "$BASE/snap/final.db"
	vr 0 "verify-venue-$V2.json" verify --venue $V2 --json \
		--db "$BASE/snap/final.db"
	rm -rf cache
	vr 0 "verify-bundle-$V1-first.out" verify "$b1"
	vr 0 "verify-bundle-$V1-again.out" verify "$b1"
	vr 0 "verify-bundle-$V1-pinned.out" verify --key "$(cat "$KEYS/log.vkey")" "$b1"
	docs_of_v1 docs
	vr 0 "verify-bundle-$V1-docs.out" verify --docs docs "$b1"
	vr 0 "verify-bundle-$V1-size-5.out" verify "$BASE/bundle-$V1-size-5.json"
	rm -rf cache
	vr 0 "verify-bundle-$V2.out" verify "$BASE/bundle-$V2.json"
	mkdir docs2
	cp "$DOCS/pest.png" "docs2/$(sha "$DOCS/pest.png")"
	cp "$DOCS/water.jpg" "docs2/$(sha "$DOCS/water.jpg")"
	vr 0 "verify-bundle-$V2-docs.json" verify --docs docs2 --json \
		"$BASE/bundle-$V2.json"
	golden_dir v verify
	# The remembered checkpoint is the newest one, byte for byte.
	cmp cache/sanilog/test.sanilog.example_2flog "$BASE/read/checkpoint.out" ||
		fail "the remembered checkpoint is not the log's newest"
}

# Freshness is reported, never a failure.
t_freshness() {
	need_base
	run 0 verify --venue $V2 --db "$BASE/snap/final.db"
	has out '^OVERDUE '
	has out '^EXPIRED '
	run 0 verify --venue $V1 --db "$BASE/snap/final.db"
	hasnt out 'OVERDUE|EXPIRED'
	run 0 venue show $V1 --db "$BASE/snap/final.db"
	has out 'REVOKED: wrong document uploaded'
	# A month later Bar Roma (interval 15 days) is overdue too.
	SANILOG_NOW=2026-12-25T12:00:00Z run 0 verify --venue $V1 \
		--db "$BASE/snap/final.db"
	has out '^OVERDUE '
	hasnt out '^EXPIRED '
	# After 2027-05-20 its certificate has expired.
	SANILOG_NOW=2027-05-21T00:00:00Z run 0 verify --venue $V1 \
		--db "$BASE/snap/final.db"
	has out '^EXPIRED '
}

# --require-current: exit 3 for a record that verifies but is not current,
# its last line saying why; 0 for a current one; without the flag, 0.
t_require_current() {
	need_base
	local f=$BASE/snap/final.db
	run 0 verify --venue $V1 --db "$f" --require-current
	[ "$(tail -n 1 out)" = "current: sanitized 2026-11-20, next due 2026-12-05" ] ||
		fail "last line: $(tail -n 1 out)"
	run 3 verify --venue $V2 --db "$f" --require-current
	[ "$(tail -n 1 out)" = "NOT CURRENT: expired: the certificate of the sanitization of 2026-09-01 expired on 2026-11-01" ] ||
		fail "last line: $(tail -n 1 out)"
	has out '^valid$'
	run 0 verify --venue $V2 --db "$f"
	[ "$(tail -n 1 out)" = valid ] || fail "without the flag: $(tail -n 1 out)"
	# The bundle file, and JSON.
	run 3 verify --require-current "$BASE/bundle-$V2.json"
	has out '^NOT CURRENT: expired'
	run 3 verify --json --require-current "$BASE/bundle-$V2.json"
	has out '"state": "expired"'
	run 0 verify --json --require-current "$BASE/bundle-$V1.json"
	has out '"state": "current"'
	# Overdue a month later.
	SANILOG_NOW=2026-12-25T12:00:00Z run 3 verify --venue $V1 --db "$f" \
		--require-current
	[ "$(tail -n 1 out)" = "NOT CURRENT: overdue: last sanitized 2026-11-20, the next was due 2026-12-05" ] ||
		fail "last line: $(tail -n 1 out)"
	# No sanitization on record.
	db final
	run 0 venue add --id abcdefgh --name 'Bar Nuovo' --address 'Via Nuova 1' \
		--db log.db
	run 3 verify --venue abcdefgh --db log.db --require-current
	[ "$(tail -n 1 out)" = "NOT CURRENT: no sanitization on record" ] ||
		fail "last line: $(tail -n 1 out)"
	# An invalid record is 1, with or without the flag.
	cut_doc "$DOCS/water.jpg"
	run 1 verify --venue $V2 --db log.db --require-current
	[ "$(tail -n 1 out)" = INVALID ] || fail "last line: $(tail -n 1 out)"
	# A venue the database does not have.
	run 2 verify --venue zzzzzzzz --db log.db --require-current
	has err '^sanilog: verify: venue not found: zzzzzzzz'
	quiet out
	# The whole database has no venue to be current.
	run 2 verify --db log.db --require-current
	has err 'require-current is for a venue'
}

# The text report lists the venue's whole history.
t_report_history() {
	need_base
	run 0 verify --venue $V1 --db "$BASE/snap/final.db"
	has out '^history   5 entries, oldest first$'
	has out '^  #3 +2026-11-20  sanitization  "Sanificazione ambienti con ozono", by CleanCo S.r.l., signed by the provider$'
	has out '^  #4 +2026-11-01  protocol +"Protocollo HACCP pulizie", no provider, not signed, REVOKED: wrong document uploaded$'
	has out '^  #7 +2026-11-25  revocation +of #4 "Protocollo HACCP pulizie": wrong document uploaded$'
	has out '^  #8 +2026-11-25  venue update  Bar Roma Centro, '
}

# Options before the command, a mistyped command, a malformed URL.
t_global_options() {
	db final
	run 0 venue list --db log.db
	cp out after
	run 0 --db log.db venue list
	cmp -s out after || fail "--db before the command lists another thing"
	run 0 --db=log.db venue list
	cmp -s out after || fail "--db= before the command"
	run 0 --json --db log.db venue list
	has out '^\['
	run 2 --db
	has err '^sanilog: --db needs a path'
	run 2 verfy
	has err "^sanilog: unknown command 'verfy'; did you mean 'verify'\\?$"
	quiet out
	run 2 venu list
	has err "did you mean 'venue'"
	run 2 frobnicate
	has err "^sanilog: unknown command 'frobnicate' \\(see sanilog help\\)$"
	run 2 verify htp://example.org/v/abcdefgh
	has err '^sanilog: verify: htp://example.org/v/abcdefgh: a malformed URL'
	run 2 verify https//example.org/v/abcdefgh
	has err 'a malformed URL'
	run 2 verify http://example.org
	has err '^sanilog: verify: URL: no path /v/<venue>'
	run 2 report htp://example.org
	has err '^sanilog: report: htp://example.org: not https://host\[/prefix\] nor a venue URL'
	quiet out
}

# ---------------------------------------------------------------------------
# 2. Bad input: exit 2, "sanilog: ..." on stderr, nothing written.

FIX=$TMP/fix

# Files the bad-input tests upload, made once.
t_fixtures() {
	mkdir -p "$FIX/dir"
	cd "$FIX"
	key provider.key provider.key
	key other-provider.key other.key
	{ printf '%%PDF-1.4\n'; head -c $((11 * 1024 * 1024)) /dev/zero; } >big.pdf
	{ printf '%%PDF-1.4\n'; head -c $((10 * 1024 * 1024 - 9)) /dev/zero; } >10mib.pdf
	: >empty.pdf
	printf '%%PDF-1.4 unreadable\n' >unreadable.pdf
	chmod 000 unreadable.pdf
	printf 'hello\n' >garbage.att
	cp "$DOCS/ozone.pdf" ozone.pdf
	# att NAME KEY ARGS...: an attestation of ozone.pdf unless ARGS change it.
	att() {
		local name=$1 k=$2
		shift 2
		run 0 attest --key "$k" -o "$name" "$@"
		quiet err
	}
	local ok="--venue $V1 --type sanitization --performed 2026-11-20 --expires 2027-05-20"
	# shellcheck disable=SC2086
	{
		att ok.att provider.key --file ozone.pdf $ok
		att other-key.att other.key --file ozone.pdf $ok
		att protocol.att provider.key --file "$DOCS/protocol.pdf" $ok
		att venue2.att provider.key --file ozone.pdf --venue $V2 \
			--type sanitization --performed 2026-11-20 --expires 2027-05-20
		att date.att provider.key --file ozone.pdf --venue $V1 \
			--type sanitization --performed 2026-11-19 --expires 2027-05-20
		att type.att provider.key --file ozone.pdf --venue $V1 \
			--type disinfection --performed 2026-11-20 --expires 2027-05-20
		att noexpiry.att provider.key --file ozone.pdf --venue $V1 \
			--type sanitization --performed 2026-11-20
	}
	# A new key of the same provider name, never registered.
	run 0 provider keygen --name cleanco.example --out same-name.key
	att same-name.att same-name.key --file ozone.pdf $ok
	touch ok
}

# The arguments of a good upload of ozone.pdf to Bar Roma, attested.
ATTESTED="--venue $V1 --type sanitization --title Ozono --performed 2026-11-20 --expires 2027-05-20 --provider cleanco.example"

# refused SNAP PATTERN ARGS...: in a copy of the golden log at SNAP entries,
# the command exits 2 with a message matching PATTERN and changes nothing.
refused() {
	local snap=$1 pat=$2
	shift 2
	[ -f "$FIX/ok" ] || fail "the fixtures were not made"
	db "$snap"
	state log.db >state.before
	[ "$(grep -c . state.before)" -ge 9 ] || fail "no state: $(cat state.before)"
	run 2 "$@" --db log.db
	clear_error
	has err "$pat"
	unchanged log.db state.before
}

# accepted SNAP ARGS...: the control of a bad-input test: the same upload
# with the right input is accepted.
accepted() {
	local snap=$1
	shift
	db "$snap"
	run 0 "$@" --db log.db
	quiet err
	run 0 verify --db log.db
}

# Witnesses' verifier keys (tests/unit/test_entry.c's): seeds of
# test_witness.c and of 0x40.. under w2.example; the second's key under
# another name.
WK1="witness.example/w1+e75f6532+BAOhB7/zzhC+HXDdGOdLwJln5NYwm6UNXx3chmQSVTG4"
WK2="w2.example+331354d4+BCVDuS/xCVURR2rcg2nbbdyTNmWhGXjdoUBO4QZsqVWd"
WK2_COPY="copy.example+86c37222+BCVDuS/xCVURR2rcg2nbbdyTNmWhGXjdoUBO4QZsqVWd"

cert_add() { # cert_add FILE [ARGS...]: the arguments of a plain upload
	local f=$1
	shift
	echo "cert add --venue $V1 --file $f --type other --title Doc --performed 2026-11-01 $*"
}

bad_input_tests() {
	local x
	# shellcheck disable=SC2046
	{
	t "bad: control: 10 MiB PDF accepted" accepted 7 $(cert_add "$FIX/10mib.pdf")
	t "bad: control: attested upload accepted" accepted 7 \
		cert add --file "$FIX/ozone.pdf" $ATTESTED --attestation "$FIX/ok.att"
	t "bad: missing file" refused 7 'nope.pdf: No such file' \
		$(cert_add "$TMP/nope.pdf")
	if [ "$(id -u)" != 0 ]; then
		t "bad: unreadable file (mode 000)" refused 7 'unreadable.pdf' \
			$(cert_add "$FIX/unreadable.pdf")
	fi
	t "bad: unreadable file (read error)" refused 7 '/proc/self/mem' \
		$(cert_add /proc/self/mem)
	t "bad: directory" refused 7 'directory' $(cert_add "$FIX/dir")
	t "bad: text file named .pdf" refused 7 'not a PDF, PNG or JPEG' \
		$(cert_add "$DOCS/fake.pdf")
	t "bad: empty file" refused 7 'empty.pdf|empty|PDF, PNG or JPEG' \
		$(cert_add "$FIX/empty.pdf")
	t "bad: 11 MiB file" refused 7 'larger than' $(cert_add "$FIX/big.pdf")
	t "bad: date 2026-02-30" refused 7 'not a date' \
		cert add --venue $V1 --file "$DOCS/ozone.pdf" --type other \
		--title Doc --performed 2026-02-30
	t "bad: date 2025-02-29" refused 7 'not a date' \
		$(cert_add "$DOCS/ozone.pdf" --expires 2025-02-29)
	t "bad: date 2026-11-1" refused 7 'not a date' \
		$(cert_add "$DOCS/ozone.pdf" --expires 2026-11-1)
	t "bad: expires before performed" refused 7 'before' \
		$(cert_add "$DOCS/ozone.pdf" --expires 2026-10-31)
	t "bad: performed after today" refused 7 'performed: after today \(2026-11-25\)' \
		cert add --venue $V1 --file "$DOCS/ozone.pdf" --type other \
		--title Doc --performed 2026-11-26
	t "bad: unknown type" refused 7 'type' \
		cert add --venue $V1 --file "$DOCS/ozone.pdf" --type cleaning \
		--title Doc --performed 2026-11-01
	t "bad: unknown venue" refused 7 'zzzzzzzz.*not found' \
		cert add --venue zzzzzzzz --file "$DOCS/ozone.pdf" --type other \
		--title Doc --performed 2026-11-01
	t "bad: not a venue id" refused 7 'venue' \
		cert add --venue k7m2q9xl --file "$DOCS/ozone.pdf" --type other \
		--title Doc --performed 2026-11-01
	t "bad: unknown provider" refused 7 'other.example' \
		cert add --file "$FIX/ozone.pdf" --venue $V1 --type sanitization \
		--title Ozono --performed 2026-11-20 --expires 2027-05-20 \
		--provider other.example --attestation "$FIX/other-key.att"
	t "bad: attestation by another key" refused 7 'attestation|other.example' \
		cert add --file "$FIX/ozone.pdf" $ATTESTED \
		--attestation "$FIX/other-key.att"
	t "bad: attestation by an unregistered key of the provider" refused 7 \
		'attestation|key' \
		cert add --file "$FIX/ozone.pdf" $ATTESTED \
		--attestation "$FIX/same-name.att"
	t "bad: attestation for another document" refused 7 '^sanilog: cert add: attestation: the signed "doc" line does not match' \
		cert add --file "$FIX/ozone.pdf" $ATTESTED \
		--attestation "$FIX/protocol.att"
	t "bad: attestation for another venue" refused 7 'attestation|signature' \
		cert add --file "$FIX/ozone.pdf" $ATTESTED \
		--attestation "$FIX/venue2.att"
	t "bad: attestation for another date" refused 7 'attestation|signature' \
		cert add --file "$FIX/ozone.pdf" $ATTESTED \
		--attestation "$FIX/date.att"
	t "bad: attestation for another type" refused 7 'attestation|signature' \
		cert add --file "$FIX/ozone.pdf" $ATTESTED \
		--attestation "$FIX/type.att"
	t "bad: attestation without the expiry" refused 7 'attestation|signature' \
		cert add --file "$FIX/ozone.pdf" $ATTESTED \
		--attestation "$FIX/noexpiry.att"
	t "bad: attestation that is not a note" refused 7 'attestation|note' \
		cert add --file "$FIX/ozone.pdf" $ATTESTED \
		--attestation "$FIX/garbage.att"
	t "bad: attestation without --provider" refused 7 'provider' \
		cert add --file "$FIX/ozone.pdf" --venue $V1 --type sanitization \
		--title Ozono --performed 2026-11-20 --expires 2027-05-20 \
		--attestation "$FIX/ok.att"
	t "bad: attestation by a revoked provider" refused final 'cleanco|revoked|key' \
		cert add --file "$FIX/ozone.pdf" $ATTESTED --attestation "$FIX/ok.att"
	for x in \
		"control character (U+0001)|"$'Ozono\x01' \
		"TAB|"$'Ozono\tdue' \
		"line feed|"$'Ozono\ndue' \
		"DEL|"$'Ozono\x7f' \
		"C1 control (U+0085)|"$'Ozono\xc2\x85' \
		"bidi control (U+202E)|"$'Ozono \xe2\x80\xaeonozO' \
		"bidi isolate (U+2066)|"$'Ozono \xe2\x81\xa6x' \
		"zero-width space (U+200B)|"$'Ozo\xe2\x80\x8bno' \
		"line separator (U+2028)|"$'Ozono\xe2\x80\xa8' \
		"byte order mark (U+FEFF)|"$'\xef\xbb\xbfOzono' \
		"invalid UTF-8|"$'Ozono\xff' \
		"overlong UTF-8|"$'Ozono\xc0\xaf' \
		"UTF-16 surrogate|"$'Ozono\xed\xa0\x80' \
		"leading space|"' Ozono' \
		"trailing space|"'Ozono ' \
		"201 bytes|$(printf '%201s' | tr ' ' a)"; do
		t "bad: title with ${x%%|*}" refused 7 'title' \
			cert add --venue $V1 --file "$DOCS/ozone.pdf" --type other \
			--title "${x#*|}" --performed 2026-11-01
	done
	t "bad: control: title of 200 bytes accepted" accepted 7 \
		cert add --venue $V1 --file "$DOCS/ozone.pdf" --type other \
		--title "$(printf '%200s' | tr ' ' a)" --performed 2026-11-01
	t "bad: venue name with a bidi control" refused 7 'name' \
		venue add --name $'Bar \xe2\x80\xaeamoR' --address "Via Roma 2"
	t "bad: venue address with a control character" refused 7 'address' \
		venue add --name "Bar" --address $'Via\x01Roma'
	t "bad: venue id taken" refused 7 'exists' \
		venue add --id $V1 --name "Bar" --address "Via Roma 2"
	t "bad: venue id with an l" refused 7 'id' \
		venue add --id k7m2q9xl --name "Bar" --address "Via Roma 2"
	t "bad: interval-days 0" refused 7 'interval' \
		venue add --name "Bar" --address "Via Roma 2" --interval-days 0
	t "bad: interval-days 3651" refused 7 'interval' \
		venue add --name "Bar" --address "Via Roma 2" --interval-days 3651
	t "bad: interval-days 030" refused 7 'interval' \
		venue add --name "Bar" --address "Via Roma 2" --interval-days 030
	t "bad: venue update of an unknown venue" refused 7 'zzzzzzzz|not found' \
		venue update zzzzzzzz --name "Bar"
	t "bad: venue update with nothing to change" refused 7 'nothing' \
		venue update $V1
	t "bad: venue update to the values it has" refused 7 \
		'venue update: nothing to change \(the venue has these values' \
		venue update $V1 --name "Bar Roma" --interval-days 30
	t "bad: control: venue update of one value accepted" accepted 7 \
		venue update $V1 --name "Bar Roma" --interval-days 31
	t "bad: provider add of the key in force" refused 7 \
		'provider cleanco.example: this key is already registered' \
		provider add "$(cat "$KEYS/provider.vkey")" \
		--display-name "CleanCo S.r.l."
	t "bad: control: the key in force under a new display name" accepted 7 \
		provider add "$(cat "$KEYS/provider.vkey")" --display-name CleanCo
	t "bad: revoke a revoked document" refused final 'revoked' \
		cert revoke --venue $V1 --seq 2 --reason again
	t "bad: revoke a venue entry" refused final 'not a document' \
		cert revoke --venue $V1 --seq 0 --reason "not a document"
	t "bad: revoke a revocation" refused final 'not a document' \
		cert revoke --venue $V1 --seq 3 --reason "not a document"
	t "bad: revoke a document not yet logged" refused final 'no such' \
		cert revoke --venue $V1 --seq 99 --reason "not there"
	t "bad: revoke another venue's document" refused final '.' \
		cert revoke --venue $V2 --seq 3 --reason "Bar Roma's"
	t "bad: revoke without a reason" refused final 'usage' \
		cert revoke --venue $V1 --seq 1
	t "bad: provider add of a malformed key" refused 7 'VKEY' \
		provider add "cleanco.example+7fea4884+AAAA" --display-name CleanCo
	t "bad: provider add of a signer key" refused 7 'VKEY' \
		provider add "$(cat "$KEYS/provider.key")" --display-name CleanCo
	t "bad: provider display name with a control character" refused 7 'display' \
		provider add "$(cat "$KEYS/other-provider.vkey")" \
		--display-name $'Other\x1b[31m'
	t "bad: provider revoke of an unknown provider" refused 7 'other.example' \
		provider revoke other.example
	t "bad: provider revoke twice" refused final 'cleanco' \
		provider revoke cleanco.example
	t "bad: control: witness-policy set accepted" accepted final \
		witness-policy set --quorum 2 "$WK1" https://w1.example \
		"$WK2" http://w2.example:8080
	t "bad: witness-policy set, a VKEY without its URL" refused final \
		'witness-policy set: 3 arguments, not VKEY URL pairs \(w2\.example\+331354d4\+[^ ]+ has no URL\)' \
		witness-policy set --quorum 1 "$WK1" https://w1.example "$WK2"
	t "bad: witness-policy set, a log's key as a witness" refused final \
		"witness 2: VKEY cleanco\.example\+[0-9a-f]{8}\+[^ ]+ is a log's verifier key \(algorithm 0x01\), not a witness's \(0x04\)" \
		witness-policy set --quorum 1 "$WK1" https://w1.example \
		"$(cat "$KEYS/provider.vkey")" https://w2.example
	t "bad: witness-policy set, the log's own key" refused final \
		"witness 1: VKEY [^ ]+ is a log's verifier key" \
		witness-policy set --quorum 1 "$(cat "$KEYS/log.vkey")" \
		https://w1.example
	t "bad: witness-policy set, a VKEY that is no key" refused final \
		"witness 1: VKEY: witness verifier key: no '\+' after the key name" \
		witness-policy set --quorum 1 w1.example https://w1.example
	t "bad: witness-policy set, a VKEY of a tampered hash" refused final \
		'witness 1: VKEY: witness verifier key: key hash e75f6533 does not match' \
		witness-policy set --quorum 1 "${WK1/e75f6532/e75f6533}" \
		https://w1.example
	t "bad: witness-policy set, an ftp URL" refused final \
		'witness 2: URL ftp://w2\.example: not http:// or https://' \
		witness-policy set --quorum 1 "$WK1" https://w1.example \
		"$WK2" ftp://w2.example
	t "bad: witness-policy set, a URL with a space" refused final \
		'witness 1: URL https://w1 x: not http' \
		witness-policy set --quorum 1 "$WK1" "https://w1 x"
	t "bad: witness-policy set, a URL of no host" refused final \
		'witness 1: URL https://: not http' \
		witness-policy set --quorum 1 "$WK1" https://
	t "bad: witness-policy set, quorum above the witnesses" refused final \
		'--quorum 3 is more than the 2 witnesses given' \
		witness-policy set --quorum 3 "$WK1" https://w1.example \
		"$WK2" https://w2.example
	t "bad: witness-policy set, quorum 1 and no witness" refused final \
		'--quorum 1 is more than the 0 witnesses given' \
		witness-policy set --quorum 1
	t "bad: witness-policy set, quorum 0 with a witness" refused final \
		'--quorum 0 ends witnessing and takes no witness \(1 given\)' \
		witness-policy set --quorum 0 "$WK1" https://w1.example
	t "bad: witness-policy set, quorum 11" refused final \
		'--quorum 11: not a number from 0 to 10' \
		witness-policy set --quorum 11 "$WK1" https://w1.example
	t "bad: witness-policy set, quorum -1" refused final \
		'--quorum -1: not a number from 0 to 10' \
		witness-policy set --quorum -1 "$WK1" https://w1.example
	t "bad: witness-policy set, quorum 01" refused final \
		'--quorum 01: not a number' \
		witness-policy set --quorum 01 "$WK1" https://w1.example
	t "bad: witness-policy set, without --quorum" refused final \
		'witness-policy set: missing --quorum' \
		witness-policy set "$WK1" https://w1.example
	t "bad: witness-policy set, a witness twice" refused final \
		'witness 2: VKEY witness\.example/w1\+e75f6532\+[^ ]+ has the name of witness 1' \
		witness-policy set --quorum 1 "$WK1" https://w1.example \
		"$WK1" https://w1-again.example
	t "bad: witness-policy set, a witness's key under another name" \
		refused final 'witness 2: VKEY copy\.example\+[^ ]+ has the key of witness 1' \
		witness-policy set --quorum 1 "$WK2" https://w2.example \
		"$WK2_COPY" https://copy.example
	x=$(for i in $(seq 0 10); do printf '%s https://w%d.example ' "$WK1" "$i"; done)
	# shellcheck disable=SC2086 # x is the 22 arguments
	t "bad: witness-policy set, 11 witnesses" refused final \
		'witness-policy set: 11 witnesses, at most 10' \
		witness-policy set --quorum 1 $x
	t "bad: SANILOG_NOW malformed" env_bad 2026-11-25
	t "bad: log key mode 0644" key_bad mode
	t "bad: log key missing" key_bad missing
	t "bad: log key a symlink" key_bad symlink
	t "bad: log key of another log with the same origin" key_bad other-log
	t "bad: log key of another origin" key_bad other-origin
	}
}

env_bad() {
	db 7
	state log.db >state.before
	SANILOG_NOW=$1 run 2 $(cert_add "$DOCS/ozone.pdf") --db log.db
	clear_error
	has err 'SANILOG_NOW'
	unchanged log.db state.before
}

# key_bad HOW: a write with a bad log key file exits 2 and writes nothing.
key_bad() {
	db 7
	state log.db >state.before
	case $1 in
	mode) chmod 644 log.db.key ;;
	missing) rm log.db.key ;;
	symlink) mv log.db.key real.key && ln -s real.key log.db.key ;;
	other-log) key wrong-log.key log.db.key ;;
	other-origin) key provider.key log.db.key ;;
	esac
	run 2 $(cert_add "$DOCS/ozone.pdf") --db log.db
	clear_error
	has err 'log.db.key|key'
	unchanged log.db state.before
	run 2 venue add --name Bar --address "Via Roma 2" --db log.db
	clear_error
	unchanged log.db state.before
	run 0 verify --db log.db
}

# Keys of the provider and of init: mode 0644 refused.
t_key_files() {
	key provider.key p.key
	chmod 644 p.key
	run 2 attest --key p.key --venue $V1 --file "$DOCS/ozone.pdf" \
		--type sanitization --performed 2026-11-20 -o a.att
	clear_error
	has err 'p.key'
	[ ! -e a.att ] || fail "attest wrote its output with a bad key"
	key log.key l.key
	chmod 644 l.key
	run 2 init --key-from l.key --db log.db
	clear_error
	has err 'l.key'
	[ ! -e log.db ] && [ ! -e log.db.key ] || fail "init left files behind"
	chmod 600 l.key
	run 2 init --key-from l.key --origin other.example/log --db log.db
	clear_error
	[ ! -e log.db ] && [ ! -e log.db.key ] || fail "init left files behind"
	run 2 init --origin "has space" --db log.db
	clear_error
	[ ! -e log.db ] && [ ! -e log.db.key ] || fail "init left files behind"
	# keygen never overwrites a key without --force.
	run 0 provider keygen --name new.example --out n.key
	local before
	before=$(sha n.key)
	run 2 provider keygen --name new.example --out n.key
	clear_error
	[ "$(sha n.key)" = "$before" ] || fail "keygen replaced a key"
	run 0 provider keygen --name new.example --out n.key --force
	[ "$(sha n.key)" != "$before" ] || fail "keygen --force kept the key"
	[ "$(stat -c %a n.key)" = 600 ] || fail "n.key: not 0600"
}

t_init_twice() {
	key log.key log.key
	run 0 init --key-from log.key --db log.db
	SANILOG_NOW=2026-11-25T09:00:00Z run 0 venue add --id $V1 --name Bar \
		--address "Via Roma 1" --db log.db
	local db0 key0
	db0=$(sha log.db)
	key0=$(sha log.db.key)
	run 2 init --db log.db
	clear_error
	has err 'force'
	run 2 init --key-from log.key --db log.db
	clear_error
	[ "$(sha log.db)" = "$db0" ] && [ "$(sha log.db.key)" = "$key0" ] ||
		fail "init without --force changed the log"
	# A database without its key, a key without its database.
	mv log.db.key away.key
	run 2 init --db log.db
	clear_error
	[ "$(sha log.db)" = "$db0" ] || fail "init replaced a database"
	rm -f log.db.key
	mv away.key log.db.key
	mv log.db away.db
	run 2 init --db log.db
	clear_error
	[ "$(sha log.db.key)" = "$key0" ] || fail "init replaced a key"
	[ ! -e log.db ] || fail "init made a database beside a key"
	mv away.db log.db
	# --force replaces both.
	run 0 init --force --db log.db
	run 0 checkpoint --db log.db
	has out '^0$'
	[ "$(sha log.db.key)" != "$key0" ] || fail "init --force kept the key"
}

# A database path of 4,092 bytes, whose "<db>.key" and "<db>-wal" do not
# fit in PATH_MAX: init --force refuses it before it removes anything (the
# cut names "<db>.ke" and "<db>-wa" are other files).
t_long_db_path() {
	local dir="" part db
	part=$(printf '%0200d' 0)
	while [ ${#dir} -lt 3900 ]; do dir=$dir$part/; done
	mkdir -p "$dir"
	db=$dir$(printf '%0*d' $((4092 - ${#dir})) 0)
	echo other >"$db.ke"
	echo other >"$db-wa"
	run 2 init --force --db "$db"
	clear_error
	has err 'path too long'
	[ -e "$db.ke" ] && [ -e "$db-wa" ] || fail "init removed another file"
}

# Files that are not sanilog databases: every command exits 2 and leaves
# them byte for byte as they were.
t_not_a_database() {
	sqlite3 other.db "CREATE TABLE t(a); INSERT INTO t VALUES (1);"
	head -c 4096 /dev/urandom >random.db
	printf 'just some text\n' >text.db
	: >empty.db
	local f c before changed=""
	for f in other.db random.db text.db empty.db; do
		key log.key "$f.key"
		for c in "key" "checkpoint" "entry 0" "proof inclusion 0" \
			"export --venue $V1" "venue list" "venue show $V1" \
			"verify" "verify --venue $V1" \
			"venue add --name Bar --address Via" \
			"venue token $V1 --rotate" \
			"provider revoke cleanco.example" \
			"$(cert_add "$DOCS/ozone.pdf")"; do
			before=$(sha "$f")
			# shellcheck disable=SC2086
			run 2 $c --db "$f"
			clear_error
			if [ "$(sha "$f")" != "$before" ] || [ -e "$f-wal" ]; then
				changed="$changed
sanilog $c --db $f changed $f"
				# The next command gets the file as it was.
				case $f in
				other.db)
					rm -f other.db*
					sqlite3 other.db "CREATE TABLE t(a); INSERT INTO t VALUES (1);"
					;;
				empty.db) rm -f empty.db* && : >empty.db ;;
				esac
			fi
		done
	done
	[ -z "$changed" ] || fail "commands that failed but wrote:$changed"
	has err 'not a sanilog database|not a database'
	# A database that is not there is not made.
	for c in checkpoint verify "venue add --name Bar --address Via"; do
		# shellcheck disable=SC2086
		run 2 $c --db none.db
		clear_error
		[ ! -e none.db ] || fail "sanilog $c made none.db"
	done
	has err 'init'
}

t_help() {
	local c s subs
	for c in init key venue provider attest cert checkpoint entry proof \
		export verify witness-policy; do
		run 0 "$c" --help
		quiet err
		has out '^usage: sanilog '
		run 0 help "$c"
		quiet err
		has out '^usage: sanilog '
	done
	run 0 help
	has out '^usage: sanilog '
	run 0 --help
	has out '^usage: sanilog '
	run 2
	has err '^usage: sanilog '
	run 2 frobnicate
	has err 'frobnicate'
	run 0 --version
	has out '^sanilog [0-9]+\.[0-9]+\.[0-9]+$'
	quiet err
	run 2 checkpoint --frobnicate
	has err '^usage: sanilog '
	# Every subcommand "sanilog help" lists takes --help.
	run 0 help
	grep -E '^  [a-z-]+ [a-z]+(\|[a-z]+)+ ' out >subs || fail "no subcommands"
	local missing="" rc
	while read -r c subs _; do
		for s in ${subs//|/ }; do
			rc=0
			sl "$c" "$s" --help >out 2>err || rc=$?
			if [ "$rc" != 0 ] || [ -s err ] || ! grep -q '^usage: sanilog ' out; then
				missing="$missing
sanilog $c $s --help: exit $rc: $(head -n 1 err)"
			fi
		done
	done <subs
	[ -z "$missing" ] || fail "subcommands listed by sanilog help that do not take --help:$missing"
	for c in "proof inclusion" "proof consistency"; do
		# shellcheck disable=SC2086
		run 0 $c --help
		has out '^usage: sanilog '
	done
}

# A command line that is wrong says why before the usage.
t_usage_reasons() {
	local args want
	while IFS='|' read -r args want; do
		# shellcheck disable=SC2086
		run 2 $args
		has err "^sanilog: $want"
		has err '^usage: sanilog '
		quiet out
	done <<'EOF'
venue add --address x|venue add: missing --name$
venue add --name x --address y extra|venue add: unexpected argument "extra"
venue|venue: add, update, list, show, token or link\?
venue --json|venue: add, update, list, show, token or link\?
provider --json|provider: keygen, add or revoke\?
cert --json|cert: add or revoke\?
venue show|venue show: missing argument
export|export: missing --venue
entry|entry: missing argument
entry 1 2|entry: unexpected argument "2"
proof|proof: inclusion or consistency\?
proof frob|proof frob: unknown kind
proof consistency 1|proof consistency: missing argument
entry -1|entry: indexes and sizes are 0 or more
proof inclusion -5|proof: indexes and sizes are 0 or more
checkpoint --frob|checkpoint: unknown option --frob
checkpoint --size|checkpoint: --size needs a value
cert|cert: add or revoke\?
cert revoke --venue abcdefgh --seq 1|cert revoke: missing --reason
cert add --venue abcdefgh --title t|cert add: missing --file --type --performed
provider keygen --name x|provider keygen: missing --out
provider add|provider add: missing argument
attest --key k|attest: missing --venue --file --type --performed
init extra|init: unexpected argument "extra"
verify a.json --venue abcdefgh|verify: --venue is for a database
verify --docs d --venue abcdefgh|verify: --docs is for a bundle
verify --docs d|verify: --docs is for a bundle
verify --require-current|verify: --require-current is for a venue
report|report: missing argument
report http://a.example http://b.example|report: unexpected argument "http://b.example"
report --json --csv http://a.example|report: --json or --csv, not both
witness-policy|witness-policy: set or show\?
witness-policy frob|witness-policy frob: unknown subcommand
witness-policy set|witness-policy set: missing --quorum$
witness-policy set --quorum 1 a|witness-policy set: 1 argument, not VKEY URL pairs \(a has no URL\)$
witness-policy show extra|witness-policy show: unexpected argument "extra"
EOF
}

# ---------------------------------------------------------------------------
# 3. Tampering: each on a fresh copy of the golden log (or its bundle);
# verify exits 1, says INVALID and names the broken check.

# flip STRING POS: STRING with the character at POS (from 1) changed.
flip() {
	local s=$1 p=$2 c
	c=${s:p-1:1}
	if [ "$c" = A ]; then c=B; else c=A; fi
	printf '%s%s%s' "${s:0:p-1}" "$c" "${s:p}"
}

# invalid CHECK: verify's output in ./out fails CHECK ("rule N name").
invalid() {
	has out "^$KO rule $1"
	has out '^INVALID$'
	hasnt out "^$OK rule $1"
}

# tamper CHECK SQL [VERIFY ARGS...]: the golden log, changed by SQL, no
# longer verifies and verify names CHECK.
tamper() {
	local check=$1 sql=$2 n
	shift 2
	db final
	XDG_CACHE_HOME=$PWD/control plain verify --db log.db "$@" >/dev/null ||
		fail "the untouched copy does not verify"
	if [ "${sql#sh:}" != "$sql" ]; then
		eval "${sql#sh:}" || fail "the change failed: $sql"
	else
		n=$(sqlite3 log.db "$sql; SELECT changes();" | tail -n 1)
		[ "$n" -ge 1 ] 2>/dev/null || fail "the SQL changed nothing: $sql"
	fi
	# The JSON report says so.
	run 1 verify --db log.db --json "$@"
	has out '"valid": false'
	run 1 verify --db log.db "$@"
	invalid "$check"
}

# only CHECK SQL [VERIFY ARGS...]: as tamper, and no other check fails.
only() {
	tamper "$@"
	if grep "^$KO" out | grep -v "^$KO rule $1" >others; then
		echo "    other checks failed too (only rule $1 is broken):" >&2
		show others >&2
		exit 1
	fi
}

doc_file() { # doc_file FILE: the file of FILE's document in log.db.docs
	local h
	h=$(sha "$1")
	printf 'log.db.docs/%s/%s' "${h:0:2}" "$h"
}
cut_doc() { # cut_doc FILE: the last byte of its document's file made X
	local f
	f=$(doc_file "$1")
	printf X | dd of="$f" bs=1 seek=$(($(stat -c %s "$f") - 1)) conv=notrunc status=none
}

doc_sql() { # doc_sql FILE: the documents row of FILE
	echo "sha256 = x'$(sha "$1")'"
}

# entry_sql IDX FROM TO: replaces text in entry IDX.
entry_sql() {
	echo "UPDATE entries SET data = CAST(replace(CAST(data AS TEXT), '$2', '$3') AS BLOB) WHERE idx = $1"
}

# note_sql SIZE FROM TO: replaces text in the kept checkpoint of SIZE.
note_sql() {
	echo "UPDATE checkpoints SET note = replace(note, '$2', '$3') WHERE size = $1"
}

cp_line() { # cp_line SIZE LINE: a line of the golden checkpoint of SIZE
	sed -n "$2p" "$BASE/read/checkpoint-size-$1.out"
}

cp_sig() { # cp_sig SIZE: the base64 signature of the checkpoint of SIZE
	sed -n 's/^— [^ ]* //p' "$BASE/read/checkpoint-size-$1.out"
}

# hash_sql WHICH EXPR: SQL that sets the run of stored hashes that holds
# the first, middle or last one to EXPR, in which $A is the run's bytes
# before that hash and $B those after it.
hash_sql() {
	local id
	case $1 in
	first) id=0 ;;
	last) id="(SELECT sum(length(hashes)) / 32 - 1 FROM hash_runs)" ;;
	middle) id="(SELECT sum(length(hashes)) / 64 FROM hash_runs)" ;;
	esac
	local A="substr(hashes, 1, ($id - first) * 32)"
	local B="substr(hashes, ($id - first) * 32 + 33)"
	eval "local set=\"$2\""
	echo "UPDATE hash_runs SET hashes = $set WHERE first = (SELECT max(first) FROM hash_runs WHERE first <= $id)"
}

tamper_tests() {
	local w d root10 root9 sig10 prev8
	need_base_quiet || return 0
	root10=$(cp_line 10 3)
	root9=$(cp_line 9 3)
	sig10=$(cp_sig 10)
	prev8=$(sed -n 's/^prev //p' "$BASE/read/entry-8.out")
	for d in ozone.pdf protocol.pdf pest.png water.jpg; do
		t "tamper: a byte of $d" only '4 document' \
			"sh:cut_doc '$DOCS/$d'"
	done
	t "tamper: ozone.pdf replaced by another PDF" tamper '4 document' \
		"sh:cp '$DOCS/protocol.pdf' \"\$(doc_file '$DOCS/ozone.pdf')\" && sqlite3 log.db \"UPDATE documents SET size = $(stat -c %s "$DOCS/protocol.pdf") WHERE $(doc_sql "$DOCS/ozone.pdf")\""
	t "tamper: documents row of pest.png deleted" only '4 document' \
		"DELETE FROM documents WHERE $(doc_sql "$DOCS/pest.png")"
	t "tamper: document byte, verify --venue" tamper '4 documents' \
		"sh:cut_doc '$DOCS/ozone.pdf'" --venue $V1
	t "tamper: documents row deleted, verify --venue" tamper '4 documents' \
		"DELETE FROM documents WHERE $(doc_sql "$DOCS/water.jpg")" \
		--venue $V2
	t "tamper: entry 0 text (venue name)" tamper '2 tree' \
		"$(entry_sql 0 'name Bar Roma' 'name Bar Rome')"
	t "tamper: entry 3 text (performed, attested)" tamper '2 tree' \
		"$(entry_sql 3 'performed 2026-11-20' 'performed 2026-11-21')"
	t "tamper: entry 3 text breaks its attestation" tamper '5 attestation' \
		"$(entry_sql 3 'performed 2026-11-20' 'performed 2026-11-21')"
	t "tamper: entry 8 text breaks the chain" tamper '3 chain' \
		"$(entry_sql 8 "prev $prev8" "prev $(sha "$DOCS/ozone.pdf")")"
	t "tamper: entry 9 text (last entry)" tamper '2 tree' \
		"$(entry_sql 9 'key compromised' 'key lost')"
	t "tamper: entry 5 no longer parses" tamper '3 entry' \
		"$(entry_sql 5 'Derattizzazione' 'Derattizzazione ')"
	t "tamper: entry 4 text, verify --venue" tamper '2 inclusion' \
		"$(entry_sql 4 'Protocollo' 'Protokoll')" --venue $V1
	t "tamper: entry row 4 deleted" tamper '2 tree' \
		"DELETE FROM entries WHERE idx = 4"
	t "tamper: entry row 0 deleted" tamper '2 tree' \
		"DELETE FROM entries WHERE idx = 0"
	t "tamper: last entry row deleted" tamper '1 checkpoint' \
		"DELETE FROM entries WHERE idx = 9"
	t "tamper: a venue's link back to its entry before" tamper '3 chain' \
		"UPDATE entries SET venue_prev = 3 WHERE idx = 7"
	t "tamper: a venue's head points back" only '3 chain' \
		"UPDATE heads SET idx = 7, seq = 3 WHERE venue = '$V1'"
	# The index's pair (key, id) of document 2: each of this log's
	# transactions stored one document, and so wrote one chunk.
	local two="substr(pairs, 9) = x'0000000000000002'"
	t "tamper: a document's key deleted" only '4 document' \
		"DELETE FROM doc_chunks WHERE $two"
	t "tamper: a document's key changed" only '4 document' \
		"UPDATE doc_chunks SET first = zeroblob(8), pairs = CAST(zeroblob(8) || substr(pairs, 9) AS BLOB) WHERE $two"
	t "tamper: a document's key changed, not its chunk's" only '4 document' \
		"UPDATE doc_chunks SET pairs = CAST(zeroblob(8) || substr(pairs, 9) AS BLOB) WHERE $two"
	t "tamper: a document's key moved to another" only '4 document' \
		"UPDATE doc_chunks SET pairs = CAST(substr(pairs, 1, 8) || x'0000000000000003' AS BLOB) WHERE $two"
	t "tamper: a document's key cut short" only '4 document' \
		"UPDATE doc_chunks SET pairs = CAST(substr(pairs, 1, 15) AS BLOB) WHERE $two"
	t "tamper: a document's key in two generations" only '4 document' \
		"INSERT INTO doc_gens(gen, keys) VALUES (1000, 1); INSERT INTO doc_chunks(gen, first, pairs) SELECT 1000, first, pairs FROM doc_chunks WHERE $two"
	t "tamper: a document's key's generation unlisted" only '4 document' \
		"DELETE FROM doc_gens WHERE gen = (SELECT gen FROM doc_chunks WHERE $two)"
	t "tamper: a document's generation counts another pair" only '4 document' \
		"UPDATE doc_gens SET keys = keys + 1 WHERE gen = (SELECT gen FROM doc_chunks WHERE $two)"
	t "tamper: a generation without chunks" only '4 document' \
		"INSERT INTO doc_gens(gen, keys) VALUES (5000, 0)"
	t "tamper: a chunk of no generation, numbered at the top" only '4 document' \
		"INSERT INTO doc_chunks VALUES (9223372036854775807, x'0000000000000000', x'')"
	t "tamper: a chunk of text in a generation" only '4 document' \
		"INSERT INTO doc_chunks VALUES (1, x'FFFFFFFFFFFFFFFF', 'AAAAAAAAAAAAAAAA')"
	# The same bytes as values of another type: no look-up finds them,
	# or the index's rules do not hold.
	t "tamper: a document's chunk's first key as text" only '4 document' \
		"UPDATE doc_chunks SET first = CAST(first AS TEXT) WHERE $two"
	t "tamper: a document's chunk as text" only '4 document' \
		"UPDATE doc_chunks SET pairs = CAST(pairs AS TEXT) WHERE $two"
	t "tamper: a document's hash as text" only '4 document' \
		"UPDATE documents SET sha256 = CAST(sha256 AS TEXT) WHERE id = 2"
	t "tamper: an entry filed under another venue-seq" tamper '3 chain' \
		"UPDATE entries SET venue_seq = 99 WHERE idx = 5"
	t "tamper: an entry filed under another venue" tamper '3 chain' \
		"UPDATE entries SET venue = 'zzzzzzzz' WHERE idx = 5"
	t "tamper: a venue head of a huge number" t_huge_head
	t "tamper: a stray index chunk does not stop appends" t_index_top_chunk
	t "tamper: an unsigned entry appended" tamper '2 tree' \
		"INSERT INTO entries(idx, venue, venue_seq, kind, revokes, provider, doc, data) SELECT 10, venue, venue_seq, kind, revokes, provider, doc, data FROM entries WHERE idx = 9"
	for w in first middle last; do
		t "tamper: stored hash ($w) changed" only '2 tree' \
			"$(hash_sql $w 'CAST($A || zeroblob(32) || $B AS BLOB)')"
		t "tamper: stored hash ($w) cut out" tamper '2 tree' \
			"$(hash_sql $w 'CAST($A || $B AS BLOB)')"
	done
	t "tamper: the newest run of stored hashes deleted" tamper '2 tree' \
		"DELETE FROM hash_runs WHERE first = (SELECT max(first) FROM hash_runs)"
	t "tamper: a run of stored hashes not whole hashes" tamper '2 tree' \
		"UPDATE hash_runs SET hashes = substr(hashes, 1, length(hashes) - 1) WHERE first = 0"
	t "tamper: a run of stored hashes as text" tamper '2 tree' \
		"UPDATE hash_runs SET hashes = CAST(hashes AS TEXT) WHERE first = 0"
	# Rows that add no hash but hide others from reads, or stop appends.
	t "tamper: an empty run of stored hashes inside another" only '2 tree' \
		"INSERT INTO hash_runs VALUES (5, zeroblob(0))"
	t "tamper: a run of text at the next index" only '2 tree' \
		"INSERT INTO hash_runs SELECT sum(length(hashes)) / 32, 'x' FROM hash_runs"
	t "tamper: the runs of stored hashes moved below 0" only '2 tree' \
		"UPDATE hash_runs SET first = first - 9223372036854775807 - 1"
	t "tamper: newest checkpoint's root" tamper '1 checkpoint signature' \
		"$(note_sql 10 "$root10" "$root9")"
	t "tamper: newest checkpoint's size" tamper '1 checkpoint' \
		"$(note_sql 10 $'\n10\n' $'\n9\n')"
	t "tamper: newest checkpoint's signature" only '1 checkpoint signature' \
		"$(note_sql 10 "$sig10" "$(flip "$sig10" 40)")"
	t "tamper: newest checkpoint's key hash" only '1 checkpoint signature' \
		"$(note_sql 10 "$sig10" "$(flip "$sig10" 2)")"
	t "tamper: kept checkpoint of size 5's root" tamper '1 checkpoint signature' \
		"$(note_sql 5 "$(cp_line 5 3)" "$root9")"
	t "tamper: newest checkpoint replaced by size 9's" tamper '1 checkpoint' \
		"UPDATE checkpoints SET note = (SELECT note FROM checkpoints WHERE size = 9) WHERE size = 10"
	t "tamper: checkpoint root, verify --venue" tamper '1 checkpoint signature' \
		"$(note_sql 10 "$root10" "$root9")" --venue $V1
	t "tamper: stored log key" tamper '1 checkpoint signature' \
		"UPDATE meta SET value = '$(cat "$KEYS/wrong-log.vkey")' WHERE key = 'vkey'"

	t "bundle: control" bundle_control
	t "bundle: newest entry's text" bundle_tamper '2 inclusion' \
		sed 's/name Bar Roma Centro/name Bar Roma Center/'
	t "bundle: a document's title" bundle_tamper '2 inclusion' \
		sed 's/title Sanificazione ambienti con ozono/title Sanificazione ambienti con ossigeno/'
	t "bundle: a document's hash" bundle_tamper '2 inclusion' \
		sed "s/doc $(sha "$DOCS/ozone.pdf")/doc $(sha "$DOCS/protocol.pdf")/"
	t "bundle: attestation signature" bundle_tamper '5 attestation' \
		sed 's/\(attestation cleanco.example+[0-9a-f]* ...........\)./\1A/'
	t "bundle: first proof hash" bundle_tamper '2 inclusion' \
		proof_tamper 1
	t "bundle: last proof hash" bundle_tamper '2 inclusion' \
		proof_tamper 0
	t "bundle: an entry's index" bundle_tamper '2 inclusion' \
		sed 's/"index": 3,/"index": 1,/'
	t "bundle: checkpoint root" bundle_tamper '1 checkpoint signature' \
		sed "s#\\\\n$(cp_line 10 3)\\\\n#\\\\n${root9}\\\\n#"
	t "bundle: checkpoint signature" bundle_tamper '1 checkpoint signature' \
		sed "s#$sig10#$(flip "$sig10" 40)#"
	t "bundle: log key" bundle_tamper '1 checkpoint signature' \
		sed "s#$(cat "$KEYS/log.vkey")#$(cat "$KEYS/wrong-log.vkey")#"
	t "bundle: an entry left out" bundle_tamper '3 venue chain' \
		drop_item 4
	t "bundle: the revocation left out" bundle_tamper '3 venue chain' \
		drop_item 7
	t "bundle: first entry left out" bundle_tamper '3 venue chain' \
		drop_item 0
	t "bundle: the provider key left out" bundle_tamper '5 attestation' \
		drop_item 2
	t "bundle: another venue's id" bundle_tamper '3 entry venue' \
		sed "s/\"venue\": \"$V1\"/\"venue\": \"$V2\"/"
	t "bundle: unknown key" bundle_bad 1 sed 's/^  "origin"/  "extra": 1,\n  "origin"/'
	t "bundle: not JSON" bundle_bad 2 head -c 500
	t "bundle: empty" bundle_bad 2 head -c 0
	t "bundle: an empty JSON object" bundle_bad 2 sh -c 'echo "{}"'
	t "bundle: a JSON object of other keys" bundle_bad 2 \
		sh -c 'echo "{\"name\": \"x\", \"version\": \"1\"}"'
	t "bundle: the checkpoint left out" bundle_bad 1 \
		grep -v '^  "checkpoint": '
	t "bundle: the venue made null" bundle_bad 1 \
		sed 's/"venue": "[a-z0-9]*"/"venue": null/'
	t "bundle: a venue id that is none" bundle_bad 1 \
		sed "s/\"venue\": \"$V1\"/\"venue\": \"NOT-AN-ID\"/"
}

need_base_quiet() {
	if [ ! -f "$BASE/ok" ]; then
		echo "FAIL  tamper tests: the golden log was not built"
		NFAIL=$((NFAIL + 1))
		return 1
	fi
}

# proof_tamper FIRST: changes the first (1) or last (0) hash of the first
# proof in the bundle on stdin.
proof_tamper() {
	awk -v first="$1" '
	function bump(line,   i, c) {
		i = index(line, "\"") + 1
		c = substr(line, i, 1)
		return substr(line, 1, i - 1) (c == "A" ? "B" : "A") substr(line, i + 1)
	}
	{ lines[NR] = $0 }
	/"proof": \[/ && !p { p = NR }
	p && !e && /^ *\]/ && NR > p { e = NR }
	END {
		target = first ? p + 1 : e - 1
		for (n = 1; n <= NR; n++)
			print (n == target ? bump(lines[n]) : lines[n])
	}'
}

# drop_item INDEX: the bundle on stdin without the item of that index.
drop_item() {
	awk -v idx="$1" '
	function put(s) { out[++n] = s }
	/^    \{$/ { obj = $0; inobj = 1; next }
	inobj { obj = obj "\n" $0 }
	inobj && /^    \},?$/ {
		inobj = 0
		if (obj ~ "\"index\": " idx ",")
			dropped = 1
		else
			put(obj)
		next
	}
	!inobj { put($0) }
	END {
		for (i = 1; i <= n; i++) {
			# The object before "]" loses its comma.
			if (out[i + 1] ~ /^  \]/)
				sub(/\},$/, "}", out[i])
			print out[i]
		}
		exit !dropped
	}'
}

bundle_control() {
	need_base
	run 0 verify "$BASE/bundle-$V1.json"
	run 0 verify --key "$(cat "$KEYS/log.vkey")" "$BASE/bundle-$V1.json"
	# drop_item and proof_tamper with no effect keep a valid bundle.
	cp "$BASE/bundle-$V1.json" b.json
	sed 's/x/x/' b.json >c.json
	run 0 verify c.json
	drop_item 99 <b.json >c.json && fail "drop_item 99 dropped something"
	# Dropping the newest entry leaves a valid (older-looking) bundle.
	drop_item 8 <b.json >c.json || fail "drop_item 8 dropped nothing"
	run 0 verify c.json
}

# bundle_tamper CHECK FILTER...: the Bar Roma bundle through FILTER no
# longer verifies and verify names CHECK.
bundle_tamper() {
	local check=$1
	shift
	need_base
	"$@" <"$BASE/bundle-$V1.json" >b.json || fail "filter failed: $*"
	if cmp -s b.json "$BASE/bundle-$V1.json"; then
		fail "the filter changed nothing: $*"
	fi
	run 1 verify b.json
	invalid "$check"
	run 1 verify --key "$(cat "$KEYS/log.vkey")" b.json
	hasnt out "^valid$"
	run 1 verify --json b.json
	has out '"valid": false'
}

# bundle_bad CODE CMD...: verify exits CODE on the bundle CMD makes of a
# good one: 1 for a bundle that breaks a rule, 2 for a file that is none.
bundle_bad() {
	local code=$1
	shift
	need_base
	"$@" <"$BASE/bundle-$V1.json" >b.json || true
	run "$code" verify b.json
	has err '^sanilog: verify: '
}

# ---------------------------------------------------------------------------
# 3b. A bundle's documents (rule 4): verify --docs DIR checks the files of
# DIR named by their SHA-256; export --docs DIR writes them; without them
# verify says the documents were not checked, and how to check them.

# docs_of_v1 DIR: DIR with Bar Roma's two documents, named by their SHA-256.
docs_of_v1() {
	mkdir -p "$1"
	cp "$DOCS/ozone.pdf" "$1/$(sha "$DOCS/ozone.pdf")"
	cp "$DOCS/protocol.pdf" "$1/$(sha "$DOCS/protocol.pdf")"
}

# The venue's documents beside its bundle, byte for byte, and nothing else.
t_export_docs() {
	need_base
	local oz pr
	oz=$(sha "$DOCS/ozone.pdf")
	pr=$(sha "$DOCS/protocol.pdf")
	run 0 export --venue $V1 --docs d -o b.json --db "$BASE/snap/final.db"
	quiet out
	quiet err
	cmp b.json "$BASE/bundle-$V1.json" || fail "export --docs wrote another bundle"
	[ "$(ls d)" = "$(printf '%s\n' "$oz" "$pr" | sort)" ] ||
		fail "export --docs wrote: $(ls d)"
	cmp "d/$oz" "$DOCS/ozone.pdf" || fail "d/$oz is not ozone.pdf"
	cmp "d/$pr" "$DOCS/protocol.pdf" || fail "d/$pr is not protocol.pdf"
	# Again, into the folder it wrote, and a bundle to stdout.
	run 0 export --venue $V1 --docs d --db "$BASE/snap/final.db"
	cmp out "$BASE/bundle-$V1.json" || fail "export --docs to stdout differs"
	[ "$(ls d | wc -l)" = 2 ] || fail "a second export --docs left: $(ls d)"
	# An older bundle has only the documents of its tree: one at size 4.
	run 0 export --venue $V1 --size 4 --docs d4 -o b4.json \
		--db "$BASE/snap/final.db"
	[ "$(ls d4)" = "$oz" ] || fail "export --size 4 --docs wrote: $(ls d4)"
	run 0 verify --docs d4 b4.json
	# Where the folder cannot be: exit 2 and no bundle written.
	: >notadir
	run 2 export --venue $V1 --docs notadir -o c.json \
		--db "$BASE/snap/final.db"
	clear_error
	[ ! -e c.json ] || fail "export --docs notadir wrote the bundle"
}

t_docs_right() {
	need_base
	docs_of_v1 d
	run 0 verify --docs d "$BASE/bundle-$V1.json"
	quiet err
	has out "^$OK rule 4 documents: 2 documents fetched"
	has out '^valid$'
	run 0 verify --docs d --json "$BASE/bundle-$V1.json"
	has out '^      "rule": 4,$'
	has out '"valid": true'
	# The other venue's documents do not count for this one.
	rm -f "d/$(sha "$DOCS/protocol.pdf")"
	cp "$DOCS/pest.png" "d/$(sha "$DOCS/pest.png")"
	run 1 verify --docs d "$BASE/bundle-$V1.json"
	invalid '4 documents'
}

t_docs_not_checked() {
	need_base
	run 0 verify "$BASE/bundle-$V1.json"
	has out "^$OK rule 4 documents: 2 documents not checked: give --docs DIR "
	run 0 verify --json "$BASE/bundle-$V1.json"
	has out '^      "rule": 4,$'
	has out '"detail": "2 documents not checked: '
	# Rule 4 comes after rule 3 and before rule 5, as the other checks.
	run 0 verify "$BASE/bundle-$V1.json"
	sed -n 's/^[^ ]* rule \([0-9]\) .*/\1/p' out >rules
	sort -c rules || fail "rules in the order $(tr -d '\n' <rules)"
	[ "$(grep -c '^4$' rules)" = 1 ] || fail "not one check of rule 4"
}

t_docs_missing() {
	need_base
	local pr
	pr=$(sha "$DOCS/protocol.pdf")
	docs_of_v1 d
	rm "d/$pr"
	run 1 verify --docs d "$BASE/bundle-$V1.json"
	invalid '4 documents'
	has out "document $pr not found"
	run 1 verify --docs d --json "$BASE/bundle-$V1.json"
	has out '"valid": false'
	# An empty folder: both missing.
	mkdir e
	run 1 verify --docs e "$BASE/bundle-$V1.json"
	[ "$(grep -c "^$KO rule 4 documents: .* not found" out)" = 2 ] ||
		fail "not two documents reported missing"
}

t_docs_other_bytes() {
	need_base
	local pr size
	pr=$(sha "$DOCS/protocol.pdf")
	size=$(stat -c %s "$DOCS/protocol.pdf")
	# One byte changed, the size kept.
	docs_of_v1 d
	printf 'X' | dd of="d/$pr" bs=1 seek=$((size - 10)) conv=notrunc 2>/dev/null
	cmp -s "d/$pr" "$DOCS/protocol.pdf" && fail "the byte was not changed"
	run 1 verify --docs d "$BASE/bundle-$V1.json"
	invalid '4 documents'
	has out "document bytes hash to [0-9a-f]{64}, not to the doc line's $pr"
	# The failure names the document by its title too.
	has out '^    entry 4 is the document "Protocollo HACCP pulizie" \(protocol, performed 2026-11-01\)$'
	# Another document under its name.
	cp "$DOCS/ozone.pdf" "d/$pr"
	run 1 verify --docs d "$BASE/bundle-$V1.json"
	invalid '4 documents'
	# A folder where the file should be cannot be checked.
	rm "d/$pr"
	mkdir "d/$pr"
	run 2 verify --docs d "$BASE/bundle-$V1.json"
	has err '^sanilog: verify: .*not a regular file'
}

t_docs_longer() {
	need_base
	local pr
	pr=$(sha "$DOCS/protocol.pdf")
	docs_of_v1 d
	# One byte more: read whole, and it hashes to something else.
	printf 'x' >>"d/$pr"
	run 1 verify --docs d "$BASE/bundle-$V1.json"
	invalid '4 documents'
	# Much more: refused unread.
	head -c 200000 /dev/zero >>"d/$pr"
	run 1 verify --docs d "$BASE/bundle-$V1.json"
	invalid '4 documents'
	has out "document $pr is larger than the $(stat -c %s "$DOCS/protocol.pdf") bytes of its doc line"
}

t_docs_bad_folder() {
	need_base
	run 2 verify --docs nowhere "$BASE/bundle-$V1.json"
	clear_error
	has err 'nowhere'
	: >file
	run 2 verify --docs file "$BASE/bundle-$V1.json"
	clear_error
}

docs_tests() {
	t "bundle documents: export --docs" t_export_docs
	t "bundle documents: verify --docs, the right files" t_docs_right
	t "bundle documents: without --docs, not checked" t_docs_not_checked
	t "bundle documents: a file missing" t_docs_missing
	t "bundle documents: a file of other bytes" t_docs_other_bytes
	t "bundle documents: a file longer than its doc line" t_docs_longer
	t "bundle documents: --docs not a folder" t_docs_bad_folder
}

# ---------------------------------------------------------------------------
# 4. Rollback, fork and pinned keys.

CACHED=cache/sanilog/test.sanilog.example_2flog

# A log that went back: verify remembers size 10, then sees size 5.
t_rollback() {
	db final
	run 0 verify --db log.db
	cmp "$CACHED" "$BASE/read/checkpoint.out" ||
		fail "verify did not remember the newest checkpoint"
	cp "$BASE/snap/5.db" log.db
	run 1 verify --db log.db
	invalid '8 rollback'
	# It is still reported: the older log did not replace what was seen.
	run 1 verify --db log.db
	invalid '8 rollback'
	cmp "$CACHED" "$BASE/read/checkpoint.out" ||
		fail "a rolled-back log replaced the remembered checkpoint"
	# The log grows back (the same entries): consistent again.
	cp "$BASE/snap/final.db" log.db
	run 0 verify --db log.db
	has out "^$OK rule 8 consistency"
}

# The venue's view of a rolled-back database (verify --venue).
t_rollback_venue() {
	db final
	run 0 verify --venue $V1 --db log.db
	cp "$BASE/snap/5.db" log.db
	run 1 verify --venue $V1 --db log.db
	hasnt out '^valid$'
	has out "^$KO rule 8 "
}

# An older bundle is no rollback (exports age), but is reported.
t_older_bundle() {
	need_base
	run 0 verify "$BASE/bundle-$V1.json"
	run 0 verify "$BASE/bundle-$V1-size-5.json"
	has out "^$OK rule 8 older bundle"
	cmp "$CACHED" "$BASE/read/checkpoint.out" ||
		fail "an older bundle replaced the remembered checkpoint"
}

# grow DB TITLE: one more document in DB.
grow() {
	run 0 cert add --db "$1" --venue $V1 --file "$DOCS/protocol.pdf" \
		--type form --title "$2" --performed 2026-11-25
}

# Two logs with the same key and origin that diverge at size 10.
make_fork() {
	db final
	cp log.db a.db
	cp log.db b.db
	cp -r log.db.docs a.db.docs
	cp -r log.db.docs b.db.docs
	key log.key a.db.key
	key log.key b.db.key
	grow a.db "Modulo A"
	grow b.db "Modulo B"
	run 0 checkpoint --db a.db
	cp out a.cp
	run 0 checkpoint --db b.db
	cmp -s out a.cp && fail "the two logs did not diverge"
	return 0
}

t_fork_equal_size() {
	make_fork
	run 0 verify --db a.db
	run 1 verify --db b.db
	invalid '8 rollback or fork'
	cmp "$CACHED" a.cp || fail "the forked log replaced the remembered checkpoint"
}

t_fork_longer() {
	make_fork
	grow b.db "Modulo B2"
	run 0 verify --db a.db
	run 1 verify --db b.db
	invalid '8 rollback or fork'
	cmp "$CACHED" a.cp || fail "the forked log replaced the remembered checkpoint"
}

# verify --venue has the log itself at hand: a fork is reported whatever
# its size.
t_fork_longer_venue() {
	make_fork
	grow b.db "Modulo B2"
	run 0 verify --venue $V1 --db a.db
	run 1 verify --venue $V1 --db b.db
	hasnt out '^valid$'
	has out "^$KO rule 8 "
}

t_fork_shorter() {
	make_fork
	grow a.db "Modulo A2"
	run 0 verify --db a.db
	run 1 verify --db b.db
	invalid '8 rollback'
}

t_fork_bundle() {
	make_fork
	run 0 export --venue $V1 --db a.db -o a.json
	run 0 export --venue $V1 --db b.db -o b.json
	run 0 verify a.json
	run 1 verify b.json
	invalid '8 fork'
	# And the other way round, from the database.
	rm -rf cache
	run 0 verify --venue $V1 --db b.db
	run 1 verify a.json
	invalid '8 fork'
	run 1 verify --venue $V1 --db a.db
	invalid '8 fork'
}

# A bundle of a fork longer than the remembered checkpoint: offline, no
# consistency proof can be had, so it must not pass silently as valid nor
# replace the remembered checkpoint (after which the real log would be the
# one reported as rolled back).
t_fork_bundle_longer() {
	make_fork
	grow b.db "Modulo B2"
	run 0 export --venue $V1 --db b.db -o b.json
	run 0 verify --db a.db
	local rc=0
	sl verify b.json >out 2>err || rc=$?
	cmp -s "$CACHED" a.cp || fail "verify b.json (a fork of size 12) replaced" \
		"the remembered checkpoint (size 11) without a consistency proof"
	if [ "$rc" = 0 ] && ! grep -q "rule 8 " out; then
		fail "verify b.json (a fork of size 12) says valid without any rule 8" \
			"check against the remembered checkpoint of size 11:" \
			"$(tail -n 3 out)"
	fi
	run 0 verify --db a.db
}

# verify --key: the pinned key decides.
t_pinned_key() {
	need_base
	local good wrong
	good=$(cat "$KEYS/log.vkey")
	wrong=$(cat "$KEYS/wrong-log.vkey")
	run 0 verify --key "$good" --db "$BASE/snap/final.db"
	run 0 verify --key "$good" --venue $V1 --db "$BASE/snap/final.db"
	run 0 verify --key "$good" "$BASE/bundle-$V1.json"
	has out "^$OK rule 1 "
	run 1 verify --key "$wrong" --db "$BASE/snap/final.db"
	hasnt out '^valid$'
	run 1 verify --key "$wrong" --venue $V1 --db "$BASE/snap/final.db"
	hasnt out '^valid$'
	run 1 verify --key "$wrong" "$BASE/bundle-$V1.json"
	invalid '1 '
	# A key of another name (the provider's).
	run 1 verify --key "$(cat "$KEYS/provider.vkey")" --db "$BASE/snap/final.db"
	run 1 verify --key "$(cat "$KEYS/provider.vkey")" "$BASE/bundle-$V1.json"
	invalid '1 '
	# Not a key at all: could not check.
	run 2 verify --key "not-a-key" --db "$BASE/snap/final.db"
	clear_error
	run 2 verify --key "$(cat "$KEYS/log.key")" "$BASE/bundle-$V1.json"
	clear_error
	# A bundle of a log with another key but the same origin, pinned.
	db final
	key wrong-log.key w.key
	run 0 init --key-from w.key --db w.db
	SANILOG_NOW=2026-11-25T09:00:00Z run 0 venue add --id $V1 \
		--name "Bar Roma" --address "Via Roma 1, 00185 Roma" --db w.db
	run 0 export --venue $V1 --db w.db -o w.json
	run 1 verify --key "$good" w.json
	invalid '1 '
	run 1 verify --key "$good" --db w.db
}

# `witness-policy set` logs the policy through the sequencer (its index,
# or with --json the policy), exactly as DESIGN.md writes the entry;
# `show` prints the newest ("no witness policy" before any); the audit
# (verify --db) and a venue's bundle take policy entries among the
# others; --quorum 0 ends witnessing.  Refusals: bad_input_tests.
t_witness_policy() {
	local n
	db final
	n=$(sqlite3 log.db 'SELECT count(*) FROM entries')
	run 0 witness-policy show --db log.db
	quiet err
	[ "$(cat out)" = "no witness policy" ] || fail "show: $(cat out)"
	run 0 witness-policy show --db log.db --json
	diff -u - out <<'EOF' || fail "show --json without a policy"
{
  "index": null,
  "quorum": 0,
  "witnesses": []
}
EOF
	SANILOG_NOW=2026-11-25T12:30:00Z run 0 witness-policy set --quorum 2 \
		"$WK1" https://w1.example "$WK2" http://127.0.0.1:8081/w2 \
		--db log.db
	quiet err
	[ "$(cat out)" = "witness policy: index $n" ] || fail "set: $(cat out)"
	run 0 entry "$n" --db log.db
	diff -u - out <<EOF || fail "the entry logged"
sanilog-entry v1
kind witness-policy
quorum 2
witness $WK1 https://w1.example
witness $WK2 http://127.0.0.1:8081/w2
logged 2026-11-25T12:30:00Z
EOF
	run 0 witness-policy show --db log.db
	diff -u - out <<EOF || fail "show"
policy    entry $n, logged 2026-11-25T12:30:00Z
quorum    2 of 2 witnesses
witness   witness.example/w1
  vkey    $WK1
  url     https://w1.example
witness   w2.example
  vkey    $WK2
  url     http://127.0.0.1:8081/w2
EOF
	# A document after it, and another policy: the audit takes them.
	SANILOG_NOW=2026-11-25T12:40:00Z run 0 cert add --venue $V1 \
		--file "$DOCS/ozone.pdf" --type other --title After \
		--performed 2026-11-25 --db log.db
	SANILOG_NOW=2026-11-25T12:50:00Z run 0 witness-policy set --quorum 1 \
		"$WK2" https://w2.example --json --db log.db
	cat >policy.json <<EOF
{
  "index": $((n + 2)),
  "logged": "2026-11-25T12:50:00Z",
  "quorum": 1,
  "witnesses": [
    {
      "name": "w2.example",
      "vkey": "$WK2",
      "url": "https://w2.example"
    }
  ]
}
EOF
	diff -u policy.json out || fail "set --json"
	run 0 witness-policy show --db log.db --json
	diff -u policy.json out || fail "show --json"
	run 0 verify --db log.db
	has out "^$OK rule 3 chains: 2 venues, every entry well-formed and chained$"
	has out '^valid$'
	# The bundle carries both policies; its checkpoint, which no witness
	# cosigned, fails the quorum of the policy in force (rule 10).
	run 0 export --venue $V1 --db log.db -o v1.json
	[ "$(awk '/^  "policy": \[/ { p = 1 } p && /"index"/ { print $2 }' \
		v1.json | tr -d ',\n')" = "$n$((n + 2))" ] ||
		fail "the bundle's policy is not entries $n and $((n + 2))"
	run 1 verify v1.json
	has out "^✗ rule 10 witnesses: countersigned by 0 of 1 witness \(none\), fewer than the quorum of 1$"
	# The end of witnessing.
	SANILOG_NOW=2026-11-25T13:00:00Z run 0 witness-policy set --quorum 0 \
		--db log.db
	[ "$(cat out)" = "witness policy: index $((n + 3))" ] ||
		fail "set: $(cat out)"
	run 0 witness-policy show --db log.db
	diff -u - out <<EOF || fail "show after the end"
policy    entry $((n + 3)), logged 2026-11-25T13:00:00Z
quorum    0: witnessing ended
EOF
	run 0 verify --db log.db
	has out '^valid$'
	run 0 export --venue $V1 --db log.db -o v1.json
	run 0 verify v1.json
	has out "^$OK rule 10 witnesses: not witnessed: witnessing ended at entry $((n + 3))$"
	# The database files a policy entry under a venue: the audit says so.
	sqlite3 log.db "UPDATE entries SET venue = '$V1' WHERE idx = $n"
	run 1 verify --db log.db
	has out "entry $n: the database files a witness-policy entry under venue $V1"
}

# Rule 10 end to end: the golden log with a policy of three witnesses,
# quorum 2, whose cosignatures the test makes itself (Ed25519 by openssl,
# cosignature/v1 as DESIGN.md "Witnesses" writes it) and stores as the
# log's writer does (table cosignatures, meta witnessed): `verify --venue`,
# `verify BUNDLE` and `verify URL` against `sanilog serve` say who
# countersigned, fail below the quorum, and take the inspector's own
# witnesses (--witness, --quorum).
t_witnessed_verify() {
	local i n size body t line
	local -a name vkey
	db final
	for i in 1 2 3; do
		name[i]=w$i.witness.test
		# the key of seed i: an Ed25519 PKCS#8 prefix, then the seed
		{
			printf '302e020100300506032b657004220420' | xxd -r -p
			head -c 32 /dev/zero | tr '\0' "\\$((i + 60))"
		} >w$i.der
		openssl pkey -inform DER -in w$i.der -out w$i.pem 2>/dev/null ||
			fail "openssl cannot read an Ed25519 key"
		openssl pkey -in w$i.pem -pubout -outform DER | tail -c 32 >w$i.pk
		# key ID: SHA-256(name LF 0x04 key), its first 4 bytes
		{ printf '%s\n\004' "${name[i]}"; cat w$i.pk; } | sha256sum |
			cut -c1-8 >w$i.id
		vkey[i]=${name[i]}+$(cat w$i.id)+$({ printf '\004'; cat w$i.pk; } | base64 -w0)
	done
	# The witnesses' URLs refuse connections: the server asks in vain.
	SANILOG_NOW=2026-11-25T11:50:00Z run 0 witness-policy set --quorum 2 \
		"${vkey[1]}" http://127.0.0.1:9/1 "${vkey[2]}" http://127.0.0.1:9/2 \
		"${vkey[3]}" http://127.0.0.1:9/3 --db log.db
	run 0 checkpoint --db log.db
	size=$(sed -n 2p out)
	body=$(sed '/^$/q' out)
	# cosign I TIME: witness I's cosignature of the checkpoint at TIME
	# (POSIX seconds), kept for its size.
	cosign() {
		{ printf 'cosignature/v1\ntime %s\n%s\n' "$2" "$body"; } >msg
		openssl pkeyutl -sign -inkey w$1.pem -rawin -in msg -out sig
		line="— ${name[$1]} $({ xxd -r -p w$1.id; printf '%016x' "$2" |
			xxd -r -p; cat sig; } | base64 -w0)"
		sqlite3 log.db "INSERT OR REPLACE INTO cosignatures(size, witness, time, line) VALUES ($size, '${vkey[$1]}', $2, '$line' || char(10))"
	}
	t=$(date -u -d 2026-11-25T11:55:00Z +%s)
	cosign 1 "$t"
	cosign 2 "$((t - 7200))"
	sqlite3 log.db "INSERT OR REPLACE INTO meta(key, value) VALUES ('witnessed', '$size')"
	local two="^$OK rule 10 witnesses: countersigned by 2 of 3 witnesses: w1.witness.test \\(5 min ago\\), w2.witness.test \\(2 h ago\\)$"

	run 0 verify --venue $V1 --db log.db
	has out "$two"
	run 0 export --venue $V1 --db log.db -o v1.json
	grep -q "^— w1.witness.test " <(jq -r .checkpoint v1.json) ||
		fail "the bundle's checkpoint carries no cosignature"
	run 0 verify v1.json
	has out "$two"
	run 0 verify --json v1.json
	[ "$(jq -c .policy_change out)" = null ] || fail "a policy change"
	# The inspector's own witnesses: one of them, or one that did not sign.
	run 0 verify --witness "${vkey[2]}" --quorum 1 v1.json
	has out "^$OK rule 10 witnesses: countersigned by 1 of 1 witness: w2.witness.test \\(2 h ago\\)$"
	run 1 verify --witness "${vkey[1]}" --witness "${vkey[3]}" v1.json
	has out "^$KO rule 10 witnesses: countersigned by 1 of 2 witnesses \\(w1.witness.test\\), fewer than the quorum of 2$"
	has out '^INVALID$'
	run 0 verify --witness "${vkey[1]}" --witness "${vkey[3]}" --quorum 1 \
		--venue $V1 --db log.db
	# What the command refuses (exit 2).
	run 2 verify --quorum 1 v1.json
	run 2 verify --witness "${vkey[1]}" --quorum 0 v1.json
	run 2 verify --witness "${vkey[1]}" --quorum 2 v1.json
	run 2 verify --witness "${vkey[1]}" --witness "${vkey[1]}" v1.json
	run 2 verify --witness "$(plain key --db log.db)" v1.json
	run 2 verify --witness "${vkey[1]}" --db log.db

	# Over HTTP, from the server that serves the witnessed checkpoint.
	serve_db log.db 2
	trap stop_server EXIT
	run 0 verify "$URL/v/$V1"
	has out "$two"
	# A server's own page does not fail for it either.
	curl -s "$URL/v/$V1" >page.html
	has page.html '<section id="state"'
	hasnt page.html 'data-verdict="failed"'

	# Below the quorum: w2's cosignature gone.  The server sees another
	# process's write when it next looks at the database's files (every
	# 50 ms): wait until its checkpoint no longer carries the line.
	sqlite3 log.db "DELETE FROM cosignatures WHERE witness = '${vkey[2]}'"
	for _ in $(seq 1 100); do
		curl -s "$URL/v/$V1/bundle.json" | grep -q 'w2\.witness\.test' ||
			break
		sleep 0.05
	done
	run 1 verify "$URL/v/$V1"
	has out "^$KO rule 10 witnesses: countersigned by 1 of 3 witnesses \\(w1.witness.test\\), fewer than the quorum of 2$"
	run 0 verify --witness "${vkey[1]}" "$URL/v/$V1"
	curl -s "$URL/v/$V1" >page.html
	has page.html 'data-verdict="failed"'
	stop_server
	trap - EXIT
	run 1 verify --venue $V1 --db log.db
	has out "fewer than the quorum of 2"
	# A cosignature that does not verify: another checkpoint's.
	cosign 2 "$t"
	sqlite3 log.db "UPDATE cosignatures SET line = replace(line, substr(line, -20, 4), 'AAAA') WHERE witness = '${vkey[2]}'"
	run 1 verify --venue $V1 --db log.db
	has out "^$KO rule 10 cosignature: the cosignature of w2.witness.test does not verify$"

	# The policy lowered since the checkpoint remembered: reported.
	cosign 2 "$t"
	run 0 verify --venue $V1 --db log.db
	SANILOG_NOW=2026-11-25T11:58:00Z run 0 witness-policy set --quorum 1 \
		"${vkey[1]}" http://127.0.0.1:9/1 --db log.db
	sqlite3 log.db "DELETE FROM meta WHERE key = 'witnessed'"
	run 0 checkpoint --db log.db
	body=$(sed '/^$/q' out)
	n=$size
	size=$(sed -n 2p out)
	cosign 1 "$t"
	sqlite3 log.db "INSERT OR REPLACE INTO meta(key, value) VALUES ('witnessed', '$size')"
	cp -r "$XDG_CACHE_HOME" cache.before
	run 0 verify --venue $V1 --db log.db
	has out "^! witness policy changed since tree size $n: removed w2.witness.test, w3.witness.test; quorum 2 -> 1$"
	has out '^valid$'
	# (remembered since: the same again, as JSON, from what was seen)
	rm -rf "$XDG_CACHE_HOME"
	mv cache.before "$XDG_CACHE_HOME"
	run 0 verify --json --venue $V1 --db log.db
	[ "$(jq -c .policy_change out)" = "{\"since\":$n,\"removed\":[\"w2.witness.test\",\"w3.witness.test\"],\"quorum_before\":2,\"quorum_now\":1}" ] ||
		fail "policy_change: $(jq -c .policy_change out)"
}

# A database of schema version 1 (tests/cli/fixtures): a command that only
# reads refuses it and leaves the file as it was; `upgrade` (two at once
# too) brings it to schema 7 (the documents' keys, made at 2, moved into
# the index's first generation at 3; the stored hashes into runs at 4;
# the trigger that read a venue's head back before each entry dropped at
# 5; the owners' one-time sign-in links at 6; the index of witness-policy
# entries and the table of cosignatures at 7), after which the log reads back byte for byte as the golden log,
# verifies, and takes new entries; a writer of schema 3 or before (of 1,
# which did not keep the venues' heads, too) finds its table of stored
# hashes gone (checked with the runs below).
t_migrate_v1() {
	sqlite3 log.db <"$HERE/fixtures/schema-v1.sql"
	sqlite3 log.db 'PRAGMA journal_mode=WAL' >/dev/null # as init makes it
	chmod 600 log.db
	key log.key log.db.key
	[ "$(sqlite3 log.db 'PRAGMA user_version')" = 1 ] ||
		fail "the fixture is not of schema version 1"
	local before v f
	before=$(sha256sum <log.db)
	run 2 verify --db log.db
	grep -q 'schema 1, older than.*sanilog upgrade' err ||
		fail "verify did not say to upgrade: $(cat err)"
	[ "$(sha256sum <log.db)" = "$before" ] &&
		[ "$(sqlite3 log.db 'PRAGMA user_version')" = 1 ] ||
		fail "a read-only command changed the file"
	cp log.db other.db
	cp log.db.key other.db.key
	sl upgrade --db log.db >up1.out 2>&1 &
	sl upgrade --db other.db >/dev/null 2>&1 &
	local p1=$! rc=0
	sl upgrade --db other.db >up2.out 2>&1 || rc=$?
	wait $p1 || fail "a second upgrade at once failed"
	[ "$rc" = 0 ] || fail "upgrade beside another failed: $(cat up2.out)"
	wait
	grep -q 'schema 1 upgraded to 8' up1.out || fail "upgrade said: $(cat up1.out)"
	run 0 upgrade --db log.db --json
	grep -q '"found": 8' out || fail "a second upgrade found $(cat out)"
	[ "$(sqlite3 log.db "SELECT count(*) FROM sqlite_master WHERE name = 'hashes'; SELECT sum(length(hashes)) / 32 FROM hash_runs")" = "0
$(sqlite3 "$BASE/snap/final.db" "SELECT sum(length(hashes)) / 32 FROM hash_runs")" ] ||
		fail "the stored hashes are not the golden log's, in runs"
	[ "$(sqlite3 log.db "SELECT count(*) FROM sqlite_master WHERE name LIKE 'doc_keys%' OR name = 'documents_key'")" = 0 ] ||
		fail "schema 2's document keys are still there"
	[ "$(sqlite3 log.db "SELECT count(*), sum(keys) FROM doc_gens; SELECT count(*) FROM documents")" = "1|4
4" ] || fail "the documents' keys are not one generation of each"
	run 0 verify --db log.db
	run 0 verify --db other.db
	for v in $V1 $V2; do
		run 0 export --venue $v --db log.db
		f=$HERE/golden/read/export-$v.json
		diff -u "$f" out >&2 || fail "export of $v differs after migration"
	done
	for v in 0 9; do
		run 0 entry $v --db log.db
		diff -u "$HERE/golden/read/entry-$v.out" out >&2 ||
			fail "entry $v differs after migration"
	done
	[ "$(sqlite3 log.db "SELECT count(*) FROM sqlite_master WHERE type = 'trigger'")" = 0 ] ||
		fail "schema 7 still has triggers"
	[ "$(sqlite3 log.db "SELECT count(*) FROM login_links")" = 0 ] ||
		fail "schema 7 has no empty table of sign-in links"
	[ "$(sqlite3 log.db "SELECT count(*) FROM cosignatures; SELECT sql FROM sqlite_master WHERE name = 'entries_policy'")" = "0
CREATE INDEX entries_policy ON entries(idx) WHERE kind = 5" ] ||
		fail "schema 7 has no empty table of cosignatures, or no index of policies"
	SANILOG_NOW=2026-11-25T12:00:00Z run 0 cert add --venue $V2 \
		--file "$DOCS/ozone.pdf" --type sanitization --title "After" \
		--performed 2026-11-24 --db log.db
	run 0 verify --db log.db
	run 0 export --venue $V2 --db log.db -o v2.json
	run 0 verify v2.json
	grep -q 'venue-seq 3' v2.json || fail "the new entry is not venue-seq 3"
	SANILOG_NOW=2026-11-25T12:00:00Z run 0 witness-policy set --quorum 1 \
		"$WK1" https://w1.example --db log.db
	run 0 witness-policy show --db log.db
	has out '^quorum    1 of 1 witness$'
	run 0 verify --db log.db
}

# A stray chunk of the document index numbered at the top of the integers:
# verify names it, and appends go on (new generations are numbered from
# the listed ones), through merges of their generations: once it is gone,
# the log verifies (every document found through the index).
t_index_top_chunk() {
	db final
	sqlite3 log.db "INSERT INTO doc_chunks VALUES (9223372036854775807, x'0000000000000000', x'')"
	local i
	for i in $(seq 1 20); do
		printf '%%PDF-1.4 document %d\n' "$i" >"d$i.pdf"
		run 0 cert add --db log.db --venue $V1 --file "d$i.pdf" \
			--type other --title "Document $i" --performed 2026-11-01
	done
	run 1 verify --db log.db
	invalid '4 document'
	sqlite3 log.db "DELETE FROM doc_chunks WHERE gen = 9223372036854775807"
	run 0 verify --db log.db
	[ "$(sqlite3 log.db "SELECT count(*) FROM doc_gens")" -lt 10 ] ||
		fail "the generations were not merged"
	[ "$(sqlite3 log.db "SELECT sum(keys) FROM doc_gens")" = \
		"$(sqlite3 log.db "SELECT count(*) FROM documents")" ] ||
		fail "the generations do not count every document"
}

# A head row and entry row claiming a venue-seq near 2^61: verify finds it,
# and reading the venue fails cleanly (no allocation sized from it).
t_huge_head() {
	db final
	local big=2305843009213693951
	sqlite3 log.db "UPDATE heads SET seq = $big WHERE venue = '$V1';
		UPDATE entries SET venue_seq = $big WHERE idx = 8"
	run 1 verify --db log.db
	run 2 export --venue $V1 --db log.db
	grep -q 'malformed\|broken' err || fail "export said: $(cat err)"
}

# Trust on first use: once a checkpoint of an origin is remembered, a log
# of that origin under another key is not a valid continuation of it
# (rule 1: the expected log key; rule 8: a fork).
t_other_key_same_origin() {
	need_base
	key wrong-log.key w.key
	run 0 init --key-from w.key --db w.db
	SANILOG_NOW=2026-11-25T09:00:00Z run 0 venue add --id $V1 \
		--name "Bar Roma" --address "Via Roma 1, 00185 Roma" --db w.db
	run 0 export --venue $V1 --db w.db -o w.json
	run 0 verify "$BASE/bundle-$V1.json"
	cp "$CACHED" seen.cp
	local rc=0
	sl verify w.json >out 2>err || rc=$?
	cmp -s "$CACHED" seen.cp ||
		fail "verify w.json replaced the remembered checkpoint of the" \
			"real log (size 10) with one of another key (size 1)"
	[ "$rc" = 1 ] || fail "verify w.json: exit $rc, expected 1: a bundle of" \
		"origin test.sanilog.example/log signed by another key was" \
		"accepted after a checkpoint by the real key was remembered:" \
		"$(cat out)"
	rc=0
	sl verify --db w.db >out 2>err || rc=$?
	[ "$rc" = 1 ] || fail "verify --db w.db: exit $rc, expected 1 (another key" \
		"for a remembered origin)"
}

# ---------------------------------------------------------------------------
# The run.

: >"$TMP/golden-names"
PAT_SAVED=$PATTERN
PATTERN=""                 # the golden log and the fixtures are always made
t "build the golden log" t_build
t "make the fixtures" t_fixtures
PATTERN=$PAT_SAVED

t "golden: build output" t_golden_build
t "golden: checkpoints, entries, proofs, exports, venues" t_golden_read
t "golden: verify reports" t_golden_verify
t "owner tokens" t_tokens
t "init makes 0600 files" t_init_files
t "the clock never goes backwards" t_clock
t "freshness: overdue and expired" t_freshness
t "verify --require-current" t_require_current
t "verify lists the whole history" t_report_history
t "global options, a mistyped command, a malformed URL" t_global_options
t "help of every command and subcommand" t_help
t "a wrong command line says why" t_usage_reasons
bad_input_tests
t "bad: key files of mode 0644" t_key_files
t "bad: init twice" t_init_twice
t "bad: a database path too long for its key's" t_long_db_path
t "bad: databases that are not sanilog's" t_not_a_database
tamper_tests
docs_tests
t "rollback" t_rollback
t "rollback seen by verify --venue" t_rollback_venue
t "older bundle" t_older_bundle
t "fork at equal size" t_fork_equal_size
t "fork, the fork longer" t_fork_longer
t "fork, the fork longer, verify --venue" t_fork_longer_venue
t "fork, the fork shorter" t_fork_shorter
t "fork of a bundle" t_fork_bundle
t "fork of a bundle, the fork longer" t_fork_bundle_longer
t "verify --key" t_pinned_key
t "another key for a remembered origin" t_other_key_same_origin
t "schema 1 database: refused by readers, upgraded" t_migrate_v1
t "witness-policy set and show, among other entries" t_witness_policy
t "verify: witnesses' cosignatures (rule 10), venue, bundle and URL" t_witnessed_verify

t_golden_stale() {
	local f
	(cd "$GOLDEN" && find . -type f | sed 's#^\./##' | sort) >have
	sort -u "$TMP/golden-names" >made
	if ! diff -u --label golden/ --label made have made >&2; then
		fail "golden/ holds files no test makes (UPDATE_GOLDEN=1 removes them)"
	fi
}
if [ -z "$PATTERN" ] && [ "$UPDATE_GOLDEN" != 1 ]; then
	t "golden: no stale files" t_golden_stale
fi

if [ "$UPDATE_GOLDEN" = 1 ]; then
	echo "golden files written to $GOLDEN"
fi
test_end
