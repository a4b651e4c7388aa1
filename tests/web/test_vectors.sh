#!/usr/bin/env bash
#
# test_vectors.sh: verify.js on the shared verification vectors
# (tests/vectors, DESIGN.md "Test vectors"), in headless Chromium.
#
#   tests/web/test_vectors.sh
#
# A page loads assets/verify.js and, for each vector of
# tests/vectors/index.json, checks the bytes of its bundle.json as verify()
# checks the page's bundle.json, through the functions verify.js exports for
# tests: bundleOf (the bundle's form), rule1 (with the vector's expected log
# key, where verify() takes the bundle's own) and rules (2, 3, 5, 6 and 7,
# by the vector's today, and 10, by its now); without the page's own checks
# (the pin, what the page shows).  Where the vector gives the tree size seen
# before (since: a pin's), policyChange says what the witness policy lost
# since then, as the page's warning box does.  For a vector with a docs folder, each document's bytes go
# through docWhy, as "Check file" checks one.  verify.js checks only the
# newest entry's proof, so each verdict is compared with the vector's
# "page" expectation where it has one, else with "expect", as
# tests/unit/test_vectors.c compares the C verifier's: the rules of the
# failed checks must be exactly the expected ones, each expected detail
# part of a failed check of its rule, and where the vector states it the
# newest valid sanitization, the overdue and expired flags, the date the
# next sanitization is due and whether the only sanitizations were revoked
# must match, and so must the policy change (none where the vector expects
# none).
# Every disagreement is printed, one line each: the vector, what was
# expected, what verify.js found.
#
# Exit status: 0 when verify.js gives every vector its verdict, 1
# otherwise, 2 when it cannot run.

HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../lib/test.sh
. "$HERE/../lib/test.sh"
VECTORS=${SANILOG_VECTORS:-$TOP/tests/vectors}
case $VECTORS in /*) ;; *) VECTORS=$PWD/$VECTORS ;; esac
test_begin test_vectors chromium python3
[ -f "$VECTORS/index.json" ] || test_cannot "no $VECTORS/index.json"
SITE=$TMP/site
mkdir -p "$SITE/assets"
cp "$TOP/assets/verify.js" "$SITE/assets/verify.js"
ln -s "$VECTORS" "$SITE/vectors"

cat >"$SITE/run.js" <<'EOF'
(async () => {
  const st = document.getElementById('verify-status'), ol = document.getElementById('diff');
  const bytes = async u => { const r = await fetch(u); return r.ok ? new Uint8Array(await r.arrayBuffer()) : null; };
  const show = fs => fs.length ? fs.map(f => `${f.rule}: ${f.detail}`).join(' | ') : 'valid';
  /* Why got differs from the expectation want (fresh: rule 7's), or ''. */
  const differs = (got, want, fresh) => {
    const fails = got.checks.filter(c => !c.ok);
    for (const f of want.fails)
      if (!fails.some(c => c.rule == f.rule && c.detail.includes(f.detail))) return `no failed check of rule ${f.rule} says "${f.detail}"`;
    const u = fails.find(c => !want.fails.some(f => f.rule == c.rule));
    if (u) return `unexpected failure, rule ${u.rule}: ${u.detail}`;
    if ('latest' in fresh && (got.latest != fresh.latest || got.overdue != fresh.overdue || got.expired != fresh.expired))
      return `freshness: latest ${got.latest} overdue ${got.overdue} expired ${got.expired}, not ${fresh.latest} ${fresh.overdue} ${fresh.expired}`;
    if ('latest' in fresh && (got.next != fresh.next_due || got.revokedOnly != fresh.revoked_only))
      return `next due ${got.next} revoked only ${got.revokedOnly}, not ${fresh.next_due} ${fresh.revoked_only}`;
    const pc = c => c ? JSON.stringify([c.since, c.removed, c.quorum_before ?? c.before, c.quorum_now ?? c.now]) : 'none';
    if (pc(got.change) != pc(fresh.policy_change)) return `policy change ${pc(got.change)}, not ${pc(fresh.policy_change)}`;
    return '';
  };
  /* The checks of a vector's bundle, as verify() makes them. */
  const S = sanilog, verdict = async (v, dir) => {
    let R = {};
    S.checks.length = 0;
    try {
      const B = S.bundleOf(await bytes(dir + 'bundle.json')), {CP} = await S.rule1(B, false, v.key);
      R = await S.rules(B, CP, v.today, Date.parse(v.now) / 1000);
      if (CP && v.since) R.change = S.policyChange(R.policy, v.since, CP.size);
      if (v.docs)
        for (const s of R.items.filter(s => s.e.kind == 'document')) {
          const w = await S.docWhy(s.e.sha, await bytes(dir + 'docs/' + s.e.sha), s.e);
          if (w) S.checks.push({rule: 4, ok: false, detail: `${s.where}: ${w}`});
        }
    } catch (x) { S.checks.push({rule: 0, ok: false, detail: x.message}); }
    return {checks: S.checks.splice(0), latest: R.latest ? R.latest.e.seq : null, overdue: !!R.late, expired: !!R.exp,
      next: R.next === undefined ? null : R.next, revokedOnly: !!R.revokedOnly, change: R.change || null};
  };
  try {
    const index = await (await fetch('vectors/index.json')).json();
    let bad = 0;
    for (const v of index) {
      const want = v.page || v.expect, got = await verdict(v, `vectors/${v.name}/`);
      const why = differs(got, want, v.expect);
      if (!why) continue;
      bad++;
      const li = document.createElement('li');
      li.textContent = `${v.name}: expected ${show(want.fails)}; verify.js found ${show(got.checks.filter(c => !c.ok))} (${why})`;
      ol.append(li);
    }
    st.textContent = `${index.length} vectors: verify.js disagrees with ${bad}`;
    st.dataset.state = bad ? 'fail' : 'ok';
  } catch (x) { st.dataset.state = 'fail'; st.textContent = 'harness: ' + x.message; }
})();
EOF
cat >"$SITE/run.html" <<'EOF'
<!doctype html><html lang="en"><head><meta charset="utf-8"><title>vectors</title>
<script src="/assets/verify.js" defer></script><script src="/run.js" defer></script>
</head><body><p id="verify-status" data-state="pending"></p><ol id="diff"></ol></body></html>
EOF

MAX_LINES=200 check \
	"verify.js gives every vector its verdict, as the C verifier does" \
	page_run run.html 120
test_end
