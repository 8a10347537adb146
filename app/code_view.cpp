#include "app/code_view.h"

#include <QTextBlock>
#include <QTextCursor>
#include <QTextDocument>

#include "app/text_view.h"

namespace {

constexpr qreal kEdge = 12;  // above the first line and below the last, as `<pre>` had

bool ends_line(char16_t c) {
  return c == u'\n' || c == 0x2029 || c == 0xFDD0 || c == 0xFDD1;
}

QTextCharFormat format_of(int kind, bool dark) {
  QTextCharFormat f;  // plain text: the view's own font and colour
  const codehl::TokenStyle s = codehl::token_style(kind, dark);
  if (!s.colour.isValid()) return f;
  f.setForeground(s.colour);
  if (s.italic) f.setFontItalic(true);
  if (s.bold) f.setFontWeight(QFont::Bold);
  return f;
}

QTextBlockFormat block_format(bool first, bool last, bool wraps) {
  QTextBlockFormat f;
  if (!wraps) f.setNonBreakableLines(true);
  if (first) f.setTopMargin(kEdge);
  if (last) f.setBottomMargin(kEdge);
  return f;
}

void put_line(QTextCursor& c, const CodeView::Line& line, bool dark) {
  qsizetype at = 0;
  for (const codehl::Piece& run : line.runs) {
    c.insertText(line.text.mid(at, run.length), format_of(run.kind, dark));
    at += run.length;
  }
}

}  // namespace

QList<CodeView::Line> CodeView::lines(const QString& code, const QString& language) {
  QList<Line> out;
  Line line;
  const auto add = [&](int kind, qsizetype from, qsizetype to) {
    if (to <= from) return;
    line.text += QStringView(code).mid(from, to - from);
    if (!line.runs.isEmpty() && line.runs.back().kind == kind)
      line.runs.back().length += to - from;
    else
      line.runs.append(codehl::Piece{kind, to - from});
  };
  QList<codehl::Piece> pieces = codehl::pieces(code, language);
  qsizetype covered = 0;
  for (const codehl::Piece& p : pieces) covered += p.length;
  if (covered < code.size())
    pieces.append(codehl::Piece{-1, code.size() - covered});  // never: all of it shown
  qsizetype at = 0;
  for (const codehl::Piece& p : pieces) {
    const qsizetype end = std::min(code.size(), at + p.length);
    qsizetype from = at;
    for (qsizetype i = at; i < end; ++i) {
      const char16_t c = code[i].unicode();
      if (c != u'\r' && !ends_line(c)) continue;
      add(p.kind, from, i);
      from = i + 1;
      if (c == u'\r') continue;
      out.append(std::move(line));
      line = Line();
    }
    add(p.kind, from, end);
    at = end;
  }
  out.append(std::move(line));
  return out;
}

int CodeView::write(QTextDocument* doc, Shown& shown, const Content& next) {
  if (!doc) return 0;
  const QList<Line> want = lines(next.code, next.language);
  // Where the shown lines stop being the wanted ones (all of them when the colours change, or
  // the document does not hold what `shown` says).
  qsizetype same = 0;
  const bool wraps = CodeView::wraps(next.language);
  if (shown.dark == next.dark && shown.wraps == wraps &&
      doc->blockCount() == std::max<qsizetype>(1, shown.lines.size())) {
    const qsizetype n = std::min(shown.lines.size(), want.size());
    while (same < n && shown.lines[same] == want[same]) ++same;
  } else {
    shown.lines.clear();
  }
  if (same == want.size() && same == shown.lines.size()) return int(same);
  // A line that was last and is no longer, or the other way round, changes its margin: it is
  // written again too (the lines before it keep theirs).
  if (same > 0 && same == shown.lines.size() && same < want.size()) --same;
  if (same > 0 && same == want.size()) --same;

  const bool undo = doc->isUndoRedoEnabled();
  doc->setUndoRedoEnabled(false);  // a read-only view; each streamed frame would add a step
  QTextCursor c(doc);
  c.beginEditBlock();
  if (same == 0) {
    c.select(QTextCursor::Document);
  } else {
    const QTextBlock kept = doc->findBlockByNumber(int(same) - 1);  // the last line that stays
    c.setPosition(kept.position() + kept.length() - 1);             // before its line end
    c.movePosition(QTextCursor::End, QTextCursor::KeepAnchor);
  }
  c.removeSelectedText();
  for (qsizetype k = same; k < want.size(); ++k) {
    if (k > 0) c.insertBlock(QTextBlockFormat(), QTextCharFormat());
    put_line(c, want[k], next.dark);
  }
  // The paragraph formats of the lines written, and of the one before them (which a removal of
  // the lines after it can leave with another line's format).
  for (QTextBlock b = doc->findBlockByNumber(int(std::max<qsizetype>(0, same - 1))); b.isValid();
       b = b.next()) {
    const QTextBlockFormat f = block_format(b.blockNumber() == 0, b.blockNumber() + 1 == want.size(), wraps);
    if (b.blockFormat() != f) QTextCursor(b).setBlockFormat(f);
    if (b.charFormat() != QTextCharFormat()) QTextCursor(b).setBlockCharFormat(QTextCharFormat());
  }
  c.endEditBlock();
  doc->setUndoRedoEnabled(undo);
  shown.lines = want;
  shown.dark = next.dark;
  shown.wraps = wraps;
  return int(same);
}

void CodeView::setDocument(QQuickTextDocument* document) {
  if (document == document_) return;
  document_ = document;
  shown_ = Shown();  // another document: written whole
  emit documentChanged();
  changed();
}

void CodeView::setCode(const QString& code) {
  if (code == content_.code) return;
  content_.code = code;
  emit contentChanged();
  changed();
}

void CodeView::setLanguage(const QString& language) {
  if (language == content_.language) return;
  content_.language = language;
  emit contentChanged();
  changed();
}

void CodeView::setDark(bool dark) {
  if (dark == content_.dark) return;
  content_.dark = dark;
  emit contentChanged();
  changed();
}

void CodeView::componentComplete() {
  ready_ = true;
  changed();
}

void CodeView::changed() {
  if (!ready_ || !document_ || !document_->textDocument()) return;
  textview::draw_only_lines_in_view(document_, content_.code.size());
  write(document_->textDocument(), shown_, content_);
}
