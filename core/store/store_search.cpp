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

  // Phase 1: which messages, in bm25 order (lower is better; ties: newer first). bm25 costs a
  // few microseconds per matching message, so a word found in 100,000 messages would take a
  // third of a second to rank; rank_window bounds that work to the newest matches (FTS5 walks
  // its doclist newest-first and stops). Only ids and scores here, no snippets yet.
  const bool filtered = o.conversation_id || !o.include_archived;
  std::string inner = "SELECT message_fts.rowid AS id, bm25(message_fts) AS score FROM message_fts ";
  if (filtered) {
    inner += "JOIN messages m ON m.id = message_fts.rowid JOIN conversations c ON c.id = m.conversation_id ";
  }
  inner += "WHERE message_fts MATCH ?1 ";
  if (o.conversation_id) inner += "AND m.conversation_id = ?5 ";
  if (!o.include_archived) inner += "AND c.archived = 0 ";
  if (o.rank_window > 0) inner += "ORDER BY message_fts.rowid DESC LIMIT ?4";
  std::vector<std::pair<int64_t, double>> ranked;
  {
    auto s = impl_->q("SELECT id, score FROM (" + inner + ") ORDER BY score, id DESC LIMIT ?2 OFFSET ?3");
    s.bind(1, match).bind(2, o.limit).bind(3, std::max(0, o.offset));
    if (o.rank_window > 0) s.bind(4, o.rank_window);
    if (o.conversation_id) s.bind(5, *o.conversation_id);
    while (s.step()) ranked.emplace_back(s.i64(0), s.f64(1));
  }

  // Phase 2: details and the snippet of each hit (a snippet re-reads and re-tokenizes the
  // text, so it is made for the page of hits only). `rowid = ?` makes FTS5 seek, not scan.
  std::vector<SearchHit> out;
  auto d = impl_->q(
      "SELECT m.conversation_id, c.title, m.role, m.created_ms, snippet(message_fts, 0, ?3, ?4, ?5, ?6) "
      "FROM message_fts JOIN messages m ON m.id = message_fts.rowid JOIN conversations c ON c.id = "
      "m.conversation_id WHERE message_fts MATCH ?1 AND message_fts.rowid = ?2");
  for (const auto& [id, score] : ranked) {
    d.bind(1, match).bind(2, id).bind(3, o.highlight_open).bind(4, o.highlight_close).bind(5, o.ellipsis);
    d.bind(6, std::clamp(o.snippet_tokens, 1, 64));
    if (d.step()) {
      SearchHit h;
      h.message_id = id;
      h.conversation_id = d.i64(0);
      h.conversation_title = d.text(1);
      h.role = role_from_string(d.text(2)).value_or(Role::User);
      h.created_ms = d.i64(3);
      h.snippet = d.text(4);
      h.score = score;
      out.push_back(std::move(h));
    }
    d.reset();
  }
  snapshot.commit();
  return out;
}

}  // namespace falcon
