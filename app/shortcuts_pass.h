#pragma once
// ShortcutsPass: lets the window's shortcuts through a read-only TextEdit that has the focus.
// Qt 6.4's read-only TextEdit accepts every ShortcutOverride event, so once a reply's text was
// clicked (to select some of it) every shortcut of the window was dead until the focus moved:
// Ctrl+N, F1, even Esc to stop a reply. Here the TextEdit keeps what a read-only text needs,
// Copy and Select All; any other key goes to the window's shortcuts first, and to the TextEdit
// as a key press when no shortcut takes it (Shift+arrows still extend the selection).
// In QML: TextEdit { id: view; readOnly: true; ShortcutsPass { item: view } } (ui/components/MessageText.qml)
#include <QtQml/qqmlregistration.h>

#include <QObject>
#include <QPointer>
#include <QQuickItem>

class ShortcutsPass : public QObject {
  Q_OBJECT
  QML_ELEMENT
  Q_PROPERTY(QQuickItem* item READ item WRITE setItem NOTIFY itemChanged)

 public:
  explicit ShortcutsPass(QObject* parent = nullptr) : QObject(parent) {}
  QQuickItem* item() const { return item_; }
  void setItem(QQuickItem* item);

 signals:
  void itemChanged();

 protected:
  bool eventFilter(QObject* watched, QEvent* event) override;

 private:
  QPointer<QQuickItem> item_;
};
