// load_issue.h: the checkpoint problems users meet most, read back from the loaders' real messages
// (a Llama folder, pickle weights, a shard cut short or missing, quantized weights, no tokenizer,
// a garbled header, weights of another size than config.json's, made here and loaded with the real
// loaders), each report wording its message again exactly;
// every other message, and text that only looks like one, reads as no issue.
#include <QTemporaryDir>
#include <QtTest>
#include <functional>
#include <random>

#include "core/common/error.h"
#include "core/common/load_issue.h"
#include "core/model/checkpoint.h"
#include "core/model/model_config.h"
#include "core/model/safetensors.h"
#include "core/tokenizer/tokenizer.h"
#include "model_fixture_util.h"

using namespace falcon;
using namespace falcon::testutil;

namespace {

std::string message_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace

class TestLoadIssue : public QObject {
  Q_OBJECT

  QTemporaryDir tmp_;
  std::filesystem::path dir(const char* name) {
    std::filesystem::path p = tmp_.path().toStdString() + "/" + name;
    std::filesystem::create_directories(p);
    return p;
  }
  static void expect(const std::string& message, LoadIssue issue, const std::vector<std::string>& args,
                     const std::string& context = {}) {
    const std::optional<LoadIssueReport> r = parse_load_issue(message);
    QVERIFY2(r.has_value(), message.c_str());
    QCOMPARE(int(r->issue), int(issue));
    QCOMPARE(r->args, args);
    QCOMPARE(r->context, context);
    QCOMPARE(r->context + load_issue_text(r->issue, r->args), message);
  }

 private slots:
  void the_loaders_messages_read_back() {
    // Another architecture's config.json: the loader puts the file's path in front.
    const auto llama = dir("llama");
    write_file(llama / "config.json", R"({"model_type": "llama", "hidden_size": 4096})");
    expect(message_of([&] { load_model_config(llama); }), LoadIssue::NotFalcon, {"llama"},
           (llama / "config.json").string() + ": ");

    const auto pickles = dir("pickles");
    write_file(pickles / "pytorch_model-00001-of-00002.bin", "x");
    write_file(pickles / "pytorch_model-00002-of-00002.bin", "x");
    expect(message_of([&] { CheckpointReader r(pickles); }), LoadIssue::PickleOnly,
           {pickles.string(), "pytorch_model-00001-of-00002.bin, pytorch_model-00002-of-00002.bin"});

    const auto empty = dir("no weights");
    expect(message_of([&] { CheckpointReader r(empty); }), LoadIssue::NoWeights, {empty.string()});

    const auto two = dir("two");
    write_file(two / "a.safetensors", make_safetensors({{"a", "F32", {1}, std::string(4, '\0')}}));
    write_file(two / "b.safetensors", make_safetensors({{"b", "F32", {1}, std::string(4, '\0')}}));
    expect(message_of([&] { CheckpointReader r(two); }), LoadIssue::ShardsWithoutIndex, {two.string()});

    // A download cut short: the index names a shard that never arrived, and one that stops early.
    const auto cut = dir("cut: short");  // ": " inside a name, where the loader also writes ": "
    write_file(
        cut / "model.safetensors.index.json",
        R"({"weight_map": {"a": "model-00001-of-00002.safetensors", "b": "model-00002-of-00002.safetensors"}})");
    const std::string shard = make_safetensors({{"a", "F32", {1024}, std::string(4096, '\0')}});
    write_file(cut / "model-00001-of-00002.safetensors", shard.substr(0, 1000));
    const std::string missing = message_of([&] { CheckpointReader r(cut); });
    const std::optional<LoadIssueReport> m = parse_load_issue(missing);
    QVERIFY2(m && m->issue == LoadIssue::MissingShards, missing.c_str());
    QCOMPARE(m->context + load_issue_text(m->issue, m->args), missing);
    QCOMPARE(m->args.front(), (cut / "model.safetensors.index.json").string());
    write_file(cut / "model-00002-of-00002.safetensors",
               make_safetensors({{"b", "F32", {1}, std::string(4, '\0')}}));
    const std::string data = message_of([&] { CheckpointReader r(cut); });
    const std::optional<LoadIssueReport> d = parse_load_issue(data);
    QVERIFY2(d && d->issue == LoadIssue::DataCutShort, data.c_str());
    QCOMPARE(d->args.at(1), std::string("a"));
    QCOMPARE(d->args.at(2), std::string("4096"));
    QCOMPARE(d->context + load_issue_text(d->issue, d->args), data);

    const auto header = dir("header");
    write_file(header / "model.safetensors", shard.substr(0, 20));
    expect(message_of([&] { CheckpointReader r(header); }), LoadIssue::HeaderCutShort,
           {(header / "model.safetensors").string(), std::to_string(shard.size() - 4096 - 8), "20"});
    const auto tiny = dir("tiny");
    write_file(tiny / "model.safetensors", "abc");
    expect(message_of([&] { CheckpointReader r(tiny); }), LoadIssue::FileTooShort,
           {(tiny / "model.safetensors").string()});

    // A GPTQ checkpoint's packed int32 weights.
    const auto gptq = dir("gptq");
    write_file(gptq / "model.safetensors",
               make_raw_safetensors(R"({"h.0.qweight":{"dtype":"I32","shape":[2],"data_offsets":[0,8]}})",
                                    std::string(8, '\0')));
    expect(message_of([&] { CheckpointReader r(gptq); }), LoadIssue::UnsupportedDtype,
           {(gptq / "model.safetensors").string(), "h.0.qweight", "I32"});

    // Any other damage to a safetensors file: the file and what is wrong with it.
    const auto garbled = dir("garbled");
    write_file(garbled / "model.safetensors", make_raw_safetensors(R"({"a": [1, )", std::string(4, '\0')));
    const std::string g = message_of([&] { CheckpointReader r(garbled); });
    const std::optional<LoadIssueReport> gi = parse_load_issue(g);
    QVERIFY2(gi && gi->issue == LoadIssue::InvalidSafetensors, g.c_str());
    QCOMPARE(gi->args.front(), (garbled / "model.safetensors").string());
    QCOMPARE(gi->context + load_issue_text(gi->issue, gi->args), g);
    // Weights of another size than config.json says: a fixture model whose config asks for one
    // layer more.
    const auto mismatch = dir("mismatch");
    const auto fixture = models_dir() / "mqa_rope_parallel";
    std::filesystem::copy_file(fixture / "model.safetensors", mismatch / "model.safetensors");
    nlohmann::json cfg = nlohmann::json::parse(read_file(fixture / "config.json"));
    cfg["num_hidden_layers"] = cfg["num_hidden_layers"].get<int>() + 1;
    write_file(mismatch / "config.json", cfg.dump());
    const std::string mm = message_of([&] {
      CheckpointReader r(mismatch);
      r.validate(load_model_config(mismatch));
    });
    const std::optional<LoadIssueReport> mi = parse_load_issue(mm);
    QVERIFY2(mi && mi->issue == LoadIssue::ConfigMismatch, mm.c_str());
    QCOMPARE(mi->args.front(), mismatch.string());
    QVERIFY2(mi->args.at(1).starts_with("missing tensors: "), mi->args.at(1).c_str());
    QCOMPARE(mi->context + load_issue_text(mi->issue, mi->args), mm);

    const auto notok = dir("no tokenizer");
    expect(message_of([&] { load_tokenizer(notok); }), LoadIssue::NoTokenizer, {notok.string()});
  }

  void other_messages_are_no_issue() {
    for (const std::string& text :
         {std::string(), std::string("config.json is not valid JSON"), std::string("no model weights"),
          std::string("no model weights (model.safetensors) in "),  // no folder
          std::string("no model weights (model.safetensors) in /m and more"),
          std::string("x: invalid safetensors file: "),                  // nothing said wrong
          std::string("checkpoint  does not match its config.json: x"),  // no folder
          std::string("The model could not be loaded: no tokenizer")}) {
      const auto r = parse_load_issue(text);
      if (text == "no model weights (model.safetensors) in /m and more") {
        // A folder may hold any text: this one reads as the folder "/m and more".
        QVERIFY(r && r->args == std::vector<std::string>{"/m and more"});
        continue;
      }
      QVERIFY2(!r, text.c_str());
    }
  }

  // Any text made of the sentences' pieces either reads as no issue or as one that words it again.
  void pieces_in_any_order_never_misread() {
    const std::vector<std::string> pieces = {
        "config.json: key 'model_type' is '",
        "'; only Falcon models (falcon, RefinedWeb, RefinedWebModel) are supported",
        " names shard(s) that are not in ",
        ": ",
        ": invalid safetensors file: ",
        "tensor '",
        "' has dtype ",
        "; only BF16, F16 and F32 weights are supported",
        "no tokenizer in ",
        "checkpoint ",
        " does not match its config.json: ",
        "/m",
        "x",
        "'",
        " holds several .safetensors files but no model.safetensors.index.json"};
    std::mt19937 rng(7);
    int read = 0;
    for (int i = 0; i < 20000; ++i) {
      std::string text;
      const int n = 1 + int(rng() % 6);
      for (int k = 0; k < n; ++k) text += pieces[rng() % pieces.size()];
      if (const auto r = parse_load_issue(text)) {
        ++read;
        QCOMPARE(r->context + load_issue_text(r->issue, r->args), text);
        for (const std::string& a : r->args) QVERIFY(!a.empty());
      }
    }
    QVERIFY(read > 0);  // some did form a sentence
  }
};

QTEST_GUILESS_MAIN(TestLoadIssue)
#include "test_load_issue.moc"
