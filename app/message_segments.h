#pragma once
// MessageSegments: a message's segments (MessageFormatter::segments) as a list model that changes
// only what changed. A reply streams in a batch a frame; with the segments as a plain list, each
// batch re-created every segment's view (every paragraph's Markdown parsed and styled again, every
// code block highlighted and laid out again), so a frame cost grew with the whole reply (27 ms a
// frame at 5,000 characters). Here a new text is segmented again (cheap: ~0.3 ms) and compared
// with the old segments: equal ones stay as they are (their delegates untouched), a changed one
// is updated in place (dataChanged), and rows are added or removed at the end.
#include <QtQml/qqmlregistration.h>

#include <QAbstractListModel>
#include <QQmlParserStatus>
#include <QVariantList>

class MessageSegments : public QAbstractListModel, public QQmlParserStatus {
  Q_OBJECT
  Q_INTERFACES(QQmlParserStatus)
  QML_ELEMENT
  Q_PROPERTY(QString text READ text WRITE setText NOTIFY textChanged)
  Q_PROPERTY(bool plain READ plain WRITE setPlain NOTIFY plainChanged)

 public:
  enum Role { SegmentRole = Qt::UserRole + 1 };
  explicit MessageSegments(QObject* parent = nullptr) : QAbstractListModel(parent) {}

  QString text() const { return text_; }
  void setText(const QString& text);
  bool plain() const { return plain_; }
  void setPlain(bool plain);

  int rowCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role) const override;
  QHash<int, QByteArray> roleNames() const override;

  // Segmented once the QML object's properties are all set, not once per property.
  void classBegin() override { complete_ = false; }
  void componentComplete() override;

 signals:
  void textChanged();
  void plainChanged();

 private:
  void update();

  QString text_;
  bool plain_ = false;
  bool complete_ = true;  // false between classBegin and componentComplete
  QVariantList segments_;
};
