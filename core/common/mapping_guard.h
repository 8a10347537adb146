#pragma once
// Reading a file mapping after the file was truncated (a model folder overwritten while the app
// has it open) raises SIGBUS, which would kill the process. A mapping registered here is guarded
// instead: the first read past the file's new end replaces the rest of the mapping, from the
// faulting page on, with zero pages and marks it damaged; the reader checks damaged() after its
// reads and reports the changed file as an error. One process-wide SIGBUS handler (Linux),
// installed with the first guard; a SIGBUS anywhere else goes to the handler that was there
// before (the default one ends the process, as without the guard).
#include <cstddef>

namespace falcon {

class MappingGuard {
 public:
  // [base, base + size): a read-only mapping of a file. When all 256 slots are taken the mapping
  // is simply not guarded (guarded() is false).
  MappingGuard(const void* base, std::size_t size);
  // Unregister before unmapping: a later mapping at the same address is none of ours.
  ~MappingGuard();
  MappingGuard(const MappingGuard&) = delete;
  MappingGuard& operator=(const MappingGuard&) = delete;

  bool guarded() const { return slot_ >= 0; }
  // A read hit the part of the file that is gone (and read zeros).
  bool damaged() const;

 private:
  int slot_ = -1;
};

}  // namespace falcon
