// libFuzzer target: the text of a Word or OpenDocument file (app/doctext/office_text.h, what
// falcon-doc-text runs on a zip archive). The first byte picks what the rest is: a whole file
// ('Z'), or the body's XML of a .docx ('W') or an .odt ('O'), which mutations of an archive's
// compressed bytes seldom reach (its checksum fails first). libzip and expat
// are not instrumented, so coverage guides through our code only; the point is that no input
// crashes, hangs or breaks the result's promises: Ok only with text, within the limit, the text
// tidied (tidy() changes nothing more). (TooMuchText may come with less tidied text than the
// limit: a body of mostly white space is cut off at 16 times the limit of raw text.)
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "app/doctext/office_text.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  constexpr std::size_t kLimit = 4096;
  const pdftext::Result r = data[0] == 'W'   ? officetext::extract_body_xml(bytes, false, kLimit)
                            : data[0] == 'O' ? officetext::extract_body_xml(bytes, true, kLimit)
                                             : officetext::extract(bytes, kLimit);
  if (r.pages_read > r.pages || r.pages < 0) __builtin_trap();
  switch (r.status) {
    case pdftext::Status::Ok:
      if (r.text.empty() || r.text.size() > kLimit) __builtin_trap();
      break;
    case pdftext::Status::TooMuchText:
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
