// CpuBackend against Hugging Face transformers' FalconForCausalLM (float32 references made by
// tools/make_model_fixtures.py): prompt logits, 24-token greedy continuations, step-by-step
// decode against the full-sequence forward, and chunked prefill against one prefill.
#include <QtTest>

#include "core/common/error.h"
#include "core/model/cpu_backend.h"
#include "logit_checks.h"
#include "model_fixture_util.h"

using namespace falcon;
using namespace falcon::testutil;

namespace {

std::unique_ptr<Backend> backend_for(const Fixture& f, int threads = 2, int capacity = 0, int chunk = 0) {
  CpuBackendOptions o;
  o.threads = threads;
  o.cache_capacity = capacity > 0 ? capacity : static_cast<int>(f.full_tokens.size()) + 8;
  o.prefill_chunk = chunk;
  return create_cpu_backend(f.dir, o);
}

}  // namespace

class TestCpuBackend : public QObject {
  Q_OBJECT

 private slots:
  void fixtures_present() {
    const auto names = fixture_names();
    QVERIFY2(names.size() >= 7, "tests/fixtures/models holds fewer than 7 reference checkpoints");
  }

  void prompt_logits_match_hf_data() {
    QTest::addColumn<QString>("name");
    for (const auto& n : fixture_names()) QTest::newRow(n.c_str()) << QString::fromStdString(n);
  }
  void prompt_logits_match_hf() {
    QFETCH(QString, name);
    const Fixture f = load_fixture(name.toStdString());
    auto be = backend_for(f);
    std::vector<float> logits;
    be->forward(f.prompt, /*all_logits=*/true, logits);
    QCOMPARE(logits.size(), f.prompt_logits.size());
    QCOMPARE(be->cache_size(), static_cast<int>(f.prompt.size()));
    for (std::size_t r = 0; r < f.prompt.size(); ++r) {
      expect_close(logits.data() + r * f.vocab, f.prompt_logits.data() + r * f.vocab,
                   static_cast<std::size_t>(f.vocab), QStringLiteral("%1 prompt row %2").arg(name).arg(r));
    }
    // Single-row mode returns exactly the last row.
    auto be2 = backend_for(f, 1);
    std::vector<float> last;
    be2->forward(f.prompt, false, last);
    QCOMPARE(last.size(), static_cast<std::size_t>(f.vocab));
    expect_close(last.data(), logits.data() + (f.prompt.size() - 1) * f.vocab,
                 static_cast<std::size_t>(f.vocab), name + " last row, 1 thread vs 2", 1e-5f);
  }

  void greedy_matches_hf_data() { prompt_logits_match_hf_data(); }
  void greedy_matches_hf() {
    QFETCH(QString, name);
    const Fixture f = load_fixture(name.toStdString());
    auto be = backend_for(f);
    std::vector<float> logits;
    be->forward(f.prompt, false, logits);
    std::vector<int32_t> got;
    for (std::size_t i = 0; i < f.greedy.size(); ++i) {
      const int32_t next = argmax(logits.data(), f.vocab);
      got.push_back(next);
      const int32_t tok[] = {next};
      be->forward(tok, false, logits);
    }
    QCOMPARE(got, f.greedy);
  }

  // Decode one token at a time and compare each step with the reference's full-sequence
  // forward. Under dynamic RoPE scaling HF's one-shot forward uses the frequencies of the
  // whole sequence for every row, so only its last row is a decode step's reference there.
  void decode_matches_full_sequence_data() { prompt_logits_match_hf_data(); }
  void decode_matches_full_sequence() {
    QFETCH(QString, name);
    const Fixture f = load_fixture(name.toStdString());
    auto be = backend_for(f);
    const std::size_t V = static_cast<std::size_t>(f.vocab);
    const std::size_t P = f.prompt.size();
    std::vector<float> logits;
    be->forward(std::span<const int32_t>(f.full_tokens.data(), P), false, logits);
    for (std::size_t i = P; i < f.full_tokens.size(); ++i) {
      const int32_t tok[] = {f.full_tokens[i]};
      be->forward(tok, false, logits);
      if (f.dynamic_rope() && i + 1 != f.full_tokens.size()) continue;
      expect_close(logits.data(), f.full_logits.data() + i * V, V,
                   QStringLiteral("%1 decode row %2").arg(name).arg(i));
    }
    // And the whole sequence in one prefill, every row.
    auto one = backend_for(f);
    std::vector<float> all;
    one->forward(f.full_tokens, true, all);
    QCOMPARE(all.size(), f.full_logits.size());
    for (std::size_t r = 0; r < f.full_tokens.size(); ++r) {
      expect_close(all.data() + r * V, f.full_logits.data() + r * V, V,
                   QStringLiteral("%1 full row %2").arg(name).arg(r));
    }
  }

  void chunked_prefill_equals_one_prefill_data() { prompt_logits_match_hf_data(); }
  void chunked_prefill_equals_one_prefill() {
    QFETCH(QString, name);
    const Fixture f = load_fixture(name.toStdString());
    const std::size_t V = static_cast<std::size_t>(f.vocab);
    auto whole = backend_for(f);
    std::vector<float> ref;
    whole->forward(f.full_tokens, false, ref);
    for (int chunk : {1, 3, 7, 16}) {
      auto be = backend_for(f, 3);
      std::vector<float> logits;
      std::size_t done = 0;
      while (done < f.full_tokens.size()) {
        const std::size_t k =
            std::min<std::size_t>(static_cast<std::size_t>(chunk), f.full_tokens.size() - done);
        be->forward(std::span<const int32_t>(f.full_tokens.data() + done, k), false, logits);
        done += k;
      }
      expect_close(logits.data(), ref.data(), V, QStringLiteral("%1 chunks of %2").arg(name).arg(chunk),
                   1e-5f);
    }
    // A prompt longer than the internal batch (64 tokens here) takes several internal chunks.
    std::vector<int32_t> long_prompt;
    for (int i = 0; i < 150; ++i)
      long_prompt.push_back(f.full_tokens[static_cast<std::size_t>(i) % f.full_tokens.size()]);
    auto a = backend_for(f, 2, 200, 64);
    auto b = backend_for(f, 2, 200, 64);
    std::vector<float> la, lb;
    a->forward(long_prompt, true, la);
    for (std::size_t i = 0; i < long_prompt.size(); i += 50) {
      b->forward(
          std::span<const int32_t>(long_prompt.data() + i, std::min<std::size_t>(50, long_prompt.size() - i)),
          false, lb);
    }
    expect_close(la.data() + (long_prompt.size() - 1) * V, lb.data(), V, name + " 150-token prefill", 1e-5f);
    // In one call with the last row's logits only: the first two internal chunks need no output
    // of their last layer (it only appends K and V), the third only its last row's. A decode step
    // after it reads every row's K and V.
    auto c = backend_for(f, 2, 200, 64);
    std::vector<float> lc;
    c->forward(long_prompt, false, lc);
    expect_close(la.data() + (long_prompt.size() - 1) * V, lc.data(), V, name + " 150 tokens, last row only",
                 1e-5f);
    const int32_t next[] = {f.full_tokens[0]};
    a->forward(next, false, la);
    c->forward(next, false, lc);
    expect_close(la.data(), lc.data(), V, name + " decode step after them", 1e-5f);
  }

  // The same weights stored as F32 (exact: bf16 -> f32 loses nothing), once with the data
  // area aligned (weights used in place) and once misaligned (converted row by row), give the
  // same logits as the bf16 file.
  void f32_checkpoint_gives_same_logits_data() {
    QTest::addColumn<QString>("name");
    QTest::addColumn<bool>("misalign");
    for (const char* n : {"gqa_2ln_sharded", "rw_mha_bias_seq_alibi"}) {
      QTest::addRow("%s aligned", n) << QString(n) << false;
      QTest::addRow("%s misaligned", n) << QString(n) << true;
    }
  }
  void f32_checkpoint_gives_same_logits() {
    QFETCH(QString, name);
    QFETCH(bool, misalign);
    const Fixture f = load_fixture(name.toStdString());
    CheckpointReader bf16(f.dir);
    std::vector<RawTensor> tensors;
    for (const auto& n : bf16.names()) {
      const TensorView v = bf16.get(n);
      std::vector<float> vals(static_cast<std::size_t>(v.numel()));
      to_float(v, 0, v.numel(), vals.data());
      tensors.push_back({n, "F32", v.shape, f32_bytes(vals)});
    }
    QTemporaryDir tmp;
    const std::filesystem::path dir = tmp.path().toStdString();
    write_file(dir / "model.safetensors", make_safetensors(tensors, nullptr, misalign));
    std::filesystem::copy_file(f.dir / "config.json", dir / "config.json");
    auto be32 = create_cpu_backend(dir, CpuBackendOptions{2, 64});
    auto be16 = backend_for(f);
    std::vector<float> a, b;
    be32->forward(f.prompt, true, a);
    be16->forward(f.prompt, true, b);
    expect_close(a.data(), b.data(), a.size(), name + " f32 vs bf16 file", 1e-6f);
  }

  void errors_leave_cache_unchanged() {
    const Fixture f = load_fixture("mqa_rope_parallel");
    try {
      backend_for(f, 1, 40, -1);
      QFAIL("a negative prefill_chunk was accepted");
    } catch (const Error& e) {
      QCOMPARE(e.kind(), ErrorKind::Usage);
      QVERIFY(std::string(e.what()).find("prefill_chunk") != std::string::npos);
    }
    auto be = backend_for(f, 1, 40);
    std::vector<float> logits;
    be->forward(f.prompt, false, logits);
    const int n = be->cache_size();
    std::vector<int32_t> too_many(static_cast<std::size_t>(40 - n + 1), 5);
    try {
      be->forward(too_many, false, logits);
      QFAIL("overflowing the cache did not throw");
    } catch (const Error& e) {
      QCOMPARE(e.kind(), ErrorKind::Usage);
    }
    QCOMPARE(be->cache_size(), n);
    const int32_t bad[] = {3, f.vocab};
    QVERIFY_THROWS_EXCEPTION(Error, be->forward(bad, false, logits));
    const int32_t neg[] = {-1};
    QVERIFY_THROWS_EXCEPTION(Error, be->forward(neg, false, logits));
    QVERIFY_THROWS_EXCEPTION(Error, be->forward({}, false, logits));
    QCOMPARE(be->cache_size(), n);
    QVERIFY_THROWS_EXCEPTION(Error, be->evict(n - 1, 2, EvictMode::Exact));
    QVERIFY_THROWS_EXCEPTION(Error, be->evict(-1, 1, EvictMode::Shift));
    QVERIFY_THROWS_EXCEPTION(Error, be->truncate(n + 1));
    QCOMPARE(be->cache_size(), n);
    QCOMPARE(be->cache_capacity(), 40);
    QVERIFY(QString::fromStdString(be->describe()).startsWith("cpu, 1 thread"));
    QVERIFY(be->identity().kind == BackendIdentity::Kind::Cpu);
    QCOMPARE(be->identity().threads, 1);
    // After the refusals the backend still computes the reference logits.
    const int32_t tok[] = {f.greedy[0]};
    be->forward(tok, false, logits);
    const std::size_t V = static_cast<std::size_t>(f.vocab);
    expect_close(logits.data(), f.full_logits.data() + f.prompt.size() * V, V, "after refusals");
  }

  void default_capacity_follows_config() {
    const Fixture f = load_fixture("rope_dynamic");  // max_position_embeddings 24, dynamic x2
    auto be = create_cpu_backend(f.dir, CpuBackendOptions{1, 0});
    QCOMPARE(be->cache_capacity(), 48);
    const Fixture g = load_fixture("mqa_rope_parallel");  // max_position_embeddings 128
    QCOMPARE(create_cpu_backend(g.dir, CpuBackendOptions{1, 0})->cache_capacity(), 128);
  }

  void missing_folder_is_a_load_error() {
    try {
      create_cpu_backend(models_dir() / "no-such-model", {});
      QFAIL("no error");
    } catch (const Error& e) {
      QCOMPARE(e.kind(), ErrorKind::Load);
      QVERIFY(QString(e.what()).contains("config.json"));
    }
  }
};

QTEST_APPLESS_MAIN(TestCpuBackend)
#include "test_cpu_backend.moc"
