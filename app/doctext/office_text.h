#pragma once
// The text of a word processor's document, for a message (falcon-doc-text, beside pdf_text.h):
// a Word document (.docx, Office Open XML: word/document.xml) or an OpenDocument text (.odt:
// content.xml), both zip archives of XML, read with libzip and expat. The body's paragraphs in
// order, one a line (a heading, a list item are paragraphs too; a table's row is a line, its
// cells apart by " | ", a cell's paragraphs and line breaks by a space), tabs and line breaks kept, deleted
// text of tracked changes and field codes left out; tidied as a PDF's text is (pdftext::tidy). Footnotes and
// endnotes leave their mark where they are marked ("[1]", endnotes "[i]" as Word shows them; an
// OpenDocument's own mark) and their text after the body's, a blank line below it, each note on lines of its
// own starting with its mark (Word's from word/footnotes.xml and word/endnotes.xml). Headers, footers and
// comments: not read.
//
// Bounded: the XML part is read in pieces, at most kMaxXmlBytes of it, and reading stops at the
// piece that takes the text past max_text_bytes; a document with a DTD is refused (no entities).
#include <cstddef>
#include <string_view>

#include "app/doctext/pdf_text.h"

namespace officetext {

constexpr std::size_t kMaxXmlBytes = std::size_t{512} << 20;

// Status as pdftext's: NotPdf stands for "not a document this reads, or too damaged" here; Locked
// does not occur (an encrypted .docx is no zip but an OLE file, as an old .doc is).
pdftext::Result extract(std::string_view data, std::size_t max_text_bytes);

// The same for the body's XML itself (word/document.xml, or with `odt` content.xml), as extract()
// reads it from the archive, in 64 KiB pieces (for the fuzz target: mutations of an archive's
// compressed bytes seldom get past its checksum to the XML).
pdftext::Result extract_body_xml(std::string_view xml, bool odt, std::size_t max_text_bytes);

}  // namespace officetext
