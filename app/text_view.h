#pragma once
// For the helpers that write a TextEdit's text through its document (ProseStyle, CodeView)
// rather than its `text` property.
#include <QQuickItem>
#include <QQuickTextDocument>

namespace textview {

// The TextEdit that `document` belongs to (QQuickTextEdit::textDocument's parent), or null.
inline QQuickItem* view_of(const QQuickTextDocument* document) {
  return document ? qobject_cast<QQuickItem*>(document->parent()) : nullptr;
}

// A TextEdit given a long text through `text` draws only the lines in view; given it through
// its document, it is told so here (QQuickTextEdit::setText; the threshold is its
// largeTextSizeThreshold, 10,000 characters).
inline void draw_only_lines_in_view(const QQuickTextDocument* document, qsizetype text_length) {
  if (QQuickItem* view = view_of(document))
    view->setFlag(QQuickItem::ItemObservesViewport, text_length > 10000);
}

}  // namespace textview
