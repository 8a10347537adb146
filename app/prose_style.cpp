#include "app/prose_style.h"

#include <QFontMetricsF>
#include <QMap>
#include <QQuickTextDocument>
#include <QSet>
#include <QTextBlock>
#include <QTextCursor>
#include <QTextDocument>
#include <QTextFragment>
#include <QTextFrame>
#include <QTextList>
#include <QTextTable>
#include <algorithm>
#include <cmath>

#include "app/math_text.h"
#include "app/text_view.h"

namespace {

// On each item of an ordered list whose numbers were made text here (the items are no longer
// in a QTextList then: Qt Quick draws a bullet for a list without a numbered style): which list
// (its place among the document's ordered lists, from 1), the number it starts at, and the
// length of the label put before the item's text.
constexpr int kNumberedList = QTextFormat::UserProperty + 1;
constexpr int kNumberedFrom = QTextFormat::UserProperty + 2;
constexpr int kLabelLength = QTextFormat::UserProperty + 3;
constexpr int kDelimiter = QTextFormat::UserProperty + 4;  // "." or ")", as the Markdown had it
constexpr qreal kParagraphGap = 0.5;  // between paragraphs, in text heights (font pixels)

void collect(QTextFrame* frame, QList<QTextTable*>& out) {
  for (QTextFrame* child : frame->childFrames()) {
    if (auto* table = qobject_cast<QTextTable*>(child)) out.append(table);
    collect(child, out);  // a table inside a cell or a quote
  }
}

// A Markdown table's first row is its header, which Qt sets bold. Qt 6.4 reads a table right
// after a block quote or an indented code block with an empty paragraph in the first cell, before
// its text, in that block's margins, and the text not bold (the cell read as data, a line lower
// than its row); here the empty paragraph goes (a Markdown cell is one line) and the cell gets
// what the other header cells have.
void fix_header(QTextTable* table) {
  for (int column = 0; column < table->columns(); ++column) {
    QTextTableCell cell = table->cellAt(0, column);
    if (!cell.isValid() || cell.column() != column) continue;  // a cell spanning from the left
    for (;;) {
      const QTextBlock first = cell.firstCursorPosition().block();
      const QTextBlock next = first.next();
      if (first.length() != 1 || !next.isValid() || next.position() > cell.lastPosition()) break;
      const QTextBlockFormat format = next.blockFormat();  // the text's own (its alignment)
      const QTextCharFormat char_format = next.charFormat();
      QTextCursor c(first);
      c.deleteChar();  // the empty paragraph's end: the text joins it
      c.setBlockFormat(format);
      c.setBlockCharFormat(char_format);
      cell = table->cellAt(0, column);
    }
    const int end = cell.lastPosition();
    for (QTextBlock b = cell.firstCursorPosition().block(); b.isValid() && b.position() <= end;
         b = b.next()) {
      QTextBlockFormat bf = b.blockFormat();
      if (bf.topMargin() != 0 || bf.bottomMargin() != 0) {
        bf.setTopMargin(0);
        bf.setBottomMargin(0);
        QTextCursor(b).setBlockFormat(bf);
      }
      QList<std::pair<int, int>> light;  // the fragments to make bold (not while walking them)
      for (auto it = b.begin(); !it.atEnd(); ++it) {
        const QTextFragment f = it.fragment();
        // (Qt's header cells keep their code spans not bold.)
        if (f.isValid() && f.charFormat().fontWeight() < QFont::Bold && !f.charFormat().fontFixedPitch())
          light.append({f.position(), f.length()});
      }
      QTextCharFormat bold;
      bold.setFontWeight(QFont::Bold);
      for (const auto& [from, length] : light) {
        QTextCursor c(table->document());
        c.setPosition(from);
        c.setPosition(from + length, QTextCursor::KeepAnchor);
        c.mergeCharFormat(bold);
      }
    }
  }
}

int style_tables(QTextDocument* doc, const ProseStyle::Style& style) {
  QList<QTextTable*> tables;
  collect(doc->rootFrame(), tables);
  for (QTextTable* table : tables) {
    QTextTableFormat want = table->format();
    want.setBorderCollapse(true);  // one line between two cells, not two with a gap
    want.setBorder(1);
    want.setBorderStyle(QTextFrameFormat::BorderStyle_Solid);
    want.setBorderBrush(style.border);
    want.setCellSpacing(0);
    want.setCellPadding(style.padding);
    want.setTopMargin(style.padding);  // off the paragraphs around it
    want.setBottomMargin(style.padding);
    if (table->format() != want) table->setFormat(want);
    fix_header(table);
  }
  return static_cast<int>(tables.size());
}

// An ordered list of the document: Qt's own (list) or one numbered here (its items, by block).
struct OrderedList {
  QTextList* list = nullptr;
  QList<QTextBlock> numbered;
};

// The ordered lists as md4c reported them, in the order of their first items: Qt makes one
// QTextList with the decimal style per list; those numbered on an earlier pass are found by their
// items' kNumberedList.
QList<OrderedList> ordered_lists(QTextDocument* doc) {
  QList<OrderedList> out;
  QSet<QTextList*> seen;
  QMap<int, qsizetype> numbered;  // kNumberedList -> index in out
  for (QTextBlock b = doc->begin(); b.isValid(); b = b.next()) {
    if (b.blockFormat().hasProperty(kNumberedList)) {
      const int id = b.blockFormat().intProperty(kNumberedList);
      if (!numbered.contains(id)) {
        numbered.insert(id, out.size());
        out.append(OrderedList{});
      }
      out[numbered.value(id)].numbered.append(b);
      continue;
    }
    QTextList* list = b.textList();
    if (!list || seen.contains(list)) continue;
    seen.insert(list);
    if (list->format().style() == QTextListFormat::ListDecimal) out.append(OrderedList{list, {}});
  }
  return out;
}

QString label(const QString& suffix, qint64 number) {
  return QString::number(number) + suffix + QLatin1Char(' ');
}

// `text` before the block's own, hanging left of it by its width (where a list marker is drawn).
void put_label(const QTextBlock& block, const QString& text, int list_id, int start) {
  QTextCursor c(block);
  QTextCharFormat cf = block.charFormat();
  const QFont font = cf.font().resolve(block.document()->defaultFont());
  cf.setAnchor(false);  // not part of a link that starts the item
  cf.setAnchorHref(QString());
  cf.clearProperty(QTextFormat::ObjectIndex);
  c.insertText(text, cf);
  QTextBlockFormat bf = block.blockFormat();
  bf.setTextIndent(-QFontMetricsF(font).horizontalAdvance(text));
  bf.setProperty(kNumberedList, list_id);
  bf.setProperty(kNumberedFrom, start);
  bf.setProperty(kLabelLength, static_cast<int>(text.size()));
  c.setBlockFormat(bf);
}

// Qt's list, numbered from `start`: each item taken out of the list (keeping its indentation)
// with its number as text.
void number_list(QTextList* list, int list_id, int start) {
  const QString suffix =
      list->format().numberSuffix().isEmpty() ? QStringLiteral(".") : list->format().numberSuffix();
  QList<QTextBlock> items;
  for (int k = 0; k < list->count(); ++k) items.append(list->item(k));
  for (qsizetype k = 0; k < items.size(); ++k) {
    list->remove(items[k]);
    QTextBlockFormat bf = items[k].blockFormat();
    bf.setProperty(kDelimiter, suffix);  // for a new start later
    QTextCursor(items[k]).setBlockFormat(bf);
    put_label(items[k], label(suffix, static_cast<qint64>(start) + k), list_id, start);
  }
}

// A list numbered on an earlier pass, numbered again from another start.
void renumber(const QList<QTextBlock>& items, int start) {
  for (qsizetype k = 0; k < items.size(); ++k) {
    const QTextBlockFormat bf = items[k].blockFormat();
    if (bf.intProperty(kNumberedFrom) == start) return;
    QTextCursor c(items[k]);
    c.movePosition(QTextCursor::NextCharacter, QTextCursor::KeepAnchor, bf.intProperty(kLabelLength));
    c.removeSelectedText();
    const QString suffix = bf.stringProperty(kDelimiter);
    put_label(items[k], label(suffix, static_cast<qint64>(start) + k), bf.intProperty(kNumberedList), start);
  }
}

// How wide the block's text [from, to) is set, in its fragments' fonts (a script's at two
// thirds of its size, as Qt's layout sets it).
qreal text_width(const QTextBlock& b, int from, int to) {
  qreal width = 0;
  const QFont base = b.document()->defaultFont();
  for (auto it = b.begin(); !it.atEnd(); ++it) {
    const QTextFragment f = it.fragment();
    const int start = f.position() - b.position();
    const int lo = std::max(start, from), hi = std::min(start + f.length(), to);
    if (lo >= hi) continue;
    const QTextCharFormat cf = f.charFormat();
    QFont font = cf.font().resolve(base);
    if (cf.verticalAlignment() == QTextCharFormat::AlignSuperScript ||
        cf.verticalAlignment() == QTextCharFormat::AlignSubScript) {
      if (font.pixelSize() > 0)
        font.setPixelSize(std::max(1, font.pixelSize() * 2 / 3));
      else
        font.setPointSizeF(font.pointSizeF() * 2 / 3);
    }
    width += QFontMetricsF(font).horizontalAdvance(f.text().mid(lo - start, hi - lo));
  }
  return width;
}

// The rows of a displayed aligned formula (lines of one block) lined up at their alignment
// points: a tab at each, and the block's tab stop where the widest row's point is.
void align_rows(const QTextBlock& b, const QList<int>& points, QTextCursor& c) {
  const QString text = b.text();
  qreal stop = 0;
  for (const int p : points) {
    const int line_start = p > 0 ? static_cast<int>(text.lastIndexOf(QChar::LineSeparator, p - 1)) + 1 : 0;
    stop = std::max(stop, text_width(b, line_start, p));
  }
  for (qsizetype k = points.size() - 1; k >= 0; --k) {
    c.setPosition(b.position() + points[k]);
    c.insertText(QStringLiteral("\t"));
  }
  QTextBlockFormat bf = b.blockFormat();
  bf.setTabPositions({QTextOption::Tab(std::ceil(stop) + 1, QTextOption::LeftTab)});
  c.setPosition(b.position());
  c.setBlockFormat(bf);
}

}  // namespace

void ProseStyle::styleFormulas(QTextDocument* doc) {
  if (!doc) return;
  // Found first, changed after: deleting characters under a block iterator is not safe.
  QList<QTextBlock> marked;
  for (QTextBlock b = doc->begin(); b.isValid(); b = b.next()) {
    const QString text = b.text();
    if (std::any_of(text.begin(), text.end(), [](QChar c) { return mathtext::isMark(c); })) marked.append(b);
  }
  for (const QTextBlock& b : marked) {
    // What each character keeps of the marks open around it, in the block without its marks.
    struct Run {
      int from, to;
      bool italic, bold;
      int script;  // 0, or the innermost kSuper / kSub
    };
    QList<Run> runs;
    QList<int> marks;  // the marks' positions in the block, to delete
    QList<char16_t> open;
    QList<int> aligns;  // aligned rows' alignment points, in the block without its marks
    QList<int> breaks;  // line-break marks' positions in the block
    const QString text = b.text();
    // The spaces before a line-break mark go with the other marks: a soft break's space at the
    // end of a line shows nothing, and would be copied.
    QList<bool> before_break(text.size(), false);
    for (int k = static_cast<int>(text.size()) - 2; k >= 0; --k)
      before_break[k] =
          text[k] == QLatin1Char(' ') && (text[k + 1] == QChar(mathtext::kLineBreak) || before_break[k + 1]);
    int kept = 0;
    for (int k = 0; k < text.size(); ++k) {
      const char16_t c = text[k].unicode();
      if (before_break[k]) {
        marks.append(k);
        continue;
      }
      if (c == mathtext::kLineBreak) {
        breaks.append(k);  // stays, as a line separator
        ++kept;
        continue;
      }
      if (mathtext::isMark(text[k])) {
        marks.append(k);
        if (c == mathtext::kAlign) {
          aligns.append(kept);
        } else if (c == mathtext::kEnd) {
          if (!open.isEmpty()) open.removeLast();
        } else {
          open.append(c);
        }
        continue;
      }
      Run r{kept, kept + 1, open.contains(mathtext::kItalic), open.contains(mathtext::kBold), 0};
      for (const char16_t m : open)
        if (m == mathtext::kSuper || m == mathtext::kSub) r.script = m;
      ++kept;
      if (!r.italic && !r.bold && !r.script) continue;
      if (!runs.isEmpty() && runs.last().to == r.from && runs.last().italic == r.italic &&
          runs.last().bold == r.bold && runs.last().script == r.script) {
        runs.last().to = r.to;
      } else {
        runs.append(r);
      }
    }
    const int at = b.position();
    QTextCursor c(doc);
    c.beginEditBlock();
    for (const int k : breaks) {  // one character for another: no position moves
      c.setPosition(at + k);
      c.setPosition(at + k + 1, QTextCursor::KeepAnchor);
      c.insertText(QString(QChar::LineSeparator));
    }
    for (qsizetype k = marks.size() - 1; k >= 0; --k) {
      // Exactly the mark: deleteChar() takes a whole grapheme, a combining letter after the
      // mark with it (found by fuzz_markdown).
      c.setPosition(at + marks[k]);
      c.setPosition(at + marks[k] + 1, QTextCursor::KeepAnchor);
      c.removeSelectedText();
    }
    for (const Run& r : runs) {
      c.setPosition(at + r.from);
      c.setPosition(at + r.to, QTextCursor::KeepAnchor);
      QTextCharFormat f;
      if (r.italic) f.setFontItalic(true);
      if (r.bold) f.setFontWeight(QFont::Bold);
      if (r.script)
        f.setVerticalAlignment(r.script == mathtext::kSuper ? QTextCharFormat::AlignSuperScript
                                                            : QTextCharFormat::AlignSubScript);
      c.mergeCharFormat(f);
    }
    if (!aligns.isEmpty()) align_rows(b, aligns, c);
    c.endEditBlock();
  }
}

int ProseStyle::styleTables(QTextDocument* doc, const Style& style) {
  return doc ? style_tables(doc, style) : 0;
}

void ProseStyle::numberLists(QTextDocument* doc, const Style& style) {
  if (!doc) return;
  const QList<OrderedList> lists = ordered_lists(doc);
  for (qsizetype i = 0; i < lists.size(); ++i) {
    const int start = i < style.list_starts.size() ? style.list_starts[i] : 1;
    if (!lists[i].numbered.isEmpty())
      renumber(lists[i].numbered, start);  // `listStarts` changed after an earlier pass
    else if (start != 1)
      number_list(lists[i].list, static_cast<int>(i) + 1, start);
  }
}

void ProseStyle::styleText(QTextDocument* doc, const Style& style) {
  if (!doc) return;
  const QFont base = doc->defaultFont();
  const qreal base_px = base.pixelSize() > 0 ? base.pixelSize() : base.pointSizeF() * 4 / 3;
  // Headings a step above the text, not Qt's (h1 more than twice the text in a chat bubble).
  constexpr qreal kHeading[6] = {1.45, 1.3, 1.15, 1.05, 1.0, 1.0};
  // What to change, gathered first: a format set on a fragment splits and merges fragments
  // under an iterator.
  struct Change {
    int from, to;
    QTextCharFormat format;
  };
  QList<Change> changes;
  QList<QTextBlock> spaced;  // headings that need room above them
  QList<QTextBlock> apart;   // paragraphs that need room below them
  auto in_list = [](const QTextBlock& x) {
    return x.textList() || x.blockFormat().hasProperty(kNumberedList);
  };
  for (QTextBlock b = doc->begin(); b.isValid(); b = b.next()) {
    const QTextBlockFormat bf = b.blockFormat();
    // Paragraphs apart (Qt's reader gives them no margin: "First.\n\nSecond." read as one
    // text), and a list from what follows it; not a list's items from each other, not the text
    // in a table's cells (padded) and not the last block.
    const QTextBlock next = b.next();
    if (next.isValid() && bf.bottomMargin() < base_px * kParagraphGap && (!in_list(b) || !in_list(next)) &&
        !QTextCursor(b).currentTable())
      apart.append(b);
    const bool quoted = bf.intProperty(QTextFormat::BlockQuoteLevel) > 0;
    const int level = bf.headingLevel();
    const int heading_px = level >= 1 && level <= 6 ? qRound(base_px * kHeading[level - 1]) : 0;
    if (heading_px > 0 && b != doc->begin() && bf.topMargin() < base_px * 0.6) spaced.append(b);
    for (auto it = b.begin(); !it.atEnd(); ++it) {
      const QTextFragment fragment = it.fragment();
      QTextCharFormat f = fragment.charFormat();
      bool changed = false;
      if (quoted && !f.isAnchor() && style.quote.isValid() && f.foreground().color() != style.quote) {
        f.setForeground(style.quote);
        changed = true;
      }
      if (f.fontFixedPitch() && style.code.isValid() && f.background().color() != style.code) {
        f.setBackground(style.code);
        changed = true;
      }
      if (f.isAnchor() && style.link.isValid() &&
          (f.foreground().color() != style.link || !f.fontUnderline())) {
        f.setForeground(style.link);
        f.setFontUnderline(true);
        changed = true;
      }
      if (heading_px > 0 && (f.hasProperty(QTextFormat::FontSizeAdjustment) ||
                             f.intProperty(QTextFormat::FontPixelSize) != heading_px)) {
        f.clearProperty(QTextFormat::FontSizeAdjustment);
        f.clearProperty(QTextFormat::FontPointSize);
        f.setProperty(QTextFormat::FontPixelSize, heading_px);
        changed = true;
      }
      if (changed) changes.append({fragment.position(), fragment.position() + fragment.length(), f});
    }
  }
  for (const Change& change : changes) {
    QTextCursor c(doc);
    c.setPosition(change.from);
    c.setPosition(change.to, QTextCursor::KeepAnchor);
    c.setCharFormat(change.format);
  }
  for (const QTextBlock& b : apart) {
    QTextBlockFormat bf = b.blockFormat();
    bf.setBottomMargin(base_px * kParagraphGap);
    QTextCursor(b).setBlockFormat(bf);
  }
  for (const QTextBlock& b : spaced) {
    QTextBlockFormat bf = b.blockFormat();
    bf.setTopMargin(base_px * 0.6);
    QTextCursor(b).setBlockFormat(bf);
  }
}

int ProseStyle::style(QTextDocument* doc, const Style& style) {
  // One edit for all the passes: the document's views (a TextEdit already shown) hear of one
  // change and lay the text out once, not once per change (each a layout of the whole document:
  // a streaming reply's styling cost 400 ms at 7,000 characters).
  if (!doc) return 0;
  QTextCursor edit(doc);
  edit.beginEditBlock();
  styleFormulas(doc);
  const int tables = styleTables(doc, style);
  numberLists(doc, style);
  styleText(doc, style);
  edit.endEditBlock();
  return tables;
}

int ProseStyle::load(QTextDocument* doc, const QString& markdown, const Style& style) {
  if (!doc) return 0;
  // No undo steps (a read-only view; each streamed frame would add the reply's whole text to
  // the stack), as the TextEdit's own reader does.
  const bool undo = doc->isUndoRedoEnabled();
  doc->setUndoRedoEnabled(false);
  int tables = 0;
  {
    QTextCursor edit(doc);  // survives the clear() that setMarkdown starts with (as in setHtml)
    edit.beginEditBlock();
    doc->setMarkdown(markdown);
    // The styling joins this edit (one layout) unless the text has a table: the document finds
    // its tables (frames) only at the edit's end, and the passes ask which block is in one. Its
    // formats are there at once (setMarkdown cleared the old ones).
    const QList<QTextFormat> formats = doc->allFormats();
    const bool table =
        std::any_of(formats.begin(), formats.end(), [](const QTextFormat& f) { return f.isTableFormat(); });
    if (!table) tables = ProseStyle::style(doc, style);
    edit.endEditBlock();
    if (table) tables = ProseStyle::style(doc, style);
  }
  doc->setUndoRedoEnabled(undo);
  return tables;
}

void ProseStyle::setDocument(QQuickTextDocument* document) {
  if (document == document_) return;
  document_ = document;
  disconnect(font_changed_);
  // (QQuickTextEdit is not public API: its signal by name.)
  if (QQuickItem* view = textview::view_of(document);
      view && view->metaObject()->indexOfSignal("fontChanged(QFont)") >= 0)
    font_changed_ = connect(view, SIGNAL(fontChanged(QFont)), this, SLOT(fontChanged()));
  attach(document ? document->textDocument() : nullptr);
  emit documentChanged();
}

void ProseStyle::attach(QTextDocument* doc) {
  disconnect(changed_);
  text_ = doc;
  markdown_read_ = markdown_.isEmpty();  // a new document is read at the next apply()
  if (text_) changed_ = connect(text_, &QTextDocument::contentsChanged, this, &ProseStyle::restyle);
  restyle();
}

template <typename T>
void ProseStyle::change(T& field, const T& value) {
  if (field == value) return;
  field = value;
  emit styleChanged();
  restyle();
}

void ProseStyle::setBorder(const QColor& c) {
  change(style_.border, c);
}
void ProseStyle::setQuote(const QColor& c) {
  change(style_.quote, c);
}
void ProseStyle::setCode(const QColor& c) {
  change(style_.code, c);
}
void ProseStyle::setLink(const QColor& c) {
  change(style_.link, c);
}
void ProseStyle::setListStarts(const QList<int>& starts) {
  change(style_.list_starts, starts);
}
void ProseStyle::setPadding(qreal p) {
  if (p >= 0) change(style_.padding, p);
}

void ProseStyle::restyle() {
  if (styling_ || !text_) return;  // our own changes signal contentsChanged too
  run(&ProseStyle::styleTables);
  // The rest once the text is in: contentsChanged also comes in the middle of Qt's Markdown
  // import, whose list pointers a list emptied here would leave dangling (it crashed). The view
  // calls apply() as soon as the text is in; this is for the other changes (the theme's).
  if (rest_queued_) return;
  rest_queued_ = true;
  QMetaObject::invokeMethod(
      this,
      [this] {
        if (rest_queued_) apply();  // not when the view's apply() came first
      },
      Qt::QueuedConnection);
}

void ProseStyle::setMarkdown(const QString& markdown) {
  if (markdown == markdown_ && markdown_read_) return;
  markdown_ = markdown;
  markdown_read_ = false;
  emit markdownChanged();
  if (ready_) read();
}

void ProseStyle::fontChanged() {
  if (!ready_ || styling_ || !text_) return;
  if (!markdown_.isEmpty()) {
    read();  // Qt's reader sized the code spans from the font too
    return;
  }
  run(&ProseStyle::style);
}

void ProseStyle::apply() {
  rest_queued_ = false;  // this pass does what the queued one would
  ready_ = true;
  if (styling_ || !text_) return;
  if (!markdown_read_) {
    read();
    return;
  }
  run(&ProseStyle::style);
}

void ProseStyle::read() {
  if (styling_ || !text_) return;
  rest_queued_ = false;
  textview::draw_only_lines_in_view(document_, markdown_.size());
  run([this](QTextDocument* doc, const Style& style) { return load(doc, markdown_, style); });
  markdown_read_ = true;
}

void ProseStyle::run(const std::function<int(QTextDocument*, const Style&)>& pass) {
  styling_ = true;
  const int n = pass(text_, style_);
  styling_ = false;
  if (n != tables_) {
    tables_ = n;
    emit tablesChanged();
  }
}
