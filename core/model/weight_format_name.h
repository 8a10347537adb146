#pragma once
// The --weights spelling of WeightFormat, shared by falcon-run, the app and the GPU benchmarks.
#include <optional>
#include <string_view>

#include "core/model/backend.h"

namespace falcon {

// "bf16" / "int8" / "int4" / "int6"; nullopt for anything else (int6: the head's only format
// beyond the layers' ones; callers that parse --weights reject it, layer_format_ok).
inline std::optional<WeightFormat> weight_format_from_name(std::string_view name) {
  if (name == "bf16") return WeightFormat::Bf16;
  if (name == "int8") return WeightFormat::Int8;
  if (name == "int4") return WeightFormat::Int4;
  if (name == "int6") return WeightFormat::Int6;
  return std::nullopt;
}

// The same spelling back: what weight_format_from_name reads.
inline const char* weight_format_name(WeightFormat w) {
  switch (w) {
    case WeightFormat::Int8:
      return "int8";
    case WeightFormat::Int4:
      return "int4";
    case WeightFormat::Int6:
      return "int6";
    case WeightFormat::Bf16:
      break;
  }
  return "bf16";
}

}  // namespace falcon
