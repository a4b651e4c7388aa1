#!/usr/bin/env bash
#
# test_browser_witness.sh: the venue page of a witnessed log, checked by
# assets/verify.js in headless Chromium (DESIGN.md rule 10).
#
#   SANILOG=/abs/path/to/sanilog tests/web/test_browser_witness.sh [PATTERN]
#
# Four `sanilog witness serve` on loopback; a log whose policy (`sanilog
# witness-policy set`, quorum 2) names three of them, served by `sanilog
# serve`, which has its checkpoints cosigned: the page says, in its
# checks and in one line of its verdict card, that the record was
# countersigned by 3 of 3 witnesses and how long ago (in English and in
# Italian).  The policy then drops a witness and lowers the quorum: the
# page still verifies, and with the poster's pin of a tree under the
# first policy it shows the change in a warning box under the verdict
# (without the pin, no box).  A second log names, with quorum 3, a witness
# stopped before the log is served, so that only two of three ever
# cosign: the page's verdict is "failed", its status saying that too few
# witnesses countersigned.
#
# Exit status: 0 when every case passed, 1 otherwise, 2 when it cannot run.

HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck disable=SC2034 # browser.sh's
PATTERN=${1:-}
VW=wwwwwwww # the venue of the witnessed log
VQ=qqqqqqqq # the venue of the log short of its quorum

# shellcheck source=../lib/test.sh
. "$HERE/../lib/test.sh"
test_begin test_browser_witness sanilog chromium curl python3 timeout
# shellcheck source=browser.sh
. "$HERE/browser.sh"
cd "$TMP" || exit 2

# witness N: starts witness N (its database w$N.db, made by `witness
# init` with the name witnessN.example) on a free port: its URL in
# W_URL[N], its pid in W_PID[N].
declare -a W_URL W_PID W_KEY
witness() {
	: >"w$1.out"
	"$SANILOG" witness serve --db "w$1.db" --listen 127.0.0.1:0 \
		--no-access-log >"w$1.out" 2>>"w$1.err" &
	W_PID[$1]=$!
	test_track "${W_PID[$1]}"
	for _ in $(seq 1 200); do
		W_URL[$1]=$(sed -n 's|^sanilog: witness listening on \(http://[^ ]*\)/$|\1|p' "w$1.out")
		[ -n "${W_URL[$1]}" ] && return 0
		sleep 0.05
	done
	test_cannot "witness $1 did not start: $(head -c 300 "w$1.err")"
}

# until_cosigned N: waits (20 s at most) until the log's /checkpoint is its
# newest checkpoint with N cosignatures of our witnesses.
until_cosigned() {
	local newest
	for _ in $(seq 1 200); do
		newest=$(curl -s "$URL/metrics" | sed -n 's/^sanilog_log_size //p')
		curl -s "$URL/checkpoint" >cp
		if [ "$(sed -n 2p cp)" = "$newest" ] &&
			[ "$(grep -c '^— witness[0-9]\.example ' cp)" = "$1" ]; then
			return 0
		fi
		sleep 0.1
	done
	bad "the served checkpoint has not $1 cosignatures after 20 s"
	grep -v '^127\.0\.0\.1' "$TMP/serve.err" | tail -5 >&2
	return 1
}

# The log, its venue (sanitized today) and its witnesses.
sl init --origin witnessed.example/log >/dev/null 2>&1 ||
	test_cannot "sanilog init"
sl venue add --id $VW --name "Bar Testimone" --address "Via dei Testimoni 1" \
	>/dev/null
printf '%%PDF-1.4\n%% witnessed\n' >doc.pdf
sl cert add --venue $VW --file doc.pdf --type sanitization \
	--title "Sanificazione" --performed "$(date -u +%F)" >/dev/null
for n in 1 2 3 4; do
	W_KEY[n]=$("$SANILOG" witness init --db "w$n.db" \
		--name "witness$n.example" 2>/dev/null) ||
		test_cannot "witness init $n"
	"$SANILOG" witness log add --db "w$n.db" "$(sl key)" >/dev/null
	witness "$n"
done
# Witness 4 is stopped before any log is served: it never cosigns.
kill "${W_PID[4]}"
wait "${W_PID[4]}" 2>/dev/null || true
test_untrack "${W_PID[4]}"

sl witness-policy set --quorum 2 "${W_KEY[1]}" "${W_URL[1]}" \
	"${W_KEY[2]}" "${W_URL[2]}" "${W_KEY[3]}" "${W_URL[3]}" >/dev/null ||
	test_cannot "witness-policy set"
# The poster, made while that policy was in force.
PIN_SIZE=$(sl checkpoint | sed -n 2p)
KR=$(pin "$(sl key)" "$(sl checkpoint | sed -n 3p)")
PIN="#${KR%%&*}&n=$PIN_SIZE&${KR#*&}"

serve_db "$DB" 2
until_cosigned 3 || true

AGO='\([0-9]+ (s|min) ago\)'
check_page "three witnesses of three: ok" "$URL/v/$VW" ok \
	"<li class=\"yes\">✓ witnesses \(rule 10\): countersigned by 3 of 3 witnesses: witness1\.example $AGO, witness2\.example $AGO, witness3\.example $AGO</li>" \
	'<li class="yes">✓ Independent witnesses countersigned the public log: 3 of 3, 2 required</li>' \
	"<p id=\"witnessed\">Countersigned by 3 of 3 independent witnesses: witness1\.example $AGO, witness2\.example $AGO, witness3\.example $AGO\.</p>" \
	'data-verdict="current"' '!<li class="no">' '!id="policy-change"'
check_page "three witnesses of three, Italian page: ok" "$URL/v/$VW?lang=it" ok \
	'<p id="witnessed">Controfirmato da 3 testimoni indipendenti su 3: witness1\.example \([0-9]+ (s|min) fa\)' \
	'Testimoni indipendenti hanno controfirmato il registro pubblico: 3 su 3'
check_page "three witnesses, the poster's pin, the same policy: ok, no change" \
	"$URL/v/$VW$PIN" ok "matches the poster" '!id="policy-change"'

# The policy drops witness 3 and lowers the quorum to 1.
sl witness-policy set --quorum 1 "${W_KEY[1]}" "${W_URL[1]}" \
	"${W_KEY[2]}" "${W_URL[2]}" >/dev/null
until_cosigned 2 || true
check_page "a weaker policy since the poster: ok, with a warning box" \
	"$URL/v/$VW$PIN" ok "matches the poster" \
	"countersigned by 2 of 2 witnesses: witness1\.example $AGO, witness2\.example $AGO" \
	'</section><section id="policy-change" class="warn" aria-labelledby="policy-change-h"><h2 id="policy-change-h">The witnesses changed since this poster was printed</h2><p>No longer asked to countersign: witness3\.example\.</p><p>Countersignatures required: 2 when the poster was printed, 1 now\.</p>' \
	"<li class=\"pc\">! witness policy changed since tree size $PIN_SIZE \(the poster's pin\): removed witness3\.example; quorum 2 -&gt; 1</li>"
check_page "a weaker policy since the poster, German page: the box in German" \
	"$URL/v/$VW?lang=de$PIN" ok \
	'<h2 id="policy-change-h">Die Zeugen haben sich geändert, seit dieses Plakat gedruckt wurde</h2><p>Nicht mehr um Gegenzeichnung gebeten: witness3\.example\.</p>'
check_page "a weaker policy, no pin: ok, no box" "$URL/v/$VW" ok \
	'!id="policy-change"' '<p id="witnessed">Countersigned by 2 of 2'
stop_server

# A second log: quorum 3, and witness 4 never cosigns.
DB=$TMP/quorum.db
sl init --origin quorum.example/log >/dev/null 2>&1 ||
	test_cannot "sanilog init (the second log)"
sl venue add --id $VQ --name "Bar Senza Quorum" --address "Via 2" >/dev/null
for n in 1 2 4; do
	"$SANILOG" witness log add --db "w$n.db" "$(sl key)" >/dev/null
done
sl witness-policy set --quorum 3 "${W_KEY[1]}" "${W_URL[1]}" \
	"${W_KEY[2]}" "${W_URL[2]}" "${W_KEY[4]}" "${W_URL[4]}" >/dev/null
serve_db "$DB" 2
until_cosigned 2 || true
check_page "quorum 3, one witness never cosigns: fail" "$URL/v/$VQ" fail \
	"${ST}Too few independent witnesses countersigned the public log: 2 of 3, fewer than the 3 required\." \
	"${NO}witnesses \(rule 10\): countersigned by 2 of 3 witnesses \(witness1\.example, witness2\.example\), fewer than the quorum of 3" \
	'<h2 id="state-h">This record could not be verified</h2>' '!id="witnessed"'
stop_server

test_end
