#include "app/sampling_config.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <cmath>

namespace {

struct Range {
  const char* name;
  double from, to, step;
};

// Ranges a person would use; all inside what SamplingSettings::validate() accepts.
constexpr Range kRanges[] = {
    {"temperature", 0.0, 2.0, 0.05},
    {"topK", 0, 200, 1},
    {"topP", 0.01, 1.0, 0.01},
    {"minP", 0.0, 1.0, 0.01},
    {"repeatPenalty", 0.5, 2.0, 0.01},
    {"repeatLastN", -1, 4096, 1},
    {"presencePenalty", -2.0, 2.0, 0.05},
    {"frequencyPenalty", -2.0, 2.0, 0.05},
    {"maxNewTokens", 1, 32768, 1},
    {"seed", 0, 2147483647, 1},
    {"windowSize", 64, 32768, 64},
};

const Range* find_range(const QString& name) {
  for (const Range& r : kRanges)
    if (name == QLatin1String(r.name)) return &r;
  return nullptr;
}

double default_of(const QString& name) {
  const falcon::SamplingSettings d;
  if (name == QLatin1String("temperature")) return d.temperature;
  if (name == QLatin1String("topK")) return d.top_k;
  if (name == QLatin1String("topP")) return d.top_p;
  if (name == QLatin1String("minP")) return d.min_p;
  if (name == QLatin1String("repeatPenalty")) return d.repeat_penalty;
  if (name == QLatin1String("repeatLastN")) return d.repeat_last_n;
  if (name == QLatin1String("presencePenalty")) return d.presence_penalty;
  if (name == QLatin1String("frequencyPenalty")) return d.frequency_penalty;
  if (name == QLatin1String("maxNewTokens")) return d.max_new_tokens;
  if (name == QLatin1String("windowSize")) return SamplingConfig::kDefaultWindow;
  return 0;
}

}  // namespace

SamplingConfig::SamplingConfig(QObject* parent) : QObject(parent) {}

bool SamplingConfig::setNumber(const char* name, double v, double current) {
  const Range* r = find_range(QLatin1String(name));
  if (!std::isfinite(v) || v < r->from - 1e-9 || v > r->to + 1e-9) {
    emit rejected(tr("%1 must be between %2 and %3.").arg(QLatin1String(name)).arg(r->from).arg(r->to));
    emit changed();  // lets a field that showed the bad text show the kept value again
    return false;
  }
  return v != current;
}

void SamplingConfig::commit() {
  emit changed();
  emit edited();
}

#define FALCON_SETTER(Func, field, type)                       \
  void SamplingConfig::Func(type v) {                          \
    if (!setNumber(kName_##Func, double(v), s_.field)) return; \
    s_.field = decltype(s_.field)(v);                          \
    commit();                                                  \
  }
namespace {
constexpr const char* kName_setTemperature = "temperature";
constexpr const char* kName_setTopK = "topK";
constexpr const char* kName_setTopP = "topP";
constexpr const char* kName_setMinP = "minP";
constexpr const char* kName_setRepeatPenalty = "repeatPenalty";
constexpr const char* kName_setRepeatLastN = "repeatLastN";
constexpr const char* kName_setPresencePenalty = "presencePenalty";
constexpr const char* kName_setFrequencyPenalty = "frequencyPenalty";
constexpr const char* kName_setMaxNewTokens = "maxNewTokens";
}  // namespace
FALCON_SETTER(setTemperature, temperature, double)
FALCON_SETTER(setTopK, top_k, int)
FALCON_SETTER(setTopP, top_p, double)
FALCON_SETTER(setMinP, min_p, double)
FALCON_SETTER(setRepeatPenalty, repeat_penalty, double)
FALCON_SETTER(setRepeatLastN, repeat_last_n, int)
FALCON_SETTER(setPresencePenalty, presence_penalty, double)
FALCON_SETTER(setFrequencyPenalty, frequency_penalty, double)
FALCON_SETTER(setMaxNewTokens, max_new_tokens, int)
#undef FALCON_SETTER

void SamplingConfig::setRandomSeed(bool random) {
  if (random == randomSeed()) return;
  if (random) {
    fixed_seed_ = int(*s_.seed);
    s_.seed.reset();
  } else {
    s_.seed = uint64_t(fixed_seed_);
  }
  commit();
}

void SamplingConfig::setSeed(int v) {
  // Compared with the seed in use, not the one shown: typing the shown seed while "random"
  // is on still means "use this seed".
  const double current = randomSeed() ? -1.0 : double(*s_.seed);
  if (!setNumber("seed", v, current)) return;
  fixed_seed_ = v;
  s_.seed = uint64_t(v);  // typing a seed means "use this seed"
  commit();
}

QStringList SamplingConfig::stopStrings() const {
  QStringList out;
  for (const auto& s : s_.stop_strings) out << QString::fromStdString(s);
  return out;
}

void SamplingConfig::setStopStrings(const QStringList& list) {
  std::vector<std::string> v;
  for (const QString& s : list)
    if (!s.isEmpty()) v.push_back(s.toStdString());
  if (v == s_.stop_strings) return;
  s_.stop_strings = std::move(v);
  commit();
}

void SamplingConfig::setWindowSize(int v) {
  if (!setNumber("windowSize", v, window_)) return;
  window_ = v;
  commit();
}

bool SamplingConfig::isDefault() const {
  const falcon::SamplingSettings d;
  return s_.temperature == d.temperature && s_.top_k == d.top_k && s_.top_p == d.top_p &&
         s_.min_p == d.min_p && s_.repeat_penalty == d.repeat_penalty &&
         s_.repeat_last_n == d.repeat_last_n && s_.presence_penalty == d.presence_penalty &&
         s_.frequency_penalty == d.frequency_penalty && s_.max_new_tokens == d.max_new_tokens && !s_.seed &&
         s_.stop_strings.empty() && window_ == kDefaultWindow;
}

QVariantMap SamplingConfig::range(const QString& name) const {
  const Range* r = find_range(name);
  if (!r) return {};
  return {{QStringLiteral("from"), r->from},
          {QStringLiteral("to"), r->to},
          {QStringLiteral("step"), r->step},
          {QStringLiteral("default"), default_of(name)}};
}

void SamplingConfig::resetToDefaults() {
  s_ = falcon::SamplingSettings{};
  window_ = kDefaultWindow;
  commit();
}

QString SamplingConfig::toJson() const {
  return jsonOf(s_);
}

QString SamplingConfig::jsonOf(const falcon::SamplingSettings& s_) {
  QStringList stops;
  for (const auto& s : s_.stop_strings) stops << QString::fromStdString(s);
  QJsonObject o;
  o[QStringLiteral("temperature")] = double(s_.temperature);
  o[QStringLiteral("top_k")] = s_.top_k;
  o[QStringLiteral("top_p")] = double(s_.top_p);
  o[QStringLiteral("min_p")] = double(s_.min_p);
  o[QStringLiteral("repeat_penalty")] = double(s_.repeat_penalty);
  o[QStringLiteral("repeat_last_n")] = s_.repeat_last_n;
  o[QStringLiteral("presence_penalty")] = double(s_.presence_penalty);
  o[QStringLiteral("frequency_penalty")] = double(s_.frequency_penalty);
  o[QStringLiteral("max_new_tokens")] = s_.max_new_tokens;
  o[QStringLiteral("seed")] = s_.seed ? QJsonValue(double(*s_.seed)) : QJsonValue();
  o[QStringLiteral("stop_strings")] = QJsonArray::fromStringList(stops);
  return QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Compact));
}

void SamplingConfig::load(const QString& json, int window_size) {
  s_ = parse(json);
  window_ = validWindow(window_size);
  emit changed();
}

int SamplingConfig::validWindow(int window_size) {
  const Range* w = find_range(QStringLiteral("windowSize"));
  return window_size >= w->from && window_size <= w->to ? window_size : kDefaultWindow;
}

falcon::SamplingSettings SamplingConfig::parse(const QString& json) {
  falcon::SamplingSettings s;
  const QJsonObject o = QJsonDocument::fromJson(json.toUtf8()).object();
  auto number = [&](const char* key, const char* range_name, auto& field) {
    const QJsonValue v = o.value(QLatin1String(key));
    const Range* r = find_range(QLatin1String(range_name));
    if (v.isDouble() && v.toDouble() >= r->from && v.toDouble() <= r->to)
      field = decltype(field + 0)(v.toDouble());
  };
  number("temperature", "temperature", s.temperature);
  number("top_k", "topK", s.top_k);
  number("top_p", "topP", s.top_p);
  number("min_p", "minP", s.min_p);
  number("repeat_penalty", "repeatPenalty", s.repeat_penalty);
  number("repeat_last_n", "repeatLastN", s.repeat_last_n);
  number("presence_penalty", "presencePenalty", s.presence_penalty);
  number("frequency_penalty", "frequencyPenalty", s.frequency_penalty);
  number("max_new_tokens", "maxNewTokens", s.max_new_tokens);
  const QJsonValue seed = o.value(QStringLiteral("seed"));
  if (seed.isDouble() && seed.toDouble() >= 0 && seed.toDouble() <= 2147483647.0)
    s.seed = uint64_t(seed.toDouble());
  for (const QJsonValue v : o.value(QStringLiteral("stop_strings")).toArray())
    if (v.isString() && !v.toString().isEmpty()) s.stop_strings.push_back(v.toString().toStdString());
  return s;
}
