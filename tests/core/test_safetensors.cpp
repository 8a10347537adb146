// SafetensorsFile and CheckpointReader: strict header validation on crafted bad files,
// dtype conversion, sharded checkpoints, pickle refusal, and the one-error-names-all check
// of tensors against the config.
#include <QtTest>

#include "core/common/error.h"
#include "core/model/checkpoint.h"
#include "core/model/safetensors.h"
#include "model_fixture_util.h"

using namespace falcon;
using namespace falcon::testutil;
using nlohmann::json;

namespace {

QString parse_error(const std::string& bytes) {
  try {
    parse_safetensors_header(
        std::span<const std::byte>(reinterpret_cast<const std::byte*>(bytes.data()), bytes.size()),
        "crafted.safetensors");
  } catch (const Error& e) {
    if (e.kind() != ErrorKind::Load) return "wrong kind";
    return QString::fromUtf8(e.what());
  }
  return QString();
}

const std::string k8(8, '\0');  // 8 zero bytes of data

// A tiny Falcon config (new arch, 2 LNs) and a complete checkpoint for it, as raw tensors.
json tiny_config() {
  return {{"model_type", "falcon"},          {"vocab_size", 8},          {"hidden_size", 4},
          {"num_hidden_layers", 1},          {"num_attention_heads", 2}, {"num_kv_heads", 1},
          {"new_decoder_architecture", true}};
}

std::vector<RawTensor> tiny_tensors(const ModelConfig& c) {
  std::vector<RawTensor> out;
  for (const auto& s : expected_tensors(c)) {
    if (s.optional) continue;
    int64_t n = 1;
    for (auto d : s.shape) n *= d;
    out.push_back({s.name, "BF16", s.shape, std::string(static_cast<std::size_t>(n) * 2, '\0')});
  }
  return out;
}

}  // namespace

class TestSafetensors : public QObject {
  Q_OBJECT

 private slots:
  void reads_all_dtypes() {
    QTemporaryDir tmp;
    const std::filesystem::path p = tmp.path().toStdString() + "/t.safetensors";
    // bf16 1.0, -2.5; f16 1.0, smallest subnormal 2^-24, -inf, 65504; f32 3.25
    write_file(p, make_safetensors({{"b", "BF16", {2}, u16_bytes({0x3f80, 0xc020})},
                                    {"h", "F16", {2, 2}, u16_bytes({0x3c00, 0x0001, 0xfc00, 0x7bff})},
                                    {"f", "F32", {1}, f32_bytes({3.25f})},
                                    {"z", "F32", {0, 3}, ""}},
                                   json{{"format", "pt"}}));
    SafetensorsFile f(p);
    QCOMPARE(f.header().tensors.size(), std::size_t{4});
    QCOMPARE(f.header().metadata.at("format"), std::string("pt"));
    float out[4];
    TensorView b = f.view(*f.find("b"));
    QCOMPARE(b.dtype, DType::BF16);
    to_float(b, 0, 2, out);
    QCOMPARE(out[0], 1.0f);
    QCOMPARE(out[1], -2.5f);
    TensorView h = f.view(*f.find("h"));
    QCOMPARE(h.row_size(), int64_t{2});
    rows_to_float(h, 0, 2, out);
    QCOMPARE(out[0], 1.0f);
    QCOMPARE(out[1], std::ldexp(1.0f, -24));
    QVERIFY(std::isinf(out[2]) && out[2] < 0);
    QCOMPARE(out[3], 65504.0f);
    to_float(f.view(*f.find("f")), 0, 1, out);
    QCOMPARE(out[0], 3.25f);
    QCOMPARE(f.view(*f.find("z")).numel(), int64_t{0});
    QVERIFY(f.find("missing") == nullptr);
    QVERIFY_THROWS_EXCEPTION(Error, to_float(b, 1, 2, out));
    QCOMPARE(f16_to_float(0x3555), 0.333251953125f);
    QVERIFY(std::isnan(f16_to_float(0x7e00)));
    QCOMPARE(f16_to_float(0x8000), -0.0f);
    QCOMPARE(f16_to_float(0x0200), std::ldexp(1.0f, -15));
  }

  void strict_header_data() {
    QTest::addColumn<QByteArray>("file");
    QTest::addColumn<QString>("expect");
    auto row = [](const char* tag, const std::string& bytes, const char* expect) {
      QTest::newRow(tag) << QByteArray(bytes.data(), static_cast<qsizetype>(bytes.size())) << QString(expect);
    };
    row("empty file", "", "shorter than");
    row("truncated length", std::string("\x10\0\0", 3), "shorter than");
    row("huge header length", le64(uint64_t{1} << 40) + "{}", "exceeds the limit");
    row("header longer than file", le64(200) + "{}", "larger than the file");
    row("zero header length", le64(0), "too small");
    row("bad JSON", make_raw_safetensors("{\"a\": {\"dtype\": \"F32\",", ""), "not well-formed JSON");
    row("not an object", make_raw_safetensors("[1, 2, 3]", ""), "must be a JSON object");
    row("offset outside file",
        make_raw_safetensors(R"({"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}})", k8),
        "outside the file");
    row("overlap",
        make_raw_safetensors(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                             R"("b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})",
                             k8),
        "overlap");
    row("wrong byte size",
        make_raw_safetensors(R"({"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})", k8),
        "needs 12 bytes");
    row("bf16 byte size",
        make_raw_safetensors(R"({"a":{"dtype":"BF16","shape":[2,2],"data_offsets":[0,4]}})", k8),
        "needs 8 bytes");
    row("unsupported dtype F64",
        make_raw_safetensors(R"({"a":{"dtype":"F64","shape":[1],"data_offsets":[0,8]}})", k8),
        "dtype F64; only BF16, F16 and F32");
    row("unsupported dtype I8",
        make_raw_safetensors(R"({"a":{"dtype":"I8","shape":[8],"data_offsets":[0,8]}})", k8), "dtype I8");
    row("unknown dtype", make_raw_safetensors(R"({"a":{"dtype":"Q4","shape":[1],"data_offsets":[0,2]}})", k8),
        "unknown dtype");
    row("negative dim",
        make_raw_safetensors(R"({"a":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}})", k8),
        "non-negative");
    row("shape overflow",
        make_raw_safetensors(
            R"({"a":{"dtype":"F32","shape":[4294967296,4294967296,4294967296],"data_offsets":[0,8]}})", k8),
        "too large");
    row("begin after end",
        make_raw_safetensors(R"({"a":{"dtype":"F32","shape":[0],"data_offsets":[8,4]}})", k8),
        "begin 8 > end 4");
    row("offsets arity", make_raw_safetensors(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0]}})", k8),
        "[begin, end]");
    row("extra key",
        make_raw_safetensors(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4],"x":1}})", k8),
        "exactly the keys");
    row("float offset",
        make_raw_safetensors(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4.0]}})", k8),
        "non-negative integer");
    row("metadata not strings", make_raw_safetensors(R"({"__metadata__":{"format":1}})", ""), "__metadata__");
    row("entry not an object", make_raw_safetensors(R"({"a":[1,2]})", ""), "must be an object");
  }
  void strict_header() {
    QFETCH(QByteArray, file);
    QFETCH(QString, expect);
    const QString msg = parse_error(file.toStdString());
    QVERIFY2(!msg.isEmpty(), "accepted");
    QVERIFY2(msg.contains(expect), qPrintable(msg));
    QVERIFY2(msg.contains("crafted.safetensors"), qPrintable(msg));
  }

  void file_errors() {
    QTemporaryDir tmp;
    const std::filesystem::path dir = tmp.path().toStdString();
    QVERIFY_THROWS_EXCEPTION(Error, SafetensorsFile(dir / "absent.safetensors"));
    write_file(dir / "short.safetensors", "abc");
    QVERIFY_THROWS_EXCEPTION(Error, SafetensorsFile(dir / "short.safetensors"));
    QVERIFY_THROWS_EXCEPTION(Error, SafetensorsFile{dir});  // a folder
  }

  void sharded_fixture() {
    CheckpointReader r(models_dir() / "gqa_2ln_sharded");
    const ModelConfig c = load_model_config(r.dir());
    r.validate(c);
    QVERIFY(!r.has(kLmHead));  // tied embeddings: HF does not save lm_head
    const TensorView head = r.lm_head(c);
    QCOMPARE(head.name, std::string_view(kWordEmbeddings));
    QCOMPARE(head.dtype, DType::BF16);
    const std::vector<int64_t> shape{c.qkv_out_features(), c.hidden_size};
    QCOMPARE(r.get("transformer.h.2.self_attention.query_key_value.weight", shape).shape, shape);
    try {
      r.get("transformer.h.2.self_attention.dense.weight", shape);
      QFAIL("wrong shape accepted");
    } catch (const Error& e) {
      QVERIFY(QString(e.what()).contains("self_attention.dense.weight"));
      QVERIFY(QString(e.what()).contains("(64, 64)"));
    }
    QVERIFY(r.total_tensor_bytes() > 0);
    // Untied: lm_head.weight is its own tensor.
    CheckpointReader u(models_dir() / "gqa_1ln_untied");
    const ModelConfig cu = load_model_config(u.dir());
    u.validate(cu);
    QCOMPARE(u.lm_head(cu).name, std::string_view(kLmHead));
  }

  void validate_names_every_problem() {
    QTemporaryDir tmp;
    const std::filesystem::path dir = tmp.path().toStdString();
    const ModelConfig c = parse_model_config(tiny_config().dump());
    auto tensors = tiny_tensors(c);
    write_file(dir / "model.safetensors", make_safetensors(tensors));
    CheckpointReader(dir).validate(c);  // complete: fine

    std::vector<RawTensor> bad;
    for (auto t : tensors) {
      if (t.name == "transformer.h.0.ln_mlp.bias") continue;  // missing
      if (t.name == "transformer.h.0.mlp.dense_h_to_4h.weight") {
        t.shape = {15, 4};  // misshaped
        t.bytes.resize(15 * 4 * 2);
      }
      bad.push_back(t);
    }
    bad.push_back(
        {"transformer.h.0.self_attention.rotary_emb.inv_freq", "F32", {1}, f32_bytes({1})});  // ignored
    bad.push_back({"transformer.h.7.mlp.extra.weight", "F32", {1}, f32_bytes({1})});          // extra
    write_file(dir / "model.safetensors", make_safetensors(bad));
    try {
      CheckpointReader(dir).validate(c);
      QFAIL("bad checkpoint accepted");
    } catch (const Error& e) {
      const QString m = e.what();
      QCOMPARE(e.kind(), ErrorKind::Load);
      QVERIFY2(m.contains("missing tensors: transformer.h.0.ln_mlp.bias"), qPrintable(m));
      QVERIFY2(m.contains("misshaped tensors: transformer.h.0.mlp.dense_h_to_4h.weight (15, 4) != (16, 4)"),
               qPrintable(m));
      QVERIFY2(m.contains("unexpected tensors: transformer.h.7.mlp.extra.weight"), qPrintable(m));
      QVERIFY2(!m.contains("inv_freq"), qPrintable(m));
    }
  }

  void pickle_refused() {
    QTemporaryDir tmp;
    const std::filesystem::path dir = tmp.path().toStdString();
    write_file(dir / "pytorch_model.bin", "PK\x03\x04 not really a zip");
    try {
      CheckpointReader r(dir);
      QFAIL("pickle checkpoint accepted");
    } catch (const Error& e) {
      const QString m = e.what();
      QCOMPARE(e.kind(), ErrorKind::Load);
      QVERIFY2(m.contains("pytorch_model.bin") && m.contains("arbitrary code") && m.contains("safetensors"),
               qPrintable(m));
    }
    // With safetensors present as well, the safetensors are used and the pickle ignored.
    const ModelConfig c = parse_model_config(tiny_config().dump());
    write_file(dir / "model.safetensors", make_safetensors(tiny_tensors(c)));
    CheckpointReader(dir).validate(c);
  }

  void no_weights() {
    QTemporaryDir tmp;
    const std::filesystem::path dir = tmp.path().toStdString();
    QVERIFY_THROWS_EXCEPTION(Error, CheckpointReader(dir / "nope"));
    try {
      CheckpointReader r(dir);
      QFAIL("empty folder accepted");
    } catch (const Error& e) {
      QVERIFY(QString(e.what()).contains("no model weights"));
    }
  }

  void shard_index_errors() {
    QTemporaryDir tmp;
    const std::filesystem::path dir = tmp.path().toStdString();
    const ModelConfig c = parse_model_config(tiny_config().dump());
    auto tensors = tiny_tensors(c);
    std::vector<RawTensor> a(tensors.begin(), tensors.begin() + 5), b(tensors.begin() + 5, tensors.end());
    write_file(dir / "model-00001-of-00002.safetensors", make_safetensors(a));
    write_file(dir / "model-00002-of-00002.safetensors", make_safetensors(b));
    json map = json::object();
    for (const auto& t : a) map[t.name] = "model-00001-of-00002.safetensors";
    for (const auto& t : b) map[t.name] = "model-00002-of-00002.safetensors";
    write_file(dir / "model.safetensors.index.json", json{{"weight_map", map}}.dump());
    CheckpointReader ok(dir);
    ok.validate(c);
    QCOMPARE(ok.names().size(), tensors.size());

    auto expect_error = [&](const json& index, const char* needle) {
      write_file(dir / "model.safetensors.index.json", index.dump());
      try {
        CheckpointReader r(dir);
        QFAIL(qPrintable(QString("accepted, expected: ") + needle));
      } catch (const Error& e) {
        QVERIFY2(QString(e.what()).contains(needle), e.what());
      }
    };
    json missing_shard = map;
    missing_shard[b.front().name] = "model-00003-of-00003.safetensors";
    expect_error({{"weight_map", missing_shard}}, "model-00003-of-00003.safetensors");
    json escaping = map;
    escaping[b.front().name] = "../model-00002-of-00002.safetensors";
    expect_error({{"weight_map", escaping}}, "not a file name inside");
    json wrong_place = map;
    wrong_place[b.front().name] = "model-00001-of-00002.safetensors";
    expect_error({{"weight_map", wrong_place}}, b.front().name.c_str());
    expect_error({{"metadata", json::object()}}, "weight_map");
    write_file(dir / "model.safetensors.index.json", "{not json");
    QVERIFY_THROWS_EXCEPTION(Error, CheckpointReader{dir});
    // Duplicate tensor across shards.
    write_file(dir / "model-00002-of-00002.safetensors", make_safetensors(tensors));
    expect_error({{"weight_map", map}}, "appears in both");
  }
};

QTEST_APPLESS_MAIN(TestSafetensors)
#include "test_safetensors.moc"
