// ConversationStore::search: FTS5 over message text, ranked by bm25, with snippets.
//
// Users type free text, not FTS5 syntax, so the query is rebuilt: every whitespace-separated
// word becomes a quoted phrase ("c++" -> "c++", a quote inside doubled), and the phrases are
// ANDed. The FTS5 grammar then sees only strings, so operators (AND, NEAR, -, ^, :, *, parens)
// and unbalanced quotes that a user typed are searched for as text and never a syntax error.
#include <algorithm>

#include "core/store/conversation_store.h"
#include "core/store/store_impl.h"

namespace falcon {
namespace {

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

}  // namespace

// Exposed for tests through the behaviour of search(); kept free so it stays pure.
std::string fts_query_from_user_text(std::string_view text, bool prefix_last_term) {
  std::vector<std::string> terms;
  std::string cur;
  for (char c : text) {
    if (c == '\0') continue;  // NUL would end the query early inside FTS5's C string handling
    if (is_space(c)) {
      if (!cur.empty()) terms.push_back(std::move(cur));
      cur.clear();
    } else {
      cur += c;
    }
  }
  if (!cur.empty()) terms.push_back(std::move(cur));
  std::string q;
  for (size_t i = 0; i < terms.size(); ++i) {
    if (i) q += ' ';
    q += '"';
    for (char c : terms[i]) {
      if (c == '"') q += '"';  // FTS5 string escape: a doubled quote
      q += c;
    }
    q += '"';
    // A prefix query on the word still being typed; FTS5 accepts `"phrase" *`.
    if (prefix_last_term && i + 1 == terms.size()) q += '*';
  }
  return q;
}

std::vector<SearchHit> ConversationStore::search(std::string_view query, const SearchOptions& o) {
  std::string match = fts_query_from_user_text(query, o.prefix_last_term);
  if (match.empty()) return {};
  std::string sql =
      "SELECT m.id, m.conversation_id, c.title, m.role, m.created_ms, "
      "snippet(message_fts, 0, ?2, ?3, ?4, ?5), bm25(message_fts) "
      "FROM message_fts JOIN messages m ON m.id = message_fts.rowid "
      "JOIN conversations c ON c.id = m.conversation_id WHERE message_fts MATCH ?1 ";
  if (o.conversation_id) sql += "AND m.conversation_id = ?8 ";
  if (!o.include_archived) sql += "AND c.archived = 0 ";
  sql += "ORDER BY rank LIMIT ?6 OFFSET ?7";
  auto s = impl_->q(sql);
  s.bind(1, match).bind(2, o.highlight_open).bind(3, o.highlight_close).bind(4, o.ellipsis);
  s.bind(5, std::clamp(o.snippet_tokens, 1, 64)).bind(6, std::max(0, o.limit)).bind(7, std::max(0, o.offset));
  if (o.conversation_id) s.bind(8, *o.conversation_id);
  std::vector<SearchHit> out;
  while (s.step()) {
    SearchHit h;
    h.message_id = s.i64(0);
    h.conversation_id = s.i64(1);
    h.conversation_title = s.text(2);
    h.role = role_from_string(s.text(3)).value_or(Role::User);
    h.created_ms = s.i64(4);
    h.snippet = s.text(5);
    h.score = s.f64(6);
    out.push_back(std::move(h));
  }
  return out;
}

}  // namespace falcon
