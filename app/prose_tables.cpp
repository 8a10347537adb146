#include "app/prose_tables.h"

#include <QQuickTextDocument>
#include <QTextCursor>
#include <QTextDocument>
#include <QTextFrame>
#include <QTextTable>

namespace {

void collect(QTextFrame* frame, QList<QTextTable*>& out) {
  for (QTextFrame* child : frame->childFrames()) {
    if (auto* table = qobject_cast<QTextTable*>(child)) out.append(table);
    collect(child, out);  // a table inside a cell or a quote
  }
}

}  // namespace

int ProseTables::style(QTextDocument* doc, const Style& style) {
  if (!doc) return 0;
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
  }
  return static_cast<int>(tables.size());
}

void ProseTables::setDocument(QQuickTextDocument* document) {
  if (document == document_) return;
  document_ = document;
  attach(document ? document->textDocument() : nullptr);
  emit documentChanged();
}

void ProseTables::attach(QTextDocument* doc) {
  disconnect(changed_);
  text_ = doc;
  if (text_) changed_ = connect(text_, &QTextDocument::contentsChanged, this, &ProseTables::restyle);
  restyle();
}

void ProseTables::setBorder(const QColor& c) {
  if (c == style_.border) return;
  style_.border = c;
  emit styleChanged();
  restyle();
}

void ProseTables::setPadding(qreal p) {
  if (p == style_.padding || p < 0) return;
  style_.padding = p;
  emit styleChanged();
  restyle();
}

void ProseTables::restyle() {
  if (styling_ || !text_) return;  // our own format changes signal contentsChanged too
  styling_ = true;
  const int n = style(text_, style_);
  styling_ = false;
  if (n != tables_) {
    tables_ = n;
    emit tablesChanged();
  }
}
