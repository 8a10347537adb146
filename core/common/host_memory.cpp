#include "core/common/host_memory.h"

#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <fstream>
#include <iterator>
#include <limits>
#include <string>

namespace falcon {
namespace {

// The value of a "Key:   123 kB" line in bytes, if `line` is that key's line.
std::optional<uint64_t> field_bytes(std::string_view line, std::string_view key) {
  if (line.size() <= key.size() || line.substr(0, key.size()) != key || line[key.size()] != ':')
    return std::nullopt;
  std::string_view rest = line.substr(key.size() + 1);
  while (!rest.empty() && (rest.front() == ' ' || rest.front() == '\t')) rest.remove_prefix(1);
  uint64_t value = 0;
  const auto [end, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), value);
  if (ec != std::errc() || end == rest.data()) return std::nullopt;
  rest.remove_prefix(static_cast<size_t>(end - rest.data()));
  while (!rest.empty() && (rest.front() == ' ' || rest.front() == '\t')) rest.remove_prefix(1);
  uint64_t unit = 1;
  if (rest == "kB")
    unit = 1024;
  else if (!rest.empty())
    return std::nullopt;
  if (value > std::numeric_limits<uint64_t>::max() / unit) return std::nullopt;
  return value * unit;
}

}  // namespace

std::optional<HostMemory> parse_meminfo(std::string_view text) {
  std::optional<uint64_t> total, available, free, buffers, cached;
  while (!text.empty()) {
    const size_t nl = text.find('\n');
    const std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    if (auto v = field_bytes(line, "MemTotal"))
      total = v;
    else if (auto a = field_bytes(line, "MemAvailable"))
      available = a;
    else if (auto f = field_bytes(line, "MemFree"))
      free = f;
    else if (auto b = field_bytes(line, "Buffers"))
      buffers = b;
    else if (auto c = field_bytes(line, "Cached"))
      cached = c;
  }
  if (!total || *total == 0) return std::nullopt;
  HostMemory m;
  m.total = *total;
  if (available) {
    m.available = *available;
  } else if (free) {
    m.available = *free + buffers.value_or(0) + cached.value_or(0);
  } else {
    return std::nullopt;
  }
  if (m.available > m.total) m.available = m.total;
  return m;
}

std::optional<HostMemory> read_host_memory() {
  std::ifstream in("/proc/meminfo");
  if (in) {
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (auto m = parse_meminfo(text)) return m;
  }
  const long pages = sysconf(_SC_PHYS_PAGES), avail = sysconf(_SC_AVPHYS_PAGES), page = sysconf(_SC_PAGESIZE);
  if (pages <= 0 || avail < 0 || page <= 0) return std::nullopt;
  HostMemory m;
  m.total = static_cast<uint64_t>(pages) * static_cast<uint64_t>(page);
  m.available = std::min(m.total, static_cast<uint64_t>(avail) * static_cast<uint64_t>(page));
  return m;
}

}  // namespace falcon
