// FolderBrowserModel (app/folder_browser_model.h), the model dialog's folder browser: what it lists
// of a folder built here (folders first, natural order, models marked, hidden entries only when
// asked), that a folder which cannot be opened leaves the one shown, that a file's path shows its
// folder, that only the latest request lands, typed paths, and that destroying it while a
// listing runs is safe; for the file chooser, the files filtered by suffix and selected several
// at once.
#include <unistd.h>

#include <QDir>
#include <QFile>
#include <QGuiApplication>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>
#include <memory>

#include "app/folder_browser_model.h"

class FolderBrowserModelTest : public QObject {
  Q_OBJECT

  QTemporaryDir tmp_;

  QString make(const QString& rel) {
    const QString p = tmp_.filePath(rel);
    QDir().mkpath(p);
    return p;
  }
  void write(const QString& rel, const QByteArray& bytes) {
    QFile f(tmp_.filePath(rel));
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(bytes);
  }
  static QStringList names(const FolderBrowserModel& m) {
    QStringList out;
    for (int i = 0; i < m.rowCount(); ++i) out << m.data(m.index(i), FolderBrowserModel::NameRole).toString();
    return out;
  }
  static QVariant role(const FolderBrowserModel& m, const QString& name, int r) {
    for (int i = 0; i < m.rowCount(); ++i)
      if (m.data(m.index(i), FolderBrowserModel::NameRole).toString() == name) return m.data(m.index(i), r);
    return {};
  }
  static bool listed(FolderBrowserModel& m, const QString& path) {
    m.open(path);
    return QTest::qWaitFor([&] { return !m.loading(); }, 10000);
  }

 private slots:
  void initTestCase() {
    QVERIFY(tmp_.isValid());
    // tree/: folders a9, a10, b, Model-7b (a model), model-40b (a model), .cache (hidden);
    // files README.md (0 bytes), z.txt (3 bytes), .hidden.txt.
    for (const char* d : {"tree/a9", "tree/a10", "tree/b", "tree/Model-7b", "tree/model-40b", "tree/.cache"})
      make(QString::fromLatin1(d));
    write(QStringLiteral("tree/Model-7b/config.json"), "{}");
    write(QStringLiteral("tree/model-40b/config.json"), "{}");
    write(QStringLiteral("tree/README.md"), "");
    write(QStringLiteral("tree/z.txt"), "abc");
    write(QStringLiteral("tree/.hidden.txt"), "h");
    // A Hugging Face hub cache: one repository with a snapshot holding a model, one without.
    make(QStringLiteral("hub/models--tiiuae--falcon-7b/snapshots/0123abcd"));
    write(QStringLiteral("hub/models--tiiuae--falcon-7b/snapshots/0123abcd/config.json"), "{}");
    make(QStringLiteral("hub/models--someone--empty/snapshots/feed"));
    make(QStringLiteral("hub/datasets--someone--data/snapshots/feed"));
    write(QStringLiteral("hub/datasets--someone--data/snapshots/feed/config.json"), "{}");
    make(QStringLiteral("checkpoint"));
    write(QStringLiteral("checkpoint/config.json"), "{}");
    // files/: a folder "sub.json" (a folder, whatever its name), a.json, B.JSON, c.txt, notes.md,
    // json (no suffix), x.json.bak, .json (hidden; "*.json" as a glob would take it too).
    make(QStringLiteral("files/sub.json"));
    for (const char* f : {"a.json", "B.JSON", "c.txt", "notes.md", "json", "x.json.bak", ".json"})
      write(QStringLiteral("files/") + QString::fromLatin1(f), "x");
    write(QStringLiteral("checkpoint/model.safetensors"), QByteArray(1000, 'x'));
  }

  void lists_folders_first_in_natural_order_with_models_marked() {
    FolderBrowserModel m;
    QVERIFY(listed(m, tmp_.filePath(QStringLiteral("tree"))));
    QCOMPARE(m.error(), QString());
    QCOMPARE(m.folder(), QDir::cleanPath(tmp_.filePath(QStringLiteral("tree"))));
    QCOMPARE(names(m), (QStringList{"a9", "a10", "b", "Model-7b", "model-40b", "README.md", "z.txt"}));
    QCOMPARE(role(m, QStringLiteral("Model-7b"), FolderBrowserModel::IsModelRole).toBool(), true);
    QCOMPARE(role(m, QStringLiteral("model-40b"), FolderBrowserModel::IsModelRole).toBool(), true);
    QCOMPARE(role(m, QStringLiteral("b"), FolderBrowserModel::IsModelRole).toBool(), false);
    QCOMPARE(role(m, QStringLiteral("b"), FolderBrowserModel::IsDirRole).toBool(), true);
    QCOMPARE(role(m, QStringLiteral("z.txt"), FolderBrowserModel::IsDirRole).toBool(), false);
    QCOMPARE(role(m, QStringLiteral("z.txt"), FolderBrowserModel::SizeRole).toLongLong(), 3);
    QCOMPARE(role(m, QStringLiteral("b"), FolderBrowserModel::PathRole).toString(), m.folder() + "/b");
    QVERIFY(!m.holdsModel());
    QVERIFY(!m.truncated());
  }

  void natural_order_data() {
    QTest::addColumn<QString>("a");
    QTest::addColumn<QString>("b");
    QTest::addColumn<int>("sign");
    QTest::newRow("digits by value") << "falcon-7b"
                                     << "falcon-40b" << -1;
    QTest::newRow("leading zeros") << "shard-007"
                                   << "shard-10" << -1;
    QTest::newRow("equal numbers") << "x2y"
                                   << "x02y" << 0;
    QTest::newRow("case-blind") << "Alpha"
                                << "beta" << -1;
    QTest::newRow("prefix first") << "model"
                                  << "model-7b" << -1;
    QTest::newRow("digits before letters") << "7b"
                                           << "b" << -1;
    QTest::newRow("huge numbers") << "n123456789012345678901"
                                  << "n99" << 1;
  }
  void natural_order() {
    QFETCH(QString, a);
    QFETCH(QString, b);
    QFETCH(int, sign);
    const auto sgn = [](int v) { return (v > 0) - (v < 0); };
    QCOMPARE(sgn(FolderBrowserModel::natural_compare(a, b)), sign);
    QCOMPARE(sgn(FolderBrowserModel::natural_compare(b, a)), -sign);
  }

  void hub_cache_repositories_with_a_model_are_marked() {
    FolderBrowserModel m;
    QVERIFY(listed(m, tmp_.filePath(QStringLiteral("hub"))));
    QCOMPARE(role(m, QStringLiteral("models--tiiuae--falcon-7b"), FolderBrowserModel::IsModelRole).toBool(),
             true);
    QCOMPARE(role(m, QStringLiteral("models--someone--empty"), FolderBrowserModel::IsModelRole).toBool(),
             false);
    // Only model repositories are looked into.
    QCOMPARE(role(m, QStringLiteral("datasets--someone--data"), FolderBrowserModel::IsModelRole).toBool(),
             false);
  }

  void hidden_entries_only_when_asked() {
    FolderBrowserModel m;
    m.setShowHidden(true);
    QVERIFY(listed(m, tmp_.filePath(QStringLiteral("tree"))));
    QVERIFY(names(m).contains(QStringLiteral(".cache")));
    QVERIFY(names(m).contains(QStringLiteral(".hidden.txt")));
    m.setShowHidden(false);  // re-reads the folder
    QVERIFY(QTest::qWaitFor([&] { return !m.loading(); }, 10000));
    QVERIFY(!names(m).contains(QStringLiteral(".cache")));
    QVERIFY(!names(m).contains(QStringLiteral(".hidden.txt")));
  }

  void a_checkpoint_folder_holds_a_model_and_lists_its_files() {
    FolderBrowserModel m;
    QVERIFY(listed(m, tmp_.filePath(QStringLiteral("checkpoint"))));
    QVERIFY(m.holdsModel());
    QCOMPARE(names(m), (QStringList{"config.json", "model.safetensors"}));
    QCOMPARE(role(m, QStringLiteral("model.safetensors"), FolderBrowserModel::SizeRole).toLongLong(), 1000);
    QVERIFY(
        !role(m, QStringLiteral("model.safetensors"), FolderBrowserModel::SizeTextRole).toString().isEmpty());
  }

  void a_folder_that_cannot_be_opened_leaves_the_one_shown() {
    FolderBrowserModel m;
    QVERIFY(listed(m, tmp_.filePath(QStringLiteral("tree"))));
    const QString shown = m.folder();
    const int rows = m.rowCount();
    QSignalSpy folder_changed(&m, &FolderBrowserModel::folderChanged);

    const QString missing = tmp_.filePath(QStringLiteral("no-such-folder"));
    QVERIFY(listed(m, missing));
    QVERIFY2(m.error().contains(missing) && m.error().contains(QStringLiteral("does not exist")),
             qPrintable(m.error()));
    QVERIFY(!m.error().contains(QChar(0x2068)));
    // Right to left (Arabic), the path keeps its own direction in an isolate.
    QGuiApplication::setLayoutDirection(Qt::RightToLeft);
    const bool isolated = listed(m, missing) && m.error().contains(QChar(0x2068) + missing + QChar(0x2069));
    QGuiApplication::setLayoutDirection(Qt::LeftToRight);
    QVERIFY2(isolated, qPrintable(m.error()));
    QCOMPARE(m.folder(), shown);
    QCOMPARE(m.rowCount(), rows);
    QCOMPARE(folder_changed.count(), 0);

    QVERIFY(listed(m, tmp_.filePath(QStringLiteral("checkpoint"))));  // the next success clears it
    QCOMPARE(m.error(), QString());
    QVERIFY(m.holdsModel());
  }

  // A file's path (a model's config.json pasted) shows the folder that holds it.
  void a_file_opens_its_folder() {
    FolderBrowserModel m;
    QVERIFY(listed(m, tmp_.filePath(QStringLiteral("checkpoint/model.safetensors"))));
    QCOMPARE(m.error(), QString());
    QCOMPARE(m.folder(), QDir::cleanPath(tmp_.filePath(QStringLiteral("checkpoint"))));
    QVERIFY(m.holdsModel());
  }

  void an_unreadable_folder_is_said_to_be_so() {
    if (geteuid() == 0) QSKIP("root reads every folder");
    const QString locked = make(QStringLiteral("locked"));
    QVERIFY(QFile::setPermissions(locked, QFileDevice::Permissions()));
    FolderBrowserModel m;
    QVERIFY(listed(m, locked));
    QFile::setPermissions(locked, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
    QVERIFY2(m.error().contains(QStringLiteral("cannot be read")), qPrintable(m.error()));
    QCOMPARE(m.folder(), QString());
  }

  // Requests made before any listing returns: only the last one lands, once.
  void the_latest_request_wins() {
    FolderBrowserModel m;
    QSignalSpy folder_changed(&m, &FolderBrowserModel::folderChanged);
    m.open(tmp_.filePath(QStringLiteral("tree")));
    m.open(tmp_.filePath(QStringLiteral("tree/b")));
    m.open(tmp_.filePath(QStringLiteral("checkpoint")));
    QVERIFY(m.loading());
    QVERIFY(QTest::qWaitFor([&] { return !m.loading(); }, 10000));
    QTest::qWait(50);  // the superseded listings' results, if any were still queued
    QCOMPARE(m.folder(), QDir::cleanPath(tmp_.filePath(QStringLiteral("checkpoint"))));
    QCOMPARE(folder_changed.count(), 1);
  }

  void typed_paths_are_resolved() {
    FolderBrowserModel m;
    QCOMPARE(m.resolve(QString()), QString());
    QCOMPARE(m.resolve(QStringLiteral("  ")), QString());
    QCOMPARE(m.resolve(QStringLiteral("~")), QDir::homePath());
    QCOMPARE(m.resolve(QStringLiteral(" ~/models/x/ ")), QDir::homePath() + "/models/x");
    QCOMPARE(m.resolve(QStringLiteral("file:///tmp/C%23%20100%25")), QStringLiteral("/tmp/C# 100%"));
    QCOMPARE(m.resolve(QStringLiteral("/a//b/../c/")), QStringLiteral("/a/c"));
    QCOMPARE(m.resolve(QStringLiteral("rel")), QDir::homePath() + "/rel");  // nothing shown yet: home
    QVERIFY(listed(m, tmp_.filePath(QStringLiteral("tree"))));
    QCOMPARE(m.resolve(QStringLiteral("b/../a9")), m.folder() + "/a9");
  }

  void up_stops_at_the_root() {
    FolderBrowserModel m;
    QVERIFY(listed(m, tmp_.filePath(QStringLiteral("tree/b"))));
    QCOMPARE(m.parentFolder(), QDir::cleanPath(tmp_.filePath(QStringLiteral("tree"))));
    m.goUp();
    QVERIFY(QTest::qWaitFor([&] { return !m.loading(); }, 10000));
    QCOMPARE(m.folder(), QDir::cleanPath(tmp_.filePath(QStringLiteral("tree"))));
    QVERIFY(listed(m, QStringLiteral("/")));
    QCOMPARE(m.parentFolder(), QString());
    m.goUp();
    QVERIFY(!m.loading());
    QCOMPARE(m.folder(), QStringLiteral("/"));
  }

  void a_long_folder_is_cut_and_says_so() {
    FolderBrowserModel m;
    m.setMaxEntries(3);
    QVERIFY(listed(m, tmp_.filePath(QStringLiteral("tree"))));
    QCOMPARE(m.rowCount(), 3);
    QVERIFY(m.truncated());
  }

  void files_are_filtered_by_suffix_and_folders_are_kept() {
    FolderBrowserModel m;
    QSignalSpy changed(&m, &FolderBrowserModel::fileSuffixesChanged);
    QVERIFY(listed(m, tmp_.filePath(QStringLiteral("files"))));
    QCOMPARE(names(m),
             (QStringList{"sub.json", "a.json", "B.JSON", "c.txt", "json", "notes.md", "x.json.bak"}));
    // Written as a user of a file dialog might: with the dot or "*.", any case.
    m.setFileSuffixes({QStringLiteral("*.JSON"), QStringLiteral(" .json "), QString()});
    QCOMPARE(m.fileSuffixes(), QStringList{QStringLiteral("json")});
    QCOMPARE(changed.count(), 1);
    QVERIFY(QTest::qWaitFor([&] { return !m.loading(); }, 10000));  // the folder shown is listed again
    QCOMPARE(names(m), (QStringList{"sub.json", "a.json", "B.JSON"}));
    m.setShowHidden(true);
    QVERIFY(QTest::qWaitFor([&] { return !m.loading(); }, 10000));
    QCOMPARE(names(m), (QStringList{"sub.json", ".json", "a.json", "B.JSON"}));
    m.setShowHidden(false);
    m.setFileSuffixes({QStringLiteral("md"), QStringLiteral("txt")});
    QVERIFY(QTest::qWaitFor([&] { return !m.loading(); }, 10000));
    QCOMPARE(names(m), (QStringList{"sub.json", "c.txt", "notes.md"}));
    m.setFileSuffixes({});
    QVERIFY(QTest::qWaitFor([&] { return !m.loading(); }, 10000));
    QCOMPARE(m.rowCount(), 7);
    // The limit counts what is listed, not what the filter left out (which of the three in the
    // directory's own order).
    m.setFileSuffixes({QStringLiteral("json")});
    m.setMaxEntries(3);
    QVERIFY(QTest::qWaitFor([&] { return !m.loading(); }, 10000));
    QCOMPARE(m.rowCount(), 3);
    QVERIFY(!m.truncated());
    m.setMaxEntries(2);
    QVERIFY(QTest::qWaitFor([&] { return !m.loading(); }, 10000));
    QCOMPARE(m.rowCount(), 2);
    QVERIFY(m.truncated());
  }

  void files_are_selected_several_at_once_and_folders_never() {
    FolderBrowserModel m;
    QSignalSpy selection(&m, &FolderBrowserModel::selectionChanged);
    QVERIFY(listed(m, tmp_.filePath(QStringLiteral("files"))));
    // Rows: 0 sub.json (folder), 1 a.json, 2 B.JSON, 3 c.txt, 4 json, 5 notes.md, 6 x.json.bak.
    const QString f = m.folder() + "/";
    const auto selected_names = [&] {
      QStringList out;
      for (const QString& p : m.selectedPaths()) out << p.mid(f.size());
      return out;
    };
    const auto flags = [&] {
      QString out;
      for (int i = 0; i < m.rowCount(); ++i)
        out += m.data(m.index(i), FolderBrowserModel::SelectedRole).toBool() ? u'1' : u'0';
      return out;
    };
    m.select(3);
    QCOMPARE(selected_names(), QStringList{"c.txt"});
    QCOMPARE(m.selectedCount(), 1);
    QCOMPARE(selection.count(), 1);
    m.toggle(1);
    m.toggle(5);
    QCOMPARE(selected_names(), (QStringList{"a.json", "c.txt", "notes.md"}));  // the listing's order
    QCOMPARE(flags(), QStringLiteral("0101010"));
    m.toggle(3);
    QCOMPARE(selected_names(), (QStringList{"a.json", "notes.md"}));
    m.toggle(0);  // a folder: nothing happens
    m.toggle(99);
    m.toggle(-1);
    QCOMPARE(selected_names(), (QStringList{"a.json", "notes.md"}));
    const int before = int(selection.count());
    m.select(5);
    QCOMPARE(selected_names(), QStringList{"notes.md"});
    m.select(5);  // nothing changes: no signal
    QCOMPARE(selection.count(), before + 1);
    // A range from the last one picked, either way, over a folder: the folder stays out.
    m.selectRange(2, 0);
    QCOMPARE(selected_names(), (QStringList{"a.json", "B.JSON"}));
    m.selectRange(6, 5, true);
    QCOMPARE(selected_names(), (QStringList{"a.json", "B.JSON", "notes.md", "x.json.bak"}));
    m.selectRange(-5, 100);
    QCOMPARE(m.selectedCount(), 6);
    m.clearSelection();
    QCOMPARE(m.selectedCount(), 0);
    QCOMPARE(flags(), QStringLiteral("0000000"));
    m.selectAllFiles();
    QCOMPARE(flags(), QStringLiteral("0111111"));
    m.select(0);  // choosing a folder selects no file
    QCOMPARE(m.selectedCount(), 0);
    // A new listing (another folder, or this one again) starts with nothing selected.
    m.selectAllFiles();
    QVERIFY(listed(m, m.folder()));
    QCOMPARE(m.selectedCount(), 0);
    QCOMPARE(m.selectedPaths(), QStringList());
    QVERIFY(listed(m, tmp_.filePath(QStringLiteral("files/sub.json"))));
    m.selectAllFiles();  // an empty folder
    QCOMPARE(m.selectedCount(), 0);
  }

  // The lister's thread outlives the model: its result must not reach a destroyed object (ASan
  // and the process's survival are the check).
  void destroyed_while_listing() {
    for (int i = 0; i < 50; ++i) {
      auto m = std::make_unique<FolderBrowserModel>();
      m->open(tmp_.filePath(QStringLiteral("tree")));
      if (i % 2) QTest::qWait(1);
      m.reset();
    }
    QTest::qWait(200);
  }

  void places_include_the_hugging_face_cache_where_it_exists() {
    const QString hub = make(QStringLiteral("hf/hub"));
    qputenv("HF_HUB_CACHE", hub.toUtf8());
    bool found = false;
    for (const QVariant& p : FolderBrowserModel::places()) {
      const QVariantMap place = p.toMap();
      QVERIFY(QFileInfo(place.value(QStringLiteral("path")).toString()).isDir());
      if (place.value(QStringLiteral("path")).toString() == QDir::cleanPath(hub)) found = true;
    }
    QVERIFY(found);
    qputenv("HF_HUB_CACHE", tmp_.filePath(QStringLiteral("hf/none")).toUtf8());
    for (const QVariant& p : FolderBrowserModel::places())
      QVERIFY(!p.toMap().value(QStringLiteral("path")).toString().endsWith(QStringLiteral("hf/none")));
    qunsetenv("HF_HUB_CACHE");
  }
};

QTEST_MAIN(FolderBrowserModelTest)
#include "test_folder_browser_model.moc"
