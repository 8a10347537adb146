#pragma once
// The text of a PDF, for a message (falcon-doc-text, the helper program falcon-chat runs on a
// PDF put into a message: a damaged file can then cost only that program, never the app).
// Read with poppler (Debian's libpoppler-cpp) in reading order, page after page, tidied for a
// model: one "\n" a line end, no control characters, no trailing spaces, at most one blank line
// in a row, a blank line between pages; the lines that frame the pages (running headers and
// footers, page numbers: the same line, a short one's digits aside, first or last on at least half
// the pages, and on three or more) left out.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace pdftext {

enum class Status {
  Ok,
  NotPdf,       // not a PDF, or too damaged to open
  Locked,       // needs a password to open
  NoText,       // opens, but holds no text (a scan: pictures of pages)
  TooMuchText,  // more than max_text_bytes of text
};

struct Result {
  Status status = Status::NotPdf;
  std::string text;  // UTF-8; with TooMuchText, what was read before the limit
  int pages = 0;     // the document's pages
  int pages_read = 0;
};

// The text of the PDF in `data`. Stops reading at the page that takes the text past four times
// max_text_bytes (TooMuchText, as is more than max_text_bytes once the pages' frames are gone).
Result extract(std::string_view data, std::size_t max_text_bytes);

// Text tidied as described above (used on each page's text; exposed for tests).
std::string tidy(std::string_view text);

// Clears, in each page's tidied text, the lines that frame the pages (see above).
void drop_page_furniture(std::vector<std::string>& pages);

}  // namespace pdftext
