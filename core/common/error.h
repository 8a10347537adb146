#pragma once
// One error type for everything the engine reports to a user. The kind maps onto the
// falcon-run exit status (DESIGN.md §5) and lets the app choose how to present it.
#include <stdexcept>
#include <string>

namespace falcon {

enum class ErrorKind {
  Other = 1,        // anything else
  Usage = 2,        // invalid arguments or settings
  Load = 3,         // model, tokenizer or config cannot be loaded
  OutOfMemory = 4,  // host or device allocation failed
  Cancelled = 5,    // the user stopped the operation (not an exit status of falcon-run)
  Store = 6,        // the conversation database failed
};

class Error : public std::runtime_error {
 public:
  Error(ErrorKind kind, const std::string& message) : std::runtime_error(message), kind_(kind) {}
  ErrorKind kind() const noexcept { return kind_; }

 private:
  ErrorKind kind_;
};

// Shorthands so that call sites read as what went wrong.
[[noreturn]] inline void throw_load_error(const std::string& m) {
  throw Error(ErrorKind::Load, m);
}
[[noreturn]] inline void throw_usage_error(const std::string& m) {
  throw Error(ErrorKind::Usage, m);
}

}  // namespace falcon
