// What the model dialog says about a folder (inspect_model_folder): a real model's facts, and for
// the usual mistakes (a file of the model, a folder above it, GGUF or pickle weights) the same
// explanation as the engine's (diagnose_missing_config), in the user's language.
#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QGuiApplication>
#include <QTemporaryDir>
#include <QTranslator>
#include <QtTest>
#include <filesystem>
#include <set>

#include "app/model_inspector.h"
#include "core/model/model_config.h"

class ModelInspectorTest : public QObject {
  Q_OBJECT
  QTemporaryDir dir_;

  QString put(const QString& relative, const QByteArray& bytes = "x") {
    const QString path = dir_.filePath(relative);
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly) || f.write(bytes) != bytes.size())
      qFatal("cannot write %s", qPrintable(path));
    return path;
  }
  // Every kind of mistake diagnose_missing_config tells apart, as a path to inspect.
  QStringList mistakes() {
    const QString config = QStringLiteral("{\"model_type\": \"falcon\"}");
    put(QStringLiteral("model/config.json"), config.toUtf8());
    put(QStringLiteral("hub/models--tiiuae--falcon-7b/snapshots/0123/config.json"), config.toUtf8());
    for (const char* m : {"a", "b", "c", "d"})
      put(QStringLiteral("several/%1/config.json").arg(m), config.toUtf8());
    put(QStringLiteral("gguf/falcon-7b.Q4_K_M.gguf"));
    put(QStringLiteral("pickle/pytorch_model.bin"));
    put(QStringLiteral("notes/readme.txt"));
    return {dir_.filePath(QStringLiteral("missing")),
            dir_.filePath(QStringLiteral("gguf/falcon-7b.Q4_K_M.gguf")),
            dir_.filePath(QStringLiteral("pickle/pytorch_model.bin")),
            dir_.filePath(QStringLiteral("model/config.json")),
            dir_.filePath(QStringLiteral("notes/readme.txt")),
            dir_.filePath(QStringLiteral("hub")),
            dir_.filePath(QStringLiteral("several")),
            dir_.filePath(QStringLiteral("gguf")),
            dir_.filePath(QStringLiteral("pickle")),
            dir_.filePath(QStringLiteral("notes"))};
  }

 private slots:
  // In English the dialog words each mistake as the engine (and falcon-run) does: one text, kept in
  // two places, checked against each other case by case.
  void mistakes_read_as_the_engine_says_them() {
    std::set<falcon::MissingConfig::Reason> reasons;
    for (const QString& path : mistakes()) {
      const falcon::MissingConfig why = falcon::diagnose_missing_config(path.toStdString());
      reasons.insert(why.reason);
      const QVariantMap info = inspect_model_folder(path);
      QVERIFY(!info.value(QStringLiteral("ok")).toBool());
      if (why.reason == falcon::MissingConfig::Reason::NotThere) continue;  // the dialog's own words
      QCOMPARE(info.value(QStringLiteral("error")).toString(), QString::fromStdString(why.message));
      QCOMPARE(info.contains(QStringLiteral("suggestedDir")), why.model_folders.size() == 1);
    }
    QCOMPARE(reasons.size(), size_t(8));  // every reason was met
    QCOMPARE(inspect_model_folder(dir_.filePath(QStringLiteral("hub")))
                 .value(QStringLiteral("suggestedDir"))
                 .toString(),
             dir_.filePath(QStringLiteral("hub/models--tiiuae--falcon-7b/snapshots/0123")));
  }

  // In German, every one of them is German (the engine's English stayed inside the German frame
  // before), with the paths intact.
  void mistakes_are_explained_in_the_users_language() {
    QTranslator de;
    QVERIFY(de.load(QStringLiteral(FALCON_BINARY_DIR "/app/falcon-chat_de.qm")));
    QCoreApplication::installTranslator(&de);
    for (const QString& path : mistakes()) {
      const QString english =
          QString::fromStdString(falcon::diagnose_missing_config(path.toStdString()).message);
      const QString error = inspect_model_folder(path).value(QStringLiteral("error")).toString();
      QVERIFY2(error != english, qPrintable(error));
      QVERIFY2(error.contains(path), qPrintable(error));
      for (const char* word : {" is a ", "choose", "holds", "does not exist", "which is not"})
        QVERIFY2(!error.contains(QLatin1String(word)), qPrintable(error));
    }
    const QString gguf =
        inspect_model_folder(dir_.filePath(QStringLiteral("gguf"))).value(QStringLiteral("error")).toString();
    QVERIFY2(gguf.contains(QStringLiteral("GGUF")) && gguf.contains(QStringLiteral("*.safetensors")),
             qPrintable(gguf));
    const QString several = inspect_model_folder(dir_.filePath(QStringLiteral("several")))
                                .value(QStringLiteral("error"))
                                .toString();
    QVERIFY2(several.contains(QStringLiteral("(a, b, c, ...)")), qPrintable(several));
    QCoreApplication::removeTranslator(&de);
  }

  // A config.json beside the usual problems of what else is there (core/common/load_issue.h):
  // another architecture, pickle weights only, a shard cut short, pre-quantized (GPTQ) weights, a
  // garbled header.
  // Each says what to do, in English and in German, its file or folder named.
  void checkpoint_problems_say_what_to_do_in_the_users_language() {
    const QByteArray falcon = QByteArrayLiteral(
        "{\"model_type\": \"falcon\", \"vocab_size\": 8, \"hidden_size\": 4, \"num_hidden_layers\": 1, "
        "\"num_attention_heads\": 2}");
    put(QStringLiteral("llama/config.json"), QByteArrayLiteral("{\"model_type\": \"llama\"}"));
    put(QStringLiteral("pickles/config.json"), falcon);
    put(QStringLiteral("pickles/pytorch_model.bin"));
    put(QStringLiteral("cut/config.json"), falcon);
    // A header that promises 64 bytes of data, and no data.
    const QByteArray header =
        QByteArrayLiteral("{\"a\":{\"dtype\":\"F32\",\"shape\":[16],\"data_offsets\":[0,64]}}");
    QByteArray cut(8, '\0');
    cut[0] = char(header.size());
    put(QStringLiteral("cut/model.safetensors"), cut + header);
    put(QStringLiteral("gptq/config.json"), falcon);
    const QByteArray q =
        QByteArrayLiteral("{\"h.0.qweight\":{\"dtype\":\"I32\",\"shape\":[1],\"data_offsets\":[0,4]}}");
    QByteArray gptq(8, '\0');
    gptq[0] = char(q.size());
    put(QStringLiteral("gptq/model.safetensors"), gptq + q + QByteArray(4, '\0'));
    // A header that is not JSON at all (a file damaged in the middle, or of another kind).
    put(QStringLiteral("garbled/config.json"), falcon);
    const QByteArray junk = QByteArrayLiteral("{\"a\": [1, ");
    QByteArray garbled(8, '\0');
    garbled[0] = char(junk.size());
    put(QStringLiteral("garbled/model.safetensors"), garbled + junk);
    struct Case {
      const char* folder;
      const char* english;  // a phrase of the English advice
      const char* german;   // and of the German
    };
    const Case cases[] = {
        {"llama", "holds a “llama” model, not a Falcon model", "„llama“-Modell, kein Falcon-Modell"},
        {"pickles", "Convert the checkpoint to safetensors first", "Wandeln Sie den Checkpoint zuerst"},
        {"cut", "the download did not finish. Download this file again.", "Laden Sie diese Datei erneut"},
        {"gptq", "holds I32 weights (tensor h.0.qweight)", "vorquantisierten wie GPTQ"},
        {"garbled", "is damaged or not a safetensors file", "ist beschädigt oder keine safetensors-Datei"},
    };
    QTranslator de;
    QVERIFY(de.load(QStringLiteral(FALCON_BINARY_DIR "/app/falcon-chat_de.qm")));
    for (const Case& c : cases) {
      const QString path = dir_.filePath(QString::fromLatin1(c.folder));
      const QString english = inspect_model_folder(path).value(QStringLiteral("error")).toString();
      QVERIFY2(english.contains(QString::fromUtf8(c.english)), qPrintable(english));
      QCoreApplication::installTranslator(&de);
      const QString german = inspect_model_folder(path).value(QStringLiteral("error")).toString();
      QCoreApplication::removeTranslator(&de);
      QVERIFY2(german.contains(QString::fromUtf8(c.german)), qPrintable(german));
      if (QByteArray(c.folder) != "llama")  // the others name the folder or the file
        QVERIFY2(german.contains(path), qPrintable(german));
    }
  }

  // The bundled model reads as a model.
  void a_model_folder_is_described() {
    const QString folder = QStringLiteral(FALCON_SOURCE_DIR "/resources/models/falcon-mini");
    const QVariantMap info = inspect_model_folder(folder);
    QVERIFY2(info.value(QStringLiteral("ok")).toBool(),
             qPrintable(info.value(QStringLiteral("error")).toString()));
    const QString tokenizer = info.value(QStringLiteral("tokenizer")).toString();
    QVERIFY(tokenizer == QLatin1String("tokenizer.json") || tokenizer == QLatin1String("tokenizer.model"));
    QVERIFY(QFile::exists(folder + QLatin1Char('/') + tokenizer));
    QVERIFY(info.value(QStringLiteral("parameters")).toLongLong() > 1'000'000);
    QVERIFY(info.value(QStringLiteral("layers")).toInt() > 0);
  }

  // Right to left (Arabic), a path in the advice keeps its own direction in an isolate.
  void a_path_keeps_its_direction_right_to_left() {
    const QString missing = dir_.filePath(QStringLiteral("not-here"));
    QGuiApplication::setLayoutDirection(Qt::RightToLeft);
    const QString rtl = inspect_model_folder(missing).value(QStringLiteral("error")).toString();
    QGuiApplication::setLayoutDirection(Qt::LeftToRight);
    const QString ltr = inspect_model_folder(missing).value(QStringLiteral("error")).toString();
    QVERIFY2(rtl.contains(QChar(0x2068) + missing + QChar(0x2069)), qPrintable(rtl));
    QVERIFY2(ltr.contains(missing) && !ltr.contains(QChar(0x2068)), qPrintable(ltr));
  }

  // Weights that do not fit their config.json (a config of another size beside them) are said
  // when the folder is chosen, and Load is not offered (ok false), rather than failing after it.
  void weights_that_do_not_fit_their_config_are_found_before_a_load() {
    const QString fixture = QStringLiteral(FALCON_FIXTURES_DIR "/models/mqa_rope_parallel");
    const QString folder = dir_.filePath(QStringLiteral("deeper"));
    QVERIFY(QDir().mkpath(folder));
    QVERIFY(QFile::copy(fixture + QStringLiteral("/model.safetensors"),
                        folder + QStringLiteral("/model.safetensors")));
    QFile in(fixture + QStringLiteral("/config.json"));
    QVERIFY(in.open(QIODevice::ReadOnly));
    QByteArray config = in.readAll();
    QVERIFY(config.contains("\"num_hidden_layers\": 2"));
    config.replace("\"num_hidden_layers\": 2", "\"num_hidden_layers\": 3");
    put(QStringLiteral("deeper/config.json"), config);
    const QVariantMap bad = inspect_model_folder(folder);
    QCOMPARE(bad.value(QStringLiteral("ok")).toBool(), false);
    QVERIFY2(
        bad.value(QStringLiteral("error")).toString().contains(QStringLiteral("do not fit its config.json")),
        qPrintable(bad.value(QStringLiteral("error")).toString()));
    // The fixture itself, as it is, is fine.
    QCOMPARE(inspect_model_folder(fixture).value(QStringLiteral("ok")).toBool(), true);
  }
};

QTEST_MAIN(ModelInspectorTest)
#include "test_model_inspector.moc"
