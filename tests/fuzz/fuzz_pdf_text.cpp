// libFuzzer target: the text of a PDF (app/doctext/pdf_text.h, what falcon-doc-text runs) on arbitrary
// bytes taken as a whole file. Poppler itself is not instrumented, so coverage guides through our
// code only; the point is that no input crashes, hangs or breaks the result's promises:
// Ok only with text, the text tidied (tidy() changes nothing more), within the limit unless
// TooMuchText, and no more pages read than there are.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "app/doctext/pdf_text.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  constexpr std::size_t kLimit = 4096;
  const pdftext::Result r = pdftext::extract(bytes, kLimit);
  if (r.pages_read > r.pages || r.pages < 0) __builtin_trap();
  switch (r.status) {
    case pdftext::Status::Ok:
      if (r.text.empty() || r.text.size() > kLimit) __builtin_trap();
      break;
    case pdftext::Status::TooMuchText:
      if (r.text.size() <= kLimit) __builtin_trap();
      break;
    case pdftext::Status::NoText:
    case pdftext::Status::NotPdf:
    case pdftext::Status::Locked:
      if (!r.text.empty()) __builtin_trap();
      break;
  }
  // Pages are tidied one by one and joined by one blank line: the whole is tidy.
  if (pdftext::tidy(r.text) != r.text) __builtin_trap();
  return 0;
}
