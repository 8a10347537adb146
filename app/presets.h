#pragma once
// Presets: named pairs of a system prompt and sampling settings (window size included) that a
// chat can start from or switch to. Three are built in ("Default", "Precise", "Creative"; fixed,
// shown translated); the user's own are kept in the settings file (app/settings_file.h; the XDG
// config file, group "presets") and can be created, overwritten and deleted. ChatController
// applies them per conversation; which preset a chat matches is worked out by comparing values,
// so nothing is stored per chat.
#include <QtQml/qqmlregistration.h>

#include <QAbstractListModel>
#include <QString>
#include <QStringList>
#include <vector>

#include "core/chat/sampler.h"

struct Preset {
  QString name;           // the key; built-ins use their English name
  QString system_prompt;  // what the chat's pinned system prompt becomes
  QString sampling_json;  // SamplingConfig::toJson() form (normalised)
  int window_size = 512;  // recent-token window
  bool built_in = false;
};

class PresetModel : public QAbstractListModel {
  Q_OBJECT
  QML_ELEMENT
  QML_UNCREATABLE("Owned by ChatController")
  Q_PROPERTY(int count READ count NOTIFY countChanged)

 public:
  enum Roles { NameRole = Qt::UserRole + 1, DisplayNameRole, BuiltInRole, SystemPromptRole };

  static constexpr int kMaxNameLength = 60;
  static const QString kDefaultName;  // "Default": what a new chat starts from unless set otherwise

  // Loads the built-ins and the user's presets from the settings file.
  explicit PresetModel(QObject* parent = nullptr);

  int rowCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role) const override;
  QHash<int, QByteArray> roleNames() const override;
  int count() const { return int(presets_.size()); }

  const Preset* find(const QString& name) const;
  Q_INVOKABLE bool isBuiltIn(const QString& name) const;
  Q_INVOKABLE QStringList names() const;
  Q_INVOKABLE int indexOf(const QString& name) const;
  // The name shown for a preset: built-ins translated, the user's as typed.
  Q_INVOKABLE QString displayName(const QString& name) const;

  // Creates or overwrites the user preset `preset.name` (trimmed). Returns "" on success, else
  // why not (empty or over-long name, a built-in's name, invalid sampling values).
  QString save(Preset preset);
  // Removes a user preset; built-ins cannot be removed.
  bool remove(const QString& name);

  // The sampling values of a built-in, for tests and the model card.
  static falcon::SamplingSettings builtInSettings(const QString& name);

 signals:
  void countChanged();
  void presetsChanged();  // any preset added, changed or removed

 private:
  void loadBuiltIns();
  void loadUserPresets();
  void persist() const;

  std::vector<Preset> presets_;  // built-ins first, then the user's in the order saved
};
