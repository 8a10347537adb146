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
  if (match.empty() || o.limit <= 0) return {};
  sql::Transaction snapshot(impl_->raw(), sql::Transaction::Read);

  const bool filtered = o.conversation_id || !o.include_archived;
  std::string from = "FROM message_fts ";
  if (filtered) {
    from += "JOIN messages m ON m.id = message_fts.rowid JOIN conversations c ON c.id = m.conversation_id ";
  }
  from += "WHERE message_fts MATCH ?1 ";
  if (o.conversation_id) from += "AND m.conversation_id = ?2 ";
  if (!o.include_archived) from += "AND c.archived = 0 ";

  // bm25 costs a few microseconds per matching message, so a word found in 100,000 messages
  // would take a third of a second to rank. With more than rank_window matches, only the
  // newest rank_window are ranked: their lowest id is found by walking the doclist
  // newest-first without scoring, and becomes a rowid bound FTS5 applies before ranking.
  std::optional<int64_t> floor;
  if (o.rank_window > 0) {
    auto f =
        impl_->q("SELECT message_fts.rowid " + from + "ORDER BY message_fts.rowid DESC LIMIT 1 OFFSET ?3");
    f.bind(1, match).bind(3, o.rank_window - 1);
    if (o.conversation_id) f.bind(2, *o.conversation_id);
    if (f.step()) floor = f.i64(0);
  }

  // One query, so FTS5 consumes ORDER BY rank itself and makes snippets for the returned page
  // only (a snippet re-reads and re-tokenizes the text; a second MATCH per hit would redo the
  // whole prefix expansion).
  std::string sql =
      "SELECT message_fts.rowid, snippet(message_fts, 0, ?4, ?5, ?6, ?7), bm25(message_fts), "
      "(SELECT m2.conversation_id FROM messages m2 WHERE m2.id = message_fts.rowid) " +
      from;
  if (floor) sql += "AND message_fts.rowid >= ?8 ";
  sql += "ORDER BY rank LIMIT ?9 OFFSET ?10";
  std::vector<SearchHit> out;
  {
    auto s = impl_->q(sql);
    s.bind(1, match).bind(4, o.highlight_open).bind(5, o.highlight_close).bind(6, o.ellipsis);
    s.bind(7, std::clamp(o.snippet_tokens, 1, 64)).bind(9, o.limit).bind(10, std::max(0, o.offset));
    if (o.conversation_id) s.bind(2, *o.conversation_id);
    if (floor) s.bind(8, *floor);
    while (s.step()) {
      SearchHit h;
      h.message_id = s.i64(0);
      h.snippet = s.text(1);
      h.score = s.f64(2);
      h.conversation_id = s.i64(3);
      out.push_back(std::move(h));
    }
  }
  // Titles, roles and times for the page of hits: primary-key lookups.
  auto d = impl_->q(
      "SELECT c.title, m.role, m.created_ms FROM messages m JOIN conversations c ON c.id = m.conversation_id "
      "WHERE m.id = ?1");
  for (SearchHit& h : out) {
    d.bind(1, h.message_id);
    if (d.step()) {
      h.conversation_title = d.text(0);
      h.role = role_from_string(d.text(1)).value_or(Role::User);
      h.created_ms = d.i64(2);
    }
    d.reset();
  }
  snapshot.commit();
  return out;
}

}  // namespace falcon
