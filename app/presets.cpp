#include "app/presets.h"

#include "app/sampling_config.h"
#include "app/settings_file.h"

const QString PresetModel::kDefaultName = QStringLiteral("Default");

namespace {

const QString kGroup = QStringLiteral("presets");
const QString kPrecise = QStringLiteral("Precise");
const QString kCreative = QStringLiteral("Creative");

}  // namespace

PresetModel::PresetModel(QObject* parent) : QAbstractListModel(parent) {
  loadBuiltIns();
  loadUserPresets();
}

falcon::SamplingSettings PresetModel::builtInSettings(const QString& name) {
  falcon::SamplingSettings s;  // "Default": the engine's defaults (llama.cpp's, give or take)
  if (name == kPrecise) {
    // Few, likely tokens: facts, arithmetic, code. Not greedy, so regenerate still varies.
    s.temperature = 0.2f;
    s.top_k = 20;
    s.top_p = 0.9f;
    s.min_p = 0.1f;
    s.repeat_penalty = 1.05f;
  } else if (name == kCreative) {
    // A wider, flatter distribution and a nudge away from words already used: stories, ideas.
    s.temperature = 1.1f;
    s.top_k = 100;
    s.top_p = 0.98f;
    s.min_p = 0.02f;
    s.repeat_penalty = 1.15f;
    s.repeat_last_n = 128;
    s.presence_penalty = 0.3f;
    s.frequency_penalty = 0.2f;
    s.max_new_tokens = 1024;
  }
  return s;
}

void PresetModel::loadBuiltIns() {
  // The prompts are the model's input, not the interface's: they stay English (the language
  // Falcon models are trained on most) whatever language the window shows.
  auto add = [this](const QString& name, const QString& prompt, int window) {
    presets_.push_back({name, prompt, SamplingConfig::jsonOf(builtInSettings(name)), window, true});
  };
  add(kDefaultName, QStringLiteral("You are a helpful assistant."), SamplingConfig::kDefaultWindow);
  add(kPrecise,
      QStringLiteral(
          "You are a precise assistant. Answer accurately and briefly, and say so when you are not sure."),
      SamplingConfig::kDefaultWindow);
  add(kCreative, QStringLiteral("You are a creative writing partner: imaginative, vivid and playful."), 1024);
}

void PresetModel::loadUserPresets() {
  for (const QVariantMap& e : SettingsFile::instance().array(kGroup)) {
    Preset p;
    p.name = e.value(QStringLiteral("name")).toString().trimmed();
    p.system_prompt = e.value(QStringLiteral("systemPrompt")).toString();
    // Normalised through the same rules as a stored chat: a damaged entry falls back to defaults.
    p.sampling_json =
        SamplingConfig::jsonOf(SamplingConfig::parse(e.value(QStringLiteral("sampling")).toString()));
    p.window_size = SamplingConfig::validWindow(e.value(QStringLiteral("window")).toInt());
    if (p.name.isEmpty() || p.name.size() > kMaxNameLength || find(p.name)) continue;
    presets_.push_back(p);
  }
}

void PresetModel::persist() const {
  QList<QVariantMap> entries;
  for (const Preset& p : presets_) {
    if (p.built_in) continue;
    entries.append({{QStringLiteral("name"), p.name},
                    {QStringLiteral("systemPrompt"), p.system_prompt},
                    {QStringLiteral("sampling"), p.sampling_json},
                    {QStringLiteral("window"), p.window_size}});
  }
  SettingsFile::instance().setArray(kGroup, entries);
}

int PresetModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : count();
}

QVariant PresetModel::data(const QModelIndex& index, int role) const {
  if (!index.isValid() || index.row() < 0 || index.row() >= count()) return {};
  const Preset& p = presets_[size_t(index.row())];
  switch (role) {
    case NameRole:
      return p.name;
    case Qt::DisplayRole:
    case DisplayNameRole:
      return displayName(p.name);
    case BuiltInRole:
      return p.built_in;
    case SystemPromptRole:
      return p.system_prompt;
    default:
      return {};
  }
}

QHash<int, QByteArray> PresetModel::roleNames() const {
  return {{NameRole, "name"},
          {DisplayNameRole, "displayName"},
          {BuiltInRole, "builtIn"},
          {SystemPromptRole, "systemPrompt"}};
}

const Preset* PresetModel::find(const QString& name) const {
  for (const Preset& p : presets_)
    if (p.name == name) return &p;
  return nullptr;
}

bool PresetModel::isBuiltIn(const QString& name) const {
  const Preset* p = find(name);
  return p && p->built_in;
}

QStringList PresetModel::names() const {
  QStringList out;
  for (const Preset& p : presets_) out << p.name;
  return out;
}

int PresetModel::indexOf(const QString& name) const {
  for (size_t i = 0; i < presets_.size(); ++i)
    if (presets_[i].name == name) return int(i);
  return -1;
}

QString PresetModel::displayName(const QString& name) const {
  if (!isBuiltIn(name)) return name;
  if (name == kDefaultName) return tr("Default");
  if (name == kPrecise) return tr("Precise");
  if (name == kCreative) return tr("Creative");
  return name;
}

QString PresetModel::save(Preset preset) {
  preset.name = preset.name.simplified();
  if (preset.name.isEmpty()) return tr("A preset needs a name.");
  if (preset.name.size() > kMaxNameLength)
    return tr("A preset name can have at most %1 characters.").arg(kMaxNameLength);
  if (isBuiltIn(preset.name) || displayName(preset.name) != preset.name || preset.name == tr("Default") ||
      preset.name == tr("Precise") || preset.name == tr("Creative"))
    return tr("“%1” is a built-in preset; save under another name.").arg(preset.name);
  const falcon::SamplingSettings settings = SamplingConfig::parse(preset.sampling_json);
  if (const std::string problem = settings.validate(); !problem.empty())
    return QString::fromStdString(problem);
  preset.sampling_json = SamplingConfig::jsonOf(settings);
  preset.window_size = SamplingConfig::validWindow(preset.window_size);
  preset.built_in = false;
  const int at = indexOf(preset.name);
  if (at >= 0) {
    presets_[size_t(at)] = preset;
    emit dataChanged(index(at), index(at));
  } else {
    beginInsertRows({}, count(), count());
    presets_.push_back(preset);
    endInsertRows();
    emit countChanged();
  }
  persist();
  emit presetsChanged();
  return {};
}

bool PresetModel::remove(const QString& name) {
  const int at = indexOf(name);
  if (at < 0 || presets_[size_t(at)].built_in) return false;
  beginRemoveRows({}, at, at);
  presets_.erase(presets_.begin() + at);
  endRemoveRows();
  persist();
  emit countChanged();
  emit presetsChanged();
  return true;
}
