// The disk fills up while the store writes (issue 12). The fault is a real SQLITE_FULL from the
// file layer (tests/store/full_disk_vfs.h: what SQLite returns when write() fails with ENOSPC),
// injected at chosen points of a streaming reply, unlike test_store_errors' page quota, which
// SQLite enforces above the file layer. Each case checks: one StoreError(DiskFull) whose
// message says what to do; everything committed before is intact; once space is freed the same
// store carries on; and the file, reopened through the ordinary VFS, passes integrity_check.
#include <QTemporaryDir>
#include <QtTest>

#include "full_disk_vfs.h"
#include "test_store_util.h"

using namespace falcon;
using falcon::test::error_code_of;
using falcon::test::FullDiskVfs;
using falcon::test::RawDb;

class TestStoreDiskFull : public QObject {
  Q_OBJECT

  QTemporaryDir dir_;
  std::string path(const char* name) { return (dir_.path() + "/" + name).toStdString(); }

 private slots:
  // Partial writes of a streaming reply hit a full disk: the last committed partial text stays,
  // the reply can still be finished after space is freed.
  void full_during_streaming_reply() {
    const std::string p = path("stream.db");
    int64_t conv = 0, user = 0, reply = 0;
    std::string committed;
    {
      FullDiskVfs disk;
      ConversationStore store(p);
      conv = store.create_conversation({.title = "filling up"});
      user = store.append_message(conv, std::nullopt, Role::User, "Write a long story.");
      reply = store.begin_assistant_reply(conv, user);
      std::string text;
      for (int i = 0; i < 5; ++i) {
        text += "Once upon a time, there was a lantern. ";
        store.update_partial(reply, text, i + 1);
        committed = text;
      }
      QVERIFY(disk.bytes_written() > 0);  // the store really writes through the shim

      disk.fill_after(0);
      std::string msg;
      const StoreErrorCode code = error_code_of(
          [&] {
            text += "It shone.";
            store.update_partial(reply, text, 6);
          },
          &msg);
      QCOMPARE(code, StoreErrorCode::DiskFull);
      QVERIFY2(
          msg.find("disk is full") != std::string::npos && msg.find("free some space") != std::string::npos,
          msg.c_str());
      QVERIFY(disk.failed_writes() > 0);
      QCOMPARE(store.message(reply).text, committed);  // the failed write changed nothing
      QCOMPARE(store.message(user).text, std::string("Write a long story."));
      // Finishing fails the same way and leaves the reply streaming (a later open marks it
      // interrupted); nothing committed is lost.
      QCOMPARE(error_code_of([&] { store.finish_reply(reply, text, 6, {}); }), StoreErrorCode::DiskFull);
      QCOMPARE(store.message(reply).state, MessageState::Streaming);

      disk.free_space();
      GenerationStats stats;
      stats.stop_reason = StopReason::Length;
      store.finish_reply(reply, text, 6, stats);
      QCOMPARE(store.message(reply).text, text);
      QCOMPARE(store.integrity_check(), std::string("ok"));
      committed = text;
    }
    RawDb raw(p, SQLITE_OPEN_READWRITE);
    QCOMPARE(raw.scalar("PRAGMA integrity_check"), std::string("ok"));
    ConversationStore again(p);
    QCOMPARE(again.message(reply).text, committed);
    QCOMPARE(again.message(reply).state, MessageState::Complete);
  }

  // The disk fills at every possible byte of one transaction: whatever the point of failure,
  // the transaction is all or nothing and the file stays sound.
  void full_at_every_point_of_a_write() {
    for (int64_t room : {0, 1, 100, 1000, 4096, 5000, 8192, 20000}) {
      const std::string p = path(("every_" + std::to_string(room) + ".db").c_str());
      int64_t conv = 0;
      std::optional<int64_t> added;
      {
        FullDiskVfs disk;
        ConversationStore store(p);
        conv = store.create_conversation({.title = "t"});
        store.append_message(conv, std::nullopt, Role::User, "kept");
        disk.fill_after(room);
        const StoreErrorCode code = error_code_of(
            [&] { added = store.append_message(conv, std::nullopt, Role::User, std::string(6000, 'z')); });
        if (code != static_cast<StoreErrorCode>(-1))
          QCOMPARE(code, StoreErrorCode::DiskFull);  // -1: no error
        if (room == 0) QVERIFY(!added);              // no room at all: the write must have failed
        if (added) {
          QCOMPARE(store.message(*added).text, std::string(6000, 'z'));
        }
        QCOMPARE(store.active_path(conv).front().text, std::string("kept"));
        disk.free_space();
        QCOMPARE(store.integrity_check(), std::string("ok"));
      }
      RawDb raw(p, SQLITE_OPEN_READWRITE);
      QCOMPARE(raw.scalar("PRAGMA integrity_check"), std::string("ok"));
      QCOMPARE(raw.integer("SELECT count(*) FROM messages"), int64_t(added ? 2 : 1));
    }
  }

  // The disk is full when the store closes (the WAL checkpoint cannot write the main file):
  // the committed data is still in the WAL and the next open, on a roomy disk, has it all.
  void full_while_closing() {
    const std::string p = path("close.db");
    int64_t reply = 0;
    {
      FullDiskVfs disk;
      {
        ConversationStore store(p);
        const int64_t conv = store.create_conversation({.title = "t"});
        reply = store.begin_assistant_reply(conv, std::nullopt);
        store.update_partial(reply, "saved before the disk filled", 4);
        disk.fill_after(0);
      }
      QVERIFY(disk.failed_writes() > 0);  // the checkpoint on close did hit the full disk
    }
    RawDb raw(p, SQLITE_OPEN_READWRITE);
    QCOMPARE(raw.scalar("PRAGMA integrity_check"), std::string("ok"));
    ConversationStore again(p);
    QCOMPARE(again.message(reply).text, std::string("saved before the disk filled"));
    QCOMPARE(again.integrity_check(), std::string("ok"));
  }
};

QTEST_APPLESS_MAIN(TestStoreDiskFull)
#include "test_store_disk_full.moc"
