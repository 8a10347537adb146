#!/usr/bin/env bash
# Writes tests/fixtures/pdf/: PDFs protected by passwords, for test_doc_text (the PDFs without
# one are made by the test itself, with Qt's QPdfWriter). Needs qpdf (Debian's qpdf package).
#   plain.pdf       one page, "Sealed text for the tests." in Helvetica, written here by hand
#   user-pw.pdf     plain.pdf behind a user password ("open"): it cannot be read without it
#   owner-pw.pdf    plain.pdf with only an owner password (printing and copying restricted):
#                   it opens, and its text can be read
set -euo pipefail
out="$(cd "$(dirname "$0")/.." && pwd)/tests/fixtures/pdf"
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# A one-page PDF by hand: the objects, then a cross-reference table with their byte offsets.
stream='BT /F1 18 Tf 72 720 Td (Sealed text for the tests.) Tj ET'
objects=(
  '<< /Type /Catalog /Pages 2 0 R >>'
  '<< /Type /Pages /Kids [3 0 R] /Count 1 >>'
  '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>'
  "<< /Length ${#stream} >>
stream
$stream
endstream"
  '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>'
)
{
  printf '%%PDF-1.4\n'
  offsets=()
  pos=9
  for i in "${!objects[@]}"; do
    offsets+=("$pos")
    obj="$((i + 1)) 0 obj
${objects[$i]}
endobj
"
    printf '%s' "$obj"
    pos=$((pos + ${#obj}))
  done
  printf 'xref\n0 %d\n0000000000 65535 f \n' $((${#objects[@]} + 1))
  for o in "${offsets[@]}"; do printf '%010d 00000 n \n' "$o"; done
  printf 'trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n' $((${#objects[@]} + 1)) "$pos"
} > "$tmp/plain.pdf"
qpdf --check "$tmp/plain.pdf" > /dev/null
cp "$tmp/plain.pdf" "$out/plain.pdf"
# Fixed IDs, so that running the script again writes the same files (qpdf --static-id).
qpdf --static-id --encrypt open owner 256 -- "$tmp/plain.pdf" "$out/user-pw.pdf"
qpdf --static-id --encrypt '' owner 256 --print=none --extract=n -- "$tmp/plain.pdf" "$out/owner-pw.pdf"
ls -l "$out"
