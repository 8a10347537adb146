#include "core/common/mapping_guard.h"

#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <mutex>

namespace falcon {
namespace {

// Lock-free slots: the handler may run on any thread at any time and only reads them.
struct Slot {
  std::atomic<std::uintptr_t> base{0};  // 0: free
  std::atomic<std::size_t> size{0};
  std::atomic<bool> damaged{false};
  std::atomic<bool> taken{false};
};
constexpr int kSlots = 256;
Slot g_slots[kSlots];
struct sigaction g_previous {};
std::uintptr_t g_page = 4096;
std::once_flag g_install_once;

void on_sigbus(int, siginfo_t* info, void*) {
  const auto a = reinterpret_cast<std::uintptr_t>(info->si_addr);
  for (Slot& s : g_slots) {
    const std::uintptr_t b = s.base.load(std::memory_order_acquire);
    const std::size_t n = s.size.load(std::memory_order_acquire);
    if (b == 0 || a < b || a >= b + n) continue;
    // Zero pages from the faulting one to the end of the mapping; the read is then retried.
    const std::uintptr_t page = a & ~(g_page - 1);
    void* r = mmap(reinterpret_cast<void*>(page), b + n - page, PROT_READ,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    if (r != MAP_FAILED) {
      s.damaged.store(true, std::memory_order_release);
      return;
    }
    break;
  }
  // Not a guarded mapping (or no memory for the zero pages): give SIGBUS back to its previous
  // handler; the faulting access runs again and gets it.
  sigaction(SIGBUS, &g_previous, nullptr);
}

void install() {
  const long page = sysconf(_SC_PAGESIZE);
  if (page > 0) g_page = static_cast<std::uintptr_t>(page);
  struct sigaction sa {};
  sa.sa_sigaction = on_sigbus;
  sa.sa_flags = SA_SIGINFO;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGBUS, &sa, &g_previous);
}

}  // namespace

MappingGuard::MappingGuard(const void* base, std::size_t size) {
  if (!base || size == 0) return;
  std::call_once(g_install_once, install);
  for (int i = 0; i < kSlots; ++i) {
    bool expected = false;
    if (!g_slots[i].taken.compare_exchange_strong(expected, true, std::memory_order_acq_rel)) continue;
    g_slots[i].damaged.store(false, std::memory_order_relaxed);
    g_slots[i].size.store(size, std::memory_order_release);
    g_slots[i].base.store(reinterpret_cast<std::uintptr_t>(base), std::memory_order_release);
    slot_ = i;
    return;
  }
}

MappingGuard::~MappingGuard() {
  if (slot_ < 0) return;
  g_slots[slot_].base.store(0, std::memory_order_release);
  g_slots[slot_].size.store(0, std::memory_order_release);
  g_slots[slot_].taken.store(false, std::memory_order_release);
}

bool MappingGuard::damaged() const {
  return slot_ >= 0 && g_slots[slot_].damaged.load(std::memory_order_acquire);
}

}  // namespace falcon
