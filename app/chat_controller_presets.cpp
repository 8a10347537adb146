// ChatController: presets of system prompt + sampling (app/presets.h), applied per conversation.
#include "app/chat_controller.h"
#include "app/settings_file.h"
#include "core/store/conversation_store.h"

namespace {
const QString kDefaultPresetKey = QStringLiteral("chat/defaultPreset");
}  // namespace

QString ChatController::defaultPreset() const {
  const QString name =
      SettingsFile::instance().value(kDefaultPresetKey, PresetModel::kDefaultName).toString();
  return presets_->find(name) ? name : PresetModel::kDefaultName;  // a deleted one falls back
}

void ChatController::setDefaultPreset(const QString& name) {
  if (!presets_->find(name) || name == defaultPreset()) return;
  SettingsFile::instance().setValue(kDefaultPresetKey, name);
  emit defaultPresetChanged();
  // The fresh chat on screen (nothing sent yet) follows the new default at once.
  if (current_id_ == 0 && messages_->count() == 0) applyPreset(name);
}

QString ChatController::currentPreset() const {
  const QString json = sampling_->toJson();
  for (const QString& name : presets_->names()) {
    const Preset* p = presets_->find(name);
    if (p->system_prompt == system_prompt_ && p->sampling_json == json &&
        p->window_size == sampling_->windowSize())
      return name;
  }
  return {};
}

bool ChatController::applyPreset(const QString& name) {
  const Preset* found = presets_->find(name);
  if (!found) return false;
  const Preset p = *found;
  try {
    if (current_id_ != 0) {
      const falcon::Conversation c = store_->conversation(current_id_);
      store_->set_sampling(current_id_, p.sampling_json.toStdString());
      bool reopen = false;
      if (c.window_size != p.window_size) {
        store_->set_window_size(current_id_, p.window_size);
        reopen = true;
      }
      if (QString::fromStdString(c.system_prompt) != p.system_prompt) {
        store_->set_system_prompt(current_id_, p.system_prompt.toStdString());
        reopen = true;  // the pinned part of the cache changes
      }
      if (reopen && model_state_ == QLatin1String("ready")) inference_->openConversation(current_id_);
    }
  } catch (const std::exception& e) {
    fail(QString::fromUtf8(e.what()));
    return false;
  }
  sampling_->load(p.sampling_json, p.window_size);
  if (system_prompt_ != p.system_prompt) {
    system_prompt_ = p.system_prompt;
    emit systemPromptChanged();
  }
  return true;
}

bool ChatController::savePreset(const QString& name) {
  Preset p;
  p.name = name;
  p.system_prompt = system_prompt_;
  p.sampling_json = sampling_->toJson();
  p.window_size = sampling_->windowSize();
  if (const QString problem = presets_->save(p); !problem.isEmpty()) {
    fail(problem);
    return false;
  }
  return true;
}

bool ChatController::deletePreset(const QString& name) {
  const bool was_default = name == defaultPreset();
  if (!presets_->remove(name)) return false;
  if (was_default) {
    SettingsFile::instance().remove(kDefaultPresetKey);
    emit defaultPresetChanged();
  }
  return true;
}
