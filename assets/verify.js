/* verify.js: checks the venue's bundle on the phone with WebCrypto, as the C
   verifier does (src/core/verify.c, entry.c, note.c, merkle.c, witness.c):
   DESIGN.md rules 1-3, 5-7 and 10 (the witnesses' cosignatures, by this
   phone's clock), the poster's pin (#k=..&n=..&r=..) and the change of the
   witness policy since it (a warning box under the verdict, never a
   failure), and rule 4 on the
   files of the page's documents, newest first, up to DOCS_BUDGET bytes in
   all without a tap, the others on "Check file"; and that the page shows
   what the bundle holds (the whole bundle is verified; a page shows its
   part of the history, src/web/pages.h).  Then one verdict at the top, in
   #state: data-verdict failed > expired > overdue > none > current, its
   h2 and #verify-status (data-state ok, fail, unsupported; data-freshness
   current, overdue, expired, none); each check in words in
   #verify-list, in detail (rule numbers, indexes; English, as the CLI
   says it) in #verify-checks.  The words are the page's (main's
   data-words, the catalogue's section "the checks on the phone").
   Writes text only (textContent), never markup. */
'use strict';
(() => {
const $ = i => document.getElementById(i), main = $('main') || {dataset: {}}, out = $('verify-status'), list = $('verify-checks');
let W = {};
try { W = JSON.parse(main.dataset.words || '{}'); } catch (x) { /* the keys show */ }
/* The words of key, each {name} replaced by v's. */
const t = (k, v = {}) => (W[k] || k).replace(/\{(\w+)\}/g, (m, n) => n in v ? v[n] : m);
const VENUE = main.dataset.venue, P = location.pathname, AT = P.lastIndexOf('/v/' + VENUE);
const ROOT = AT > 0 ? P.slice(0, AT) : '', VBASE = ROOT + '/v/' + VENUE;
const S = window.crypto && crypto.subtle, enc = new TextEncoder();
/* The checks' names in the technical list, as the CLI names them. */
const NAMES = {bundle: 'bundle', key: 'log key', pin: "poster's pin", cp: 'checkpoint signature', origin: 'origin', incl: 'inclusion',
  form: 'entry form', kind: 'entry kind', venue: 'entry venue', chain: 'venue chain', docs: 'documents', att: 'attestations',
  prov: 'provider entries', rev: 'revocations', page: 'page', fresh: 'freshness', wit: 'witnesses', cosig: 'cosignature',
  wpol: 'witness policy'};
/* The kind of check a customer's words say (js_c_<kind>, js_x_<kind>). */
const KIND = {origin: 'cp', kind: 'form', venue: 'form', prov: 'att'}, kindOf = n => KIND[n] || n;
/* The documents a page of the history shows: pages.h's PAGE_HISTORY. */
const PAGE_DOCS = 50;
/* The files checked without a tap: the page's documents, newest first,
   while their sizes add up to at most this. */
const DOCS_BUDGET = 5 * 1024 * 1024;
/* Failed checks listed, as verify.h's VERIFY_FAILS_SHOWN. */
const FAILS_SHOWN = 100;
const checks = [];
const add = (rule, ok, n, detail) => { checks.push({rule, ok, n, detail}); return ok; };
const no = m => { throw new Error(m); };

/* ---- bytes ---- */
const cat = (...a) => { const o = new Uint8Array(a.reduce((n, x) => n + x.length, 0)); let p = 0; for (const x of a) { o.set(x, p); p += x.length; } return o; };
const eq = (a, b) => a.length == b.length && a.every((x, i) => x == b[i]);
const HX = Array.from({length: 256}, (_, i) => i.toString(16).padStart(2, '0'));
const hex = a => { let h = ''; for (const x of a) h += HX[x]; return h; };
const sha = async b => new Uint8Array(await S.digest('SHA-256', b));
const leafHash = s => sha(cat([0], enc.encode(s)));
const node = (l, r) => sha(cat([1], l, r));
/* Canonical standard padded base64 (unused bits zero), or null. */
const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const b64 = s => {
  if (typeof s != 'string' || s.length % 4 || !/^[A-Za-z0-9+/]*={0,2}$/.test(s)) return null;
  const pad = s.endsWith('==') ? 2 : s.endsWith('=') ? 1 : 0;
  if (pad && B64.indexOf(s[s.length - pad - 1]) & (pad == 1 ? 3 : 15)) return null;
  const b = atob(s), u = new Uint8Array(b.length);
  for (let i = 0; i < b.length; i++) u[i] = b.charCodeAt(i);
  return u;
};
const b64u = s => /^[A-Za-z0-9_-]{22}$/.test(s || '') ? b64(s.replace(/-/g, '+').replace(/_/g, '/') + '==') : null;
const num = (v, max = 2 ** 53 - 1) => /^(0|[1-9][0-9]{0,15})$/.test(v) && +v <= max ? +v : null;
const text = async r => { if (!r.ok) no('HTTP ' + r.status); return new TextDecoder('utf-8', {fatal: true}).decode(await r.arrayBuffer()); };
const get = u => fetch(u, {cache: 'no-store'}).then(text);
/* The kept checkpoint of size n: /checkpoints/<n>, or on a 404 the older /checkpoint/<n>. */
const getKept = n => fetch(`${ROOT}/checkpoints/${n}`, {cache: 'no-store'}).then(r => r.status == 404 ? get(`${ROOT}/checkpoint/${n}`) : text(r));

/* ---- text rules (entry.c, note.c) ---- */
const cps = s => Array.from(s, c => c.codePointAt(0));
const U = c => 'U+' + c.toString(16).toUpperCase().padStart(4, '0');
const ctl = c => c < 32 || (c >= 0x7f && c <= 0x9f);
const invis = c => (c >= 0x200b && c <= 0x200f) || (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069) || c == 0x2028 || c == 0x2029 || c == 0xfeff;
const sur = c => c >= 0xd800 && c <= 0xdfff;
const space = c => (c >= 9 && c <= 13) || c == 32 || c == 0x85 || c == 0xa0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200a) || c == 0x2028 || c == 0x2029 || c == 0x202f || c == 0x205f || c == 0x3000;
const goName = s => s.length > 0 && cps(s).every(c => c != 43 && !space(c) && !sur(c));
const keyName = s => goName(s) && enc.encode(s).length <= 200 && !cps(s).some(ctl);
const ASCII = /^[\x20-\x7e]*$/;
const valueWhy = (v, max) => {
  if (!v) return 'empty value';
  const plain = ASCII.test(v), n = plain ? v.length : enc.encode(v).length;
  if (n > max) return `value is ${n} bytes, more than ${max}`;
  if (v[0] == ' ') return 'leading space';
  if (v[v.length - 1] == ' ') return 'trailing space';
  if (!plain) for (const c of cps(v)) {
    if (sur(c)) return 'not valid UTF-8';
    if (ctl(c)) return `contains a control character (${U(c)})`;
    if (invis(c)) return `contains a forbidden invisible or bidi character (${U(c)})`;
  }
  return '';
};
const checkText = (s, what) => {
  let at = 0;
  for (const c of cps(s)) {
    if (sur(c)) no(`${what}: invalid UTF-8 at byte ${at}`);
    if (c < 32 && c != 10) no(`${what}: control character 0x${hex([c])} at byte ${at} (only LF is allowed)`);
    at += c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
  }
};
const dateOk = d => {
  const m = /^(\d{4})-(\d\d)-(\d\d)$/.exec(d); if (!m) return false;
  const y = +m[1], mo = +m[2], da = +m[3];
  return mo >= 1 && mo <= 12 && da >= 1 && da <= [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][mo - 1] + (mo == 2 && (y % 4 == 0 && y % 100 != 0 || y % 400 == 0));
};
const timeOk = t => { const m = /^(.{10})T(\d\d):(\d\d):(\d\d)Z$/.exec(t); return !!m && dateOk(m[1]) && +m[2] < 24 && +m[3] < 60 && +m[4] < 60; };
const days = d => { /* days_from_civil */
  let y = +d.slice(0, 4); const m = +d.slice(5, 7), dd = +d.slice(8, 10); y -= m <= 2;
  const era = Math.floor(y / 400), yoe = y - era * 400, doy = Math.floor((153 * (m > 2 ? m - 3 : m + 9) + 2) / 5) + dd - 1;
  return era * 146097 + yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy - 719468;
};
const pad2 = n => String(n).padStart(2, '0');
const dateOf = z => { /* civil_from_days: days' inverse */
  z += 719468;
  const era = Math.floor(z / 146097), doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100)), mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1, m = mp < 10 ? mp + 3 : mp - 9;
  return `${String(yoe + era * 400 + (m <= 2)).padStart(4, '0')}-${pad2(m)}-${pad2(d)}`;
};

/* ---- Ed25519 public keys: libsodium's crypto_core_ed25519_is_valid_point
   (canonical, on the curve, not of small order, in the main subgroup),
   which WebCrypto does not check. ---- */
const Fp = 2n ** 255n - 19n, Lq = 2n ** 252n + 27742317777372353535851937790883648493n;
const md = a => ((a % Fp) + Fp) % Fp;
const pw = (b, e) => { let r = 1n; for (b = md(b); e; e >>= 1n, b = b * b % Fp) if (e & 1n) r = r * b % Fp; return r; };
const Dc = md(-121665n * pw(121666n, Fp - 2n));
const padd = ([X1, Y1, Z1, T1], [X2, Y2, Z2, T2]) => {
  const A = md((Y1 - X1) * (Y2 - X2)), B = md((Y1 + X1) * (Y2 + X2)), C = md(2n * Dc * T1 * T2), D = md(2n * Z1 * Z2);
  const E = B - A, F = D - C, G = D + C, H = B + A;
  return [md(E * F), md(G * H), md(F * G), md(E * H)];
};
const pmul = (P, n) => { let R = [0n, 1n, 1n, 0n]; for (; n; n >>= 1n, P = padd(P, P)) if (n & 1n) R = padd(R, P); return R; };
const pzero = ([X, Y, Z]) => X == 0n && Y == Z;
const validPoint = k => {
  let y = 0n;
  for (let i = 31; i >= 0; i--) y = y << 8n | BigInt(i == 31 ? k[i] & 127 : k[i]);
  if (y >= Fp) return false;
  const u = md(y * y - 1n), v = md(Dc * y * y + 1n);
  let x = md(u * pw(v, 3n) * pw(u * pw(v, 7n), (Fp - 5n) / 8n));
  if (md(v * x * x) != u) { if (md(v * x * x) != md(-u)) return false; x = x * pw(2n, (Fp - 1n) / 4n) % Fp; }
  const P = [x, y, 1n, x * y % Fp];
  return !pzero(pmul(P, 8n)) && pzero(pmul(P, Lq));
};

/* ---- signed notes and keys (note.c) ---- */
async function vkey(t) {
  try { return await vkey1(t); } catch (x) { no('verifier key: ' + x.message); }
}
/* A verifier key of algorithm alg: 1 a log's, 4 a witness's (cosignature/v1):
 * {name, hash (the key hash, or a witness's key ID), key (WebCrypto's),
 * pk (hex)}. */
async function vkey1(t, alg = 1) {
  if (enc.encode(t).length > 300) no('longer than 300 bytes');
  const p1 = t.indexOf('+'); if (p1 < 0) no("no '+' after the key name");
  const name = t.slice(0, p1); if (!keyName(name)) no("key name is not valid (want 1 to 200 bytes of UTF-8 without spaces, '+' or control characters)");
  const p2 = t.indexOf('+', p1 + 1); if (p2 < 0) no("no '+' after the key hash");
  const hash = t.slice(p1 + 1, p2); if (!/^[0-9a-f]{8}$/.test(hash)) no('key hash is not 8 lowercase hex digits');
  const k = b64(t.slice(p2 + 1)); if (!k) no('key is not canonical padded base64');
  const want = hex((await sha(cat(enc.encode(name + '\n'), k))).slice(0, 4));
  if (want != hash) no(`key hash ${hash} does not match the key (${want})`);
  if (k[0] != alg) no(`unknown algorithm 0x${hex([k[0]])} (want 0x0${alg}, Ed25519${alg == 1 ? '' : ' cosignature/v1'})`);
  if (k.length != 33) no(`Ed25519 public key is ${k.length - 1} bytes, not 32`);
  let key;
  try { if (validPoint(k.slice(1))) key = await S.importKey('raw', k.slice(1), {name: 'Ed25519'}, false, ['verify']); } catch (x) { /* below */ }
  if (!key) no('public key is not a valid Ed25519 point');
  return {name, hash, key, pk: hex(k.slice(1))};
}
/* note.Open with one known key: the note's text, or throws. */
async function openNote(msg, v) {
  checkText(msg, 'signed note');
  const i = msg.lastIndexOf('\n\n'); if (i < 0) no('signed note: no blank line before the signatures');
  const body = msg.slice(0, i + 1), sigs = msg.slice(i + 2);
  if (!sigs) no('signed note: no signature after the blank line');
  if (!sigs.endsWith('\n')) no('signed note: last signature line does not end in a newline');
  const ls = sigs.slice(0, -1).split('\n').map((l, j) => {
    const w = `signed note: signature line ${j + 1}`;
    if (j == 100) no('signed note: more than 100 signatures');
    if (!l.startsWith('\u2014 ')) no(w + ' does not start with an em dash (U+2014) and a space');
    l = l.slice(2); const sp = l.indexOf(' '); if (sp < 0) no(w + ' has no space after the key name');
    const name = l.slice(0, sp), b = l.slice(sp + 1), raw = b64(b);
    if (!goName(name)) no(w + ": key name is empty or has a space or '+'");
    if (!b) no(w + ': no signature');
    if (!raw) no(w + ': signature is not canonical padded base64');
    if (raw.length < 5) no(`${w}: signature is ${raw.length} bytes, fewer than 5`);
    return {name, b, raw};
  });
  const l = ls.find(l => l.name == v.name && hex(l.raw.slice(0, 4)) == v.hash);
  if (!l) no(`signed note: not signed by key ${v.name}+${v.hash}`);
  if (l.b.length != 92 || !await S.verify('Ed25519', v.key, l.raw.slice(4), enc.encode(body))) no(`signed note: invalid signature for key ${v.name}+${v.hash}`);
  return body;
}
function checkpoint(t, v) {
  checkText(t, 'checkpoint');
  if (!t.endsWith('\n')) no('checkpoint: text does not end in a newline');
  const L = t.slice(0, -1).split('\n');
  if (L.length < 3) no(`checkpoint: no ${['origin', 'tree size', 'root hash'][L.length]} line`);
  const [origin, size, root, ...ext] = L, r = root.length <= 64 && b64(root);
  if (!origin) no('checkpoint: empty origin');
  if (enc.encode(origin).length > 200) no('checkpoint: origin longer than 200 bytes');
  if (!/^(0|[1-9][0-9]{0,18})$/.test(size) || BigInt(size) >= 2n ** 63n) no('checkpoint: tree size is not a decimal number without sign or leading zeros, at most 9223372036854775807');
  if (!r) no('checkpoint: root hash is not canonical padded base64 of 32 bytes');
  if (r.length != 32) no(`checkpoint: root hash is ${r.length} bytes, not 32`);
  const e = ext.findIndex(x => !x); if (e >= 0) no(`checkpoint: extension line ${e + 1} is empty`);
  if (origin != v.name) no(`checkpoint: origin is not ${v.name}, the name of its key`);
  return {origin, size: +size, root: r};
}

/* ---- Merkle proofs, RFC 9162 2.1.3.2 and 2.1.4.2 (merkle.c) ---- */
const half = n => Math.floor(n / 2);
async function inclusion(leaf, index, size, proof, root) {
  if (index < 0 || index >= size || proof.length > 64) return false;
  let fn = index, sn = size - 1, h = leaf;
  for (const p of proof) {
    if (sn == 0) return false;
    if (fn % 2 || fn == sn) { h = await node(p, h); while (fn % 2 == 0 && fn != 0) { fn /= 2; sn = half(sn); } }
    else h = await node(h, p);
    fn = half(fn); sn = half(sn);
  }
  return sn == 0 && eq(h, root);
}
async function consistency(old, size, oldRoot, root, proof) {
  if (old < 0 || old > size) return false;
  if (old == size) return !proof.length && eq(oldRoot, root);
  if (old == 0) return !proof.length;
  if (!proof.length || proof.length > 64) return false;
  let p2 = old; while (p2 % 2 == 0) p2 /= 2;
  let i = p2 == 1 ? 0 : 1, fr = i ? proof[0] : oldRoot, sr = fr, fn = old - 1, sn = size - 1;
  while (fn % 2) { fn = half(fn); sn = half(sn); }
  for (; i < proof.length; i++) {
    if (sn == 0) return false;
    const p = proof[i];
    if (fn % 2 || fn == sn) { fr = await node(p, fr); sr = await node(p, sr); while (fn % 2 == 0 && fn != 0) { fn /= 2; sn = half(sn); } }
    else sr = await node(sr, p);
    fn = half(fn); sn = half(sn);
  }
  return sn == 0 && eq(fr, oldRoot) && eq(sr, root);
}

/* ---- a consistency proof computed from the hash tiles (RFC 9162 2.1.4.1),
   where the log serves no /proof/ (a published tree, a mirror; net/tilereader.c):
   nothing read is trusted, the proof is verified as one served ---- */
const pow2below = n => { let k = 1; while (k * 2 < n) k *= 2; return k; };
const tileIdx = i => { const s = String(i), d = s.padStart(3 * Math.ceil(s.length / 3), '0'); return d.match(/.../g).map((g, j, a) => j < a.length - 1 ? 'x' + g : g).join('/'); };
async function tileProof(old, size) {
  const tiles = new Map();
  /* Hash tile i of level L as the tree of size has it; a partial tile is
     removed once its tile is full, which is then read instead. */
  const tile = (L, i) => {
    const key = L + '/' + i;
    if (!tiles.has(key)) tiles.set(key, (async () => {
      const w = Math.min(256, Math.floor(size / 2 ** (8 * L)) - i * 256), path = `${ROOT}/tile/${L}/${tileIdx(i)}`;
      let r = await fetch(w < 256 ? `${path}.p/${w}` : path), full = w == 256;
      if (r.status == 404 && !full) { r = await fetch(path); full = true; }
      if (!r.ok) no(`tile/${L}/${tileIdx(i)}: HTTP ${r.status}`);
      const b = new Uint8Array(await r.arrayBuffer());
      if (b.length != (full ? 256 : w) * 32) no(`tile/${L}/${tileIdx(i)} is ${b.length} bytes, not ${full ? 256 : w} hashes`);
      return b;
    })());
    return tiles.get(key);
  };
  /* The root of the perfect subtree of leaves [lo, lo + 2^l): 2^(l%8) hashes
     of its hash tile of level l>>3, hashed together. */
  const perfect = async (l, lo) => {
    const s = l % 8, at = lo / 2 ** (l - s), f = at % 256, t = await tile(l >> 3, Math.floor(at / 256));
    let h = [];
    for (let j = f; j < f + 2 ** s; j++) h.push(t.subarray(32 * j, 32 * j + 32));
    if (h[h.length - 1].length != 32) no('a tile is shorter than the tree');
    while (h.length > 1) { const up = []; for (let j = 0; j < h.length; j += 2) up.push(await node(h[j], h[j + 1])); h = up; }
    return h[0];
  };
  /* MTH of leaves [lo, lo + n) */
  const mth = async (lo, n) => {
    const k = pow2below(n);
    if (n == 1 || k * 2 == n) { let l = 0; while (2 ** l < n) l++; return perfect(l, lo); }
    return node(await mth(lo, k), await mth(lo + k, n - k));
  };
  const sub = async (m, lo, n, b) => {
    if (m == n) return b ? [] : [await mth(lo, n)];
    const k = pow2below(n);
    return m <= k ? [...await sub(m, lo, k, b), await mth(lo + k, n - k)] : [...await sub(m - k, lo + k, n - k, false), await mth(lo, k)];
  };
  return sub(old, 0, size, true);
}

/* ---- entries (entry.c) ---- */
const FIELDS = new Set('venue venue-seq prev kind name address interval-days type title performed expires provider doc attestation submitted-by revokes reason display-name vkey quorum witness logged'.split(' '));
const ORDER = new Map(Object.entries({venue: 'venue venue-seq prev kind name address interval-days logged',
  document: 'venue venue-seq prev kind type title performed expires? provider? doc attestation? submitted-by logged',
  revocation: 'venue venue-seq prev kind revokes reason submitted-by logged',
  'provider-key': 'kind name display-name vkey logged', 'provider-revoke': 'kind name reason logged',
  'witness-policy': 'kind quorum witness* logged'})
  .map(([k, o]) => [k, o.split(' ').map(x => ({f: x.replace(/[?*]$/, ''), opt: /[?*]$/.test(x)}))]));
/* witness, the one key on lines in a row (0 to 10 of them). */
const REPEATED = k => k == 'witness';
const TYPES = 'sanitization disinfection pest-control hvac water protocol form other'.split(' ');
const MIMES = ['application/pdf', 'image/png', 'image/jpeg'];
const venueKind = k => k == 'venue' || k == 'document' || k == 'revocation';
async function entry(t) {
  const n = /^[\x20-\x7e\n]*$/.test(t) ? t.length : enc.encode(t).length;
  if (n > 4096) no(`entry is ${n} bytes, more than 4096`);
  if (!t) no('empty entry');
  if (!t.endsWith('\n')) no(`line ${t.split('\n').length}: no newline at the end (truncated?)`);
  const raw = t.slice(0, -1).split('\n'), L = [];
  if (raw[0] != 'sanilog-entry v1') no('line 1: not "sanilog-entry v1"');
  for (let i = 1; i < raw.length; i++) {
    const s = raw[i], ln = i + 1, sp = s.indexOf(' '), k = sp < 0 ? s : s.slice(0, sp);
    if (!s) no(`line ${ln}: empty line`);
    if (!k) no(`line ${ln}: starts with a space`);
    if (!FIELDS.has(k)) no(`line ${ln}: unknown key` + (/^[\w-]{1,32}$/.test(k) ? ` "${k}"` : ''));
    if (sp < 0) no(`line ${ln}: ${k}: no value`);
    const v = s.slice(sp + 1), why = valueWhy(v, k == 'vkey' ? 300 : k == 'witness' ? 350 : 200);
    if (why) no(`line ${ln}: ${k}: ${why}`);
    if (L.length == 14) no(`line ${ln}: too many lines`);
    L.push({ln, k, v});
  }
  if (!L.length) no('no lines after the first');
  const kl = L.find(l => l.k == 'kind'); if (!kl) no('no kind line');
  const kind = kl.v, o = ORDER.get(kind), at = {};
  if (!o) no(`line ${kl.ln}: kind: unknown kind`);
  let cur = 0;
  for (const l of L) {
    let j = cur; while (j < o.length && o[j].f != l.k && o[j].opt) j++;
    if (j < o.length && o[j].f == l.k) { at[l.k] ??= l.ln; cur = REPEATED(l.k) ? j : j + 1; continue; }
    if (at[l.k] && !REPEATED(l.k)) no(`line ${l.ln}: ${l.k}: duplicate (first on line ${at[l.k]})`);
    if (!o.some(x => x.f == l.k)) no(`line ${l.ln}: ${l.k}: not a key of a ${kind} entry`);
    no(`line ${l.ln}: ${l.k}: out of order` + (j < o.length ? ` (expected ${o[j].f})` : ''));
  }
  for (let j = cur; j < o.length; j++) if (!o[j].opt) no(`line ${L[L.length - 1].ln + 1}: missing ${o[j].f} (the entry ends)`);
  const e = {kind, expires: '', provider: '', attestation: '', witnesses: []};
  for (const l of L) {
    const v = l.v, bad = m => no(`line ${l.ln}: ${l.k}: ${m}`);
    switch (l.k) {
    case 'venue': if (!/^[a-kmnp-z2-9]{8}$/.test(v)) bad('not a venue id (8 characters of "abcdefghijkmnpqrstuvwxyz23456789")'); e.venue = v; break;
    case 'venue-seq': case 'revokes': e[l.k] = num(v); if (e[l.k] == null) bad('not a canonical decimal number'); break;
    case 'prev': if (v != '-' && !/^[0-9a-f]{64}$/.test(v)) bad('not 64 lowercase hex digits or "-"'); e.prev = v == '-' ? null : v; break;
    case 'name': if (!venueKind(kind) && !keyName(v)) bad("not a valid signed-note key name (no spaces, no '+')"); e.name = v; break;
    case 'interval-days': e.interval = num(v, 3650); if (!e.interval) bad('not a canonical decimal from 1 to 3650'); break;
    case 'type': if (!TYPES.includes(v)) bad('unknown document type'); e.type = v; break;
    case 'performed': case 'expires': if (!dateOk(v)) bad('not a real date YYYY-MM-DD'); e[l.k] = v; break;
    case 'doc': {
      const m = /^([0-9a-f]{64}) ([^ ]*) (.*)$/.exec(v);
      if (!m) bad('not "<64 lowercase hex> <size> <type>"');
      e.sha = m[1]; e.size = num(m[2]);
      if (!e.size) bad('size is not a canonical decimal of at least 1');
      if (!MIMES.includes(m[3])) bad('type is not application/pdf, image/png or image/jpeg');
      e.mime = m[3]; break;
    }
    case 'attestation': {
      const sp = v.indexOf(' '), pl = sp < 0 ? -1 : v.slice(0, sp).indexOf('+');
      if (pl < 0) bad('not "<name>+<key hash> <base64 signature>"');
      const name = v.slice(0, pl), hash = v.slice(pl + 1, sp), sig = b64(v.slice(sp + 1));
      if (!keyName(name)) bad('key name is not a valid signed-note key name');
      if (!/^[0-9a-f]{8}$/.test(hash)) bad('key hash is not 8 lowercase hex digits');
      if (!sig || sig.length != 68) bad('signature is not standard padded base64 of 68 bytes');
      if (hex(sig.slice(0, 4)) != hash) bad("key hash differs from the signature's");
      if (!e.provider) bad('present without a provider line');
      if (name != e.provider) bad('key name is not the provider');
      e.attestation = v; e.att = {name, hash, sig: sig.slice(4)}; break;
    }
    case 'submitted-by': if (v != 'owner' && v != 'operator') bad('not "owner" or "operator"'); e.by = v; break;
    case 'vkey': e.vkey = v; try { e.vk = await vkey(v); } catch (x) { no(`line ${l.ln}: vkey: ${x.message}`); }
      if (e.vk.name != e.name) bad("key name is not the entry's name"); break;
    case 'quorum': e.quorum = num(v, 10); if (e.quorum == null) bad('not a canonical decimal from 0 to 10'); break;
    case 'witness': {
      const W = e.witnesses, sp = v.indexOf(' ');
      if (W.length == 10) bad('more than 10 witnesses');
      if (sp < 0) bad('not "<vkey> <URL>"');
      let w; try { w = await vkey1(v.slice(0, sp), 4); } catch (x) { bad('witness verifier key: ' + x.message); }
      if (!/^https?:\/\/[\x21-\x7e]+$/.test(v.slice(sp + 1))) bad('URL is not http:// or https:// and printable ASCII without spaces');
      for (const p of W) {
        if (p.name == w.name) bad(`the name ${w.name} is already the witness of line ${p.ln}`);
        if (p.pk == w.pk) bad(`the key is already the witness's of line ${p.ln}`);
      }
      W.push({...w, ln: l.ln, vkey: v.slice(0, sp), url: v.slice(sp + 1)}); break;
    }
    case 'logged': if (!timeOk(v)) bad('not a real time YYYY-MM-DDTHH:MM:SSZ'); e.logged = v; break;
    default: e[l.k] = v; /* address title provider reason display-name */
    }
  }
  if (venueKind(kind)) {
    if (e['venue-seq'] == 0 && e.prev) no(`line ${at.prev}: prev: must be "-" at venue-seq 0`);
    if (e['venue-seq'] != 0 && !e.prev) no(`line ${at.prev}: prev: "-" is only for venue-seq 0`);
    if (e['venue-seq'] == 0 && kind != 'venue') no(`line ${at.kind}: kind: venue-seq 0 must be kind venue`);
  }
  if (kind == 'witness-policy') {
    const q = e.quorum, n = e.witnesses.length;
    if (!n && q) no(`line ${at.quorum}: quorum: ${q} with no witness line (only quorum 0 has none)`);
    if (n && !q) no(`line ${at.quorum}: quorum: 0 with witness lines (quorum 0, the end of witnessing, has none)`);
    if (q > n) no(`line ${at.quorum}: quorum: ${q} is more than the ${n} witnesses`);
  }
  if (kind == 'revocation' && (e.revokes < 1 || e.revokes >= e['venue-seq'])) no(`line ${at.revokes}: revokes: not an earlier document of the venue (1 to venue-seq - 1)`);
  if (kind == 'document') {
    if (e.expires && days(e.expires) < days(e.performed)) no(`line ${at.expires}: expires: before performed`);
    if (days(e.performed) > days(e.logged.slice(0, 10))) no(`line ${at.performed}: performed: after the date of logged`);
  }
  e.seq = e['venue-seq'];
  return e;
}

/* ---- the bundle, as bundle.c reads it (a failure is rule 0) ---- */
const obj = o => o && typeof o == 'object' && !Array.isArray(o), K4 = ['origin', 'vkey', 'checkpoint', 'venue'];
/* The lists of items, each always there: policy the witness-policy entries. */
const LISTS = ['entries', 'providers', 'policy'];
function bundleOf(b) {
  let B;
  /* jansson takes neither U+0000 nor a lone surrogate; in text that
     decodes as UTF-8 and parses as JSON, either can only come of a \u
     escape: without one, the strings need no look (the common case). */
  const bad = s => /\0|\p{Cs}/u.test(s);
  try {
    const t = new TextDecoder('utf-8', {fatal: true}).decode(b);
    B = /\\u(0000|[dD][89a-fA-F])/.test(t) ? JSON.parse(t, (k, v) => bad(k) || typeof v == 'string' && bad(v) ? no('U+0000 or a lone surrogate') : v) : JSON.parse(t);
  } catch (x) { no(`not a bundle: not JSON (${x.message})`); }
  if (!obj(B)) no('not a bundle: not a JSON object');
  if (!K4.some(k => k in B)) no('not a bundle: no origin, vkey, checkpoint or venue');
  for (const k in B) if (!K4.includes(k) && !LISTS.includes(k)) no(`bundle: unknown key "${k.slice(0, 64)}"`);
  if (K4.some(k => typeof B[k] != 'string')) no('bundle: origin, vkey, checkpoint and venue must be strings');
  if (!/^[a-kmnp-z2-9]{8}$/.test(B.venue)) no('bundle: venue: not a venue id');
  for (const k of LISTS) {
    if (!Array.isArray(B[k])) no(k + ': not an array');
    B[k].forEach((x, i) => {
      const w = `${k}[${i}]`;
      if (!obj(x) || Object.keys(x).length != 3) no(w + ': needs exactly index, entry, proof');
      if (!Number.isSafeInteger(x.index) || x.index < 0) no(w + '.index: not a non-negative integer');
      if (i && x.index <= B[k][i - 1].index) no(w + ': not sorted by index');
      if (typeof x.entry != 'string' || enc.encode(x.entry).length > 4096) no(w + '.entry: not an entry string');
      if (!Array.isArray(x.proof) || x.proof.length > 64) no(w + '.proof: not an array of at most 64 hashes');
      x.proof.forEach((h, j) => /^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=$/.test(h) || no(`${w}.proof[${j}]: not a base64 SHA-256 hash`));
    });
  }
  return B;
}

/* Rule 1, under key (text) or the bundle's own. */
async function rule1(B, pinned, key) {
  let V, CP = null;
  if (key && B.vkey != key) add(1, false, 'key', `the bundle's vkey ${B.vkey} is not the expected log key ${key}`);
  try { V = await vkey(key || B.vkey); } catch (x) { add(1, false, 'key', `the bundle's vkey is not a verifier key: ${x.message}`); return {V, CP}; }
  if (!key) add(1, true, 'key', (pinned ? 'log key, to be matched with the poster: ' : 'log key taken from the bundle, not pinned (no poster pin in the URL): ') + B.vkey);
  try { CP = checkpoint(await openNote(B.checkpoint, V), V); } catch (x) { add(1, false, 'cp', `the checkpoint is not signed by the log key ${V.name}+${V.hash}: ${x.message}`); }
  if (CP && !Number.isSafeInteger(CP.size)) CP = add(1, false, 'cp', `tree size ${CP.size} is beyond what this verifier computes with (2^53)`) && null;
  if (CP) add(1, B.origin == CP.origin, B.origin == CP.origin ? 'cp' : 'origin', B.origin == CP.origin ? `checkpoint of origin ${CP.origin}, tree size ${CP.size}, signed by ${V.name}+${V.hash}` : `the bundle's origin ${B.origin} is not the checkpoint's ${CP.origin}`);
  return {V, CP};
}

/* Rules 2, 3, 5, 6, 7 (by today's date) and 10 (by now, POSIX seconds). */
async function rules(B, CP, today, now) {
  /* Parse everything, hash every leaf. */
  const slot = async (x, what) => {
    const s = {index: x.index, x, leaf: await leafHash(x.entry), where: `${what}entry ${x.index}`};
    try { s.e = await entry(x.entry); } catch (y) { s.err = y.message; }
    return s;
  };
  const [E, PR, PL] = await Promise.all([['entries', ''], ['providers', 'provider '], ['policy', 'policy ']].map(([k, w]) => Promise.all(B[k].map(x => slot(x, w)))));
  const ours = s => s.e && venueKind(s.e.kind) && s.e.venue == B.venue;
  for (const s of E) {
    if (!s.e) { add(3, false, 'form', `${s.where} does not parse: ${s.err}`); continue; }
    if (!venueKind(s.e.kind)) { add(3, false, 'kind', `${s.where} is kind ${s.e.kind}, not an entry of a venue`); continue; }
    s.where += ` (venue-seq ${s.e.seq})`;
    if (s.e.venue != B.venue) add(3, false, 'venue', `${s.where} is of venue ${s.e.venue}, not of the bundle's venue ${B.venue}`);
  }
  PR.forEach(s => {
    if (!s.e) add(5, false, 'prov', `${s.where} does not parse: ${s.err}`);
    else if (s.e.kind != 'provider-key' && s.e.kind != 'provider-revoke') { add(5, false, 'prov', `${s.where} is kind ${s.e.kind}, not provider-key or provider-revoke`); s.e = null; }
    else s.where += ` (${s.e.kind} ${s.e.name})`;
  });
  /* Rule 2: the newest entry, and the witness policy in force (rule 10's),
     are in the signed tree. */
  const proofOk = s => s.ok ??= CP ? inclusion(s.leaf, s.index, CP.size, s.x.proof.map(b64), CP.root) : Promise.resolve(false);
  const pol = inForce(PL, Infinity);
  if (!CP) add(2, false, 'incl', 'not checked: the checkpoint did not verify');
  else if (!E.length) add(2, false, 'incl', 'the bundle holds no entry');
  else {
    let f = 0;
    const n = E[E.length - 1], beyond = s => s.index >= CP.size && (f = 1, !add(2, false, 'incl', `${s.where}: index ${s.index} is not in the checkpoint's tree of size ${CP.size}`));
    for (const s of [...E.slice(0, -1), ...PR, ...PL.filter(s => s != pol)]) beyond(s);
    for (const s of pol ? [n, pol] : [n])
      if (!beyond(s) && !await proofOk(s)) f = add(2, false, 'incl', `${s.where}: inclusion proof does not verify against the checkpoint (tree size ${CP.size})`) || 1;
    if (!f) add(2, true, 'incl', `${n.where}, the newest, is included in the checkpoint of tree size ${CP.size}` + (pol ? `, and so is the witness policy in force, ${pol.where}` : ''));
  }
  /* Rule 3: the chain. */
  const fails = r => checks.filter(c => !c.ok && c.rule == r).length, f3 = m => add(3, false, 'chain', m);
  /* Logged never goes back along the log: the venue's entries and the
     provider entries, merged by index, each against the newest before it. */
  {
    let top = null, j = 0;
    const P = PR.filter(q => q.e), at = s => {
      if (top && s.e.logged < top.e.logged) f3(`${s.where}: logged ${s.e.logged} is before entry ${top.index}'s ${top.e.logged}`);
      if (!top || s.index > top.index) top = s;
    };
    for (const s of E) {
      for (; j < P.length && P[j].index < s.index; j++) at(P[j]);
      if (ours(s)) at(s);
    }
    for (; j < P.length; j++) at(P[j]);
  }
  let last = null;
  E.forEach((s, i) => {
    const p = E[i - 1];
    if (!ours(s)) return;
    const broken = p && !ours(p), prevIs = q => s.e.prev == hex(q.leaf), e = s.e;
    if (!last) {
      if (e.seq == 0) { if (e.kind != 'venue') f3(`${s.where}: the first entry is kind ${e.kind}, not kind venue`); }
      else if (broken) { if (!prevIs(p)) f3(`${s.where}: prev does not match the leaf hash of ${p.where}`); }
      else f3(`${s.where}: the chain does not start at venue-seq 0: its first entry is venue-seq ${e.seq}`);
      last = s; return;
    }
    if (e.seq <= last.e.seq) return f3(`${s.where}: comes after venue-seq ${last.e.seq} (duplicate or out of order)`);
    if (e.seq == last.e.seq + 1) { if (!prevIs(last)) f3(`${s.where}: prev does not match the leaf hash of venue-seq ${last.e.seq}`); }
    else if (broken) { if (!prevIs(p)) f3(`${s.where}: prev does not match the leaf hash of ${p.where}`); }
    else f3(`${s.where}: venue-seq ${last.e.seq + 1}${e.seq == last.e.seq + 2 ? ' is' : ' to ' + (e.seq - 1) + ' are'} missing from the chain`);
    last = s;
  });
  if (!E.length) f3('the bundle holds no entry');
  if (!fails(3)) add(3, true, 'chain', `${E.length} entries, venue-seq 0 to ${last.e.seq}, each prev the leaf hash of the entry before, starting with kind venue`);
  const items = E.filter(ours);
  /* The last of xs (in index order) whose key is below k, or undefined. */
  const lastBelow = (xs, k, key) => {
    let lo = 0, hi = xs ? xs.length : 0;
    while (lo < hi) { const m = (lo + hi) >> 1; if (key(xs[m]) < k) lo = m + 1; else hi = m; }
    return lo ? xs[lo - 1] : undefined;
  };
  const groupBy = (xs, key) => { const g = new Map(); xs.forEach((x, i) => { const k = key(x); if (!g.has(k)) g.set(k, []); g.get(k).push([x, i]); }); return g; };
  /* Rule 6: revocations, each of the last earlier entry of its venue-seq. */
  let nrev = 0;
  const bySeq = groupBy(items, x => x.e.seq);
  items.forEach((rv, i) => {
    if (rv.e.kind != 'revocation') return;
    nrev++;
    const f = lastBelow(bySeq.get(rv.e.revokes), i, x => x[1]), t = f && f[0], w = `${rv.where}: revokes venue-seq ${rv.e.revokes}`;
    if (!t) add(6, false, 'rev', w + ', no such earlier entry of the chain');
    else if (t.e.kind != 'document') add(6, false, 'rev', `${w}, a kind ${t.e.kind} entry, not a document`);
    else if (t.revoked) add(6, false, 'rev', w + ', which is already revoked');
    else t.revoked = rv.e.reason;
  });
  if (!fails(6)) add(6, true, 'rev', nrev ? `${nrev} revocation(s), each of an earlier document not yet revoked` : 'no revocations');
  /* Rule 5: attestations, against the key in force, as the log takes it: the
     newest provider entry of that name before the document, a key (not
     revoked or replaced since); and a provider-revoke ends a key in force. */
  const att = items.filter(s => s.e.kind == 'document' && s.e.att);
  const byName = groupBy(PR.filter(p => p.e), p => p.e.name);
  for (const p of PR) if (p.e && p.e.kind == 'provider-revoke') {
    const f = lastBelow(byName.get(p.e.name), p.index, x => x[0].index);
    if (!f || f[0].e.kind != 'provider-key') add(5, false, 'prov', `${p.where}: ends no key: no provider-key of ${p.e.name} is in force before it`);
  }
  /* A provider-key does not repeat the key in force under the same display name. */
  for (const p of PR) if (p.e && p.e.kind == 'provider-key') {
    const f = lastBelow(byName.get(p.e.name), p.index, x => x[0].index), k = f && f[0].e;
    if (k && k.kind == 'provider-key' && k.vkey == p.e.vkey && k['display-name'] == p.e['display-name'])
      add(5, false, 'prov', `${p.where}: provider ${p.e.name}: this key is already registered, with this display name (entry ${f[0].index})`);
  }
  await Promise.all(att.map(async s => {
    const a = s.e.att, e = s.e, f = lastBelow(byName.get(a.name), s.index, x => x[0].index), p = f && f[0];
    let why;
    if (!p) {
      const later = (byName.get(a.name) || []).find(([q]) => q.e.kind == 'provider-key' && q.e.vk.hash == a.hash);
      why = later ? `the key is logged at index ${later[0].index}, not before the document` : 'no provider-key entry of that name and key hash before the document';
    } else if (p.e.kind == 'provider-revoke') why = `the provider's key was revoked at index ${p.index}, before the document`;
    else if (p.e.vk.hash != a.hash) why = `the provider's key in force is ${a.name}+${p.e.vk.hash} (index ${p.index})`;
    else if (!await proofOk(p)) why = `${p.where}: inclusion proof ` + (CP ? 'does not verify against the checkpoint' : 'not checked (no verified checkpoint)');
    else {
      const t = `sanilog-attestation v1\nvenue ${e.venue}\ndoc ${e.sha}\ntype ${e.type}\nperformed ${e.performed}\nexpires ${e.expires || '-'}\n`;
      if (await S.verify('Ed25519', p.e.vk.key, a.sig, enc.encode(t))) { s.attested = p.e['display-name']; return; }
      why = `attestation: signature by ${a.name}+${a.hash} does not verify over the document's fields`;
    }
    add(5, false, 'att', `${s.where}: attestation by ${a.name}+${a.hash} does not verify: ${why}`);
  }));
  if (!fails(5)) add(5, true, 'att', att.length ? `${att.length} attestation(s) verify, each against its provider's key in force at its document (logged before it, neither replaced nor revoked since)` : 'no document carries an attestation');
  /* Rule 7: freshness, by today's date. */
  let venue = null, latest = null;
  for (const s of items) {
    if (s.e.kind == 'venue') venue = s.e;
    if (s.e.kind == 'document' && s.e.type == 'sanitization' && !s.revoked && (!latest || days(s.e.performed) >= days(latest.e.performed))) latest = s;
  }
  /* The next sanitization is due on performed + the interval, or on the
     expiry when sooner; revokedOnly: no valid one, but a revoked one. */
  let fresh = 'none', late = false, exp = false, next = null;
  const revokedOnly = !latest && items.some(s => s.e.kind == 'document' && s.e.type == 'sanitization' && s.revoked);
  if (!latest) add(7, true, 'fresh', 'no valid sanitization: ' + (revokedOnly ? 'every document of type sanitization is revoked' : 'no document of type sanitization that is not revoked'));
  else {
    const e = latest.e, since = days(today) - days(e.performed), iv = venue ? venue.interval : 30;
    late = since > iv; exp = !!e.expires && days(today) > days(e.expires);
    next = dateOf(Math.min(days(e.performed) + iv, e.expires ? days(e.expires) : Infinity));
    fresh = exp ? 'expired' : late ? 'late' : 'ok';
    add(7, true, 'fresh', `newest sanitization: ${latest.where}, performed ${e.performed}, ${since} days before ${today} (this phone's date); ${late ? 'OVERDUE' : 'within the interval'} (interval ${iv} days)` + (e.expires ? `; expires ${e.expires}${exp ? ': EXPIRED' : ''}` : '') + `; next due ${next}`);
  }
  return {items, venue, latest, fresh, late, exp, next, revokedOnly, policy: PL, wit: await witnesses(B, CP, PL, now)};
}

/* ---- rule 10: the witnesses (witness.c) ---- */
/* The policy in force below tree size n: the last item of PL (rules'
   slots) of a lower index that is a witness-policy entry, or undefined. */
const inForce = (PL, n) => PL.filter(s => s.e && s.e.kind == 'witness-policy' && s.index < n).pop();
/* How long ago a seconds are, [unit, N]: the CLI says "N unit" (age),
   the card js_ago_<unit>. */
const ageOf = a => a < 60 ? ['s', a] : a < 3600 ? ['min', Math.floor(a / 60)] : a < 86400 ? ['h', Math.floor(a / 3600)] : [a < 172800 ? 'day' : 'days', Math.floor(a / 86400)];
const age = a => { const [u, n] = ageOf(a); return `${n} ${u}`; };
/* POSIX seconds t (a BigInt) as YYYY-MM-DDTHH:MM:SSZ, or in decimal past
   the year 9999. */
const timeOf = t => {
  if (t >= 253402300800n) return String(t);
  const n = Number(t), d = Math.floor(n / 86400), s = n - d * 86400;
  return `${dateOf(d)}T${pad2(Math.floor(s / 3600))}:${pad2(Math.floor(s / 60) % 60)}:${pad2(s % 60)}Z`;
};
/* A cosignature dated more than this after now is refused. */
const FUTURE = 600;
/* The policy items (PL, parsed: rules' slots) and the cosignatures on the
   checkpoint, against the policy in force (inForce): every line of a
   policy witness (its name and key ID) must verify over the checkpoint's
   body and not be dated past now + FUTURE; the quorum of witnesses must
   have a valid one, each counted once.  Returns {n, m, k, list: [{name,
   age}]: the witnesses with a valid cosignature, in the policy's order,
   the age of the newest in seconds}; null when no policy, or one of quorum
   0, is in force (not witnessed), or without a checkpoint (rule 1 failed). */
async function witnesses(B, CP, PL, now) {
  for (const s of PL) {
    if (!s.e) add(10, false, 'wpol', `${s.where} does not parse: ${s.err}`);
    else if (s.e.kind != 'witness-policy') add(10, false, 'wpol', `${s.where} is kind ${s.e.kind}, not witness-policy`);
  }
  const pol = inForce(PL, Infinity);
  if (!CP) return null; /* rule 1 failed: no checkpoint to read */
  if (!pol || !pol.e.quorum) return add(10, true, 'wit', 'not witnessed: ' + (pol ? `witnessing ended at entry ${pol.index}` : 'the log names no witnesses')) && null;
  const W = pol.e.witnesses, k = pol.e.quorum, m = W.length, best = new Map();
  const note = B.checkpoint, i = note.lastIndexOf('\n\n'), body = note.slice(0, i + 1);
  for (const l of note.slice(i + 2, -1).split('\n')) {
    const sp = l.indexOf(' ', 2), name = l.slice(2, sp), raw = b64(l.slice(sp + 1)), id = hex(raw.slice(0, 4));
    const w = W.find(w => w.name == name && w.hash == id);
    if (!w) continue; /* the log's own signature (rule 1's), or another key's */
    const ts = raw.length == 76 ? raw.slice(4, 12).reduce((t, x) => t << 8n | BigInt(x), 0n) : -1n;
    const msg = enc.encode(`cosignature/v1\ntime ${ts}\n${body}`);
    if (ts < 0n || ts >= 2n ** 63n || !await S.verify('Ed25519', w.key, raw.slice(12), msg)) { add(10, false, 'cosig', `the cosignature of ${name} does not verify`); continue; }
    if (ts > BigInt(now + FUTURE)) { add(10, false, 'cosig', `the cosignature of ${name} is dated ${timeOf(ts)}, in the future`); continue; }
    if (!best.has(w) || best.get(w) < ts) best.set(w, ts);
  }
  const list = W.filter(w => best.has(w)).map(w => ({name: w.name, age: Math.max(0, now - Number(best.get(w)))})), n = list.length;
  const of = `countersigned by ${n} of ${m} witness${m == 1 ? '' : 'es'}`;
  if (n >= k) add(10, true, 'wit', `${of}: ` + list.map(x => `${x.name} (${age(x.age)} ago)`).join(', '));
  else add(10, false, 'wit', `${of} (${list.map(x => x.name).join(', ') || 'none'}), fewer than the quorum of ${k}`);
  return {n, m, k, list};
}
/* The change of the witness policy since the tree of size since (the
   poster's pin), smaller than the checkpoint's, size: the policy in force
   then against now's, {since, removed: [names], before, now} when now's
   lacks a witness then's had (by key), or has a lower quorum; else null. */
function policyChange(PL, since, size) {
  const was = inForce(PL, since), pol = inForce(PL, Infinity);
  if (!(since > 0 && since < size) || !was || was == pol) return null;
  const removed = was.e.witnesses.filter(w => !pol.e.witnesses.some(x => x.vkey == w.vkey)).map(w => w.name);
  return removed.length || pol.e.quorum < was.e.quorum ? {since, removed, before: was.e.quorum, now: pol.e.quorum} : null;
}

/* again: when the first record was older than the poster's pin, {size, newest}:
   its tree size and that of the log's newest checkpoint. */
async function verify(again) {
  const b = await fetch(VBASE + '/bundle.json', {cache: 'no-store'}).then(r => r.ok ? r.arrayBuffer() : no('HTTP ' + r.status)).catch(x => no(`cannot fetch ${VBASE}/bundle.json: ${x.message}`));
  let B;
  try {
    B = bundleOf(b);
    if (B.venue != VENUE) no(`the bundle is of venue ${B.venue}, not of this page's ${VENUE}`);
  } catch (x) { no('bundle.json: ' + x.message); }
  /* Rule 1 and the pin. */
  const pin = pinOf(), {V, CP} = await rule1(B, !!pin);
  if (pin && V) {
    const newest = await pinCheck(pin, B, V, CP, again);
    if (newest) { checks.length = 0; return verify({size: CP.size, newest}); }
  }
  /* Rules 2 to 7 and 10, rule 7 by this phone's date, rule 10 by its clock. */
  const d = new Date(), today = `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())}`;
  const R = await rules(B, CP, today, Math.floor(d.getTime() / 1000)), {items, latest} = R;
  /* The witness policy since the poster was made: weaker is said, not failed. */
  const pc = pin && !pin.bad && CP ? policyChange(R.policy, pin.n, CP.size) : null;
  /* Rule 6 again: the page shows this record, revoked documents marked, none
     hidden: its part of the history (pages.h), the PAGE_DOCS newest documents
     below ?before= and the newest valid sanitization, the older a link away,
     and the changes of the venue's details among them. */
  const st = $('state'), pf = [], docs = items.filter(s => s.e.kind == 'document'), lis = document.querySelectorAll('#docs>li');
  const txt = q => { const el = main.querySelector(q); return el ? el.textContent : null; };
  const bq = new URLSearchParams(location.search).get('before'), below = bq == null ? Infinity : /^(0|[1-9][0-9]*)$/.test(bq) ? +bq : NaN;
  const under = docs.filter(s => s.e.seq < below), run = under.slice(-PAGE_DOCS), shown = latest && !run.includes(latest) ? [...run, latest] : run;
  const older = under.length > run.length ? run[0].e.seq : null, ol = main.querySelector('#older');
  const vcs = items.filter(s => s.e.kind == 'venue' && s.e.seq > 0 && s.e.seq < below && (older == null || s.e.seq > older));
  if (Number.isNaN(below)) pf.push(`the page's address asks for ?before=${bq}, not a venue-seq`);
  if (R.venue && txt('h1') != R.venue.name) pf.push(`the page's name "${txt('h1')}" is not the record's "${R.venue.name}"`);
  if (R.venue && txt('.addr') != R.venue.address) pf.push(`the page's address is not the record's "${R.venue.address}"`);
  if (st && st.dataset.latest != (latest ? String(latest.e.seq) : '')) pf.push(`the page's newest sanitization is not the record's (venue-seq ${latest ? latest.e.seq : 'none'})`);
  if (st && (st.dataset.next || '') != (R.next || '')) pf.push(`the page's next due date ${st.dataset.next || '(none)'} is not the record's ${R.next || '(none)'}`);
  if (lis.length != shown.length + vcs.length) pf.push(`the page lists ${lis.length} documents and changes of the venue, this page of the record holds ${shown.length + vcs.length}`);
  for (const s of shown) {
    const li = $('s' + s.e.seq), w = `document venue-seq ${s.e.seq}`, a = li && li.querySelector('a');
    if (!li || !li.matches('#docs>li:not(.vc)')) { pf.push(w + ' is not on the page'); continue; }
    if (li.querySelector('h3').textContent != s.e.title) pf.push(w + ': the title differs');
    if (!a || !a.getAttribute('href').endsWith('/d/' + s.e.sha)) pf.push(w + ': the link is not to its file');
    else if (a.dataset.size != String(s.e.size)) pf.push(w + `: the page gives its file ${a.dataset.size} bytes, not the ${s.e.size} of its doc line`);
    if (li.classList.contains('rv') != !!s.revoked) pf.push(w + (s.revoked ? ' is revoked but not shown as revoked' : ' is shown as revoked but is not'));
    if (!!li.querySelector('.sig') != !!s.attested) pf.push(w + (s.attested ? ': the provider signature is not shown' : ': shown as signed, but no signature verified'));
  }
  for (const s of vcs) {
    const li = $('s' + s.e.seq), w = `the change of the venue's details at venue-seq ${s.e.seq}`;
    const was = items.filter(q => q.e.kind == 'venue' && q.index < s.index).pop(), e = s.e;
    if (!li || !li.matches('#docs>li.vc')) { pf.push(w + ' is not on the page'); continue; }
    const same = was && was.e.name == e.name && was.e.address == e.address && was.e.interval == e.interval;
    for (const f of ['name', 'address']) if ((!was || same || was.e[f] != e[f]) && !li.textContent.includes(e[f])) pf.push(`${w}: the page does not show its ${f}`);
  }
  if (older != null && (!ol || new URL(ol.href).searchParams.get('before') != String(older))) pf.push(`the page does not link to the documents before venue-seq ${older}`);
  if (older == null && ol) pf.push('the page links to older documents, but it shows the oldest');
  const part = shown.length == docs.length ? `${docs.length} document(s)` : `${shown.length} of ${docs.length} documents (the ${run.length} newest${bq == null ? '' : ` below venue-seq ${bq}`}${shown != run ? ', and the newest valid sanitization' : ''}), the others a link away`;
  add(6, !pf.length, 'page', pf.length ? pf.slice(0, 5).join('; ') + (pf.length > 5 ? `; and ${pf.length - 5} more` : '') : `the page shows the record: ${part}, revoked ones marked, none hidden` + (vcs.length ? `, and ${vcs.length} change(s) of the venue's details` : ''));
  for (const s of docs) byHash[s.e.sha] = s.e;
  await docChecks();
  return {today, fresh: R.fresh, wit: R.wit, pc};
}

/* ---- the poster's pin ---- */
function pinOf() {
  const q = new Map();
  let twice = null;
  for (const kv of location.hash.slice(1).split('&')) {
    const i = kv.indexOf('='), key = kv.slice(0, i);
    if (i <= 0) continue;
    if (q.has(key) && 'knr'.includes(key) && key.length == 1) twice = key;
    if (!q.has(key)) q.set(key, kv.slice(i + 1));
  }
  if (!(q.has('k') || q.has('n') || q.has('r'))) return null;
  /* As the CLI (print/pin.c): a pin naming a value twice is ambiguous. */
  if (twice) return {bad: `the pin in the URL gives ${twice}= more than once`};
  const k = b64u(q.get('k')), r = b64u(q.get('r')), n = num(q.get('n') || '');
  return k && r && n != null ? {k, n, r} : {bad: 'the pin in the URL is not #k=<22 base64url>&n=<tree size>&r=<22 base64url>'};
}
/* A record of a tree older than the poster's cannot show that nothing was
   logged for the venue since: the page asks for the log's newest checkpoint
   and, when that is at least the poster's, returns its size for verify() to
   fetch the record again (a copy cached a while); a record still older
   (again) fails, as does a log whose newest is older than the poster. */
async function pinCheck(pin, B, V, CP, again) {
  /* Rule 8, the log's history as the poster saw it; only the key is rule 1's, as in the CLI. */
  const f = (m, rule = 8) => add(rule, false, 'pin', m);
  if (pin.bad) return f(pin.bad);
  if (!eq((await sha(enc.encode(B.vkey))).slice(0, 16), pin.k)) return f(`the log key ${V.name}+${V.hash} is not the key on the poster`, 1);
  if (!CP) return f('not checked: the checkpoint did not verify');
  if (CP.size < pin.n) {
    const old = `this record is older than the one the poster pins (it is of the log at ${CP.size} entries, the poster of the log at ${pin.n})`;
    if (again) return f(`STALE RECORD: ${old}; the log's newest checkpoint has ${again.newest} entries, yet asked again it gave this record: the log may be withholding later entries`);
    let top;
    try { top = checkpoint(await openNote(await get(`${ROOT}/checkpoint`), V), V); } catch (x) { return f(`STALE RECORD: ${old}, and the log's newest checkpoint cannot be had: ${x.message}`); }
    if (top.size >= pin.n) return top.size;
    return f(`ROLLBACK: ${old}; the log's newest checkpoint has ${top.size} entries, fewer than it had when the poster was made (a log that rolled back, or a mirror that lags)`);
  }
  let old, proof = [], tiled = false;
  try { old = checkpoint(await openNote(await getKept(pin.n), V), V); } catch (x) { return f(`the checkpoint of size ${pin.n}: ${x.message}`); }
  if (old.size != pin.n) return f(`the checkpoint of size ${pin.n} the log gave is of size ${old.size}`);
  if (!eq(old.root.slice(0, 16), pin.r)) return f(`the log's checkpoint of size ${pin.n} has another root than the poster's: the log rewrote its history`);
  if (pin.n != CP.size) {
    try {
      const r = await fetch(`${ROOT}/proof/consistency?old=${pin.n}&new=${CP.size}`, {cache: 'no-store'});
      /* A log served as static files has no /proof/: the proof from its tiles. */
      if ((tiled = r.status == 404)) proof = await tileProof(pin.n, CP.size);
      else proof = (await text(r)).split('\n').filter(Boolean).map(h => { const b = b64(h); if (!b || b.length != 32) no('a proof line is not base64 of 32 bytes'); return b; });
    } catch (x) { return f(`consistency proof from ${pin.n} to ${CP.size}: ${x.message}`); }
  }
  if (!await consistency(pin.n, CP.size, old.root, CP.root, proof)) return f(`FORK: the log of size ${CP.size} does not extend the log of size ${pin.n} on the poster (consistency proof does not verify)`);
  add(8, true, 'pin', `matches the poster: the log key, and the log of size ${CP.size} extends the one of size ${pin.n} (consistency proof${tiled ? ' computed from the log\'s tiles' : ''})` +
    (again ? `; the record first fetched, of the log at ${again.size} entries, was older than the poster, so it was fetched again` : ''));
}

/* ---- rule 4: what is wrong with a document's bytes d (null: none), as
   verify.c's fetch_one says it, or '' ---- */
const byHash = {};
const MAGIC = {'application/pdf': [37, 80, 68, 70, 45], 'image/png': [137, 80, 78, 71, 13, 10, 26, 10], 'image/jpeg': [255, 216, 255]};
async function docWhy(h, d, e) {
  if (!d) return `document ${h} not found`;
  if (e && d.length > e.size) return `document ${h} is larger than the ${e.size} bytes of its doc line`;
  const g = hex(await sha(d)), m = Object.keys(MAGIC).find(t => MAGIC[t].every((x, i) => d[i] == x));
  if (g != h) return `document bytes hash to ${g}, not to the doc line's ${h}`;
  if (e && d.length != e.size) return `document ${h} is ${d.length} bytes, not the doc line's ${e.size}`;
  return e && m != e.mime ? `document ${h} is ${m || 'not a PDF, PNG or JPEG'}, not ${e.mime} as its doc line says` : '';
}
/* The bytes of document h, at most max of them (a longer one is cut there,
   and fails as longer than its doc line); null when the server has no such
   document (a 4xx other than 429); throws when it cannot be fetched. */
async function docBytes(h, max) {
  const r = await fetch(ROOT + '/d/' + h);
  if (!r.ok) return r.status >= 400 && r.status < 500 && r.status != 429 ? null : no('HTTP ' + r.status);
  const cl = num(r.headers.get('Content-Length') || '');
  if (cl != null && cl <= max) return new Uint8Array(await r.arrayBuffer()); /* the whole at once */
  const rd = r.body.getReader(), parts = [];
  for (let n = 0; n < max;) {
    const {done, value} = await rd.read();
    if (done) break;
    parts.push(value); n += value.length;
  }
  rd.cancel().catch(() => {});
  const b = cat(...parts);
  return b.length > max ? b.slice(0, max) : b;
}
/* One document of the page: '' when its file is the logged one, else why
   not (English, for the technical list); bad: whether the file failed (not
   only could not be fetched). */
async function docCheck(h, e) {
  try { const w = await docWhy(h, await (early.get(h + ' ' + e.size) || limit(() => docBytes(h, e.size + 1))), e); return {w, bad: !!w}; }
  catch (x) { return {w: `document ${h} could not be fetched: ${x.message}`, bad: false}; }
}
/* At most four fetches of files at a time, leaving two of a browser's six
   connections to a host to the verification's: f, when its turn comes. */
let active = 0;
const waiting = [];
const limit = f => new Promise((res, rej) => {
  const go = () => { active++; f().then(res, rej).finally(() => { active--; if (waiting.length) waiting.shift()(); }); };
  if (active < 4) go(); else waiting.push(go);
});
/* The files fetched while the bundle is fetched and verified, by "<sha256>
   <size>": those of the page's documents within the budget, by the sizes
   the page gives (each link's data-size), a cap on the bytes read only (the
   checks take the bundle's entries, and fetch again what is not here; the
   page check holds the page's sizes to the bundle's). */
const early = new Map();
function prefetch() {
  let total = 0;
  for (const a of document.querySelectorAll('#docs>li:not(.vc)>a')) {
    const h = a.getAttribute('href').slice(-64), n = num(a.dataset.size || ''), k = h + ' ' + n;
    if (!n || early.has(k) || total + n > DOCS_BUDGET) continue;
    total += n;
    const p = limit(() => docBytes(h, n + 1));
    p.catch(() => {}); /* docCheck reports it */
    early.set(k, p);
  }
}
/* The files of the page's documents, newest first, while they add up to at
   most DOCS_BUDGET bytes, four at a time (most fetched already: prefetch);
   a failure marks its document on
   the page and fails rule 4; the others get a "Check file" button. */
let docFail = null, docsOnTap = 0;
async function docChecks() {
  const todo = [];
  let total = 0;
  for (const li of document.querySelectorAll('#docs>li:not(.vc)')) {
    const a = li.querySelector('a'), h = a && a.getAttribute('href').slice(-64), e = h && byHash[h];
    if (!e) continue; /* the page check names it */
    if (total + e.size <= DOCS_BUDGET) { total += e.size; todo.push({li, h, e}); } else { docsOnTap++; fileButton(a, h, e); }
  }
  let nbad = 0;
  const rs = await Promise.all(todo.map(({h, e}) => docCheck(h, e)));
  todo.forEach(({li, e}, j) => {
    const r = rs[j];
    if (!r.w) return;
    nbad++;
    add(4, false, 'docs', `document venue-seq ${e.seq} ("${e.title}"): ${r.w}`);
    if (!docFail) docFail = e; /* the newest */
    const p = document.createElement('p');
    p.className = 'bad';
    p.textContent = '✗ ' + t(r.bad ? 'js_file_bad' : 'js_file_cant');
    li.querySelector('a').before(p);
  });
  if (!nbad) add(4, true, 'docs', todo.length ? `${todo.length} document(s) of this page fetched and hashed: each is the file of its doc line (SHA-256, size, type)` + (docsOnTap ? `; ${docsOnTap} more, past ${DOCS_BUDGET} bytes in all, checked on "Check file"` : '')
    : docsOnTap ? `${docsOnTap} document(s), past ${DOCS_BUDGET} bytes in all, checked on "Check file"` : 'no documents on this page');
}
/* A document past the budget: checked when the user asks. */
function fileButton(a, h, e) {
  const b = document.createElement('button'), r = document.createElement('span');
  b.type = 'button'; b.className = 'chk'; b.textContent = t('js_file_check');
  r.setAttribute('role', 'status');
  b.onclick = async () => {
    r.textContent = ' …';
    const {w, bad} = await docCheck(h, e);
    r.textContent = (w ? ' ✗ ' : ' ✓ ') + t(w ? bad ? 'js_file_bad' : 'js_file_cant' : 'js_file_ok');
    r.className = w ? 'bad' : 'sig';
    r.title = w; /* the detail, for who asks */
  };
  a.after(b, r);
}

/* ---- run and report ---- */
/* The verdict's colour and headline, by precedence: failed > expired >
   overdue > none > current. */
const VERDICT = {ok: 'current', late: 'overdue', expired: 'expired', none: 'none'};
const HEAD = {current: 'js_current_h', overdue: 'state_overdue_h', expired: 'state_expired_h', none: 'state_none_h'};
async function run() {
  const st = $('state') || {dataset: {}}, h2 = $('state-h');
  const set = (s, m) => { out.dataset.state = s; out.textContent = m; };
  const cli = $('cli');
  if (location.hash) for (const a of [...document.querySelectorAll('.top nav a'), $('older'), $('newest')]) if (a) a.href += location.hash; /* keep the pin */
  if (cli && cli.textContent.startsWith('sanilog verify /')) cli.textContent = 'sanilog verify ' + location.origin + VBASE;
  const t0 = performance.now();
  set('pending', t('js_checking'));
  if (!S || !window.TextDecoder) return set('unsupported', t('js_unsupported') + ' ' + t('js_https'));
  try { await S.importKey('raw', Uint8Array.from('d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a'.match(/../g), x => parseInt(x, 16)), {name: 'Ed25519'}, false, ['verify']); }
  catch (x) { return set('unsupported', t('js_unsupported')); }
  let R = null;
  /* The bundle's request first, then the files': a browser opens six
     connections to a host, four of them for the files. */
  const pv = verify();
  prefetch();
  try { R = await pv; } catch (x) { add(0, false, 'bundle', x.message); }
  checks.sort((a, b) => a.rule - b.rule);
  /* In words, one line a kind of check; in detail, every check. */
  const words = $('verify-list'), seen = new Map(), li = (ul, ok, m) => {
    const el = document.createElement('li');
    el.className = ok ? 'yes' : 'no'; el.textContent = `${ok ? '✓' : '✗'} ${m}`; ul.append(el);
  };
  for (const c of checks) seen.set(kindOf(c.n), (seen.get(kindOf(c.n)) ?? true) && c.ok);
  const WI = R && R.wit, v = {today: R ? R.today : '', title: docFail ? docFail.title : '', ...WI};
  /* The witnesses' check passes when the log names none: other words. */
  const key = (n, ok) => (ok ? 'js_c_' : 'js_x_') + n + (ok && n == 'wit' && !WI ? '_none' : '');
  if (words) { words.textContent = ''; for (const [n, ok] of seen) li(words, ok, t(key(n, ok), v).replace(/\.$/, '')); }
  list.textContent = '';
  /* The first FAILS_SHOWN failed checks, and how many more, as a CLI report. */
  let nf = 0;
  for (const c of checks) if (c.ok || ++nf <= FAILS_SHOWN) li(list, c.ok, `${NAMES[c.n] || c.n}${c.rule ? ` (rule ${c.rule})` : ''}: ${c.detail}`);
  if (nf > FAILS_SHOWN) li(list, false, `and ${nf - FAILS_SHOWN} more failed checks, not shown`);
  if (R && R.pc) policyBox(st, R.pc, list);
  const bad = checks.find(c => !c.ok), server = !!$('alarm-h');
  const fresh = R ? VERDICT[R.fresh] : out.dataset.freshness;
  out.dataset.freshness = fresh;
  if (bad || server) {
    st.dataset.verdict = 'failed';
    if (h2) h2.textContent = t('js_fail_h');
    const more = [...seen.values()].filter(ok => !ok).length > 1;
    set('fail', (bad ? t('js_x_' + kindOf(bad.n), v) : t('js_x_server')) + (more ? ' ' + t('js_fail_more') : ''));
    $('verify-more').open = true;
  } else {
    /* The phone's date may give another state than the server's. */
    const differs = st.dataset.fresh != R.fresh;
    st.dataset.verdict = fresh;
    if (differs && h2) h2.textContent = t(HEAD[fresh]);
    set('ok', t('js_ok') + (seen.has('pin') ? ' ' + t('js_ok_pin') : '') + (docsOnTap ? ' ' + t('js_ok_tap') : '') + (differs ? ' ' + t('js_phone_date', v) : ''));
    if (WI) witnessLine(out.parentNode, WI);
  }
  out.dataset.ms = Math.round(performance.now() - t0);
}
/* The card's line of who countersigned, and how long ago, after el. */
function witnessLine(el, W) {
  const p = document.createElement('p'), ago = a => { const [u, n] = ageOf(a); return t('js_ago_' + u, {n}); };
  p.id = 'witnessed';
  p.textContent = t('js_wit', {n: W.n, m: W.m, list: W.list.map(x => t('js_wit_one', {name: x.name, ago: ago(x.age)})).join(', ')});
  el.after(p);
}
/* The warning box under the verdict: the witness policy is weaker than
   when the poster was made; and its line in the technical list, as the
   CLI says it. */
function policyBox(st, c, list) {
  const box = document.createElement('section'), h = document.createElement('h2'), say = (k, v) => {
    const p = document.createElement('p'); p.textContent = t(k, v); box.append(p);
  };
  box.id = 'policy-change'; box.className = 'warn'; box.setAttribute('aria-labelledby', 'policy-change-h');
  h.id = 'policy-change-h'; h.textContent = t('js_pc_h');
  box.append(h);
  if (c.removed.length) say('js_pc_removed', {names: c.removed.join(', ')});
  if (c.now < c.before) say('js_pc_quorum', {before: c.before, now: c.now});
  say('js_pc_why');
  if (st.after) st.after(box);
  const el = document.createElement('li');
  el.className = 'pc';
  el.textContent = `! witness policy changed since tree size ${c.since} (the poster's pin): ` + (c.removed.length ? `removed ${c.removed.join(', ')}; ` : '') + `quorum ${c.before} -> ${c.now}`;
  list.append(el);
}
/* For tests/web/test_browser_parity.sh and test_vectors.sh. */
window.sanilog = {entry, vkey, openNote, checkpoint, inclusion, consistency, bundleOf, rule1, rules, docWhy, checks, dateOf, policyChange};
if (out && list && VENUE) run();
})();
