#!/bin/sh
# make demo: a demo database with venues, a provider and documents, in
# ./demo/ (replaced on every run), then what to try next.
set -eu
S=${1:-build/sanilog}
dir=demo
rm -rf "$dir"
mkdir -p "$dir"
export SANILOG_DB="$dir/sanilog.db"
port=${DEMO_PORT:-8080}
url="http://127.0.0.1:$port"
"$S" init --origin demo.sanilog.localhost --base-url "$url" >/dev/null 2>&1
VK=$("$S" provider keygen --name cleanco.example --out "$dir/cleanco.key")
"$S" provider add "$VK" --display-name "CleanCo Sanificazioni Srl" >/dev/null

# Small but real documents: a PDF and a PNG made on the spot.
pdf="$dir/certificate.pdf"
printf '%%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%%%EOF\n' >"$pdf"
png="$dir/protocol.png"
printf '\211PNG\r\n\032\n' >"$png"
printf 'demo protocol' >>"$png"

add_venue() { # name address interval -> venue id, token in $dir/ID.token
	out=$("$S" venue add --name "$1" --address "$2" --interval-days "$3" --json)
	id=$(printf '%s' "$out" | sed -n 's/.*"venue": "\([^"]*\)".*/\1/p')
	printf '%s' "$out" | sed -n 's/.*"token": "\([^"]*\)".*/\1/p' >"$dir/$id.token"
	printf '%s' "$id"
}
bar=$(add_venue "Bar Roma" "Via Roma 1, 00185 Roma" 30)
gym=$(add_venue "Palestra Aurora" "Corso Italia 12, 20122 Milano" 60)
school=$(add_venue "Scuola Primaria G. Rodari" "Via dei Mille 5, 40121 Bologna" 90)

today=$(date -u +%Y-%m-%d)
ago() { date -u -d "$1 days ago" +%Y-%m-%d; }
later() { date -u -d "$1 days" +%Y-%m-%d; }

"$S" attest --key "$dir/cleanco.key" --venue "$bar" --file "$pdf" \
	--type sanitization --performed "$(ago 5)" --expires "$(later 175)" \
	-o "$dir/bar.att" 2>/dev/null
"$S" cert add --venue "$bar" --file "$pdf" --type sanitization \
	--title "Sanificazione ambienti con ozono" --performed "$(ago 5)" \
	--expires "$(later 175)" --provider cleanco.example \
	--attestation "$dir/bar.att" >/dev/null
"$S" cert add --venue "$bar" --file "$png" --type protocol \
	--title "Protocollo di pulizia giornaliera" --performed "$(ago 20)" >/dev/null
"$S" cert add --venue "$gym" --file "$pdf" --type sanitization \
	--title "Sanificazione spogliatoi" --performed "$(ago 75)" >/dev/null
"$S" cert add --venue "$gym" --file "$png" --type hvac \
	--title "Pulizia filtri impianto" --performed "$(ago 10)" >/dev/null
"$S" cert revoke --venue "$gym" --seq 2 --reason "wrong venue on the form" >/dev/null
"$S" cert add --venue "$school" --file "$pdf" --type pest-control \
	--title "Derattizzazione" --performed "$(ago 2)" >/dev/null

echo "demo: log in $SANILOG_DB (key $SANILOG_DB.key), made $today"
echo
"$S" venue list
echo
echo "Posters for the door (the QR code pins this log):"
for v in "$bar" "$gym" "$school"; do
	"$S" poster "$v" --format pdf -o "$dir/poster-$v.pdf" >/dev/null 2>&1
	"$S" poster "$v" --format png -o "$dir/poster-$v.png" >/dev/null 2>&1
	echo "  $dir/poster-$v.pdf  $dir/poster-$v.png  ($url/v/$v/poster.pdf)"
done
echo "Venue pages (verified in the browser):"
for v in "$bar" "$gym" "$school"; do
	echo "  $url/v/$v"
done
echo "Sign in as the owner of $bar, on a phone or here (the link works once,"
echo "within 24 hours; \`sanilog venue link $bar\` makes another):"
echo "  $("$S" venue link "$bar" --json | sed -n 's/.*"login_link": "\([^"]*\)".*/\1/p')"
echo "Upload as the owner of $bar (token shown once at creation):"
echo "  curl -H 'Authorization: Bearer $(cat "$dir/$bar.token")' \\"
echo "    -F file=@$pdf -F type=form -F title='Modulo' -F performed=$today \\"
echo "    $url/api/v1/venues/$bar/documents"
echo "From the command line:"
echo "  SANILOG_DB=$SANILOG_DB $S venue show $bar"
echo "  SANILOG_DB=$SANILOG_DB $S verify"
echo
echo "Serving on $url (Ctrl-C stops it)"
exec "$S" serve --listen "127.0.0.1:$port" --base-url "$url"
