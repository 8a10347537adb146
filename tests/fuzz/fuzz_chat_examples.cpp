// libFuzzer target: falcon-chat.json (a model folder's example prompts) on arbitrary bytes.
// Accepted examples must keep the documented limits; violations trap.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/common/error.h"
#include "core/model/chat_examples.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::vector<std::string> v;
  try {
    v = falcon::parse_chat_examples(std::string_view(reinterpret_cast<const char*>(data), size));
  } catch (const falcon::Error&) {
    return 0;
  }
  if (v.size() > falcon::kMaxChatExamples) __builtin_trap();
  for (const std::string& e : v) {
    if (e.empty() || e.size() > falcon::kMaxChatExampleBytes) __builtin_trap();
    if (e.front() == ' ' || e.back() == ' ' || e.back() == '\n') __builtin_trap();
    for (const char c : e)
      if (static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t') __builtin_trap();
  }
  return 0;
}
