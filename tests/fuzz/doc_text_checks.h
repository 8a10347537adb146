#pragma once
// What every document reader's result promises (app/doctext/: pdftext::Result), checked by the
// fuzz targets of the PDF and the Word/OpenDocument readers: a violation traps.
#include <cstddef>

#include "app/doctext/pdf_text.h"

// `text_past_limit`: TooMuchText comes with more text than `limit` (the PDF reader stops at the
// page that passes it; the Word reader may also stop at a body of mostly white space).
inline void check_doc_result(const pdftext::Result& r, std::size_t limit, bool text_past_limit) {
  if (r.pages_read > r.pages || r.pages < 0) __builtin_trap();
  switch (r.status) {
    case pdftext::Status::Ok:
      if (r.text.empty() || r.text.size() > limit) __builtin_trap();
      break;
    case pdftext::Status::TooMuchText:
      if (text_past_limit && r.text.size() <= limit) __builtin_trap();
      break;
    case pdftext::Status::NoText:
    case pdftext::Status::NotPdf:
    case pdftext::Status::Locked:
      if (!r.text.empty()) __builtin_trap();
      break;
  }
  // Pages (or paragraphs) are tidied and joined by at most one blank line: the whole is tidy.
  if (pdftext::tidy(r.text) != r.text) __builtin_trap();
}
