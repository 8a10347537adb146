#pragma once
// Text of its own direction (a path, a file name, tensor names) inside a translated sentence. In a
// right-to-left interface (Arabic) the sentence's direction would reorder it ("/tmp/m" shown as
// "tmp/m/", a bracket or a colon at its end moved to its start), so there it goes in a first-
// strong isolate (U+2068 ... U+2069), which takes its direction from its own first letter. Left to
// right it is returned as it is (a path in English stays byte for byte the same).
#include <QGuiApplication>
#include <QString>

namespace bidi {

// The isolate itself, whatever the direction (a worker thread that learned the direction when its
// job was queued, rather than reading the application's from its own thread).
inline QString isolate(const QString& text) {
  return text.isEmpty() ? text : QChar(0x2068) + text + QChar(0x2069);
}

inline QString isolated(const QString& text) {
  return QGuiApplication::layoutDirection() == Qt::RightToLeft ? isolate(text) : text;
}

}  // namespace bidi
