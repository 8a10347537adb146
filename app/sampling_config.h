#pragma once
// SamplingConfig: the sampling settings of the open conversation, as QML properties.
// Every number has a range (range(name): from, to, step, default); a setter given a value
// outside it, or NaN, keeps the old value and emits rejected(message), so an invalid setting
// can never reach the sampler. Stored per conversation as JSON (toJson/fromJson) in the
// store's sampling_json column; the window size lives in its own column.
#include <QtQml/qqmlregistration.h>

#include <QObject>
#include <QString>
#include <QStringList>
#include <QVariantMap>

#include "core/chat/sampler.h"

class SamplingConfig : public QObject {
  Q_OBJECT
  QML_ELEMENT
  QML_UNCREATABLE("Owned by ChatController")
  Q_PROPERTY(double temperature READ temperature WRITE setTemperature NOTIFY changed)
  Q_PROPERTY(int topK READ topK WRITE setTopK NOTIFY changed)
  Q_PROPERTY(double topP READ topP WRITE setTopP NOTIFY changed)
  Q_PROPERTY(double minP READ minP WRITE setMinP NOTIFY changed)
  Q_PROPERTY(double repeatPenalty READ repeatPenalty WRITE setRepeatPenalty NOTIFY changed)
  Q_PROPERTY(int repeatLastN READ repeatLastN WRITE setRepeatLastN NOTIFY changed)
  Q_PROPERTY(double presencePenalty READ presencePenalty WRITE setPresencePenalty NOTIFY changed)
  Q_PROPERTY(double frequencyPenalty READ frequencyPenalty WRITE setFrequencyPenalty NOTIFY changed)
  Q_PROPERTY(int maxNewTokens READ maxNewTokens WRITE setMaxNewTokens NOTIFY changed)
  Q_PROPERTY(bool randomSeed READ randomSeed WRITE setRandomSeed NOTIFY changed)
  Q_PROPERTY(int seed READ seed WRITE setSeed NOTIFY changed)
  Q_PROPERTY(QStringList stopStrings READ stopStrings WRITE setStopStrings NOTIFY changed)
  Q_PROPERTY(int windowSize READ windowSize WRITE setWindowSize NOTIFY changed)
  Q_PROPERTY(bool isDefault READ isDefault NOTIFY changed)

 public:
  explicit SamplingConfig(QObject* parent = nullptr);

  double temperature() const { return s_.temperature; }
  int topK() const { return s_.top_k; }
  double topP() const { return s_.top_p; }
  double minP() const { return s_.min_p; }
  double repeatPenalty() const { return s_.repeat_penalty; }
  int repeatLastN() const { return s_.repeat_last_n; }
  double presencePenalty() const { return s_.presence_penalty; }
  double frequencyPenalty() const { return s_.frequency_penalty; }
  int maxNewTokens() const { return s_.max_new_tokens; }
  bool randomSeed() const { return !s_.seed.has_value(); }
  int seed() const { return s_.seed ? int(*s_.seed) : fixed_seed_; }
  QStringList stopStrings() const;
  int windowSize() const { return window_; }
  bool isDefault() const;

  void setTemperature(double v);
  void setTopK(int v);
  void setTopP(double v);
  void setMinP(double v);
  void setRepeatPenalty(double v);
  void setRepeatLastN(int v);
  void setPresencePenalty(double v);
  void setFrequencyPenalty(double v);
  void setMaxNewTokens(int v);
  void setRandomSeed(bool random);
  void setSeed(int v);
  void setStopStrings(const QStringList& list);  // empty entries are dropped
  void setWindowSize(int v);

  // {from, to, step, default} of a property by name ("temperature", "topK", ...).
  Q_INVOKABLE QVariantMap range(const QString& name) const;
  Q_INVOKABLE void resetToDefaults();

  falcon::SamplingSettings settings() const { return s_; }
  QString toJson() const;
  // Loads stored settings; unknown keys are ignored and invalid or missing values fall back
  // to the defaults, so a damaged row never blocks a chat. Does not emit edited().
  void load(const QString& json, int window_size);
  // The JSON form of any settings, and the settings a JSON text stands for under load()'s rules.
  static QString jsonOf(const falcon::SamplingSettings& settings);
  static falcon::SamplingSettings parse(const QString& json);
  // A window size inside the valid range, else the default.
  static int validWindow(int window_size);

  static constexpr int kDefaultWindow = 512;

 signals:
  void changed();
  void edited();  // a setter or reset changed a value (the controller saves it)
  void rejected(const QString& message);

 private:
  bool setNumber(const char* name, double v, double current);
  void commit();

  falcon::SamplingSettings s_;
  int window_ = kDefaultWindow;
  int fixed_seed_ = 42;  // shown in the seed field while "random" is on
};
