// write_synthetic_checkpoint (the load benchmark's checkpoint): what it writes is a checkpoint
// our own loaders accept, independently checked here: config.json parses back to the same
// layout, the shard index names every tensor the layout needs exactly once and each shard holds
// what the index says, the CPU backend loads it (it validates every tensor's name, dtype and
// shape) and its logits are finite, and the same seed writes the same bytes.
#include <QTemporaryDir>
#include <QtTest>
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "core/common/error.h"
#include "core/model/checkpoint.h"
#include "core/model/cpu_backend.h"
#include "core/model/model_config.h"
#include "core/model/synthetic_checkpoint.h"
#include "model_fixture_util.h"

using namespace falcon;
using nlohmann::json;

namespace {

json read_json(const std::filesystem::path& p) {
  std::ifstream in(p);
  return json::parse(in);
}

std::string read_bytes(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

}  // namespace

class TestSyntheticCheckpoint : public QObject {
  Q_OBJECT

 private slots:
  void loads_in_every_layout_data() {
    QTest::addColumn<bool>("new_arch");
    QTest::addColumn<bool>("multi_query");
    QTest::addColumn<bool>("parallel");
    QTest::addColumn<bool>("bias");
    QTest::addColumn<bool>("alibi");
    QTest::addColumn<bool>("tie");
    QTest::newRow("40B-style: grouped KV, ln_attn + ln_mlp")
        << true << false << true << false << false << false;
    QTest::newRow("7B-style: multi-query, one LN") << false << true << true << false << false << true;
    QTest::newRow("RW-1B-style: MHA, biases, sequential, ALiBi")
        << false << false << false << true << true << true;
  }

  void loads_in_every_layout() {
    QFETCH(bool, new_arch);
    QFETCH(bool, multi_query);
    QFETCH(bool, parallel);
    QFETCH(bool, bias);
    QFETCH(bool, alibi);
    QFETCH(bool, tie);
    const ModelConfig c = testutil::small_config(new_arch, multi_query, parallel, bias, alibi, tie);
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    const std::filesystem::path dir = tmp.path().toStdString();
    const uint64_t shard = 48 * 1024;  // several shards
    const uint64_t written = write_synthetic_checkpoint(dir, c, shard, 7);

    const ModelConfig back = load_model_config(dir);
    QCOMPARE(back.vocab_size, c.vocab_size);
    QCOMPARE(back.hidden_size, c.hidden_size);
    QCOMPARE(back.num_layers, c.num_layers);
    QCOMPARE(back.num_heads, c.num_heads);
    QCOMPARE(back.num_kv_heads, c.num_kv_heads);
    QCOMPARE(back.ffn_hidden_size, c.ffn_hidden_size);
    QCOMPARE(back.new_decoder_architecture, c.new_decoder_architecture);
    QCOMPARE(back.parallel_attn, c.parallel_attn);
    QCOMPARE(back.has_two_parallel_layernorms(), c.has_two_parallel_layernorms());
    QCOMPARE(back.bias, c.bias);
    QCOMPARE(back.alibi, c.alibi);
    QCOMPARE(back.tie_word_embeddings, c.tie_word_embeddings);

    // The index: every tensor the layout needs, once; each shard holds exactly its tensors.
    const json index = read_json(dir / "model.safetensors.index.json");
    std::set<std::string> need;
    for (const TensorSpec& t : expected_tensors(c))
      if (!(t.optional && c.tie_word_embeddings)) need.insert(t.name);
    std::set<std::string> listed;
    std::map<std::string, std::set<std::string>> per_file;
    for (const auto& [name, file] : index.at("weight_map").items()) {
      listed.insert(name);
      per_file[file.get<std::string>()].insert(name);
    }
    QVERIFY(listed == need);
    QVERIFY2(per_file.size() >= 3, "expected the tensors to be spread over several shards");
    uint64_t on_disk = 0, tensor_bytes = 0;
    for (const auto& [file, names] : per_file) {
      const std::string bytes = read_bytes(dir / file);
      on_disk += bytes.size();
      QVERIFY(bytes.size() >= 8);
      uint64_t len = 0;
      std::memcpy(&len, bytes.data(), 8);
      const json header = json::parse(bytes.substr(8, len));
      std::set<std::string> in_header;
      uint64_t end = 0;
      for (const auto& [name, info] : header.items()) {
        if (name == "__metadata__") continue;
        in_header.insert(name);
        QCOMPARE(info.at("dtype").get<std::string>(), std::string("BF16"));
        end = std::max(end, info.at("data_offsets")[1].get<uint64_t>());
      }
      QVERIFY(in_header == names);
      QCOMPARE(uint64_t(bytes.size()), 8 + len + end);  // no stray or missing bytes
      tensor_bytes += end;
      // A shard is over the limit only when it holds a single tensor larger than the limit.
      QVERIFY(end <= shard || names.size() == 1);
    }
    QCOMPARE(on_disk, written);
    QCOMPARE(index.at("metadata").at("total_size").get<uint64_t>(), tensor_bytes);

    // The CPU backend validates every tensor against the config while loading.
    auto be = create_cpu_backend(dir);
    std::vector<float> logits;
    const std::vector<int32_t> prompt = {1, 17, 299};
    be->forward(prompt, false, logits);
    QCOMPARE(int(logits.size()), c.vocab_size);
    for (float v : logits) QVERIFY(std::isfinite(v));
  }

  void same_seed_same_bytes() {
    const ModelConfig c = testutil::small_config(true, false, true, false, false, true);
    QTemporaryDir a, b, d;
    write_synthetic_checkpoint(a.path().toStdString(), c, 1 << 20, 11);
    write_synthetic_checkpoint(b.path().toStdString(), c, 1 << 20, 11);
    write_synthetic_checkpoint(d.path().toStdString(), c, 1 << 20, 12);
    const std::string f = "model-00001-of-00001.safetensors";
    const std::string ra = read_bytes(std::filesystem::path(a.path().toStdString()) / f);
    QVERIFY(!ra.empty());
    QVERIFY(ra == read_bytes(std::filesystem::path(b.path().toStdString()) / f));
    QVERIFY(ra != read_bytes(std::filesystem::path(d.path().toStdString()) / f));
  }

  void refuses_a_config_the_loader_would_refuse() {
    ModelConfig c = testutil::small_config(true, false, true, false, false, true);
    c.num_kv_heads = 3;  // does not divide 8 query heads
    QTemporaryDir tmp;
    try {
      write_synthetic_checkpoint(tmp.path().toStdString(), c, 1 << 20, 1);
      QFAIL("no error");
    } catch (const Error& e) {
      QCOMPARE(e.kind(), ErrorKind::Usage);
      QVERIFY2(std::string(e.what()).find("num_kv_heads") != std::string::npos, e.what());
    }
  }
};

QTEST_GUILESS_MAIN(TestSyntheticCheckpoint)
#include "test_synthetic_checkpoint.moc"
