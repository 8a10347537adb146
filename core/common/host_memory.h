#pragma once
// The machine's RAM as a user reads it in `free` or a system monitor: "in use" is what
// programs hold, total minus MemAvailable, not total minus MemFree (which would count the page
// cache, and so the memory-mapped model itself, as used until nearly all RAM looks taken).
#include <cstdint>
#include <optional>
#include <string_view>

namespace falcon {

struct HostMemory {
  uint64_t total = 0;      // bytes
  uint64_t available = 0;  // bytes programs can still get without swapping
  uint64_t used() const { return total > available ? total - available : 0; }
};

// Parses /proc/meminfo's text ("Key:   value kB" lines). MemTotal is required; without
// MemAvailable (Linux before 3.14) available is MemFree + Buffers + Cached. nullopt when the
// text has no usable MemTotal.
std::optional<HostMemory> parse_meminfo(std::string_view text);

// /proc/meminfo, or sysconf's physical and free pages where it cannot be read; nullopt when
// neither says anything.
std::optional<HostMemory> read_host_memory();

}  // namespace falcon
