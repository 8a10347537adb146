// Full-text search: bm25 ranking, snippets with configurable markers, the index kept in sync
// by triggers through every kind of change, filters and paging, and any typed text accepted.
#include <QtTest>
#include <random>
#include <set>

#include "core/store/conversation_store.h"
#include "test_store_util.h"

using namespace falcon;
using falcon::test::error_code_of;

class TestStoreSearch : public QObject {
  Q_OBJECT

 private slots:
  void userTextBecomesQuotedPhrases() {
    QCOMPARE(fts_query_from_user_text("c++ \"hello", true), std::string(R"("c++" """hello"*)"));
    QCOMPARE(fts_query_from_user_text("  a\tb\n", false), std::string(R"("a" "b")"));
    QCOMPARE(fts_query_from_user_text("   ", true), std::string());
    QCOMPARE(fts_query_from_user_text(std::string("x\0y", 3), false), std::string(R"("xy")"));
  }

  void rankedWithSnippets() {
    ConversationStore store(":memory:");
    int64_t c = store.create_conversation({.title = "fruit talk"});
    int64_t weak = store.append_message(c, std::nullopt, Role::User,
                                        "Long rambling message about many things: weather, trains, music, "
                                        "books, and once an apple, then more "
                                        "words about gardens, rivers, mountains, clouds and the sea.");
    int64_t strong = store.append_message(c, weak, Role::Assistant, "Apple apple apple pie.");
    store.append_message(c, strong, Role::User, "Nothing relevant here.");

    SearchOptions o;
    o.highlight_open = "<b>";
    o.highlight_close = "</b>";
    o.prefix_last_term = false;
    auto hits = store.search("apple", o);
    QCOMPARE(hits.size(), size_t(2));
    QCOMPARE(hits[0].message_id, strong);  // denser, shorter match ranks first (bm25)
    QCOMPARE(hits[1].message_id, weak);
    QVERIFY(hits[0].score <= hits[1].score);
    QCOMPARE(hits[0].snippet, std::string("<b>Apple</b> <b>apple</b> <b>apple</b> pie."));
    QVERIFY2(hits[1].snippet.find("<b>apple</b>") != std::string::npos, hits[1].snippet.c_str());
    QCOMPARE(hits[0].conversation_title, std::string("fruit talk"));
    QCOMPARE(hits[0].role, Role::Assistant);

    o.snippet_tokens = 3;
    o.ellipsis = "...";
    std::string s = store.search("gardens", o)[0].snippet;
    QVERIFY2(s.find("...") != std::string::npos && s.find("<b>gardens</b>") != std::string::npos, s.c_str());

    // All words must occur.
    QCOMPARE(store.search("apple pie").size(), size_t(1));
    QCOMPARE(store.search("apple zeppelin").size(), size_t(0));
  }

  void prefixDiacriticsAndCase() {
    ConversationStore store(":memory:");
    int64_t c = store.create_conversation({});
    store.append_message(c, std::nullopt, Role::User, "Un café à Zürich, s'il vous plaît");
    QCOMPARE(store.search("cafe").size(), size_t(1));
    QCOMPARE(store.search("ZURICH").size(), size_t(1));
    QCOMPARE(store.search("zür").size(), size_t(1));  // prefix of the word being typed
    SearchOptions exact;
    exact.prefix_last_term = false;
    QCOMPARE(store.search("zür", exact).size(), size_t(0));
  }

  void indexFollowsEveryChange() {
    ConversationStore store(":memory:");
    int64_t c = store.create_conversation({});
    int64_t r = store.begin_assistant_reply(c, std::nullopt);
    store.update_partial(r, "the walrus", 2);
    QCOMPARE(store.search("walrus").size(), size_t(1));
    store.update_partial(r, "the narwhal", 2);  // the old text leaves the index
    QCOMPARE(store.search("walrus").size(), size_t(0));
    QCOMPARE(store.search("narwhal").size(), size_t(1));
    store.finish_reply(r, "the narwhal and the orca", 5, {});
    QCOMPARE(store.search("orca").size(), size_t(1));
    int64_t child = store.append_message(c, r, Role::User, "orca again");
    QCOMPARE(store.search("orca").size(), size_t(2));
    store.delete_message(r);  // subtree: both go
    QCOMPARE(store.search("orca").size(), size_t(0));
    QCOMPARE(error_code_of([&] { store.message(child); }), StoreErrorCode::NotFound);
    QCOMPARE(store.integrity_check(), std::string("ok"));
  }

  void filtersAndPaging() {
    ConversationStore store(":memory:");
    int64_t a = store.create_conversation({.title = "a"});
    int64_t b = store.create_conversation({.title = "b"});
    std::optional<int64_t> p;
    for (int i = 0; i < 30; ++i)
      p = store.append_message(a, p, Role::User, "penguin number " + std::to_string(i));
    store.append_message(b, std::nullopt, Role::User, "a penguin in b");
    SearchOptions o;
    o.limit = 1000;
    QCOMPARE(store.search("penguin", o).size(), size_t(31));
    o.conversation_id = b;
    QCOMPARE(store.search("penguin", o).size(), size_t(1));
    o.conversation_id.reset();
    store.set_archived(b, true);
    o.include_archived = false;
    QCOMPARE(store.search("penguin", o).size(), size_t(30));

    o.include_archived = true;
    o.limit = 10;
    std::set<int64_t> seen;
    for (o.offset = 0; o.offset < 40; o.offset += 10) {
      for (auto& h : store.search("penguin", o)) QVERIFY(seen.insert(h.message_id).second);
    }
    QCOMPARE(seen.size(), size_t(31));
  }

  void rankWindowRanksTheNewestMatches() {
    ConversationStore store(":memory:");
    int64_t c = store.create_conversation({});
    int64_t best =
        store.append_message(c, std::nullopt, Role::User, "lynx lynx lynx");  // oldest, most relevant
    std::vector<int64_t> newer;
    for (int i = 0; i < 30; ++i) {
      newer.push_back(store.append_message(
          c, std::nullopt, Role::User,
          "a long message that mentions the lynx once among many other words " + std::to_string(i)));
    }
    SearchOptions o;
    o.limit = 5;
    o.prefix_last_term = false;
    o.rank_window = 0;  // rank everything
    QCOMPARE(store.search("lynx", o).at(0).message_id, best);
    o.rank_window = 31;  // the window reaches the oldest match
    QCOMPARE(store.search("lynx", o).at(0).message_id, best);
    o.rank_window = 10;  // only the 10 newest matches are ranked
    auto hits = store.search("lynx", o);
    QCOMPARE(hits.size(), size_t(5));
    for (auto& h : hits) QVERIFY(h.message_id >= newer[20]);
    o.limit = 100;
    QCOMPARE(store.search("lynx", o).size(), size_t(10));
  }

  void anyTypedTextIsAValidQuery() {
    ConversationStore store(":memory:");
    int64_t c = store.create_conversation({});
    store.append_message(c, std::nullopt, Role::User,
                         "I write C++ and say \"hello\" (sometimes) NEAR the AND gate");
    const char* nasty[] = {"c++ \"hello",
                           "\"",
                           "\"\"\"",
                           "*",
                           "-",
                           "^hello",
                           "NEAR(hello gate)",
                           "AND",
                           "hello OR",
                           "(",
                           ")",
                           "hello:world",
                           "col:",
                           "{text}: hello",
                           "+ + +",
                           "'; DROP TABLE messages; --",
                           "\xff\xfe\xfd",
                           "hello\x01",
                           "😀 hello",
                           ""};
    for (const char* q : nasty) {
      try {
        store.search(q);
      } catch (const std::exception& e) {
        QFAIL(qPrintable(QString("query '%1' threw: %2").arg(q, e.what())));
      }
    }
    QCOMPARE(store.search("c++ \"hello").size(), size_t(1));  // 'c' and 'hello' both occur
    QCOMPARE(store.search("NEAR(").size(), size_t(1));        // searched as the word "near"
    // Random bytes, seeded so a failure is reproducible.
    std::mt19937 rng(1234);
    for (int i = 0; i < 3000; ++i) {
      std::string q(rng() % 24, '\0');
      for (char& ch : q) ch = static_cast<char>(rng() % 256);
      try {
        store.search(q);
      } catch (const std::exception& e) {
        QFAIL(qPrintable(QString("random query %1 threw: %2").arg(i).arg(e.what())));
      }
    }
    QCOMPARE(store.integrity_check(), std::string("ok"));
  }
};

QTEST_APPLESS_MAIN(TestStoreSearch)
#include "test_store_search.moc"
