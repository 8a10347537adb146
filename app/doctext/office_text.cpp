#include "app/doctext/office_text.h"

#include <expat.h>
#include <zip.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace officetext {
namespace {

constexpr const char* kWordNs = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";
constexpr const char* kOdfTextNs = "urn:oasis:names:tc:opendocument:xmlns:text:1.0";
constexpr const char* kOfficeNs = "urn:oasis:names:tc:opendocument:xmlns:office:1.0";
constexpr const char* kOdfTableNs = "urn:oasis:names:tc:opendocument:xmlns:table:1.0";
constexpr const char* kCompatNs = "http://schemas.openxmlformats.org/markup-compatibility/2006";
constexpr char kNsSep = '\x01';  // between a name's namespace URI and its local part (expat)

enum class Format { Docx, Odt };

// The mark of endnote n as Word shows it by default (i, ii, iii, ...; decimal past 3999).
std::string roman(int n) {
  if (n < 1 || n > 3999) return std::to_string(n);
  static constexpr std::pair<int, const char*> kDigits[] = {
      {1000, "m"}, {900, "cm"}, {500, "d"}, {400, "cd"}, {100, "c"}, {90, "xc"}, {50, "l"},
      {40, "xl"},  {10, "x"},   {9, "ix"},  {5, "v"},    {4, "iv"},  {1, "i"}};
  std::string out;
  for (const auto& [value, digits] : kDigits)
    for (; n >= value; n -= value) out += digits;
  return out;
}

// Walks the document's XML (expat, namespaces resolved) and collects its text. Notes (footnotes,
// endnotes) leave their mark in the body's text, "[1]", and their own text in `notes`, which
// follows the body's (compose()): an OpenDocument has them where they are marked (text:note);
// a Word document in parts of their own (word/footnotes.xml, word/endnotes.xml), which a Reader
// with `notes_part` reads, keeping each w:footnote's or w:endnote's text under its w:id.
struct Reader {
  XML_Parser parser;
  Format format;
  bool notes_part = false;
  std::string text;
  std::vector<std::string> notes;     // "[mark] text"; notes_part: the text only
  std::vector<std::string> note_ids;  // notes_part: each note's w:id
  // docx body: the notes marked, in order, and how many of each kind so far.
  struct NoteRef {
    bool endnote;
    std::string id;    // w:id in word/footnotes.xml or word/endnotes.xml
    std::string mark;  // "[1]", "[i]": as in the body's text
  };
  std::vector<NoteRef> refs;
  int footnotes = 0, endnotes = 0;
  int sink = -1;        // where characters go: -1 the body's text, else notes[sink]
  int note_body = 0;    // odt: depth inside text:note-body
  bool marked = false;  // odt: a mark just opened notes.back(), its text:note-body to come
  int in_mark = 0;      // odt: inside text:note-citation (its characters are the mark)
  std::string mark;
  int skip = 0;     // depth inside elements whose text is not the document's (skipped())
  int in_text = 0;  // docx: inside w:t; odt: inside text:p or text:h
  // Tables: a row on a line, its cells apart by " | ", a cell's paragraphs by a space (a table
  // inside a cell is the cell's text).
  int cell_depth = 0;  // inside how many table cells
  int row_cells = 0;   // cells of the outermost table's current row so far
  bool refused = false;

  bool is_row(const char* name) const {
    return format == Format::Docx ? named(name, kWordNs, "tr") : named(name, kOdfTableNs, "table-row");
  }
  bool is_cell(const char* name) const {
    return format == Format::Docx
               ? named(name, kWordNs, "tc")
               : named(name, kOdfTableNs, "table-cell") || named(name, kOdfTableNs, "covered-table-cell");
  }
  void trim_spaces() {
    std::string& o = out();
    while (!o.empty() && (o.back() == ' ' || o.back() == '\t')) o.pop_back();
  }
  // A paragraph's end or a line break: a line's, or in a table cell a space (one).
  void paragraph_end() {
    std::string& o = out();
    if (cell_depth == 0)
      o += '\n';
    else if (!o.empty() && o.back() != ' ' && o.back() != '\t' && o.back() != '\n')
      o += ' ';
  }
  // Rows and cells; false if `name` is neither.
  bool table_start(const char* name) {
    if (is_row(name)) {
      if (cell_depth == 0) row_cells = 0;
      return true;
    }
    if (!is_cell(name)) return false;
    if (cell_depth++ == 0 && row_cells++ > 0) {
      trim_spaces();
      out() += " | ";
    } else if (cell_depth > 1) {
      paragraph_end();  // a cell of a table in a cell: a space
    }
    return true;
  }
  bool table_end(const char* name) {
    if (is_cell(name)) {
      if (cell_depth > 0) --cell_depth;
      return true;
    }
    if (!is_row(name)) return false;
    if (cell_depth == 0 && row_cells > 0) {
      trim_spaces();
      out() += '\n';
    }
    return true;
  }

  std::string& out() { return sink < 0 ? text : notes[static_cast<std::size_t>(sink)]; }

  // Splits "uri\x01local" and tells whether uri is the format's namespace.
  static bool named(const char* name, const char* ns, const char* local) {
    const std::size_t n = std::strlen(ns);
    return std::strncmp(name, ns, n) == 0 && name[n] == kNsSep && std::strcmp(name + n + 1, local) == 0;
  }

  static std::string word_id(const char** attrs) {
    for (const char** a = attrs; a && a[0]; a += 2)
      if (named(a[0], kWordNs, "id")) return a[1];
    return {};
  }

  // Not the document's text: a drawing's copy for old readers (mc:Fallback, beside the mc:Choice
  // the text is read from), an ODF comment, deleted text of tracked changes and field codes
  // (Word's delText and instrText, ODF's tracked-changes).
  static bool skipped(const char* name) {
    return named(name, kCompatNs, "Fallback") || named(name, kOfficeNs, "annotation") ||
           named(name, kWordNs, "delText") || named(name, kWordNs, "instrText") ||
           named(name, kOdfTextNs, "tracked-changes");
  }

  void start(const char* name, const char** attrs) {
    if (skipped(name)) {
      ++skip;
      return;
    }
    if (skip == 0 && table_start(name)) return;
    if (format == Format::Docx) {
      if (named(name, kWordNs, "t")) {
        ++in_text;
      } else if (skip > 0) {
      } else if (named(name, kWordNs, "tab")) {
        out() += '\t';
      } else if (named(name, kWordNs, "br") || named(name, kWordNs, "cr")) {
        paragraph_end();
      } else if (notes_part && (named(name, kWordNs, "footnote") || named(name, kWordNs, "endnote"))) {
        notes.emplace_back();
        note_ids.push_back(word_id(attrs));
        sink = static_cast<int>(notes.size()) - 1;
      } else if (!notes_part && sink < 0 && named(name, kWordNs, "footnoteReference")) {
        refs.push_back({false, word_id(attrs), "[" + std::to_string(++footnotes) + "]"});
        text += refs.back().mark;
      } else if (!notes_part && sink < 0 && named(name, kWordNs, "endnoteReference")) {
        refs.push_back({true, word_id(attrs), "[" + roman(++endnotes) + "]"});
        text += refs.back().mark;
      }
      return;
    }
    if (named(name, kOdfTextNs, "p") || named(name, kOdfTextNs, "h")) {
      ++in_text;
    } else if (named(name, kOdfTextNs, "note-citation")) {
      ++in_mark;
    } else if (named(name, kOdfTextNs, "note-body")) {
      // The note's text goes to the note its mark opened (a note inside a note, which ODF does
      // not have, stays in the outer one).
      if (note_body++ == 0) {
        if (!marked) notes.emplace_back();
        marked = false;
        sink = static_cast<int>(notes.size()) - 1;
      }
    } else if (in_text > 0 && skip == 0 && named(name, kOdfTextNs, "tab")) {
      out() += '\t';
    } else if (in_text > 0 && skip == 0 && named(name, kOdfTextNs, "line-break")) {
      paragraph_end();
    } else if (in_text > 0 && skip == 0 && named(name, kOdfTextNs, "s")) {
      int count = 1;  // text:c, the number of spaces
      for (const char** a = attrs; a && a[0]; a += 2)
        if (named(a[0], kOdfTextNs, "c")) count = std::atoi(a[1]);
      if (count > 0) out().append(static_cast<std::size_t>(count < 1000 ? count : 1000), ' ');
    }
  }

  void end(const char* name) {
    if (skipped(name)) {
      --skip;
      return;
    }
    if (skip == 0 && table_end(name)) return;
    if (format == Format::Docx) {
      if (named(name, kWordNs, "t"))
        --in_text;
      else if (skip == 0 && named(name, kWordNs, "p"))
        paragraph_end();
      else if (notes_part && (named(name, kWordNs, "footnote") || named(name, kWordNs, "endnote")))
        sink = -1;
      return;
    }
    if (named(name, kOdfTextNs, "p") || named(name, kOdfTextNs, "h")) {
      --in_text;
      if (skip == 0) paragraph_end();
    } else if (named(name, kOdfTextNs, "note-citation")) {
      if (--in_mark == 0 && skip == 0) {
        const std::string m = "[" + mark + "]";
        out() += m;
        if (sink < 0) {
          notes.push_back(m + " ");  // its text follows in text:note-body
          marked = true;
        }
      }
      mark.clear();
    } else if (named(name, kOdfTextNs, "note-body")) {
      if (--note_body == 0) sink = -1;
    }
  }

  void characters(const char* s, int len) {
    if (skip > 0 || len <= 0) return;
    if (in_mark > 0) {
      if (mark.size() < 64) mark.append(s, static_cast<std::size_t>(std::min(len, 64)));
    } else if (in_text > 0) {
      out().append(s, static_cast<std::size_t>(len));
    }
  }
};

// `s` without the whitespace it starts or ends with.
std::string_view trimmed(std::string_view s) {
  const std::size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return {};
  return s.substr(b, s.find_last_not_of(" \t\r\n") - b + 1);
}

// The body's text, a blank line, then the notes' one after the other; tidied.
std::string compose(const Reader& body, const std::vector<std::string>& notes) {
  std::string all = body.text;
  if (!notes.empty()) all += "\n\n";
  for (const std::string& note : notes) {
    all += trimmed(note);
    all += '\n';
  }
  return pdftext::tidy(all);
}

void XMLCALL on_start(void* user, const XML_Char* name, const XML_Char** attrs) {
  static_cast<Reader*>(user)->start(name, attrs);
}
void XMLCALL on_end(void* user, const XML_Char* name) {
  static_cast<Reader*>(user)->end(name);
}
void XMLCALL on_chars(void* user, const XML_Char* s, int len) {
  static_cast<Reader*>(user)->characters(s, len);
}

struct ParserFree {
  void operator()(XML_Parser p) const { XML_ParserFree(p); }
};
struct ZipClose {
  void operator()(zip_t* z) const { zip_discard(z); }
};
struct ZipFileClose {
  void operator()(zip_file_t* f) const { zip_fclose(f); }
};

// A DTD could declare entities: no document of a word processor has one.
void XMLCALL on_doctype(void* user, const XML_Char*, const XML_Char*, const XML_Char*, int) {
  Reader* reader = static_cast<Reader*>(user);
  reader->refused = true;
  XML_StopParser(reader->parser, XML_FALSE);
}

// The archive's entry `name` read whole into `out` (at most `limit` bytes); false if it is not
// there or cannot be read.
bool read_entry(zip_t* zip, const char* name, std::size_t limit, std::string& out) {
  std::unique_ptr<zip_file_t, ZipFileClose> f(zip_fopen(zip, name, 0));
  if (!f) return false;
  char buf[1 << 14];
  for (;;) {
    const zip_int64_t n = zip_fread(f.get(), buf, sizeof buf);
    if (n < 0) return false;
    if (n == 0) return true;
    out.append(buf, static_cast<std::size_t>(n));
    if (out.size() > limit) return false;
  }
}

// A part's XML fed in pieces (expat, namespaces resolved) to a Reader: whether the document is
// over (its XML ended: done(); refused; too much text: `r` holds the result) before its end.
class PartText {
 public:
  PartText(Format format, bool notes_part, std::size_t max_text_bytes)
      : parser_(XML_ParserCreateNS(nullptr, kNsSep)),
        reader_{parser_.get(), format, notes_part},
        max_(max_text_bytes),
        next_check_(max_text_bytes) {
    if (!parser_) return;
    XML_SetUserData(parser_.get(), &reader_);
    XML_SetElementHandler(parser_.get(), on_start, on_end);
    XML_SetCharacterDataHandler(parser_.get(), on_chars);
    XML_SetStartDoctypeDeclHandler(parser_.get(), on_doctype);
  }

  // Parses the next piece (`last`: the end of the XML). False once the result is known.
  bool feed(const char* data, std::size_t size, bool last, pdftext::Result& r) {
    read_ += size;
    if (!parser_ || read_ > kMaxXmlBytes) return false;  // (r: NotPdf)
    if (XML_Parse(parser_.get(), data, static_cast<int>(size), last) != XML_STATUS_OK || reader_.refused)
      return false;
    // Tidying only shortens the text: once the raw text is past the limit, the tidied text is
    // looked at (again each time the raw text grew by the limit; beyond 16 times it, whatever
    // tidying would leave, the document holds too much).
    const std::size_t raw = reader_.text.size() + notes_bytes();
    if (raw > next_check_) {
      std::string tidied = compose(reader_, reader_.notes);
      if (tidied.size() > max_ || raw > 16 * max_) {
        r.status = pdftext::Status::TooMuchText;
        r.text = std::move(tidied);
        return false;
      }
      next_check_ = raw + max_;
    }
    done_ = last;
    return !last;
  }

  bool done() const { return done_; }
  const Reader& reader() const { return reader_; }

 private:
  std::size_t notes_bytes() const {
    std::size_t n = 0;
    for (const std::string& note : reader_.notes) n += note.size();
    return n;
  }

  std::unique_ptr<XML_ParserStruct, ParserFree> parser_;
  Reader reader_;
  std::size_t max_, next_check_, read_ = 0;
  bool done_ = false;
};

// The result from a body read to its end and its notes' text.
pdftext::Result finish(const Reader& body, const std::vector<std::string>& notes,
                       std::size_t max_text_bytes) {
  pdftext::Result r;
  r.text = compose(body, notes);
  r.pages = r.pages_read = 1;
  r.status = r.text.empty()                   ? pdftext::Status::NoText
             : r.text.size() > max_text_bytes ? pdftext::Status::TooMuchText
                                              : pdftext::Status::Ok;
  return r;
}

// A Word document's notes part (word/footnotes.xml or word/endnotes.xml): each note's text by its
// w:id; empty if the part is missing or unreadable (the body is read without its notes' text).
std::map<std::string, std::string> word_notes(zip_t* zip, const char* part) {
  std::map<std::string, std::string> out;
  std::unique_ptr<zip_file_t, ZipFileClose> file(zip_fopen(zip, part, 0));
  if (!file) return out;
  PartText notes(Format::Docx, true,
                 kMaxXmlBytes);  // bounded by the XML read; the whole text is checked after
  pdftext::Result unused;
  char buf[1 << 16];
  for (;;) {
    const zip_int64_t n = zip_fread(file.get(), buf, sizeof buf);
    if (n < 0 || !notes.feed(buf, static_cast<std::size_t>(n), n == 0, unused)) break;
  }
  if (!notes.done()) return out;
  const Reader& r = notes.reader();
  for (std::size_t i = 0; i < r.notes.size(); ++i) out.emplace(r.note_ids[i], r.notes[i]);
  return out;
}

}  // namespace

pdftext::Result extract_body_xml(std::string_view xml, bool odt, std::size_t max_text_bytes) {
  pdftext::Result r;
  PartText body(odt ? Format::Odt : Format::Docx, false, max_text_bytes);
  constexpr std::size_t kPiece = 1 << 16;  // as from the archive
  for (std::size_t at = 0;; at += kPiece) {
    const std::size_t n = at < xml.size() ? std::min(kPiece, xml.size() - at) : 0;
    if (!body.feed(xml.data() + (n ? at : 0), n, n == 0, r)) break;
  }
  return body.done() ? finish(body.reader(), body.reader().notes, max_text_bytes) : r;
}

pdftext::Result extract(std::string_view data, std::size_t max_text_bytes) {
  pdftext::Result r;  // NotPdf: not a document this reads
  zip_error_t error;
  zip_error_init(&error);
  zip_source_t* source = zip_source_buffer_create(data.data(), data.size(), 0, &error);
  if (!source) return r;
  std::unique_ptr<zip_t, ZipClose> zip(zip_open_from_source(source, ZIP_RDONLY, &error));
  if (!zip) {
    zip_source_free(source);
    return r;
  }
  Format format;
  const char* part;
  if (zip_name_locate(zip.get(), "word/document.xml", 0) >= 0) {
    format = Format::Docx;
    part = "word/document.xml";
  } else {
    std::string mimetype;
    if (!read_entry(zip.get(), "mimetype", 256, mimetype) ||
        mimetype.rfind("application/vnd.oasis.opendocument.text", 0) != 0 ||
        zip_name_locate(zip.get(), "content.xml", 0) < 0)
      return r;
    format = Format::Odt;
    part = "content.xml";
  }
  std::unique_ptr<zip_file_t, ZipFileClose> file(zip_fopen(zip.get(), part, 0));
  if (!file) return r;
  PartText body(format, false, max_text_bytes);
  char buf[1 << 16];
  for (;;) {
    const zip_int64_t n = zip_fread(file.get(), buf, sizeof buf);
    if (n < 0) return r;  // a damaged entry (a bad CRC, a cut stream)
    if (!body.feed(buf, static_cast<std::size_t>(n), n == 0, r)) break;
  }
  if (!body.done()) return r;
  const Reader& b = body.reader();
  if (format == Format::Odt || b.refs.empty()) return finish(b, b.notes, max_text_bytes);
  // Word: the marked notes' text, in the order of their marks.
  std::map<std::string, std::string> foot, end;
  if (b.footnotes > 0) foot = word_notes(zip.get(), "word/footnotes.xml");
  if (b.endnotes > 0) end = word_notes(zip.get(), "word/endnotes.xml");
  std::vector<std::string> notes;
  for (const Reader::NoteRef& ref : b.refs) {
    const auto& texts = ref.endnote ? end : foot;
    const auto it = texts.find(ref.id);
    if (it != texts.end()) notes.push_back(ref.mark + " " + std::string(trimmed(it->second)));
  }
  return finish(b, notes, max_text_bytes);
}

}  // namespace officetext
