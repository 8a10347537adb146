// File-level operations of the store: creating the database with mode 0600, the lock file
// that tells crash recovery whether another process is still streaming, the pre-migration
// backup and moving a corrupt file aside without ever overwriting anything.
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>

#include "core/store/store_impl.h"

namespace falcon {
namespace store_files {
namespace {

std::string errno_text(int e) {
  return std::strerror(e);
}

std::string timestamp_utc() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%d-%H%M%S", &tm);
  return buf;
}

bool exists(const std::string& p) {
  struct stat st {};
  return ::lstat(p.c_str(), &st) == 0;
}

// rename() that fails instead of replacing an existing target (RENAME_NOREPLACE where the
// file system supports it; otherwise link+unlink, which also refuses to replace).
bool rename_no_replace(const std::string& from, const std::string& to) {
  if (::renameat2(AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), RENAME_NOREPLACE) == 0) return true;
  if (errno == EEXIST) return false;
  if (::link(from.c_str(), to.c_str()) == 0) {
    ::unlink(from.c_str());
    return true;
  }
  return false;
}

}  // namespace

bool is_file_path(const std::string& path) {
  return !path.empty() && path != ":memory:" && path.rfind("file:", 0) != 0;
}

void precreate_0600(const std::string& path) {
  int fd = ::open(path.c_str(), O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC, 0600);
  if (fd >= 0) {
    ::close(fd);
    return;
  }
  int e = errno;
  if (e == EEXIST) return;
  std::string dir = std::filesystem::path(path).parent_path().string();
  if (dir.empty()) dir = ".";
  if (e == EACCES || e == EPERM || e == EROFS) {
    throw StoreError(StoreErrorCode::ReadOnly, "conversation store: cannot create the database " + path +
                                                   ": " + errno_text(e) + ". The folder " + dir +
                                                   " is read-only; choose a writable location.");
  }
  if (e == ENOSPC || e == EDQUOT) {
    throw StoreError(StoreErrorCode::DiskFull, "conversation store: cannot create the database " + path +
                                                   ": " + errno_text(e) +
                                                   ". Free some disk space and retry.");
  }
  throw StoreError(StoreErrorCode::Other, "conversation store: cannot create the database " + path + ": " +
                                              errno_text(e) + " (does the folder " + dir + " exist?).");
}

int acquire_lock(const std::string& path, bool& sole_owner) {
  sole_owner = false;
  std::string lock_path = path + "-falcon-lock";
  int fd = ::open(lock_path.c_str(), O_CREAT | O_RDWR | O_CLOEXEC, 0600);
  if (fd < 0) return -1;
  // flock (not fcntl) locks belong to this open file description, so they neither disturb
  // SQLite's own fcntl locks on the database nor vanish when another fd is closed; the kernel
  // drops them when the process dies, which is exactly the "is the writer still alive" test.
  if (::flock(fd, LOCK_EX | LOCK_NB) == 0) sole_owner = true;
  if (::flock(fd, LOCK_SH) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

void release_lock(int fd) {
  if (fd >= 0) ::close(fd);  // closing drops the flock
}

std::string backup(sqlite3* db, const std::string& path, int version) {
  std::string target = path + ".v" + std::to_string(version) + ".bak";
  for (int n = 1; exists(target); ++n) {
    target = path + ".v" + std::to_string(version) + "-" + timestamp_utc() +
             (n > 1 ? "-" + std::to_string(n) : "") + ".bak";
  }
  precreate_0600(target);
  sql::Db dest;
  {
    sqlite3* raw = nullptr;
    int rc = sqlite3_open_v2(target.c_str(), &raw, SQLITE_OPEN_READWRITE, nullptr);
    dest = sql::Db(raw);
    if (rc != SQLITE_OK) sql::fail(raw, rc, "opening the backup file " + target);
  }
  sqlite3_backup* b = sqlite3_backup_init(dest.get(), "main", db, "main");
  if (!b) sql::fail(dest.get(), sqlite3_errcode(dest.get()), "starting the backup to " + target);
  int rc = sqlite3_backup_step(b, -1);
  sqlite3_backup_finish(b);
  if (rc != SQLITE_DONE) sql::fail(dest.get(), rc, "backing up the database to " + target);
  return target;
}

}  // namespace store_files

std::string recover_by_moving_aside(const std::string& path) {
  if (!store_files::is_file_path(path)) {
    throw StoreError(StoreErrorCode::InvalidArgument, "conversation store: " + path + " is not a file");
  }
  if (!store_files::exists(path)) {
    throw StoreError(StoreErrorCode::NotFound,
                     "conversation store: cannot move " + path + " aside: it does not exist");
  }
  std::string stamp = store_files::timestamp_utc();
  for (int n = 1; n < 1000; ++n) {
    std::string target = path + ".corrupt-" + stamp + (n > 1 ? "-" + std::to_string(n) : "");
    // Keep the -wal/-shm files with the main file (SQLite finds them by name): a stale WAL
    // left at the old name would be replayed into the fresh database.
    if (store_files::exists(target) || store_files::exists(target + "-wal") ||
        store_files::exists(target + "-shm")) {
      continue;
    }
    if (!store_files::rename_no_replace(path, target)) {
      if (errno == EEXIST) continue;
      throw StoreError(StoreErrorCode::ReadOnly, "conversation store: cannot move " + path + " aside to " +
                                                     target + ": " + store_files::errno_text(errno));
    }
    for (const char* suffix : {"-wal", "-shm", "-journal"}) {
      if (store_files::exists(path + suffix)) store_files::rename_no_replace(path + suffix, target + suffix);
    }
    return target;
  }
  throw StoreError(StoreErrorCode::Other, "conversation store: no free name to move " + path + " aside");
}

}  // namespace falcon
