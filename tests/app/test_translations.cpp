// The German and Arabic translations are complete (issue 9): every string the sources mark with
// tr()/qsTr() that lupdate found has a finished translation in both files, and every
// placeholder of the English text (%1, %2, %n) appears in its translation, so no message loses
// its numbers or names in another language.
#include <QFile>
#include <QLibraryInfo>
#include <QLocale>
#include <QRegularExpression>
#include <QSettings>
#include <QTemporaryDir>
#include <QTranslator>
#include <QXmlStreamReader>
#include <QtTest>

#include "app/app_settings.h"
#include "app/settings_file.h"

namespace {

struct Entry {
  QString context, source, translation, type;
  bool numerus = false;
};

QList<Entry> read_ts(const QString& path) {
  QList<Entry> out;
  QFile f(path);
  if (!f.open(QIODevice::ReadOnly)) return out;
  QXmlStreamReader xml(&f);
  QString context;
  Entry e;
  while (!xml.atEnd()) {
    xml.readNext();
    if (!xml.isStartElement()) {
      if (xml.isEndElement() && xml.name() == QLatin1String("message")) out.append(e);
      continue;
    }
    if (xml.name() == QLatin1String("name")) {
      context = xml.readElementText();
    } else if (xml.name() == QLatin1String("message")) {
      e = Entry{
          context, {}, {}, {}, xml.attributes().value(QLatin1String("numerus")) == QLatin1String("yes")};
    } else if (xml.name() == QLatin1String("source")) {
      e.source = xml.readElementText();
    } else if (xml.name() == QLatin1String("translation")) {
      e.type = xml.attributes().value(QLatin1String("type")).toString();
      e.translation = xml.readElementText(QXmlStreamReader::IncludeChildElements);
    }
  }
  return out;
}

QStringList placeholders(const QString& s) {
  static const QRegularExpression kArg(QStringLiteral("%(\\d|n)"));
  QStringList out;
  auto it = kArg.globalMatch(s);
  while (it.hasNext()) out << it.next().captured(0);
  out.removeDuplicates();
  out.sort();
  return out;
}

}  // namespace

class TranslationsTest : public QObject {
  Q_OBJECT

 private slots:
  void complete_data() {
    QTest::addColumn<QString>("language");
    QTest::newRow("de") << QStringLiteral("de");
    QTest::newRow("ar") << QStringLiteral("ar");
  }
  void complete() {
    QFETCH(QString, language);
    const QList<Entry> entries =
        read_ts(QStringLiteral(FALCON_SOURCE_DIR "/translations/falcon-chat_%1.ts").arg(language));
    QVERIFY2(entries.size() > 100, "the .ts file is missing or nearly empty");
    int live = 0;
    for (const Entry& e : entries) {
      if (e.type == QLatin1String("vanished") || e.type == QLatin1String("obsolete")) continue;
      ++live;
      const QString where = e.context + QStringLiteral(": ") + e.source;
      QVERIFY2(e.type != QLatin1String("unfinished"), qPrintable(QStringLiteral("unfinished: ") + where));
      QVERIFY2(!e.translation.trimmed().isEmpty(), qPrintable(QStringLiteral("empty: ") + where));
      // A numerus entry holds several forms; each must carry the placeholders (%n may be dropped
      // in the singular form of some languages, so only the other ones are compared there).
      if (!e.numerus) {
        QVERIFY2(placeholders(e.translation) == placeholders(e.source),
                 qPrintable(QStringLiteral("placeholders differ: ") + where + QStringLiteral(" -> ") +
                            e.translation));
      }
    }
    QVERIFY(live > 100);
  }

  // English source texts say "%n token(s)"; the English file gives the real singular and plural,
  // for every %n string the other languages translate, and the app shows them.
  void english_has_every_plural() {
    QSet<QString> numerus;
    for (const Entry& e : read_ts(QStringLiteral(FALCON_SOURCE_DIR "/translations/falcon-chat_de.ts")))
      if (e.numerus && e.type != QLatin1String("vanished") && e.type != QLatin1String("obsolete"))
        numerus.insert(e.context + QStringLiteral(": ") + e.source);
    QVERIFY(!numerus.isEmpty());
    QSet<QString> english;
    for (const Entry& e : read_ts(QStringLiteral(FALCON_SOURCE_DIR "/translations/falcon-chat_en.ts"))) {
      if (e.type == QLatin1String("vanished") || e.type == QLatin1String("obsolete")) continue;
      const QString where = e.context + QStringLiteral(": ") + e.source;
      QVERIFY2(e.numerus, qPrintable(QStringLiteral("not a plural: ") + where));
      QVERIFY2(e.type != QLatin1String("unfinished"), qPrintable(QStringLiteral("unfinished: ") + where));
      english.insert(where);
    }
    QCOMPARE(english, numerus);

    QTranslator en;
    QVERIFY(en.load(QStringLiteral(FALCON_BINARY_DIR "/app/falcon-chat_en.qm")));
    QCoreApplication::installTranslator(&en);
    QCOMPARE(QCoreApplication::translate("ReplyStats", "%n token(s)", nullptr, 1), QStringLiteral("1 token"));
    QCOMPARE(QCoreApplication::translate("ReplyStats", "%n token(s)", nullptr, 28),
             QStringLiteral("28 tokens"));
    QCOMPARE(QCoreApplication::translate("ReplyStats", "%n token(s)", nullptr, 0),
             QStringLiteral("0 tokens"));
    QCOMPARE(QCoreApplication::translate("Main", "Imported %Ln conversation(s)", nullptr, 1),
             QStringLiteral("Imported 1 conversation"));
    QCOMPARE(QCoreApplication::translate("Main", "Imported %Ln conversation(s)", nullptr, 5000),
             QStringLiteral("Imported ") + QLocale().toString(5000) + QStringLiteral(" conversations"));
    QCoreApplication::removeTranslator(&en);
  }

  // Qt's own strings (standard buttons, Qt's file dialogs) follow the chosen language too: a German
  // settings dialog said "Close". They come from Debian's qt6-translations-l10n, which
  // tools/install-deps.sh installs and the package recommends.
  void qt_own_strings_follow_the_language() {
    QTemporaryDir settings_dir;
    SettingsFile::instance().flush();
    QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, settings_dir.path());
    SettingsFile::instance().reload();  // the settings of this test only
    const QString qt_dir = QLibraryInfo::path(QLibraryInfo::TranslationsPath);
    QVERIFY2(QFile::exists(qt_dir + QStringLiteral("/qt_de.qm")),
             qPrintable(QStringLiteral("no qt_de.qm in %1: install qt6-translations-l10n").arg(qt_dir)));
    const auto close = [] { return QCoreApplication::translate("QPlatformTheme", "Close"); };
    const QString english = close();
    QCOMPARE(english, QStringLiteral("Close"));
    AppSettings s(nullptr);
    s.setLanguage(QStringLiteral("de"));
    QCOMPARE(close(), QStringLiteral("Schließen"));
    s.setLanguage(QStringLiteral("ar"));
    QVERIFY(close() != english);
    QVERIFY(close() != QStringLiteral("Schließen"));
    s.setLanguage(QStringLiteral("en"));
    QCOMPARE(close(), english);
    QVERIFY(SettingsFile::instance().flush());  // before settings_dir goes
  }

  void both_languages_translate_the_same_strings() {
    QSet<QString> de, ar;
    for (const Entry& e : read_ts(QStringLiteral(FALCON_SOURCE_DIR "/translations/falcon-chat_de.ts")))
      if (e.type != QLatin1String("vanished") && e.type != QLatin1String("obsolete"))
        de.insert(e.context + e.source);
    for (const Entry& e : read_ts(QStringLiteral(FALCON_SOURCE_DIR "/translations/falcon-chat_ar.ts")))
      if (e.type != QLatin1String("vanished") && e.type != QLatin1String("obsolete"))
        ar.insert(e.context + e.source);
    QCOMPARE(de, ar);
  }
};

QTEST_GUILESS_MAIN(TranslationsTest)
#include "test_translations.moc"
