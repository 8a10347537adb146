#include "app/doctext/pdf_text.h"

#include <poppler-document.h>
#include <poppler-global.h>
#include <poppler-page.h>

#include <climits>
#include <memory>

namespace pdftext {
namespace {

// Poppler reports every oddity of a damaged file on stderr; the caller learns what matters from
// the result.
void quiet(const std::string&, void*) {}

bool is_space(char c) {
  return c == ' ' || c == '\t';
}

}  // namespace

std::string tidy(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  int newlines = 0;  // line ends since the last visible character
  std::string pending_spaces;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '\r') {
      if (i + 1 < text.size() && text[i + 1] == '\n') continue;  // "\r\n": the "\n" ends the line
      c = '\n';
    }
    if (c == '\f' || c == '\v') c = '\n';
    if (c == '\n') {
      pending_spaces.clear();  // no trailing spaces
      ++newlines;
      continue;
    }
    const auto u = static_cast<unsigned char>(c);
    if ((u < 0x20 && c != '\t') || u == 0x7f) continue;  // control characters show nothing
    if (is_space(c)) {
      pending_spaces += c;
      continue;
    }
    if (!out.empty() && newlines > 0) out.append(newlines >= 2 ? 2 : 1, '\n');
    newlines = 0;
    out += pending_spaces;  // spaces at a line's start (indentation) and between words stay
    pending_spaces.clear();
    out += c;
  }
  return out;
}

Result extract(std::string_view data, std::size_t max_text_bytes) {
  poppler::set_debug_error_function(&quiet, nullptr);
  Result r;
  if (data.size() > static_cast<std::size_t>(INT_MAX)) return r;
  std::unique_ptr<poppler::document> doc(
      poppler::document::load_from_raw_data(data.data(), static_cast<int>(data.size())));
  if (!doc) return r;
  // A file with only an owner password (printing or copying restricted) opens without one; a
  // user password is needed to read it at all.
  if (doc->is_locked() && !doc->unlock(std::string(), std::string())) {
    r.status = Status::Locked;
    return r;
  }
  if (doc->is_locked()) {
    r.status = Status::Locked;
    return r;
  }
  r.pages = doc->pages();
  for (int i = 0; i < r.pages; ++i) {
    std::unique_ptr<poppler::page> page(doc->create_page(i));
    ++r.pages_read;
    if (!page) continue;
    // Reading order (what pdftotext gives by default), not the page's physical layout with its
    // runs of spaces.
    const poppler::byte_array utf8 =
        page->text(poppler::rectf(), poppler::page::non_raw_non_physical_layout).to_utf8();
    const std::string text = tidy(std::string_view(utf8.data(), utf8.size()));
    if (text.empty()) continue;
    if (!r.text.empty()) r.text += "\n\n";
    r.text += text;
    if (r.text.size() > max_text_bytes) {
      r.status = Status::TooMuchText;
      return r;
    }
  }
  r.status = r.text.empty() ? Status::NoText : Status::Ok;
  return r;
}

}  // namespace pdftext
