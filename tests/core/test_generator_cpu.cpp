// Generator end to end on the real CpuBackend against the Hugging Face references in
// tests/fixtures/models: greedy generation reproduces HF's greedy continuation, and every
// logits row it computes (prompt rows, then one per generated token) matches HF's full-sequence
// logits. With a small window, every decode step's logits equal a fresh prefill of the kept
// tokens (the window invariant, seen from the generator).
#include <QtTest>

#include "core/chat/generator.h"
#include "core/model/cpu_backend.h"
#include "core/tokenizer/tokenizer.h"
#include "model_fixture_util.h"

using namespace falcon;
using namespace falcon::testutil;

namespace {

std::unique_ptr<Backend> make(const Fixture& f, int capacity) {
  CpuBackendOptions o;
  o.threads = 2;
  o.cache_capacity = capacity;
  return create_cpu_backend(f.dir, o);
}

SamplingSettings greedy(int max_new) {
  SamplingSettings s;
  s.temperature = 0.0f;
  s.repeat_penalty = 1.0f;
  s.max_new_tokens = max_new;
  return s;
}

}  // namespace

class TestGeneratorCpu : public QObject {
  Q_OBJECT

  std::unique_ptr<Tokenizer> tok_;  // only turns ids into text for the stream decoder

 private slots:
  void initTestCase() {
    tok_ = load_tokenizer(std::filesystem::path(FALCON_FIXTURES_DIR) / "tokenizers" / "falcon");
  }

  void matchesHuggingFace_data() {
    QTest::addColumn<QString>("name");
    for (const auto& n : fixture_names()) QTest::newRow(n.c_str()) << QString::fromStdString(n);
  }

  void matchesHuggingFace() {
    QFETCH(QString, name);
    const Fixture f = load_fixture(name.toStdString());
    if (f.vocab > tok_->vocab_size()) QSKIP("fixture vocabulary larger than the tokenizer's");
    auto be = make(f, int(f.full_tokens.size()) + 8);
    // Generation stops early at an eos id (the model's or the tokenizer's).
    std::vector<int32_t> expected;
    for (int32_t id : f.greedy) {
      if (id == be->config().eos_token_id || id == tok_->specials().eos) break;
      expected.push_back(id);
    }
    // Several prefill pieces, except under dynamic RoPE scaling: there the frequencies depend on
    // the length seen by each forward (as in HF with a cache), so the reference is one prefill.
    const bool dynamic = f.dynamic_rope();
    KvWindow window(KvWindowOptions{.window = 4096});
    Generator gen(*be, *tok_, window, GeneratorOptions{.prefill_piece = dynamic ? 4096 : 7});
    Sampler sampler(greedy(int(f.greedy.size())));
    GenerationRequest req;
    req.tokens = f.prompt;
    const size_t V = size_t(f.vocab);
    size_t row = 0;
    float worst = 0;
    GenerationCallbacks cb;
    cb.on_logits = [&](std::span<const float> logits) {
      QCOMPARE(logits.size(), V);
      QVERIFY(row < f.full_tokens.size());
      // HF's one-shot full forward uses the whole sequence's frequencies under dynamic RoPE:
      // there the prompt rows come from the prompt-only forward and only the last row of the
      // full forward is a decode step's reference.
      const bool prompt_row = row < f.prompt.size();
      if (dynamic && !prompt_row && row + 1 != f.full_tokens.size()) {
        ++row;
        return;
      }
      const float* ref = (dynamic && prompt_row ? f.prompt_logits.data() : f.full_logits.data()) + row * V;
      const float d = max_abs_diff(logits.data(), ref, V) / max_abs(ref, V);
      worst = std::max(worst, d);
      QVERIFY2(d <= 1e-4f, qPrintable(QString("row %1: relative diff %2").arg(row).arg(d)));
      ++row;
    };
    const auto r = gen.generate(req, sampler, cb);
    QVERIFY2(r.reason != StopReason::Error, r.error.c_str());
    QCOMPARE(r.tokens, expected);
    QCOMPARE(r.reason, expected.size() == f.greedy.size() ? StopReason::Length : StopReason::Eos);
    QCOMPARE(row, f.prompt.size() + expected.size());
    QCOMPARE(r.text, tok_->decode(expected, true));
    qInfo("%zu rows, worst relative diff %.2e; prefill %.0f tok/s, decode %.0f tok/s", row, double(worst),
          r.stats.prefill_tokens_per_s, r.stats.decode_tokens_per_s);
  }

  void smallWindowStepsEqualFreshPrefill() {
    for (const char* name : {"mqa_rope_parallel", "alibi_6heads_mqa_parallel"}) {
      const Fixture f = load_fixture(name);
      auto be = make(f, 160);
      auto fresh = make(f, 160);
      KvWindow window(KvWindowOptions{.window = 7});
      Generator gen(*be, *tok_, window, GeneratorOptions{.prefill_piece = 5});
      SamplingSettings s;  // real sampling this time, seeded
      s.seed = 77;
      s.max_new_tokens = 40;
      Sampler sampler(s);
      GenerationRequest req;
      req.tokens = f.prompt;
      req.pin = 4;  // a "system prompt" of 4 tokens stays pinned
      int steps = 0;
      bool decoding = false;  // prefill rows predict inside the prompt: only decode rows count
      GenerationCallbacks cb;
      cb.on_token = [&](int32_t) {
        decoding = true;
        return true;
      };
      cb.on_logits = [&](std::span<const float> logits) {
        if (!decoding) return;
        fresh->truncate(0);
        std::vector<float> ref;
        fresh->forward(window.tokens(), false, ref);
        const float d = max_abs_diff(logits.data(), ref.data(), ref.size()) / max_abs(ref.data(), ref.size());
        QVERIFY2(d <= 1e-4f, qPrintable(QString("%1 step %2: relative diff %3").arg(name).arg(steps).arg(d)));
        QVERIFY(window.recent() <= 7);
        QCOMPARE(window.pinned(), 4);
        ++steps;
      };
      // Turns continue the same cache until enough decode steps were checked (a sampled eos
      // ends a turn early; the next one appends a short "user message").
      int64_t evictions = 0;
      for (int turn = 0; turn < 12 && steps < 30; ++turn) {
        decoding = false;
        const auto r = gen.generate(req, sampler, cb);
        QVERIFY2(r.reason != StopReason::Error, r.error.c_str());
        evictions += r.stats.evictions;
        req = GenerationRequest{};
        req.tokens = {int32_t(5 + turn), int32_t(17 + turn)};
        req.turn_starts = {0};
      }
      QVERIFY2(steps >= 30, qPrintable(QString("%1: only %2 decode steps").arg(name).arg(steps)));
      QVERIFY(evictions > 0);
    }
  }
};

QTEST_APPLESS_MAIN(TestGeneratorCpu)
#include "test_generator_cpu.moc"
