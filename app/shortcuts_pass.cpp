#include "app/shortcuts_pass.h"

#include <QKeyEvent>
#include <QKeySequence>

void ShortcutsPass::setItem(QQuickItem* item) {
  if (item == item_) return;
  if (item_) item_->removeEventFilter(this);
  item_ = item;
  if (item_) item_->installEventFilter(this);
  emit itemChanged();
}

bool ShortcutsPass::eventFilter(QObject* watched, QEvent* event) {
  if (watched != item_ || event->type() != QEvent::ShortcutOverride) return false;
  const auto* key = static_cast<QKeyEvent*>(event);
  if (key->matches(QKeySequence::Copy) || key->matches(QKeySequence::SelectAll)) return false;
  event->ignore();  // not the view's: the shortcuts are asked
  return true;
}
