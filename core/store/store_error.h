#pragma once
// The one exception type of the conversation store. It is a falcon::Error of kind
// ErrorKind::Store (so callers that only know falcon::Error still get a clear message), and it
// carries a code so the app can offer the right remedy (move a corrupt file aside, update the
// app, free disk space, pick another folder).
#include <string>

#include "core/common/error.h"

namespace falcon {

enum class StoreErrorCode {
  Other,            // anything not listed below (message says what)
  Corrupt,          // not an SQLite file, or a damaged one: offer recover_by_moving_aside()
  NewerVersion,     // written by a newer falcon-chat (user_version above ours): update the app
  ForeignFile,      // a valid SQLite file that belongs to another program: nothing was changed
  ReadOnly,         // the location or the file cannot be written
  DiskFull,         // the disk (or the configured page quota) is full; the change was rolled back
  Busy,             // another program holds a write lock longer than the busy timeout
  Io,               // the operating system reported an I/O error
  NotFound,         // a conversation or message id that does not exist
  InvalidArgument,  // a call that breaks the API contract (e.g. a parent from another conversation)
  InvalidImport,    // JSON import rejected; nothing was imported
  Cancelled,        // the caller's progress callback asked to stop; nothing was changed
};

class StoreError : public Error {
 public:
  StoreError(StoreErrorCode code, const std::string& message)
      : Error(ErrorKind::Store, message), code_(code) {}
  StoreErrorCode code() const noexcept { return code_; }

 private:
  StoreErrorCode code_;
};

}  // namespace falcon
