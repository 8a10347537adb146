// falcon-doc-text FILE [MAX_TEXT_BYTES]: prints the text of a document on stdout, for falcon-chat,
// which runs it on a document put into a message: a PDF (pdf_text.h), a Word document (.docx) or an
// OpenDocument text (.odt; office_text.h), told apart by their bytes. A damaged or hostile file can
// then cost only this process: it runs under limits on memory and CPU time, and the app kills it
// after a while too.
//
// Exit status: 0 the text; 2 usage; 3 none of those or too damaged to open; 4 needs a password;
// 5 holds no text (a scan); 6 more text than MAX_TEXT_BYTES (stdout: none); 7 the file cannot be
// read. The last line on stderr is "pages READ TOTAL".
#include <sys/resource.h>

#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>

#include "app/doctext/office_text.h"
#include "app/doctext/pdf_text.h"

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define FALCON_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || __has_feature(memory_sanitizer)
#define FALCON_SANITIZED 1
#endif
#endif

namespace {

constexpr std::size_t kMaxFileBytes = std::size_t{1} << 30;  // 1 GiB of document (scans are large)

void limit(int resource, rlim_t value) {
  rlimit l{};
  if (getrlimit(resource, &l) != 0) return;
  if (l.rlim_max != RLIM_INFINITY && l.rlim_max < value) value = l.rlim_max;
  l.rlim_cur = value;
  setrlimit(resource, &l);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || argc > 3) {
    std::fprintf(stderr, "usage: falcon-doc-text FILE [MAX_TEXT_BYTES]\n");
    return 2;
  }
  std::size_t max_text = std::size_t{256} * 1024;
  if (argc == 3) {
    const char* s = argv[2];
    const auto [end, ec] = std::from_chars(s, s + std::strlen(s), max_text);
    if (ec != std::errc() || *end != '\0') {
      std::fprintf(stderr, "falcon-doc-text: MAX_TEXT_BYTES must be a number of bytes\n");
      return 2;
    }
  }
  // Room for the file twice over and poppler's own structures; a minute of CPU time. (Not the
  // address space under a sanitizer, whose shadow memory takes terabytes of it.)
#if !defined(FALCON_SANITIZED)
  limit(RLIMIT_AS, rlim_t{4} << 30);
#endif
  limit(RLIMIT_CPU, 60);

  std::ifstream in(argv[1], std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "falcon-doc-text: cannot open %s: %s\n", argv[1], std::strerror(errno));
    return 7;
  }
  std::string data;
  char buf[1 << 16];
  while (in.read(buf, sizeof buf) || in.gcount() > 0) {
    data.append(buf, static_cast<std::size_t>(in.gcount()));
    if (data.size() > kMaxFileBytes) {
      std::fprintf(stderr, "falcon-doc-text: %s is larger than 1 GiB\n", argv[1]);
      return 7;
    }
  }
  if (in.bad()) {
    std::fprintf(stderr, "falcon-doc-text: cannot read %s\n", argv[1]);
    return 7;
  }
  // A zip archive (PK, then 3 and 4: a local file header) is a word processor's document or
  // nothing this reads; anything else is given to the PDF reader.
  const bool zip = data.size() >= 4 && data.compare(0, 4, "PK\x03\x04") == 0;
  const pdftext::Result r = zip ? officetext::extract(data, max_text) : pdftext::extract(data, max_text);
  int status = 0;
  switch (r.status) {
    case pdftext::Status::Ok:
      std::fwrite(r.text.data(), 1, r.text.size(), stdout);
      break;
    case pdftext::Status::NotPdf:
      status = 3;
      break;
    case pdftext::Status::Locked:
      status = 4;
      break;
    case pdftext::Status::NoText:
      status = 5;
      break;
    case pdftext::Status::TooMuchText:
      status = 6;
      break;
  }
  if (std::fflush(stdout) != 0) status = 1;
  std::fprintf(stderr, "pages %d %d\n", r.pages_read, r.pages);
  return status;
}
