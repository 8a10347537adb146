// Every file the store creates is private to the user (docs/SECURITY.md): mode 0600 for the
// database, its WAL and shared-memory index, the owner lock file and the backup made before a
// migration, whatever the process umask. The umask is set to 0 here (the most permissive), so
// a file that relied on the usual 022 to look private would show up as 0666 or 0644.
#include <sys/stat.h>

#include <QTemporaryDir>
#include <QtTest>
#include <filesystem>

#include "test_store_util.h"

using namespace falcon;

namespace {

int mode_of(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return -1;
  return static_cast<int>(st.st_mode & 0777);
}

// Sets the umask for the lifetime of the object.
struct Umask {
  explicit Umask(mode_t m) : old(::umask(m)) {}
  ~Umask() { ::umask(old); }
  mode_t old;
};

}  // namespace

class TestStoreFileModes : public QObject {
  Q_OBJECT

  QTemporaryDir dir_;

 private slots:
  void everything_created_is_0600() {
    Umask open_to_all(0);
    const std::string p = (dir_.path() + "/modes.db").toStdString();
    ConversationStore store(p);
    const int64_t c = store.create_conversation({.title = "private"});
    store.append_message(c, std::nullopt, Role::User, "my secret");
    for (const std::string& f : {p, p + "-wal", p + "-shm", p + "-falcon-lock"}) {
      QVERIFY2(std::filesystem::exists(f), f.c_str());
      QCOMPARE(mode_of(f), 0600);
    }
  }

  void migration_backup_is_0600() {
    Umask open_to_all(0);
    const std::string p = (dir_.path() + "/old.db").toStdString();
    std::filesystem::copy_file(std::string(FALCON_FIXTURES_DIR) + "/store/v1.sqlite", p);
    std::filesystem::permissions(p, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    ConversationStore store(p);
    QVERIFY(!store.last_backup_path().empty());
    QCOMPARE(mode_of(store.last_backup_path()), 0600);
  }
};

QTEST_APPLESS_MAIN(TestStoreFileModes)
#include "test_store_file_modes.moc"
