#include "app/app_settings.h"

#include <QCoreApplication>
#include <QDir>
#include <QGuiApplication>
#include <QLibraryInfo>
#include <QLocale>
#include <QQmlEngine>
#include <algorithm>
#include <cmath>

#include "app/settings_file.h"

namespace {
const QString kTheme = QStringLiteral("ui/theme");
const QString kFontSize = QStringLiteral("ui/fontSize");
const QString kLanguage = QStringLiteral("ui/language");
const QString kModelDir = QStringLiteral("model/dir");
const QString kModelBackend = QStringLiteral("model/backend");
const QString kModelWeights = QStringLiteral("model/weights");
const QString kLastChat = QStringLiteral("chat/lastConversation");
const QString kRecentModels = QStringLiteral("recentModels");
const QStringList kLanguages = {QStringLiteral("en"), QStringLiteral("de"), QStringLiteral("ar")};
SettingsFile& settings() {
  return SettingsFile::instance();
}
}  // namespace

AppSettings::AppSettings(QQmlEngine* engine, QObject* parent) : QObject(parent), engine_(engine) {}
AppSettings::~AppSettings() {
  if (translator_) QCoreApplication::removeTranslator(translator_.get());
  if (qt_translator_) QCoreApplication::removeTranslator(qt_translator_.get());
}

AppSettings* AppSettings::create(QQmlEngine* qml_engine, QJSEngine*) {
  auto* s = new AppSettings(qml_engine);
  s->applyLanguage();
  return s;
}

int AppSettings::theme() const {
  return std::clamp(settings().value(kTheme, 0).toInt(), 0, 2);
}
void AppSettings::setTheme(int theme) {
  if (theme < 0 || theme > 2 || theme == this->theme()) return;
  settings().setValue(kTheme, theme);
  emit themeChanged();
}

int AppSettings::fontSize() const {
  return std::clamp(settings().value(kFontSize, kDefaultFontSize).toInt(), kMinFontSize, kMaxFontSize);
}
void AppSettings::setFontSize(int size) {
  size = std::clamp(size, kMinFontSize, kMaxFontSize);
  if (size == fontSize()) return;
  settings().setValue(kFontSize, size);
  emit fontSizeChanged();
}

void AppSettings::zoom(int steps) {
  setFontSize(steps == 0 ? kDefaultFontSize : fontSize() + steps);
}

QString AppSettings::language() const {
  const QString l = settings().value(kLanguage).toString();
  return kLanguages.contains(l) ? l : QString();
}
void AppSettings::setLanguage(const QString& language) {
  if (!language.isEmpty() && !kLanguages.contains(language)) return;
  if (language == this->language()) return;
  settings().setValue(kLanguage, language);
  applyLanguage();
}

QStringList AppSettings::availableLanguages() const {
  return QStringList{QString()} + kLanguages;
}

void AppSettings::applyLanguage() {
  QString chosen = language();
  if (chosen.isEmpty()) {
    chosen = QStringLiteral("en");
    for (const QString& ui : QLocale::system().uiLanguages()) {
      const QString code = ui.section(QLatin1Char('-'), 0, 0).section(QLatin1Char('_'), 0, 0).toLower();
      if (kLanguages.contains(code)) {
        chosen = code;
        break;
      }
    }
  }
  for (auto* t : {&translator_, &qt_translator_}) {
    if (*t) {
      QCoreApplication::removeTranslator(t->get());
      t->reset();
    }
  }
  if (chosen != QLatin1String("en")) {
    // Without it a German window would say "Close" and Qt's file dialogs would be English.
    auto t = std::make_unique<QTranslator>();
    if (t->load(QStringLiteral("qt_%1").arg(chosen), QLibraryInfo::path(QLibraryInfo::TranslationsPath))) {
      QCoreApplication::installTranslator(t.get());
      qt_translator_ = std::move(t);
    }
  }
  {
    // English too: its file holds only the plural forms ("1 token", "28 tokens").
    auto t = std::make_unique<QTranslator>();
    if (t->load(QStringLiteral(":/i18n/falcon-chat_%1.qm").arg(chosen))) {
      QCoreApplication::installTranslator(t.get());
      translator_ = std::move(t);
    }
  }
  effective_language_ = chosen;
  if (qobject_cast<QGuiApplication*>(QCoreApplication::instance()))
    QGuiApplication::setLayoutDirection(rightToLeft() ? Qt::RightToLeft : Qt::LeftToRight);
  if (engine_) engine_->retranslate();
  emit languageChanged();
}

QString AppSettings::lastModelDir() const {
  return settings().value(kModelDir).toString();
}
QString AppSettings::lastBackend() const {
  return settings().value(kModelBackend, QStringLiteral("auto")).toString();
}
QString AppSettings::lastWeights() const {
  return settings().value(kModelWeights, QStringLiteral("bf16")).toString();
}
void AppSettings::setLastModel(const QString& dir, const QString& backend, const QString& weights) {
  settings().setValue(kModelDir, dir);
  settings().setValue(kModelBackend, backend);
  settings().setValue(kModelWeights, weights);
  QList<RecentModel> recent = recentModels();
  const QString key = QDir::cleanPath(dir);
  recent.removeIf([&](const RecentModel& m) { return QDir::cleanPath(m.dir) == key; });
  recent.prepend({key, backend, weights});
  if (recent.size() > kMaxRecentModels) recent.resize(kMaxRecentModels);
  QList<QVariantMap> entries;
  for (const RecentModel& m : recent)
    entries.append({{QStringLiteral("dir"), m.dir},
                    {QStringLiteral("backend"), m.backend},
                    {QStringLiteral("weights"), m.weights}});
  settings().setArray(kRecentModels, entries);
}

QList<AppSettings::RecentModel> AppSettings::recentModels() const {
  QList<RecentModel> out;
  for (const QVariantMap& e : settings().array(kRecentModels)) {
    if (out.size() >= kMaxRecentModels) break;
    RecentModel m{e.value(QStringLiteral("dir")).toString(), e.value(QStringLiteral("backend")).toString(),
                  e.value(QStringLiteral("weights")).toString()};
    if (!m.dir.isEmpty()) out.append(m);  // an edited file may hold holes
  }
  return out;
}

qint64 AppSettings::lastConversationId() const {
  return settings().value(kLastChat, 0).toLongLong();
}
void AppSettings::setLastConversationId(qint64 id) {
  settings().setValue(kLastChat, id);
}

QVariant AppSettings::windowValue(const QString& name, const QVariant& fallback) const {
  const QVariant v = settings().value(QStringLiteral("window/") + name);
  if (!v.isValid()) return fallback;
  // Read back from the file every value is text: give it the fallback's type where it has one.
  if (fallback.typeId() == QMetaType::Bool) {
    const QString t = v.toString();
    return t == QLatin1String("true")    ? QVariant(true)
           : t == QLatin1String("false") ? QVariant(false)
                                         : fallback;
  }
  if (fallback.typeId() == QMetaType::Int || fallback.typeId() == QMetaType::Double) {
    bool ok = false;
    const double d = v.toString().toDouble(&ok);
    if (!ok || !std::isfinite(d)) return fallback;  // an edited file may hold anything
    const double sane = std::clamp(d, -1e6, 1e6);   // no window is a million pixels away or wide
    return fallback.typeId() == QMetaType::Int ? QVariant(int(sane)) : QVariant(sane);
  }
  return v;
}

void AppSettings::setWindowValue(const QString& name, const QVariant& value) {
  settings().setValue(QStringLiteral("window/") + name, value);
}
