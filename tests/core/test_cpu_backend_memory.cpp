// CpuBackend::memory(), which the app's status bar shows: the KV cache is float32 K and V of the
// KV heads for every layer at full capacity, and the weights are the checkpoint's tensors as
// stored (memory-mapped). Both are computed here independently: the cache from the config, the
// weights by reading every safetensors header of the fixture checkpoints ourselves.
#include <QTemporaryDir>
#include <QtTest>
#include <algorithm>
#include <cctype>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>

#include "core/model/bench.h"
#include "core/model/checkpoint.h"
#include "core/model/cpu_backend.h"
#include "model_fixture_util.h"

using namespace falcon;
using namespace falcon::testutil;

namespace {

struct CheckpointBytes {
  uint64_t tensor_bytes = 0;
  std::string embedding_dtype;  // safetensors dtype of word_embeddings, e.g. "BF16"
  uint64_t embedding_bytes = 0;
};

// Sums data_offsets[1] - data_offsets[0] over every tensor of every *.safetensors file.
CheckpointBytes read_checkpoint_bytes(const std::filesystem::path& dir) {
  CheckpointBytes out;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (e.path().extension() != ".safetensors") continue;
    std::ifstream in(e.path(), std::ios::binary);
    unsigned char len_bytes[8] = {};
    in.read(reinterpret_cast<char*>(len_bytes), 8);
    uint64_t len = 0;
    for (int i = 7; i >= 0; --i) len = (len << 8) | len_bytes[i];  // u64 little-endian
    std::string header(len, '\0');
    in.read(header.data(), static_cast<std::streamsize>(len));
    const auto j = nlohmann::json::parse(header);
    for (auto it = j.begin(); it != j.end(); ++it) {
      if (it.key() == "__metadata__") continue;
      const auto& off = it.value()["data_offsets"];
      out.tensor_bytes += off[1].get<uint64_t>() - off[0].get<uint64_t>();
      if (it.key().find("word_embeddings") != std::string::npos) {
        out.embedding_dtype = it.value()["dtype"].get<std::string>();
        out.embedding_bytes = off[1].get<uint64_t>() - off[0].get<uint64_t>();
      }
    }
  }
  return out;
}

struct HostRam {
  uint64_t total = 0, available = 0;  // bytes
};

// MemTotal and MemAvailable of /proc/meminfo, read with a parser of this test's own.
HostRam read_meminfo() {
  std::ifstream meminfo("/proc/meminfo");
  std::string key;
  uint64_t kb = 0;
  HostRam r;
  while (meminfo >> key >> kb) {
    if (key == "MemTotal:") r.total = kb * 1024;
    if (key == "MemAvailable:") r.available = kb * 1024;
    meminfo.ignore(256, '\n');
  }
  return r;
}

}  // namespace

class TestCpuBackendMemory : public QObject {
  Q_OBJECT

 private slots:
  void memory_matches_config_and_checkpoint_data() {
    QTest::addColumn<QString>("name");
    for (const auto& n : fixture_names()) QTest::newRow(n.c_str()) << QString::fromStdString(n);
  }
  void memory_matches_config_and_checkpoint() {
    QFETCH(QString, name);
    const std::filesystem::path dir = models_dir() / name.toStdString();
    const CheckpointBytes expected = read_checkpoint_bytes(dir);
    QVERIFY(expected.tensor_bytes > 0);
    QVERIFY(!expected.embedding_dtype.empty());
    std::string format;
    for (char c : expected.embedding_dtype)
      format += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));

    for (int capacity : {37, 256}) {
      CpuBackendOptions o;
      o.threads = 1;
      o.cache_capacity = capacity;
      const auto be = create_cpu_backend(dir, o);
      const ModelConfig& c = be->config();
      const BackendMemory mem = be->memory();
      // (layers) x (K and V) x (capacity tokens) x (kv heads x head_dim) x float32
      const uint64_t cache = uint64_t(c.num_layers) * 2 * uint64_t(capacity) * uint64_t(c.num_kv_heads) *
                             uint64_t(c.head_dim) * sizeof(float);
      QCOMPARE(be->cache_capacity(), capacity);
      QCOMPARE(mem.cache_bytes, cache);
      QCOMPARE(mem.weights_bytes, expected.tensor_bytes);
      QCOMPARE(mem.weight_format, format);
      QCOMPARE(mem.embedding_bytes, expected.embedding_bytes);
      QVERIFY(!mem.on_device);
      QVERIFY(mem.other_bytes > 0);  // activations exist, but are not what the test pins down
      QCOMPARE(mem.total(), mem.weights_bytes + mem.cache_bytes + mem.other_bytes);
      // The machine's RAM, against /proc/meminfo's MemTotal and MemAvailable read here just before
      // and after: "in use" leaves out the page cache (which holds the memory-mapped weights), as
      // `free` does. Other tests running at once move MemAvailable, hence the bracket.
      const HostRam before = read_meminfo();
      const BackendMemory now = be->memory();
      const HostRam after = read_meminfo();
      QVERIFY(before.total > 0 && before.available > 0 && after.available > 0);
      QVERIFY(now.device_total + 4096 > before.total && now.device_total < before.total + 4096);
      QVERIFY(now.device_used > 0 && now.device_used <= now.device_total);
      const int64_t slack = int64_t(64) << 20;
      const int64_t lo = int64_t(before.total) - int64_t(std::max(before.available, after.available)) - slack;
      const int64_t hi = int64_t(before.total) - int64_t(std::min(before.available, after.available)) + slack;
      QVERIFY2(int64_t(now.device_used) >= lo && int64_t(now.device_used) <= hi,
               qPrintable(QStringLiteral("used %1 outside %2..%3").arg(now.device_used).arg(lo).arg(hi)));
    }
  }

  // An f32 checkpoint (as some fine-tuning scripts save) with int8 layers: the CPU keeps its
  // embedding table in f32, so one decode step reads every weight but 4 bytes x vocab x dim of
  // the table (untied, bf16 head). The f32 copy is made here from a bf16 fixture, and the
  // table's size read back from the copy's header.
  void f32_table_beside_quantized_layers() {
    QTemporaryDir tmp;
    const std::filesystem::path from = models_dir() / "gqa_1ln_untied", to = tmp.path().toStdString();
    std::filesystem::copy_file(from / "config.json", to / "config.json");
    const CheckpointReader reader(from);
    std::vector<RawTensor> tensors;
    for (const std::string& name : reader.names()) {
      const TensorView t = reader.get(name);
      QCOMPARE(int(t.dtype), int(DType::BF16));
      std::vector<float> f(static_cast<std::size_t>(t.numel()));
      for (std::size_t i = 0; i < f.size(); ++i) {
        uint16_t b = 0;
        std::memcpy(&b, t.data.data() + 2 * i, 2);
        const uint32_t bits = uint32_t(b) << 16;
        std::memcpy(&f[i], &bits, 4);
      }
      tensors.push_back(RawTensor{name, "F32", t.shape, f32_bytes(f)});
    }
    write_file(to / "model.safetensors", make_safetensors(tensors));
    const CheckpointBytes expected = read_checkpoint_bytes(to);
    QCOMPARE(expected.embedding_dtype, std::string("F32"));
    CpuBackendOptions o;
    o.threads = 1;
    o.cache_capacity = 16;
    o.weights = WeightFormat::Int8;
    o.head_weights = WeightFormat::Bf16;
    const auto be = create_cpu_backend(to, o);
    const BackendMemory mem = be->memory();
    QCOMPARE(mem.weight_format, std::string("int8"));
    QCOMPARE(mem.embedding_bytes, expected.embedding_bytes);
    QCOMPARE(mem.embedding_bytes, uint64_t{4} * be->config().vocab_size * be->config().hidden_size);
    QCOMPARE(decode_weight_bytes(be->config(), mem, false),
             double(mem.weights_bytes - expected.embedding_bytes));
  }
};

QTEST_APPLESS_MAIN(TestCpuBackendMemory)
#include "test_cpu_backend_memory.moc"
