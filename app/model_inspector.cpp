#include "app/model_inspector.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QStringList>
#include <set>

#include "app/bidi.h"
#include "app/load_issue_words.h"
#include "core/model/checkpoint.h"
#include "core/model/model_config.h"
#include "core/model/safetensors.h"

namespace {

QString variant_text(const falcon::ModelConfig& c) {
  QString layout;
  if (c.new_decoder_architecture)
    layout = QCoreApplication::translate("ModelInspector", "new architecture, %1 KV heads, %2 LayerNorm(s)")
                 .arg(c.num_kv_heads)
                 .arg(c.has_two_parallel_layernorms() ? 2 : 1);
  else if (c.multi_query)
    layout = QCoreApplication::translate("ModelInspector", "multi-query (one KV head)");
  else
    layout = QCoreApplication::translate("ModelInspector", "classic multi-head attention");
  const QString blocks = c.parallel_attn ? QCoreApplication::translate("ModelInspector", "parallel blocks")
                                         : QCoreApplication::translate("ModelInspector", "sequential blocks");
  const QString pos = c.alibi ? QStringLiteral("ALiBi") : QStringLiteral("RoPE");
  return QStringLiteral("%1 · %2 · %3 · %4").arg(QString::fromStdString(c.model_type), layout, blocks, pos);
}

QString parameters_text(qint64 n) {
  if (n >= 1'000'000'000) return QStringLiteral("%1 B").arg(double(n) / 1e9, 0, 'f', 1);
  if (n >= 1'000'000) return QStringLiteral("%1 M").arg(double(n) / 1e6, 0, 'f', 1);
  if (n >= 1'000) return QStringLiteral("%1 K").arg(double(n) / 1e3, 0, 'f', 1);
  return QString::number(n);
}

// diagnose_missing_config's message in the user's language (in English the same words).
QString missing_config_text(const falcon::MissingConfig& why, const QString& dir) {
  using Reason = falcon::MissingConfig::Reason;
  using Foreign = falcon::MissingConfig::Foreign;
  const bool gguf = why.foreign == Foreign::Gguf;
  const QString first = bidi::isolated(
      why.model_folders.empty() ? QString() : QString::fromStdString(why.model_folders.front().string()));
  const QString shown = bidi::isolated(dir);
  switch (why.reason) {
    case Reason::NotThere:
      return QCoreApplication::translate(
                 "ModelInspector", "%1 does not exist (a model is a Hugging Face folder with config.json)")
          .arg(shown);
    case Reason::ForeignFile:
      return (gguf ? QCoreApplication::translate(
                         "ModelInspector",
                         "%1 is a GGUF/GGML file (llama.cpp, LM Studio, GPT4All), which is not supported; "
                         "falcon-chat loads Hugging Face checkpoint folders: config.json with the "
                         "*.safetensors weights")
                   : QCoreApplication::translate(
                         "ModelInspector",
                         "%1 is a PyTorch pickle file, which is not loaded (unpickling can run code); "
                         "convert the checkpoint to safetensors with Hugging Face's tools and choose the "
                         "folder with its config.json"))
          .arg(shown);
    case Reason::FileOfModel:
      return QCoreApplication::translate(
                 "ModelInspector", "%1 is a file, not a model folder: choose the folder that holds it (%2)")
          .arg(shown, first);
    case Reason::File:
      return QCoreApplication::translate(
                 "ModelInspector",
                 "%1 is a file, not a model folder (a model is a Hugging Face folder with config.json)")
          .arg(shown);
    case Reason::OneModelInside:
      return QCoreApplication::translate("ModelInspector",
                                         "no config.json in %1, but in a folder inside it: choose %2")
          .arg(shown, first);
    case Reason::SeveralModelsInside: {
      QStringList names;
      for (std::size_t i = 0; i < why.model_folders.size() && i < 3; ++i)
        names << QString::fromStdString(why.model_folders[i].lexically_relative(dir.toStdString()).string());
      if (why.model_folders.size() > 3) names << QStringLiteral("...");
      return QCoreApplication::translate(
                 "ModelInspector",
                 "no config.json in %1: it holds several model folders (%2); choose one of them")
          .arg(shown, bidi::isolated(names.join(QStringLiteral(", "))));
    }
    case Reason::ForeignInside:
      return (gguf ? QCoreApplication::translate(
                         "ModelInspector",
                         "no config.json in %1: it holds a GGUF/GGML file (llama.cpp, LM Studio, GPT4All), "
                         "which is not supported; falcon-chat loads Hugging Face checkpoint folders: "
                         "config.json with the *.safetensors weights")
                   : QCoreApplication::translate(
                         "ModelInspector",
                         "no config.json in %1: it holds a PyTorch pickle file, which is not loaded "
                         "(unpickling can run code); convert the checkpoint to safetensors with Hugging "
                         "Face's tools and choose the folder with its config.json"))
          .arg(shown);
    case Reason::NoModel:
      break;
  }
  return QCoreApplication::translate("ModelInspector",
                                     "no config.json in %1 (is this a Hugging Face model folder?)")
      .arg(shown);
}

}  // namespace

QVariantMap inspect_model_folder(const QString& dir) {
  QVariantMap m;
  m[QStringLiteral("ok")] = false;
  m[QStringLiteral("dir")] = dir;
  m[QStringLiteral("name")] = QFileInfo(dir).fileName();
  if (dir.isEmpty() || !QFileInfo::exists(dir)) {
    m[QStringLiteral("error")] =
        QCoreApplication::translate("ModelInspector", "The folder %1 does not exist.")
            .arg(bidi::isolated(dir));
    return m;
  }
  const QDir d(dir);
  const bool is_dir = QFileInfo(dir).isDir();
  if (d.exists(QStringLiteral("tokenizer.json")))
    m[QStringLiteral("tokenizer")] = QStringLiteral("tokenizer.json");
  else if (d.exists(QStringLiteral("tokenizer.model")))
    m[QStringLiteral("tokenizer")] = QStringLiteral("tokenizer.model");
  else
    m[QStringLiteral("tokenizer")] = QString();
  if (!is_dir || !QFileInfo(d.filePath(QStringLiteral("config.json"))).isFile()) {
    // load_model_config's message, and the folder walk behind it done once: a folder above the
    // model's (the Hugging Face cache's models--org--name, say) offers the one model folder
    // inside it, and a file of a model (dropped on the window) the folder that holds it, for the
    // dialog's "Use" button.
    const falcon::MissingConfig why = falcon::diagnose_missing_config(dir.toStdString());
    m[QStringLiteral("error")] = missing_config_text(why, dir);
    if (why.model_folders.size() == 1)
      m[QStringLiteral("suggestedDir")] = QString::fromStdString(why.model_folders.front().string());
    return m;
  }
  try {
    const falcon::ModelConfig c = falcon::load_model_config(dir.toStdString());
    m[QStringLiteral("variant")] = variant_text(c);
    m[QStringLiteral("contextLength")] = c.max_position_embeddings;
    m[QStringLiteral("vocabSize")] = c.vocab_size;
    m[QStringLiteral("layers")] = c.num_layers;
    const falcon::CheckpointReader reader(dir.toStdString());
    // Weights of another size or variant than config.json: said here, before a load is tried.
    reader.validate(c);
    qint64 params = 0;
    std::set<std::string> dtypes;
    for (const std::string& name : reader.names()) {
      const falcon::TensorView t = reader.get(name);
      params += t.numel();
      dtypes.insert(falcon::dtype_name(t.dtype));
    }
    m[QStringLiteral("parameters")] = params;
    m[QStringLiteral("parametersText")] = parameters_text(params);
    m[QStringLiteral("dtype")] =
        dtypes.size() == 1 ? QString::fromStdString(*dtypes.begin()).toLower() : QStringLiteral("mixed");
    m[QStringLiteral("bytes")] = qint64(reader.total_tensor_bytes());
    m[QStringLiteral("ok")] = true;
    if (m[QStringLiteral("tokenizer")].toString().isEmpty())
      m[QStringLiteral("warning")] = QCoreApplication::translate(
          "ModelInspector",
          "No tokenizer (tokenizer.json or tokenizer.model) in this folder: the model cannot chat.");
  } catch (const std::exception& e) {
    m[QStringLiteral("error")] = load_issue_words::translate(QString::fromUtf8(e.what()));
  }
  return m;
}
