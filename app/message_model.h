#pragma once
// MessageModel: the active branch of one conversation, root first, one row per message.
// Streaming text is appended in place (one dataChanged per ~16 ms batch); when a reply ends
// its row is re-read from the store, which holds the authoritative text and stats.
#include <QtQml/qqmlregistration.h>

#include <QAbstractListModel>
#include <vector>

#include "core/store/store_types.h"

namespace falcon {
class ConversationStore;
}

class MessageModel : public QAbstractListModel {
  Q_OBJECT
  QML_ELEMENT
  QML_UNCREATABLE("Owned by ChatController")
  Q_PROPERTY(int count READ count NOTIFY countChanged)

 public:
  enum Roles {
    IdRole = Qt::UserRole + 1,
    RoleRole,  // "user" | "assistant" | "system"
    TextRole,
    StreamingRole,     // the reply is being generated now
    SiblingIndexRole,  // 0-based position among its siblings ("‹ 2/3 ›" shows index + 1)
    SiblingCountRole,
    TokenCountRole,
    TtftMsRole,      // undefined when unknown
    TokensPerSRole,  // undefined when unknown
    StopReasonRole,  // "eos", "length", "cancelled", ... ("" for user messages)
    ErrorTextRole,
    CanContinueRole,  // an assistant reply that stopped early (length, cancelled, interrupted)
    // A reply: the tokens of the message it answers, and how many of their first ones the
    // context window left out (undefined where not recorded).
    AnsweredTokensRole,
    AnsweredCutRole,
    ReplyModelRole,  // a reply: the model that wrote it ("" where not recorded)
    CreatedAtRole,   // when the message was written (a date; undefined where not recorded)
  };

  explicit MessageModel(QObject* parent = nullptr) : QAbstractListModel(parent) {}

  int rowCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role) const override;
  QHash<int, QByteArray> roleNames() const override;
  int count() const { return int(rows_.size()); }

  // Reads the conversation's active branch (0 = empty model). Throws StoreError.
  void load(falcon::ConversationStore& store, qint64 conversation_id);
  void clear();
  qint64 conversationId() const { return conversation_id_; }
  // Appends a streamed batch to message `id`; false when the message is not shown.
  bool appendText(qint64 id, const QString& text);
  // Replaces the shown text of message `id` (a reply that starts streaming).
  void resetText(qint64 id, const QString& text);
  // Re-reads one message (a finished reply) from the store.
  void refreshMessage(falcon::ConversationStore& store, qint64 id);
  void setStreaming(qint64 id, bool streaming);
  int rowOf(qint64 id) const;
  const falcon::Message* at(int row) const;
  const falcon::Message* find(qint64 id) const;
  // The text of the newest assistant reply ("" when none): Ctrl+Shift+C copies it.
  QString lastReplyText() const;
  qint64 lastReplyId() const;  // 0 when none

 signals:
  void countChanged();

 private:
  std::vector<falcon::Message> rows_;
  std::vector<QString> text_;  // (rows) the text as QString, so streaming appends are cheap
  qint64 conversation_id_ = 0;
};
