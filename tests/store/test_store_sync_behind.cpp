// StoreOptions::sync_behind (core/store/store_sync_behind.h), the UI thread's store: a change
// returns without waiting for the disk, is made durable by the store's own thread right after,
// survives the process dying at once (checked by a second connection after a child _exit()s
// without closing), and SQLite's checkpoints still run (the WAL hook replaces them).
#include <sys/wait.h>
#include <unistd.h>

#include <QTemporaryDir>
#include <QtTest>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <future>
#include <mutex>

#include "tests/store/test_store_util.h"

using namespace falcon;
using namespace falcon::test;

namespace {

// A gate the sync thread waits at, so a test can hold the "disk" as long as it likes.
struct Gate {
  std::mutex m;
  std::condition_variable cv;
  bool open = false;
  int waits = 0;
  void pass() {
    std::unique_lock<std::mutex> l(m);
    ++waits;
    cv.notify_all();
    cv.wait(l, [&] { return open; });
  }
  void release() {
    std::lock_guard<std::mutex> l(m);
    open = true;
    cv.notify_all();
  }
  // Opens the gate as it goes, so a failed check does not leave the store's thread waiting
  // (its store, declared before, then closes instead of hanging the test).
  struct OpenAtExit {
    std::shared_ptr<Gate> gate;
    ~OpenAtExit() { gate->release(); }
  };
  bool wait_for_a_sync(std::chrono::seconds t) {
    std::unique_lock<std::mutex> l(m);
    return cv.wait_for(l, t, [&] { return waits > 0; });
  }
};

// Sync behind, with the store's sync thread held at `gate` before each sync.
StoreOptions held_at(const std::shared_ptr<Gate>& gate) {
  StoreOptions o = ticking_options();
  o.sync_behind = true;
  o.before_background_sync = [gate] { gate->pass(); };
  return o;
}

NewConversation titled(const std::string& title) {
  NewConversation c;
  c.title = title;
  return c;
}

}  // namespace

class TestStoreSyncBehind : public QObject {
  Q_OBJECT
  QTemporaryDir dir_;

  std::string path(const char* name) { return dir_.filePath(QString::fromUtf8(name)).toStdString(); }

 private slots:
  // While the sync thread is held (a disk that takes its time), changes still return, are seen
  // by another connection, and wait_until_durable() waits for the disk.
  void a_change_returns_before_its_sync() {
    const std::string p = path("held.db");
    auto gate = std::make_shared<Gate>();
    ConversationStore store(p, held_at(gate));
    const Gate::OpenAtExit open_at_exit{gate};
    const int64_t first = store.create_conversation(titled("first"));
    QVERIFY(gate->wait_for_a_sync(std::chrono::seconds(10)));  // the sync thread is at the gate
    auto more = std::async(std::launch::async, [&] {
      for (int i = 0; i < 20; ++i) store.set_title(first, "renamed " + std::to_string(i));
      return store.create_conversation(titled("second"));
    });
    const bool returned = more.wait_for(std::chrono::seconds(10)) == std::future_status::ready;
    if (!returned) gate->release();  // the future's end would wait for it: fail, do not hang
    QVERIFY2(returned, "a change waited for the sync thread");
    QVERIFY(more.get() > first);
    {
      RawDb other(p);
      QCOMPARE(other.scalar("SELECT title FROM conversations WHERE id = " + std::to_string(first)),
               std::string("renamed 19"));
      QCOMPARE(other.integer("SELECT count(*) FROM conversations"), int64_t{2});
    }
    auto durable = std::async(std::launch::async, [&] { return store.wait_until_durable(); });
    QVERIFY(durable.wait_for(std::chrono::milliseconds(200)) == std::future_status::timeout);
    gate->release();
    QCOMPARE(durable.get(), std::string());
  }

  // The process dies right after a change returned (no destructor, no close): the change is in
  // the WAL, and the next opener finds it.
  void a_change_survives_the_process_dying_at_once() {
#if defined(__SANITIZE_THREAD__)
    QSKIP(
        "ThreadSanitizer cannot start threads (the store's sync thread) in a child forked from a "
        "multi-threaded process");
#endif
    const std::string p = path("dies.db");
    int pipe_fds[2];
    QCOMPARE(::pipe(pipe_fds), 0);
    const pid_t child = ::fork();
    QVERIFY(child >= 0);
    if (child == 0) {
      ::close(pipe_fds[0]);
      StoreOptions o;
      o.sync_behind = true;
      auto* store = new ConversationStore(p, o);  // never closed
      for (int i = 0; i < 50; ++i) store->create_conversation(titled("chat " + std::to_string(i)));
      const char done = 'd';
      if (::write(pipe_fds[1], &done, 1) != 1) ::_exit(2);
      ::_exit(0);
    }
    ::close(pipe_fds[1]);
    char c = 0;
    QCOMPARE(::read(pipe_fds[0], &c, 1), ssize_t{1});
    ::close(pipe_fds[0]);
    int status = 0;
    QCOMPARE(::waitpid(child, &status, 0), child);
    QVERIFY(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    ConversationStore reopened(p);
    QCOMPARE(reopened.count_conversations(), int64_t{50});
    QCOMPARE(reopened.integrity_check(), std::string("ok"));
  }

  // Enough changes for several checkpoints' worth of WAL frames: the pages reach the database
  // file while the connection is open (without checkpoints everything would stay in the WAL).
  void checkpoints_still_run() {
    const std::string p = path("checkpoints.db");
    StoreOptions o = ticking_options();
    o.sync_behind = true;
    ConversationStore store(p, o);
    const auto db_size_before = std::filesystem::file_size(p);
    const std::string big(3000, 'x');
    for (int i = 0; i < 1500; ++i) {
      NewConversation c = titled("c" + std::to_string(i));
      c.system_prompt = big;  // about a page per conversation
      store.create_conversation(c);
    }
    QCOMPARE(store.wait_until_durable(), std::string());
    const auto db_size_after = std::filesystem::file_size(p);
    QVERIFY2(db_size_after > db_size_before + 2'000'000,
             qPrintable(QStringLiteral("database file %1 -> %2 bytes: no checkpoint ran")
                            .arg(db_size_before)
                            .arg(db_size_after)));
    QVERIFY(std::filesystem::file_size(p + "-wal") < 64ull << 20);
  }

  // The checkpoint too runs on the store's thread: while that thread is held, enough changes
  // for a checkpoint leave the database file as it was (a checkpoint on the calling thread,
  // as SQLite's own auto-checkpoint, would copy them at once); released, they reach it.
  void a_checkpoint_runs_on_the_sync_thread() {
    const std::string p = path("checkpoint-thread.db");
    auto gate = std::make_shared<Gate>();
    ConversationStore store(p, held_at(gate));
    const Gate::OpenAtExit open_at_exit{gate};
    const auto db_size_before = std::filesystem::file_size(p);
    const std::string big(3000, 'x');
    auto writes = std::async(std::launch::async, [&] {
      for (int i = 0; i < 1500; ++i) {
        NewConversation c = titled("c" + std::to_string(i));
        c.system_prompt = big;
        store.create_conversation(c);
      }
    });
    const bool returned = writes.wait_for(std::chrono::seconds(60)) == std::future_status::ready;
    if (!returned) gate->release();  // the future's end would wait for it: fail, do not hang
    QVERIFY2(returned, "the changes waited for the sync thread");
    writes.get();
    QCOMPARE(std::filesystem::file_size(p), db_size_before);
    gate->release();
    QCOMPARE(store.wait_until_durable(), std::string());
    store.create_conversation(titled("one more"));  // the WAL is past 1000 frames: checkpoint
    QCOMPARE(store.wait_until_durable(), std::string());
    QVERIFY(std::filesystem::file_size(p) > db_size_before + 2'000'000);
  }

  // A sync that fails (here: the WAL's name made a symlink loop, so it cannot be opened) is
  // reported, and stays reported after later syncs succeed: the kernel may have dropped what
  // it could not write.
  void a_failed_sync_is_reported_and_stays_reported() {
    const std::string p = path("fails.db");
    const std::string wal = p + "-wal";
    std::atomic<bool> break_next{false};
    StoreOptions o = ticking_options();
    o.sync_behind = true;
    o.before_background_sync = [&] {
      if (!break_next.exchange(false)) return;
      std::filesystem::rename(wal, wal + ".aside");  // SQLite keeps its own descriptor
      std::filesystem::create_symlink(wal, wal);     // ELOOP for whoever opens the name
    };
    ConversationStore store(p, o);
    const int64_t id = store.create_conversation(titled("a"));
    QCOMPARE(store.wait_until_durable(), std::string());
    QCOMPARE(store.durability_error(), std::string());
    break_next = true;
    store.set_title(id, "b");
    const std::string error = store.wait_until_durable();
    QVERIFY2(error.find("syncing " + wal) == 0, error.c_str());
    QCOMPARE(store.durability_error(), error);
    std::filesystem::remove(wal);
    std::filesystem::rename(wal + ".aside", wal);
    store.set_title(id, "c");
    QCOMPARE(store.wait_until_durable(), error);
  }

  // Without the option nothing changes: wait_until_durable() has nothing to wait for.
  void without_the_option_every_commit_is_durable_at_once() {
    ConversationStore store(path("plain.db"), ticking_options());
    store.create_conversation(titled("x"));
    QCOMPARE(store.wait_until_durable(), std::string());
    ConversationStore memory(":memory:", [] {
      StoreOptions o;
      o.sync_behind = true;  // ignored: nothing on disk to sync
      return o;
    }());
    memory.create_conversation(titled("y"));
    QCOMPARE(memory.wait_until_durable(), std::string());
  }
};

QTEST_APPLESS_MAIN(TestStoreSyncBehind)
#include "test_store_sync_behind.moc"
