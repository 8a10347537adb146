// ChatSession on the bundled trained model (real weights, CPU backend): the store, the chat
// template, the KV window and the generator together, as falcon-run --db and the app use them.
#include <QTemporaryDir>
#include <QtTest>
#include <chrono>
#include <cmath>
#include <thread>

#include "app/engine/chat_context.h"
#include "app/engine/chat_session.h"
#include "core/model/cpu_backend.h"

using namespace falcon;

namespace {

const std::string kModel = std::string(FALCON_SOURCE_DIR) + "/resources/models/falcon-mini";
const std::string kSystem =
    "You are a helpful assistant. The user's name is Alice. The secret word is lantern.";

SamplingSettings greedy(int max_new = 48) {
  SamplingSettings s;
  s.greedy = true;
  s.repeat_penalty = 1.0f;
  s.max_new_tokens = max_new;
  s.stop_strings = ChatTemplate::falcon_instruct().stop_strings();
  return s;
}

// The chat as ChatTemplate::tokenize renders it in one go: an independent account of the
// canonical tokens ChatSession must keep in the cache.
std::vector<int32_t> template_tokens(const Tokenizer& tok, const std::string& system,
                                     const std::vector<Message>& path) {
  std::vector<ChatMessage> messages;
  if (!system.empty()) messages.push_back({Role::System, system});
  for (const Message& m : path) messages.push_back({m.role, m.text});
  return ChatTemplate::falcon_instruct().tokenize(tok, messages, false).tokens;
}

std::vector<float> probe(Backend& b, int32_t token) {
  std::vector<float> logits;
  b.forward(std::span<const int32_t>(&token, 1), false, logits);
  return logits;
}

float max_rel_diff(const std::vector<float>& a, const std::vector<float>& b) {
  float scale = 0, diff = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    scale = std::max(scale, std::fabs(b[i]));
    diff = std::max(diff, std::fabs(a[i] - b[i]));
  }
  return diff / std::max(scale, 1e-20f);
}

// The real backend, with every forward of more than one token (a prompt) made to last at least
// kSlowPrefillMs: what a long prompt costs, made large enough to see in a reply's stats.
constexpr double kSlowPrefillMs = 60;
class SlowPrefill : public Backend {
 public:
  explicit SlowPrefill(std::unique_ptr<Backend> inner) : inner_(std::move(inner)) {}
  const ModelConfig& config() const override { return inner_->config(); }
  std::string describe() const override { return inner_->describe(); }
  int cache_size() const override { return inner_->cache_size(); }
  int cache_capacity() const override { return inner_->cache_capacity(); }
  void forward(std::span<const int32_t> tokens, bool all_logits, std::vector<float>& logits) override {
    if (tokens.size() > 1)
      std::this_thread::sleep_for(std::chrono::duration<double, std::milli>(kSlowPrefillMs));
    inner_->forward(tokens, all_logits, logits);
  }
  void evict(int begin, int count, EvictMode mode) override { inner_->evict(begin, count, mode); }
  void truncate(int n) override { inner_->truncate(n); }

 private:
  std::unique_ptr<Backend> inner_;
};

}  // namespace

class TestChatSession : public QObject {
  Q_OBJECT

  std::shared_ptr<Tokenizer> tok_;
  std::string fingerprint_;

  std::unique_ptr<Backend> backend() { return create_cpu_backend(kModel, CpuBackendOptions{0, 1024}); }

  int64_t new_conversation(ConversationStore& store, int64_t window = 512) {
    NewConversation c;
    c.title = "test";
    c.system_prompt = kSystem;
    c.model_fingerprint = fingerprint_;
    c.window_size = window;
    return store.create_conversation(c);
  }

 private slots:
  void initTestCase() {
    tok_ = load_tokenizer(kModel);
    fingerprint_ = model_fingerprint(kModel);
  }

  // A reply streams as pieces that make up the stored text; the cache then holds exactly the
  // template's tokens of the conversation, and the window state is saved with the model's id.
  void send_streams_stores_and_keeps_canonical_tokens() {
    QTemporaryDir dir;
    ConversationStore store(dir.filePath("c.db").toStdString());
    const int64_t id = new_conversation(store);
    auto b = backend();
    ChatSession session(store, id, *b, *tok_, ChatTemplate::falcon_instruct(), {fingerprint_});
    const std::atomic<bool> cancel{false};
    std::string streamed;
    int64_t started = 0;
    ReplyCallbacks cb;
    cb.on_text = [&](std::string_view p) {
      streamed += p;
      return true;
    };
    cb.on_started = [&](int64_t m) { started = m; };
    const ReplyResult r = session.send("What is 17 + 25?", greedy(), cancel, cb);
    QCOMPARE(started, r.assistant_message_id);
    QVERIFY2(r.text.find("42") != std::string::npos, r.text.c_str());  // the bundled model can add
    QVERIFY(streamed.rfind(r.text, 0) == 0);  // stored text = streamed text (trailing space trimmed)
    const auto path = store.active_path(id);
    QCOMPARE(path.size(), size_t(2));
    QCOMPARE(path[0].text, std::string("What is 17 + 25?"));
    QCOMPARE(path[1].text, r.text);
    QVERIFY(path[1].stats.stop_reason == StopReason::StopString ||
            path[1].stats.stop_reason == StopReason::Eos);
    QVERIFY(path[1].stats.ttft_ms.has_value());
    const auto w = store.window_state(id);
    QVERIFY(w.has_value());
    QCOMPARE(w->model_fingerprint, fingerprint_);
    QCOMPARE(w->tokens, template_tokens(*tok_, kSystem, path));
    const std::vector<ChatMessage> system_message{{Role::System, kSystem}};
    const auto system_only = ChatTemplate::falcon_instruct().tokenize(*tok_, system_message, false);
    QCOMPARE(w->pinned_count, static_cast<int64_t>(system_only.system_tokens));
    QCOMPARE(r.context.pinned, w->pinned_count);
  }

  // A message longer than the window: the reply says how much of its beginning the window left
  // out (the app tells the user), and the model still answers from the end it kept.
  void a_message_longer_than_the_window_says_what_was_cut() {
    QTemporaryDir dir;
    ConversationStore store(dir.filePath("c.db").toStdString());
    const int64_t id = new_conversation(store, /*window=*/64);
    auto b = backend();
    ChatSession session(store, id, *b, *tok_, ChatTemplate::falcon_instruct(), {fingerprint_});
    const std::atomic<bool> cancel{false};
    const ReplyResult short_reply = session.send("What is 17 + 25?", greedy(8), cancel, {});
    QCOMPARE(short_reply.answered.cut, int64_t{0});
    // The message's tokens as the template writes it, counted independently of the session.
    const auto segment_tokens = [&](const std::string& text) {
      return static_cast<int64_t>(
          ChatTemplate::falcon_instruct().tokenize_message(*tok_, ChatMessage{Role::User, text}, 1).size());
    };
    QCOMPARE(short_reply.answered.tokens, segment_tokens("What is 17 + 25?"));
    std::string long_text;
    for (int i = 0; i < 300; ++i) long_text += "apple ";
    long_text += "What is 17 + 25?";
    const ReplyResult r = session.send(long_text, greedy(8), cancel, {});
    QCOMPARE(r.answered.tokens, segment_tokens(long_text));
    QVERIFY(r.answered.tokens > 64);
    const int64_t kept = r.answered.tokens - r.answered.cut;
    QVERIFY2(r.answered.cut > 0 && kept <= 64 && kept > 32,
             qPrintable(QStringLiteral("cut %1 of %2").arg(r.answered.cut).arg(r.answered.tokens)));
    // (The whole message used to be dropped, for the turn boundary before the generation prompt:
    // "cut 313 of 313", the model answering nothing at all.)
    QVERIFY(!r.text.empty());
    // Regenerating that reply, and again after a restart, and editing the message into another
    // long one: the window gives the message back as far as it fits. (The reply's own tokens
    // had pushed the message out of the window, and that eviction was kept: "only the last 0 of
    // the 313 tokens", the model answering nothing.)
    const auto expect_kept_end = [&](const ReplyResult& again, int64_t tokens, const char* what) {
      QCOMPARE(again.answered.tokens, tokens);
      const int64_t seen = again.answered.tokens - again.answered.cut;
      QVERIFY2(seen <= 64 && seen > 32,
               qPrintable(QStringLiteral("%1: saw %2 of %3").arg(what).arg(seen).arg(again.answered.tokens)));
    };
    const ReplyResult regenerated = session.regenerate(r.assistant_message_id, greedy(8), cancel, {});
    expect_kept_end(regenerated, r.answered.tokens, "regenerate");
    QCOMPARE(regenerated.answered.cut, r.answered.cut);
    // Each reply stores it, for a stored chat to show under the reply; a continued reply keeps
    // what its first prompt held.
    for (const ReplyResult* x : {&short_reply, &r, &regenerated}) {
      const Message stored = store.message(x->assistant_message_id);
      QCOMPARE(stored.stats.answered_tokens, std::optional<int64_t>(x->answered.tokens));
      QCOMPARE(stored.stats.answered_cut, std::optional<int64_t>(x->answered.cut));
    }
    session.continue_reply(regenerated.assistant_message_id, greedy(4), cancel, {});
    QCOMPARE(store.message(regenerated.assistant_message_id).stats.answered_cut,
             std::optional<int64_t>(r.answered.cut));
    auto b2 = backend();
    ChatSession resumed(store, id, *b2, *tok_, ChatTemplate::falcon_instruct(), {fingerprint_});
    resumed.resume(cancel);
    expect_kept_end(resumed.regenerate(regenerated.assistant_message_id, greedy(8), cancel, {}),
                    r.answered.tokens, "regenerate after resume");
    std::string other = long_text;
    for (int i = 0; i < 50; ++i) other.insert(0, "pear ");
    expect_kept_end(resumed.edit_and_resend(r.user_message_id, other, greedy(8), cancel, {}),
                    segment_tokens(other), "edit");
  }

  // A reply's time to first token covers the whole prompt, also the part forwarded while the
  // cache is brought to the conversation (it once counted only the last prompt token: "TTFT 1 ms"
  // after a long prompt), and no more than the reply's wall time.
  void ttft_counts_the_whole_prompt() {
    QTemporaryDir dir;
    ConversationStore store(dir.filePath("c.db").toStdString());
    const int64_t id = new_conversation(store);
    SlowPrefill b(backend());
    ChatSession session(store, id, b, *tok_, ChatTemplate::falcon_instruct(), {fingerprint_});
    const std::atomic<bool> cancel{false};
    for (const char* message : {"What is 17 + 25?", "And 3 + 4?"}) {
      const auto t0 = std::chrono::steady_clock::now();
      const ReplyResult r = session.send(message, greedy(8), cancel, {});
      const double wall =
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
      QVERIFY(r.stats.ttft_ms.has_value());
      QVERIFY2(*r.stats.ttft_ms >= kSlowPrefillMs && *r.stats.ttft_ms <= wall,
               qPrintable(QString("ttft %1 ms, prompt forward >= %2 ms, reply %3 ms")
                              .arg(*r.stats.ttft_ms)
                              .arg(kSlowPrefillMs)
                              .arg(wall)));
      QCOMPARE(store.active_path(id).back().stats.ttft_ms, r.stats.ttft_ms);
    }
  }

  // Save, drop the engine, resume on a fresh backend: the next-token logits are the same.
  void resume_reproduces_the_next_token_distribution() {
    QTemporaryDir dir;
    const std::string db = dir.filePath("c.db").toStdString();
    std::vector<float> live;
    int64_t id = 0;
    {
      ConversationStore store(db);
      id = new_conversation(store, 40);  // small window: evictions happen during the chat
      auto b = backend();
      ChatSession session(store, id, *b, *tok_, ChatTemplate::falcon_instruct(), {fingerprint_});
      const std::atomic<bool> cancel{false};
      session.send("Hello! What is 12 + 30?", greedy(), cancel, {});
      const ReplyResult r = session.send("Which day comes after Monday?", greedy(), cancel, {});
      QVERIFY2(r.context.evicted > 0, "the 40-token window must have slid");
      QCOMPARE(r.context.pinned, store.window_state(id)->pinned_count);
      QVERIFY(r.context.recent <= 40);
      live = probe(*b, 5);
    }
    ConversationStore store(db);
    auto b = backend();
    ChatSession session(store, id, *b, *tok_, ChatTemplate::falcon_instruct(), {fingerprint_});
    const std::atomic<bool> cancel{false};
    QCOMPARE(session.resume(cancel), std::string());
    const auto resumed = probe(*b, 5);
    QVERIFY2(max_rel_diff(resumed, live) <= 1e-5f, "resumed logits differ from the live session's");
  }

  // Regenerate makes a sibling and the cache follows the new branch; edit makes a user sibling.
  void regenerate_and_edit_make_branches() {
    QTemporaryDir dir;
    ConversationStore store(dir.filePath("c.db").toStdString());
    const int64_t id = new_conversation(store);
    auto b = backend();
    ChatSession session(store, id, *b, *tok_, ChatTemplate::falcon_instruct(), {fingerprint_});
    const std::atomic<bool> cancel{false};
    const ReplyResult first = session.send("Spell the word cat backwards.", greedy(), cancel, {});
    SamplingSettings sampled = greedy();
    sampled.greedy = false;
    sampled.temperature = 1.2f;
    sampled.seed = 7;
    const ReplyResult second = session.regenerate(first.assistant_message_id, sampled, cancel, {});
    QVERIFY(second.assistant_message_id != first.assistant_message_id);
    QCOMPARE(store.siblings(second.assistant_message_id).size(), size_t(2));
    auto path = store.active_path(id);
    QCOMPARE(path.back().id, second.assistant_message_id);
    QCOMPARE(store.window_state(id)->tokens, template_tokens(*tok_, kSystem, path));

    const ReplyResult edited =
        session.edit_and_resend(first.user_message_id, "What is 5 + 4?", greedy(), cancel, {});
    QCOMPARE(store.siblings(edited.user_message_id).size(), size_t(2));
    path = store.active_path(id);
    QCOMPARE(path.size(), size_t(2));
    QCOMPARE(path[0].text, std::string("What is 5 + 4?"));
    QCOMPARE(store.window_state(id)->tokens, template_tokens(*tok_, kSystem, path));
  }

  // Every message is a turn the window can cut at, also one appended right behind the cache.
  void every_message_starts_a_turn() {
    QTemporaryDir dir;
    ConversationStore store(dir.filePath("c.db").toStdString());
    const int64_t id = new_conversation(store);
    auto b = backend();
    ChatSession session(store, id, *b, *tok_, ChatTemplate::falcon_instruct(), {fingerprint_});
    const std::atomic<bool> cancel{false};
    session.send("Hello!", greedy(16), cancel, {});
    session.send("What is 3 + 4?", greedy(16), cancel, {});
    const auto path = store.active_path(id);
    QCOMPARE(path.size(), size_t(4));
    std::vector<int32_t> expected;  // where messages 2..4 begin in the template's tokens
    for (size_t k = 1; k < path.size(); ++k) {
      const std::vector<Message> head(path.begin(), path.begin() + static_cast<std::ptrdiff_t>(k));
      expected.push_back(static_cast<int32_t>(template_tokens(*tok_, kSystem, head).size()));
    }
    QCOMPARE(store.window_state(id)->turn_starts, expected);
  }

  // Continue extends a reply that stopped at its length limit, in the same message.
  void continue_extends_the_same_reply() {
    QTemporaryDir dir;
    ConversationStore store(dir.filePath("c.db").toStdString());
    const int64_t id = new_conversation(store);
    auto b = backend();
    ChatSession session(store, id, *b, *tok_, ChatTemplate::falcon_instruct(), {fingerprint_});
    const std::atomic<bool> cancel{false};
    const ReplyResult cut = session.send("Count from 1 to 20.", greedy(6), cancel, {});
    QVERIFY(store.message(cut.assistant_message_id).stats.stop_reason == StopReason::Length);
    const ReplyResult more = session.continue_reply(cut.assistant_message_id, greedy(12), cancel, {});
    QCOMPARE(more.assistant_message_id, cut.assistant_message_id);
    const Message m = store.message(cut.assistant_message_id);
    QVERIFY(m.state == MessageState::Complete);
    QVERIFY2(m.text.size() > cut.text.size() && m.text.rfind(cut.text, 0) == 0, m.text.c_str());
    QCOMPARE(store.siblings(m.id).size(), size_t(1));
    QCOMPARE(store.window_state(id)->tokens, template_tokens(*tok_, kSystem, store.active_path(id)));
  }

  // Each reply names the model that wrote it; a reply continued by another model names both, once.
  void a_reply_names_its_model() {
    QCOMPARE(reply_model_name("/models/falcon-7b/", "int4"), std::string("falcon-7b \xC2\xB7 int4"));
    QCOMPARE(reply_model_name("/models/falcon-7b", "int8"), std::string("falcon-7b \xC2\xB7 int8"));
    QCOMPARE(reply_model_name("falcon-mini", "bf16"), std::string("falcon-mini"));
    QCOMPARE(reply_model_name("/m/falcon-mini", "f32"), std::string("falcon-mini"));  // the checkpoint's own
    QTemporaryDir dir;
    ConversationStore store(dir.filePath("c.db").toStdString());
    const int64_t id = new_conversation(store);
    auto b = backend();
    const std::atomic<bool> cancel{false};
    int64_t reply = 0;
    {
      ChatSession session(store, id, *b, *tok_, ChatTemplate::falcon_instruct(), {fingerprint_, "mini"});
      reply = session.send("Count from 1 to 20.", greedy(4), cancel, {}).assistant_message_id;
      QCOMPARE(store.message(reply).stats.model, std::string("mini"));
      session.continue_reply(reply, greedy(2), cancel, {});
      QCOMPARE(store.message(reply).stats.model, std::string("mini"));  // the same model: once
    }
    {
      ChatSession other(store, id, *b, *tok_, ChatTemplate::falcon_instruct(),
                        {fingerprint_, "mini \xC2\xB7 int8"});
      other.continue_reply(reply, greedy(2), cancel, {});
      QCOMPARE(store.message(reply).stats.model, std::string("mini, mini \xC2\xB7 int8"));
      other.continue_reply(reply, greedy(2), cancel, {});
      QCOMPARE(store.message(reply).stats.model, std::string("mini, mini \xC2\xB7 int8"));
      const int64_t again = other.regenerate(reply, greedy(2), cancel, {}).assistant_message_id;
      QCOMPARE(store.message(again).stats.model, std::string("mini \xC2\xB7 int8"));
    }
  }

  // Invalid settings are refused before anything is written; a chat made with another model is
  // re-tokenized with a notice.
  void invalid_settings_and_model_change() {
    QTemporaryDir dir;
    ConversationStore store(dir.filePath("c.db").toStdString());
    const int64_t id = new_conversation(store);
    auto b = backend();
    const std::atomic<bool> cancel{false};
    {
      ChatSession session(store, id, *b, *tok_, ChatTemplate::falcon_instruct(), {fingerprint_});
      SamplingSettings bad = greedy();
      bad.top_p = 1.5f;
      QVERIFY_THROWS_EXCEPTION(Error, session.send("hi", bad, cancel, {}));
      QCOMPARE(store.active_path(id).size(), size_t(0));
      session.send("Hi!", greedy(), cancel, {});
    }
    ChatSession other(store, id, *b, *tok_, ChatTemplate::falcon_instruct(), {"another-model#0"});
    QVERIFY(!other.resume(cancel).empty());
    QCOMPARE(other.context().pinned, store.window_state(id)->pinned_count);
  }
};

QTEST_APPLESS_MAIN(TestChatSession)
#include "test_chat_session.moc"
