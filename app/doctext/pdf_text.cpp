#include "app/doctext/pdf_text.h"

#include <poppler-document.h>
#include <poppler-global.h>
#include <poppler-page.h>

#include <algorithm>
#include <climits>
#include <map>
#include <memory>
#include <set>
#include <vector>

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

namespace {

// A line's shape across pages: in a short line (a page's number or label), runs of digits as one
// '#' ("Page 3 of 10", "Page 4 of 10" and a bare "17" are one shape each); a longer one as it is
// (a running header repeats exactly).
std::string shape(std::string_view line) {
  if (line.size() > 40) return std::string(line);
  std::string out;
  for (std::size_t i = 0; i < line.size(); ++i) {
    if (line[i] >= '0' && line[i] <= '9') {
      if (out.empty() || out.back() != '#') out += '#';
    } else {
      out += line[i];
    }
  }
  return out;
}

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::size_t at = 0;
  for (;;) {
    const std::size_t end = text.find('\n', at);
    lines.push_back(text.substr(at, end == std::string::npos ? std::string::npos : end - at));
    if (end == std::string::npos) return lines;
    at = end + 1;
  }
}

// Indexes of a page's first and last line that are not blank, where running headers, footers and
// page numbers stand; none on a page of fewer than three such lines (whose text could be all
// edges).
std::vector<std::size_t> edge_lines(const std::vector<std::string>& lines) {
  std::vector<std::size_t> text_lines;
  for (std::size_t i = 0; i < lines.size(); ++i)
    if (!lines[i].empty()) text_lines.push_back(i);
  if (text_lines.size() < 3) return {};
  return {text_lines.front(), text_lines.back()};
}

}  // namespace

void drop_page_furniture(std::vector<std::string>& pages) {
  std::vector<std::vector<std::string>> lines;
  std::size_t with_text = 0;
  for (const std::string& page : pages) {
    lines.push_back(split_lines(page));
    if (!page.empty()) ++with_text;
  }
  if (with_text < 3) return;
  // On how many pages each shape stands at an edge (once a page).
  std::map<std::string, std::size_t> pages_with;
  for (const auto& page : lines) {
    std::set<std::string> seen;
    for (std::size_t i : edge_lines(page)) seen.insert(shape(page[i]));
    for (const std::string& s : seen) ++pages_with[s];
  }
  const std::size_t needed = std::max<std::size_t>(3, (with_text + 1) / 2);
  for (std::size_t p = 0; p < pages.size(); ++p) {
    auto& page = lines[p];
    const std::vector<std::size_t> edges = edge_lines(page);
    bool dropped = false;
    for (std::size_t i : edges) {
      if (pages_with[shape(page[i])] >= needed) {
        page[i].clear();
        dropped = true;
      }
    }
    if (!dropped) continue;
    std::string joined;
    for (const std::string& line : page) joined += line + '\n';
    pages[p] = tidy(joined);  // (the blank lines the furniture leaves, folded)
  }
}

Result extract(std::string_view data, std::size_t max_text_bytes) {
  poppler::set_debug_error_function(&quiet, nullptr);
  Result r;
  if (data.size() > static_cast<std::size_t>(INT_MAX)) return r;
  std::unique_ptr<poppler::document> doc(
      poppler::document::load_from_raw_data(data.data(), static_cast<int>(data.size())));
  if (!doc) return r;
  // A file with only an owner password (printing or copying restricted) opens with the empty
  // passwords it was loaded with; one with a user password stays locked.
  if (doc->is_locked()) {
    r.status = Status::Locked;
    return r;
  }
  r.pages = doc->pages();
  // Every page first (up to four times the limit of text, so that a long book stops early): the
  // lines that frame the pages can only be told from the pages together.
  std::vector<std::string> pages;
  std::size_t read = 0;
  auto join = [&] {
    std::string text;
    for (const std::string& page : pages) {
      if (page.empty()) continue;
      if (!text.empty()) text += "\n\n";
      text += page;
    }
    return text;
  };
  for (int i = 0; i < r.pages; ++i) {
    std::unique_ptr<poppler::page> page(doc->create_page(i));
    ++r.pages_read;
    if (!page) {
      pages.emplace_back();
      continue;
    }
    // Reading order (what pdftotext gives by default), not the page's physical layout with its
    // runs of spaces.
    const poppler::byte_array utf8 =
        page->text(poppler::rectf(), poppler::page::non_raw_non_physical_layout).to_utf8();
    pages.push_back(tidy(std::string_view(utf8.data(), utf8.size())));
    read += pages.back().size();
    if (read > 4 * max_text_bytes) {
      r.status = Status::TooMuchText;
      r.text = join();
      return r;
    }
  }
  drop_page_furniture(pages);
  r.text = join();
  r.status = r.text.empty()                   ? Status::NoText
             : r.text.size() > max_text_bytes ? Status::TooMuchText
                                              : Status::Ok;
  return r;
}

}  // namespace pdftext
