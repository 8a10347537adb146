#include "app/message_segments.h"

#include <algorithm>

#include "app/message_formatter.h"

void MessageSegments::setText(const QString& text) {
  if (text == text_) return;
  text_ = text;
  emit textChanged();
  update();
}

void MessageSegments::setPlain(bool plain) {
  if (plain == plain_) return;
  plain_ = plain;
  emit plainChanged();
  update();
}

void MessageSegments::componentComplete() {
  complete_ = true;
  update();
}

int MessageSegments::rowCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : static_cast<int>(segments_.size());
}

QVariant MessageSegments::data(const QModelIndex& index, int role) const {
  if (role != SegmentRole || !index.isValid() || index.row() >= segments_.size()) return {};
  return segments_[index.row()];
}

QHash<int, QByteArray> MessageSegments::roleNames() const {
  return {{SegmentRole, "segment"}};
}

void MessageSegments::update() {
  if (!complete_) return;
  const QVariantList next = MessageFormatter::segments(text_, plain_);
  const qsizetype old_size = segments_.size(), new_size = next.size();
  const qsizetype common = std::min(old_size, new_size);
  // In place where both have a row: a streaming reply changes its last segment, or turns it
  // into another kind (a fence opens), and leaves the ones before it equal.
  for (qsizetype i = 0; i < common; ++i) {
    if (segments_[i] == next[i]) continue;
    segments_[i] = next[i];
    const QModelIndex at = index(static_cast<int>(i));
    emit dataChanged(at, at, {SegmentRole});
  }
  if (new_size > old_size) {
    beginInsertRows({}, static_cast<int>(old_size), static_cast<int>(new_size - 1));
    for (qsizetype i = old_size; i < new_size; ++i) segments_.append(next[i]);
    endInsertRows();
  } else if (new_size < old_size) {
    beginRemoveRows({}, static_cast<int>(new_size), static_cast<int>(old_size - 1));
    segments_.resize(new_size);
    endRemoveRows();
  }
}
