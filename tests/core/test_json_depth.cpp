// Deeply nested JSON in outside files (issue 12, "every parser of outside files is bounded").
// Nested a million levels deep, a safetensors header's data_offsets or a tokenizer.json's model
// crashed the process (stack overflow in nlohmann::json's recursive dump/copy); now every
// reader refuses such text up front with one Error(Load). The inputs are generated here rather
// than stored in the fuzz corpora, which keep small seeds nested just past the limit.
#include <QTemporaryDir>
#include <QtTest>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "core/common/error.h"
#include "core/common/json_depth.h"
#include "core/model/checkpoint.h"
#include "core/model/model_config.h"
#include "core/model/safetensors.h"
#include "core/tokenizer/bpe_tokenizer.h"
#include "core/tokenizer/tokenizer.h"

using namespace falcon;
namespace fs = std::filesystem;

namespace {

constexpr size_t kDeep = 1'000'000;

std::string nested_arrays(size_t depth) {
  return std::string(depth, '[') + std::string(depth, ']');
}

std::string nested_objects(size_t depth) {
  std::string s;
  s.reserve(depth * 6 + 1);
  for (size_t i = 0; i < depth; ++i) s += "{\"a\":";
  s += "1";
  s.append(depth, '}');
  return s;
}

std::string safetensors_file(const std::string& header) {
  std::string f(8, '\0');
  uint64_t n = header.size();
  for (int i = 0; i < 8; ++i) f[static_cast<size_t>(i)] = static_cast<char>((n >> (8 * i)) & 0xff);
  return f + header + std::string(4, '\0');
}

// The Error(Load) message of `fn`, or "" when it did not throw one.
template <typename Fn>
QString load_error(Fn&& fn) {
  try {
    fn();
  } catch (const Error& e) {
    if (e.kind() == ErrorKind::Load) return QString::fromStdString(e.what());
    return QStringLiteral("wrong kind: ") + e.what();
  }
  return {};
}

void write(const fs::path& p, const std::string& bytes) {
  std::ofstream(p, std::ios::binary) << bytes;
}

}  // namespace

class TestJsonDepth : public QObject {
  Q_OBJECT

 private slots:
  void depth_counts_brackets_outside_strings() {
    QVERIFY(json_depth_within("", 0));
    QVERIFY(json_depth_within("1", 0));
    QVERIFY(!json_depth_within("[]", 0));
    QVERIFY(json_depth_within("[[1],{\"a\":[2]}]", 3));
    QVERIFY(!json_depth_within("[[1],{\"a\":[2]}]", 2));
    // Brackets in strings, escaped quotes and escaped backslashes.
    QVERIFY(json_depth_within("[\"[[[[\", \"\\\"[[[[\", \"\\\\\", \"{{\"]", 1));
    QVERIFY(!json_depth_within("[\"\\\\\", [[1]]]", 2));
    QVERIFY(json_depth_within(nested_arrays(kMaxJsonDepth), kMaxJsonDepth));
    QVERIFY(!json_depth_within(nested_arrays(kMaxJsonDepth + 1), kMaxJsonDepth));
  }

  void safetensors_header() {
    for (const std::string& bad :
         {"{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[" + nested_arrays(kDeep) + ",4]}}",
          "{\"a\":{\"dtype\":\"F32\",\"shape\":[" + nested_arrays(kDeep) + "],\"data_offsets\":[0,4]}}"}) {
      const std::string file = safetensors_file(bad);
      const QString m = load_error([&] {
        parse_safetensors_header(std::as_bytes(std::span(file.data(), file.size())), "deep.safetensors");
      });
      QVERIFY2(m.contains("levels deep") && m.contains("deep.safetensors"), qPrintable(m.left(300)));
    }
    // Just inside the limit is still an ordinary (here: wrongly typed) header.
    const std::string ok = safetensors_file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[" +
                                            nested_arrays(kMaxJsonDepth - 4) + ",4]}}");
    const QString m =
        load_error([&] { parse_safetensors_header(std::as_bytes(std::span(ok.data(), ok.size())), "ok"); });
    QVERIFY2(m.contains("non-negative integer"), qPrintable(m.left(300)));
  }

  void config_json() {
    const QString m =
        load_error([] { parse_model_config("{\"hidden_size\":" + nested_arrays(kDeep) + "}"); });
    QVERIFY2(m.contains("levels deep"), qPrintable(m.left(300)));
  }

  void tokenizer_json() {
    const QString m =
        load_error([] { BpeTokenizer::from_json("{\"model\":" + nested_objects(kDeep) + "}"); });
    QVERIFY2(m.contains("levels deep"), qPrintable(m.left(300)));
  }

  void tokenizer_config_and_shard_index() {
    QTemporaryDir tmp;
    const fs::path dir = tmp.path().toStdString();
    // A working tokenizer next to a tokenizer_config.json nested too deeply.
    const fs::path fixture = fs::path(FALCON_FIXTURES_DIR) / "tokenizers" / "falcon";
    fs::copy(fixture, dir / "tok", fs::copy_options::recursive);
    write(dir / "tok" / "tokenizer_config.json", "{\"bos_token\":" + nested_objects(kDeep) + "}");
    QString m = load_error([&] { load_tokenizer(dir / "tok"); });
    QVERIFY2(m.contains("levels deep") && m.contains("tokenizer_config.json"), qPrintable(m.left(300)));

    fs::create_directory(dir / "ckpt");
    write(dir / "ckpt" / "model.safetensors.index.json", "{\"weight_map\":" + nested_objects(kDeep) + "}");
    m = load_error([&] { CheckpointReader r(dir / "ckpt"); });
    QVERIFY2(m.contains("levels deep") && m.contains("model.safetensors.index.json"),
             qPrintable(m.left(300)));
  }
};

QTEST_APPLESS_MAIN(TestJsonDepth)
#include "test_json_depth.moc"
