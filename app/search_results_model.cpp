#include "app/search_results_model.h"

#include "core/store/conversation_store.h"

namespace {
// Control characters cannot occur in typed text the FTS tokenizer returns as a match, so they
// mark the highlighted words unambiguously before escaping.
const std::string kOpen = "\x01";
const std::string kClose = "\x02";
}  // namespace

int SearchResultsModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : int(hits_.size());
}

QVariant SearchResultsModel::data(const QModelIndex& index, int role) const {
  if (!index.isValid() || index.row() >= int(hits_.size())) return {};
  const falcon::SearchHit& h = hits_[size_t(index.row())];
  switch (role) {
    case ConversationIdRole:
      return QVariant::fromValue<qint64>(h.conversation_id);
    case MessageIdRole:
      return QVariant::fromValue<qint64>(h.message_id);
    case TitleRole:
      return QString::fromStdString(h.conversation_title);
    case Qt::DisplayRole:
    case SnippetRole:
      return snippets_[size_t(index.row())];
    case RoleRole:
      return QString::fromUtf8(std::string(falcon::to_string(h.role)).c_str());
    default:
      return {};
  }
}

QHash<int, QByteArray> SearchResultsModel::roleNames() const {
  return {{ConversationIdRole, "conversationId"},
          {MessageIdRole, "messageId"},
          {TitleRole, "title"},
          {SnippetRole, "snippet"},
          {RoleRole, "role"}};
}

QString SearchResultsModel::highlightSnippet(const std::string& snippet, const std::string& open,
                                             const std::string& close) {
  QString out;
  size_t pos = 0;
  bool inside = false;
  while (pos <= snippet.size()) {
    const std::string& marker = inside ? close : open;
    const size_t next = snippet.find(marker, pos);
    const size_t end = next == std::string::npos ? snippet.size() : next;
    out += QString::fromStdString(snippet.substr(pos, end - pos)).toHtmlEscaped();
    if (next == std::string::npos) break;
    out += inside ? QStringLiteral("</b>") : QStringLiteral("<b>");
    inside = !inside;
    pos = next + marker.size();
  }
  if (inside) out += QStringLiteral("</b>");
  return out;
}

void SearchResultsModel::search(falcon::ConversationStore& store, const QString& text) {
  std::vector<falcon::SearchHit> hits;
  if (!text.trimmed().isEmpty()) {
    falcon::SearchOptions o;
    o.limit = 50;
    o.highlight_open = kOpen;
    o.highlight_close = kClose;
    hits = store.search(text.toStdString(), o);
  }
  beginResetModel();
  hits_ = std::move(hits);
  snippets_.clear();
  for (const auto& h : hits_) snippets_.push_back(highlightSnippet(h.snippet, kOpen, kClose));
  endResetModel();
  emit countChanged();
}

void SearchResultsModel::clear() {
  beginResetModel();
  hits_.clear();
  snippets_.clear();
  endResetModel();
  emit countChanged();
}
