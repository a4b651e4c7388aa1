#!/bin/sh
# Grows the seed corpora of the fuzz harnesses, tests/fuzz/corpus/<name>/,
# from tests/cli's golden files, keys and documents (and a few hand-made
# inputs where tests/cli has none: request targets, uploads, pins).
#
#   usage: tools/fuzz_seeds.sh
#
# Run from the repository's top.  Writes only seed-*.txt files (the seeds
# it owns, replaced each time); other files in a corpus (crashes kept as
# test cases) are left alone.  Every seed is small (the largest is a
# golden bundle of 4 KB).
set -eu
G=tests/cli/golden
K=tests/cli/keys
C=tests/fuzz/corpus
[ -d "$G" ] || {
	echo "fuzz_seeds.sh: run it from the repository's top" >&2
	exit 2
}
for d in attest bundle checkpoint codec entry http_request note pin proof \
	tiles upload venue_url verify; do
	mkdir -p "$C/$d"
	rm -f "$C/$d"/seed-*.txt
done

# seed NAME FILE: copies FILE as a seed of NAME; seed_text NAME TAG TEXT.
seed() { cp "$2" "$C/$1/seed-$(basename "$2" | tr '.' '-').txt"; }
seed_text() { printf '%s' "$3" >"$C/$1/seed-$2.txt"; }

for f in "$G"/read/entry-*.out; do seed entry "$f"; done
for f in "$G"/read/checkpoint*.out; do
	seed checkpoint "$f"
	seed note "$f"
done
seed note "$G/build/04-attest.out"
seed note "$K/log.vkey"
seed note "$K/provider.vkey"
seed note "$K/wrong-log.key"
seed attest "$G/build/04-attest.out"
sed -n 's/^attestation //p' "$G/read/entry-3.out" | tr -d '\n' \
	>"$C/attest/seed-line.txt"
for f in "$G"/read/export-*.json; do
	seed bundle "$f"
	seed verify "$f"
done
cp "$G/read/export-p3x8vz2e.json" "$C/verify/seed-own-key.txt"
printf '!' >>"$C/verify/seed-own-key.txt"

# Proofs: "index size" or "old new", then the proof as served.
for f in "$G"/read/proof-inclusion-*.out; do
	n=$(basename "$f" .out)
	n=${n#proof-inclusion-}
	case $n in
	*-size-*) set -- "${n%%-size-*} ${n##*-size-}" ;;
	*) set -- "$n 10" ;;
	esac
	{ echo "$1"; cat "$f"; } >"$C/proof/seed-inclusion-$n.txt"
done
for f in "$G"/read/proof-consistency-*.out; do
	n=$(basename "$f" .out)
	n=${n#proof-consistency-}
	{ echo "${n%-*} ${n#*-}"; cat "$f"; } >"$C/proof/seed-consistency-$n.txt"
done

# The pin of the golden log at its checkpoint of size 10.
pin=$(python3 - "$K/log.vkey" "$G/read/checkpoint.out" <<'EOF'
import base64, hashlib, sys
key = open(sys.argv[1], "rb").read().rstrip(b"\n")
cp = open(sys.argv[2]).read().split("\n")
b64 = lambda b: base64.urlsafe_b64encode(b[:16]).decode().rstrip("=")
root = base64.b64decode(cp[2])
print("k=%s&n=%s&r=%s" % (b64(hashlib.sha256(key).digest()), cp[1], b64(root)))
EOF
)
seed_text pin golden "$pin"
seed_text pin reordered "x=1&r=${pin##*&r=}&&k=$(echo "$pin" | sed 's/^k=\([^&]*\).*/\1/')&n=10"
seed_text venue_url pinned "https://test.sanilog.example/v/k7m2q9xa#$pin"
seed_text venue_url bare "http://127.0.0.1:8080/v/p3x8vz2e/"
seed_text venue_url prefix "https://example.org/log/v/k7m2q9xa?lang=it#lang=it&$pin"

seed_text codec b64 "wBRfCEFzJ33nd8NZOiXP51xUDtV4BIDMS/Kna0fSy3M="
seed_text codec b64url "${pin#k=}"
seed_text codec hex "79a412c51218c66ca1a84f684c7ae1cb15883835017c34fd720e328875b2d2ad"
seed_text codec dec "9223372036854775807"

# Request targets (and headers) on the fuzz service's log (lib/server.h).
i=0
for t in "/" "/v/k7m2q9xa" "/v/?id=k7m2q9xa" "/v/k7m2q9xa/bundle.json" \
	"/checkpoint" "/checkpoint/1" "/tile/0/000.p/1" "/tile/entries/000.p/2" \
	"/tile/8/x001/x234/067" "/proof/inclusion?index=0&size=2" \
	"/proof/consistency?old=1&new=2" "/assets/style.css" "/healthz" \
	"/metrics" "/owner/login" "/owner" \
	"/d/79a412c51218c66ca1a84f684c7ae1cb15883835017c34fd720e328875b2d2ad"; do
	i=$((i + 1))
	seed_text http_request "$i" "$t"
done
seed_text http_request lang "/v/k7m2q9xa?lang=it
Accept-Language: it-IT,it;q=0.9
Accept-Encoding: gzip, deflate;q=0"
seed_text http_request etag "/assets/verify.js
If-None-Match: \"abc\"
Cookie: sl_session=x; sl_csrf=y"

# Uploads: the Content-Type line, then the body.
crlf() { sed 's/$/\r/'; }
{
	echo "multipart/form-data; boundary=FuzzB0undary"
	{
		echo "--FuzzB0undary"
		echo 'Content-Disposition: form-data; name="file"; filename="ozone.pdf"'
		echo "Content-Type: application/pdf"
		echo
		echo "%PDF-1.4 ozone"
		for kv in type=sanitization "title=Sanificazione ambienti" \
			performed=2026-11-20 expires=2027-05-20; do
			echo "--FuzzB0undary"
			echo "Content-Disposition: form-data; name=\"${kv%%=*}\""
			echo
			echo "${kv#*=}"
		done
		echo "--FuzzB0undary--"
	} | crlf
} >"$C/upload/seed-document.txt"
{
	echo "multipart/form-data; boundary=FuzzB0undary"
	{
		echo "--FuzzB0undary"
		echo 'Content-Disposition: form-data; name="file"; filename="a.pdf"'
		echo
		echo "%PDF-1.4"
		echo "--FuzzB0undary"
		echo 'Content-Disposition: form-data; name="provider"'
		echo
		echo "cleanco.example"
		echo "--FuzzB0undary"
		echo 'Content-Disposition: form-data; name="attestation"; filename="a.att"'
		echo
		cat "$G/build/04-attest.out"
		echo "--FuzzB0undary--"
	} | crlf
} >"$C/upload/seed-attested.txt"
printf 'application/x-www-form-urlencoded\ntype=form&title=T%%C3%%A9&performed=2026-01-02&file=%%25PDF-1.4' \
	>"$C/upload/seed-urlencoded.txt"
printf 'Rapplication/x-www-form-urlencoded\nseq=1&reason=wrong+file' \
	>"$C/upload/seed-revocation.txt"

# Entry tiles: the golden log's entries, each after its uint16 length.
python3 - "$G/read" "$C/tiles" <<'EOF'
import glob, os, sys
entries = [open(os.path.join(sys.argv[1], "entry-%d.out" % i), "rb").read()
           for i in range(10)]
def tile(es):
    return b"".join(len(e).to_bytes(2, "big") + e for e in es)
open(os.path.join(sys.argv[2], "seed-golden.txt"), "wb").write(tile(entries))
open(os.path.join(sys.argv[2], "seed-first.txt"), "wb").write(tile(entries[:4]))
EOF
echo "fuzz_seeds.sh: $(ls "$C"/*/seed-*.txt | wc -l) seeds in $C"
