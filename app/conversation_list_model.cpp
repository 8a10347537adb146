#include "app/conversation_list_model.h"

#include <QDateTime>

#include "app/date_group.h"
#include "core/store/conversation_store.h"

int ConversationListModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : int(rows_.size());
}

QVariant ConversationListModel::data(const QModelIndex& index, int role) const {
  if (!index.isValid() || index.row() >= int(rows_.size())) return {};
  const falcon::Conversation& c = rows_[size_t(index.row())];
  switch (role) {
    case Qt::DisplayRole:
    case TitleRole:
      return QString::fromStdString(c.title);
    case IdRole:
      return QVariant::fromValue<qint64>(c.id);
    case PinnedRole:
      return c.pinned;
    case ArchivedRole:
      return c.archived;
    case UpdatedMsRole:
      return QVariant::fromValue<qint64>(c.updated_ms);
    case SectionRole:
      return date_group_title(date_group(c.updated_ms, c.pinned, QDateTime::currentDateTime()));
    case DraftRole:
      return drafts_.value(c.id);
    default:
      return {};
  }
}

QHash<int, QByteArray> ConversationListModel::roleNames() const {
  return {{IdRole, "conversationId"}, {TitleRole, "title"},         {PinnedRole, "pinned"},
          {ArchivedRole, "archived"}, {UpdatedMsRole, "updatedMs"}, {SectionRole, "section"},
          {DraftRole, "draft"}};
}

void ConversationListModel::reload(falcon::ConversationStore& store,
                                   const QHash<qint64, QString>& unsaved_drafts) {
  falcon::ListOptions o;
  o.filter = falcon::ArchiveFilter::All;
  o.limit = 100000;  // the list is short text rows; a heavy user has a few thousand
  auto rows = store.list_conversations(o);
  QHash<qint64, QString> drafts;
  for (const auto& [id, text] : store.drafts()) drafts.insert(id, QString::fromStdString(text));
  for (auto it = unsaved_drafts.constBegin(); it != unsaved_drafts.constEnd(); ++it) {
    if (it.value().isEmpty())
      drafts.remove(it.key());
    else
      drafts.insert(it.key(), it.value());
  }
  beginResetModel();
  rows_ = std::move(rows);
  drafts_ = std::move(drafts);
  endResetModel();
}

void ConversationListModel::setDraft(qint64 id, const QString& text) {
  if (drafts_.value(id) == text) return;
  if (text.isEmpty())
    drafts_.remove(id);
  else
    drafts_.insert(id, text);
  const int row = rowOf(id);
  if (row >= 0) emit dataChanged(index(row), index(row), {DraftRole});
}

void ConversationListModel::refreshRow(falcon::ConversationStore& store, qint64 id,
                                       const QHash<qint64, QString>& unsaved_drafts) {
  const int row = rowOf(id);
  if (row < 0) {
    reload(store, unsaved_drafts);
    return;
  }
  rows_[size_t(row)] = store.conversation(id);
  emit dataChanged(index(row), index(row));
}

int ConversationListModel::rowOf(qint64 id) const {
  for (size_t i = 0; i < rows_.size(); ++i)
    if (rows_[i].id == id) return int(i);
  return -1;
}

const falcon::Conversation* ConversationListModel::find(qint64 id) const {
  const int row = rowOf(id);
  return row < 0 ? nullptr : &rows_[size_t(row)];
}

// ---- ConversationFilterModel ------------------------------------------------------------

ConversationFilterModel::ConversationFilterModel(QObject* parent) : QSortFilterProxyModel(parent) {
  setDynamicSortFilter(true);
  sort(0);
  connect(this, &QAbstractItemModel::rowsInserted, this, &ConversationFilterModel::countChanged);
  connect(this, &QAbstractItemModel::rowsRemoved, this, &ConversationFilterModel::countChanged);
  connect(this, &QAbstractItemModel::modelReset, this, &ConversationFilterModel::countChanged);
  connect(this, &QAbstractItemModel::layoutChanged, this, &ConversationFilterModel::countChanged);
}

void ConversationFilterModel::setShowArchived(bool on) {
  if (on == show_archived_) return;
  show_archived_ = on;
  invalidateFilter();
  emit showArchivedChanged();
  emit countChanged();
}

void ConversationFilterModel::setTitleFilter(const QString& text) {
  if (text == title_filter_) return;
  title_filter_ = text;
  invalidateFilter();
  emit titleFilterChanged();
  emit countChanged();
}

void ConversationFilterModel::setHiddenId(qint64 id) {
  if (id == hidden_id_) return;
  hidden_id_ = id;
  invalidateFilter();
  emit countChanged();
}

qint64 ConversationFilterModel::idAt(int row) const {
  return data(index(row, 0), ConversationListModel::IdRole).toLongLong();
}

int ConversationFilterModel::rowOfId(qint64 id) const {
  const auto* list = static_cast<const ConversationListModel*>(sourceModel());
  const int source_row = list ? list->rowOf(id) : -1;
  return source_row < 0 ? -1 : mapFromSource(list->index(source_row)).row();  // -1 when filtered out
}

bool ConversationFilterModel::filterAcceptsRow(int source_row, const QModelIndex& source_parent) const {
  const QModelIndex i = sourceModel()->index(source_row, 0, source_parent);
  if (hidden_id_ != 0 && i.data(ConversationListModel::IdRole).toLongLong() == hidden_id_) return false;
  if (i.data(ConversationListModel::ArchivedRole).toBool() != show_archived_) return false;
  const QString filter = title_filter_.trimmed();
  return filter.isEmpty() ||
         i.data(ConversationListModel::TitleRole).toString().contains(filter, Qt::CaseInsensitive);
}

// "Less" means "shown first": pinned before unpinned, then newest activity, then newest id.
bool ConversationFilterModel::lessThan(const QModelIndex& left, const QModelIndex& right) const {
  const bool lp = left.data(ConversationListModel::PinnedRole).toBool();
  const bool rp = right.data(ConversationListModel::PinnedRole).toBool();
  if (lp != rp) return lp;
  const qint64 lu = left.data(ConversationListModel::UpdatedMsRole).toLongLong();
  const qint64 ru = right.data(ConversationListModel::UpdatedMsRole).toLongLong();
  if (lu != ru) return lu > ru;
  return left.data(ConversationListModel::IdRole).toLongLong() >
         right.data(ConversationListModel::IdRole).toLongLong();
}
