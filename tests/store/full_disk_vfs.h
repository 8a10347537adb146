#pragma once
// A disk that fills up on cue, for tests: an SQLite VFS that wraps the default one and makes
// every xWrite fail with SQLITE_FULL once a byte budget is spent (what SQLite's unix VFS returns
// when write() reports ENOSPC). Registered as the default VFS while a FullDiskVfs is alive, so a
// ConversationStore opened meanwhile writes through it; the previous default comes back when it
// is destroyed. Reads, locks, syncs and the WAL index (shared memory) pass straight through.
//
// Not thread-safe; one at a time.
#include <sqlite3.h>

#include <cstdint>
#include <cstring>
#include <limits>

namespace falcon::test {

class FullDiskVfs {
 public:
  FullDiskVfs() : real_(sqlite3_vfs_find(nullptr)) {
    std::memset(&vfs_, 0, sizeof vfs_);
    vfs_.iVersion = 1;
    vfs_.szOsFile = static_cast<int>(sizeof(File)) + real_->szOsFile;
    vfs_.mxPathname = real_->mxPathname;
    vfs_.zName = "falcon_full_disk";
    vfs_.pAppData = this;
    vfs_.xOpen = &FullDiskVfs::open;
    vfs_.xDelete = [](sqlite3_vfs* v, const char* p, int sync) {
      return self(v)->real_->xDelete(self(v)->real_, p, sync);
    };
    vfs_.xAccess = [](sqlite3_vfs* v, const char* p, int f, int* out) {
      return self(v)->real_->xAccess(self(v)->real_, p, f, out);
    };
    vfs_.xFullPathname = [](sqlite3_vfs* v, const char* p, int n, char* out) {
      return self(v)->real_->xFullPathname(self(v)->real_, p, n, out);
    };
    vfs_.xDlOpen = [](sqlite3_vfs* v, const char* p) { return self(v)->real_->xDlOpen(self(v)->real_, p); };
    vfs_.xDlError = [](sqlite3_vfs* v, int n, char* out) {
      self(v)->real_->xDlError(self(v)->real_, n, out);
    };
    vfs_.xDlSym = [](sqlite3_vfs* v, void* h, const char* s) {
      return self(v)->real_->xDlSym(self(v)->real_, h, s);
    };
    vfs_.xDlClose = [](sqlite3_vfs* v, void* h) { self(v)->real_->xDlClose(self(v)->real_, h); };
    vfs_.xRandomness = [](sqlite3_vfs* v, int n, char* out) {
      return self(v)->real_->xRandomness(self(v)->real_, n, out);
    };
    vfs_.xSleep = [](sqlite3_vfs* v, int us) { return self(v)->real_->xSleep(self(v)->real_, us); };
    vfs_.xCurrentTime = [](sqlite3_vfs* v, double* t) {
      return self(v)->real_->xCurrentTime(self(v)->real_, t);
    };
    vfs_.xGetLastError = [](sqlite3_vfs* v, int n, char* out) {
      return self(v)->real_->xGetLastError(self(v)->real_, n, out);
    };
    sqlite3_vfs_register(&vfs_, /*makeDflt=*/1);
  }
  ~FullDiskVfs() {
    sqlite3_vfs_unregister(&vfs_);
    sqlite3_vfs_register(real_, /*makeDflt=*/1);
  }
  FullDiskVfs(const FullDiskVfs&) = delete;
  FullDiskVfs& operator=(const FullDiskVfs&) = delete;

  // From now on only `bytes` more bytes fit; then every write fails with SQLITE_FULL.
  void fill_after(int64_t bytes) { budget_ = written_ + bytes; }
  // Space freed: writes succeed again.
  void free_space() { budget_ = std::numeric_limits<int64_t>::max(); }
  int64_t bytes_written() const { return written_; }
  int64_t failed_writes() const { return failed_; }

 private:
  struct File {
    sqlite3_file base;  // must come first: SQLite sees this
    FullDiskVfs* owner;
    sqlite3_file* real;  // the wrapped VFS's file, stored right behind this struct
  };

  static FullDiskVfs* self(sqlite3_vfs* v) { return static_cast<FullDiskVfs*>(v->pAppData); }
  static File* file(sqlite3_file* f) { return reinterpret_cast<File*>(f); }
  static sqlite3_file* real(sqlite3_file* f) { return file(f)->real; }

  static int open(sqlite3_vfs* v, const char* name, sqlite3_file* f, int flags, int* out_flags) {
    FullDiskVfs* me = self(v);
    File* shim = file(f);
    shim->base.pMethods = nullptr;  // SQLite closes only files whose open succeeded
    shim->owner = me;
    shim->real = reinterpret_cast<sqlite3_file*>(shim + 1);
    const int rc = me->real_->xOpen(me->real_, name, shim->real, flags, out_flags);
    if (rc != SQLITE_OK) return rc;
    me->methods_for(shim->real->pMethods);
    shim->base.pMethods = &me->methods_;
    return SQLITE_OK;
  }

  // Forwards everything to the real file's methods (same version), except xWrite.
  void methods_for(const sqlite3_io_methods* m) {
    methods_ = *m;
    methods_.xClose = [](sqlite3_file* f) {
      sqlite3_file* r = real(f);
      const int rc = r->pMethods ? r->pMethods->xClose(r) : SQLITE_OK;
      f->pMethods = nullptr;
      return rc;
    };
    methods_.xRead = [](sqlite3_file* f, void* p, int n, sqlite3_int64 off) {
      return real(f)->pMethods->xRead(real(f), p, n, off);
    };
    methods_.xWrite = [](sqlite3_file* f, const void* p, int n, sqlite3_int64 off) {
      FullDiskVfs* me = file(f)->owner;
      if (me->written_ + n > me->budget_) {
        ++me->failed_;
        return SQLITE_FULL;
      }
      me->written_ += n;
      return real(f)->pMethods->xWrite(real(f), p, n, off);
    };
    methods_.xTruncate = [](sqlite3_file* f, sqlite3_int64 size) {
      return real(f)->pMethods->xTruncate(real(f), size);
    };
    methods_.xSync = [](sqlite3_file* f, int flags) { return real(f)->pMethods->xSync(real(f), flags); };
    methods_.xFileSize = [](sqlite3_file* f, sqlite3_int64* size) {
      return real(f)->pMethods->xFileSize(real(f), size);
    };
    methods_.xLock = [](sqlite3_file* f, int l) { return real(f)->pMethods->xLock(real(f), l); };
    methods_.xUnlock = [](sqlite3_file* f, int l) { return real(f)->pMethods->xUnlock(real(f), l); };
    methods_.xCheckReservedLock = [](sqlite3_file* f, int* out) {
      return real(f)->pMethods->xCheckReservedLock(real(f), out);
    };
    methods_.xFileControl = [](sqlite3_file* f, int op, void* arg) {
      return real(f)->pMethods->xFileControl(real(f), op, arg);
    };
    methods_.xSectorSize = [](sqlite3_file* f) { return real(f)->pMethods->xSectorSize(real(f)); };
    methods_.xDeviceCharacteristics = [](sqlite3_file* f) {
      return real(f)->pMethods->xDeviceCharacteristics(real(f));
    };
    if (m->iVersion >= 2) {
      methods_.xShmMap = [](sqlite3_file* f, int pg, int sz, int extend, void volatile** out) {
        return real(f)->pMethods->xShmMap(real(f), pg, sz, extend, out);
      };
      methods_.xShmLock = [](sqlite3_file* f, int off, int n, int flags) {
        return real(f)->pMethods->xShmLock(real(f), off, n, flags);
      };
      methods_.xShmBarrier = [](sqlite3_file* f) { real(f)->pMethods->xShmBarrier(real(f)); };
      methods_.xShmUnmap = [](sqlite3_file* f, int del) {
        return real(f)->pMethods->xShmUnmap(real(f), del);
      };
    }
    if (m->iVersion >= 3) {
      // No memory-mapped reads or writes through the shim: every write must pass xWrite.
      methods_.xFetch = [](sqlite3_file*, sqlite3_int64, int, void** out) {
        *out = nullptr;
        return SQLITE_OK;
      };
      methods_.xUnfetch = [](sqlite3_file*, sqlite3_int64, void*) { return SQLITE_OK; };
    }
  }

  sqlite3_vfs* real_;
  sqlite3_vfs vfs_;
  sqlite3_io_methods methods_{};
  int64_t written_ = 0;
  int64_t budget_ = std::numeric_limits<int64_t>::max();
  int64_t failed_ = 0;
};

}  // namespace falcon::test
