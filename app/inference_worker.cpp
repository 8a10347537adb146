#include "app/inference_worker.h"

#include <chrono>

#include "app/token_coalescer.h"
#include "core/common/error.h"
#include "core/model/chat_examples.h"

using namespace falcon;

namespace {

QString stop_reason_text(StopReason r) {
  return QString::fromUtf8(std::string(to_string(r)).c_str());
}

QVariantMap stats_map(const ReplyResult& r) {
  QVariantMap m;
  m[QStringLiteral("ttftMs")] = r.stats.ttft_ms ? QVariant(*r.stats.ttft_ms) : QVariant();
  m[QStringLiteral("tokensPerS")] = r.stats.tokens_per_s ? QVariant(*r.stats.tokens_per_s) : QVariant();
  m[QStringLiteral("stopReason")] = stop_reason_text(r.stats.stop_reason);
  m[QStringLiteral("text")] = QString::fromStdString(r.text);
  m[QStringLiteral("messageTokens")] = qint64(r.answered.tokens);
  m[QStringLiteral("messageTokensCut")] = qint64(r.answered.cut);
  return m;
}

QString error_text(const std::exception& e) {
  return QString::fromUtf8(e.what());
}

}  // namespace

InferenceWorker::InferenceWorker(QString db_path, EngineFactory factory,
                                 const std::atomic<bool>* reply_cancel, const std::atomic<bool>* load_cancel,
                                 const std::atomic<bool>* open_cancel, falcon::StoreOptions store_options)
    : db_path_(std::move(db_path)),
      factory_(std::move(factory)),
      reply_cancel_(reply_cancel),
      load_cancel_(load_cancel),
      open_cancel_(open_cancel),
      store_options_(std::move(store_options)) {}

falcon::StoreOptions InferenceWorker::storeOptions() {
  // A reply saves its text every 32 tokens (PartialWriter); with synchronous=FULL each save
  // waited for an fdatasync on the decode thread (0.15 ms on the dev machine's virtual disk,
  // 1-10 ms on a laptop's SSD, 40-100 ms on a busy disk, against a 3-5 ms token).
  falcon::StoreOptions o;
  o.sync_behind = true;
  return o;
}

InferenceWorker::~InferenceWorker() = default;

void InferenceWorker::initialize() {
  try {
    store_ = std::make_unique<ConversationStore>(db_path_.toStdString(), store_options_);
    engine_ = factory_();
  } catch (const std::exception& e) {
    emit initializeFailed(error_text(e));
  }
}

void InferenceWorker::shutdown() {
  engine_.reset();
  store_.reset();
}

void InferenceWorker::emitContext() {
  if (!engine_) return;
  const ContextCounts c = engine_->context();
  emit contextChanged(c.pinned, c.evicted, c.recent, c.window);
}

void InferenceWorker::loadModel(const ModelLoadRequest& request) {
  if (!engine_) {
    emit modelLoadFailed(tr("The inference engine could not start."), false, false);
    return;
  }
  // Progress is throttled like text: at most one signal per ~16 ms or per whole percent.
  TokenCoalescer pacing;
  int last_percent = -1;
  auto progress = [&](double p) {
    const int percent = int(p * 100);
    if (percent != last_percent && pacing.add("x")) {
      pacing.take();
      last_percent = percent;
      emit loadProgress(p);
    }
    return !load_cancel_->load();
  };
  try {
    const LoadedModelInfo info = engine_->load(request, progress);
    emit loadProgress(1.0);
    QVariantMap m;
    m[QStringLiteral("dir")] = QString::fromStdString(info.dir);
    // In parts: the controller puts them into words of the language chosen at the time.
    m[QStringLiteral("backendKind")] = int(info.backend.kind);
    m[QStringLiteral("threads")] = info.backend.threads;
    m[QStringLiteral("device")] = QString::fromStdString(info.backend.device);
    m[QStringLiteral("backend")] = QString::fromStdString(info.backend_description);
    m[QStringLiteral("gpuFallbackReason")] = QString::fromStdString(info.gpu_fallback_reason);
    m[QStringLiteral("gpuFallbackKind")] = static_cast<int>(info.gpu_fallback_kind);
    QStringList notes;
    for (const std::string& n : info.load_notes) notes << QString::fromStdString(n);
    m[QStringLiteral("loadNotes")] = notes;
    m[QStringLiteral("fingerprint")] = QString::fromStdString(info.fingerprint);
    m[QStringLiteral("contextLength")] = info.context_length;
    m[QStringLiteral("weightsBytes")] = qulonglong(info.memory.weights_bytes);
    m[QStringLiteral("cacheBytes")] = qulonglong(info.memory.cache_bytes);
    m[QStringLiteral("otherBytes")] = qulonglong(info.memory.other_bytes);
    m[QStringLiteral("onDevice")] = info.memory.on_device;
    m[QStringLiteral("deviceUsedBytes")] = qulonglong(info.memory.device_used);
    m[QStringLiteral("deviceTotalBytes")] = qulonglong(info.memory.device_total);
    m[QStringLiteral("weightFormat")] = QString::fromStdString(info.memory.weight_format);
    // The folder's example prompts (falcon-chat.json) are decoration: a broken file costs only
    // them, and the status bar says which file to fix.
    QStringList examples;
    try {
      for (const std::string& e : read_chat_examples(info.dir)) examples << QString::fromStdString(e);
    } catch (const std::exception& e) {
      m[QStringLiteral("examplesProblem")] = error_text(e);
    }
    m[QStringLiteral("examples")] = examples;
    emit modelLoaded(m);
  } catch (const Error& e) {
    emit modelLoadFailed(error_text(e), e.kind() == ErrorKind::Cancelled, engine_->has_model());
  } catch (const std::bad_alloc&) {
    emit modelLoadFailed(tr("Not enough memory to load this model."), false, engine_->has_model());
  } catch (const std::exception& e) {
    emit modelLoadFailed(error_text(e), false, engine_->has_model());
  }
}

void InferenceWorker::measureMemory() {
  if (!engine_ || !engine_->has_model()) {
    emit memoryMeasured(0, 0);
    return;
  }
  const BackendMemory m = engine_->memory();
  emit memoryMeasured(m.device_used, m.device_total);
}

void InferenceWorker::measureMessage(quint64 serial, const QString& text) {
  MessageTokens m;
  if (engine_ && engine_->has_model()) {
    try {
      m = engine_->measure_message(text.toStdString());
    } catch (const std::exception&) {
      m = {};  // unknown: the composer shows no count (sending reports the problem)
    }
  }
  emit messageMeasured(serial, m.tokens, m.reply_prompt);
}

void InferenceWorker::openConversation(qint64 conversation_id) {
  if (!engine_ || !store_ || !engine_->has_model()) return;
  try {
    const std::string notice = engine_->open_conversation(*store_, conversation_id, *open_cancel_);
    emit conversationOpened(conversation_id, QString::fromStdString(notice));
    emitContext();
  } catch (const std::exception& e) {
    emit conversationOpened(conversation_id, error_text(e));
  }
}

void InferenceWorker::runReply(const ReplyRequest& request) {
  const qint64 conv = request.conversation_id;
  if (!engine_ || !store_ || !engine_->has_model()) {
    emit replyFailed(conv, 0, tr("No model is loaded. Open one from the model menu first."));
    return;
  }
  TokenCoalescer batch;
  qint64 message_id = 0;
  ReplyCallbacks callbacks;
  callbacks.on_started = [&](int64_t id) {
    message_id = id;
    emit replyStarted(conv, id);
  };
  callbacks.on_text = [&](std::string_view piece) {
    if (batch.add(piece)) emit replyText(message_id, QString::fromStdString(batch.take()));
    return !reply_cancel_->load(std::memory_order_relaxed);
  };
  try {
    const ReplyResult result = engine_->reply(*store_, request, *reply_cancel_, callbacks);
    if (batch.has_pending()) emit replyText(message_id, QString::fromStdString(batch.take()));
    // The context first, so that whoever reacts to replyFinished already sees it.
    const ContextCounts& c = result.context;
    emit contextChanged(c.pinned, c.evicted, c.recent, c.window);
    emit replyFinished(conv, result.assistant_message_id, stats_map(result));
  } catch (const std::bad_alloc&) {
    emit replyFailed(conv, message_id, tr("Out of memory while generating the reply."));
  } catch (const std::exception& e) {
    if (batch.has_pending()) emit replyText(message_id, QString::fromStdString(batch.take()));
    emit replyFailed(conv, message_id, error_text(e));
  }
  if (const std::string error = store_->durability_error(); !error.empty())
    emit storeNotDurable(QString::fromStdString(error));
}

// ---- InferenceThread -------------------------------------------------------------------

InferenceThread::InferenceThread(const QString& db_path, InferenceWorker::EngineFactory factory,
                                 QObject* parent, falcon::StoreOptions store_options)
    : QObject(parent) {
  worker_ = new InferenceWorker(db_path, std::move(factory), &reply_cancel_, &load_cancel_, &open_cancel_,
                                std::move(store_options));
  worker_->moveToThread(&thread_);
  thread_.setObjectName(QStringLiteral("inference"));
  thread_.start();
  QMetaObject::invokeMethod(
      worker_, [w = worker_] { w->initialize(); }, Qt::QueuedConnection);
}

InferenceThread::~InferenceThread() {
  reply_cancel_.store(true);
  load_cancel_.store(true);
  open_cancel_.store(true);
  // Runs after any job still queued (each stops quickly now), on the worker thread.
  QMetaObject::invokeMethod(
      worker_,
      [w = worker_] {
        w->shutdown();
        QThread::currentThread()->quit();
      },
      Qt::QueuedConnection);
  thread_.wait();
  delete worker_;  // the thread has finished; nothing runs on it any more
}

void InferenceThread::loadModel(const ModelLoadRequest& request) {
  load_cancel_.store(false);
  QMetaObject::invokeMethod(
      worker_, [w = worker_, request] { w->loadModel(request); }, Qt::QueuedConnection);
}

void InferenceThread::openConversation(qint64 conversation_id) {
  open_cancel_.store(false);
  QMetaObject::invokeMethod(
      worker_, [w = worker_, conversation_id] { w->openConversation(conversation_id); },
      Qt::QueuedConnection);
}

void InferenceThread::measureMemory() {
  QMetaObject::invokeMethod(
      worker_, [w = worker_] { w->measureMemory(); }, Qt::QueuedConnection);
}

void InferenceThread::measureMessage(int lane, quint64 serial, const QString& text) {
  // Counts queued behind a reply (or a long text) are skipped once a newer one is asked for
  // in the same field: each counts the whole text, and only the latest answer is wanted.
  std::atomic<quint64>* latest = &measure_latest_.at(static_cast<size_t>(lane));
  latest->store(serial);
  QMetaObject::invokeMethod(
      worker_,
      [w = worker_, serial, text, latest] {
        if (latest->load() == serial) w->measureMessage(serial, text);
      },
      Qt::QueuedConnection);
}

void InferenceThread::reply(const ReplyRequest& request) {
  reply_cancel_.store(false);
  QMetaObject::invokeMethod(
      worker_, [w = worker_, request] { w->runReply(request); }, Qt::QueuedConnection);
}
