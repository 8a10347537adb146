#pragma once
// ProseStyle: what Qt 6.4's Markdown reader leaves undone in a reply's prose, done on the
// document it built (attached to the prose TextEdit's textDocument, redone each time the text is
// set again: a streaming reply sets it every frame).
//  - Tables: Qt lays one out with a border around every cell, cell spacing between the borders
//    (double lines) and no padding, so "| a | b |" reads as cramped boxes. Here: one collapsed
//    hairline grid in the theme's colour, padded cells. Alignment and the bold header stay.
//  - Ordered lists that do not start at 1: Qt 6.4 numbers every list from 1 (QTextListFormat has
//    no start before Qt 6.6). A model's steps with a code block after each come as one prose
//    segment per step (code blocks are segments of their own), so "2. Configure:" showed as
//    "1.". `listStarts` (MessageFormatter's, read by md4c, the parser Qt uses) gives each
//    ordered list's first number in document order; the items of a list that starts elsewhere
//    than 1 leave Qt's list (keeping its indentation; Qt Quick draws a bullet for any list
//    style without numbers) and get their numbers as text, hanging where the marker was.
//  - Block quotes: Qt only indents them, so "> a quote" after a list item read as the item's
//    own text. Here their text takes `quote` (the theme's subdued colour).
//  - Code spans: Qt sets them in a fixed-pitch font only; here they also sit on `code`, the
//    code blocks' background, so `config.json` in a sentence stands out as it does elsewhere.
//  - Links: Qt gives them the application palette's link colour (pure blue, which on the dark
//    theme's background can hardly be read) and nothing else; here `link`, and underlined, so
//    they do not rest on colour alone.
//  - Headings: Qt's "# Title" is more than twice the text's size, and sits on the paragraph
//    above it; here 1.45x (h1) down to 1.05x (h4), with room above.
//  - Paragraphs: Qt gives them no margin, so two paragraphs read as one text; here half a line
//    between them, and after a list (not between its items, not in a table's cells).
//  - Formulas: MessageFormatter sets TeX math as text with marks (app/math_text.h) for italic
//    letters, bold, superscripts and subscripts; here the marks become those formats and leave
//    the text. Line-break marks (a displayed formula's lines, a reply's line breaks) become line
//    separators in their paragraph, and a displayed aligned formula's rows are lined up at
//    their alignment marks (a tab each, the block's tab stop at the widest row's point).
//
// The Markdown comes through `markdown`, not the TextEdit's text: ProseStyle reads it into the
// document and styles it in one edit, so the view lays the text out once. The TextEdit's own
// Markdown reader makes one change per piece of text it inserts, and a shown TextEdit lays out
// each: a streaming reply's prose of 6,800 characters cost ~12 ms a frame to read that way,
// ~1.5 ms in one edit (docs/BENCHMARKS.md).
// In QML (apply() once the view is complete, so the first frame shows the text styled; later
// Markdown is read and styled at once):
//   TextEdit { id: prose; textFormat: TextEdit.MarkdownText; Component.onCompleted: style.apply()
//              ProseStyle { id: style; document: prose.textDocument; markdown: ...; border: ... } }
// A plain TextEdit keeps its text and calls apply() on each textChanged (no `markdown`).
#include <QtQml/qqmlregistration.h>

#include <QColor>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QQuickTextDocument>
#include <QTextDocument>
#include <functional>

class ProseStyle : public QObject {
  Q_OBJECT
  QML_ELEMENT
  Q_PROPERTY(QQuickTextDocument* document READ document WRITE setDocument NOTIFY documentChanged)
  // The text to show, read as GitHub Markdown (as a TextEdit's MarkdownText): see above.
  Q_PROPERTY(QString markdown READ markdown WRITE setMarkdown NOTIFY markdownChanged)
  Q_PROPERTY(QColor border READ border WRITE setBorder NOTIFY styleChanged)
  Q_PROPERTY(qreal padding READ padding WRITE setPadding NOTIFY styleChanged)
  Q_PROPERTY(QList<int> listStarts READ listStarts WRITE setListStarts NOTIFY styleChanged)
  Q_PROPERTY(QColor quote READ quote WRITE setQuote NOTIFY styleChanged)
  Q_PROPERTY(QColor code READ code WRITE setCode NOTIFY styleChanged)
  Q_PROPERTY(QColor link READ link WRITE setLink NOTIFY styleChanged)
  // How many tables the document held when it was last styled (tests read it).
  Q_PROPERTY(int tables READ tables NOTIFY tablesChanged)

 public:
  struct Style {
    QColor border;
    qreal padding = 0;
    QList<int> list_starts;  // each ordered list's first number, in document order
    QColor quote;            // the text of block quotes; invalid: as the rest
    QColor code;             // behind code spans' text; invalid: none
    QColor link;             // links' text (underlined); invalid: as Qt read them
  };

  explicit ProseStyle(QObject* parent = nullptr) : QObject(parent) {}

  QQuickTextDocument* document() const { return document_; }
  void setDocument(QQuickTextDocument* document);
  QColor border() const { return style_.border; }
  void setBorder(const QColor& c);
  qreal padding() const { return style_.padding; }
  void setPadding(qreal p);
  QColor quote() const { return style_.quote; }
  void setQuote(const QColor& c);
  QColor code() const { return style_.code; }
  void setCode(const QColor& c);
  QColor link() const { return style_.link; }
  void setLink(const QColor& c);
  QList<int> listStarts() const { return style_.list_starts; }
  void setListStarts(const QList<int>& starts);
  int tables() const { return tables_; }
  QString markdown() const { return markdown_; }
  void setMarkdown(const QString& markdown);
  // The document to follow (setDocument's text document; tests give one of their own).
  void attach(QTextDocument* doc);
  // Everything now, once the view is complete (a TextEdit's Component.onCompleted; a plain one's
  // onTextChanged too: before the frame that shows it): `markdown` read into the document if it
  // is not yet, and styled. From then on a new `markdown` is read and styled when it is set.
  // Changes of the document alone (not through `markdown`) style its tables at once and the
  // rest from the event loop, as they may come in the middle of Qt's Markdown import.
  Q_INVOKABLE void apply();

  // Reads `markdown` into `doc` (as QTextDocument::setMarkdown) and styles it, all in one edit;
  // returns the number of tables, as style().
  static int load(QTextDocument* doc, const QString& markdown, const Style& style);

  // Restyles `doc` as above and returns how many tables it holds (nested in lists or quotes too).
  // Only what differs is written, so a second call changes nothing and emits nothing. Attached,
  // the tables are styled at once and the lists from the event loop (after Qt's import).
  static int style(QTextDocument* doc, const Style& style);
  static int styleTables(QTextDocument* doc, const Style& style);
  static void numberLists(QTextDocument* doc, const Style& style);
  // The marks of rendered formulas (mathtext) made italic, bold, superscript and subscript, and
  // taken out of the text.
  static void styleFormulas(QTextDocument* doc);
  // Block quotes' text in `quote`, code spans on `code`, links in `link`, headings sized from
  // the text's size.
  static void styleText(QTextDocument* doc, const Style& style);

 signals:
  void documentChanged();
  void markdownChanged();
  void styleChanged();
  void tablesChanged();

 private slots:
  // The view's font changed (the text size setting, Ctrl+/-): the sizes written into the text
  // (headings', code spans', the paragraphs' gaps) were the old size's; read and styled again.
  void fontChanged();

 private:
  void restyle();
  void run(const std::function<int(QTextDocument*, const Style&)>& pass);  // guarded, tables counted
  void read();  // `markdown` into the document, styled
  template <typename T>
  void change(T& field, const T& value);  // a style property: set, signalled, applied

  QPointer<QQuickTextDocument> document_;
  QPointer<QTextDocument> text_;
  QString markdown_;
  bool ready_ = false;         // apply() came: the view is complete
  bool markdown_read_ = true;  // the document holds `markdown` (nothing to read before it is set)
  QMetaObject::Connection changed_;
  QMetaObject::Connection font_changed_;
  Style style_{QColor(0x90, 0x90, 0x90), 6, {}, QColor(), QColor()};
  int tables_ = 0;
  bool styling_ = false;
  bool rest_queued_ = false;
};
