#include "core/common/chat_types.h"

namespace falcon {

std::string_view to_string(Role r) {
  switch (r) {
    case Role::System:
      return "system";
    case Role::User:
      return "user";
    case Role::Assistant:
      return "assistant";
  }
  return "user";
}

std::string_view to_string(StopReason r) {
  switch (r) {
    case StopReason::None:
      return "";
    case StopReason::Eos:
      return "eos";
    case StopReason::StopString:
      return "stop_string";
    case StopReason::Length:
      return "length";
    case StopReason::Cancelled:
      return "cancelled";
    case StopReason::Interrupted:
      return "interrupted";
    case StopReason::Error:
      return "error";
  }
  return "";
}

std::optional<Role> role_from_string(std::string_view s) {
  for (Role r : {Role::System, Role::User, Role::Assistant}) {
    if (to_string(r) == s) return r;
  }
  return std::nullopt;
}

std::optional<StopReason> stop_reason_from_string(std::string_view s) {
  for (StopReason r : {StopReason::None, StopReason::Eos, StopReason::StopString, StopReason::Length,
                       StopReason::Cancelled, StopReason::Interrupted, StopReason::Error}) {
    if (to_string(r) == s) return r;
  }
  return std::nullopt;
}

}  // namespace falcon
