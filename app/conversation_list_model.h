#pragma once
// ConversationListModel: every conversation of the store (archived ones too), one row each.
// ConversationFilterModel on top sorts (pinned first, newest activity first) and filters
// (archived or not, title text, a conversation waiting for its delete to be undone).
#include <QtQml/qqmlregistration.h>

#include <QAbstractListModel>
#include <QSortFilterProxyModel>
#include <vector>

#include "core/store/store_types.h"

namespace falcon {
class ConversationStore;
}

class ConversationListModel : public QAbstractListModel {
  Q_OBJECT
  QML_ELEMENT
  QML_UNCREATABLE("Owned by ChatController")

 public:
  enum Roles {
    IdRole = Qt::UserRole + 1,
    TitleRole,
    PinnedRole,
    ArchivedRole,
    UpdatedMsRole,
    SectionRole,  // translated date group ("Today", ...), "Pinned" for pinned chats
    DraftRole,    // the unsent text left in the chat's message field, "" when none
  };

  explicit ConversationListModel(QObject* parent = nullptr) : QAbstractListModel(parent) {}

  int rowCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role) const override;
  QHash<int, QByteArray> roleNames() const override;

  // Reads the list and the drafts again (cheap: indexed queries); `unsaved_drafts` are drafts
  // newer than the store's ("" = none). Throws StoreError.
  void reload(falcon::ConversationStore& store, const QHash<qint64, QString>& unsaved_drafts = {});
  // Re-reads one row in place (rename, pin, archive) so views keep their scroll position.
  // Reads one chat's row again; a chat not in the list reloads the whole list (with
  // `unsaved_drafts`, as reload()).
  void refreshRow(falcon::ConversationStore& store, qint64 id,
                  const QHash<qint64, QString>& unsaved_drafts = {});
  // The chat's unsent draft changed (as typed; the store gets it later).
  void setDraft(qint64 id, const QString& text);
  int rowOf(qint64 id) const;
  const falcon::Conversation* find(qint64 id) const;

 private:
  std::vector<falcon::Conversation> rows_;
  QHash<qint64, QString> drafts_;
};

class ConversationFilterModel : public QSortFilterProxyModel {
  Q_OBJECT
  QML_ELEMENT
  QML_UNCREATABLE("Owned by ChatController")
  Q_PROPERTY(bool showArchived READ showArchived WRITE setShowArchived NOTIFY showArchivedChanged)
  Q_PROPERTY(QString titleFilter READ titleFilter WRITE setTitleFilter NOTIFY titleFilterChanged)
  Q_PROPERTY(int count READ count NOTIFY countChanged)

 public:
  explicit ConversationFilterModel(QObject* parent = nullptr);

  bool showArchived() const { return show_archived_; }
  void setShowArchived(bool on);
  QString titleFilter() const { return title_filter_; }
  void setTitleFilter(const QString& text);
  // A conversation deleted with "undo" pending is hidden until the delete is final or undone.
  void setHiddenId(qint64 id);
  int count() const { return rowCount(); }
  Q_INVOKABLE qint64 idAt(int row) const;
  Q_INVOKABLE int rowOfId(qint64 id) const;  // the row shown, -1 when not shown

 signals:
  void showArchivedChanged();
  void titleFilterChanged();
  void countChanged();

 protected:
  bool filterAcceptsRow(int source_row, const QModelIndex& source_parent) const override;
  bool lessThan(const QModelIndex& left, const QModelIndex& right) const override;

 private:
  bool show_archived_ = false;
  QString title_filter_;
  qint64 hidden_id_ = 0;
};
