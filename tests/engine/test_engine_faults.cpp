// Fault injection at the engine level (issue 12): out of memory during prefill and decode, a
// reply cancelled at each stage, and a chat resumed with another model. The model is
// tests/core/fake_backend.h (its cache is the token list, so what the session fed is visible
// exactly; fail_after_forwards injects the out-of-memory error a backend reports) behind the
// real tokenizer, chat template, KV window, generator and store. Each fault must leave one clear
// error, every stored message intact and finished (never "streaming"), a database that passes
// integrity_check, and a session that carries on: the next reply works and the cache holds the
// canonical tokens of the conversation again.
#include <QTemporaryDir>
#include <QtTest>

#include "app/engine/chat_context.h"
#include "app/engine/chat_session.h"
#include "core/fake_backend.h"

using namespace falcon;
using falcon::testing::FakeBackend;

namespace {

const std::string kModel = std::string(FALCON_SOURCE_DIR) + "/resources/models/falcon-mini";

SamplingSettings greedy(int max_new = 6) {
  SamplingSettings s;
  s.greedy = true;
  s.repeat_penalty = 1.0f;
  s.max_new_tokens = max_new;
  s.stop_strings = ChatTemplate::falcon_instruct().stop_strings();
  return s;
}

// The conversation's active branch as the chat template renders it in one go (no generation
// prompt): what the session's cache must hold after a finished reply.
std::vector<int32_t> canonical(const Tokenizer& tok, ConversationStore& store, int64_t id) {
  const Conversation c = store.conversation(id);
  return tokenize_branch(ChatTemplate::falcon_instruct(), tok, c.system_prompt, store.active_path(id), false)
      .tokens;
}

std::string error_of(const std::function<void()>& fn, ErrorKind* kind) {
  try {
    fn();
  } catch (const Error& e) {
    *kind = e.kind();
    return e.what();
  }
  return {};
}

}  // namespace

class TestEngineFaults : public QObject {
  Q_OBJECT

  std::unique_ptr<Tokenizer> tok_;
  int32_t word_ = 0;  // the token the fake model always predicts
  QTemporaryDir dir_;

  std::unique_ptr<FakeBackend> backend() {
    auto b = std::make_unique<FakeBackend>(tok_->vocab_size(), 4096);
    const int32_t w = word_;
    b->logits_fn = [w](const std::vector<int32_t>&, std::span<float> row) {
      row[static_cast<size_t>(w)] = 10.0f;
    };
    return b;
  }

  int64_t conversation(ConversationStore& store) {
    NewConversation c;
    c.title = "faults";
    c.system_prompt = "You are a helpful assistant.";
    c.model_fingerprint = "model-A";
    return store.create_conversation(c);
  }

  // Every message is finished and the database is sound.
  static void check_intact(ConversationStore& store, int64_t id) {
    for (const Message& m : store.active_path(id)) QCOMPARE(m.state, MessageState::Complete);
    QCOMPARE(store.integrity_check(), std::string("ok"));
  }

 private slots:
  void initTestCase() {
    tok_ = load_tokenizer(kModel);
    const auto ids = tok_->encode(" lantern", false);
    QVERIFY(!ids.empty());
    word_ = ids.back();
  }

  // Out of memory on the first forward of a reply (the prompt's prefill): the user's message
  // is kept, the reply is stored finished with stop reason "error" and the reason, and after
  // memory is back the same session answers with a canonical cache.
  void out_of_memory_during_prefill() {
    ConversationStore store(dir_.filePath("oom_prefill.db").toStdString());
    const int64_t id = conversation(store);
    auto b = backend();
    ChatSession session(store, id, *b, *tok_, ChatTemplate::falcon_instruct(), {"model-A"});
    const std::atomic<bool> cancel{false};
    const ReplyResult first = session.send("Hello!", greedy(), cancel, {});
    QVERIFY(!first.text.empty());

    b->fail_after_forwards = b->forwards;  // the next forward fails
    ErrorKind kind = ErrorKind::Other;
    const std::string msg = error_of([&] { session.send("And now?", greedy(), cancel, {}); }, &kind);
    QCOMPARE(kind, ErrorKind::OutOfMemory);
    QVERIFY2(msg.find("out of memory") != std::string::npos, msg.c_str());

    const auto path = store.active_path(id);
    QCOMPARE(path.size(), size_t(4));  // user, reply, user, failed reply
    QCOMPARE(path[1].text, first.text);
    QCOMPARE(path[2].text, std::string("And now?"));
    QCOMPARE(path[3].role, Role::Assistant);
    QCOMPARE(path[3].stats.stop_reason, StopReason::Error);
    QVERIFY2(path[3].stats.error_text.find("out of memory") != std::string::npos,
             path[3].stats.error_text.c_str());
    check_intact(store, id);

    b->fail_after_forwards = -1;
    const ReplyResult again = session.regenerate(path[3].id, greedy(), cancel, {});
    QVERIFY(!again.text.empty());
    QCOMPARE(store.message(again.assistant_message_id).stats.stop_reason, StopReason::Length);
    QCOMPARE(b->cache, canonical(*tok_, store, id));
    check_intact(store, id);
  }

  // Out of memory after a few generated tokens: the text generated so far is kept.
  void out_of_memory_during_decode() {
    ConversationStore store(dir_.filePath("oom_decode.db").toStdString());
    const int64_t id = conversation(store);
    auto b = backend();
    ChatSession session(store, id, *b, *tok_, ChatTemplate::falcon_instruct(), {"model-A"});
    const std::atomic<bool> cancel{false};
    std::string streamed;
    ReplyCallbacks cb;
    cb.on_text = [&](std::string_view piece) {
      streamed += piece;
      return true;
    };
    // The prompt is prefilled in one forward (it is shorter than the prefill chunk); the next
    // three forwards are decode steps, the fourth fails.
    b->fail_after_forwards = 4;
    ErrorKind kind = ErrorKind::Other;
    const std::string msg =
        error_of([&] { session.send("Tell me a story.", greedy(20), cancel, cb); }, &kind);
    QCOMPARE(kind, ErrorKind::OutOfMemory);
    QVERIFY2(!msg.empty(), "no message");
    const auto path = store.active_path(id);
    QCOMPARE(path.size(), size_t(2));
    QCOMPARE(path[1].stats.stop_reason, StopReason::Error);
    QVERIFY2(path[1].text.find("lantern") != std::string::npos, path[1].text.c_str());
    QCOMPARE(path[1].text, std::string(QByteArray::fromStdString(streamed).trimmed().toStdString()));
    check_intact(store, id);

    b->fail_after_forwards = -1;
    const ReplyResult more = session.continue_reply(path[1].id, greedy(3), cancel, {});
    QVERIFY2(more.text.size() > path[1].text.size() && more.text.rfind(path[1].text, 0) == 0,
             more.text.c_str());
    QCOMPARE(b->cache, canonical(*tok_, store, id));
    check_intact(store, id);
  }

  // Cancel before anything was forwarded (while the prompt is tokenized and before its
  // prefill), during the prefill (between chunks) and during decoding. Each keeps what was
  // generated, marks the reply cancelled, and the next reply works from a canonical cache.
  void cancel_at_every_stage_data() {
    QTest::addColumn<QString>("stage");
    QTest::newRow("tokenizing") << "tokenizing";
    QTest::newRow("prefill") << "prefill";
    QTest::newRow("decode") << "decode";
  }
  void cancel_at_every_stage() {
    QFETCH(QString, stage);
    ConversationStore store(dir_.filePath("cancel_" + stage + ".db").toStdString());
    const int64_t id = conversation(store);
    auto b = backend();
    ChatSessionOptions o{"model-A"};
    o.prefill_chunk = 4;  // several prefill forwards, so a cancel can land between them
    ChatSession session(store, id, *b, *tok_, ChatTemplate::falcon_instruct(), o);
    std::atomic<bool> cancel{false};
    session.send("Hi.", greedy(), cancel, {});
    const int forwards_before = b->forwards;

    std::string streamed;
    ReplyCallbacks cb;
    cb.on_text = [&](std::string_view piece) {
      streamed += piece;
      if (stage == "decode" && streamed.find("lantern lantern") != std::string::npos) cancel = true;
      return true;
    };
    if (stage == "tokenizing") cancel = true;
    if (stage == "prefill") {
      b->on_forward = [&](int) {
        if (b->forwards == forwards_before + 2) cancel = true;
      };
    }
    const ReplyResult r = session.send(
        "A much longer question, with enough words for several prefill chunks?", greedy(30), cancel, cb);
    b->on_forward = nullptr;
    QCOMPARE(r.stats.stop_reason, StopReason::Cancelled);
    const Message reply = store.message(r.assistant_message_id);
    QCOMPARE(reply.state, MessageState::Complete);
    QCOMPARE(reply.stats.stop_reason, StopReason::Cancelled);
    QCOMPARE(reply.text, r.text);
    if (stage == "tokenizing") {
      // The cancel is seen before any forward: nothing was fed, nothing generated.
      QCOMPARE(b->forwards, forwards_before);
      QVERIFY(reply.text.empty());
    } else if (stage == "prefill") {
      QCOMPARE(b->forwards, forwards_before + 2);
      QVERIFY(reply.text.empty());
    } else {
      QVERIFY2(reply.text.rfind("lantern lantern", 0) == 0, reply.text.c_str());
      QVERIFY(reply.token_count < 30);
    }
    QCOMPARE(store.message(r.user_message_id).text,
             std::string("A much longer question, with enough words for several prefill chunks?"));
    check_intact(store, id);

    cancel = false;
    const ReplyResult next = session.send("Go on.", greedy(), cancel, {});
    QCOMPARE(next.stats.stop_reason, StopReason::Length);
    QCOMPARE(b->cache, canonical(*tok_, store, id));
    QCOMPARE(store.active_path(id).size(), size_t(6));
    check_intact(store, id);
  }

  // A chat whose window state was saved by another model: resume says so and re-tokenizes the
  // text instead of feeding the stored ids (which mean something else to this model). With the
  // same model the stored ids are what is fed (the exact resume), so it is the fingerprint that
  // decides, not a difference in the ids.
  void resume_with_another_model_retokenizes() {
    ConversationStore store(dir_.filePath("resume.db").toStdString());
    const int64_t id = conversation(store);
    {
      auto b = backend();
      ChatSession session(store, id, *b, *tok_, ChatTemplate::falcon_instruct(), {"model-A"});
      const std::atomic<bool> cancel{false};
      session.send("Remember the word lantern.", greedy(), cancel, {});
    }
    const std::vector<int32_t> text_tokens = canonical(*tok_, store, id);
    // Model A's ids, as if its vocabulary were another: every id shifted by one.
    WindowState w = *store.window_state(id);
    QCOMPARE(w.tokens, text_tokens);
    for (int32_t& t : w.tokens) t = (t + 1) % tok_->vocab_size();
    store.save_window_state(id, w);

    const std::atomic<bool> cancel{false};
    {
      auto b = backend();
      ChatSession same(store, id, *b, *tok_, ChatTemplate::falcon_instruct(), {"model-A"});
      QCOMPARE(same.resume(cancel), std::string());
      QCOMPARE(b->cache, w.tokens);
    }
    auto b = backend();
    ChatSession other(store, id, *b, *tok_, ChatTemplate::falcon_instruct(), {"model-B"});
    const std::string notice = other.resume(cancel);
    QVERIFY2(notice.find("another model") != std::string::npos, notice.c_str());
    QCOMPARE(b->cache, text_tokens);
    // The next reply continues from the re-tokenized text and saves the new model's ids.
    other.send("What was the word?", greedy(), cancel, {});
    QCOMPARE(b->cache, canonical(*tok_, store, id));
    QCOMPARE(store.window_state(id)->model_fingerprint, std::string("model-B"));
    QCOMPARE(store.window_state(id)->tokens, b->cache);
    check_intact(store, id);
  }
};

QTEST_APPLESS_MAIN(TestEngineFaults)
#include "test_engine_faults.moc"
