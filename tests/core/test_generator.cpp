// Generator loop with a fake backend whose logits follow a script (greedy picks the scripted
// token) and the real Falcon-style tokenizer fixture: stop reasons (eos, stop string, length,
// cancel mid-prefill and mid-decode, callback refusal, backend error), streamed text, what the
// cache holds afterwards, window eviction during decode and the statistics.
#include <QtTest>
#include <atomic>

#include "core/block_maxima.h"
#include "core/chat/chat_template.h"
#include "core/chat/generator.h"
#include "core/common/error.h"
#include "core/fake_backend.h"
#include "core/tokenizer/tokenizer.h"

using namespace falcon;
using falcon::testing::FakeBackend;

namespace {

bool valid_utf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    int len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (len == 0 || i + size_t(len) > s.size()) return false;
    for (int k = 1; k < len; ++k)
      if ((static_cast<unsigned char>(s[i + size_t(k)]) >> 6) != 2) return false;
    i += size_t(len);
  }
  return true;
}

SamplingSettings greedy_settings(int max_new = 100, std::vector<std::string> stops = {}) {
  SamplingSettings s;
  s.temperature = 0.0f;
  s.repeat_penalty = 1.0f;
  s.max_new_tokens = max_new;
  s.stop_strings = std::move(stops);
  s.seed = 1;
  return s;
}

// A fake model that "says" `script`: the logits after the prefill favour script[0], after the
// k-th generated token script[k] (the last entry repeats).
struct ScriptedModel {
  FakeBackend backend;
  std::vector<int32_t> script;
  int emitted = 0;  // on_token calls so far

  ScriptedModel(int vocab, int capacity, std::vector<int32_t> s)
      : backend(vocab, capacity), script(std::move(s)) {
    backend.logits_fn = [this](const std::vector<int32_t>&, std::span<float> row) {
      std::fill(row.begin(), row.end(), 0.0f);
      row[size_t(script[std::min(size_t(emitted), script.size() - 1)])] = 10.0f;
    };
  }
  GenerationCallbacks callbacks(std::vector<std::string>* pieces = nullptr) {
    GenerationCallbacks cb;
    cb.on_token = [this](int32_t) {
      ++emitted;
      return true;
    };
    cb.on_text = [pieces](std::string_view p) {
      if (pieces) pieces->emplace_back(p);
      return true;
    };
    return cb;
  }
};

// A backend whose decode steps leave their logits in its own memory, as CudaBackend's
// forward_last does, and scribble over the caller's scratch vector: a generator that read the
// scratch would pick token 0.
class OwnLogitsBackend : public FakeBackend {
 public:
  using FakeBackend::FakeBackend;
  std::span<const float> forward_last(std::span<const int32_t> tokens, std::vector<float>& scratch) override {
    forward(tokens, false, own_);
    scratch.assign(own_.size(), 0.0f);
    scratch[0] = 100.0f;
    ++calls;
    return own_;
  }
  int calls = 0;

 private:
  std::vector<float> own_;
};

// forward_last as OwnLogitsBackend's, with each block of kLogitBlock logits' largest after it
// (Backend::last_block_maxima, as CudaBackend's head writes them); `hide` > 0 understates the
// maxima of the block that holds token `hide`, so that a sampler reading them skips that block.
class MaximaBackend : public FakeBackend {
 public:
  using FakeBackend::FakeBackend;
  std::span<const float> forward_last(std::span<const int32_t> tokens, std::vector<float>&) override {
    forward(tokens, false, own_);
    maxima_ = falcon::testing::block_maxima_of(own_);
    if (hide > 0) maxima_[size_t(hide) / kLogitBlock] = -1e30f;
    return own_;
  }
  std::span<const float> last_block_maxima() const override {
    ++queries;
    return maxima_;
  }
  int32_t hide = -1;
  mutable int queries = 0;

 private:
  std::vector<float> own_, maxima_;
};

std::vector<int32_t> as_vector(std::span<const int32_t> s) {
  return {s.begin(), s.end()};
}

}  // namespace

class TestGenerator : public QObject {
  Q_OBJECT

  std::unique_ptr<Tokenizer> tok_;
  int vocab_ = 0;
  int32_t eos_ = -1;

  std::vector<int32_t> encode(const std::string& s) const { return tok_->encode(s, false); }

 private slots:
  void initTestCase() {
    tok_ = load_tokenizer(std::filesystem::path(FALCON_FIXTURES_DIR) / "tokenizers" / "falcon");
    vocab_ = tok_->vocab_size();
    eos_ = tok_->specials().eos;
    QVERIFY(eos_ >= 0);
  }

  void stopsAtEos() {
    auto script = encode("Hello there, friend.");
    const auto reply = script;
    script.push_back(eos_);
    ScriptedModel m(vocab_, 1000, script);
    KvWindow window;
    Generator gen(m.backend, *tok_, window);
    Sampler sampler(greedy_settings());
    std::vector<std::string> pieces;
    GenerationRequest req;
    req.tokens = encode("User: hi\nFalcon:");
    auto cb = m.callbacks(&pieces);
    int rows = 0;
    cb.on_logits = [&](std::span<const float> row) {
      QCOMPARE(row.size(), size_t(vocab_));
      ++rows;
    };
    const auto r = gen.generate(req, sampler, cb);
    QCOMPARE(r.reason, StopReason::Eos);
    QCOMPARE(r.text, std::string("Hello there, friend."));
    QCOMPARE(rows, int(req.tokens.size() + reply.size()));  // one per prompt token, one per forward
    QCOMPARE(r.tokens, reply);
    std::string joined;
    for (const auto& p : pieces) joined += p;
    QCOMPARE(joined, r.text);
    // The cache holds the prompt and the reply, not eos.
    auto expect = req.tokens;
    expect.insert(expect.end(), reply.begin(), reply.end());
    QCOMPARE(m.backend.cache, expect);
    QCOMPARE(as_vector(window.tokens()), expect);
    QCOMPARE(r.stats.prompt_tokens, int(req.tokens.size()));
    QCOMPARE(r.stats.generated_tokens, int(reply.size()) + 1);
    QCOMPARE(r.stats.decode_steps, int(reply.size()));
    QVERIFY(r.stats.ttft_ms >= 0.0);
    QVERIFY(r.stats.prefill_tokens_per_s > 0.0);
    QVERIFY(r.stats.decode_tokens_per_s > 0.0);
  }

  void samplesFromWhatForwardLastReturns() {
    const auto reply = encode("Own memory.");
    OwnLogitsBackend backend(vocab_, 1000);
    int emitted = 0;
    backend.logits_fn = [&](const std::vector<int32_t>&, std::span<float> row) {
      std::fill(row.begin(), row.end(), 0.0f);
      row[size_t(emitted < int(reply.size()) ? reply[size_t(emitted)] : eos_)] = 10.0f;
    };
    KvWindow window;
    Generator gen(backend, *tok_, window);
    Sampler sampler(greedy_settings());
    GenerationRequest req;
    req.tokens = encode("User: hi\nFalcon:");
    GenerationCallbacks cb;
    cb.on_token = [&](int32_t) {
      ++emitted;
      return true;
    };
    std::vector<float> seen;
    cb.on_logits = [&](std::span<const float> row) { seen.assign(row.begin(), row.end()); };
    const auto r = gen.generate(req, sampler, cb);
    QCOMPARE(r.reason, StopReason::Eos);
    QCOMPARE(r.tokens, reply);
    QCOMPARE(backend.calls, int(reply.size()));  // every decode step went through forward_last
    // on_logits saw the step's logits, not the scribbled scratch: the last step's favour eos.
    QCOMPARE(seen.size(), size_t(vocab_));
    QCOMPARE(seen[size_t(eos_)], 10.0f);
    QCOMPARE(seen[0], eos_ == 0 ? 10.0f : 0.0f);
  }

  void samplesWithTheBackendsBlockMaxima() {
    // Each decode step's token is drawn with the maxima the backend gives beside its logits.
    // Every step favours token a, then b (another block). With honest maxima the reply is all
    // a; with maxima that understate a's block, the steps drawn from forward_last's logits skip
    // that block and take b (so the maxima do reach the sampler), but not the first token, drawn
    // from the prefill's logits, which come without maxima.
    const int32_t a = 100, b = 200;
    for (const bool lie : {false, true}) {
      MaximaBackend backend(vocab_, 1000);
      backend.logits_fn = [&](const std::vector<int32_t>&, std::span<float> row) {
        std::fill(row.begin(), row.end(), 0.0f);
        row[size_t(a)] = 10.0f;
        row[size_t(b)] = 5.0f;
      };
      if (lie) backend.hide = a;
      KvWindow window;
      Generator gen(backend, *tok_, window);
      Sampler sampler(greedy_settings(5));
      GenerationRequest req;
      req.tokens = encode("User: hi\nFalcon:");
      GenerationCallbacks cb;
      std::vector<int32_t> drawn;
      cb.on_token = [&](int32_t id) {
        drawn.push_back(id);
        return true;
      };
      const auto r = gen.generate(req, sampler, cb);
      QCOMPARE(r.reason, StopReason::Length);
      QCOMPARE(r.stats.decode_steps, 5);
      QCOMPARE(backend.queries, r.stats.decode_steps);  // after each decode step
      const std::vector<int32_t> expect =
          lie ? std::vector<int32_t>{a, b, b, b, b} : std::vector<int32_t>{a, a, a, a, a};
      QCOMPARE(drawn, expect);
    }
  }

  void ignoreEosRunsExactlyMaxNewTokens() {
    auto script = encode("Hi");
    script.push_back(eos_);
    const auto tail = encode(" there");
    script.insert(script.end(), tail.begin(), tail.end());
    ScriptedModel m(vocab_, 1000, script);
    KvWindow window;
    Generator gen(m.backend, *tok_, window, GeneratorOptions{.ignore_eos = true});
    Sampler sampler(greedy_settings(int(script.size())));
    GenerationRequest req;
    req.tokens = encode("Say:");
    const auto r = gen.generate(req, sampler, m.callbacks());
    QCOMPARE(r.reason, StopReason::Length);
    QCOMPARE(r.tokens, script);                 // eos was forwarded like any token
    QCOMPARE(r.text, std::string("Hi there"));  // and shows no text
    QCOMPARE(m.backend.cache_size(), int(req.tokens.size() + script.size()));
  }

  void stopsAtStopStringAndRollsBackHeldTokens() {
    const std::string said = "Sure thing.\nUser: and more";
    ScriptedModel m(vocab_, 1000, encode(said));
    KvWindow window;
    Generator gen(m.backend, *tok_, window);
    Sampler sampler(greedy_settings(100, {"\nUser:"}));
    std::vector<std::string> pieces;
    GenerationRequest req;
    req.tokens = encode("User: hi\nFalcon:");
    const auto r = gen.generate(req, sampler, m.callbacks(&pieces));
    QCOMPARE(r.reason, StopReason::StopString);
    QCOMPARE(r.text, std::string("Sure thing."));
    for (const auto& p : pieces) QVERIFY(p.find("User") == std::string::npos);
    // The cache ends with exactly the shown reply: nothing of the stop string stays in it.
    QCOMPARE(tok_->decode(r.tokens), std::string("Sure thing."));
    auto expect = req.tokens;
    expect.insert(expect.end(), r.tokens.begin(), r.tokens.end());
    QCOMPARE(m.backend.cache, expect);
  }

  void stopsAtLengthWithWholeReplyCached() {
    ScriptedModel m(vocab_, 1000, encode("one two three four five six seven eight"));
    KvWindow window;
    Generator gen(m.backend, *tok_, window);
    Sampler sampler(greedy_settings(5));
    GenerationRequest req;
    req.tokens = encode("Count:");
    const auto r = gen.generate(req, sampler, m.callbacks());
    QCOMPARE(r.reason, StopReason::Length);
    QCOMPARE(r.stats.generated_tokens, 5);
    QCOMPARE(r.tokens.size(), size_t(5));
    QCOMPARE(tok_->decode(r.tokens), r.text);
    QCOMPARE(m.backend.cache_size(), int(req.tokens.size()) + 5);
    // max_new_tokens = 0 generates nothing.
    Sampler none(greedy_settings(0));
    const auto r0 = gen.generate(req, none, m.callbacks());
    QCOMPARE(r0.reason, StopReason::Length);
    QCOMPARE(r0.stats.generated_tokens, 0);
  }

  void cancelMidPrefill() {
    ScriptedModel m(vocab_, 4000, encode("never"));
    KvWindow window(KvWindowOptions{.window = 2048});
    Generator gen(m.backend, *tok_, window, GeneratorOptions{.prefill_piece = 16});
    std::atomic<bool> cancel{false};
    m.backend.on_forward = [&](int) {
      if (m.backend.forwards == 3) cancel = true;
    };
    Sampler sampler(greedy_settings());
    GenerationRequest req;
    for (int i = 0; i < 1000; ++i) req.tokens.push_back(int32_t(100 + i % 50));
    const auto r = gen.generate(req, sampler, m.callbacks(), &cancel);
    QCOMPARE(r.reason, StopReason::Cancelled);
    QCOMPARE(r.prompt_tokens_done, 48);
    QCOMPARE(r.stats.generated_tokens, 0);
    QVERIFY(r.text.empty());
    QCOMPARE(m.backend.cache_size(), 48);
    QCOMPARE(as_vector(window.tokens()), m.backend.cache);
  }

  void cancelMidDecode() {
    ScriptedModel m(vocab_, 1000, encode("a b c d e f g h i j k l m n o p"));
    KvWindow window;
    Generator gen(m.backend, *tok_, window);
    std::atomic<bool> cancel{false};
    Sampler sampler(greedy_settings());
    GenerationRequest req;
    req.tokens = encode("Letters:");
    auto cb = m.callbacks();
    cb.on_token = [&](int32_t) {
      if (++m.emitted == 4) cancel = true;
      return true;
    };
    const auto r = gen.generate(req, sampler, cb, &cancel);
    QCOMPARE(r.reason, StopReason::Cancelled);
    QCOMPARE(r.stats.generated_tokens, 4);
    QCOMPARE(r.tokens.size(), size_t(4));  // shown tokens are all in the cache
    QCOMPARE(m.backend.cache_size(), int(req.tokens.size()) + 4);
    QCOMPARE(tok_->decode(r.tokens), r.text);
  }

  void callbacksReturningFalseStop() {
    {  // on_token refuses: the token is neither shown nor cached
      ScriptedModel m(vocab_, 1000, encode("x y z w"));
      KvWindow window;
      Generator gen(m.backend, *tok_, window);
      Sampler sampler(greedy_settings());
      GenerationRequest req;
      req.tokens = encode("Go:");
      auto cb = m.callbacks();
      cb.on_token = [&](int32_t) { return ++m.emitted < 3; };
      const auto r = gen.generate(req, sampler, cb);
      QCOMPARE(r.reason, StopReason::Cancelled);
      QCOMPARE(r.tokens.size(), size_t(2));
      QCOMPARE(m.backend.cache_size(), int(req.tokens.size()) + 2);
    }
    {  // on_text refuses: that piece was shown, so its token is cached, then generation stops
      ScriptedModel m(vocab_, 1000, encode("x y z w"));
      KvWindow window;
      Generator gen(m.backend, *tok_, window);
      Sampler sampler(greedy_settings());
      GenerationRequest req;
      req.tokens = encode("Go:");
      auto cb = m.callbacks();
      cb.on_text = [](std::string_view) { return false; };
      const auto r = gen.generate(req, sampler, cb);
      QCOMPARE(r.reason, StopReason::Cancelled);
      QCOMPARE(r.tokens.size(), size_t(1));
      QCOMPARE(r.text, tok_->decode(r.tokens));
    }
  }

  void backendErrorIsReported() {
    ScriptedModel m(vocab_, 1000, encode("fine until now"));
    KvWindow window;
    Generator gen(m.backend, *tok_, window);
    m.backend.fail_after_forwards = 3;
    Sampler sampler(greedy_settings());
    GenerationRequest req;
    req.tokens = encode("Go:");
    const auto r = gen.generate(req, sampler, m.callbacks());
    QCOMPARE(r.reason, StopReason::Error);
    QCOMPARE(r.error_kind, ErrorKind::OutOfMemory);
    QVERIFY(!r.error.empty());
    QCOMPARE(as_vector(window.tokens()), m.backend.cache);  // still consistent
    // Invalid requests are errors with a message too, never a crash.
    GenerationRequest empty;
    QCOMPARE(gen.generate(empty, sampler).reason, StopReason::Error);
    GenerationRequest bad;
    bad.tokens = {1, vocab_ + 5};
    const auto rb = gen.generate(bad, sampler);
    QCOMPARE(rb.reason, StopReason::Error);
    QCOMPARE(rb.error_kind, ErrorKind::Usage);
  }

  void streamsValidUtf8() {
    const std::string said = "Größe: 日本語 ok 🙂 done";
    auto script = encode(said);
    script.push_back(eos_);
    ScriptedModel m(vocab_, 1000, script);
    KvWindow window;
    Generator gen(m.backend, *tok_, window);
    Sampler sampler(greedy_settings());
    std::vector<std::string> pieces;
    GenerationRequest req;
    req.tokens = encode("Say:");
    const auto r = gen.generate(req, sampler, m.callbacks(&pieces));
    QCOMPARE(r.reason, StopReason::Eos);
    QCOMPARE(r.text, said);
    for (const auto& p : pieces) QVERIFY2(valid_utf8(p), p.c_str());
  }

  void windowEvictsDuringDecodeAndKeepsSystemPinned() {
    ScriptedModel m(vocab_, 64,
                    encode("la la la la la la la la la la la la la la la la la la la la la la la la"));
    KvWindow window(KvWindowOptions{.window = 8});
    Generator gen(m.backend, *tok_, window);
    Sampler sampler(greedy_settings(40));
    const auto tmpl = ChatTemplate::falcon_instruct();
    const std::vector<ChatMessage> chat = {{Role::System, "You are a singer."}, {Role::User, "Sing!"}};
    const auto tokens = tmpl.tokenize(*tok_, chat, true);
    const auto req = GenerationRequest::from_chat(tokens, true);
    QCOMPARE(req.pin, int(tokens.system_tokens));
    QVERIFY(req.pin > 0);
    const auto system = std::vector<int32_t>(tokens.tokens.begin(), tokens.tokens.begin() + req.pin);
    m.backend.on_forward = [&](int) {
      QVERIFY(m.backend.cache_size() <= req.pin + 8);
      QCOMPARE(std::vector<int32_t>(m.backend.cache.begin(), m.backend.cache.begin() + req.pin), system);
    };
    const auto r = gen.generate(req, sampler, m.callbacks());
    QCOMPARE(r.reason, StopReason::Length);
    QCOMPARE(window.pinned(), req.pin);
    QVERIFY(r.stats.evictions > 0);
    QCOMPARE(as_vector(window.tokens()), m.backend.cache);
    // The next turn continues the same cache; its pin must be 0.
    GenerationRequest next;
    next.tokens = tmpl.tokenize_message(*tok_, {Role::User, "Again"}, 3);
    next.turn_starts = {0};
    Sampler s2(greedy_settings(3));
    QCOMPARE(gen.generate(next, s2, m.callbacks()).reason, StopReason::Length);
    next.pin = 1;
    QCOMPARE(gen.generate(next, s2, m.callbacks()).reason, StopReason::Error);
  }
};

QTEST_APPLESS_MAIN(TestGenerator)
#include "test_generator.moc"
