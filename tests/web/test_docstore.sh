#!/usr/bin/env bash
#
# test_docstore.sh: the documents' folder (DESIGN.md "Documents", rule:
# a document's file is synced before the entry that names it commits).
#
#   1. `sanilog serve` killed (SIGKILL) while clients upload 1 MiB
#      documents, 5 rounds: every upload answered 201 has its file, whose
#      bytes hash to its name, and is served by GET /d/<sha256> once the
#      server is back; `verify --db` finds the log valid, with orphans at
#      most and no document missing.
#   2. A document's file removed or changed: `verify --db` fails, naming
#      it.
#   3. `sanilog gc`: removes orphans older than its grace and only those
#      (--dry-run removes none); the log still verifies.
#   4. `sanilog upgrade` of a database of schema 7, whose documents were
#      in the database: each goes to its file and out of the database,
#      also when a crashed upgrade had already written some.
#
#   SANILOG=/abs/path/to/sanilog tests/web/test_docstore.sh
#
# Exit status: 0 when every check passed, 1 otherwise, 2 when it cannot run.

HERE=$(cd "$(dirname "$0")" && pwd)

# shellcheck source=../lib/test.sh
. "$HERE/../lib/test.sh"
test_begin test_docstore sanilog curl sqlite3 sha256sum head

FOLDER=$DB.docs
# file_of SHA: the path of a document's file.
file_of() { printf '%s/%s/%s' "$FOLDER" "${1:0:2}" "$1"; }
# hashes_right: every file of the folder named by a SHA-256 hashes to it.
hashes_right() {
	local f n bad=0
	while IFS= read -r f; do
		n=$(basename "$f")
		[ "$(sha256sum <"$f" | cut -c1-64)" = "$n" ] || {
			echo "  $f does not hash to its name" >&2
			bad=1
		}
	done < <(find "$FOLDER" -type f -regex '.*/[0-9a-f]\{64\}')
	return "$bad"
}

sl init --origin test.example/log >/dev/null 2>&1
check "init makes the documents' folder beside the database" test -d "$FOLDER"
sl venue add --name 'Bar' --address 'Via Roma 1' --json >v.json
V=$(sed -n 's/^ *"venue": "\([^"]*\)".*/\1/p' v.json)
T=$(sed -n 's/^ *"token": "\([^"]*\)".*/\1/p' v.json)

# ---------------------------------------------------------------------------
# 1. SIGKILL during uploads.

# uploader N: uploads distinct 1 MiB PDFs until the server is gone,
# writing "CODE SHA" per answer to up.N.
uploader() {
	local n=$1 i=0 code sha
	: >"up.$n"
	while :; do
		i=$((i + 1))
		{ printf '%%PDF-1.4\n%% %s %s %s\n' "$n" "$i" "$RANDOM"; head -c 1048576 /dev/urandom; } >"doc.$n.pdf"
		sha=$(sha256sum <"doc.$n.pdf" | cut -c1-64)
		code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 20 \
			-H "Authorization: Bearer $T" -F "file=@doc.$n.pdf" \
			-F type=sanitization -F "title=Doc $n $i" \
			-F performed=2025-01-10 \
			"$URL/api/v1/venues/$V/documents") || code=000
		echo "$code $sha" >>"up.$n"
		[ "$code" = 000 ] && break
	done
}

: >created
for round in 1 2 3 4 5; do
	serve_db "$DB" 4
	pids=
	for n in 1 2 3 4 5 6; do
		uploader "$n" &
		pids="$pids $!"
	done
	# Long enough for some uploads to be answered, and for others to
	# be cut short at any point of theirs.
	sleep "$((1 + round % 3)).$((RANDOM % 10))"
	stop_server KILL
	for p in $pids; do wait "$p" || true; done
	cat up.* | awk '$1 == 201 { print $2 }' >>created
	rm -f up.*
done
n_created=$(wc -l <created)
check "uploads were answered 201 before the kills ($n_created)" test "$n_created" -gt 0
missing=0 wrong=0
while read -r sha; do
	f=$(file_of "$sha")
	if [ ! -f "$f" ]; then missing=$((missing + 1)); continue; fi
	[ "$(sha256sum <"$f" | cut -c1-64)" = "$sha" ] || wrong=$((wrong + 1))
done <created
check "every 201 answer's document has its file ($missing missing)" test "$missing" = 0
check "and each hashes to its SHA-256 ($wrong not)" test "$wrong" = 0
n_rows=$(sqlite3 "$DB" 'SELECT count(*) FROM documents')
check "the database holds none of their bytes" \
	test "$(sqlite3 "$DB" 'SELECT count(*) FROM documents WHERE length(data) > 0')" = 0
expect_exit "verify --db: valid after $n_rows documents and 5 kills" 0 sl verify
check "and names no document missing" bash -c "! grep -q missing out"
check "every file of the folder hashes to its name" hashes_right

# Served from its file.
serve_db "$DB" 2
sha=$(head -n 1 created)
curl -s -o got.pdf "$URL/d/$sha"
check "GET /d/<sha256> serves the file's bytes" \
	test "$(sha256sum <got.pdf | cut -c1-64)" = "$sha"
stop_server

# ---------------------------------------------------------------------------
# 2. A file missing or changed.

f=$(file_of "$sha")
mv "$f" saved
expect_exit "verify --db fails when a document's file is missing" 1 sl verify
check "and says so" grep -q "file is missing" out
cp saved "$f"
printf 'x' >>"$f"
expect_exit "verify --db fails when a file does not hash to its name" 1 sl verify
mv saved "$f"
expect_exit "verify --db: valid again with the file back" 0 sl verify

# ---------------------------------------------------------------------------
# 3. gc.

mkdir -p "$FOLDER/00"
head -c 100 /dev/urandom >"$FOLDER/00/$(printf '0%.0s' $(seq 64))"
head -c 100 /dev/urandom >"$FOLDER/00/.tmp-old"
touch -d '2 hours ago' "$FOLDER/00/$(printf '0%.0s' $(seq 64))" "$FOLDER/00/.tmp-old"
head -c 100 /dev/urandom >"$FOLDER/00/.tmp-new"
orphans_before=$(find "$FOLDER" -type f | wc -l)
expect_exit "gc --dry-run" 0 sl gc --dry-run
check "gc --dry-run removes nothing" test "$(find "$FOLDER" -type f | wc -l)" = "$orphans_before"
check "gc --dry-run lists the old orphans" grep -q ".tmp-old" out
expect_exit "gc" 0 sl gc --json
check "gc removed the orphans older than an hour" \
	test ! -e "$FOLDER/00/.tmp-old" -a ! -e "$FOLDER/00/$(printf '0%.0s' $(seq 64))"
check "gc kept the one in its grace" test -e "$FOLDER/00/.tmp-new"
check "gc says what it removed" grep -q '"count": [1-9]' out
expect_exit "gc --grace 0" 0 sl gc --grace 0
check "gc --grace 0 removed the rest of the orphans" test ! -e "$FOLDER/00/.tmp-new"
left=$(find "$FOLDER" -type f | wc -l)
check "gc kept every document's file ($left for $n_rows documents)" test "$left" = "$n_rows"
expect_exit "verify --db: valid after gc" 0 sl verify
check "with no orphan left" bash -c "! grep -q orphan out"
expect_exit "gc --grace with a bad number" 2 sl gc --grace -5

# ---------------------------------------------------------------------------
# 4. upgrade from schema 7, documents in the database.

OLD=$TMP/old.db
"$SANILOG" init --db "$OLD" --origin test.example/old >/dev/null 2>&1
"$SANILOG" venue add --db "$OLD" --name 'Old' --address 'Via 2' --json >o.json
OV=$(sed -n 's/^ *"venue": "\([^"]*\)".*/\1/p' o.json)
for d in ozone.pdf pest.png water.jpg; do
	"$SANILOG" cert add --db "$OLD" --venue "$OV" --file "$DOCS/$d" \
		--type sanitization --title "$d" --performed 2025-01-10 >/dev/null
done
# Schema 7's layout: the bytes in documents.data, no folder.
sqlite3 "$OLD" "UPDATE documents SET data = readfile('$OLD.docs/' ||
	substr(lower(hex(sha256)), 1, 2) || '/' || lower(hex(sha256)));
	PRAGMA user_version = 7;"
cp -r "$OLD.docs" old.docs.saved
rm -rf "$OLD.docs"
expect_exit "a read of schema 7 asks for upgrade" 2 "$SANILOG" verify --db "$OLD"
check "(it says so)" grep -q "sanilog upgrade" err
cp "$OLD" "$TMP/old2.db"
expect_exit "upgrade from schema 7" 0 "$SANILOG" upgrade --db "$OLD"
check "upgrade says 7 to 8" grep -q "schema 7 upgraded to 8" out
check "upgrade wrote every document's file" \
	diff -r old.docs.saved "$OLD.docs"
check "upgrade took the documents' bytes out of the database" \
	test "$(sqlite3 "$OLD" 'SELECT count(*) FROM documents WHERE length(data) > 0')" = 0
expect_exit "the upgraded database verifies" 0 "$SANILOG" verify --db "$OLD"
# An upgrade that crashed after writing some files (and a temporary one)
# and before its commit: the database still of schema 7.
mkdir -p "$TMP/old2.db.docs"
sub=$(ls old.docs.saved | head -n 1)
cp -r "old.docs.saved/$sub" "$TMP/old2.db.docs/"
: >"$TMP/old2.db.docs/$sub/.tmp-cut"
expect_exit "upgrade resumes after a crash midway" 0 "$SANILOG" upgrade --db "$TMP/old2.db"
check "every document's file is there" \
	diff -r -x '.tmp-*' old.docs.saved "$TMP/old2.db.docs"
expect_exit "the resumed upgrade verifies" 0 "$SANILOG" verify --db "$TMP/old2.db"
check "(the cut temporary file is an orphan)" grep -q "1 files in .*orphans" out
expect_exit "upgrade again: already done" 0 "$SANILOG" upgrade --db "$OLD"
check "(it says so)" grep -q "already" out

test_end
