#pragma once
// Vocabulary shared by the chat template, the generator, the store and the app. One definition
// each, so that a message's role and a reply's stop reason mean the same thing everywhere.

#include <optional>
#include <string_view>

namespace falcon {

// Who wrote a message.
enum class Role { System, User, Assistant };

// Why a generated reply ended. The store writes these as text ("eos", "stop_string", ...).
enum class StopReason {
  None,         // not a generated message (user/system), or not finished
  Eos,          // the model produced its end-of-sequence token
  StopString,   // a configured stop string appeared
  Length,       // max new tokens reached
  Cancelled,    // the user pressed stop
  Interrupted,  // the program died while streaming (set on the next open)
  Error,        // generation failed; the error text says why
};

// Names as the store, exports and HF chat templates write them: "system", "user", "assistant";
// "", "eos", "stop_string", "length", "cancelled", "interrupted", "error".
std::string_view to_string(Role r);
std::string_view to_string(StopReason r);
std::optional<Role> role_from_string(std::string_view s);
std::optional<StopReason> stop_reason_from_string(std::string_view s);  // "" -> None

}  // namespace falcon
