#pragma once
// CodeView: a code block's text written into its TextEdit's document, the highlighter's token
// kinds (codehl::pieces) as character formats: no HTML is built or parsed, so nothing in the code
// can become markup, and a 300-line block costs what its text does (HTML with a span a token took
// 6-9 ms to parse at 300 lines). When the code changes (a reply streaming into its block), the
// lines before the first one that reads differently (text or token kinds) stay as they are, and
// only the rest is written again, in one edit: a shown TextEdit lays out just those lines.
//
// The document looks as a `<pre>` of the same HTML did: lines that never wrap, 12 pixels above
// the first and below the last, the view's font (its family is Theme.monoFamily), each token's
// colour and style (comments italic, Markdown headings bold).
//
// In QML (the TextEdit given no text of its own, and plain: a rich or Markdown TextEdit reads
// its empty text into the document when it completes):
//   TextEdit { id: view; textFormat: TextEdit.PlainText
//              CodeView { document: view.textDocument; code: ...; language: ...; dark: ... } }
// It writes once its properties are all set (its componentComplete, which comes before the
// TextEdit's and its positioner's: so they have the code's size from the start), and then
// whenever they change.
#include <QtQml/qqmlregistration.h>

#include <QList>
#include <QObject>
#include <QPointer>
#include <QQmlParserStatus>
#include <QQuickTextDocument>
#include <QString>

#include "app/code_highlighter.h"

class QTextDocument;

class CodeView : public QObject, public QQmlParserStatus {
  Q_OBJECT
  Q_INTERFACES(QQmlParserStatus)
  QML_ELEMENT
  Q_PROPERTY(QQuickTextDocument* document READ document WRITE setDocument NOTIFY documentChanged)
  Q_PROPERTY(QString code READ code WRITE setCode NOTIFY contentChanged)
  Q_PROPERTY(QString language READ language WRITE setLanguage NOTIFY contentChanged)
  Q_PROPERTY(bool dark READ dark WRITE setDark NOTIFY contentChanged)

 public:
  struct Content {
    QString code;
    QString language;
    bool dark = false;
  };
  // One line as shown: its text and its runs of token kinds (codehl::Piece, within the line).
  struct Line {
    QString text;
    QList<codehl::Piece> runs;
    bool operator==(const Line&) const = default;
  };
  // What a document shows, so that the next write knows where the new code starts to differ.
  struct Shown {
    QList<Line> lines;
    bool dark = false;
    bool wraps = false;
  };
  // Whether lines in `language` may wrap: "text", a document's prose added to a message (a
  // paragraph a line); code keeps its lines whole, as `<pre>` did.
  // (CodeBlock.qml asks too: its text view's width follows.)
  Q_INVOKABLE static bool wraps(const QString& language) { return language == QLatin1String("text"); }

  // The code's lines as a document holds them: a line ends at '\n' (and at U+2029 or U+FDD0/
  // U+FDD1, which a document also takes as a paragraph's end); '\r' is dropped ("\r\n" is one
  // line end), as Qt's HTML reader did with the `<pre>` before.
  static QList<Line> lines(const QString& code, const QString& language);
  // Writes `next` into `doc` (which shows `shown`, or is empty when `shown` has no lines) from
  // its first line that differs, in one edit, and records it in `shown`. Returns the number of
  // the first line written (the line count when nothing differed).
  static int write(QTextDocument* doc, Shown& shown, const Content& next);

  explicit CodeView(QObject* parent = nullptr) : QObject(parent) {}
  QQuickTextDocument* document() const { return document_; }
  void setDocument(QQuickTextDocument* document);
  QString code() const { return content_.code; }
  void setCode(const QString& code);
  QString language() const { return content_.language; }
  void setLanguage(const QString& language);
  bool dark() const { return content_.dark; }
  void setDark(bool dark);
  void classBegin() override { ready_ = false; }
  void componentComplete() override;

 signals:
  void documentChanged();
  void contentChanged();

 private:
  void changed();

  QPointer<QQuickTextDocument> document_;
  Content content_;
  Shown shown_;
  bool ready_ = true;  // false between classBegin and componentComplete
};
