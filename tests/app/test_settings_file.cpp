// SettingsFile (app/settings_file.h): changes are seen at once and reach the file behind, in
// order, in QSettings' own layout (QSettings reading the file is the reference), without the
// changing thread ever waiting for the file; a file that cannot be written loses nothing in
// memory and says so.
#include <QCoreApplication>
#include <QFile>
#include <QLockFile>
#include <QSettings>
#include <QTemporaryDir>
#include <QtTest>
#include <chrono>
#include <future>

#include "app/settings_file.h"

class SettingsFileTest : public QObject {
  Q_OBJECT

  QTemporaryDir dir_;

  static SettingsFile& file() { return SettingsFile::instance(); }
  // The file as a fresh QSettings reads it (nothing of this process's memory in it).
  static QString on_disk(const QString& key) {
    QSettings s(QSettings().fileName(), QSettings::IniFormat);
    return s.value(key).toString();
  }
  static void point_at(const QString& folder) {
    file().flush();
    QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, folder);
    file().reload();
  }

 private slots:
  void initTestCase() {
    QCoreApplication::setOrganizationName(QStringLiteral("falcon-chat-tests"));
    QCoreApplication::setApplicationName(QStringLiteral("settings-file"));
  }
  void init() { point_at(dir_.filePath(QStringLiteral("cfg-%1").arg(QTest::currentTestFunction()))); }
  void cleanupTestCase() { file().flush(); }

  void a_change_is_seen_at_once_and_reaches_the_file() {
    QCOMPARE(file().value(QStringLiteral("ui/theme"), 7).toInt(), 7);
    file().setValue(QStringLiteral("ui/theme"), 2);
    QCOMPARE(file().value(QStringLiteral("ui/theme")).toInt(), 2);
    QVERIFY(file().flush());
    QCOMPARE(on_disk(QStringLiteral("ui/theme")), QStringLiteral("2"));
    file().reload();  // read back from the file
    QCOMPARE(file().value(QStringLiteral("ui/theme")).toInt(), 2);
  }

  void changes_reach_the_file_in_order() {
    for (int i = 0; i < 200; ++i) file().setValue(QStringLiteral("k/v"), i);
    file().setValue(QStringLiteral("k/gone"), 1);
    file().remove(QStringLiteral("k/gone"));
    QVERIFY(file().flush());
    QCOMPARE(on_disk(QStringLiteral("k/v")), QStringLiteral("199"));
    QSettings s(QSettings().fileName(), QSettings::IniFormat);
    QVERIFY(!s.contains(QStringLiteral("k/gone")));
  }

  // The file holds QSettings' array layout, so QSettings (and files of earlier versions) agree.
  void arrays_keep_qsettings_layout() {
    const QList<QVariantMap> three = {
        {{QStringLiteral("dir"), QStringLiteral("/a")}},
        {{QStringLiteral("dir"), QStringLiteral("/b")}, {QStringLiteral("w"), 4}},
        {{QStringLiteral("dir"), QStringLiteral("/c")}}};
    file().setArray(QStringLiteral("recent"), three);
    QCOMPARE(file().array(QStringLiteral("recent")).size(), 3);
    QCOMPARE(file().array(QStringLiteral("recent"))[1].value(QStringLiteral("w")).toInt(), 4);
    QVERIFY(file().flush());
    {
      QSettings s(QSettings().fileName(), QSettings::IniFormat);
      QCOMPARE(s.beginReadArray(QStringLiteral("recent")), 3);
      s.setArrayIndex(2);
      QCOMPARE(s.value(QStringLiteral("dir")).toString(), QStringLiteral("/c"));
      s.endArray();
    }
    // Shorter: the old entries are gone, in memory and in the file.
    file().setArray(QStringLiteral("recent"), {{{QStringLiteral("dir"), QStringLiteral("/z")}}});
    QCOMPARE(file().array(QStringLiteral("recent")).size(), 1);
    QVERIFY(file().value(QStringLiteral("recent/2/dir")).isNull());
    QVERIFY(file().flush());
    QSettings s(QSettings().fileName(), QSettings::IniFormat);
    QCOMPARE(s.beginReadArray(QStringLiteral("recent")), 1);
    s.endArray();
    QVERIFY(!s.contains(QStringLiteral("recent/2/dir")));
    // Empty: the group goes.
    file().setArray(QStringLiteral("recent"), {});
    QVERIFY(file().array(QStringLiteral("recent")).isEmpty());
  }

  // What the UI thread gained: while the file cannot be written (here: its lock is held, as a
  // slow disk's fdatasync would hold the writer), a change returns at once and is seen; it
  // reaches the file when the file is free. (Through QSettings directly the call would wait.)
  void a_change_never_waits_for_the_file() {
    file().setValue(QStringLiteral("a/b"), QStringLiteral("before"));
    QVERIFY(file().flush());
    const QString path = QSettings().fileName();
    QLockFile lock(path + QStringLiteral(".lock"));
    QVERIFY(lock.tryLock(0));
    auto change = std::async(std::launch::async, [] {
      file().setValue(QStringLiteral("a/b"), QStringLiteral("after"));
      return file().value(QStringLiteral("a/b")).toString();
    });
    const bool returned = change.wait_for(std::chrono::seconds(10)) == std::future_status::ready;
    if (!returned) lock.unlock();  // so that the failing check ends the test instead of hanging it
    QVERIFY2(returned, "the change waited for the settings file");
    QCOMPARE(change.get(), QStringLiteral("after"));
    QTest::qWait(200);  // the writer is at the lock now
    {
      // Read as bytes: a QSettings would wait, as every QSettings in the process does while
      // one of them writes (the reason the app reads from memory).
      QFile f(path);
      QVERIFY(f.open(QIODevice::ReadOnly));
      const QByteArray text = f.readAll();
      QVERIFY(text.contains("before"));
      QVERIFY(!text.contains("after"));
    }
    lock.unlock();
    QVERIFY(file().flush());
    QCOMPARE(on_disk(QStringLiteral("a/b")), QStringLiteral("after"));
  }

  void a_file_that_cannot_be_written_keeps_the_changes_in_memory() {
    const QString not_a_folder = dir_.filePath(QStringLiteral("plain-file"));
    {
      QFile f(not_a_folder);
      QVERIFY(f.open(QIODevice::WriteOnly));
    }
    point_at(not_a_folder);  // the settings file would be below a regular file
    file().setValue(QStringLiteral("ui/fontSize"), 18);
    QVERIFY(!file().flush());
    QCOMPARE(file().value(QStringLiteral("ui/fontSize")).toInt(), 18);
    // A good file again: writing works again.
    point_at(dir_.filePath(QStringLiteral("good-again")));
    file().setValue(QStringLiteral("ui/fontSize"), 12);
    QVERIFY(file().flush());
    QCOMPARE(on_disk(QStringLiteral("ui/fontSize")), QStringLiteral("12"));
  }
};

QTEST_GUILESS_MAIN(SettingsFileTest)
#include "test_settings_file.moc"
