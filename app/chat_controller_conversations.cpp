// ChatController: the sidebar's actions and export/import.
#include <QDate>
#include <QDir>
#include <QFileInfo>
#include <QSet>
#include <QStandardPaths>

#include "app/app_settings.h"
#include "app/attachment_reader.h"
#include "app/chat_controller.h"
#include "core/store/conversation_store.h"

void ChatController::reloadConversations() {
  try {
    list_->reload(*store_, pending_drafts_);
  } catch (const std::exception& e) {
    fail(QString::fromUtf8(e.what()));
  }
  checkDurability();
}

void ChatController::loadConversationSettings() {
  if (current_id_ == 0) {
    const Preset* p = presets_->find(defaultPreset());
    system_prompt_ = p->system_prompt;
    sampling_->load(p->sampling_json, p->window_size);
  } else {
    const falcon::Conversation c = store_->conversation(current_id_);
    system_prompt_ = QString::fromStdString(c.system_prompt);
    sampling_->load(QString::fromStdString(c.sampling_json), int(c.window_size));
  }
  emit systemPromptChanged();
}

void ChatController::newConversation() {
  if (current_id_ == 0 && messages_->count() == 0) return;  // already on a fresh chat
  attach_reader_->cancel();  // a PDF being read was for the other chat's message
  current_id_ = 0;
  messages_->clear();
  ctx_pinned_ = ctx_evicted_ = ctx_recent_ = 0;
  emit contextChanged();
  try {
    loadConversationSettings();
  } catch (const std::exception& e) {
    fail(QString::fromUtf8(e.what()));
  }
  emit currentConversationChanged();
}

void ChatController::selectConversation(qint64 id) {
  if (id == current_id_) return;
  attach_reader_->cancel();  // a PDF being read was for the other chat's message
  try {
    const qint64 previous = current_id_;
    current_id_ = id;
    loadConversationSettings();
    reloadMessages();
    settings_->setLastConversationId(id);
    if (previous != id) emit currentConversationChanged();
    // Exact resume (DESIGN.md §4): the worker re-prefills the kept context in the background.
    if (model_state_ == QLatin1String("ready")) inference_->openConversation(id);
  } catch (const std::exception& e) {
    current_id_ = 0;
    messages_->clear();
    emit currentConversationChanged();
    fail(QString::fromUtf8(e.what()));
  }
}

bool ChatController::selectAdjacentConversation(int delta) {
  const int rows = filter_->rowCount();
  int row = -1;  // a new chat sits above the list
  for (int r = 0; r < rows && current_id_ != 0; ++r)
    if (filter_->idAt(r) == current_id_) row = r;
  const int next = row + (delta < 0 ? -1 : 1);
  if (delta == 0 || next < 0 || next >= rows) return false;
  selectConversation(filter_->idAt(next));
  return current_id_ == filter_->idAt(next);
}

bool ChatController::renameConversation(qint64 id, const QString& title) {
  const QString t = title.simplified();
  if (t.isEmpty()) return false;
  try {
    store_->set_title(id, t.toStdString());
    list_->refreshRow(*store_, id, pending_drafts_);
    if (id == current_id_) emit currentConversationChanged();
    return true;
  } catch (const std::exception& e) {
    fail(QString::fromUtf8(e.what()));
    return false;
  }
}

void ChatController::deleteConversation(qint64 id) {
  const falcon::Conversation* c = list_->find(id);
  if (!c) return;
  // Copied first: the commit below reads the list again, which frees the row `c` points into.
  const QString title = QString::fromStdString(c->title);
  const bool already_pending = id == pending_delete_id_;
  commitPendingDelete();        // only one undo at a time: an earlier delete becomes final now
  if (already_pending) return;  // that was this one: it is gone now
  if (busy_ && streaming_conversation_ == id) inference_->cancelReply();
  pending_delete_id_ = id;
  pending_delete_title_ = title;
  filter_->setHiddenId(id);
  if (id == current_id_) newConversation();
  delete_timer_.start();
  emit pendingDeleteChanged();
}

void ChatController::undoDelete() {
  if (pending_delete_id_ == 0) return;
  delete_timer_.stop();
  pending_delete_id_ = 0;
  pending_delete_title_.clear();
  filter_->setHiddenId(0);
  emit pendingDeleteChanged();
}

void ChatController::commitPendingDelete() {
  if (pending_delete_id_ == 0) return;
  delete_timer_.stop();
  const qint64 id = pending_delete_id_;
  pending_delete_id_ = 0;
  pending_delete_title_.clear();
  try {
    store_->delete_conversation(id);  // its stored draft too
  } catch (const std::exception& e) {
    fail(QString::fromUtf8(e.what()));
  }
  pending_drafts_.remove(id);
  filter_->setHiddenId(0);
  reloadConversations();
  if (!search_query_.isEmpty()) refreshSearch();
  emit pendingDeleteChanged();
}

void ChatController::setPinned(qint64 id, bool pinned) {
  try {
    store_->set_pinned(id, pinned);
    list_->refreshRow(*store_, id, pending_drafts_);
  } catch (const std::exception& e) {
    fail(QString::fromUtf8(e.what()));
  }
}

void ChatController::setArchived(qint64 id, bool archived) {
  try {
    store_->set_archived(id, archived);
    list_->refreshRow(*store_, id, pending_drafts_);
  } catch (const std::exception& e) {
    fail(QString::fromUtf8(e.what()));
  }
}

bool ChatController::exportConversation(qint64 id, const QUrl& file, const QString& format) {
  const QString path = localPath(file);
  if (path.isEmpty()) return false;
  // A chat deleted a moment ago (its Undo still offered) must not be in a file of all of them.
  if (id == 0) commitPendingDelete();
  transfer_->startExport(id, path, format);
  return true;
}

QString ChatController::documentsFolder() {
  const QString docs = QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation);
  return !docs.isEmpty() && QFileInfo(docs).isDir() ? docs : QDir::homePath();
}

QVariantList ChatController::importPlaces() {
  QVariantList out;
  const QString home = QDir::homePath();
  // LM Studio keeps a chat a file here (older versions under ~/.cache).
  for (const QString& dir : {home + QStringLiteral("/.lmstudio/conversations"),
                             home + QStringLiteral("/.cache/lm-studio/conversations")}) {
    if (!QFileInfo(dir).isDir()) continue;
    out.append(QVariantMap{{QStringLiteral("label"), tr("LM Studio chats")}, {QStringLiteral("path"), dir}});
    break;
  }
  return out;
}

QUrl ChatController::suggestedExportFile(qint64 id, const QString& format, const QString& folder) const {
  const QString dir = !folder.isEmpty() && QFileInfo(folder).isDir() ? folder : documentsFolder();
  QString name;
  if (id == 0)
    name = tr("falcon-chat conversations %1").arg(QDate::currentDate().toString(Qt::ISODate));
  else if (const falcon::Conversation* c = list_->find(id))
    name = QString::fromStdString(c->title);
  // Path separators, characters Windows or FAT refuse, and control characters become spaces.
  for (QChar& ch : name)
    if (ch.unicode() < 0x20 || QStringLiteral("/\\:*?\"<>|").contains(ch)) ch = QLatin1Char(' ');
  name = name.simplified();
  if (name.endsWith(QChar(0x2026))) name.chop(1);               // a title cut short at creation
  while (name.startsWith(QLatin1Char('.'))) name.remove(0, 1);  // no hidden file
  if (name.size() > 80) {
    name.truncate(name.at(79).isHighSurrogate() ? 79 : 80);  // never half of an emoji
    name = name.trimmed();
  }
  if (name.isEmpty()) name = tr("conversation");
  const QString ext = format == QLatin1String("json") ? QStringLiteral(".json") : QStringLiteral(".md");
  QString path = QDir(dir).filePath(name + ext);
  for (int n = 2; QFileInfo::exists(path) && n < 1000; ++n)
    path = QDir(dir).filePath(QStringLiteral("%1 (%2)%3")
                                  .arg(name, QString::number(n), ext));  // one pass: a "%2" in the name stays
  return QUrl::fromLocalFile(path);
}

QString ChatController::dropKind(const QString& path) {
  const QFileInfo f(path);
  if (!f.isFile()) return QStringLiteral("model");
  if (QFileInfo(f.absolutePath() + QStringLiteral("/config.json")).isFile()) return QStringLiteral("model");
  const QString ext = f.suffix().toLower();
  if (ext == QLatin1String("json") || ext == QLatin1String("zip"))
    return QStringLiteral("conversations");  // a .zip: the import says to unzip ChatGPT's export first
  // Weights of some model, alone: the model dialog says what they are and what it needs.
  static const QStringList kWeights = {
      QStringLiteral("safetensors"), QStringLiteral("gguf"), QStringLiteral("ggml"),
      QStringLiteral("bin"),         QStringLiteral("pt"),   QStringLiteral("pth"),
      QStringLiteral("ckpt"),        QStringLiteral("pkl"),  QStringLiteral("model"),
      QStringLiteral("h5"),          QStringLiteral("onnx"), QStringLiteral("msgpack")};
  if (kWeights.contains(ext)) return QStringLiteral("model");
  return QStringLiteral("text");
}

void ChatController::attachFiles(const QStringList& paths) {
  attach_reader_->start(paths);
}

void ChatController::cancelAttaching() {
  attach_reader_->cancel();
}

QString ChatController::attachingFile() const {
  return attach_reader_->current();
}

bool ChatController::importConversations(const QList<QUrl>& files) {
  QStringList paths;
  for (const QUrl& file : files)
    if (const QString path = localPath(file); !path.isEmpty()) paths << path;
  if (paths.isEmpty()) return false;
  import_opened_from_ = current_id_;
  transfer_->startImport(paths);
  return true;
}

void ChatController::onImportFinished(const QList<qint64>& ids, const QStringList& failures, bool cancelled) {
  if (!ids.isEmpty()) {
    reloadConversations();
    if (!search_query_.isEmpty()) refreshSearch();  // the new chats can be hits
  }
  // The imported chat highest in the list as shown (they sort by date among the others) is opened,
  // unless the user went on meanwhile: opened another chat, or has a reply coming.
  if (!ids.isEmpty() && current_id_ == import_opened_from_ && !busy_) {
    const QSet<qint64> imported(ids.cbegin(), ids.cend());
    qint64 open = ids.front();
    for (int row = 0; row < filter_->count(); ++row)
      if (imported.contains(filter_->idAt(row))) {
        open = filter_->idAt(row);
        break;
      }
    selectConversation(open);
  }
  const int n = int(ids.size());
  if (failures.isEmpty()) {
    emit conversationsImported(n, cancelled);
    return;
  }
  const QString list = failures.join(QLatin1Char('\n'));
  fail(n == 0 ? tr("Nothing was imported: %1").arg(list)
              : tr("Imported %Ln conversation(s), but not: %1", "", n).arg(list));
}

void ChatController::openSearchHit(qint64 conversation_id, qint64 message_id) {
  selectConversation(conversation_id);
  // A hit on another branch: make that branch active so the message is shown.
  if (messages_->rowOf(message_id) < 0 && !busy_) {
    try {
      store_->switch_branch(message_id);
      reloadMessages();
      if (model_state_ == QLatin1String("ready")) inference_->openConversation(conversation_id);
    } catch (const std::exception& e) {
      fail(QString::fromUtf8(e.what()));
    }
  }
}

// ---- drafts ------------------------------------------------------------------------------------

QString ChatController::draft(qint64 conversation_id) const {
  const auto pending = pending_drafts_.constFind(conversation_id);
  if (pending != pending_drafts_.constEnd()) return pending.value();
  try {
    return QString::fromStdString(store_->draft(conversation_id));
  } catch (const std::exception&) {
    return {};  // an unreadable draft is an empty field, not an error in the way of the chat
  }
}

void ChatController::setDraft(qint64 conversation_id, const QString& text) {
  if (conversation_id < 0) return;
  // Only blank text counts as no draft; what was typed is kept as typed (spaces, new lines).
  const QString draft = text.trimmed().isEmpty() ? QString() : text;
  pending_drafts_.insert(conversation_id, draft);
  list_->setDraft(conversation_id, draft);
  draft_timer_.start();
}

void ChatController::saveDrafts() {
  draft_timer_.stop();
  for (auto it = pending_drafts_.begin(); it != pending_drafts_.end();) {
    try {
      store_->set_draft(it.key(), it.value().toStdString());  // false: its chat is gone, drop it
      it = pending_drafts_.erase(it);
    } catch (const std::exception& e) {
      // Kept in memory (the composer still shows it) and written with the next edit or at quit.
      if (!draft_error_shown_)
        fail(tr("The unsent message could not be saved: %1").arg(QString::fromUtf8(e.what())));
      draft_error_shown_ = true;
      return;
    }
  }
  draft_error_shown_ = false;
  checkDurability();
}
