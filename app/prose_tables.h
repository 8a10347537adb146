#pragma once
// ProseTables: gives the Markdown tables of a reply's prose a readable look. Qt's Markdown import
// lays a table out with a border around every cell, cell spacing between the borders (double
// lines) and no padding, so "| a | b |" reads as cramped boxes; a model's comparison tables are
// common. Attached to a TextEdit's textDocument, this restyles every table the document holds
// whenever its text is set again (a streaming reply sets it every frame): one collapsed hairline
// grid and padded cells. The header row stays bold, as Qt reads it; column alignment (":---:")
// and the cells' text are left as Qt read them. In QML:
//   ProseTables { document: prose.textDocument; border: Theme.tableBorder }
#include <QtQml/qqmlregistration.h>

#include <QColor>
#include <QObject>
#include <QPointer>
#include <QQuickTextDocument>
#include <QTextDocument>

class ProseTables : public QObject {
  Q_OBJECT
  QML_ELEMENT
  Q_PROPERTY(QQuickTextDocument* document READ document WRITE setDocument NOTIFY documentChanged)
  Q_PROPERTY(QColor border READ border WRITE setBorder NOTIFY styleChanged)
  Q_PROPERTY(qreal padding READ padding WRITE setPadding NOTIFY styleChanged)
  // How many tables the document held when it was last styled (tests read it).
  Q_PROPERTY(int tables READ tables NOTIFY tablesChanged)

 public:
  struct Style {
    QColor border;
    qreal padding = 0;
  };

  explicit ProseTables(QObject* parent = nullptr) : QObject(parent) {}

  QQuickTextDocument* document() const { return document_; }
  void setDocument(QQuickTextDocument* document);
  QColor border() const { return style_.border; }
  void setBorder(const QColor& c);
  qreal padding() const { return style_.padding; }
  void setPadding(qreal p);
  int tables() const { return tables_; }
  // The document to follow (setDocument's text document; tests give one of their own).
  void attach(QTextDocument* doc);

  // Restyles every table in `doc` (nested in lists or quotes too) and returns how many there are.
  // Only formats that differ are written, so a second call changes nothing and emits nothing.
  static int style(QTextDocument* doc, const Style& style);

 signals:
  void documentChanged();
  void styleChanged();
  void tablesChanged();

 private:
  void restyle();

  QPointer<QQuickTextDocument> document_;
  QPointer<QTextDocument> text_;
  QMetaObject::Connection changed_;
  Style style_{QColor(0x90, 0x90, 0x90), 6};
  int tables_ = 0;
  bool styling_ = false;
};
