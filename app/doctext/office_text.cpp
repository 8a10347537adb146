#include "app/doctext/office_text.h"

#include <expat.h>
#include <zip.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>

namespace officetext {
namespace {

constexpr const char* kWordNs = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";
constexpr const char* kOdfTextNs = "urn:oasis:names:tc:opendocument:xmlns:text:1.0";
constexpr const char* kOfficeNs = "urn:oasis:names:tc:opendocument:xmlns:office:1.0";
constexpr const char* kCompatNs = "http://schemas.openxmlformats.org/markup-compatibility/2006";
constexpr char kNsSep = '\x01';  // between a name's namespace URI and its local part (expat)

enum class Format { Docx, Odt };

// Walks the document's XML (expat, namespaces resolved) and collects its text.
struct Reader {
  XML_Parser parser;
  Format format;
  std::string text;
  int skip = 0;     // depth inside elements whose text is not the document's (skipped())
  int in_text = 0;  // docx: inside w:t; odt: inside text:p or text:h
  bool refused = false;

  // Splits "uri\x01local" and tells whether uri is the format's namespace.
  static bool named(const char* name, const char* ns, const char* local) {
    const std::size_t n = std::strlen(ns);
    return std::strncmp(name, ns, n) == 0 && name[n] == kNsSep && std::strcmp(name + n + 1, local) == 0;
  }

  // Not the document's text: a drawing's copy for old readers (mc:Fallback, beside the mc:Choice
  // the text is read from), an ODF comment, deleted text of tracked changes and field codes
  // (Word's delText and instrText, ODF's tracked-changes), an ODF footnote's mark.
  static bool skipped(const char* name) {
    return named(name, kCompatNs, "Fallback") || named(name, kOfficeNs, "annotation") ||
           named(name, kWordNs, "delText") || named(name, kWordNs, "instrText") ||
           named(name, kOdfTextNs, "note-citation") || named(name, kOdfTextNs, "tracked-changes");
  }

  void start(const char* name, const char** attrs) {
    if (skipped(name)) {
      ++skip;
      return;
    }
    if (format == Format::Docx) {
      if (named(name, kWordNs, "t"))
        ++in_text;
      else if (skip == 0 && named(name, kWordNs, "tab"))
        text += '\t';
      else if (skip == 0 && (named(name, kWordNs, "br") || named(name, kWordNs, "cr")))
        text += '\n';
      return;
    }
    if (named(name, kOdfTextNs, "p") || named(name, kOdfTextNs, "h")) {
      ++in_text;
    } else if (in_text > 0 && skip == 0 && named(name, kOdfTextNs, "tab")) {
      text += '\t';
    } else if (in_text > 0 && skip == 0 && named(name, kOdfTextNs, "line-break")) {
      text += '\n';
    } else if (in_text > 0 && skip == 0 && named(name, kOdfTextNs, "s")) {
      int count = 1;  // text:c, the number of spaces
      for (const char** a = attrs; a && a[0]; a += 2)
        if (named(a[0], kOdfTextNs, "c")) count = std::atoi(a[1]);
      if (count > 0) text.append(static_cast<std::size_t>(count < 1000 ? count : 1000), ' ');
    }
  }

  void end(const char* name) {
    if (skipped(name)) {
      --skip;
      return;
    }
    if (format == Format::Docx) {
      if (named(name, kWordNs, "t"))
        --in_text;
      else if (skip == 0 && named(name, kWordNs, "p"))
        text += '\n';
      return;
    }
    if (named(name, kOdfTextNs, "p") || named(name, kOdfTextNs, "h")) {
      --in_text;
      if (skip == 0) text += '\n';
    }
  }

  void characters(const char* s, int len) {
    if (in_text > 0 && skip == 0 && len > 0) text.append(s, static_cast<std::size_t>(len));
  }
};

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

// The body's XML fed in pieces (expat, namespaces resolved): the text so far, and whether the
// document is over (refused, too much text) before its end.
class BodyText {
 public:
  BodyText(Format format, std::size_t max_text_bytes)
      : parser_(XML_ParserCreateNS(nullptr, kNsSep)),
        reader_{parser_.get(), format, {}, 0, 0, false},
        max_(max_text_bytes),
        next_check_(max_text_bytes) {
    if (!parser_) return;
    XML_SetUserData(parser_.get(), &reader_);
    XML_SetElementHandler(parser_.get(), on_start, on_end);
    XML_SetCharacterDataHandler(parser_.get(), on_chars);
    XML_SetStartDoctypeDeclHandler(parser_.get(), on_doctype);
  }

  // Parses the next piece (`last`: the end of the XML). False once the result is known: `r` holds it.
  bool feed(const char* data, std::size_t size, bool last, pdftext::Result& r) {
    read_ += size;
    if (!parser_ || read_ > kMaxXmlBytes) return false;  // (r: NotPdf)
    if (XML_Parse(parser_.get(), data, static_cast<int>(size), last) != XML_STATUS_OK || reader_.refused)
      return false;
    // Tidying only shortens the text: once the raw text is past the limit, the tidied text is
    // looked at (again each time the raw text grew by the limit; beyond 16 times it, whatever
    // tidying would leave, the document holds too much).
    if (reader_.text.size() > next_check_) {
      std::string tidied = pdftext::tidy(reader_.text);
      if (tidied.size() > max_ || reader_.text.size() > 16 * max_) {
        r.status = pdftext::Status::TooMuchText;
        r.text = std::move(tidied);
        return false;
      }
      next_check_ = reader_.text.size() + max_;
    }
    if (!last) return true;
    r.text = pdftext::tidy(reader_.text);
    r.pages = r.pages_read = 1;
    r.status = r.text.empty()         ? pdftext::Status::NoText
               : r.text.size() > max_ ? pdftext::Status::TooMuchText
                                      : pdftext::Status::Ok;
    return false;
  }

 private:
  std::unique_ptr<XML_ParserStruct, ParserFree> parser_;
  Reader reader_;
  std::size_t max_, next_check_, read_ = 0;
};

}  // namespace

pdftext::Result extract_body_xml(std::string_view xml, bool odt, std::size_t max_text_bytes) {
  pdftext::Result r;
  BodyText body(odt ? Format::Odt : Format::Docx, max_text_bytes);
  constexpr std::size_t kPiece = 1 << 16;  // as from the archive
  for (std::size_t at = 0;; at += kPiece) {
    const std::size_t n = at < xml.size() ? std::min(kPiece, xml.size() - at) : 0;
    if (!body.feed(xml.data() + (n ? at : 0), n, n == 0, r)) return r;
  }
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
  BodyText body(format, max_text_bytes);
  char buf[1 << 16];
  for (;;) {
    const zip_int64_t n = zip_fread(file.get(), buf, sizeof buf);
    if (n < 0) return r;  // a damaged entry (a bad CRC, a cut stream)
    if (!body.feed(buf, static_cast<std::size_t>(n), n == 0, r)) return r;
  }
}

}  // namespace officetext
