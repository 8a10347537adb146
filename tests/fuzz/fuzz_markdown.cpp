// Fuzz target: the chat view's markdown pre-processing (app/message_formatter.*) on arbitrary
// text. The property checked is the security one (docs/SECURITY.md): whatever a model writes,
// nothing the view renders can load a resource. The oracle is Qt's own markdown importer, the
// one TextEdit.MarkdownText uses: every prose segment is parsed by QTextDocument::setMarkdown (and
// then styled as the view styles it, ProseStyle, formulas included)
// and every code segment is written as the view writes it (CodeView), and the resulting document
// must hold no image (an image's URL is what the view would fetch); md4c itself, read with the
// reader's flags, must see no raw HTML and no image in a prose segment. The segments must also
// cover the input: no text may vanish, and a code block shows its code, written at once or in
// steps.
//
// Input: the first byte picks the theme (dark or light); the rest is the message as UTF-8.
#include <md4c.h>

#include <QGuiApplication>
#include <QTextBlock>
#include <QTextDocument>
#include <QTextFragment>
#include <QVariantMap>
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>

#include "app/code_view.h"
#include "app/math_text.h"
#include "app/message_formatter.h"
#include "app/prose_style.h"

namespace {

// True when `doc` holds an image anywhere (any block, any fragment, frames and tables included:
// QTextDocument's block iteration visits table cells' blocks too).
bool has_image(const QTextDocument& doc) {
  for (QTextBlock b = doc.begin(); b.isValid(); b = b.next()) {
    for (auto it = b.begin(); !it.atEnd(); ++it) {
      const QTextFragment f = it.fragment();
      if (f.isValid() && f.charFormat().isImageFormat()) return true;
    }
  }
  return false;
}

// What md4c, the parser under Qt's reader, makes of `md` with the reader's flags: whether any raw
// HTML (a block, or inline) or image reaches the reader. Stricter than looking for an image in the
// document: Qt drops much raw inline HTML (and the text after it) without showing an image, and
// inserts other HTML whole.
bool md4c_sees_html_or_image(const QString& md) {
  struct Scan {
    bool found = false;
    static int block(MD_BLOCKTYPE type, void*, void* user) {
      if (type == MD_BLOCK_HTML) static_cast<Scan*>(user)->found = true;
      return 0;
    }
    static int leave(MD_BLOCKTYPE, void*, void*) { return 0; }
    static int span(MD_SPANTYPE type, void*, void* user) {
      if (type == MD_SPAN_IMG) static_cast<Scan*>(user)->found = true;
      return 0;
    }
    static int leave_span(MD_SPANTYPE, void*, void*) { return 0; }
    static int text(MD_TEXTTYPE type, const MD_CHAR*, MD_SIZE, void* user) {
      if (type == MD_TEXT_HTML) static_cast<Scan*>(user)->found = true;
      return 0;
    }
  };
  MD_PARSER parser{};
  parser.flags = static_cast<unsigned>(QTextDocument::MarkdownDialectGitHub);
  parser.enter_block = &Scan::block;
  parser.leave_block = &Scan::leave;
  parser.enter_span = &Scan::span;
  parser.leave_span = &Scan::leave_span;
  parser.text = &Scan::text;
  Scan scan;
  const QByteArray utf8 = md.toUtf8();
  md_parse(utf8.constData(), static_cast<MD_SIZE>(utf8.size()), &parser, &scan);
  return scan.found;
}

[[noreturn]] void fail(const char* what, const QString& text) {
  std::fprintf(stderr, "fuzz_markdown: %s:\n%s\n", what, text.toUtf8().constData());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // QTextDocument needs a QGuiApplication for fonts; one, offscreen, for the whole run.
  static std::unique_ptr<QGuiApplication> app = [] {
    static int argc = 3;
    static char arg0[] = "fuzz_markdown", arg1[] = "-platform", arg2[] = "offscreen";
    static char* argv[] = {arg0, arg1, arg2, nullptr};
    return std::make_unique<QGuiApplication>(argc, argv);
  }();
  if (size == 0) return 0;
  const bool dark = data[0] & 1;
  const QString text =
      QString::fromUtf8(reinterpret_cast<const char*>(data + 1), static_cast<qsizetype>(size - 1));

  MessageFormatter formatter;
  const QVariantList segments = formatter.segments(text);
  for (const QVariant& v : segments) {
    const QVariantMap s = v.toMap();
    const QString kind = s.value(QStringLiteral("kind")).toString();
    QTextDocument doc;
    if (kind == QLatin1String("text")) {
      const QString md = s.value(QStringLiteral("markdown")).toString();
      doc.setMarkdown(md);
      if (has_image(doc)) fail("a prose segment renders an image", md);
      if (md4c_sees_html_or_image(md)) fail("raw HTML or an image reaches Qt's Markdown reader", md);
      // What the view then does to the document (app/prose_style.h: tables, list numbers as
      // text, quotes, code spans, headings) adds list labels and loses nothing: the text before
      // is a subsequence of the text after, and a second pass changes nothing.
      QList<int> starts;
      for (const QVariant& n : s.value(QStringLiteral("listStarts")).toList()) starts << n.toInt();
      // (Less the marks of rendered formulas, which the styling turns into formats, and the spaces
      // before a line-break mark, which it drops.)
      QString marked = doc.toPlainText();
      for (qsizetype k = marked.indexOf(QChar(mathtext::kLineBreak)); k >= 0;
           k = marked.indexOf(QChar(mathtext::kLineBreak), k + 1)) {
        qsizetype from = k;
        while (from > 0 && marked[from - 1] == QLatin1Char(' ')) --from;
        marked.remove(from, k - from);
        k = from;
      }
      // (And with the empty paragraphs dropped: the styling takes out the one Qt puts in a
      // table's first header cell after a quote or an indented code block.)
      auto squeezed = [](QString t) {
        while (t.contains(QStringLiteral("\n\n"))) t.replace(QStringLiteral("\n\n"), QStringLiteral("\n"));
        return t;
      };
      const QString before = squeezed(mathtext::stripMarks(marked));
      const ProseStyle::Style style{QColor(Qt::gray), 6, starts, QColor(Qt::darkGray), QColor(Qt::lightGray),
                                    QColor(Qt::blue)};
      ProseStyle::style(&doc, style);
      const QString styled = doc.toPlainText();
      const QString after = squeezed(styled);
      qsizetype at = 0;
      for (const QChar c : after)
        if (at < before.size() && c == before[at]) ++at;
      if (at != before.size()) fail("styling the prose lost text", md);
      if (std::any_of(after.begin(), after.end(), [](QChar c) { return mathtext::isMark(c); }))
        fail("a formula's mark was left in the text", md);
      ProseStyle::style(&doc, style);
      if (doc.toPlainText() != styled) fail("a second styling pass changed the text", md);
    } else if (kind == QLatin1String("code")) {
      // The view (app/code_view.h) shows exactly the code, line by line ('\r' dropped; the
      // characters a document takes as a paragraph's end end a line), and nothing else: no image.
      const QString code = s.value(QStringLiteral("shown")).toString();
      const QString language = s.value(QStringLiteral("language")).toString();
      CodeView::Shown shown;
      CodeView::write(&doc, shown, CodeView::Content{code, language, dark});
      if (has_image(doc)) fail("a code segment renders an image", code);
      QString want;
      for (const QChar c : code) {
        if (c == QLatin1Char('\r')) continue;
        const bool ends = c.unicode() == 0x2029 || c.unicode() == 0xFDD0 || c.unicode() == 0xFDD1;
        want += ends ? QChar(QLatin1Char('\n')) : c;
      }
      QStringList got;
      for (QTextBlock b = doc.begin(); b.isValid(); b = b.next()) got << b.text();
      if (got.join(QLatin1Char('\n')) != want) fail("a code segment does not show its code", code);
      // Written after an earlier form of itself (its first half, as while streaming, in the other
      // theme), it is the same document as written at once.
      QTextDocument grown;
      CodeView::Shown grown_shown;
      CodeView::write(&grown, grown_shown, CodeView::Content{code.first(code.size() / 2), language, !dark});
      CodeView::write(&grown, grown_shown,
                      CodeView::Content{code.first(code.size() * 3 / 4), language, dark});
      CodeView::write(&grown, grown_shown, CodeView::Content{code, language, dark});
      if (grown.toHtml() != doc.toHtml()) fail("a code segment written in steps differs", code);
    } else {
      fail("unknown segment kind", kind);
    }
  }
  // Non-blank prose makes a text segment and a fence a code segment: text never vanishes.
  if (segments.isEmpty() && !text.trimmed().isEmpty()) fail("non-blank text produced no segment", text);
  return 0;
}
