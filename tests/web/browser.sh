# shellcheck shell=bash
# browser.sh: the venue page in headless Chromium, for the suites of
# tests/web that load pages (test_browser.sh, test_browser_witness.sh),
# sourced after tests/lib/test.sh and test_begin (which sets CHROMIUM and
# TMP).  PATTERN, when set and not empty, keeps the cases whose name holds
# it.
#
#   dom URL OUT                 the DOM after the scripts ran
#   verdict_why DOM STATE       what is wrong with the verdict at the top
#   check_page NAME URL STATE [PATTERN | !PATTERN]...
#                               one case: ok or bad
#   wanted NAME                 whether the case NAME is to run
#   pin KEYTEXT ROOT_B64        the poster's k= and r=
#   ST, NO                      the patterns of the status line and of a
#                               failed check in the technical list
PATTERN=${PATTERN:-}
N=0

wanted() { case $1 in *"$PATTERN"*) true ;; *) false ;; esac; }

# dom URL OUT: the DOM after the scripts ran (stderr, with the console, in
# OUT.err).  Virtual time runs on while WebCrypto works, so a loaded machine
# verifying the 4,500-document bundle needs a long budget; a page that is
# done sooner is dumped as soon as nothing is left to run.
dom() {
	timeout 180 "$CHROMIUM" --headless --no-sandbox --disable-gpu \
		--disable-quic --no-first-run --disable-background-networking \
		--disable-component-update --disable-sync --disable-extensions \
		--user-data-dir="$TMP/profile-$N" --enable-logging=stderr --v=0 \
		--window-size=320,640 \
		--virtual-time-budget=120000 --dump-dom "$1" >"$2" 2>"$2.err" ||
		true
}

# verdict_why DOM STATE: "; " and what is wrong with the verdict at the top
# of the page, or nothing: a failure ("fail") is #state's data-verdict
# "failed", and nothing green (a verdict "current", a check passed, a
# signature shown) comes above it; a verification that passed ("ok") gives
# the verdict of its data-freshness; none is ever "current" but by a
# verification that passed.
verdict_why() {
	python3 - "$1" "$2" <<'EOF'
import re, sys
dom, state = open(sys.argv[1], encoding="utf-8").read(), sys.argv[2]
card = re.search(r'<section id="state"[^>]*>', dom)
verdict = re.search(r'data-verdict="([a-z]+)"', card.group(0)) if card else None
verdict = verdict.group(1) if verdict else ""
fresh = re.search(r'id="verify-status"[^>]*data-freshness="([a-z]+)"', dom)
green = re.search(r'data-verdict="current"|class="(sig|yes)"', dom)
why = []
if state == "fail":
    if verdict != "failed":
        why.append('#state\'s data-verdict is "%s", not "failed"' % verdict)
    elif green and card and green.start() < card.start():
        why.append("green above the failure: " + green.group(0))
elif state == "ok":
    if not fresh or verdict != fresh.group(1):
        why.append('#state\'s data-verdict "%s" is not the freshness "%s"'
                   % (verdict, fresh.group(1) if fresh else ""))
elif verdict == "current":
    why.append('data-verdict "current" with data-state "%s"' % state)
if not fresh:
    why.append("#verify-status has no data-freshness")
print("".join("; " + w for w in why), end="")
EOF
}

# check_page NAME URL STATE [PATTERN | !PATTERN]...: loads URL; passes
# when #verify-status has data-state STATE, the DOM matches every PATTERN
# (grep -E) and none of the !PATTERNs, and Chromium reported no CSP
# violation.
check_page() {
	local name=$1 url=$2 want=$3 out state why="" pat
	shift 3
	case $name in *"$PATTERN"*) ;; *) return 0 ;; esac
	N=$((N + 1))
	out=$TMP/dom-$N.html
	dom "$url" "$out"
	state=$(grep -o 'id="verify-status"[^>]*' "$out" |
		sed -n 's/.*data-state="\([a-z]*\)".*/\1/p' | head -1)
	[ "$state" = "$want" ] ||
		why="data-state \"$state\", expected \"$want\""
	for pat in "$@"; do
		case $pat in
		!*) if grep -Eq -- "${pat#!}" "$out"; then
			why="$why; the DOM matches ${pat#!}"
		fi ;;
		*) if ! grep -Eq -- "$pat" "$out"; then
			why="$why; the DOM does not match $pat"
		fi ;;
		esac
	done
	why="$why$(verdict_why "$out" "$state")"
	if grep -q "Content Security Policy" "$out.err"; then
		why="$why; CSP violation: $(grep -m1 'Content Security Policy' "$out.err")"
	fi
	if [ -z "$why" ]; then ok "$name"; else
		bad "$name: ${why#; }"
		{
			echo "      $url"
			grep -o '<p id="verify-status"[^<]*' "$out" | sed 's/^/      /'
			grep -o '<li class="no">[^<]*' "$out" | sed 's/^/      /'
			grep -iE 'console|error' "$out.err" | head -5 |
				sed 's/^/      | /'
		} >&2
	fi
}

# shellcheck disable=SC2034 # the suites'
ST='<p id="verify-status" [^>]*>'
# shellcheck disable=SC2034 # the suites'
NO='<li class="no">✗ [^<]*' # a failed check, in the technical list

# pin KEYTEXT ROOT_B64: the poster fragment's k and r (base64url of 16 bytes)
pin() {
	python3 -c '
import base64, hashlib, sys
u = lambda b: base64.urlsafe_b64encode(b[:16]).decode().rstrip("=")
print("k=%s&r=%s" % (u(hashlib.sha256(sys.argv[1].encode()).digest()),
                     u(base64.b64decode(sys.argv[2]))))' "$1" "$2"
}
