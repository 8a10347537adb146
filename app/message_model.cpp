#include "app/message_model.h"

#include <QDateTime>

#include "core/store/conversation_store.h"

namespace {
QString str(std::string_view s) {
  return QString::fromUtf8(s.data(), qsizetype(s.size()));
}
}  // namespace

int MessageModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : int(rows_.size());
}

QVariant MessageModel::data(const QModelIndex& index, int role) const {
  if (!index.isValid() || index.row() >= int(rows_.size())) return {};
  const falcon::Message& m = rows_[size_t(index.row())];
  switch (role) {
    case IdRole:
      return QVariant::fromValue<qint64>(m.id);
    case RoleRole:
      return str(falcon::to_string(m.role));
    case Qt::DisplayRole:
    case TextRole:
      return text_[size_t(index.row())];
    case StreamingRole:
      return m.state == falcon::MessageState::Streaming;
    case SiblingIndexRole:
      return m.sibling_index;
    case SiblingCountRole:
      return m.sibling_count;
    case TokenCountRole:
      return QVariant::fromValue<qint64>(m.token_count);
    case TtftMsRole:
      return m.stats.ttft_ms ? QVariant(*m.stats.ttft_ms) : QVariant();
    case TokensPerSRole:
      return m.stats.tokens_per_s ? QVariant(*m.stats.tokens_per_s) : QVariant();
    case StopReasonRole:
      return str(falcon::to_string(m.stats.stop_reason));
    case ErrorTextRole:
      return QString::fromStdString(m.stats.error_text);
    case CanContinueRole: {
      const auto r = m.stats.stop_reason;
      return m.role == falcon::Role::Assistant && m.state == falcon::MessageState::Complete &&
             (r == falcon::StopReason::Length || r == falcon::StopReason::Cancelled ||
              r == falcon::StopReason::Interrupted);
    }
    case AnsweredTokensRole:
      return m.stats.answered_tokens ? QVariant::fromValue<qint64>(*m.stats.answered_tokens) : QVariant();
    case AnsweredCutRole:
      return m.stats.answered_cut ? QVariant::fromValue<qint64>(*m.stats.answered_cut) : QVariant();
    case ReplyModelRole:
      return QString::fromStdString(m.stats.model);
    case CreatedAtRole:
      return m.created_ms > 0 ? QVariant(QDateTime::fromMSecsSinceEpoch(m.created_ms)) : QVariant();
    default:
      return {};
  }
}

QHash<int, QByteArray> MessageModel::roleNames() const {
  return {{IdRole, "messageId"},
          {RoleRole, "role"},
          {TextRole, "text"},
          {StreamingRole, "streaming"},
          {SiblingIndexRole, "siblingIndex"},
          {SiblingCountRole, "siblingCount"},
          {TokenCountRole, "tokenCount"},
          {TtftMsRole, "ttftMs"},
          {TokensPerSRole, "tokensPerS"},
          {StopReasonRole, "stopReason"},
          {ErrorTextRole, "errorText"},
          {CanContinueRole, "canContinue"},
          {AnsweredTokensRole, "answeredTokens"},
          {AnsweredCutRole, "answeredCut"},
          {ReplyModelRole, "replyModel"},
          {CreatedAtRole, "createdAt"}};
}

void MessageModel::load(falcon::ConversationStore& store, qint64 conversation_id) {
  std::vector<falcon::Message> rows;
  if (conversation_id != 0) rows = store.active_path(conversation_id);
  beginResetModel();
  conversation_id_ = conversation_id;
  rows_ = std::move(rows);
  text_.clear();
  text_.reserve(rows_.size());
  for (const auto& m : rows_) text_.push_back(QString::fromStdString(m.text));
  endResetModel();
  emit countChanged();
}

void MessageModel::clear() {
  beginResetModel();
  rows_.clear();
  text_.clear();
  conversation_id_ = 0;
  endResetModel();
  emit countChanged();
}

bool MessageModel::appendText(qint64 id, const QString& text) {
  const int row = rowOf(id);
  if (row < 0) return false;
  text_[size_t(row)] += text;
  emit dataChanged(index(row), index(row), {TextRole});
  return true;
}

void MessageModel::resetText(qint64 id, const QString& text) {
  const int row = rowOf(id);
  if (row < 0) return;
  text_[size_t(row)] = text;
  emit dataChanged(index(row), index(row), {TextRole});
}

void MessageModel::refreshMessage(falcon::ConversationStore& store, qint64 id) {
  const int row = rowOf(id);
  if (row < 0) return;
  falcon::Message m = store.message(id);
  text_[size_t(row)] = QString::fromStdString(m.text);
  rows_[size_t(row)] = std::move(m);
  emit dataChanged(index(row), index(row));
}

void MessageModel::setStreaming(qint64 id, bool streaming) {
  const int row = rowOf(id);
  if (row < 0) return;
  rows_[size_t(row)].state = streaming ? falcon::MessageState::Streaming : falcon::MessageState::Complete;
  emit dataChanged(index(row), index(row), {StreamingRole, CanContinueRole});
}

int MessageModel::rowOf(qint64 id) const {
  for (size_t i = rows_.size(); i-- > 0;)  // streaming happens at the end: search backwards
    if (rows_[i].id == id) return int(i);
  return -1;
}

const falcon::Message* MessageModel::at(int row) const {
  return row >= 0 && row < int(rows_.size()) ? &rows_[size_t(row)] : nullptr;
}

const falcon::Message* MessageModel::find(qint64 id) const {
  return at(rowOf(id));
}

QString MessageModel::lastReplyText() const {
  for (size_t i = rows_.size(); i-- > 0;)
    if (rows_[i].role == falcon::Role::Assistant) return text_[i];
  return {};
}

qint64 MessageModel::lastReplyId() const {
  for (size_t i = rows_.size(); i-- > 0;)
    if (rows_[i].role == falcon::Role::Assistant) return rows_[i].id;
  return 0;
}
