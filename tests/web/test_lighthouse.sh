#!/usr/bin/env bash
#
# test_lighthouse.sh: Lighthouse (mobile) scores the home page, a venue page
# (verified on the phone, its document checked) and the owner's sign-in page of a real `sanilog serve` at 100 in each of
# performance, accessibility, best practices and SEO.
#
#   SANILOG=/abs/path/to/sanilog tests/web/test_lighthouse.sh [PATTERN]
#
# Lighthouse is test tooling from npm (tests/web/lighthouse/package.json,
# installed by `npm ci` from its lock into tests/web/lighthouse/node_modules
# on the first run: the registry must be reachable then); it drives
# Debian's chromium.  Each page
# that scores below 100 in a category is a failure naming the audits that
# cost it points.
#
# Exit status: 0 when every case passed, 1 otherwise, 2 when it cannot run.
HERE=$(cd "$(dirname "$0")" && pwd)
PATTERN=${1:-}
LH_DIR=$HERE/lighthouse
# shellcheck source=../lib/test.sh
. "$HERE/../lib/test.sh"
test_begin test_lighthouse sanilog chromium node npm curl

wanted() { [ -z "$PATTERN" ] || [[ $1 == *"$PATTERN"* ]]; }

if [ ! -x "$LH_DIR/node_modules/.bin/lighthouse" ]; then
	echo "$TEST: installing Lighthouse (npm ci in $LH_DIR)"
	(cd "$LH_DIR" && npm ci --no-audit --no-fund --loglevel=error \
		>"$TMP/npm.log" 2>&1) || {
		cat "$TMP/npm.log" >&2
		test_cannot "npm ci of Lighthouse failed"
	}
fi

# A log with one venue and a current, attested sanitization.
export SANILOG_NOW=2026-11-25T09:00:00Z
sl init --origin lighthouse.example/log >/dev/null 2>&1
sl venue add --name 'Bar Roma' --address 'Via Roma 1, 00185 Roma' \
	--interval-days 30 --json >v.json
V=$(sed -n 's/^ *"venue": "\([^"]*\)".*/\1/p' v.json)
printf '%%PDF-1.4\n%% certificate\n' >c.pdf
sl cert add --venue "$V" --file c.pdf --type sanitization --title 'Sanificazione' \
	--performed 2026-11-20 --provider 'CleanCo' >/dev/null
unset SANILOG_NOW
serve_db "$DB" 2

# lighthouse NAME PATH: scores $URL/PATH; one check per category.
lighthouse() {
	local name=$1 path=$2 out=$TMP/$1.json
	wanted "$name" || return 0
	if ! CHROME_PATH=$CHROMIUM timeout 180 \
		"$LH_DIR/node_modules/.bin/lighthouse" "$URL$path" --quiet \
		--form-factor=mobile --output=json --output-path="$out" \
		--chrome-flags="--headless=new --no-sandbox --disable-gpu" \
		>"$TMP/$name.log" 2>&1; then
		tail -5 "$TMP/$name.log" >&2
		bad "$name: Lighthouse did not run"
		return
	fi
	node - "$out" >"$TMP/$name.scores" <<'JS'
const r = require(process.argv[2]);
for (const [id, c] of Object.entries(r.categories)) {
  const lost = c.auditRefs.filter(a => a.weight > 0)
    .map(a => r.audits[a.id]).filter(a => a.score !== null && a.score < 1)
    .map(a => `${a.id} ${a.score}${a.displayValue ? ' (' + a.displayValue + ')' : ''}`);
  console.log(`${id} ${Math.round(c.score * 100)} ${lost.join('; ')}`);
}
const cls = r.audits['cumulative-layout-shift'];
console.log(`cls ${cls ? cls.numericValue : 'not measured'}`);
JS
	echo "      $name: cumulative layout shift $(sed -n 's/^cls //p' "$TMP/$name.scores")"
	local cat score lost
	for cat in performance accessibility best-practices seo; do
		read -r score lost < <(sed -n "s/^$cat //p" "$TMP/$name.scores")
		if [ "$score" = 100 ]; then
			ok "$name: $cat 100"
		else
			bad "$name: $cat ${score:-missing}: $lost"
		fi
	done
}

lighthouse "home page" /
# The venue page: its verdict arrives without moving what is below it
# (cumulative layout shift 0).
lighthouse "venue page" "/v/$V"
lighthouse "owner sign-in" /owner/login

test_end
