#!/usr/bin/env bash
#
# test_browser_parity.sh: verify.js parses entries and signed checkpoints
# exactly as the C code does.
#
#   SANILOG=/abs/path/to/sanilog tests/web/test_browser_parity.sh
#
# A corpus of entries (valid ones of every kind, and hundreds of mutations:
# lines dropped, doubled, swapped, keys and values bent, forbidden
# characters, non-canonical numbers, impossible dates, bad hashes, keys and
# signatures) and of signed notes (checkpoints signed with the committed
# test log key over malformed bodies, and notes broken in their form or
# signatures) goes through entry_parse and checkpoint_open (the page
# driver, tests/web/page_driver.c) and, in headless Chromium, through
# verify.js's entry(), openNote() and checkpoint().  Every string must get
# the same answer from both: accepted by both, or refused by both with the
# same message.
#
# Exit status: 0 when they agree on every string, 1 otherwise, 2 when it
# cannot run.

HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../lib/test.sh
. "$HERE/../lib/test.sh"
test_begin test_browser_parity page_driver chromium python3
SITE=$TMP/site
mkdir -p "$SITE/assets"

"$PAGE_DRIVER" asset verify.js >"$SITE/assets/verify.js"
tr -d '\n' <"$KEYS/log.vkey" >"$SITE/log.vkey"
cp "$KEYS/log.key" "$TMP/log.key"
chmod 600 "$TMP/log.key"

# ---------------------------------------------------------------------------
# The corpus.

python3 - "$SITE" "$KEYS" <<'EOF'
import base64, hashlib, json, sys
site, keys = sys.argv[1], sys.argv[2]
PVKEY = open(keys + "/provider.vkey").read().strip()
H = "4bc45f752096c94123a66b84120a7c5fc54f23e6c3b54b8c88452fb12abf69ec"
D = "79a412c51218c66ca1a84f684c7ae1cb15883835017c34fd720e328875b2d2ad"
ATT = ("cleanco.example+7fea4884 f+pIhEFNFzRxivNvAn8L+37guJn3WhfhACponhXHVmY"
       "DBCotdb6CYKKHmGmGKauyLrYMqaFdZ7L6YO7K3bWMRyAvawE=")
M = "sanilog-entry v1\n"
def E(*lines):
    return M + "".join(l + "\n" for l in lines)
bases = [
    E("venue k7m2q9xa", "venue-seq 0", "prev -", "kind venue", "name Bar Roma",
      "address Via Roma 1, 00185 Roma", "interval-days 30",
      "logged 2026-11-25T09:00:00Z"),
    E("venue k7m2q9xa", "venue-seq 1", "prev " + H, "kind document",
      "type sanitization", "title Sanificazione ambienti con ozono",
      "performed 2026-11-20", "expires 2027-05-20",
      "provider cleanco.example", "doc %s 198 application/pdf" % D,
      "attestation " + ATT, "submitted-by operator",
      "logged 2026-11-25T09:15:00Z"),
    E("venue k7m2q9xa", "venue-seq 2", "prev " + H, "kind document",
      "type protocol", "title Protocollo HACCP pulizie",
      "performed 2026-11-01", "doc %s 191 image/png" % D,
      "submitted-by owner", "logged 2026-11-25T09:20:00Z"),
    E("venue k7m2q9xa", "venue-seq 3", "prev " + H, "kind revocation",
      "revokes 2", "reason wrong document uploaded", "submitted-by operator",
      "logged 2026-11-25T10:00:00Z"),
    E("kind provider-key", "name cleanco.example",
      "display-name CleanCo S.r.l.", "vkey " + PVKEY,
      "logged 2026-11-25T09:10:00Z"),
    E("kind provider-revoke", "name cleanco.example",
      "reason key compromised", "logged 2026-11-25T11:30:00Z"),
]
corpus = list(bases)
def add(s):
    corpus.append(s)

for b in bases:
    L = b.split("\n")[:-1]
    add(b[:-1]); add(b + "\n"); add(b.replace("\n", "\r\n")); add("\ufeff" + b)
    add("sanilog-entry v2\n" + b[len(M):]); add("sanilog-entry v1 \n" + b[len(M):])
    add(b + "venue k7m2q9xa\n"); add(b + "x y\n"); add(b + " y\n")
    for i in range(1, len(L)):
        k, _, v = L[i].partition(" ")
        def w(new):
            add("\n".join(L[:i] + new + L[i + 1:]) + "\n")
        w([]); w([L[i], L[i]]); w([k.upper() + " " + v]); w([k + " " + v + " "])
        w([k + "  " + v]); w([k + " "]); w([k]); w([" " + L[i]]); w([""])
        w([k + "\t" + v]); w([k + " " + v + "\x7f"])
        if i + 1 < len(L):
            w([L[i + 1], L[i]])
            add("\n".join(L[:i] + [L[i + 1], L[i]] + L[i + 2:]) + "\n")

def sub(base, key, values):
    L = base.split("\n")
    for v in values:
        add("\n".join(l if l.split(" ", 1)[0] != key else key + " " + v
                      for l in L))
venue, doc, proto, rev, pkey, prevoke = bases
sub(venue, "venue", ["k7m2q9x", "k7m2q9xaa", "K7M2Q9XA", "k7m2q9xl",
                     "k7m2q9x0", "k7m2q9x1", "k7m2q9xo"])
sub(doc, "venue-seq", ["01", "-1", "+1", "1.0", "0", "9007199254740991",
                       "9007199254740992", "12345678901234567", "0x1", "٣"])
sub(doc, "prev", [H.upper(), H[:-1], H + "0", "-", "--"])
sub(venue, "prev", [H])
sub(venue, "interval-days", ["0", "1", "3650", "3651", "030", "-5", "1e3"])
sub(doc, "type", ["Sanitization", "cleaning", "pest_control", "pest-control",
                  "hvac", "water", "form", "other", "disinfection"])
for t in ["\t", "\x7f", "\x85", "\u200b", "\u200f", "\u202a", "\u202e",
          "\u2066", "\u2069", "\u2028", "\u2029", "\ufeff", "\u00a0ok",
          "emoji 😀", "a" * 200, "a" * 201, "é" * 100, "é" * 100 + "a",
          "€" * 66 + "ab", "€" * 67, "a" * 5000, "<script>alert(1)</script>",
          "\u0000", "\x1b[31m", "a\u0301", "x\u2065y", "x\u206ay"]:
    sub(proto, "title", ["x" + t + "y", t])
sub(proto, "performed", ["2026-02-29", "2024-02-29", "2100-02-29",
                         "2000-02-29", "2026-13-01", "2026-1-01",
                         "2026-11-31", "2026-00-10", "0000-01-01",
                         "2026-11-30", "2026-11-25", "2026-11-26",
                         "26-11-01", "2026/11/01", "２０２６-11-01"])
sub(doc, "expires", ["2026-11-19", "2026-11-20", "9999-12-31", "2027-02-30"])
sub(venue, "logged", ["2026-11-25T24:00:00Z", "2026-11-25T23:59:59Z",
                      "2026-11-25T12:60:00Z", "2026-11-25T12:00:60Z",
                      "2026-11-25 12:00:00Z", "2026-11-25T12:00:00+00:00",
                      "2026-11-25T12:00:00.0Z", "2026-11-25T12:00:00z",
                      "2026-02-30T12:00:00Z"])
sub(doc, "logged", ["2026-11-19T23:59:59Z", "2026-11-20T00:00:00Z"])
sub(doc, "doc", [D + " 0 application/pdf", D + " 01 application/pdf",
                 D + " 18446744073709551616 application/pdf",
                 D + " 198 application/PDF", D + " 198 image/gif",
                 D.upper() + " 198 application/pdf", D + "  198 application/pdf",
                 D + " 198", D + " 198 application/pdf ", D[:-1] + " 198 image/png",
                 D + " 198 image/jpeg", D + " -1 image/png", D])
att_name, att_sig = ATT.split(" ")
raw = base64.b64decode(att_sig)
sub(doc, "attestation", [
    "other.example+7fea4884 " + att_sig,
    "cleanco.example+7fea4885 " + att_sig,
    "cleanco.example+7FEA4884 " + att_sig,
    "cleanco.example+7fea488 " + att_sig,
    att_name + " " + att_sig.rstrip("="),
    att_name + " " + base64.b64encode(raw[:-1]).decode(),
    att_name + " " + base64.b64encode(raw + b"x").decode(),
    att_name + att_sig, "cleanco.example " + att_sig,
    att_name + " " + att_sig[:-2] + "F=",
    "clean co+7fea4884 " + att_sig])
add(doc.replace("provider cleanco.example\n", ""))
add(doc.replace("provider cleanco.example\n", "provider Clean Co\n"))
add(doc.replace("attestation " + ATT + "\n", ""))
add(doc.replace("expires 2027-05-20\n", "").replace("attestation " + ATT + "\n", ""))
sub(doc, "submitted-by", ["admin", "Owner", "operator"])
sub(rev, "revokes", ["0", "3", "4", "1", "02"])
sub(rev, "venue-seq", ["0", "1", "2"])
sub(pkey, "name", ["clean co", "clean+co", "other.example", "a" * 201,
                   "x\u00a0y", "x\u3000y", "x\u0085y"])
sub(prevoke, "name", ["clean co", "clean+co", "x\u2028y"])
p1, p2, p3 = PVKEY.split("+")
k = base64.b64decode(p3)
def vk(name, key):
    h = hashlib.sha256(name.encode() + b"\n" + key).digest()[:4].hex()
    return "%s+%s+%s" % (name, h, base64.b64encode(key).decode())
sub(pkey, "vkey", [
    p1 + "+7fea4885+" + p3, p1 + "+7FEA4884+" + p3, p1 + "+" + p3,
    p1 + "+7fea4884+" + p3[:-1] + "C", p1 + "+7fea4884+" + p3 + "=",
    vk(p1, b"\x02" + k[1:]), vk(p1, k[:-1]), vk(p1, k + b"\x00"),
    vk(p1, b"\x01" + b"\xff" * 32), vk(p1, b"\x01" + b"\x00" * 32),
    vk(p1, b"\x01" + bytes([1] + [0] * 31)),
    vk("other.example", k), p1, p1 + "+", "+7fea4884+" + p3,
    p1 + "+7fea4884+" + p3 + "+x", "x" * 301])
# Points: small order, and a valid key plus a point of order 8 (on the
# curve, not in the main subgroup).
P = 2**255 - 19
Dd = -121665 * pow(121666, P - 2, P) % P
def dec(b):
    y = int.from_bytes(b, "little") & (2**255 - 1)
    u, v = (y * y - 1) % P, (Dd * y * y + 1) % P
    x = u * pow(v, 3, P) * pow(u * pow(v, 7, P), (P - 5) // 8, P) % P
    if v * x * x % P != u:
        x = x * pow(2, (P - 1) // 4, P) % P
    if (x & 1) != b[31] >> 7:
        x = P - x
    return x, y
def enc(x, y):
    return (y | (x & 1) << 255).to_bytes(32, "little")
def padd(a, b):
    (x1, y1), (x2, y2) = a, b
    t = Dd * x1 * x2 * y1 * y2 % P
    return ((x1 * y2 + x2 * y1) * pow(1 + t, P - 2, P) % P,
            (y1 * y2 + x1 * x2) * pow(1 - t, P - 2, P) % P)
T8 = bytes.fromhex("26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05")
pk = k[1:]
sub(pkey, "vkey", [vk(p1, b"\x01" + T8), vk(p1, b"\x01" + enc(*padd(dec(pk), dec(T8)))),
                   vk(p1, b"\x01" + enc(*padd(dec(pk), dec(pk)))),
                   vk(p1, b"\x01" + bytes([0xec] + [0xff] * 30 + [0x7f])),
                   vk(p1, b"\x01" + bytes([0xee] + [0xff] * 30 + [0x7f])),
                   vk(p1, b"\x01" + pk[:31] + bytes([pk[31] ^ 0x80]))])
sub(venue, "kind", ["Venue", "unknown", "provider-key", "document"])
add(M); add(""); add("sanilog-entry v1"); add(M + "\n"); add(M + "kind venue\n")
add(E("kind provider-key", "name cleanco.example", "display-name CleanCo",
      "vkey " + PVKEY, "logged 2026-11-25T09:10:00Z", "reason x"))
add(E("venue k7m2q9xa", "venue-seq 0", "prev -", "kind venue", "name Bar",
      "address A", "interval-days 30", "logged 2026-11-25T09:00:00Z",
      "logged 2026-11-25T09:00:00Z", "logged 2026-11-25T09:00:00Z",
      "logged 2026-11-25T09:00:00Z", "logged 2026-11-25T09:00:00Z",
      "logged 2026-11-25T09:00:00Z", "logged 2026-11-25T09:00:00Z",
      "logged 2026-11-25T09:00:00Z"))
json.dump(corpus, open(site + "/entries.json", "w"))

# Checkpoint bodies to sign with the log key, and notes broken afterwards.
O = "test.sanilog.example/log"
R = base64.b64encode(hashlib.sha256(b"root").digest()).decode()
bodies = [
    "%s\n10\n%s\n" % (O, R), "%s\n0\n%s\n" % (O, R), "%s\n10\n%s\next\n" % (O, R),
    "%s\n010\n%s\n" % (O, R), "%s\n-1\n%s\n" % (O, R), "%s\n+1\n%s\n" % (O, R),
    "%s\n1 0\n%s\n" % (O, R), "%s\n9223372036854775807\n%s\n" % (O, R),
    "%s\n10\n%s\n" % (O, R.rstrip("=")), "%s\n10\n%s\n" % (O, R[:-2] + "B="),
    "%s\n10\n%s\n" % (O, base64.b64encode(b"x" * 31).decode()),
    "%s\n10\n%s\n" % (O, base64.b64encode(b"x" * 33).decode()),
    "%s\n10\n" % O, "%s\n" % O, "other.example/log\n10\n%s\n" % R,
    "%s\n10\n%s\na\n\u00e9\n" % (O, R), "%s \n10\n%s\n" % (O, R),
    "%s\n10\n%s\n" % ("x" * 201, R), "%s\n10\n%s" % (O, R + "\nz\n"),
]
json.dump(bodies, open(site + "/bodies.json", "w"))
EOF
"$PAGE_DRIVER" sign "$TMP/log.key" "$SITE/bodies.json" >"$SITE/signed.json"

python3 - "$SITE" <<'EOF'
import json, sys
site = sys.argv[1]
signed = json.load(open(site + "/signed.json"))
notes = list(signed)
good = signed[0]
text, sig = good[:good.rindex("\n\n") + 1], good[good.rindex("\n\n") + 2:]
line = sig[:-1]
name, b = line[2:].split(" ")
other = "\u2014 witness.example " + "AAAAAQE=" + "\n"
for n in [
    good[:-1], good + "\n", text + sig, text + "\n" + other + sig,
    text + "\n" + sig + other, text + "\n" + other, text + "\n" + sig + sig,
    text + "\n" + sig.replace("\u2014", "-"), text + "\n" + sig.replace(" ", "  ", 1),
    text + "\n" + "\u2014 " + name + " " + b[:-2] + "B=\n",
    text + "\n" + "\u2014 " + name + " " + b.replace("=", "") + "\n",
    text + "\n" + "\u2014 " + name + " " + b[:8] + "\n",
    text + "\n" + "\u2014 " + name + " AAAA\n",
    text + "\n" + "\u2014 " + name + " " + b[:10] + ("A" if b[10] != "A" else "B") + b[11:] + "\n",
    text + "\n" + "\u2014 " + name + "\n", text + "\n" + "\u2014 " + name + " \n",
    text + "\n" + "\u2014  " + b + "\n", text + "\n" + "\u2014 a+b " + b + "\n",
    text.replace("10", "11") + "\n" + sig, text + "\n" + other * 100 + sig,
    text + "\n" + other * 99 + sig, text + "\n" + sig[:-1], "\n" + sig,
    text + "\r\n" + sig, text + "\n" + sig.replace("\n", "\t\n"), "",
    text + "\n\n" + sig, good.replace("\n", "\n\x01", 1),
    text + "\n\u2014 w AAAAAQ==\n" + sig, text + "\n\u2014 w AAAAAQE=\n" + sig,
]:
    notes.append(n)
json.dump(notes, open(site + "/notes.json", "w"))
EOF

"$PAGE_DRIVER" entries "$SITE/entries.json" >"$SITE/entries-c.json"
"$PAGE_DRIVER" notes "$(cat "$SITE/log.vkey")" "$SITE/notes.json" \
	>"$SITE/notes-c.json"

cat >"$SITE/parity.js" <<'EOF'
(async () => {
  const st = document.getElementById('verify-status'), ol = document.getElementById('diff');
  try {
    const j = async u => (await fetch(u)).json();
    const [E, EC, N, NC] = await Promise.all(['entries.json', 'entries-c.json', 'notes.json', 'notes-c.json'].map(j));
    const V = await sanilog.vkey((await (await fetch('log.vkey')).text()).trim());
    let bad = 0, ok = 0;
    const cmp = (what, i, input, c, js) => {
      ok += c === '';
      if (c === js) return;
      bad++;
      const li = document.createElement('li');
      li.textContent = `${what} ${i}: C "${c}" / JS "${js}" / ${JSON.stringify(input)}`;
      ol.append(li);
    };
    for (let i = 0; i < E.length; i++) {
      let m = '';
      try { await sanilog.entry(E[i]); } catch (x) { m = x.message; }
      cmp('entry', i, E[i], EC[i], m);
    }
    for (let i = 0; i < N.length; i++) {
      let m = '';
      try { sanilog.checkpoint(await sanilog.openNote(N[i], V), V); } catch (x) { m = x.message; }
      cmp('note', i, N[i], NC[i], m);
    }
    st.textContent = `${E.length} entries and ${N.length} notes (${ok} accepted): ${bad} differ`;
    st.dataset.state = bad ? 'fail' : 'ok';
  } catch (x) { st.dataset.state = 'fail'; st.textContent = 'harness: ' + x.message; }
})();
EOF
cat >"$SITE/parity.html" <<'EOF'
<!doctype html><html lang="en"><head><meta charset="utf-8"><title>parity</title>
<script src="/assets/verify.js" defer></script><script src="/parity.js" defer></script>
</head><body><p id="verify-status" data-state="pending"></p><ol id="diff"></ol></body></html>
EOF

check "verify.js parses entries and checkpoints as the C code does" \
	page_run parity.html 60
test_end
