#!/usr/bin/env bash
#
# test_mirror_witness.sh: a mirror as a witness of the log it mirrors
# (`sanilog witness serve --mirror DIR`): it countersigns only what the
# mirror holds.
#
#   SANILOG=/abs/path/to/sanilog tests/witness/test_mirror_witness.sh
#
# A log served by `sanilog serve`, mirrored once into mir/ by `sanilog
# mirror`; a witness serving with --mirror mir; the log's policy names that
# witness (quorum 1), which logs a new entry: the witness answers 503
# ("not yet") to the checkpoint the mirror does not hold, and the log's
# checkpoint stays unwitnessed; once `sanilog mirror` has run again, the
# witness countersigns it and the log serves it with its cosignature.  A
# witness started with --mirror on a folder that is no mirror does not
# start.
#
# Exit status: 0 when every case passed, 1 otherwise, 2 when it cannot run.

HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../lib/test.sh
. "$HERE/../lib/test.sh"
test_begin test_mirror_witness sanilog curl
cd "$TMP" || exit 2
DOCS=$HERE/../cli/docs
W=$TMP/w.db

sl init --origin mirrored.example/log >/dev/null 2>&1 || test_cannot "sanilog init"
sl venue add --id aaaabbbb --name "Bar" --address "Via 1" >/dev/null
sl cert add --venue aaaabbbb --file "$DOCS/ozone.pdf" --type sanitization \
	--title "Sanificazione" --performed "$(date -u +%F)" >/dev/null
VKEY=$(sl key)
serve_db "$DB" 2
LIVE=$URL

expect_exit "mirror the log" 0 "$SANILOG" mirror "$LIVE" mir --vkey "$VKEY"

"$SANILOG" witness init --db "$W" --name mirror-witness.example >wkey 2>/dev/null ||
	test_cannot "witness init"
WKEY=$(cat wkey)
"$SANILOG" witness log add --db "$W" "$VKEY" >/dev/null

expect_exit "a witness with --mirror on a folder that is no mirror: refused" 2 \
	"$SANILOG" witness serve --db "$W" --listen 127.0.0.1:0 --mirror nothere
check "says to run sanilog mirror first" grep -q "run sanilog mirror" err
check "does not make the folder" test ! -e nothere

"$SANILOG" witness serve --db "$W" --listen 127.0.0.1:0 --no-access-log \
	--mirror mir >wit.out 2>wit.err &
WPID=$!
test_track "$WPID"
WURL=
for _ in $(seq 1 100); do
	WURL=$(sed -n 's|^sanilog: witness listening on \(http://[^ ]*\)/$|\1|p' wit.out)
	[ -n "$WURL" ] && break
	sleep 0.05
done
[ -n "$WURL" ] || test_cannot "the witness did not start: $(cat wit.err)"

# The policy is a new entry: a checkpoint the mirror does not hold.
sl witness-policy set --quorum 1 "$WKEY" "$WURL" >/dev/null
SIZE=$(sl checkpoint | sed -n 2p)
cosigned() { curl -s "$LIVE/checkpoint" | grep -q "^— mirror-witness.example "; }
unavailable() { # the witness's count of "not yet" answers
	curl -s "$WURL/metrics" |
		sed -n 's/^sanilog_witness_add_checkpoint_total{outcome="unavailable"} //p'
}
for _ in $(seq 1 100); do
	[ "$(unavailable)" -gt 0 ] 2>/dev/null && break
	sleep 0.05
done
check "the witness answered 503 to a checkpoint not mirrored" test "$(unavailable)" -gt 0
check "the log's checkpoint is not countersigned" sh -c "! curl -s '$LIVE/checkpoint' | grep -q '^— mirror-witness.example '"
check "the witness holds nothing of the log" sh -c "curl -s '$WURL/' | grep -q 'mirrored.example/log'"

expect_exit "mirror the policy entry" 0 "$SANILOG" mirror "$LIVE" mir
for _ in $(seq 1 200); do
	cosigned && break
	sleep 0.1
done
check "once mirrored, the witness countersigns and the log serves it" cosigned
check "the countersigned checkpoint is the mirrored one" \
	test "$(curl -s "$LIVE/checkpoint" | sed -n 2p)" = "$SIZE"
check "the mirror's checkpoint is of that size" test "$(sed -n 2p mir/checkpoint)" = "$SIZE"

kill -TERM "$WPID"
wait "$WPID" 2>/dev/null
test_untrack "$WPID"
stop_server
test_end
