// falcon-run end to end: the real binary, driven as a user or a script would drive it, checked
// against the HF reference fixtures (tests/fixtures/models, tests/fixtures/tokenizers) and the
// exit-status contract of DESIGN.md §5.
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include "core/model_fixture_util.h"
#include "core/one_layer_checkpoint.h"
#include "core/store/conversation_store.h"

using namespace falcon::testutil;

namespace {

struct Result {
  int code = -1;
  QString out;
  QString err;
};

// The data folder every run gets unless the caller's environment names one: quantized weights
// cached by one test must not land in the user's home (or change what another test sees).
const QString& test_data_home() {
  static QTemporaryDir dir;
  static const QString path = dir.path();
  return path;
}

Result run(const QStringList& args,
           const QProcessEnvironment& env = QProcessEnvironment::systemEnvironment()) {
  QProcess p;
  QProcessEnvironment e = env;
  if (e.value("XDG_DATA_HOME") == qEnvironmentVariable("XDG_DATA_HOME"))
    e.insert("XDG_DATA_HOME", test_data_home());
  p.setProcessEnvironment(e);
  p.start(QStringLiteral(FALCON_RUN_BIN), args);
  if (!p.waitForFinished(120000)) p.kill();
  return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1,
          QString::fromUtf8(p.readAllStandardOutput()), QString::fromUtf8(p.readAllStandardError())};
}

QString join_ids(const std::vector<int32_t>& ids) {
  QStringList parts;
  for (int32_t id : ids) parts << QString::number(id);
  return parts.join(',');
}

std::vector<int32_t> parse_ids(const QString& line) {
  std::vector<int32_t> ids;
  for (const QString& s : line.split(' ', Qt::SkipEmptyParts)) ids.push_back(s.toInt());
  return ids;
}

// The start of every run on a fixture's prompt: its model folder on the CPU backend.
QStringList fixture_prompt_args(const Fixture& f) {
  return {"--model",         QString::fromStdString(f.dir.string()), "--backend", "cpu", "--prompt-tokens",
          join_ids(f.prompt)};
}

QString tokenizer_dir(const char* name) {
  return QString::fromStdString((std::filesystem::path(FALCON_FIXTURES_DIR) / "tokenizers" / name).string());
}

}  // namespace

class TestFalconRun : public QObject {
  Q_OBJECT

 private slots:
  void version_names_the_build_features() {
    const Result r = run({"--version"});
    QCOMPARE(r.code, 0);
    QVERIFY2(r.out.contains("falcon-run "), qPrintable(r.out));
    QVERIFY2(r.out.contains("CUDA backend: "), qPrintable(r.out));
  }

  void greedy_matches_reference_data() {
    QTest::addColumn<QString>("name");
    for (const auto& name : fixture_names()) QTest::newRow(name.c_str()) << QString::fromStdString(name);
  }
  // Every fixture: the 24-token greedy continuation printed by --print-tokens is HF's, and the
  // --dump-logits rows (prompt_len + N - 1 of them) match HF's full-sequence float32 logits.
  void greedy_matches_reference() {
    QFETCH(QString, name);
    const Fixture f = load_fixture(name.toStdString());
    QTemporaryDir tmp;
    const QString dump = tmp.filePath("logits.bin");
    const int n = static_cast<int>(f.greedy.size());
    const Result r = run(fixture_prompt_args(f) + QStringList{"--greedy", "--ignore-eos", "--max-new-tokens",
                                                              QString::number(n), "--print-tokens",
                                                              "--dump-logits", dump});
    QVERIFY2(r.code == 0, qPrintable(r.err));
    const QStringList lines = r.out.split('\n', Qt::SkipEmptyParts);
    QVERIFY(!lines.isEmpty());
    QCOMPARE(parse_ids(lines.last()), f.greedy);

    // Under dynamic RoPE scaling HF's reference rows all use the frequencies of the whole
    // sequence, while a row produced during decoding used those of its own length (as HF's
    // step-by-step forward does); there only the token ids are comparable.
    const std::vector<float> got = read_floats(dump.toStdString());
    const size_t rows = f.prompt.size() + f.greedy.size() - 1;
    QCOMPARE(got.size(), rows * static_cast<size_t>(f.vocab));
    if (f.dynamic_rope()) return;
    const float scale = max_abs(f.full_logits.data(), rows * f.vocab);
    float worst = 0;
    for (size_t i = 0; i < rows * f.vocab; ++i) worst = std::max(worst, std::fabs(got[i] - f.full_logits[i]));
    QVERIFY2(worst <= 1e-4f * scale, qPrintable(QString("max |diff| %1 > 1e-4 x %2").arg(worst).arg(scale)));
  }

  // --window with --evict shift|exact on a 1-layer copy of a RoPE fixture, where moving the cache
  // and re-rotating keys must give what recomputing gives: the same greedy tokens, and logits
  // rows equal within the CPU tolerance, across many evictions of a 6-token window.
  void evict_modes_agree_on_one_layer_model() {
    const Fixture f = load_fixture("mqa_rope_parallel");
    QTemporaryDir tmp;
    const std::filesystem::path dir = std::filesystem::path(tmp.path().toStdString()) / "one_layer";
    write_one_layer_checkpoint(f.dir, dir);
    std::vector<std::vector<float>> dumps;
    std::vector<QString> outs;
    for (const char* mode : {"exact", "shift"}) {
      const QString dump = tmp.filePath(QString("logits-%1.bin").arg(mode));
      const Result r =
          run({"--model", QString::fromStdString(dir.string()), "--backend", "cpu", "--prompt-tokens",
               join_ids(f.prompt), "--greedy", "--ignore-eos", "--max-new-tokens", "40", "--window", "6",
               "--evict", mode, "--print-tokens", "--dump-logits", dump});
      QVERIFY2(r.code == 0, qPrintable(r.err));
      outs.push_back(r.out.split('\n', Qt::SkipEmptyParts).last());
      dumps.push_back(read_floats(dump.toStdString()));
    }
    QCOMPARE(outs[1], outs[0]);
    QCOMPARE(dumps[1].size(), dumps[0].size());
    QVERIFY(!dumps[0].empty());
    const float scale = max_abs(dumps[0].data(), dumps[0].size());
    const float worst = max_abs_diff(dumps[1].data(), dumps[0].data(), dumps[0].size());
    QVERIFY2(worst <= 1e-4f * scale,
             qPrintable(QString("max |diff| %1, max |ref| %2").arg(worst).arg(scale)));
  }

  // The same seed gives the same sample; a different seed is allowed to differ.
  void seeded_sampling_is_reproducible() {
    const Fixture f = load_fixture("mqa_rope_parallel");
    const QStringList args =
        fixture_prompt_args(f) +
        QStringList{"--temperature", "1.0", "--top-k",          "0",  "--top-p",       "1", "--min-p", "0",
                    "--seed",        "42",  "--max-new-tokens", "16", "--print-tokens"};
    const Result a = run(args);
    const Result b = run(args);
    QVERIFY2(a.code == 0, qPrintable(a.err));
    QCOMPARE(a.out, b.out);
    QCOMPARE(parse_ids(a.out.split('\n', Qt::SkipEmptyParts).last()).size(), size_t(16));
  }

  // --greedy with sampling options: the argmax all the same (the tokens of a plain --greedy run),
  // and one stderr line naming the options that had no effect; none for a plain --greedy run or
  // for options that change nothing (temperature 0, top-p 1).
  void greedy_names_the_sampling_options_it_overrides() {
    const Fixture f = load_fixture("mqa_rope_parallel");
    const QStringList base = fixture_prompt_args(f) + QStringList{"--max-new-tokens", "12", "--ignore-eos",
                                                                  "--print-tokens", "--greedy"};
    const Result plain = run(base);
    const Result mixed = run(base + QStringList{"--temperature", "0.9", "--top-k", "3", "--seed", "7"});
    const Result neutral = run(base + QStringList{"--temperature", "0", "--top-p", "1"});
    QVERIFY2(plain.code == 0 && mixed.code == 0 && neutral.code == 0, qPrintable(plain.err + mixed.err));
    QCOMPARE(mixed.out, plain.out);
    QCOMPARE(neutral.out, plain.out);
    QVERIFY2(!plain.err.contains("--greedy"), qPrintable(plain.err));
    QVERIFY2(!neutral.err.contains("--greedy"), qPrintable(neutral.err));
    QVERIFY2(mixed.err.contains("--temperature and --top-k have no effect"), qPrintable(mixed.err));
    QVERIFY2(!mixed.err.contains("--seed"), qPrintable(mixed.err));
  }

  void exit_codes_follow_the_contract_data() {
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<int>("code");
    const QString model = QString::fromStdString((models_dir() / "mqa_rope_parallel").string());
    QTest::newRow("unknown flag") << QStringList{"--no-such-flag"} << 2;
    QTest::newRow("no model") << QStringList{"--prompt-tokens", "1,2"} << 2;
    QTest::newRow("missing folder") << QStringList{"--model", "/nonexistent/model", "--prompt-tokens", "1"}
                                    << 3;
    QTest::newRow("bad token list") << QStringList{"--model", model, "--prompt-tokens", "1,x,3"} << 2;
    QTest::newRow("token outside vocab") << QStringList{"--model", model, "--prompt-tokens", "1,99999"} << 2;
    QTest::newRow("negative temperature")
        << QStringList{"--model", model, "--prompt-tokens", "1,2", "--temperature", "-1"} << 2;
    QTest::newRow("top-p above 1") << QStringList{"--model", model,     "--prompt-tokens",
                                                  "1,2",     "--top-p", "1.5"}
                                   << 2;
    QTest::newRow("synthetic without bench") << QStringList{"--synthetic", "7b"} << 2;
    QTest::newRow("two inputs") << QStringList{"--model", model, "--prompt-tokens", "1", "--prompt", "hi"}
                                << 2;
    QTest::newRow("text without tokenizer") << QStringList{"--model", model, "--prompt", "hello"} << 3;
    QTest::newRow("unknown evict mode")
        << QStringList{"--model", model, "--prompt-tokens", "1,2", "--window", "4", "--evict", "fast"} << 2;
    // int8/int4 run on the CPU too (exit 2 until the CPU backend quantized).
    QTest::newRow("int8 on cpu") << QStringList{"--model",          model,  "--backend",       "cpu",
                                                "--weights",        "int8", "--prompt-tokens", "1",
                                                "--max-new-tokens", "2"}
                                 << 0;
    QTest::newRow("int4 head on cpu")
        << QStringList{"--model",         model, "--backend",        "cpu", "--head-weights", "int4",
                       "--prompt-tokens", "1",   "--max-new-tokens", "2"}
        << 0;
    QTest::newRow("unknown head format")
        << QStringList{"--model", model, "--head-weights", "int2", "--prompt-tokens", "1"} << 2;
    // int6 is the output head's format only.
    QTest::newRow("int6 head on cpu")
        << QStringList{"--model",         model, "--backend",        "cpu", "--head-weights", "int6",
                       "--prompt-tokens", "1",   "--max-new-tokens", "2"}
        << 0;
    QTest::newRow("int6 layers") << QStringList{"--model",   model,  "--backend",       "cpu",
                                                "--weights", "int6", "--prompt-tokens", "1"}
                                 << 2;
    QTest::newRow("int6 layers, quantized head")
        << QStringList{"--model", model, "--weights", "int6", "--quantize-head", "--prompt-tokens", "1"} << 2;
    // An empty message went to the model as an empty user turn and got a reply to nothing.
    const QString mini = QStringLiteral(FALCON_SOURCE_DIR) + "/resources/models/falcon-mini";
    QTest::newRow("empty chat message")
        << QStringList{"--model", mini, "--backend", "cpu", "--chat", ""} << 2;
    QTest::newRow("blank chat message")
        << QStringList{"--model", mini, "--backend", "cpu", "--chat", " \n\t "} << 2;
    QTest::newRow("two head flags") << QStringList{"--model",
                                                   model,
                                                   "--backend",
                                                   "cuda",
                                                   "--weights",
                                                   "int4",
                                                   "--quantize-head",
                                                   "--head-weights",
                                                   "int8",
                                                   "--prompt-tokens",
                                                   "1"}
                                    << 2;
  }
  void exit_codes_follow_the_contract() {
    QFETCH(QStringList, args);
    QFETCH(int, code);
    const Result r = run(args);
    QVERIFY2(r.code == code, qPrintable(QString("exit %1, stderr: %2").arg(r.code).arg(r.err)));
    if (code != 0) {
      QVERIFY2(!r.err.trimmed().isEmpty(), "a failure says why on stderr");
      QVERIFY2(r.err.trimmed().count('\n') <= 2, qPrintable("one clear message, not a dump: " + r.err));
    }
  }

  // The formats' messages say what is accepted where: int6 for the layers names --head-weights
  // int6 and the layers' formats; a wrong head format lists the head's, int6 included.
  void weight_formats_say_where_int6_goes_data() {
    QTest::addColumn<QStringList>("extra");
    QTest::addColumn<QStringList>("words");
    QTest::newRow("int6 layers") << QStringList{"--weights", "int6"}
                                 << QStringList{"--weights", "output head only", "--head-weights int6",
                                                "bf16, int8 or int4"};
    QTest::newRow("unknown layers") << QStringList{"--weights", "int5"}
                                    << QStringList{"--weights", "'int5'", "bf16, int8, int4"};
    QTest::newRow("unknown head") << QStringList{"--head-weights", "int5"}
                                  << QStringList{"--head-weights", "'int5'", "bf16, int8, int4, int6"};
  }
  void weight_formats_say_where_int6_goes() {
    QFETCH(QStringList, extra);
    QFETCH(QStringList, words);
    const QString model = QString::fromStdString((models_dir() / "mqa_rope_parallel").string());
    const Result r = run(QStringList{"--model", model, "--backend", "cpu", "--prompt-tokens", "1,2"} + extra);
    QCOMPARE(r.code, 2);
    for (const QString& w : words) QVERIFY2(r.err.contains(w), qPrintable(w + " not in: " + r.err));
    QVERIFY2(r.err.trimmed().count('\n') <= 2, qPrintable("one clear message, not a dump: " + r.err));
    const Result help = run({"--help"});
    QVERIFY2(help.code == 0 && help.out.contains("bf16|int8|int4|int6"), qPrintable(help.out));
  }

  // A number a user mistyped is named with what was expected, in one short line (CLI11's own
  // messages said "Could not convert" or printed a range bounded by a 300-digit number).
  void numeric_options_say_what_is_wrong_data() {
    QTest::addColumn<QStringList>("extra");
    QTest::addColumn<QString>("message");
    QTest::newRow("letters") << QStringList{"--max-new-tokens", "abc"}
                             << "--max-new-tokens: 'abc' is not a whole number (0 to 2147483647)";
    QTest::newRow("fraction") << QStringList{"--top-k", "1.5"}
                              << "--top-k: '1.5' is not a whole number (0 to 2147483647)";
    QTest::newRow("too large") << QStringList{"--max-new-tokens", "99999999999"}
                               << "--max-new-tokens: 99999999999 is out of range (0 to 2147483647)";
    QTest::newRow("negative threads")
        << QStringList{"--threads", "-2"} << "--threads: -2 is out of range (0 to 4096)";
    QTest::newRow("empty window") << QStringList{"--window", "0"}
                                  << "--window: 0 is out of range (1 to 2147483647)";
    QTest::newRow("negative seed") << QStringList{"--seed", "-1"}
                                   << "--seed: '-1' is not a whole number from 0 to 18446744073709551615";
    QTest::newRow("word temperature")
        << QStringList{"--temperature", "warm"} << "--temperature: 'warm' is not a number";
    QTest::newRow("nan min-p") << QStringList{"--min-p", "nan"} << "--min-p: 'nan' is not a number";
  }
  void numeric_options_say_what_is_wrong() {
    QFETCH(QStringList, extra);
    QFETCH(QString, message);
    const QString model = QString::fromStdString((models_dir() / "mqa_rope_parallel").string());
    const Result r = run(QStringList{"--model", model, "--prompt-tokens", "1,2"} + extra);
    QCOMPARE(r.code, 2);
    QVERIFY2(r.err.contains(message), qPrintable(r.err));
    QVERIFY2(r.err.size() < 200, qPrintable("one short line: " + r.err));
  }
  void numeric_options_take_valid_numbers() {
    const QString model = QString::fromStdString((models_dir() / "mqa_rope_parallel").string());
    const Result r = run({"--model", model, "--prompt-tokens", "1,2", "--backend", "cpu", "--max-new-tokens",
                          "3", "--temperature", "7e-1", "--top-k", "0", "--seed", "18446744073709551615",
                          "--threads", "1", "--print-tokens", "--ignore-eos"});
    QVERIFY2(r.code == 0, qPrintable(r.err));
    QCOMPARE(parse_ids(r.out.split('\n', Qt::SkipEmptyParts).last()).size(), size_t(3));
  }

  // The default backend (auto) without a usable GPU (the CUDA plugin made unloadable) falls back
  // to the CPU in the format asked for, the output head's included: the same tokens as the CPU
  // backend asked for by name with those formats. (--head-weights once made this fallback fail
  // with exit 2; until the CPU backend quantized, the fallback dropped the formats.)
  void auto_backend_keeps_quantized_formats_without_a_gpu_data() {
    QTest::addColumn<QStringList>("formats");
    QTest::newRow("bf16") << QStringList{};
    QTest::newRow("int8") << QStringList{"--weights", "int8"};
    QTest::newRow("int4 + int8 head") << QStringList{"--weights", "int4", "--head-weights", "int8"};
    QTest::newRow("bf16 + int4 head") << QStringList{"--head-weights", "int4"};
    QTest::newRow("int8 + int6 head") << QStringList{"--weights", "int8", "--head-weights", "int6"};
  }
  void auto_backend_keeps_quantized_formats_without_a_gpu() {
    QFETCH(QStringList, formats);
    const Fixture f = load_fixture("mqa_rope_parallel");
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert("FALCON_CUDA_PLUGIN", "/nonexistent/libfalcon-cuda.so");
    const QStringList common{"--model",
                             QString::fromStdString(f.dir.string()),
                             "--prompt-tokens",
                             join_ids(f.prompt),
                             "--greedy",
                             "--max-new-tokens",
                             "4",
                             "--print-tokens",
                             "--quant-cache",
                             "none"};  // no cache notices: stderr has the fallback's words only
    const Result r = run(common + formats, env);
    QVERIFY2(r.code == 0, qPrintable(r.err));
    QVERIFY2(r.err.contains("GPU not used") && r.err.contains("running on the CPU"), qPrintable(r.err));
    QVERIFY2(!r.err.contains("int8") && !r.err.contains("int4"), qPrintable(r.err));
    const Result cpu = run(common + formats + QStringList{"--backend", "cpu"});
    QVERIFY2(cpu.code == 0, qPrintable(cpu.err));
    QCOMPARE(r.out, cpu.out);
  }

  // int8/int4 on the CPU keep their quantized weights in the data folder's cache (or the folder
  // --quant-cache names; none: no cache): the next run reads them and prints the same tokens.
  void cpu_quantized_weights_are_cached() {
    const Fixture f = load_fixture("gqa_2ln_sharded");
    QTemporaryDir data, other;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert("XDG_DATA_HOME", data.path());
    const QStringList common{"--model",
                             QString::fromStdString(f.dir.string()),
                             "--backend",
                             "cpu",
                             "--weights",
                             "int4",
                             "--prompt-tokens",
                             join_ids(f.prompt),
                             "--greedy",
                             "--max-new-tokens",
                             "4",
                             "--print-tokens"};
    const QString cache = data.filePath("falcon-chat/quant-cache");
    const Result first = run(common, env);
    QVERIFY2(first.code == 0 && first.err.contains("quantized weights cached in " + cache),
             qPrintable(first.err));
    QCOMPARE(QDir(cache).entryList(QDir::Files).size(), 1);
    const Result second = run(common, env);
    QVERIFY2(second.code == 0 && second.err.contains("read from the cache"), qPrintable(second.err));
    QCOMPARE(second.out, first.out);
    const Result own = run(common + QStringList{"--quant-cache", other.path()}, env);
    QVERIFY2(own.code == 0 && own.err.contains("cached in " + other.path()), qPrintable(own.err));
    QCOMPARE(own.out, first.out);
    const Result none = run(common + QStringList{"--quant-cache", "none"}, env);
    QVERIFY2(none.code == 0 && !none.err.contains("cache"), qPrintable(none.err));
    QCOMPARE(none.out, first.out);
  }

  // --bench prints one JSON line: the load, the prefill of the given prompt and the decode steps,
  // with the cache holding exactly those tokens at the end.
  void bench_prints_one_json_line() {
    const Fixture f = load_fixture("mqa_rope_parallel");
    const Result r = run({"--model", QString::fromStdString(f.dir.string()), "--backend", "cpu", "--weights",
                          "int8", "--bench", "--prompt-tokens", join_ids(f.prompt), "--max-new-tokens", "3"});
    QVERIFY2(r.code == 0, qPrintable(r.err));
    const QStringList lines = r.out.trimmed().split('\n');
    QCOMPARE(lines.size(), 1);
    const nlohmann::json j = nlohmann::json::parse(lines[0].toStdString());
    QCOMPARE(j.at("prompt_tokens").get<std::size_t>(), f.prompt.size());
    QCOMPARE(j.at("decode_tokens").get<int>(), 3);
    QCOMPARE(j.at("cache_tokens_at_end").get<std::size_t>(), f.prompt.size() + 3);
    QCOMPARE(j.at("weights").get<std::string>(), std::string("int8"));
    for (const char* key : {"load_ms", "prefill_ms", "decode_tok_s", "weight_bytes"})
      QVERIFY2(j.at(key).get<double>() > 0, key);
  }

  // A broken checkpoint (config.json that is not JSON) is a load error (3) with one line.
  void broken_config_is_a_load_error() {
    QTemporaryDir tmp;
    const auto src = models_dir() / "mqa_rope_parallel";
    for (const auto& e : std::filesystem::directory_iterator(src))
      std::filesystem::copy(e.path(), std::filesystem::path(tmp.path().toStdString()) / e.path().filename());
    QFile cfg(tmp.filePath("config.json"));
    QVERIFY(cfg.open(QIODevice::WriteOnly | QIODevice::Truncate));
    cfg.write("{ not json");
    cfg.close();
    const Result r = run({"--model", tmp.path(), "--backend", "cpu", "--prompt-tokens", "1,2"});
    QCOMPARE(r.code, 3);
    QVERIFY(r.err.contains("config.json"));
  }

  // --db chat on the bundled model: the reply is stored, and a title cut from a message of
  // two-byte characters stays valid UTF-8 (it was once cut mid-character).
  void db_chat_stores_the_reply_with_a_valid_title() {
    QTemporaryDir tmp;
    const QString db = tmp.filePath("chats.db");
    const QString model = QStringLiteral(FALCON_SOURCE_DIR) + "/resources/models/falcon-mini";
    const QString message = QString(QChar(0xE9)).repeated(40) + " 2 + 2?";
    const Result r = run({"--model", model, "--backend", "cpu", "--db", db, "--conversation", "1", "--chat",
                          message, "--greedy", "--max-new-tokens", "8"});
    QVERIFY2(r.code == 0, qPrintable(r.err));
    falcon::ConversationStore store(db.toStdString());
    const auto conversations = store.list_conversations();
    QCOMPARE(conversations.size(), size_t(1));
    const QByteArray title = QByteArray::fromStdString(conversations[0].title);
    QVERIFY(!title.isEmpty());
    QCOMPARE(QString::fromUtf8(title).toUtf8(), title);  // round-trips: no broken sequence
    const auto path = store.active_path(conversations[0].id);
    QCOMPARE(path.size(), size_t(2));
    QCOMPARE(QString::fromStdString(path[0].text), message);
  }

  // With stdout and stderr in one file (`> log 2>&1`), the reply's line ends before the notes
  // that follow it: its newline was left in stdout's buffer until exit, so the "saved" note ran
  // on from the reply's last word and the newline came last.
  void reply_line_ends_before_the_notes_after_it() {
    QTemporaryDir tmp;
    const QString model = QStringLiteral(FALCON_SOURCE_DIR) + "/resources/models/falcon-mini";
    QProcess p;
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.start(QStringLiteral(FALCON_RUN_BIN),
            {"--model", model, "--backend", "cpu", "--db", tmp.filePath("c.db"), "--conversation", "1",
             "--chat", "hi", "--greedy", "--max-new-tokens", "8"});
    QVERIFY(p.waitForFinished(120000));
    QCOMPARE(p.exitCode(), 0);
    const QString all = QString::fromUtf8(p.readAll());
    const qsizetype saved = all.indexOf(QStringLiteral("falcon-run: conversation 1, reply 2 saved"));
    QVERIFY2(saved > 0, qPrintable(all));
    QVERIFY2(all[saved - 1] == QLatin1Char('\n'), qPrintable(all));
    QVERIFY2(all.endsWith(QStringLiteral("evicted\n")), qPrintable(all));
  }

  // --tokenize / --detokenize need only the tokenizer files, and agree with HF tokenizers.
  void tokenize_matches_hf() {
    const auto cases = nlohmann::json::parse(
        read_file(std::filesystem::path(FALCON_FIXTURES_DIR) / "tokenizers" / "cases.json"));
    const auto& strings = cases["strings"];
    const auto& falcon = cases["tokenizers"]["falcon"];
    for (size_t i = 0; i < 12 && i < strings.size(); ++i) {
      const std::string text = strings[i].get<std::string>();
      if (text.empty() || text[0] == '-') continue;  // would read as a flag; the library tests cover it
      const Result r = run({"--model", tokenizer_dir("falcon"), "--tokenize", QString::fromStdString(text)});
      QVERIFY2(r.code == 0, qPrintable(r.err));
      QCOMPARE(parse_ids(r.out.trimmed()), falcon["ids"][i].get<std::vector<int32_t>>());
      const Result d = run({"--model", tokenizer_dir("falcon"), "--detokenize",
                            join_ids(falcon["ids"][i].get<std::vector<int32_t>>())});
      QVERIFY2(d.code == 0, qPrintable(d.err));
      QCOMPARE(d.out, QString::fromStdString(falcon["decoded"][i].get<std::string>()) + "\n");
    }
  }
};

QTEST_APPLESS_MAIN(TestFalconRun)
#include "test_falcon_run.moc"
