#pragma once
// MessageFormatter: turns a message's Markdown into what the chat view renders safely.
//
// A message becomes segments: prose (Markdown for Text.MarkdownText) and fenced code blocks
// (shown monospace, syntax-coloured, with a Copy button). Prose is neutralised so nothing is
// ever fetched: raw HTML and <autolinks> are escaped ("\<"), and image syntax "![" is broken
// by a zero-width space so no image can form (Qt would load its URL). Links stay links; the view
// never opens them.
// Code spans and code blocks are left untouched (escapes are literal inside them). TeX formulas
// in prose ($x^2$, $$...$$, \(...\), \[...\]) become readable text first (app/math_text.h).
#include <QtQml/qqmlregistration.h>

#include <QList>
#include <QObject>
#include <QString>
#include <QVariantList>

class MessageFormatter : public QObject {
  Q_OBJECT
  QML_ELEMENT
  QML_SINGLETON

 public:
  explicit MessageFormatter(QObject* parent = nullptr) : QObject(parent) {}

  // [{kind: "text", markdown[, listStarts]}, {kind: "code", language, code, shown, lines, hiddenLines}, ...]
  // in order. listStarts: each ordered list's first number (orderedListStarts), given where one
  // is not 1 (a step after a code block: "2. Configure:"), for ProseStyle.
  // An unclosed fence (a reply still streaming) is a code block up to the end. `plain` (a user's
  // own message): the prose as typed, {kind: "plain", markdown: the text}, not read as Markdown;
  // its fenced blocks (pasted code, an added file) are code blocks all the same, and one of more
  // than kPreviewLines + kPreviewSlack lines has only its first kPreviewLines in `shown`
  // (hiddenLines: how many are left out; `code` is the whole), else `shown` is `code`. The view
  // colours the code itself (CodeView).
  static QVariantList segments(const QString& text, bool plain = false);
  static constexpr int kPreviewLines = 30;
  static constexpr int kPreviewSlack = 10;  // never hide fewer lines than this
  // What a new chat's title is made of, from its first message: the prose without the fenced
  // blocks and without code spans' backticks ("fib.py What does this print?"), or, when it is all
  // code, the code's first line.
  static QString titleText(const QString& text);

  // The first number of each ordered list in `markdown`, in document order, as md4c (the parser
  // Qt's Markdown reader uses) reads it with GitHub's dialect.
  static QList<int> orderedListStarts(const QString& markdown);
  // The prose rules above, for one prose segment.
  static QString neutralizeMarkdown(const QString& prose);
};
