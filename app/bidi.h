#pragma once
// Text of its own direction (a path, a file name, tensor names) inside a translated sentence. In a
// right-to-left interface (Arabic) the sentence's direction would reorder it ("/tmp/m" shown as
// "tmp/m/", a bracket or a colon at its end moved to its start), so there it goes in a first-
// strong isolate (U+2068 ... U+2069), which takes its direction from its own first letter. Left to
// right it is returned as it is (a path in English stays byte for byte the same).
#include <QGuiApplication>
#include <QString>

namespace bidi {

// For a given direction: a worker thread passes the one it learned when its job was queued rather
// than reading the application's from its own thread.
inline QString isolated(const QString& text, bool right_to_left) {
  return right_to_left && !text.isEmpty() ? QChar(0x2068) + text + QChar(0x2069) : text;
}

// For the interface's direction now (call on its thread).
inline QString isolated(const QString& text) {
  return isolated(text, QGuiApplication::layoutDirection() == Qt::RightToLeft);
}

}  // namespace bidi
