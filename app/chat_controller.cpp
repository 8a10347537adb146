#include "app/chat_controller.h"

#include <QClipboard>
#include <QCoreApplication>
#include <QDir>
#include <QGuiApplication>
#include <QStandardPaths>
#include <algorithm>

#include "app/app_settings.h"
#include "app/attachment_reader.h"
#include "app/message_formatter.h"
#include "core/store/conversation_store.h"

using falcon::ReplyKind;
using falcon::ReplyRequest;

ChatController::ChatController(Options options, QObject* parent)
    : QObject(parent), options_(std::move(options)) {
  // The UI thread's connection: its changes (a new chat, a rename, a draft) return once in the
  // WAL and are fdatasynced by the store's own thread, so a busy disk never freezes the window.
  falcon::StoreOptions store_options;
  store_options.sync_behind = true;
  store_ = std::make_unique<falcon::ConversationStore>(options_.db_path.toStdString(), store_options);
  settings_ = std::make_unique<AppSettings>(nullptr);
  list_ = new ConversationListModel(this);
  filter_ = new ConversationFilterModel(this);
  filter_->setSourceModel(list_);
  messages_ = new MessageModel(this);
  search_ = new SearchResultsModel(this);
  sampling_ = new SamplingConfig(this);
  presets_ = new PresetModel(this);
  transfer_ = new ConversationTransfer(options_.db_path, this);
  connect(transfer_, &ConversationTransfer::importFinished, this, &ChatController::onImportFinished);
  connect(transfer_, &ConversationTransfer::exportFinished, this,
          [this](const QString& path, const QString& error) {
            if (error.isEmpty())
              emit exported(path);
            else
              fail(error);
          });
  attach_reader_ = new AttachmentReader(this);
  connect(attach_reader_, &AttachmentReader::currentChanged, this, &ChatController::attachingChanged);
  connect(attach_reader_, &AttachmentReader::finished, this,
          [this](const QString& markdown, const QString& errors) {
            if (!errors.isEmpty()) fail(errors);
            if (!markdown.isEmpty()) emit attachmentsReady(markdown);
          });
  if (QCoreApplication* app = QCoreApplication::instance())
    app->installEventFilter(this);  // language changes
  connect(sampling_, &SamplingConfig::changed, this, &ChatController::currentPresetChanged);
  connect(this, &ChatController::currentConversationChanged, this, [this] {
    // A notice about one chat (its message cut, or what opening it said) goes with it.
    const bool about_left =
        (notice_source_ == NoticeSource::MessageCut && current_id_ != cut_conversation_) ||
        (notice_source_ == NoticeSource::Resume && current_id_ != notice_conversation_);
    if (!about_left) return;
    notice_source_ = NoticeSource::Load;
    emit noticeChanged();
  });
  connect(this, &ChatController::systemPromptChanged, this, &ChatController::currentPresetChanged);
  connect(presets_, &PresetModel::presetsChanged, this, &ChatController::currentPresetChanged);
  connect(sampling_, &SamplingConfig::edited, this, [this] {
    if (current_id_ == 0) return;  // a new chat takes them when its first message is sent
    try {
      const falcon::Conversation c = store_->conversation(current_id_);
      store_->set_sampling(current_id_, sampling_->toJson().toStdString());
      if (c.window_size != sampling_->windowSize()) {
        store_->set_window_size(current_id_, sampling_->windowSize());
        if (model_state_ == QLatin1String("ready")) inference_->openConversation(current_id_);
      }
    } catch (const std::exception& e) {
      fail(QString::fromUtf8(e.what()));
    }
  });
  delete_timer_.setSingleShot(true);
  delete_timer_.setInterval(options_.undo_delete_ms);
  connect(&delete_timer_, &QTimer::timeout, this, &ChatController::commitPendingDelete);
  draft_timer_.setSingleShot(true);
  draft_timer_.setInterval(options_.draft_save_ms);
  connect(&draft_timer_, &QTimer::timeout, this, &ChatController::saveDrafts);
  editor_meter_.lane = 1;
  for (TextMeter* meter : {&composer_meter_, &editor_meter_}) {
    meter->timer.setSingleShot(true);
    meter->timer.setInterval(options_.measure_delay_ms);
    connect(&meter->timer, &QTimer::timeout, this, [this, meter] { postMeasure(*meter); });
  }
  // The window the counts are held against is the sampling panel's.
  connect(sampling_, &SamplingConfig::changed, this, &ChatController::composerTokensChanged);
  connect(sampling_, &SamplingConfig::changed, this, &ChatController::editorTokensChanged);
  connect(this, &ChatController::modelChanged, this, &ChatController::memoryChanged);
  // The whole device's memory changes with other programs: re-read it now and then, between
  // replies (the worker is busy during one, and a reply does not change the model's own share).
  memory_timer_.setInterval(options_.memory_refresh_ms);
  connect(&memory_timer_, &QTimer::timeout, this, [this] {
    if (model_state_ != QLatin1String("ready") || busy_ || memory_query_pending_) return;
    memory_query_pending_ = true;
    inference_->measureMemory();
  });

  inference_ = std::make_unique<InferenceThread>(options_.db_path, options_.engine);
  connectWorker();
  loadConversationSettings();  // a new chat: the default preset
  reloadConversations();
  if (options_.restore_last_session) restoreLastSession();
}

ChatController::~ChatController() {
  delete transfer_;  // an import not done is rolled back (its file is still there); waits for an export
  transfer_ = nullptr;
  delete attach_reader_;  // kills a PDF's reader still running, while this object can still signal
  attach_reader_ = nullptr;
  saveDrafts();
  commitPendingDelete();
  inference_.reset();  // joins the worker before the store goes away
}

QString ChatController::defaultDatabasePath() {
  const QString dir = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
  QDir().mkpath(dir);
  return dir + QStringLiteral("/conversations.db");
}

void ChatController::connectWorker() {
  InferenceWorker* w = inference_->worker();
  // Every connection crosses the thread boundary: queued, explicitly (DESIGN.md §1).
  connect(w, &InferenceWorker::replyStarted, this, &ChatController::onReplyStarted, Qt::QueuedConnection);
  connect(w, &InferenceWorker::replyText, this, &ChatController::onReplyText, Qt::QueuedConnection);
  connect(w, &InferenceWorker::replyFinished, this, &ChatController::onReplyFinished, Qt::QueuedConnection);
  connect(w, &InferenceWorker::replyFailed, this, &ChatController::onReplyFailed, Qt::QueuedConnection);
  connect(
      w, &InferenceWorker::storeNotDurable, this,
      [this](const QString& error) { reportDurability(error.toStdString()); }, Qt::QueuedConnection);
  connect(w, &InferenceWorker::modelLoaded, this, &ChatController::onModelLoaded, Qt::QueuedConnection);
  connect(w, &InferenceWorker::modelLoadFailed, this, &ChatController::onModelLoadFailed,
          Qt::QueuedConnection);
  connect(
      w, &InferenceWorker::loadProgress, this,
      [this](double p) {
        load_progress_ = p;
        emit loadProgressChanged();
      },
      Qt::QueuedConnection);
  connect(
      w, &InferenceWorker::contextChanged, this,
      [this](qint64 pinned, qint64 evicted, qint64 recent, qint64 window) {
        ctx_pinned_ = pinned;
        ctx_evicted_ = evicted;
        ctx_recent_ = recent;
        ctx_window_ = window;
        emit contextChanged();
      },
      Qt::QueuedConnection);
  connect(
      w, &InferenceWorker::conversationOpened, this,
      [this](qint64 id, const QString& notice) {
        // A chat left before its notice came says nothing about the one shown now.
        if (notice.isEmpty() || id != current_id_) return;
        notice_ = notice;
        notice_conversation_ = id;
        notice_source_ = NoticeSource::Resume;
        emit noticeChanged();
      },
      Qt::QueuedConnection);
  connect(w, &InferenceWorker::initializeFailed, this, &ChatController::fail, Qt::QueuedConnection);
  connect(
      w, &InferenceWorker::messageMeasured, this,
      [this](quint64 serial, qint64 tokens, qint64 reply_prompt) {
        // An answer for older text (the field has changed since) is dropped.
        for (TextMeter* meter : {&composer_meter_, &editor_meter_})
          if (serial == meter->serial) setMeterCount(*meter, tokens, std::max<qint64>(0, reply_prompt));
      },
      Qt::QueuedConnection);
  connect(
      w, &InferenceWorker::memoryMeasured, this,
      [this](qulonglong used, qulonglong total) {
        memory_query_pending_ = false;
        // A measurement of a model that is being replaced, or none at all, changes nothing.
        if (model_state_ != QLatin1String("ready") || total == 0) return;
        if (used == device_used_ && total == device_total_) return;
        device_used_ = used;
        device_total_ = total;
        emit memoryChanged();
      },
      Qt::QueuedConnection);
}

void ChatController::fail(const QString& message) {
  emit errorOccurred(message);
}

void ChatController::checkDurability() {
  if (store_) reportDurability(store_->durability_error());
}

void ChatController::reportDurability(const std::string& error) {
  if (durability_error_shown_ || error.empty()) return;
  durability_error_shown_ = true;  // it stays: once is enough
  fail(tr("Recent changes to your chats may not be safe on the disk (%1). Check the disk; "
          "copy the database or export your chats before you rely on them.")
           .arg(QString::fromStdString(error)));
}

void ChatController::setBusy(bool busy, qint64 streaming_id) {
  if (busy == busy_ && streaming_id == streaming_id_) return;
  busy_ = busy;
  streaming_id_ = streaming_id;
  emit busyChanged();
}

QString ChatController::currentTitle() const {
  if (const falcon::Conversation* c = list_->find(current_id_)) return QString::fromStdString(c->title);
  return tr("New conversation");
}

void ChatController::setSystemPrompt(const QString& prompt) {
  if (prompt == system_prompt_) return;
  system_prompt_ = prompt;
  if (current_id_ != 0) {
    try {
      store_->set_system_prompt(current_id_, prompt.toStdString());
      // The pinned part of the cache changes: the worker re-reads the conversation.
      if (model_state_ == QLatin1String("ready")) inference_->openConversation(current_id_);
    } catch (const std::exception& e) {
      fail(QString::fromUtf8(e.what()));
    }
  }
  emit systemPromptChanged();
}

void ChatController::setSearchQuery(const QString& query) {
  if (query == search_query_) return;
  search_query_ = query;
  refreshSearch();
  emit searchQueryChanged();
}

void ChatController::refreshSearch() {
  try {
    search_->search(*store_, search_query_);
  } catch (const std::exception& e) {
    search_->clear();
    fail(QString::fromUtf8(e.what()));
  }
}

// ---- replies --------------------------------------------------------------------------

bool ChatController::ensureConversation(const QString& first_text) {
  if (current_id_ != 0) return true;
  try {
    falcon::NewConversation nc;
    QString title = MessageFormatter::titleText(first_text);
    if (title.size() > 48) title = title.left(47) + QChar(0x2026);
    nc.title = title.toStdString();
    nc.system_prompt = system_prompt_.toStdString();
    nc.sampling_json = sampling_->toJson().toStdString();
    nc.window_size = sampling_->windowSize();
    current_id_ = store_->create_conversation(nc);
    settings_->setLastConversationId(current_id_);
    reloadConversations();
    messages_->load(*store_, current_id_);
    emit currentConversationChanged();
    return true;
  } catch (const std::exception& e) {
    fail(QString::fromUtf8(e.what()));
    return false;
  }
}

bool ChatController::startReply(ReplyRequest request, const QString& prefix) {
  request.conversation_id = current_id_;
  request.settings = sampling_->settings();
  streaming_prefix_ = prefix;
  streaming_conversation_ = current_id_;
  setBusy(true, 0);
  inference_->reply(request);
  return true;
}

bool ChatController::requireModel() {
  if (model_state_ == QLatin1String("ready")) return true;
  fail(model_state_ == QLatin1String("loading")
           ? tr("The model is still loading. Please wait a moment.")
           : tr("No model is loaded. Open one from the model menu first."));
  return false;
}

bool ChatController::send(const QString& text) {
  const QString trimmed = text.trimmed();
  if (trimmed.isEmpty() || busy_) return false;
  if (!requireModel()) return false;
  if (!ensureConversation(trimmed)) return false;
  ReplyRequest r;
  r.kind = ReplyKind::Send;
  r.text = trimmed.toStdString();
  return startReply(r, {});
}

void ChatController::stop() {
  if (busy_) inference_->cancelReply();
}

bool ChatController::regenerate(qint64 assistant_message_id) {
  const falcon::Message* m = messages_->find(assistant_message_id);
  if (busy_ || !m || m->role != falcon::Role::Assistant || !requireModel()) return false;
  ReplyRequest r;
  r.kind = ReplyKind::Regenerate;
  r.message_id = assistant_message_id;
  return startReply(r, {});
}

bool ChatController::editAndResend(qint64 user_message_id, const QString& text) {
  const falcon::Message* m = messages_->find(user_message_id);
  if (busy_ || !m || m->role != falcon::Role::User || text.trimmed().isEmpty() || !requireModel())
    return false;
  ReplyRequest r;
  r.kind = ReplyKind::EditAndResend;
  r.message_id = user_message_id;
  r.text = text.trimmed().toStdString();
  return startReply(r, {});
}

bool ChatController::continueReply(qint64 assistant_message_id) {
  const int row = messages_->rowOf(assistant_message_id);
  if (busy_ || row < 0) return false;
  if (!messages_->data(messages_->index(row), MessageModel::CanContinueRole).toBool()) return false;
  if (!requireModel()) return false;
  ReplyRequest r;
  r.kind = ReplyKind::Continue;
  r.message_id = assistant_message_id;
  return startReply(r, messages_->data(messages_->index(row), MessageModel::TextRole).toString());
}

void ChatController::onReplyStarted(qint64 conversation_id, qint64 message_id) {
  setBusy(true, message_id);
  if (conversation_id != current_id_) return;
  reloadMessages();
  // The row's text is rebuilt from the batches: the store may already hold a partial write
  // whose text the batches queued behind this signal would repeat.
  messages_->resetText(message_id, streaming_prefix_);
  messages_->setStreaming(message_id, true);
}

void ChatController::measureComposer(const QString& text) {
  measure(composer_meter_, text);
}

void ChatController::measureEditor(qint64 message_id, const QString& text) {
  if (message_id != editor_meter_.owner) {
    // Another message's editor: the count shown was not for it.
    editor_meter_.owner = message_id;
    editor_meter_.serial = 0;
    setMeterCount(editor_meter_, -1, 0);
  }
  measure(editor_meter_, text);
}

void ChatController::measure(TextMeter& meter, const QString& text) {
  meter.text = text.trimmed();  // as send() and an edit send it
  meter.timer.start();
}

void ChatController::postMeasure(TextMeter& meter) {
  meter.timer.stop();
  meter.serial = ++measure_serial_;  // an answer still on its way is for older text
  if (meter.text.isEmpty()) {
    setMeterCount(meter, -1, 0);
    return;
  }
  inference_->measureMessage(meter.lane, meter.serial, meter.text);
}

void ChatController::postMeasures() {
  postMeasure(composer_meter_);
  if (editor_meter_.owner != 0) postMeasure(editor_meter_);
}

void ChatController::setMeterCount(TextMeter& meter, qint64 tokens, qint64 reply_prompt) {
  if (tokens == meter.tokens && reply_prompt == meter.reply_prompt) return;
  meter.tokens = tokens;
  meter.reply_prompt = reply_prompt;
  if (&meter == &composer_meter_)
    emit composerTokensChanged();
  else
    emit editorTokensChanged();
}

bool ChatController::tooLong(const TextMeter& meter) const {
  return meter.tokens > 0 && meter.tokens + meter.reply_prompt > sampling_->windowSize();
}

void ChatController::onReplyText(qint64 message_id, const QString& batch) {
  messages_->appendText(message_id, batch);
}

void ChatController::onReplyFinished(qint64 conversation_id, qint64 message_id, const QVariantMap& stats) {
  setBusy(false, 0);
  // A message longer than the window lost its beginning: say so, or stop saying it.
  const qint64 cut = stats.value(QStringLiteral("messageTokensCut")).toLongLong();
  if (cut > 0 && conversation_id == current_id_) {
    cut_total_ = stats.value(QStringLiteral("messageTokens")).toLongLong();
    cut_kept_ = cut_total_ - cut;
    cut_conversation_ = conversation_id;
    notice_source_ = NoticeSource::MessageCut;
    emit noticeChanged();
  } else if (notice_source_ == NoticeSource::MessageCut) {
    notice_source_ = NoticeSource::Load;
    emit noticeChanged();
  }
  const QVariant tps = stats.value(QStringLiteral("tokensPerS"));
  if (tps.isValid() && !tps.isNull()) {
    last_tps_ = tps.toDouble();
    emit statsChanged();
  }
  reloadConversations();
  if (conversation_id == current_id_) reloadMessages();
  emit replyFinished(message_id, stats.value(QStringLiteral("stopReason")).toString());
}

void ChatController::onReplyFailed(qint64 conversation_id, qint64, const QString& message) {
  setBusy(false, 0);
  if (conversation_id == current_id_) reloadMessages();
  fail(message);
}

// ---- message actions ---------------------------------------------------------------------

void ChatController::deleteMessage(qint64 message_id) {
  if (busy_) return;
  try {
    store_->delete_message(message_id);
    reloadMessages();
    if (model_state_ == QLatin1String("ready")) inference_->openConversation(current_id_);
  } catch (const std::exception& e) {
    fail(QString::fromUtf8(e.what()));
  }
}

void ChatController::switchSibling(qint64 message_id, int delta) {
  if (busy_) return;
  try {
    const std::vector<falcon::Message> sibs = store_->siblings(message_id);
    int at = -1;
    for (size_t i = 0; i < sibs.size(); ++i)
      if (sibs[i].id == message_id) at = int(i);
    const int to = at + delta;
    if (at < 0 || to < 0 || to >= int(sibs.size())) return;
    store_->switch_branch(sibs[size_t(to)].id);
    reloadMessages();
    if (model_state_ == QLatin1String("ready")) inference_->openConversation(current_id_);
  } catch (const std::exception& e) {
    fail(QString::fromUtf8(e.what()));
  }
}

void ChatController::copyText(const QString& text) {
  if (auto* app = qobject_cast<QGuiApplication*>(QCoreApplication::instance())) {
    app->clipboard()->setText(text);
    emit copied();
  }
}

bool ChatController::copyLastReply() {
  const QString text = messages_->lastReplyText();
  if (text.isEmpty()) return false;
  copyText(text);
  return true;
}

void ChatController::reloadMessages() {
  try {
    messages_->load(*store_, current_id_);
    if (busy_ && streaming_id_ != 0) messages_->setStreaming(streaming_id_, true);
  } catch (const std::exception& e) {
    messages_->clear();
    fail(QString::fromUtf8(e.what()));
  }
}
