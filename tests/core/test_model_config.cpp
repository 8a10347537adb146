// ModelConfig parsing: every fixture's config.json (written by HF transformers 5.17, or
// rewritten in the original RefinedWeb key names) against the FalconConfig arguments that made
// it, and refusals of unknown, missing and contradictory keys, each naming the key.
#include <QtTest>

#include "core/common/error.h"
#include "core/model/checkpoint.h"
#include "core/model/model_config.h"
#include "model_fixture_util.h"

using namespace falcon;
using namespace falcon::testutil;
using nlohmann::json;

namespace {

// A minimal valid current-style config, edited by each refusal case.
json base_config() {
  return json{{"model_type", "falcon"},
              {"vocab_size", 100},
              {"hidden_size", 64},
              {"num_hidden_layers", 2},
              {"num_attention_heads", 8},
              {"num_kv_heads", 2},
              {"new_decoder_architecture", true},
              {"parallel_attn", true},
              {"bias", false},
              {"alibi", false}};
}

QString load_error(const json& j) {
  try {
    parse_model_config(j.dump());
  } catch (const Error& e) {
    if (e.kind() != ErrorKind::Load) return "wrong error kind";
    return QString::fromUtf8(e.what());
  }
  return QString();
}

}  // namespace

class TestModelConfig : public QObject {
  Q_OBJECT

 private slots:
  // Each fixture's parsed config equals the FalconConfig kwargs recorded in reference.json,
  // with num_kv_heads derived as FalconAttention does.
  void fixtures_parse_data() {
    QTest::addColumn<QString>("name");
    for (const auto& n : fixture_names()) QTest::newRow(n.c_str()) << QString::fromStdString(n);
  }
  void fixtures_parse() {
    QFETCH(QString, name);
    const Fixture f = load_fixture(name.toStdString());
    const ModelConfig c = load_model_config(f.dir);
    const json& kw = f.ref["config_kwargs"];
    QCOMPARE(c.vocab_size, kw["vocab_size"].get<int>());
    QCOMPARE(c.hidden_size, kw["hidden_size"].get<int>());
    QCOMPARE(c.num_layers, kw["num_hidden_layers"].get<int>());
    QCOMPARE(c.num_heads, kw["num_attention_heads"].get<int>());
    QCOMPARE(c.head_dim, c.hidden_size / c.num_heads);
    const bool new_arch = kw["new_decoder_architecture"].get<bool>();
    QCOMPARE(c.new_decoder_architecture, new_arch);
    int kv = c.num_heads;
    if (new_arch)
      kv = kw.value("num_kv_heads", c.num_heads);
    else if (kw.value("multi_query", true))
      kv = 1;
    QCOMPARE(c.num_kv_heads, kv);
    QCOMPARE(c.parallel_attn, kw["parallel_attn"].get<bool>());
    QCOMPARE(c.bias, kw["bias"].get<bool>());
    QCOMPARE(c.alibi, kw["alibi"].get<bool>());
    QCOMPARE(c.ffn_hidden_size, 4 * c.hidden_size);
    QCOMPARE(c.tie_word_embeddings, kw.value("tie_word_embeddings", true));
    if (new_arch) QCOMPARE(c.num_ln_in_parallel_attn, kw.value("num_ln_in_parallel_attn", 2));
    if (!f.ref["legacy_config"].is_string()) {
      // The legacy rewrite drops max_position_embeddings; HF's default is 2048 either way.
      QCOMPARE(c.max_position_embeddings, kw["max_position_embeddings"].get<int>());
    }
    QCOMPARE(c.rope_theta, f.ref["rope"]["theta"].get<double>());
    const json& sc = f.ref["rope"]["scaling"];
    if (sc.is_array()) {
      QCOMPARE(c.rope_scaling, sc[0] == "linear" ? RopeScaling::Linear : RopeScaling::Dynamic);
      QCOMPARE(c.rope_scaling_factor, sc[1].get<double>());
    } else {
      QCOMPARE(c.rope_scaling, RopeScaling::None);
    }
    // generation_config.json (bos 1, eos 2) overrides config.json (the legacy files say 11).
    QCOMPARE(c.bos_token_id, 1);
    QCOMPARE(c.eos_token_id, 2);
    QCOMPARE(c.eos_token_ids, std::vector<int>{2});
    QCOMPARE(c.activation, std::string("gelu"));
  }

  void legacy_keys() {
    const json rw1b = {{"model_type", "RefinedWebModel"},
                       {"vocab_size", 50304},
                       {"n_embed", 2048},
                       {"n_layer", 24},
                       {"n_head", 32},
                       {"alibi", true},
                       {"bias", true},
                       {"multi_query", false},
                       {"parallel_attn", false}};
    const ModelConfig c = parse_model_config(rw1b.dump());
    QCOMPARE(c.hidden_size, 2048);
    QCOMPARE(c.num_layers, 24);
    QCOMPARE(c.num_kv_heads, 32);
    QVERIFY(!c.new_decoder_architecture);
    QVERIFY(!c.parallel_attn && c.bias && c.alibi);
    QCOMPARE(c.qkv_out_features(), 3 * 2048);
    const json f40 = {{"model_type", "RefinedWeb"},
                      {"vocab_size", 65024},
                      {"n_embed", 8192},
                      {"n_layer", 60},
                      {"n_head", 128},
                      {"n_head_kv", 8},
                      {"parallel_attn", true}};
    const ModelConfig d = parse_model_config(f40.dump());
    QVERIFY(d.new_decoder_architecture);
    QCOMPARE(d.num_kv_heads, 8);
    QCOMPARE(d.num_ln_in_parallel_attn, 2);
    QCOMPARE(d.qkv_out_features(), (128 + 16) * 64);
    // The 7B default: multi_query unless said otherwise.
    const json f7 = {{"model_type", "RefinedWebModel"},
                     {"vocab_size", 65024},
                     {"n_embed", 4544},
                     {"n_layer", 32},
                     {"n_head", 71}};
    const ModelConfig e = parse_model_config(f7.dump());
    QCOMPARE(e.num_kv_heads, 1);
    QCOMPARE(e.qkv_out_features(), 4544 + 2 * 64);
  }

  void rope_spellings() {
    json v4 = base_config();
    v4["rope_theta"] = 50000.0;
    v4["rope_scaling"] = {{"type", "linear"}, {"factor", 4.0}};
    ModelConfig c = parse_model_config(v4.dump());
    QCOMPARE(c.rope_scaling, RopeScaling::Linear);
    QCOMPARE(c.rope_scaling_factor, 4.0);
    QCOMPARE(c.rope_theta, 50000.0);
    json v5 = base_config();
    v5["rope_parameters"] = {{"rope_type", "dynamic"}, {"factor", 2.0}, {"rope_theta", 1e6}};
    c = parse_model_config(v5.dump());
    QCOMPARE(c.rope_scaling, RopeScaling::Dynamic);
    QCOMPARE(c.rope_theta, 1e6);
    json both = v5;
    both["rope_scaling"] = {{"rope_type", "dynamic"}, {"factor", 2.0}};
    QCOMPARE(parse_model_config(both.dump()).rope_scaling, RopeScaling::Dynamic);
    json plain = base_config();
    c = parse_model_config(plain.dump());
    QCOMPARE(c.rope_theta, 10000.0);
    QCOMPARE(c.rope_scaling, RopeScaling::None);
    QCOMPARE(c.max_position_embeddings, 2048);
    json eos = base_config();
    eos["eos_token_id"] = {7, 9};
    eos["bos_token_id"] = nullptr;
    c = parse_model_config(eos.dump());
    QCOMPARE(c.eos_token_id, 7);
    QCOMPARE(c.eos_token_ids, (std::vector<int>{7, 9}));
    QCOMPARE(c.bos_token_id, -1);
  }

  void refusals_name_the_key_data() {
    QTest::addColumn<QString>("json_text");
    QTest::addColumn<QString>("key");
    auto row = [](const char* tag, const json& j, const char* key) {
      QTest::newRow(tag) << QString::fromStdString(j.dump()) << QString(key);
    };
    json j;
    j = base_config();
    j["activation"] = "swiglu";
    row("unknown activation", j, "activation");
    j = base_config();
    j["num_attention_heads"] = 6;
    row("heads do not divide hidden", j, "num_attention_heads");
    j = base_config();
    j["num_kv_heads"] = 3;
    row("kv heads do not divide heads", j, "num_kv_heads");
    j = base_config();
    j.erase("vocab_size");
    row("missing vocab_size", j, "vocab_size");
    j = base_config();
    j.erase("hidden_size");
    row("missing hidden_size", j, "hidden_size");
    j = base_config();
    j["n_embed"] = 128;
    row("n_embed contradicts hidden_size", j, "n_embed");
    j = base_config();
    j["n_head"] = 4;
    row("n_head contradicts num_attention_heads", j, "n_head");
    j = base_config();
    j["vocab_size"] = "many";
    row("vocab_size not a number", j, "vocab_size");
    j = base_config();
    j["vocab_size"] = -5;
    row("negative vocab_size", j, "vocab_size");
    j = base_config();
    j["model_type"] = "llama";
    row("not falcon", j, "model_type");
    j = base_config();
    j.erase("model_type");
    row("missing model_type", j, "model_type");
    j = base_config();
    j["parallel_attn"] = false;
    row("new arch sequential", j, "parallel_attn");
    j = base_config();
    j["alibi"] = "yes";
    row("alibi not a bool", j, "alibi");
    j = base_config();
    j["new_decoder_architecture"] = false;
    j["multi_query"] = false;
    row("MHA with fewer kv heads", j, "num_kv_heads");
    j = base_config();
    j["new_decoder_architecture"] = false;
    j["num_ln_in_parallel_attn"] = 2;
    row("2 LNs without new arch", j, "num_ln_in_parallel_attn");
    j = base_config();
    j["num_ln_in_parallel_attn"] = 3;
    row("3 LNs", j, "num_ln_in_parallel_attn");
    j = base_config();
    j["rope_parameters"] = {{"rope_type", "yarn"}, {"factor", 4.0}};
    row("yarn", j, "rope_parameters.rope_type");
    j = base_config();
    j["rope_scaling"] = {{"type", "linear"}};
    row("no factor", j, "rope_scaling.factor");
    j = base_config();
    j["rope_scaling"] = {{"type", "linear"}, {"factor", 0.5}};
    row("factor < 1", j, "rope_scaling.factor");
    j = base_config();
    j["alibi"] = true;
    j["rope_scaling"] = {{"type", "linear"}, {"factor", 2.0}};
    row("alibi with rope scaling", j, "rope_scaling");
    j = base_config();
    j["rope_theta"] = 1e4;
    j["rope_parameters"] = {{"rope_type", "default"}, {"rope_theta", 5e5}};
    row("two thetas", j, "rope_parameters.rope_theta");
    j = base_config();
    j["hidden_size"] = 72;
    j["num_attention_heads"] = 8;
    j["num_kv_heads"] = 8;
    row("odd head_dim with RoPE", j, "num_attention_heads");
    j = base_config();
    j["layer_norm_epsilon"] = 0;
    row("zero epsilon", j, "layer_norm_epsilon");
    j = base_config();
    j["hidden_size"] = 1 << 30;
    row("absurd hidden_size", j, "hidden_size");
    j = base_config();
    j["eos_token_id"] = "end";
    row("eos not an int", j, "eos_token_id");
  }
  void refusals_name_the_key() {
    QFETCH(QString, json_text);
    QFETCH(QString, key);
    const QString msg = load_error(json::parse(json_text.toStdString()));
    QVERIFY2(!msg.isEmpty(), "accepted");
    QVERIFY2(msg.contains("'" + key + "'"), qPrintable("message does not name '" + key + "': " + msg));
  }

  void not_json() {
    for (const char* text : {"", "{", "[1,2]", "\"falcon\"", "{\"model_type\": \"falcon\",}"}) {
      QVERIFY_THROWS_EXCEPTION(Error, parse_model_config(text));
    }
  }

  void load_from_folder() {
    QTemporaryDir tmp;
    const std::filesystem::path dir = tmp.path().toStdString();
    auto load_error = [](const std::filesystem::path& d) {
      try {
        load_model_config(d);
      } catch (const Error& e) {
        return e.kind() == ErrorKind::Load ? QString::fromUtf8(e.what())
                                           : QStringLiteral("<not a load error>");
      }
      return QStringLiteral("<accepted>");
    };
    QVERIFY(load_error(dir).startsWith(QStringLiteral("no config.json in ")));
    QCOMPARE(diagnose_missing_config(dir).reason, MissingConfig::Reason::NoModel);
    QCOMPARE(diagnose_missing_config(dir / "missing").reason, MissingConfig::Reason::NotThere);
    // The usual slips say what they are: no such path, a file of the model instead of its folder.
    QCOMPARE(load_error(dir / "missing"), QString::fromStdString((dir / "missing").string()) +
                                              QStringLiteral(" does not exist (a model is a Hugging Face "
                                                             "folder with config.json)"));
    write_file(dir / "config.json", base_config().dump());
    QVERIFY(load_error(dir / "config.json").contains(QStringLiteral("is a file, not a model folder")));
    QVERIFY(load_error(dir / "config.json").endsWith("(" + QString::fromStdString(dir.string()) + ")"));
    // ... and names that folder for the model dialog's "Use that folder" (a file dropped on the
    // window, or a path typed to a shard).
    QCOMPARE(diagnose_missing_config(dir / "config.json").model_folders,
             std::vector<std::filesystem::path>{dir});
    QCOMPARE(diagnose_missing_config(dir / "config.json").reason, MissingConfig::Reason::FileOfModel);
    auto put = [](const std::filesystem::path& p, const std::string& bytes) {
      std::filesystem::create_directories(p.parent_path());
      write_file(p, bytes);
    };
    // Weights in formats this engine does not load (a llama.cpp user's GGUF, a pickle), chosen as
    // a file or as the folder that holds them, say what they are instead of "choose the folder".
    const std::filesystem::path gguf_dir = dir / "gguf";
    put(gguf_dir / "falcon-7b.Q4_K_M.gguf", "GGUF");
    for (const auto& p : {gguf_dir / "falcon-7b.Q4_K_M.gguf", gguf_dir}) {
      const QString e = load_error(p);
      QVERIFY2(e.contains(QStringLiteral("GGUF")) && e.contains(QStringLiteral("not supported")) &&
                   e.contains(QStringLiteral("config.json with the *.safetensors")),
               qPrintable(e));
    }
    QCOMPARE(diagnose_missing_config(gguf_dir).reason, MissingConfig::Reason::ForeignInside);
    QCOMPARE(diagnose_missing_config(gguf_dir / "falcon-7b.Q4_K_M.gguf").reason,
             MissingConfig::Reason::ForeignFile);
    QCOMPARE(diagnose_missing_config(gguf_dir).foreign, MissingConfig::Foreign::Gguf);
    put(gguf_dir / "notes.txt", "a file of no model");
    QCOMPARE(diagnose_missing_config(gguf_dir / "notes.txt").reason, MissingConfig::Reason::File);
    QVERIFY(diagnose_missing_config(gguf_dir / "notes.txt").model_folders.empty());  // no model there
    QVERIFY(load_error(gguf_dir / "notes.txt")
                .endsWith(QStringLiteral("is a file, not a model folder (a model is "
                                         "a Hugging Face folder with config.json)")));
    const std::filesystem::path pickle_dir = dir / "pickle";
    put(pickle_dir / "pytorch_model.bin", "PK");
    QVERIFY(load_error(pickle_dir).contains(QStringLiteral("PyTorch pickle file")));
    QVERIFY(load_error(pickle_dir / "pytorch_model.bin").contains(QStringLiteral("convert the checkpoint")));
    QCOMPARE(diagnose_missing_config(pickle_dir).foreign, MissingConfig::Foreign::Pickle);
    // A folder above the model's: the Hugging Face cache's layout names the one folder to choose;
    // a folder of several models names some of them.
    const std::filesystem::path hub = dir / "hub", repo = hub / "models--tiiuae--falcon-7b",
                                snapshot = repo / "snapshots" / "0123abc";
    put(snapshot / "config.json", base_config().dump());
    put(repo / "refs" / "main", "0123abc");
    for (const auto& p : {hub, repo, repo / "snapshots"})
      QCOMPARE(diagnose_missing_config(p).reason, MissingConfig::Reason::OneModelInside);
    for (const auto& p : {hub, repo, repo / "snapshots"})
      QCOMPARE(load_error(p), "no config.json in " + QString::fromStdString(p.string()) +
                                  ", but in a folder inside it: choose " +
                                  QString::fromStdString(snapshot.string()));
    put(hub / "falcon-40b" / "config.json", base_config().dump());
    const QString several = load_error(hub);
    QVERIFY2(several.contains(QStringLiteral("several model folders (falcon-40b, models--tiiuae--falcon-7b/"
                                             "snapshots/0123abc); choose one")),
             qPrintable(several));
    // The folders behind the message, for the model dialog's button: both, sorted.
    const MissingConfig diag = diagnose_missing_config(hub);
    QCOMPARE(QString::fromStdString(diag.message), several);
    QCOMPARE(diag.reason, MissingConfig::Reason::SeveralModelsInside);
    QCOMPARE(diag.model_folders, (std::vector<std::filesystem::path>{hub / "falcon-40b", snapshot}));
    QVERIFY(diagnose_missing_config(gguf_dir).model_folders.empty());
    write_file(dir / "generation_config.json", R"({"bos_token_id": 5, "eos_token_id": [8, 9]})");
    ModelConfig c = load_model_config(dir);
    QCOMPARE(c.bos_token_id, 5);
    QCOMPARE(c.eos_token_ids, (std::vector<int>{8, 9}));
    write_file(dir / "generation_config.json", "{oops");
    try {
      load_model_config(dir);
      QFAIL("broken generation_config.json accepted");
    } catch (const Error& e) {
      QVERIFY(QString(e.what()).contains("generation_config.json"));
    }
    write_file(dir / "generation_config.json", "{}");
    write_file(dir / "config.json", "{\"model_type\": \"falcon\"}");
    try {
      load_model_config(dir);
      QFAIL("incomplete config.json accepted");
    } catch (const Error& e) {
      QVERIFY(QString(e.what()).contains("config.json"));
      QVERIFY(QString(e.what()).contains("'vocab_size'"));
    }
  }

  // expected_tensors spells HF's names, per variant.
  void expected_tensor_names() {
    json j = base_config();
    auto names = [](const ModelConfig& c) {
      std::vector<std::string> r;
      for (const auto& s : expected_tensors(c)) r.push_back(s.name);
      return r;
    };
    auto has = [](const std::vector<std::string>& v, const char* n) {
      return std::find(v.begin(), v.end(), n) != v.end();
    };
    auto n2 = names(parse_model_config(j.dump()));
    QVERIFY(has(n2, "transformer.h.1.ln_attn.weight") && has(n2, "transformer.h.1.ln_mlp.bias"));
    QVERIFY(!has(n2, "transformer.h.0.input_layernorm.weight"));
    QVERIFY(!has(n2, "transformer.h.0.self_attention.dense.bias"));
    j["num_ln_in_parallel_attn"] = 1;
    auto n1 = names(parse_model_config(j.dump()));
    QVERIFY(has(n1, "transformer.h.0.input_layernorm.weight") && !has(n1, "transformer.h.0.ln_attn.weight"));
    json rw = {{"model_type", "RefinedWebModel"},
               {"vocab_size", 10},
               {"n_embed", 16},
               {"n_layer", 1},
               {"n_head", 2},
               {"bias", true},
               {"multi_query", false},
               {"parallel_attn", false},
               {"alibi", true}};
    auto nr = names(parse_model_config(rw.dump()));
    QVERIFY(has(nr, "transformer.h.0.post_attention_layernorm.weight"));
    QVERIFY(has(nr, "transformer.h.0.mlp.dense_4h_to_h.bias"));
    QVERIFY(has(nr, "transformer.ln_f.bias") && has(nr, "lm_head.weight"));
    const auto specs = expected_tensors(parse_model_config(rw.dump()));
    QCOMPARE(specs.size(), std::size_t{1 + 4 + 8 + 2 + 1});
    QVERIFY(specs.back().optional);  // tied by default
  }
};

QTEST_APPLESS_MAIN(TestModelConfig)
#include "test_model_config.moc"
