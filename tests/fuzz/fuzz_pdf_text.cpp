// libFuzzer target: the text of a PDF (app/doctext/pdf_text.h, what falcon-doc-text runs) on arbitrary
// bytes taken as a whole file. Poppler itself is not instrumented, so coverage guides through our
// code only; the point is that no input crashes, hangs or breaks the result's promises:
// Ok only with text, the text tidied (tidy() changes nothing more), within the limit unless
// TooMuchText, and no more pages read than there are.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "app/doctext/pdf_text.h"
#include "tests/fuzz/doc_text_checks.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  constexpr std::size_t kLimit = 4096;
  const pdftext::Result r = pdftext::extract(bytes, kLimit);
  check_doc_result(r, kLimit, /*text_past_limit=*/true);
  return 0;
}
