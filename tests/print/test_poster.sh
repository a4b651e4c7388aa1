#!/usr/bin/env bash
#
# test_poster.sh: `sanilog poster` and `sanilog scan`, end to end.
#
#   SANILOG=/abs/path/to/sanilog tests/print/test_poster.sh
#
# Builds a log with the CLI in a temporary directory (venues with long,
# accented and right-to-left names), makes posters in every format and
# paper size (A4, A5, A6, US Letter) and language, and checks that:
#   - each file is what it says (PDF, SVG, PNG), the QR code is vector in
#     PDF and SVG, and no text reaches the page's margins in any paper;
#   - the PNG is one that pngcheck and file accept (where installed);
#   - the PNG scans back to exactly the URL the command printed, also after
#     it is rotated 7 degrees, blurred, noised and shrunk to a quarter, and
#     as a JPEG; the PDF (through pdftoppm) and the SVG (through
#     rsvg-convert) scan back too;
#   - the pin in the URL is right: k is base64url of the first 16 bytes of
#     SHA-256 of `sanilog key`'s line, n the size of the smallest kept
#     checkpoint holding the venue's newest entry (each command here keeps
#     a checkpoint: venue number i's newest entry is 2i + 1, so n is
#     2i + 2), r the first 16 bytes of its root; a poster printed after
#     other venues' entries pins the same, one after the venue's own new
#     entry the checkpoint of that entry;
#   - the text is there in every language: the heading in it and in
#     English, the name, the address, the labelled venue code, what the
#     code shows and "Go to <site> and enter code <code>" (the site with
#     the base URL's path); every paper in every language scans;
#   - the base URL comes from --base-url, else the database, else an error
#     naming --base-url;
#   - the format is the name's: .pdf, .svg, .png in any case; another
#     extension, none without --format, or a --format that says otherwise
#     is an error (exit 2) that writes nothing;
#   - names in Arabic, Hebrew, Chinese (with Japanese and Korean) and a
#     long Latin name make posters in every format: the PNG is valid, has
#     ink in the name's box, and scans; the PDF's text holds the name, so
#     no glyph is missing (where fonts-wqy-microhei gives CJK);
#   - scan exits 1 on an image without a code, 2 on a file that is not an
#     image, a truncated image, or a missing file.
# ImageMagick, poppler-utils and librsvg2-bin are used by this test only;
# when run as root it installs whichever is missing.
# Exit status: 0 when every check passed, 1 otherwise, 2 when it cannot run.

HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../lib/test.sh
. "$HERE/../lib/test.sh"
test_begin test_poster sanilog sha256sum basenc base64 cmp

# The real ImageMagick (a stand-in called convert may come first in PATH).
CONVERT=convert
[ -x /usr/bin/convert ] && CONVERT=/usr/bin/convert
have_tools() {
	"$CONVERT" -version 2>/dev/null | grep -q ImageMagick &&
		command -v pdftoppm >/dev/null && command -v pdftotext >/dev/null &&
		command -v pdfinfo >/dev/null &&
		command -v rsvg-convert >/dev/null
}
if ! have_tools && [ "$(id -u)" -eq 0 ]; then
	echo "test_poster: installing imagemagick poppler-utils librsvg2-bin" >&2
	export DEBIAN_FRONTEND=noninteractive
	{ apt-get update -q || true; } >/dev/null 2>&1
	apt-get install -y -q --no-install-recommends imagemagick \
		poppler-utils librsvg2-bin >/dev/null 2>&1 || true
	[ -x /usr/bin/convert ] && CONVERT=/usr/bin/convert
fi
have_tools || test_cannot "needs ImageMagick's convert, pdftoppm," \
	"pdftotext and rsvg-convert (imagemagick poppler-utils librsvg2-bin)"
# The names on posters are UTF-8.
export LC_ALL=C.UTF-8
# Under `make asan`: fontconfig, which Pango starts, keeps a few hundred
# bytes it never frees (the same amount for one poster or a thousand).
# Not ours; LeakSanitizer is told to skip it.
echo "leak:libfontconfig.so" >"$TMP/lsan.supp"
export LSAN_OPTIONS="${LSAN_OPTIONS:+$LSAN_OPTIONS:}suppressions=$TMP/lsan.supp"

# shellcheck disable=SC2086
sl() { $RUNNER "$SANILOG" "$@" --db "$DB"; }
scan() { $RUNNER "$SANILOG" scan "$@"; }

# same NAME GOT WANT
same() {
	if [ "$2" = "$3" ]; then ok; else bad "$1: got '$2', want '$3'"; fi
}

# ---------------------------------------------------------------------------
# A log: three venues and a document each.

HOST=posters.example.org
sl init --base-url "https://$HOST/" --origin example.org/sanilog \
	>/dev/null 2>&1
NAMES=(
	"Palestra Comunale Polivalente «San Francesco d'Assisi» – Centro Sportivo, Ricreativo e Culturale per la Terza Età, Sezione Nuoto, Ginnastica Correttiva e Riabilitazione Motoria, Via dei Mille"
	"Caffè Città Perù – Crêperie Ñandú & Größe Straße"
	"מסעדת הים התיכון 2024 (תל אביב) مطعم الشام للمأكولات الشرقية"
	"Supercalifragilisticexpialidociousvenuenamewithoutanyspacesatallwhichgoesonandonandonuntilitcannotfit"
)
IDS=(k7m2q9xa abcdefgh hjkmnpqr stuvwxyz)
for i in "${!IDS[@]}"; do
	sl venue add --id "${IDS[$i]}" --name "${NAMES[$i]}" \
		--address "Via Roma $i, Roma" >/dev/null 2>&1
	sl cert add --venue "${IDS[$i]}" --file "$DOCS/ozone.pdf" \
		--type sanitization --title "Sanificazione $i" \
		--performed 2025-01-1$i >/dev/null 2>&1
done

# ---------------------------------------------------------------------------
# The pin, worked out here from `sanilog key` and `sanilog checkpoint`.

b64url16() { basenc --base64url | tr -d '='; }
hex_to_bytes() { printf "$(sed 's/../\\x&/g')"; }

VKEY=$(sl key)
K=$(printf '%s' "$VKEY" | sha256sum | cut -c1-32 | hex_to_bytes | b64url16)
sl checkpoint >"$TMP/cp"
N=$(sed -n 2p "$TMP/cp")
R=$(sed -n 3p "$TMP/cp" | base64 -d | head -c 16 | b64url16)
same "pin k length" "${#K}" 22
same "pin r length" "${#R}" 22
same "checkpoint size" "$N" $((2 * ${#IDS[@]}))
# The pin of venue id: the kept checkpoint of size 2i + 2 (IDS[i] = id).
pin_n() {
	local i
	for i in "${!IDS[@]}"; do
		[ "${IDS[$i]}" = "$1" ] && echo $((2 * i + 2))
	done
}
pin_r() {
	sl checkpoint --size "$1" | sed -n 3p | base64 -d | head -c 16 | b64url16
}
declare -A PIN_R
for id in "${IDS[@]}"; do PIN_R[$id]=$(pin_r "$(pin_n "$id")"); done
same "the last venue pins the newest checkpoint" \
	"${PIN_R[${IDS[-1]}]}" "$R"
same "the first venue pins the checkpoint of size 2" "$(pin_n k7m2q9xa)" 2
url_of() { echo "https://$HOST/v/$1#k=$K&n=$(pin_n "$1")&r=${PIN_R[$1]}"; }

# ---------------------------------------------------------------------------
# Posters in every format and paper.

is_white_margin() { # is_white_margin PNG: nothing drawn near the edges
	local f=$1 m
	m=$("$CONVERT" "$f" -gravity West -crop 5%x100%+0+0 +repage \
		-format '%[fx:minima]' info:)
	[ "$m" = 1 ] || return 1
	m=$("$CONVERT" "$f" -gravity East -crop 5%x100%+0+0 +repage \
		-format '%[fx:minima]' info:)
	[ "$m" = 1 ] || return 1
	m=$("$CONVERT" "$f" -gravity North -crop 100%x3%+0+0 +repage \
		-format '%[fx:minima]' info:)
	[ "$m" = 1 ] || return 1
	m=$("$CONVERT" "$f" -gravity South -crop 100%x3%+0+0 +repage \
		-format '%[fx:minima]' info:)
	[ "$m" = 1 ]
}

# png_valid PNG: pngcheck and file accept it as 8-bit grey (where they
# are installed).
png_valid() {
	if command -v pngcheck >/dev/null; then
		check "$1: pngcheck" pngcheck -q "$1"
	fi
	if command -v file >/dev/null; then
		check "$1: file says 8-bit grey PNG" bash -c \
			"file '$1' | grep -q 'PNG image data, .* 8-bit grayscale'"
	fi
}

for id in "${IDS[@]}"; do
	want=$(url_of "$id")
	for paper in a4 a5 a6 letter; do
		for fmt in pdf svg png; do
			f=$TMP/$id-$paper.$fmt
			got=$(sl poster "$id" --format "$fmt" --paper "$paper" \
				-o "$f" 2>"$TMP/err") ||
				{ bad "poster $id $paper $fmt: $(cat "$TMP/err")"; continue; }
			same "poster $id $paper $fmt: printed URL" "$got" "$want"
			case $fmt in
			pdf) check "$f is a PDF" grep -q '^%PDF-' "$f"
			     check "$f: no raster image" \
				     bash -c "! grep -aq '/Subtype */Image' '$f'" ;;
			svg) check "$f is an SVG" grep -q '<svg' "$f"
			     check "$f: no raster image" \
				     bash -c "! grep -q '<image' '$f'" ;;
			png) check "$f is a PNG" bash -c \
				     "head -c 8 '$f' | od -An -tx1 | grep -q '89 50 4e 47 0d 0a 1a 0a'"
			     check "$f: text inside the margins" \
				     is_white_margin "$f"
			     png_valid "$f"
			     same "scan $f" "$(scan "$f")" "$want" ;;
			esac
		done
	done
done

# Page sizes: A4, A5, A6, Letter portrait in points, and the PNG at 200 dpi.
for paper in a4:595x841 a5:419x595 a6:297x419 letter:612x792; do
	p=${paper%%:*}
	size=$(pdfinfo "$TMP/k7m2q9xa-$p.pdf" 2>/dev/null |
		sed -n 's/^Page size: *\([0-9]*\)\(\.[0-9]*\)\? x \([0-9]*\).*/\1x\3/p')
	same "PDF $p page size" "$size" "${paper#*:}"
done
same "A4 PNG pixels" "$("$CONVERT" "$TMP/k7m2q9xa-a4.png" -format '%wx%h' info:)" \
	1654x2339
same "Letter PNG pixels" \
	"$("$CONVERT" "$TMP/k7m2q9xa-letter.png" -format '%wx%h' info:)" 1700x2200
same "A4 PNG grey" "$("$CONVERT" "$TMP/k7m2q9xa-a4.png" -format '%[colorspace]' info:)" \
	Gray

# Photographed badly: rotated, blurred, noised, shrunk to a quarter; and
# as a JPEG.  One paper per venue, each paper at least once.
papers=(a4 a5 a6 letter)
for i in "${!IDS[@]}"; do
	id=${IDS[$i]}
	p=${papers[$i]}
	want=$(url_of "$id")
	"$CONVERT" "$TMP/$id-$p.png" -rotate 7 -blur 0x1 +noise Gaussian \
		-resize 25% "$TMP/$id-$p-photo.png"
	same "scan $id $p rotated, blurred, noised, 25%" \
		"$(scan "$TMP/$id-$p-photo.png")" "$want"
	"$CONVERT" "$TMP/$id-$p-photo.png" -quality 80 "$TMP/$id-$p-photo.jpg"
	same "scan $id $p photo as JPEG" "$(scan "$TMP/$id-$p-photo.jpg")" \
		"$want"
	"$CONVERT" "$TMP/$id-$p.png" -quality 90 "$TMP/$id-$p.jpg"
	same "scan $id $p JPEG" "$(scan "$TMP/$id-$p.jpg")" "$want"
done

# PDF -> pdftoppm -> scan; SVG -> rsvg-convert (and ImageMagick) -> scan.
for id in "${IDS[@]}"; do
	want=$(url_of "$id")
	for p in a4 a5 a6 letter; do
		pdftoppm -r 100 -png -singlefile "$TMP/$id-$p.pdf" "$TMP/pdf-$id-$p"
		same "scan pdftoppm $id $p" "$(scan "$TMP/pdf-$id-$p.png")" "$want"
		rsvg-convert -o "$TMP/svg-$id-$p.png" "$TMP/$id-$p.svg"
		same "scan rsvg $id $p" "$(scan "$TMP/svg-$id-$p.png")" "$want"
	done
done
"$CONVERT" -density 96 "$TMP/abcdefgh-a4.svg" "$TMP/svg-im.png"
same "scan SVG through ImageMagick" "$(scan "$TMP/svg-im.png")" \
	"$(url_of abcdefgh)"

# ---------------------------------------------------------------------------
# The text: the heading, the name, the address, the venue code, the lines
# in each language; every paper in every language scans.

# pdf_text PDF: its text on one line, words one space apart.
pdf_text() { pdftotext "$1" - | tr -s ' \n' '  '; }
# has_text FILE WORDS: FILE (pdf_text's) holds WORDS.
has_text() { grep -qF -- "$2" "$1"; }

pdf_text "$TMP/abcdefgh-a4.pdf" >"$TMP/en.txt"
check "PDF holds the accented name" has_text "$TMP/en.txt" "Caffè Città Perù"
check "PDF holds the address" has_text "$TMP/en.txt" "Via Roma 1, Roma"
check "PDF: heading once, in English" bash -c \
	"[ \"\$(grep -o 'Sanitization record' '$TMP/en.txt' | wc -l)\" = 1 ]"
check "PDF: the venue code, labelled" has_text "$TMP/en.txt" \
	"Venue code: abcdefgh"
check "PDF says what the code shows" has_text "$TMP/en.txt" \
	"Scan to see when this place was last sanitized"
check "PDF: without a camera" has_text "$TMP/en.txt" \
	"No camera? Go to $HOST and enter code abcdefgh"

# The words of each language, as lang/*.txt has them: the heading, the
# venue code's label and the line for people without a camera.
declare -A HEADING=([en]="Sanitization record"
	[it]="Registro sanificazioni · Sanitization record"
	[de]="Hygienenachweis · Sanitization record"
	[fr]="Registre d'assainissement · Sanitization record"
	[es]="Registro de higienización · Sanitization record")
declare -A CODE=([en]="Venue code: abcdefgh" [it]="Codice locale: abcdefgh"
	[de]="Betriebscode: abcdefgh"
	[fr]="Code de l'établissement : abcdefgh"
	[es]="Código del local: abcdefgh")
declare -A GO=([en]="Go to $HOST and enter code abcdefgh"
	[it]="Vai su $HOST e inserisci il codice abcdefgh"
	[de]="Gehen Sie auf $HOST und geben Sie den Code abcdefgh ein"
	[fr]="Allez sur $HOST et saisissez le code abcdefgh"
	[es]="Vaya a $HOST e introduzca el código abcdefgh")
for paper in a4 a5 a6 letter; do
	for lang in en it de fr es; do
		f=$TMP/lang-$paper-$lang
		sl poster abcdefgh --paper "$paper" --lang "$lang" \
			-o "$f.pdf" >/dev/null 2>&1 || bad "poster $paper $lang"
		pdf_text "$f.pdf" >"$f.txt"
		check "$paper $lang: heading" has_text "$f.txt" "${HEADING[$lang]}"
		check "$paper $lang: venue code" has_text "$f.txt" "${CODE[$lang]}"
		check "$paper $lang: without a camera" has_text "$f.txt" \
			"${GO[$lang]}"
		check "$paper $lang: name" has_text "$f.txt" "Caffè Città Perù"
		sl poster abcdefgh --paper "$paper" --lang "$lang" \
			-o "$f.png" >/dev/null 2>&1
		same "$paper $lang PNG scans" "$(scan "$f.png")" \
			"$(url_of abcdefgh)"
		check "$paper $lang PNG inside the margins" is_white_margin "$f.png"
	done
done
check "Italian: what the code shows" has_text "$TMP/lang-a4-it.txt" \
	"Inquadra per vedere quando questo locale è stato sanificato"

# ---------------------------------------------------------------------------
# Names in any script, in a log of their own.

DB3=$TMP/scripts.db
"$SANILOG" init --db "$DB3" --base-url "https://$HOST/" \
	--origin example.org/scripts >/dev/null 2>&1
SNAMES=(
	"مطعم الشام للمأكولات الشرقية"
	"מסעדת הים התיכון"
	"北京烤鸭店 寿司さくら 서울식당"
	"Ristorante Pizzeria Trattoria Antica Osteria del Ponte Vecchio sul Fiume, Specialità Toscane e Piemontesi, Vini della Casa, Sala Banchetti e Terrazza Panoramica con Vista"
)
SIDS=(arabicaa hebrewaa cjkaaaaa wrapname)
# A word of each name, as pdftotext gives it back when it has a glyph.
SWORDS=("الشام" "התיכון" "北京烤鸭店" "Trattoria")
for i in "${!SIDS[@]}"; do
	"$SANILOG" venue add --db "$DB3" --id "${SIDS[$i]}" \
		--name "${SNAMES[$i]}" --address "Via Roma $i" >/dev/null 2>&1 ||
		bad "venue add ${SIDS[$i]}"
done
# ink_in_name PNG: the name's box (0.095H to 0.195H, inside the margins)
# is not blank.
ink_in_name() {
	local geo m
	geo=$("$CONVERT" "$1" -format \
		'%[fx:int(w*0.84)]x%[fx:int(h*0.10)]+%[fx:int(w*0.08)]+%[fx:int(h*0.095)]' \
		info:) || return 1
	m=$("$CONVERT" "$1" -crop "$geo" +repage \
		-format '%[fx:mean < 0.995 && minima < 0.2]' info:)
	[ "$m" = 1 ]
}
have_cjk=$(fc-list :lang=zh family 2>/dev/null | head -n 1)
for i in "${!SIDS[@]}"; do
	id=${SIDS[$i]}
	want=$(printf 'https://%s/v/%s#' "$HOST" "$id")
	for paper in a4 a6; do
		for fmt in pdf svg png; do
			f=$TMP/script-$id-$paper.$fmt
			"$SANILOG" poster "$id" --db "$DB3" --format "$fmt" \
				--paper "$paper" -o "$f" >"$TMP/url" 2>"$TMP/err" ||
				{ bad "poster $id $paper $fmt: $(cat "$TMP/err")"; continue; }
			case $(cat "$TMP/url") in "$want"*) ok ;;
			*) bad "poster $id: printed $(cat "$TMP/url")" ;; esac
		done
		f=$TMP/script-$id-$paper.png
		same "scan $id $paper" "$(scan "$f")" "$(cat "$TMP/url")"
		check "$id $paper: ink in the name's box" ink_in_name "$f"
		check "$id $paper: text inside the margins" is_white_margin "$f"
		png_valid "$f"
	done
	pdftotext "$TMP/script-$id-a4.pdf" "$TMP/script.txt"
	if [ "$id" != cjkaaaaa ] || [ -n "$have_cjk" ]; then
		check "$id: the PDF's text holds ${SWORDS[$i]}" \
			grep -qF "${SWORDS[$i]}" "$TMP/script.txt"
	else
		echo "  (no CJK font: fonts-wqy-microhei is not installed)" >&2
	fi
done

# ---------------------------------------------------------------------------
# Options: format from the file name, stdout, JSON, base URL, bad input.

sl poster abcdefgh -o "$TMP/by-name.svg" >/dev/null 2>&1
check "format from -o's extension: .svg" grep -q '<svg' "$TMP/by-name.svg"
sl poster abcdefgh -o "$TMP/by-name.png" >/dev/null 2>&1
same "format from -o's extension: .png" "$(scan "$TMP/by-name.png")" \
	"$(url_of abcdefgh)"
sl poster abcdefgh -o "$TMP/by-name.pdf" >/dev/null 2>&1
check "format from -o's extension: .pdf" grep -q '^%PDF-' "$TMP/by-name.pdf"
sl poster abcdefgh -o "$TMP/UPPER.PNG" >/dev/null 2>&1
check "format from -o's extension: .PNG" bash -c \
	"head -c 4 '$TMP/UPPER.PNG' | grep -q PNG"
sl poster abcdefgh --format png -o "$TMP/both.png" >/dev/null 2>&1
check "--format png -o x.png" bash -c "head -c 4 '$TMP/both.png' | grep -q PNG"
sl poster abcdefgh --format svg -o "$TMP/noext" >/dev/null 2>&1
check "--format svg -o FILE without extension" grep -q '<svg' "$TMP/noext"
# Refused, with nothing written: another extension, none (without
# --format), a --format the name contradicts.
for bad_out in x.jpg x.pdff x.svg.txt x.tar.gz plainname; do
	expect_exit "-o $bad_out" 2 sl poster abcdefgh -o "$TMP/$bad_out"
	check "-o $bad_out: nothing written" test ! -e "$TMP/$bad_out"
done
check "-o FILE without extension says why" grep -q "no extension" "$TMP/err"
expect_exit "-o x.jpg" 2 sl poster abcdefgh -o "$TMP/x.jpg"
check "-o x.jpg says why" grep -q "unknown extension .jpg" "$TMP/err"
check "-o x.jpg: says .pdf, .svg or .png" grep -qF ".pdf, .svg or .png" \
	"$TMP/err"
expect_exit "--format svg -o x.png" 2 sl poster abcdefgh --format svg \
	-o "$TMP/clash.png"
check "--format svg -o x.png: nothing written" test ! -e "$TMP/clash.png"
check "--format svg -o x.png says why" grep -q "the name says png" "$TMP/err"
expect_exit "--format pdf -o x.svg" 2 sl poster abcdefgh --format pdf \
	-o "$TMP/clash.svg"
check "--format pdf -o x.svg: nothing written" test ! -e "$TMP/clash.svg"
mkdir -p "$TMP/dir.png"
sl poster abcdefgh --format pdf -o "$TMP/dir.png/plain" >/dev/null 2>&1
check "a dot in a directory is no extension" grep -q '^%PDF-' \
	"$TMP/dir.png/plain"
sl poster abcdefgh --paper letter -o "$TMP/letter.pdf" >/dev/null 2>&1
check "--paper letter" bash -c \
	"pdfinfo '$TMP/letter.pdf' | grep -q 'Page size: *612 x 792'"
(cd "$TMP" && sl poster abcdefgh >/dev/null 2>&1)
check "default file poster-ID.pdf" grep -q '^%PDF-' "$TMP/poster-abcdefgh.pdf"
sl poster abcdefgh --format png -o - >"$TMP/stdout.png" 2>/dev/null
same "-o - writes the poster to stdout" "$(scan "$TMP/stdout.png")" \
	"$(url_of abcdefgh)"
sl poster abcdefgh --format png -o "$TMP/j.png" --json >"$TMP/j.json" 2>&1
check "--json: pin" grep -q "\"n\": $(pin_n abcdefgh)\b" "$TMP/j.json"
check "--json: url" grep -qF "\"url\": \"$(url_of abcdefgh)\"" "$TMP/j.json"

got=$(sl poster abcdefgh --base-url http://127.0.0.1:8080/town/ \
	-o "$TMP/b.png" 2>/dev/null)
same "--base-url wins" "$got" \
	"http://127.0.0.1:8080/town/v/abcdefgh#k=$K&n=$(pin_n abcdefgh)&r=${PIN_R[abcdefgh]}"
same "--base-url: scan" "$(scan "$TMP/b.png")" "$got"
sl poster abcdefgh --base-url http://127.0.0.1:8080/town/ \
	-o "$TMP/b.pdf" >/dev/null 2>&1
pdf_text "$TMP/b.pdf" >"$TMP/b.txt"
check "the site with the base URL's path" has_text "$TMP/b.txt" \
	"Go to 127.0.0.1:8080/town and enter code abcdefgh"
expect_exit "--base-url ftp" 2 sl poster abcdefgh --base-url ftp://x/ -o x.pdf
expect_exit "--base-url with a space" 2 sl poster abcdefgh \
	--base-url "https://a b/" -o x.pdf
expect_exit "unknown venue" 2 sl poster zzzzzzzz -o x.pdf
expect_exit "not a venue id" 2 sl poster ABCDEFGH -o x.pdf
expect_exit "bad format" 2 sl poster abcdefgh --format gif
expect_exit "bad paper" 2 sl poster abcdefgh --paper a3
expect_exit "bad paper Letter" 2 sl poster abcdefgh --paper Letter
expect_exit "bad lang" 2 sl poster abcdefgh --lang xx
expect_exit "no venue" 2 sl poster
check "no file left by failures" bash -c "! test -e x.pdf"

# A database without a base URL: an error that says to pass --base-url.
DB2=$TMP/nobase.db
"$SANILOG" init --db "$DB2" >/dev/null 2>&1
"$SANILOG" venue add --db "$DB2" --id k7m2q9xa --name Bar --address Via \
	>/dev/null 2>&1
expect_exit "no base URL" 2 "$SANILOG" poster k7m2q9xa --db "$DB2" -o x.pdf
check "no base URL: says --base-url" grep -q -- "--base-url" "$TMP/err"
got=$("$SANILOG" poster k7m2q9xa --db "$DB2" --base-url https://h.example \
	-o "$TMP/nb.png" 2>/dev/null)
same "no base URL, --base-url given" "$(scan "$TMP/nb.png")" "$got"

# The pin follows the log: a new entry, a new poster with n + 1.
sl cert add --venue abcdefgh --file "$DOCS/pest.png" --type pest-control \
	--title Derattizzazione --performed 2025-02-01 >/dev/null 2>&1
sl checkpoint >"$TMP/cp2"
R2=$(sed -n 3p "$TMP/cp2" | base64 -d | head -c 16 | b64url16)
got=$(sl poster abcdefgh -o "$TMP/n2.png" 2>/dev/null)
same "new poster pins the new checkpoint" "$got" \
	"https://$HOST/v/abcdefgh#k=$K&n=$((N + 1))&r=$R2"
got=$(sl poster k7m2q9xa -o "$TMP/n3.png" 2>/dev/null)
same "another venue's poster pins what it pinned before" "$got" \
	"$(url_of k7m2q9xa)"

# ---------------------------------------------------------------------------
# scan: no code, not an image, broken images, JSON.

"$CONVERT" -size 800x600 xc:white -fill black -draw "rectangle 100,100 300,300" \
	"$TMP/blank.png"
expect_exit "scan: no code in a PNG" 1 scan "$TMP/blank.png"
check "scan: no code says so" grep -q "no QR code" "$TMP/err"
"$CONVERT" "$TMP/blank.png" "$TMP/blank.jpg"
expect_exit "scan: no code in a JPEG" 1 scan "$TMP/blank.jpg"
# The poster with its code covered, as by a sticker.
"$CONVERT" "$TMP/k7m2q9xa-a4.png" -fill white \
	-draw "rectangle 100,500 1554,1900" "$TMP/covered.png"
expect_exit "scan: code covered" 1 scan "$TMP/covered.png"
"$CONVERT" -size 64x48 xc:white -alpha set -channel A -evaluate set 0 \
	"$TMP/transparent.png"
expect_exit "scan: transparent PNG" 1 scan "$TMP/transparent.png"

echo "not an image" >"$TMP/text.png"
expect_exit "scan: text file" 2 scan "$TMP/text.png"
expect_exit "scan: PDF" 2 scan "$TMP/k7m2q9xa-a4.pdf"
expect_exit "scan: SVG" 2 scan "$TMP/k7m2q9xa-a4.svg"
: >"$TMP/empty.png"
expect_exit "scan: empty file" 2 scan "$TMP/empty.png"
expect_exit "scan: missing file" 2 scan "$TMP/nothing-here.png"
expect_exit "scan: a directory" 2 scan "$TMP"
head -c 2000 "$TMP/k7m2q9xa-a4.png" >"$TMP/trunc.png"
expect_exit "scan: truncated PNG" 2 scan "$TMP/trunc.png"
head -c 20 "$TMP/k7m2q9xa-a4.jpg" >"$TMP/trunc.jpg"
expect_exit "scan: truncated JPEG header" 2 scan "$TMP/trunc.jpg"
# A PNG header that claims 60000 x 60000 pixels: refused before decoding.
{ head -c 16 "$TMP/blank.png"; printf '\x00\x00\xea\x60\x00\x00\xea\x60';
  tail -c +25 "$TMP/blank.png"; } >"$TMP/huge.png"
expect_exit "scan: PNG bomb" 2 scan "$TMP/huge.png"
expect_exit "scan: no argument" 2 scan
expect_exit "scan: two arguments" 2 scan a b

scan --json "$TMP/abcdefgh-a4.png" >"$TMP/scan.json"
check "scan --json: text" grep -qF "\"text\": \"$(url_of abcdefgh)\"" \
	"$TMP/scan.json"
check "scan --json: venue" grep -q '"venue": "abcdefgh"' "$TMP/scan.json"
check "scan --json: host" grep -q "\"host\": \"$HOST\"" "$TMP/scan.json"
check "scan --json: n" grep -q "\"n\": $(pin_n abcdefgh)\b" "$TMP/scan.json"
check "scan --json: k" grep -q "\"k\": \"$K\"" "$TMP/scan.json"

test_end
