// Bad input to the store: a file that is not SQLite, a damaged database, one from a newer
// version, another program's database, a read-only location and a full disk each give one
// clear StoreError, and never change the file. A corrupt file is moved aside, not overwritten.
#include <sys/stat.h>
#include <unistd.h>

#include <QFile>
#include <QTemporaryDir>
#include <QtTest>
#include <filesystem>

#include "core/store/conversation_store.h"
#include "test_store_util.h"

using namespace falcon;
using falcon::test::error_code_of;
using falcon::test::RawDb;

namespace {

QByteArray read_all(const std::string& path) {
  QFile f(QString::fromStdString(path));
  if (!f.open(QIODevice::ReadOnly)) return {};
  return f.readAll();
}

void write_all(const std::string& path, const QByteArray& bytes) {
  QFile f(QString::fromStdString(path));
  if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate)) qFatal("cannot write %s", path.c_str());
  f.write(bytes);
}

// A closed, checkpointed database with a few messages (no -wal left behind).
void make_db(const std::string& path, int messages = 3) {
  ConversationStore s(path);
  int64_t c = s.create_conversation({.title = "some chat"});
  std::optional<int64_t> p;
  for (int i = 0; i < messages; ++i) p = s.append_message(c, p, Role::User, "message " + std::to_string(i));
}

}  // namespace

class TestStoreErrors : public QObject {
  Q_OBJECT

  QTemporaryDir dir_;
  std::string path(const char* name) { return (dir_.path() + "/" + name).toStdString(); }

 private slots:
  void notAnSqliteFile() {
    std::string p = path("notes.db");
    QByteArray junk = QByteArray("These are my notes, not a database.\n").repeated(200);
    write_all(p, junk);
    std::string msg;
    QCOMPARE(error_code_of([&] { ConversationStore s(p); }, &msg), StoreErrorCode::Corrupt);
    QVERIFY2(msg.find("move it aside") != std::string::npos || msg.find("Move it aside") != std::string::npos,
             msg.c_str());
    QVERIFY(msg.find(p) != std::string::npos);
    QCOMPARE(read_all(p), junk);  // untouched

    std::string aside = recover_by_moving_aside(p);
    QVERIFY(aside.rfind(p + ".corrupt-", 0) == 0);
    QVERIFY(!std::filesystem::exists(p));
    QCOMPARE(read_all(aside), junk);
    ConversationStore fresh(p);  // the fresh database offered in its place
    QCOMPARE(fresh.count_conversations(), int64_t(0));
  }

  void damagedSchemaPage() {
    std::string p = path("damaged.db");
    make_db(p);
    QByteArray bytes = read_all(p);
    QVERIFY(bytes.size() >= 4096 * 2);
    // Page 1 past the 100-byte header holds the schema b-tree; scribble over it.
    for (int i = 100; i < 4096; ++i) bytes[i] = char(0xA5 ^ (i * 7));
    write_all(p, bytes);
    // A WAL file left by the crash that damaged it must travel with it.
    write_all(p + "-wal", QByteArray("stale wal"));
    QCOMPARE(error_code_of([&] { ConversationStore s(p); }), StoreErrorCode::Corrupt);
    QCOMPARE(read_all(p), bytes);
    std::string aside = recover_by_moving_aside(p);
    QCOMPARE(read_all(aside + "-wal"), QByteArray("stale wal"));
    QVERIFY(!std::filesystem::exists(p + "-wal"));
    ConversationStore fresh(p);
    QCOMPARE(fresh.integrity_check(), std::string("ok"));
  }

  void damagedDataPagesAreReportedNotCrashed() {
    std::string p = path("damaged-data.db");
    make_db(p, 400);
    QByteArray bytes = read_all(p);
    const int pages = int(bytes.size() / 4096);
    QVERIFY(pages > 4);
    for (int pg = 2; pg < pages; ++pg) {
      for (int i = 0; i < 64; ++i) bytes[pg * 4096 + 8 + i] = char(0x5A + i);  // b-tree cell pointers
    }
    write_all(p, bytes);
    // Either the open notices, or the first query / integrity check does; always as Corrupt.
    bool reported = false;
    try {
      ConversationStore s(p);
      reported = s.integrity_check() != "ok";
      try {
        s.active_path(1);
        s.search("message");
      } catch (const StoreError& e) {
        QCOMPARE(e.code(), StoreErrorCode::Corrupt);
        reported = true;
      }
    } catch (const StoreError& e) {
      QCOMPARE(e.code(), StoreErrorCode::Corrupt);
      reported = true;
    }
    QVERIFY(reported);
  }

  void newerVersion() {
    std::string p = path("future.db");
    make_db(p);
    RawDb(p, SQLITE_OPEN_READWRITE).exec("PRAGMA user_version = 99");
    QByteArray before = read_all(p);
    std::string msg;
    QCOMPARE(error_code_of([&] { ConversationStore s(p); }, &msg), StoreErrorCode::NewerVersion);
    QVERIFY2(msg.find("newer") != std::string::npos && msg.find("99") != std::string::npos, msg.c_str());
    QCOMPARE(read_all(p), before);
    QVERIFY(!std::filesystem::exists(p + ".v99.bak"));
  }

  void foreignDatabase() {
    std::string p = path("other-app.db");
    {
      RawDb raw(p, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
      raw.exec(
          "CREATE TABLE photos (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO photos VALUES (1, 'cat')");
    }
    QByteArray before = read_all(p);
    QCOMPARE(error_code_of([&] { ConversationStore s(p); }), StoreErrorCode::ForeignFile);
    QCOMPARE(read_all(p), before);
  }

  void readOnlyLocation() {
    std::string msg;
    if (::geteuid() == 0) {
      // root ignores permission bits; sysfs refuses new files even to root.
      if (!std::filesystem::exists("/sys/kernel")) QSKIP("no read-only location available to root");
      QCOMPARE(error_code_of([&] { ConversationStore s("/sys/kernel/falcon-store-test.db"); }, &msg),
               StoreErrorCode::ReadOnly);
    } else {
      std::string ro = path("ro");
      std::filesystem::create_directory(ro);
      std::filesystem::permissions(ro,
                                   std::filesystem::perms::owner_read | std::filesystem::perms::owner_exec);
      QCOMPARE(error_code_of([&] { ConversationStore s(ro + "/chats.db"); }, &msg), StoreErrorCode::ReadOnly);
      std::filesystem::permissions(ro, std::filesystem::perms::owner_all);
    }
    QVERIFY2(msg.find("read-only") != std::string::npos, msg.c_str());
    // A folder that does not exist is a different, equally clear error.
    QCOMPARE(error_code_of([&] { ConversationStore s(path("no/such/folder/chats.db")); }, &msg),
             StoreErrorCode::Other);
    QVERIFY2(msg.find("exist") != std::string::npos, msg.c_str());
  }

  void diskFull() {
    std::string p = path("full.db");
    make_db(p, 1);
    int64_t pages = RawDb(p).integer("PRAGMA page_count");
    StoreOptions o;
    o.max_page_count = pages + 8;  // a few pages of room, then the "disk" is full
    ConversationStore store(p, o);
    int64_t c = store.create_conversation({.title = "filling"});
    int64_t reply = store.begin_assistant_reply(c, std::nullopt);
    store.update_partial(reply, "the part that was saved", 5);
    std::string big(3000, 'x');
    std::vector<int64_t> saved;
    std::string msg;
    StoreErrorCode code = error_code_of(
        [&] {
          for (int i = 0; i < 1000; ++i)
            saved.push_back(store.append_message(c, std::nullopt, Role::User, big));
        },
        &msg);
    QCOMPARE(code, StoreErrorCode::DiskFull);
    QVERIFY2(msg.find("disk is full") != std::string::npos, msg.c_str());
    QVERIFY(!saved.empty());
    // A partial write that does not fit fails cleanly and keeps the previous text.
    QCOMPARE(error_code_of([&] { store.update_partial(reply, std::string(200000, 'y'), 9); }),
             StoreErrorCode::DiskFull);
    QCOMPARE(store.message(reply).text, std::string("the part that was saved"));
    for (int64_t id : saved) QCOMPARE(store.message(id).text, big);
    QCOMPARE(store.integrity_check(), std::string("ok"));
    // After space is freed the store carries on.
    store.delete_message(saved.back());
    store.update_partial(reply, "more", 6);
  }

  void moveAsideNeverOverwrites() {
    std::string p = path("twice.db");
    write_all(p, QByteArray("first bad file").repeated(100));
    std::string a = recover_by_moving_aside(p);
    write_all(p, QByteArray("second bad file").repeated(100));
    std::string b = recover_by_moving_aside(p);
    QVERIFY(a != b);
    QCOMPARE(read_all(a), QByteArray("first bad file").repeated(100));
    QCOMPARE(read_all(b), QByteArray("second bad file").repeated(100));
    QCOMPARE(error_code_of([&] { recover_by_moving_aside(p); }), StoreErrorCode::NotFound);
  }
};

QTEST_APPLESS_MAIN(TestStoreErrors)
#include "test_store_errors.moc"
