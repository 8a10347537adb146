#pragma once
// SearchResultsModel: full-text search over every message (the store's FTS5 index), with the
// matched words of each snippet highlighted as <b>…</b> in otherwise HTML-escaped text.
#include <QtQml/qqmlregistration.h>

#include <QAbstractListModel>
#include <vector>

#include "core/store/store_types.h"

namespace falcon {
class ConversationStore;
}

class SearchResultsModel : public QAbstractListModel {
  Q_OBJECT
  QML_ELEMENT
  QML_UNCREATABLE("Owned by ChatController")
  Q_PROPERTY(int count READ count NOTIFY countChanged)

 public:
  enum Roles { ConversationIdRole = Qt::UserRole + 1, MessageIdRole, TitleRole, SnippetRole, RoleRole };

  explicit SearchResultsModel(QObject* parent = nullptr) : QAbstractListModel(parent) {}

  int rowCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role) const override;
  QHash<int, QByteArray> roleNames() const override;
  int count() const { return int(hits_.size()); }

  // Runs the query (empty text clears). Throws StoreError.
  void search(falcon::ConversationStore& store, const QString& text);
  void clear();

  // The snippet with the store's markers turned into <b>…</b>, everything else escaped, so a
  // message containing markup can neither inject tags nor load anything.
  static QString highlightSnippet(const std::string& snippet, const std::string& open,
                                  const std::string& close);

 signals:
  void countChanged();

 private:
  std::vector<falcon::SearchHit> hits_;
  std::vector<QString> snippets_;
};
