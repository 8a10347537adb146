// ChatController: the model picker and loading. The load itself runs on the worker thread;
// here only its progress and outcome arrive, so the window stays usable throughout.
#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QEvent>
#include <QFileInfo>
#include <QLocale>

#include "app/app_settings.h"
#include "app/bidi.h"
#include "app/chat_controller.h"
#include "app/engine/chat_session.h"
#include "app/engine/open_model.h"
#include "app/load_issue_words.h"
#include "app/model_inspector.h"
#include "core/model/gpu_oom_report.h"
#include "core/model/quant_cache_file.h"

QVariantMap ChatController::inspectModel(const QUrl& folder) const {
  return inspect_model_folder(localPath(folder));
}

namespace {

QVariantMap cache_files_map(const falcon::qcache::CacheFiles& f) {
  QVariantMap m;
  m[QStringLiteral("files")] = f.files;
  m[QStringLiteral("bytes")] = qulonglong(f.bytes);
  m[QStringLiteral("text")] =
      ChatController::tr("%1 in %n file(s)", nullptr, f.files).arg(ChatController::formatBytes(f.bytes));
  return m;
}

}  // namespace

QVariantMap ChatController::quantCacheUsage() const {
  return cache_files_map(falcon::qcache::usage(falcon::default_quant_cache_dir()));
}

int ChatController::clearQuantCache() {
  return falcon::qcache::remove_all(falcon::default_quant_cache_dir()).files;
}

QVariantList ChatController::quantCacheFiles() const {
  QVariantList out;
  for (const falcon::qcache::CacheFileInfo& f :
       falcon::qcache::list_files(falcon::default_quant_cache_dir())) {
    const QString layers = QString::fromStdString(f.name.layers), head = QString::fromStdString(f.name.head);
    QVariantMap m;
    m[QStringLiteral("path")] = QString::fromStdString(f.path.string());
    m[QStringLiteral("model")] = QString::fromStdString(f.name.model);
    //: A saved quantized model: its layers' format, its output head's format, the backend, e.g.
    //: "int4, int8 head · GPU".
    m[QStringLiteral("what")] = tr("%1, %2 head · %3").arg(layers, head, f.name.cpu ? tr("CPU") : tr("GPU"));
    m[QStringLiteral("sizeText")] = formatBytes(f.bytes);
    m[QStringLiteral("writtenText")] =
        QLocale().toString(QDateTime::fromSecsSinceEpoch(f.written_unix_s).date(), QLocale::ShortFormat);
    out.append(m);
  }
  return out;
}

bool ChatController::removeQuantCacheFile(const QString& path) {
  if (!falcon::qcache::remove_file(falcon::default_quant_cache_dir(), path.toStdString())) {
    fail(tr("%1 could not be removed.").arg(bidi::isolated(path)));
    return false;
  }
  return true;
}

QString ChatController::modelName() const {
  return model_dir_.isEmpty() ? QString() : QFileInfo(model_dir_).fileName();
}

void ChatController::loadModel(const QUrl& folder, const QString& backend, const QString& weights) {
  const QString dir = localPath(folder);
  falcon::ModelLoadRequest r;
  r.dir = dir.toStdString();
  try {
    r.backend = falcon::parse_backend_choice(backend.isEmpty() ? "auto" : backend.toStdString());
    r.weights = falcon::parse_weight_format(weights.isEmpty() ? "bf16" : weights.toStdString());
  } catch (const std::exception& e) {
    fail(QString::fromUtf8(e.what()));
    return;
  }
  if (busy_) inference_->cancelReply();  // the reply's engine is about to be replaced
  previous_model_dir_ = model_state_ == QLatin1String("ready") ? model_dir_ : QString();
  previous_model_backend_ = model_backend_;
  previous_model_weights_ = model_weights_;
  model_dir_ = dir;
  model_backend_ = backend.isEmpty() ? QStringLiteral("auto") : backend;
  model_weights_ = weights.isEmpty() ? QStringLiteral("bf16") : weights;
  model_state_ = QStringLiteral("loading");
  model_error_.clear();
  load_progress_ = 0;
  emit loadProgressChanged();
  emit modelChanged();
  inference_->loadModel(r);
}

void ChatController::cancelLoad() {
  if (model_state_ == QLatin1String("loading")) inference_->cancelLoad();
}

void ChatController::onModelLoaded(const QVariantMap& info) {
  model_state_ = QStringLiteral("ready");
  backend_ = info.value(QStringLiteral("backend")).toString();
  backend_kind_ = info.value(QStringLiteral("backendKind")).toInt();
  backend_threads_ = info.value(QStringLiteral("threads")).toInt();
  backend_device_ = info.value(QStringLiteral("device")).toString();
  weight_format_ = info.value(QStringLiteral("weightFormat")).toString();
  model_examples_ = info.value(QStringLiteral("examples")).toStringList();
  weights_bytes_ = info.value(QStringLiteral("weightsBytes")).toULongLong();
  cache_bytes_ = info.value(QStringLiteral("cacheBytes")).toULongLong();
  on_device_ = info.value(QStringLiteral("onDevice")).toBool();
  device_used_ = info.value(QStringLiteral("deviceUsedBytes")).toULongLong();
  device_total_ = info.value(QStringLiteral("deviceTotalBytes")).toULongLong();
  settings_->setLastModel(model_dir_, model_backend_, model_weights_);
  // The load's own notes (a GPU fallback, a broken falcon-chat.json), or none: a note left from
  // before was about the model before. (Reopening the chat below may add its resume note.)
  load_notes_ = LoadNotes{info.value(QStringLiteral("gpuFallbackReason")).toString(),
                          info.value(QStringLiteral("gpuFallbackKind")).toInt(),
                          info.value(QStringLiteral("loadNotes")).toStringList(),
                          info.value(QStringLiteral("examplesProblem")).toString()};
  notice_.clear();
  notice_source_ = NoticeSource::Load;
  emit noticeChanged();
  emit modelChanged();
  if (current_id_ != 0) inference_->openConversation(current_id_);
  if (options_.memory_refresh_ms > 0) memory_timer_.start();
  postMeasures();  // the typed messages in this model's tokens
}

void ChatController::onModelLoadFailed(const QString& message, bool cancelled, bool kept) {
  postMeasures();  // in the tokens of the model still loaded, or none
  if (kept && !previous_model_dir_.isEmpty()) {
    // Refused before the old model was unloaded: it is still there and still usable.
    model_state_ = QStringLiteral("ready");
    model_dir_ = previous_model_dir_;
    model_backend_ = previous_model_backend_;
    model_weights_ = previous_model_weights_;
    model_error_ = message;
    emit modelChanged();
    fail(tr("The model could not be loaded: %1").arg(engineMessageText(message)));
    return;
  }
  model_state_ = cancelled ? QStringLiteral("none") : QStringLiteral("failed");
  model_error_ = cancelled ? QString() : message;
  backend_.clear();
  backend_kind_ = backend_threads_ = 0;
  backend_device_.clear();
  weight_format_.clear();
  model_examples_.clear();
  weights_bytes_ = cache_bytes_ = device_used_ = device_total_ = 0;
  if (cancelled) model_dir_.clear();
  emit modelChanged();
  if (!cancelled) fail(tr("The model could not be loaded: %1").arg(engineMessageText(message)));
}

QString ChatController::backendDescription() const {
  switch (static_cast<falcon::BackendIdentity::Kind>(backend_kind_)) {
    case falcon::BackendIdentity::Kind::Cpu:
      return tr("CPU, %n thread(s)", nullptr, backend_threads_);
    case falcon::BackendIdentity::Kind::Cuda:
      return tr("%1 (CUDA)").arg(backend_device_);
    case falcon::BackendIdentity::Kind::Other:
      break;
  }
  return backend_;  // the engine's own words
}

QString ChatController::notice() const {
  // The one notice a resume gives (a chat made by another model) in the user's language; anything
  // else (an error) as the engine worded it.
  if (notice_source_ == NoticeSource::Resume)
    return notice_ == QLatin1String(falcon::ChatSession::kOtherModelNotice)
               ? tr("This conversation was made with another model; its text is tokenized again for the "
                    "one loaded now, so replies can differ from before.")
               : notice_;
  if (notice_source_ == NoticeSource::MessageCut)
    return tr("Only the last %1 of the %2 tokens of your message fit this chat's context window, "
              "so the model did not see its beginning. A larger window (Sampling) keeps more.")
        .arg(cut_kept_)
        .arg(cut_total_);
  QStringList parts;
  const LoadNotes& n = load_notes_;
  if (!n.gpu_fallback_reason.isEmpty()) {
    // The kinds a user meets most (no driver, no GPU) in their language; the rest with the
    // engine's details, which name files and libraries.
    QString why;
    switch (static_cast<falcon::GpuUnusable>(n.gpu_fallback_kind)) {
      case falcon::GpuUnusable::NoBuild:
        why = tr("this build has no GPU support");
        break;
      case falcon::GpuUnusable::NoDriver:
        why = tr("no usable NVIDIA driver (none installed, or one too old for CUDA 13)");
        break;
      case falcon::GpuUnusable::NoGpu:
        why = tr("no NVIDIA GPU found");
        break;
      case falcon::GpuUnusable::NoPlugin:
        why = tr("the GPU backend could not be loaded (%1)").arg(n.gpu_fallback_reason);
        break;
      default:
        // A model too large for the GPU, say (its sentences, the last one's period left to the frame).
        why = engineMessageText(n.gpu_fallback_reason, false);
        if (why.endsWith(QLatin1Char('.'))) why.chop(1);
    }
    parts << tr("GPU not used: %1. Running on the CPU.").arg(why);
  }
  // The quantization cache's notes (the engine's English, with paths for falcon-run) in words of
  // the user's language; the first load's "no file yet" says nothing the "saved" after it does not.
  bool saved = false;
  for (const QString& note : n.notes)
    saved = saved ||
            falcon::qcache::cache_notice_kind(note.toStdString()) == falcon::qcache::CacheNotice::Written;
  for (const QString& note : n.notes) {
    const std::string line = note.toStdString();
    const auto kind = falcon::qcache::cache_notice_kind(line);
    if (!kind) {
      parts << note;
      continue;
    }
    switch (*kind) {
      case falcon::qcache::CacheNotice::Read:
        parts << tr("Quantized weights read from the cache.");
        break;
      case falcon::qcache::CacheNotice::Written:
        parts << tr("Quantized weights saved: the next load of this model skips quantizing.");
        break;
      case falcon::qcache::CacheNotice::Missing:
        break;
      case falcon::qcache::CacheNotice::Unusable:
        if (saved) parts << tr("The saved quantized weights did not match this model and were made again.");
        break;
      case falcon::qcache::CacheNotice::NotWritten:
        // The reason names the file and the system's error (a full disk, a read-only folder).
        parts << tr("Quantized weights could not be saved for the next load (%1).")
                     .arg(QString::fromStdString(std::string(falcon::qcache::cache_notice_detail(line))));
        break;
    }
  }
  if (!n.examples_problem.isEmpty()) parts << tr("No example prompts: %1").arg(n.examples_problem);
  return parts.join(QStringLiteral(" · "));
}

bool ChatController::eventFilter(QObject* watched, QEvent* event) {
  // Texts this controller words itself (the status bar's) follow a change of language at once.
  if (event->type() == QEvent::LanguageChange) {
    emit modelChanged();
    emit memoryChanged();
    emit noticeChanged();
  }
  return QObject::eventFilter(watched, event);
}

QString ChatController::formatBytes(quint64 bytes) {
  constexpr double kMiB = 1024.0 * 1024.0;
  constexpr double kGiB = kMiB * 1024.0;
  if (double(bytes) >= kGiB) return tr("%1 GiB").arg(double(bytes) / kGiB, 0, 'f', 2);
  return tr("%1 MiB").arg(double(bytes) / kMiB, 0, 'f', 1);
}

QString ChatController::engineMessageText(const QString& message, bool cpu_advice) {
  const std::optional<falcon::GpuOomReport> oom = falcon::parse_gpu_oom_text(message.toStdString());
  if (!oom) return load_issue_words::translate(message);
  const auto bytes = [](uint64_t b) { return formatBytes(quint64(b)); };
  QStringList parts;
  parts << tr("Not enough GPU memory on %1: the model needs %2 (weights %3, a KV cache of %4 tokens %5, "
              "scratch and CUDA %6), but only %7 of %8 are free.")
               .arg(QString::fromStdString(oom->device), bytes(oom->need), bytes(oom->weights))
               .arg(oom->cache_tokens)
               .arg(bytes(oom->cache), bytes(oom->scratch), bytes(oom->free), bytes(oom->total));
  if (!oom->fit_format.empty())
    parts << tr("%1 weights would need %2 and fit.")
                 .arg(QString::fromStdString(oom->fit_format), bytes(oom->fit_need));
  if (oom->fit_cache_tokens > 0)
    parts << tr("With these weights a KV cache of up to %1 tokens fits.").arg(oom->fit_cache_tokens);
  if (oom->fit_format.empty() && oom->fit_cache_tokens <= 0)
    parts << (oom->smallest_format.empty()
                  ? tr("The weights alone do not fit.")
                  : tr("Even %1 weights would need %2.")
                        .arg(QString::fromStdString(oom->smallest_format), bytes(oom->smallest_need)));
  if (cpu_advice) parts << tr("The CPU backend can run it instead.");
  return parts.join(QLatin1Char(' '));
}

QString ChatController::memoryText() const {
  if (model_state_ != QLatin1String("ready") || weights_bytes_ == 0) return {};
  QString text =
      tr("weights %1 + cache %2 (%3)")
          .arg(formatBytes(weights_bytes_), formatBytes(cache_bytes_), on_device_ ? tr("GPU") : tr("RAM"));
  // The whole device (GPU memory, or the machine's RAM): used / total, re-read every few seconds.
  if (device_total_ > 0)
    text += QStringLiteral(" · ") +
            tr("%1 of %2 in use").arg(formatBytes(device_used_), formatBytes(device_total_));
  return text;
}

QString ChatController::statusText() const {
  if (model_state_ != QLatin1String("ready")) return {};
  QStringList parts{backendDescription()};
  if (!weight_format_.isEmpty()) parts << weight_format_;
  if (const QString mem = memoryText(); !mem.isEmpty()) parts << mem;
  return parts.join(QStringLiteral(" · "));
}

QStringList ChatController::bundledModels() const {
  QStringList roots;
  const QString env = qEnvironmentVariable("FALCON_CHAT_MODELS");
  if (!env.isEmpty()) roots << env;
  const QString app_dir = QCoreApplication::applicationDirPath();
  roots << app_dir + QStringLiteral("/../share/falcon-chat/models")  // installed
        << app_dir + QStringLiteral("/../../resources/models")       // build-tree/app/falcon-chat
        << app_dir + QStringLiteral("/../resources/models");
  QStringList found, canonical;
  for (const QString& root : roots) {
    const QDir d(root);
    for (const QString& sub : d.entryList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name)) {
      const QString dir = QDir::cleanPath(d.absoluteFilePath(sub));
      // Once each: the build tree's share/ links to resources/, which is also a root.
      const QString real = QFileInfo(dir).canonicalFilePath();
      if (QFileInfo::exists(dir + QStringLiteral("/config.json")) && !canonical.contains(real)) {
        found << dir;
        canonical << real;
      }
    }
  }
  return found;
}

namespace {
// Whether the folder whose canonical path is `canonical` ("" when it is gone) is one of `dirs`,
// however they are spelled.
bool same_folder_among(const QString& canonical, const QStringList& dirs) {
  if (canonical.isEmpty()) return false;
  for (const QString& d : dirs)
    if (QFileInfo(d).canonicalFilePath() == canonical) return true;
  return false;
}
}  // namespace

bool ChatController::modelBundled() const {
  return same_folder_among(QFileInfo(model_dir_).canonicalFilePath(), bundledModels());
}

QVariantList ChatController::recentModels() const {
  QVariantList out;
  QStringList seen;
  const QStringList bundled = bundledModels();
  auto add = [&](const QString& dir, const QString& backend, const QString& weights) {
    const QString canonical = QFileInfo(dir).canonicalFilePath();  // "" when it is gone
    if (canonical.isEmpty() || !QFileInfo(canonical).isDir() || seen.contains(canonical)) return;
    seen << canonical;
    out << QVariantMap{{QStringLiteral("dir"), dir},
                       {QStringLiteral("name"), QFileInfo(canonical).fileName()},
                       {QStringLiteral("backend"), backend.isEmpty() ? QStringLiteral("auto") : backend},
                       {QStringLiteral("weights"), weights.isEmpty() ? QStringLiteral("bf16") : weights},
                       {QStringLiteral("bundled"), same_folder_among(canonical, bundled)}};
  };
  for (const AppSettings::RecentModel& m : settings_->recentModels()) add(m.dir, m.backend, m.weights);
  for (const QString& b : bundled) add(b, QStringLiteral("auto"), QStringLiteral("bf16"));
  return out;
}

void ChatController::restoreLastSession() {
  // The last model (or the bundled one) loads in the background; the window is usable at once.
  QString dir = settings_->lastModelDir();
  QString backend = settings_->lastBackend();
  QString weights = settings_->lastWeights();
  if (dir.isEmpty() || !QFileInfo(dir).isDir()) {
    const QStringList bundled = bundledModels();
    dir = bundled.isEmpty() ? QString() : bundled.front();
    backend = QStringLiteral("auto");
    weights = QStringLiteral("bf16");
  }
  const qint64 last = settings_->lastConversationId();
  if (last != 0 && list_->find(last)) selectConversation(last);
  if (!dir.isEmpty()) loadModel(QUrl::fromLocalFile(dir), backend, weights);
}
