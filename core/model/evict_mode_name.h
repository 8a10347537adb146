#pragma once
// The --evict spelling of EvictMode, shared by falcon-run and the soak benchmarks.
#include <optional>
#include <string_view>

#include "core/model/backend.h"

namespace falcon {

// "exact" / "shift"; nullopt for anything else.
inline std::optional<EvictMode> evict_mode_from_name(std::string_view name) {
  if (name == "exact") return EvictMode::Exact;
  if (name == "shift") return EvictMode::Shift;
  return std::nullopt;
}

}  // namespace falcon
