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
#include "tests/fuzz/doc_text_checks.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  constexpr std::size_t kLimit = 4096;
  const pdftext::Result r = data[0] == 'W'   ? officetext::extract_body_xml(bytes, false, kLimit)
                            : data[0] == 'O' ? officetext::extract_body_xml(bytes, true, kLimit)
                                             : officetext::extract(bytes, kLimit);
  check_doc_result(r, kLimit, /*text_past_limit=*/false);
  return 0;
}
