// ConversationStore basics: the file it creates, conversations and their ordering, the
// message tree (branches, siblings, paging, deletion), streaming replies, PartialWriter,
// the window state and transactions. Checks read the file through a second, raw SQLite
// connection where the store's own reading code could hide a mistake.
#include <sys/stat.h>

#include <QTemporaryDir>
#include <QtTest>

#include "core/store/conversation_store.h"
#include "test_store_util.h"

using namespace falcon;
using falcon::test::error_code_of;
using falcon::test::RawDb;

class TestStoreBasic : public QObject {
  Q_OBJECT

  QTemporaryDir dir_;
  std::string db_path(const char* name) { return (dir_.path() + "/" + name).toStdString(); }

 private slots:
  void newFileIs0600AndWal() {
    std::string path = db_path("mode.db");
    {
      ConversationStore store(path);
      QCOMPARE(store.schema_version(), ConversationStore::kSchemaVersion);
      int64_t c = store.create_conversation({.title = "t"});
      store.append_message(c, std::nullopt, Role::User, "hello");
      struct stat st {};
      QCOMPARE(::stat(path.c_str(), &st), 0);
      QCOMPARE(int(st.st_mode & 0777), 0600);
      QCOMPARE(::stat((path + "-wal").c_str(), &st), 0);  // WAL in use while the store is open
      QCOMPARE(int(st.st_mode & 0777), 0600);
    }
    RawDb raw(path);
    QCOMPARE(raw.scalar("PRAGMA journal_mode"), std::string("wal"));
    QCOMPARE(raw.integer("PRAGMA user_version"), int64_t(ConversationStore::kSchemaVersion));
    QCOMPARE(raw.integer("SELECT count(*) FROM messages"), int64_t(1));
  }

  void conversationsListPinnedThenRecent() {
    ConversationStore store(":memory:", test::ticking_options());
    int64_t a = store.create_conversation({.title = "a"});
    int64_t b = store.create_conversation({.title = "b",
                                           .system_prompt = "be brief",
                                           .model_path = "/m",
                                           .model_fingerprint = "fp1",
                                           .weights_format = "int8",
                                           .sampling_json = R"({"temperature":0.7})",
                                           .window_size = 1024});
    int64_t c = store.create_conversation({.title = "c"});
    int64_t d = store.create_conversation({.title = "d"});
    store.append_message(a, std::nullopt, Role::User, "bump a");  // a becomes the most recent
    store.set_pinned(c, true);
    store.set_archived(d, true);

    auto ids = [](const std::vector<Conversation>& v) {
      std::vector<int64_t> out;
      for (auto& x : v) out.push_back(x.id);
      return out;
    };
    QCOMPARE(ids(store.list_conversations()), (std::vector<int64_t>{c, a, b}));
    QCOMPARE(ids(store.list_conversations({ArchiveFilter::Archived})), (std::vector<int64_t>{d}));
    QCOMPARE(ids(store.list_conversations({ArchiveFilter::All})), (std::vector<int64_t>{c, a, d, b}));
    QCOMPARE(ids(store.list_conversations({ArchiveFilter::NotArchived, 1, 1})), (std::vector<int64_t>{a}));
    QCOMPARE(store.count_conversations(), int64_t(3));
    QCOMPARE(store.count_conversations(ArchiveFilter::All), int64_t(4));

    Conversation cb = store.conversation(b);
    QCOMPARE(cb.system_prompt, std::string("be brief"));
    QCOMPARE(cb.model_fingerprint, std::string("fp1"));
    QCOMPARE(cb.weights_format, std::string("int8"));
    QCOMPARE(cb.sampling_json, std::string(R"({"temperature":0.7})"));
    QCOMPARE(cb.window_size, int64_t(1024));
    QVERIFY(!cb.active_leaf_id);
    store.set_title(b, "renamed");
    store.set_model(b, "/m2", "fp2", "bf16");
    store.set_sampling(b, "{}");
    store.set_system_prompt(b, "");
    store.set_window_size(b, 64);
    cb = store.conversation(b);
    QCOMPARE(cb.title, std::string("renamed"));
    QCOMPARE(cb.model_path, std::string("/m2"));
    QCOMPARE(cb.window_size, int64_t(64));
    QCOMPARE(error_code_of([&] { store.set_window_size(b, 0); }), StoreErrorCode::InvalidArgument);
    QCOMPARE(error_code_of([&] { store.set_title(999, "x"); }), StoreErrorCode::NotFound);
    QCOMPARE(error_code_of([&] { store.conversation(999); }), StoreErrorCode::NotFound);
  }

  void messageTreeBranches() {
    ConversationStore store(":memory:", test::ticking_options());
    int64_t c = store.create_conversation({.title = "tree"});
    int64_t u1 = store.append_message(c, std::nullopt, Role::User, "first question", 3);
    int64_t a1 = store.append_message(c, u1, Role::Assistant, "answer one", 2);
    int64_t a2 = store.append_message(c, u1, Role::Assistant, "answer two");  // regenerate
    int64_t u2 = store.append_message(c, a2, Role::User, "follow-up");
    QCOMPARE(*store.conversation(c).active_leaf_id, u2);

    auto path_ids = [&] {
      std::vector<int64_t> out;
      for (auto& m : store.active_path(c)) out.push_back(m.id);
      return out;
    };
    QCOMPARE(path_ids(), (std::vector<int64_t>{u1, a2, u2}));
    auto path = store.active_path(c);
    QCOMPARE(path[1].sibling_index, 1);
    QCOMPARE(path[1].sibling_count, 2);
    QCOMPARE(path[0].sibling_count, 1);
    QCOMPARE(path[0].token_count, int64_t(3));
    QCOMPARE(path[0].role, Role::User);

    auto sib = store.siblings(a2);
    QCOMPARE(sib.size(), size_t(2));
    QCOMPARE(sib[0].id, a1);
    QCOMPARE(sib[1].id, a2);

    // "‹ 1/2": switch to the first answer; its branch has no children, so it is the leaf.
    QCOMPARE(store.switch_branch(a1), a1);
    QCOMPARE(path_ids(), (std::vector<int64_t>{u1, a1}));
    // Back to the second answer follows its newest descendant.
    QCOMPARE(store.switch_branch(a2), u2);

    // Editing the first user message makes a second root.
    int64_t u1b = store.append_message(c, std::nullopt, Role::User, "first question, edited");
    QCOMPARE(path_ids(), (std::vector<int64_t>{u1b}));
    QCOMPARE(store.siblings(u1).size(), size_t(2));
    QCOMPARE(store.message(u1b).sibling_index, 1);

    // Deleting a subtree that holds the active leaf moves the branch to what remains.
    store.switch_branch(u1);
    store.delete_message(a2);
    QCOMPARE(error_code_of([&] { store.message(u2); }), StoreErrorCode::NotFound);
    QCOMPARE(path_ids(), (std::vector<int64_t>{u1, a1}));
    store.delete_message(u1);  // the other root becomes active
    QCOMPARE(path_ids(), (std::vector<int64_t>{u1b}));
    store.delete_message(u1b);
    QVERIFY(!store.conversation(c).active_leaf_id);
    QVERIFY(store.active_path(c).empty());

    // Contract violations are clear errors.
    int64_t other = store.create_conversation({.title = "other"});
    int64_t o1 = store.append_message(other, std::nullopt, Role::User, "x");
    QCOMPARE(error_code_of([&] { store.append_message(c, o1, Role::User, "y"); }),
             StoreErrorCode::InvalidArgument);
    QCOMPARE(error_code_of([&] { store.append_message(c, 12345, Role::User, "y"); }),
             StoreErrorCode::NotFound);
    QCOMPARE(error_code_of([&] { store.append_message(777, std::nullopt, Role::User, "y"); }),
             StoreErrorCode::NotFound);
    QCOMPARE(error_code_of([&] { store.set_active_leaf(c, o1); }), StoreErrorCode::InvalidArgument);
    QCOMPARE(store.integrity_check(), std::string("ok"));
  }

  void deepChainDeletesInOneStatement() {
    // A long chat deleted from its first message: no cascade recursion limit applies.
    ConversationStore store(":memory:");
    int64_t c = store.create_conversation({});
    std::optional<int64_t> parent;
    int64_t first = 0;
    store.in_transaction([&] {
      for (int i = 0; i < 3000; ++i) {
        parent =
            store.append_message(c, parent, i % 2 ? Role::Assistant : Role::User, "m" + std::to_string(i));
        if (i == 0) first = *parent;
      }
    });
    store.delete_message(first);
    QVERIFY(store.active_path(c).empty());
    QCOMPARE(store.integrity_check(), std::string("ok"));
  }

  void pagedLoadingMatchesTheActivePath() {
    ConversationStore store(":memory:");
    int64_t c = store.create_conversation({});
    std::optional<int64_t> parent;
    store.in_transaction([&] {
      for (int i = 0; i < 230; ++i) parent = store.append_message(c, parent, Role::User, std::to_string(i));
    });
    std::vector<Message> all = store.active_path(c);
    QCOMPARE(all.size(), size_t(230));

    MessagePage page = store.load_page(c, std::nullopt, 50);
    QVERIFY(page.has_more);
    QCOMPARE(page.messages.size(), size_t(50));
    QCOMPARE(page.messages.back().text, std::string("229"));
    QCOMPARE(page.messages.front().text, std::string("180"));

    std::vector<Message> joined = page.messages;
    while (page.has_more) {
      page = store.load_page(c, joined.front().id, 50);
      joined.insert(joined.begin(), page.messages.begin(), page.messages.end());
    }
    QCOMPARE(joined.size(), all.size());
    for (size_t i = 0; i < all.size(); ++i) QCOMPARE(joined[i].id, all[i].id);
    QCOMPARE(store.load_page(c, all.front().id, 50).messages.size(), size_t(0));
    // Exactly `limit` messages left: no further page.
    MessagePage exact = store.load_page(c, all[50].id, 50);
    QCOMPARE(exact.messages.size(), size_t(50));
    QVERIFY(!exact.has_more);
  }

  void streamingReplyLifecycle() {
    ConversationStore store(":memory:");
    int64_t c = store.create_conversation({});
    int64_t u = store.append_message(c, std::nullopt, Role::User, "q");
    int64_t r = store.begin_assistant_reply(c, u);
    QCOMPARE(store.message(r).state, MessageState::Streaming);
    QCOMPARE(*store.conversation(c).active_leaf_id, r);
    store.update_partial(r, "Hel", 1);
    QCOMPARE(store.message(r).text, std::string("Hel"));
    GenerationStats st;
    st.ttft_ms = 12.5;
    st.tokens_per_s = 301.25;
    st.stop_reason = StopReason::Length;
    store.finish_reply(r, "Hello there", 3, st);
    Message m = store.message(r);
    QCOMPARE(m.state, MessageState::Complete);
    QCOMPARE(m.text, std::string("Hello there"));
    QCOMPARE(m.token_count, int64_t(3));
    QCOMPARE(*m.stats.ttft_ms, 12.5);
    QCOMPARE(*m.stats.tokens_per_s, 301.25);
    QCOMPARE(m.stats.stop_reason, StopReason::Length);
    QCOMPARE(error_code_of([&] { store.update_partial(r, "x", 1); }), StoreErrorCode::InvalidArgument);
    QCOMPARE(error_code_of([&] { store.update_partial(9999, "x", 1); }), StoreErrorCode::NotFound);

    int64_t e = store.begin_assistant_reply(c, u);
    GenerationStats err;
    err.stop_reason = StopReason::Error;
    err.error_text = "CUDA out of memory";
    store.finish_reply(e, "", 0, err);
    QCOMPARE(store.message(e).stats.error_text, std::string("CUDA out of memory"));
    QCOMPARE(store.message(e).stats.stop_reason, StopReason::Error);
    GenerationStats nan;
    nan.ttft_ms = std::numeric_limits<double>::quiet_NaN();
    int64_t f = store.begin_assistant_reply(c, u);
    QCOMPARE(error_code_of([&] { store.finish_reply(f, "", 0, nan); }), StoreErrorCode::InvalidArgument);
    // What the prompt held of the message answered: both numbers, the cut within the message.
    QVERIFY(!store.message(r).stats.answered_tokens.has_value());
    for (auto [tokens, cut] : {std::pair<std::optional<int64_t>, std::optional<int64_t>>{std::nullopt, 3},
                               {10, std::nullopt},
                               {10, 11},
                               {-1, 0},
                               {10, -1}}) {
      GenerationStats bad;
      bad.answered_tokens = tokens;
      bad.answered_cut = cut;
      QCOMPARE(error_code_of([&] { store.finish_reply(f, "", 0, bad); }), StoreErrorCode::InvalidArgument);
    }
    GenerationStats fit;
    fit.stop_reason = StopReason::Eos;
    fit.answered_tokens = 10;
    fit.answered_cut = 10;  // the whole message cut (a window smaller than the reply's prompt)
    store.finish_reply(f, "?", 1, fit);
    QCOMPARE(store.message(f).stats.answered_tokens, std::optional<int64_t>(10));
    QCOMPARE(store.message(f).stats.answered_cut, std::optional<int64_t>(10));
  }

  void partialWriterFlushesEvery32TokensOrSecond() {
    std::string path = db_path("writer.db");
    ConversationStore store(path);
    int64_t c = store.create_conversation({});
    int64_t r = store.begin_assistant_reply(c, std::nullopt);
    int64_t now = 0;
    PartialWriter w(store, r, [&] { return now; });
    RawDb raw(path);  // what a crash would leave: the committed text
    auto on_disk = [&] { return raw.scalar("SELECT text FROM messages WHERE id = " + std::to_string(r)); };

    for (int i = 1; i <= 31; ++i) QVERIFY(!w.append("t", 1));
    QCOMPARE(on_disk(), std::string());
    QVERIFY(w.append("t", 1));  // the 32nd token
    QCOMPARE(on_disk(), std::string(32, 't'));
    QVERIFY(!w.append("u", 1));
    now += 999;
    QVERIFY(!w.append("u", 1));
    now += 1;  // one second since the last write
    QVERIFY(w.append("v", 1));
    QCOMPARE(on_disk(), std::string(32, 't') + "uuv");
    QCOMPARE(w.writes(), int64_t(2));
    QVERIFY(w.append("w", 0) == false);
    QVERIFY(w.flush());
    QVERIFY(!w.flush());  // nothing pending
    GenerationStats st;
    st.stop_reason = StopReason::Eos;
    w.finish(st);
    QCOMPARE(store.message(r).state, MessageState::Complete);
    QCOMPARE(store.message(r).text, std::string(32, 't') + "uuvw");
    QCOMPARE(store.message(r).token_count, int64_t(35));
  }

  void windowStateIsLittleEndianInt32() {
    std::string path = db_path("window.db");
    ConversationStore store(path);
    int64_t c = store.create_conversation({});
    QVERIFY(!store.window_state(c));
    WindowState w;
    w.tokens = {1, 0x01020304, -1, 65023, 0};
    w.evicted_count = 77;
    w.pinned_count = 2;
    w.turn_starts = {2, 4};
    w.sinks_taken = 1;
    w.model_fingerprint = "abc";
    store.save_window_state(c, w);
    auto back = store.window_state(c);
    QVERIFY(back);
    QCOMPARE(back->tokens, w.tokens);
    QCOMPARE(back->evicted_count, int64_t(77));
    QCOMPARE(back->pinned_count, int64_t(2));
    QCOMPARE(back->model_fingerprint, std::string("abc"));
    QCOMPARE(back->turn_starts, (std::vector<int32_t>{2, 4}));
    QCOMPARE(back->sinks_taken, int64_t(1));
    RawDb raw(path);
    QCOMPARE(raw.scalar("SELECT hex(tokens) FROM window_state"), std::string("01000000"
                                                                             "04030201"
                                                                             "FFFFFFFF"
                                                                             "FFFD0000"
                                                                             "00000000"));
    QCOMPARE(raw.scalar("SELECT hex(turn_starts) FROM window_state"), std::string("0200000004000000"));
    w.turn_starts = {4, 2};  // must ascend
    QCOMPARE(error_code_of([&] { store.save_window_state(c, w); }), StoreErrorCode::InvalidArgument);
    w.turn_starts = {6};  // beyond the kept tokens
    QCOMPARE(error_code_of([&] { store.save_window_state(c, w); }), StoreErrorCode::InvalidArgument);
    w.tokens = {};
    w.turn_starts = {};
    w.pinned_count = 0;
    store.save_window_state(c, w);  // overwrite, with an empty window
    QCOMPARE(store.window_state(c)->tokens.size(), size_t(0));
    w.pinned_count = 1;
    QCOMPARE(error_code_of([&] { store.save_window_state(c, w); }), StoreErrorCode::InvalidArgument);
    QCOMPARE(error_code_of([&] { store.save_window_state(4242, {}); }), StoreErrorCode::NotFound);
  }

  void transactionIsAllOrNothing() {
    ConversationStore store(":memory:");
    int64_t c = store.create_conversation({});
    try {
      store.in_transaction([&] {
        store.append_message(c, std::nullopt, Role::User, "one");
        store.append_message(c, std::nullopt, Role::User, "two");
        throw std::runtime_error("stop");
      });
      QFAIL("no exception");
    } catch (const std::runtime_error&) {
    }
    QVERIFY(store.active_path(c).empty());
    QVERIFY(!store.conversation(c).active_leaf_id);
    // A failing call inside rolls back its own part only when the caller catches it.
    store.in_transaction([&] {
      store.append_message(c, std::nullopt, Role::User, "kept");
      QCOMPARE(error_code_of([&] { store.append_message(c, 999, Role::User, "x"); }),
               StoreErrorCode::NotFound);
    });
    QCOMPARE(store.active_path(c).size(), size_t(1));
  }

  void deleteConversationRemovesEverything() {
    std::string path = db_path("delete.db");
    ConversationStore store(path);
    int64_t c = store.create_conversation({});
    int64_t keep = store.create_conversation({});
    int64_t u = store.append_message(c, std::nullopt, Role::User, "zebra crossing");
    store.append_message(c, u, Role::Assistant, "zebra answer");
    store.append_message(keep, std::nullopt, Role::User, "zebra elsewhere");
    store.save_window_state(c, {{1, 2, 3}, 0, 0, {}, 0, ""});
    QCOMPARE(store.search("zebra").size(), size_t(3));
    store.delete_conversation(c);
    RawDb raw(path);
    QCOMPARE(raw.integer("SELECT count(*) FROM messages"), int64_t(1));
    QCOMPARE(raw.integer("SELECT count(*) FROM window_state"), int64_t(0));
    QCOMPARE(store.search("zebra").size(), size_t(1));
    QCOMPARE(store.integrity_check(), std::string("ok"));
    QCOMPARE(error_code_of([&] { store.delete_conversation(c); }), StoreErrorCode::NotFound);
  }

  void draftsOutliveTheStoreAndGoWithTheirConversation() {
    std::string path = db_path("drafts.db");
    int64_t a = 0, b = 0;
    const std::string long_draft = std::string(100000, 'x') + "\n\u00e9\u6f22 \xf0\x9f\xa6\x85";
    {
      ConversationStore store(path);
      a = store.create_conversation({.title = "a"});
      b = store.create_conversation({.title = "b"});
      QCOMPARE(store.draft(a), std::string());
      QVERIFY(store.set_draft(a, "half a question"));
      QVERIFY(store.set_draft(a, "half a question, finished"));  // overwrites
      QVERIFY(store.set_draft(b, long_draft));
      QVERIFY(store.set_draft(0, "for the new chat"));
      // A chat that does not exist (deleted meanwhile) stores nothing and is not an error.
      QVERIFY(!store.set_draft(b + 100, "lost cause"));
      QVERIFY(!store.set_draft(-1, "negative"));
      QCOMPARE(store.draft(b + 100), std::string());
    }
    {
      ConversationStore store(path);  // a new process
      QCOMPARE(store.draft(a), std::string("half a question, finished"));
      QCOMPARE(store.draft(b), long_draft);
      QCOMPARE(store.draft(0), std::string("for the new chat"));
      const auto all = store.drafts();  // by conversation id, the new chat (0) first
      QCOMPARE(all.size(), size_t(3));
      QCOMPARE(all[0], (std::pair<int64_t, std::string>{0, "for the new chat"}));
      QCOMPARE(all[1], (std::pair<int64_t, std::string>{a, "half a question, finished"}));
      QCOMPARE(all[2].first, b);
      QVERIFY(store.set_draft(a, ""));  // sent: the draft goes
      QCOMPARE(store.draft(a), std::string());
      store.delete_conversation(b);
      QCOMPARE(store.draft(b), std::string());
      QCOMPARE(store.integrity_check(), std::string("ok"));
    }
    RawDb raw(path);  // not hidden by the store's reader: the rows really are gone
    QCOMPARE(raw.integer("SELECT count(*) FROM drafts"), int64_t(1));
    QCOMPARE(raw.scalar("SELECT text FROM drafts WHERE conversation_id = 0"),
             std::string("for the new chat"));
    // Drafts are not messages: search and export do not see them.
    ConversationStore store(path);
    QVERIFY(store.search("finished").empty());
  }

  void interruptedReplyRecoveredOnlyWhenOwnerIsGone() {
    std::string path = db_path("recover.db");
    int64_t r = 0;
    {
      auto writer = std::make_unique<ConversationStore>(path);
      int64_t c = writer->create_conversation({});
      r = writer->begin_assistant_reply(c, std::nullopt);
      writer->update_partial(r, "partial words", 2);
      // A second store opened while the writer lives must not steal its reply.
      ConversationStore reader(path);
      QCOMPARE(reader.interrupted_on_open(), int64_t(0));
      QCOMPARE(reader.message(r).state, MessageState::Streaming);
      writer.reset();  // dies without finish_reply
    }
    ConversationStore again(path);
    QCOMPARE(again.interrupted_on_open(), int64_t(1));
    Message m = again.message(r);
    QCOMPARE(m.state, MessageState::Complete);
    QCOMPARE(m.stats.stop_reason, StopReason::Interrupted);
    QCOMPARE(m.text, std::string("partial words"));
    QCOMPARE(m.token_count, int64_t(2));
  }
};

QTEST_APPLESS_MAIN(TestStoreBasic)
#include "test_store_basic.moc"
